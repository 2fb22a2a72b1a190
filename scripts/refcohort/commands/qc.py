"""Sample and cohort QC: samtools stats, mosdepth over the QC regions, the sample's own
calls and their bcftools stats, the cohort's bcftools stats."""

MOSDEPTH_THRESHOLDS = ",".join(str(d) for d in range(1, 251))  # GA4GH: depth capped at 250

SAMTOOLS_STATS = (
    "samtools stats --threads {threads} --reference {input.fasta:q} {input.cram:q}"
    " > {output.stats:q}"
)
SAMTOOLS_STATS_RULE = f"{SAMTOOLS_STATS} 2> {{log:q}}"
# GA4GH: primary, non-duplicate reads (exclude unmapped, secondary, QC-fail, duplicate,
# supplementary = 3844); depth counted up to 250
MOSDEPTH = (
    "mosdepth --threads {threads} --no-per-base --by {input.regions:q}"
    " --mapq {params.min_mapq} --flag 3844 --thresholds {params.thresholds}"
    " --fasta {input.fasta:q} {params.prefix:q} {input.cram:q}"
)
MOSDEPTH_RULE = f"{MOSDEPTH} 2> {{log:q}}"
CALL_SAMPLE = (
    "bcftools call --multiallelic-caller --variants-only {params.ploidy}"
    " --samples-file <(printf '%s\\t%s\\n' {wildcards.sample:q} {params.sex})"
    " -Oz -o {output.vcf:q} {input.gvcf:q} && tabix -p vcf {output.vcf:q}"
)
CALL_SAMPLE_RULE = f"({CALL_SAMPLE}) 2> {{log:q}}"
STATS_SAMPLE = (
    "bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"snp\"' -T {input.autosomes:q}"
    " -Ou {input.vcf:q} | bcftools stats -s - > {output.snps:q}"
    " && bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"indel\"' -T {input.autosomes:q}"
    " -Ou {input.vcf:q} | bcftools stats -s - > {output.indels:q}"
)
STATS_SAMPLE_RULE = f"({STATS_SAMPLE}) 2> {{log:q}}"
STATS_COHORT = (
    "bcftools stats --samples - --fasta-ref {input.fasta:q} {input.vcf:q} > {output.stats:q}"
)
STATS_COHORT_RULE = f"{STATS_COHORT} 2> {{log:q}}"
