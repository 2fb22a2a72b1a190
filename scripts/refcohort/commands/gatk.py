"""GATK engine (and Parabricks with caller haplotypecaller for the joint part): BQSR,
HaplotypeCaller per shard and ploidy pass, GenomicsDBImport + GenotypeGVCFs per shard,
hard filters or VQSR, merges. Only dry-run tested here (no GATK in CI)."""

from __future__ import annotations

import shlex

from . import repeated_option

# GATK's WARP joint-genotyping tranches
VQSR_TRANCHES = {
    "snp": [100.0, 99.95, 99.9, 99.8, 99.6, 99.5, 99.4, 99.3, 99.0, 98.0, 97.0, 90.0],
    "indel": [100.0, 99.95, 99.9, 99.5, 99.0, 97.0, 96.0, 95.0, 94.0, 93.5, 93.0, 92.0, 91.0, 90.0],
}


def java_options(mem_mb: int) -> str:
    """JVM heap a little below the job's memory."""
    return f"-Xmx{int(mem_mb * 0.8)}m"


def hard_filter_options(filters: list[dict]) -> str:
    """`--filter-name N --filter-expression E` per configured SNP or indel filter."""
    return " ".join(
        f"--filter-name {shlex.quote(f['name'])} --filter-expression {shlex.quote(f['expression'])}"
        for f in filters
    )


def vqsr_options(vqsr: dict, mode: str) -> str:
    """VariantRecalibrator resources, annotations, Gaussians and tranches for snp/indel
    (config calling.gatk.vqsr)."""

    def flag(value) -> str:
        return "true" if value else "false"

    resources = [
        f"--resource:{r['name']},known={flag(r.get('known'))},training={flag(r.get('training'))},"
        f"truth={flag(r.get('truth'))},prior={float(r['prior'])} {shlex.quote(r['vcf'])}"
        for r in vqsr[f"{mode}_resources"]
    ]
    return " ".join(
        [
            *resources,
            repeated_option("-an", vqsr[f"{mode}_annotations"]),
            f"--max-gaussians {vqsr[f'{mode}_max_gaussians']}",
            repeated_option("-tranche", VQSR_TRANCHES[mode]),
        ]
    )


# gatk_baserecalibrator
GATK_BASERECALIBRATOR_RULE = (
    "gatk --java-options {params.java:q} BaseRecalibrator -R {input.fasta:q}"
    " -I {input.cram:q} {params.known} --tmp-dir {resources.tmpdir:q}"
    " -O {output.table:q} 2> {log:q}"
)

# gatk_applybqsr
GATK_APPLYBQSR_RULE = (
    # reads 100 bp around the shard, for HaplotypeCaller's assembly at its edges;
    # qualities binned to 10/20/30 as in GATK's production pipeline
    "gatk --java-options {params.java:q} ApplyBQSR -R {input.fasta:q} -I {input.cram:q}"
    " -L {input.regions:q} --interval-padding 100 --bqsr-recal-file {input.table:q}"
    " --static-quantized-quals 10 --static-quantized-quals 20 --static-quantized-quals 30"
    " --tmp-dir {resources.tmpdir:q} -O {output.bam:q} 2> {log:q}"
)

# gatk_haplotypecaller
GATK_HAPLOTYPECALLER_RULE = (
    # a pass with no regions in this shard writes an empty placeholder (skipped by
    # the gather)
    "(if [ -s {input.regions:q} ]; then"
    " gatk --java-options {params.java:q} HaplotypeCaller -R {input.fasta:q}"
    " -I {input.reads:q} -L {input.regions:q} --sample-ploidy {params.ploidy}"
    " -ERC GVCF -G StandardAnnotation -G StandardHCAnnotation"
    " --native-pair-hmm-threads {threads} --tmp-dir {resources.tmpdir:q}"
    " {params.extra} -O {output.gvcf:q};"
    " else : > {output.gvcf:q}; : > {output.tbi:q}; fi) 2> {log:q}"
)

# gatk_genotypegvcfs_sample
GATK_GENOTYPEGVCFS_SAMPLE_RULE = (
    "gatk --java-options {params.java:q} GenotypeGVCFs -R {input.fasta:q}"
    " -V {input.gvcf:q} --tmp-dir {resources.tmpdir:q} -O {output.vcf:q} 2> {log:q}"
)

