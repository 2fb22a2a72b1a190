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
# * bcftools calls SNVs and indels apart: at one position a sample may have two variant
#   records (a confident SNV and a weak indel over a repeat). The combiner keeps one
#   genotype per sample and position, the later record's, so the choice is made here:
#   the record with the higher QUAL (the sample's more confident call) is kept.
# Everything else passes unchanged. One sample per file. POSIX awk.
BEGIN { FS = OFS = "\t"; held = "" }
# the last variant record, held until the next record shows whether it shares its position
function flush() { if (held != "") print held; held = "" }
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
        flush()
        print
        next
    }
    if ($6 != ".") $8 = ($8 == "." ? "QUALapprox=" $6 : $8 ";QUALapprox=" $6)
    if (held != "" && $1 == held_chrom && $2 == held_pos) {
        if ($6 + 0 > held_qual + 0) { held = $0; held_qual = $6 }
        next
    }
    flush()
    held = $0; held_chrom = $1; held_pos = $2; held_qual = $6
}
END { flush() }
