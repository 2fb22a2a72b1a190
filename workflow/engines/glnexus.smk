# GLnexus joint genotyping of DeepVariant gVCFs (engine deepvariant, and parabricks with
# caller deepvariant): the sample's own calls for the QC metrics (its PASS non-reference
# calls, in place of bcftools_call_sample), then per interval shard glnexus_cli with the
# DeepVariant preset over the gVCFs of the samples that passed the QC gate, BCF ->
# bgzipped VCF, and the shards concatenated into results/joint/cohort.vcf.gz.


# QC reads results/qc/variants/{sample}.vcf.gz whatever the engine.
ruleorder: bcftools_view_sample > bcftools_call_sample


rule bcftools_view_sample:
    input:
        vcf=sample_calls_vcf,
    output:
        vcf="results/qc/variants/{sample}.vcf.gz",
        tbi="results/qc/variants/{sample}.vcf.gz.tbi",
    log:
        "logs/bcftools_view_sample/{sample}.log",
    benchmark:
        "benchmarks/bcftools_view_sample/{sample}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        # non-reference PASS genotypes; the gVCF's <*> allele is trimmed away
        "(bcftools view --apply-filters PASS --include 'GT=\"alt\"' --trim-alt-alleles"
        " -Oz -o {output.vcf:q} {input.vcf:q} && tabix -p vcf {output.vcf:q}) 2> {log:q}"


rule glnexus_call:
    input:
        gvcfs=joint_gvcfs,
        tbis=joint_gvcf_indexes,
        regions="results/reference/intervals/{scatteritem}.bed",
    output:
        bcf=temp("results/joint/glnexus/{scatteritem}.bcf"),
    log:
        "logs/glnexus_call/{scatteritem}.log",
    benchmark:
        "benchmarks/glnexus_call/{scatteritem}.tsv"
    conda:
        "../../envs/glnexus.yaml"
    container:
        image("glnexus")
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 16000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        preset=config["calling"]["glnexus"]["config"],
        extra=tool_extra("calling.glnexus"),
        db=lambda wc: f"results/joint/glnexus/{wc.scatteritem}.DB",
        gbytes=lambda wc, resources: max(1, int(resources.mem_mb * 0.8 / 1024)),
    shell:
        "(rm -rf {params.db:q} && glnexus_cli --config {params.preset:q}"
        " --bed {input.regions:q} --dir {params.db:q} --threads {threads}"
        " --mem-gbytes {params.gbytes} {params.extra} {input.gvcfs:q} > {output.bcf:q}"
        " && rm -rf {params.db:q}) 2> {log:q}"


rule bcftools_view_glnexus:
    input:
        bcf="results/joint/glnexus/{scatteritem}.bcf",
    output:
        # kept (not temp), like bcftools_call's shards: checkpoint-dependent outputs
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/bcftools_view_glnexus/{scatteritem}.log",
    benchmark:
        "benchmarks/bcftools_view_glnexus/{scatteritem}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        "(bcftools view -Oz -o {output.vcf:q} {input.bcf:q}"
        " && tabix -p vcf {output.vcf:q}) 2> {log:q}"


rule bcftools_concat_glnexus:
    input:
        vcfs=gather.shard("results/joint/shards/{scatteritem}.vcf.gz"),
        tbis=gather.shard("results/joint/shards/{scatteritem}.vcf.gz.tbi"),
    output:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        md5="results/joint/cohort.vcf.gz.md5",
    log:
        "logs/bcftools_concat_glnexus.log",
    benchmark:
        "benchmarks/bcftools_concat_glnexus/cohort.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        "(bcftools concat --allow-overlaps -Oz -o {output.vcf:q} {input.vcfs:q}"
        " && tabix -p vcf {output.vcf:q}"
        " && md5sum {output.vcf:q} > {output.md5:q}) 2> {log:q}"
