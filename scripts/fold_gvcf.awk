# fold_gvcf.awk: the compact gVCF, in rule bcftools_mpileup's stream between
# `bcftools annotate` (which drops the annotations nothing downstream reads) and bgzip.
#
#   awk -v bands=5,15 -v gq_bands=20,30,40 -f fold_gvcf.awk
#
# (bands: mpileup's --gvcf depth thresholds; gq_bands: genotype-quality thresholds)
#
# At 30x most of an mpileup gVCF's records are sites where one read shows another base:
# sequencing errors, each breaking a reference block. A site is folded into the reference
# block around it when it is an SNV record (not INDEL, one REF base) where at most
# `max_alt` (default 1) reads show another allele, 0/0 is the most likely genotype
# (PL 0) and its depth lies in a block band (>= the first threshold). Consecutive
# reference records of one contig, one depth band and one GQ band are then joined into one
# block, written as mpileup writes its own: END, MinDP, QS=1,0 and FORMAT PL:DP, each of
# the three PLs (0/0, 0/x, x/x, x any non-reference allele) the lowest over the members
# and DP the lowest depth, so a block never claims more confidence than its weakest site.
# A record's GQ is the lower of its 0/x and x/x PLs; banding by it (GATK's GQ bands, as
# ReblockGVCF and DRAGEN's compact gVCF do) keeps a weak site from lowering the confidence
# of a whole block around it: it stays a block of its own. Everything else (indels, sites with
# two or more reads of another allele, sites below the first band, header lines) passes
# unchanged, in order. One sample per file (a per-sample gVCF). POSIX awk.
BEGIN {
    FS = OFS = "\t"
    if (max_alt == "") max_alt = 1
    n_bands = split(bands, band, ",")
    n_gq = split(gq_bands, gq_band, ",")
    open = 0
}
function band_of(depth,   i, b) {
    b = 0
    for (i = 1; i <= n_bands; i++) if (depth >= band[i] + 0) b++
    return b
}
function gq_band_of(gq,   i, b) {
    b = 0
    for (i = 1; i <= n_gq; i++) if (gq >= gq_band[i] + 0) b++
    return b
}
function format_value(key,   n, k, v, i) {
    n = split($9, k, ":")
    split($10, v, ":")
    for (i = 1; i <= n; i++) if (k[i] == key) return v[i]
    return ""
}
function info_value(key,   n, f, i) {
    n = split($8, f, ";")
    for (i = 1; i <= n; i++) {
        if (f[i] == key) return "1"
        if (index(f[i], key "=") == 1) return substr(f[i], length(key) + 2)
    }
    return ""
}
# the three PL classes of the record into pl0/pl1/pl2; 0 unless 0/0 is the most likely
function block_pl(pl_text,   n, p, alleles, i, j, value) {
    n = split(pl_text, p, ",")
    alleles = 0
    while (alleles * (alleles + 1) / 2 < n) alleles++
    if (alleles * (alleles + 1) / 2 != n || alleles < 2 || p[1] + 0 != 0) return 0
    pl0 = 0; pl1 = -1; pl2 = -1
    # diploid PL order: (0,0), (0,1), (1,1), (0,2), (1,2), (2,2), ...
    for (j = 0; j < alleles; j++) {
        for (i = 0; i <= j; i++) {
            value = p[j * (j + 1) / 2 + i + 1] + 0
            if (i == 0 && j > 0) { if (pl1 < 0 || value < pl1) pl1 = value }
            else if (i > 0) { if (pl2 < 0 || value < pl2) pl2 = value }
        }
    }
    return 1
}
function flush() {
    if (open)
        print b_chrom, b_start, ".", b_ref, "<*>", ".", ".", \
            "END=" b_end ";MinDP=" b_dp ";QS=1,0", "PL:DP", b_pl0 "," b_pl1 "," b_pl2 ":" b_dp
    open = 0
}
/^#/ { print; next }
{
    pos = $2 + 0
    reflike = 0
    end = info_value("END")
    if (end == "" && $5 == "<*>" && info_value("MinDP") != "") end = pos  # a 1-bp block
    if (end != "") {
        # an mpileup block
        if (block_pl(format_value("PL"))) {
            depth = info_value("MinDP")
            if (depth == "") depth = format_value("DP")
            depth += 0; end += 0; reflike = 1
        }
    } else if (info_value("INDEL") == "" && length($4) == 1) {
        ad = format_value("AD"); depth = format_value("DP")
        if (ad != "" && depth != "") {
            n = split(ad, a, ",")
            alt = 0
            for (i = 2; i <= n; i++) if (a[i] != ".") alt += a[i]
            depth += 0
            if (alt <= max_alt + 0 && band_of(depth) > 0 && block_pl(format_value("PL"))) {
                end = pos; reflike = 1
            }
        }
    }
    if (!reflike) { flush(); print; next }
    b = band_of(depth) * 100 + gq_band_of(pl1 < pl2 ? pl1 : pl2)
    if (open && $1 == b_chrom && pos == b_end + 1 && b == b_band) {
        b_end = end
        if (pl1 < b_pl1) b_pl1 = pl1
        if (pl2 < b_pl2) b_pl2 = pl2
        if (depth < b_dp) b_dp = depth
    } else {
        flush()
        open = 1
        b_chrom = $1; b_start = pos; b_end = end; b_ref = substr($4, 1, 1)
        b_pl0 = 0; b_pl1 = pl1; b_pl2 = pl2; b_dp = depth; b_band = b
    }
}
END { flush() }
