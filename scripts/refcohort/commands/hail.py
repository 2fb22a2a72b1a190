"""The hail joint engine (joint.engine: hail): each gated sample's gVCF called once into
the form Hail's combiner reads, the cohort store brought to the gated samples, then per
shard a joint VCF exported from the store and given the bcftools route's normalisation and
soft filters. The Hail steps run scripts/hail_cohort.py with the Hail environment's
Python (params.python)."""

from __future__ import annotations

# The sample's own calls from its compact gVCF, with reference blocks (call -g) and GQ,
# sex-aware; then what Hail's combiner needs (scripts/hail_gvcf.awk: END on every
# reference record, QUAL as INFO/QUALapprox).
BCFTOOLS_CALL_GVCF = (
    "bcftools call --multiallelic-caller --gvcf {params.bands} --annotate GQ {params.ploidy}"
    " --samples-file <(printf '%s\\t%s\\n' {wildcards.sample:q} {params.sex})"
    " -Ov {input.gvcf:q}"
    " | awk -f {params.scripts:q}/hail_gvcf.awk"
    " | bgzip --compress-level 9 -c > {output.gvcf:q}"
    " && tabix -p vcf {output.gvcf:q}"
)
BCFTOOLS_CALL_GVCF_RULE = f"({BCFTOOLS_CALL_GVCF}) 2> {{log:q}}"
_SPARK = (
    " --fai {input.fai:q} {params.par} --chrx {params.chrx:q} --chry {params.chry:q}"
    " --master {resources.spark_master:q} --cores {threads} --memory-mb {resources.mem_mb}"
    " --executor-mb {resources.spark_executor_mb}"
    " --hail-log {log:q}.hail"
)
HAIL_UPDATE_COHORT = (
    "{params.python:q} {params.scripts:q}/hail_cohort.py update --store {params.store:q}"
    " --freeze {output.freeze:q} --header {output.header:q} --gvcfs {input.table:q}"
    " --max-batches {params.max_batches}" + _SPARK
)
HAIL_UPDATE_COHORT_RULE = f"{HAIL_UPDATE_COHORT} 2> {{log:q}}"
HAIL_EXPORT_SHARD = (
    "{params.python:q} {params.scripts:q}/hail_cohort.py export --store {params.store:q}"
    " --freeze {input.freeze:q} --regions {input.regions:q}"
    " --sexes {input.sexes:q} --out {output.vcf:q} --tmp {params.tmp:q}" + _SPARK
)
HAIL_EXPORT_SHARD_RULE = f"{HAIL_EXPORT_SHARD} 2> {{log:q}}"
# as rule bcftools_call_cohort's chain after calling: left-aligned, unused alleles
# dropped, the soft filters
FILTER_HAIL_SHARD = (
    "bcftools norm --fasta-ref {input.fasta:q} -Ou {input.vcf:q}"
    " | bcftools view --trim-alt-alleles -Ou"
    " | bash {params.scripts:q}/soft_filters.sh {params.filters}"
    " | bcftools view -Oz -o {output.vcf:q}"
    " && tabix -p vcf {output.vcf:q}"
)
FILTER_HAIL_SHARD_RULE = f"({FILTER_HAIL_SHARD}) 2> {{log:q}}"
