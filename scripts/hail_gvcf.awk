# hail_gvcf.awk: a sample's `bcftools call -m -g` gVCF as Hail's VDS combiner reads it,
# in rule bcftools_call_gvcf's stream (joint.engine hail):
#
#   awk -f hail_gvcf.awk
#
# * The combiner takes a record with INFO/END for a reference block and anything else for
#   variant data; `call -g` leaves END off 1-bp blocks and off the sites below the lowest
#   depth band (ALT "."): those get END=POS, so they stay reference data.
# * Hail keeps no QUAL: a variant record's QUAL (the sample's own call quality) is carried
#   as INFO/QUALapprox (the name gnomAD's combiner pipeline gives it), declared in the
#   header; reference records' QUAL is dropped.
# Everything else passes unchanged. One sample per file. POSIX awk.
BEGIN { FS = OFS = "\t" }
/^##/ { print; next }
/^#CHROM/ {
    print "##INFO=<ID=QUALapprox,Number=1,Type=Float,Description=\"QUAL of the sample's own call (bcftools call), kept for the cohort store\">"
    print
    next
}
{
    if ($5 == ".") {
        if ($8 !~ /(^|;)END=/) $8 = ($8 == "." ? "END=" $2 : "END=" $2 ";" $8)
        $6 = "."
    } else if ($6 != ".") {
        $8 = ($8 == "." ? "QUALapprox=" $6 : $8 ";QUALapprox=" $6)
    }
    print
}