# gatk_genomicsdbimport
GATK_GENOMICSDBIMPORT_RULE = (
    # sample names from the gVCF file names (sample IDs are shell-safe by schema)
    '(for f in {input.gvcfs:q}; do printf \'%s\\t%s\\n\' "$(basename "$f" .g.vcf.gz)" "$f";'
    " done > {output.sample_map:q}"
    " && gatk --java-options {params.java:q} GenomicsDBImport"
    " --genomicsdb-workspace-path {output.db:q} --sample-name-map {output.sample_map:q}"
    " -L {input.regions:q} --merge-input-intervals"
    " --genomicsdb-shared-posixfs-optimizations --bypass-feature-reader"
    " --batch-size {params.batch_size} --reader-threads {threads}"
    " --tmp-dir {resources.tmpdir:q}) 2> {log:q}"
)

# gatk_genotypegvcfs
GATK_GENOTYPEGVCFS_RULE = (
    # calls are kept only where they start in the shard: none twice at its edges
    "gatk --java-options {params.java:q} GenotypeGVCFs -R {input.fasta:q}"
    " -V gendb://{input.db:q} -L {input.regions:q} --merge-input-intervals"
    " --only-output-calls-starting-in-intervals -G StandardAnnotation"
    " --tmp-dir {resources.tmpdir:q} {params.extra} -O {output.vcf:q} 2> {log:q}"
)

# gatk_variantfiltration
GATK_VARIANTFILTRATION_RULE = (
    # GATK's hard-filtering recipe: SNPs and everything else (indels, mixed) apart
    "(gatk --java-options {params.java:q} SelectVariants -R {input.fasta:q}"
    " -V {input.vcf:q} --select-type-to-include SNP -O {params.prefix:q}.snp.vcf.gz"
    " && gatk --java-options {params.java:q} VariantFiltration -R {input.fasta:q}"
    " -V {params.prefix:q}.snp.vcf.gz {params.snp} -O {params.prefix:q}.snp.filtered.vcf.gz"
    " && gatk --java-options {params.java:q} SelectVariants -R {input.fasta:q}"
    " -V {input.vcf:q} --select-type-to-exclude SNP -O {params.prefix:q}.indel.vcf.gz"
    " && gatk --java-options {params.java:q} VariantFiltration -R {input.fasta:q}"
    " -V {params.prefix:q}.indel.vcf.gz {params.indel} -O {params.prefix:q}.indel.filtered.vcf.gz"
    " && gatk --java-options {params.java:q} MergeVcfs --CREATE_INDEX true -D {input.dict:q}"
    " -I {params.prefix:q}.snp.filtered.vcf.gz -I {params.prefix:q}.indel.filtered.vcf.gz"
    " -O {output.vcf:q}"
    " && rm -f {params.prefix:q}.snp.* {params.prefix:q}.indel.*) 2> {log:q}"
)

# gatk_variantrecalibrator
GATK_VARIANTRECALIBRATOR_RULE = (
    "gatk --java-options {params.java:q} VariantRecalibrator -R {input.fasta:q}"
    " {params.vcfs} -mode {params.mode} {params.options} --trust-all-polymorphic"
    " --tmp-dir {resources.tmpdir:q} --tranches-file {output.tranches:q}"
    " -O {output.recal:q} 2> {log:q}"
)

# gatk_applyvqsr
GATK_APPLYVQSR_RULE = (
    "(gatk --java-options {params.java:q} ApplyVQSR -V {input.vcf:q} -mode INDEL"
    " --recal-file {input.indel_recal:q} --tranches-file {input.indel_tranches:q}"
    " --truth-sensitivity-filter-level {params.indel_level} -O {params.tmp:q}"
    " && gatk --java-options {params.java:q} ApplyVQSR -V {params.tmp:q} -mode SNP"
    " --recal-file {input.snp_recal:q} --tranches-file {input.snp_tranches:q}"
    " --truth-sensitivity-filter-level {params.snp_level} -O {output.vcf:q}"
    " && rm -f {params.tmp:q} {params.tmp:q}.tbi) 2> {log:q}"
)

# gatk_mergevcfs_cohort
GATK_MERGEVCFS_COHORT_RULE = (
    "(gatk --java-options {params.java:q} MergeVcfs {params.vcfs} --CREATE_INDEX true"
    " -D {input.dict:q} -O {output.vcf:q}"
    " && bash {params.scripts:q}/seal_deliverable.sh {output.vcf:q}) 2> {log:q}"
)

# gatk_mergevcfs_gvcf
GATK_MERGEVCFS_GVCF_RULE = (
    # a pass with no regions in a shard (a male's haploid pass where the shard holds
    # no X/Y) leaves an empty placeholder, which is skipped
    '(parts=(); for f in {input.parts:q}; do [ -s "$f" ] && parts+=(-I "$f"); done;'
    ' gatk --java-options {params.java:q} MergeVcfs "${{parts[@]}}" --CREATE_INDEX true'
    " -D {input.dict:q} -O {output.gvcf:q}"
    " && bash {params.scripts:q}/seal_deliverable.sh {output.gvcf:q}) 2> {log:q}"
)
