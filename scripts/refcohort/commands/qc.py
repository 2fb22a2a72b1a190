"""Sample and cohort QC: samtools stats, mosdepth over the QC regions, the sample's own
calls and their bcftools stats, the cohort's bcftools stats.

samtools stats and bcftools stats exit 0 after a failed write (measured with the disk
full, docs/reliability.md): their output goes through ``cat``, which fails on a short
write, and is checked complete afterwards (scripts/check_output.sh), as are mosdepth's.
"""

from .align import HTS_LOG_CHECK

CHECK = "bash {params.scripts:q}/check_output.sh"

MOSDEPTH_THRESHOLDS = ",".join(str(d) for d in range(1, 251))  # GA4GH: depth capped at 250

# the bare commands write to stdout; the rules' through `cat`, the benchmarks' with `>`
SAMTOOLS_STATS = "samtools stats --threads {threads} --reference {input.fasta:q} {input.cram:q}"
SAMTOOLS_STATS_RULE = (
    f"({SAMTOOLS_STATS} | cat > {{output.stats:q}}"
    f" && {CHECK} samtools-stats {{output.stats:q}}) 2> {{log:q}}" + HTS_LOG_CHECK
)
# GA4GH: primary, non-duplicate reads (exclude unmapped, secondary, QC-fail, duplicate,
# supplementary = 3844); depth counted up to 250
MOSDEPTH = (
    "mosdepth --threads {threads} --no-per-base --by {input.regions:q}"
    " --mapq {params.min_mapq} --flag 3844 --thresholds {params.thresholds}"
    " --fasta {input.fasta:q} {params.prefix:q} {input.cram:q}"
)
MOSDEPTH_RULE = (
    f"({MOSDEPTH} && {CHECK} mosdepth {{output.summary:q}}"
    f" && {CHECK} text {{output.dist:q}} {{output.region_dist:q}}"
    f" && {CHECK} bgzf {{output.thresholds:q}}) 2> {{log:q}}" + HTS_LOG_CHECK
)
CALL_SAMPLE = (
    "bcftools call --multiallelic-caller --variants-only {params.ploidy}"
    " --samples-file <(printf '%s\\t%s\\n' {wildcards.sample:q} {params.sex})"
    " -Oz -o {output.vcf:q} {input.gvcf:q} && tabix -p vcf {output.vcf:q}"
)
CALL_SAMPLE_RULE = f"({CALL_SAMPLE}) 2> {{log:q}}" + HTS_LOG_CHECK
STATS_SNPS = (
    "bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"snp\"' -T {input.autosomes:q}"
    " -Ou {input.vcf:q} | bcftools stats -s -"
)
STATS_INDELS = (
    "bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"indel\"' -T {input.autosomes:q}"
    " -Ou {input.vcf:q} | bcftools stats -s -"
)
STATS_SAMPLE_RULE = (
    f"({STATS_SNPS} | cat > {{output.snps:q}} && {STATS_INDELS} | cat > {{output.indels:q}}"
    f" && {CHECK} bcftools-stats {{output.snps:q}} {{output.indels:q}}) 2> {{log:q}}"
    + HTS_LOG_CHECK
)
STATS_COHORT = "bcftools stats --samples - --fasta-ref {input.fasta:q} {input.vcf:q}"
STATS_COHORT_RULE = (
    f"({STATS_COHORT} | cat > {{output.stats:q}} && {CHECK} bcftools-stats {{output.stats:q}})"
    " 2> {log:q}" + HTS_LOG_CHECK
)

# KING-robust kinship with plink2 (rule plink2_king, scripts/king_table.sh): the same
# estimator as refcohort.qc.kinship (docs/benchmarks.md#cohort-structure), faster.
KING_CUT = 0.0442  # third degree or closer: the pairs relatedness.tsv lists
KING_ALL_PAIRS_UP_TO = 64  # samples: 2,016 pairs, about the report's 2,000-pair plot


def king_site_options(min_qual: float, min_site_call_rate: float, min_maf: float) -> str:
    """plink2 filters of the relatedness sites: the PCA's (PASS, QUAL, biallelic A/C/G/T
    SNVs, site call rate) and the minor-allele frequency among the joint-called samples."""
    from .structure import site_options

    return f"{site_options(min_qual, min_site_call_rate)} --maf {min_maf:g}"


def king_pair_filter(n_samples: int) -> str:
    """Every pair for the report's plot in a cohort of up to 64 samples; beyond, only the
    pairs third-degree or closer (a table of all pairs grows with the square)."""
    return "" if n_samples <= KING_ALL_PAIRS_UP_TO else f"--king-table-filter {KING_CUT}"


KING = (
    "bash {params.scripts:q}/king_table.sh {input.vcf:q} {input.autosomes:q} {params.prefix:q}"
    " {threads} {resources.mem_mb} {params.sites:q} {params.pairs:q}"
)
KING_RULE = f"({KING}) > {{log:q}} 2>&1"
