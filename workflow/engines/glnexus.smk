# GLnexus joint genotyping of DeepVariant gVCFs (engine deepvariant, and parabricks with
# caller deepvariant): the sample's own calls for the QC metrics (its PASS non-reference
# calls, in place of bcftools_call_sample), then per interval shard glnexus_cli with the
# DeepVariant preset over the gVCFs of the samples that passed the QC gate, BCF ->
# bgzipped VCF, and the shards concatenated into results/joint/cohort.vcf.gz.


# QC reads results/qc/variants/{sample}.vcf.gz whatever the engine.
ruleorder: bcftools_view_sample > bcftools_call_sample


rule bcftools_view_sample:
    """The sample's own PASS non-reference calls, for the QC metrics."""
    input:
        vcf=sample_calls_vcf,
    output:
        vcf="results/qc/variants/{sample}.vcf.gz",
        tbi="results/qc/variants/{sample}.vcf.gz.tbi",
    log:
        "logs/bcftools_view_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/bcftools_view_sample/{sample}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        commands.deepvariant.BCFTOOLS_VIEW_SAMPLE_RULE


rule glnexus_call:
    """Jointly call the gated samples' gVCFs over one shard with GLnexus."""
    input:
        gvcfs=joint_gvcfs,
        tbis=joint_gvcf_indexes,
        regions="results/reference/intervals/{scatteritem}.bed",
    output:
        bcf=temp("results/joint/glnexus/{scatteritem}.bcf"),
    log:
        "logs/glnexus_call/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/glnexus_call/{scatteritem}.tsv"
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
        commands.deepvariant.GLNEXUS_CALL_RULE


rule bcftools_view_glnexus:
    """GLnexus's BCF of one shard as an indexed VCF."""
    input:
        bcf="results/joint/glnexus/{scatteritem}.bcf",
    output:
        # kept (not temp), like bcftools_call's shards: checkpoint-dependent outputs
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/bcftools_view_glnexus/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/bcftools_view_glnexus/{scatteritem}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        commands.deepvariant.BCFTOOLS_VIEW_GLNEXUS_RULE


rule bcftools_concat_glnexus:
    """Concatenate the GLnexus shards into the cohort VCF (+ SHA-256), naming the freeze."""
    input:
        vcfs=gather.shard("results/joint/shards/{scatteritem}.vcf.gz"),
        tbis=gather.shard("results/joint/shards/{scatteritem}.vcf.gz.tbi"),
        freeze="results/cohort/freeze.header",
    output:
        vcf="results/joint/cohort.vcf.gz",
        sha256="results/joint/cohort.vcf.gz.sha256",
    log:
        "logs/bcftools_concat_glnexus.log",
    benchmark:
        "logs/benchmarks/bcftools_concat_glnexus/cohort.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.call.CONCAT_COHORT_RULE
