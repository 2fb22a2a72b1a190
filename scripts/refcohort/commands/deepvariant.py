"""DeepVariant engine (and Parabricks with caller deepvariant for the joint part):
DeepVariant per sample, GLnexus joint calling per shard. Only dry-run tested here."""

# A male's X/Y outside the PARs are haploid (DeepVariant >= 1.6): the haploid contigs
# come from results/reference/ploidy/haploid_contigs.txt (input haploid_contigs, given for
# males only: for others the sed reads nothing and prints no option) and the PARs from
# qc.par (params.par).
HAPLOID_CONTIGS = "$(sed 's/^/--haploid_contigs /' {input.haploid_contigs:q} /dev/null)"
DEEPVARIANT_CALL_RULE = (
    "(rm -rf {params.tmp:q} && run_deepvariant --model_type {params.model}"
    " --ref {input.fasta:q} --reads {input.cram:q} --regions {input.regions:q}"
    " --output_vcf {output.vcf:q} --output_gvcf {output.gvcf:q}"
    " --num_shards {threads} --intermediate_results_dir {params.tmp:q}"
    f" {HAPLOID_CONTIGS} {{params.par}} {{params.extra}}"
    " && rm -rf {params.tmp:q} && bash {params.scripts:q}/seal_deliverable.sh {output.gvcf:q})"
    " > {log:q} 2>&1"
)
# non-reference PASS genotypes; the gVCF's <*> allele is trimmed away
BCFTOOLS_VIEW_SAMPLE_RULE = (
    "(bcftools view --apply-filters PASS --include 'GT=\"alt\"' --trim-alt-alleles"
    " -Oz -o {output.vcf:q} {input.vcf:q} && tabix -p vcf {output.vcf:q}) 2> {log:q}"
)
GLNEXUS_CALL_RULE = (
    "(rm -rf {params.db:q} && glnexus_cli --config {params.preset:q}"
    " --bed {input.regions:q} --dir {params.db:q} --threads {threads}"
    " --mem-gbytes {params.gbytes} {params.extra} {input.gvcfs:q} > {output.bcf:q}"
    " && rm -rf {params.db:q}) 2> {log:q}"
)
BCFTOOLS_VIEW_GLNEXUS_RULE = (
    "(bcftools view -Oz -o {output.vcf:q} {input.bcf:q} && tabix -p vcf {output.vcf:q}) 2> {log:q}"
)
