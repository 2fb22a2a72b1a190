# The bcftools engine (the default): per sample and interval shard the compact
# genotype-likelihood gVCF (`bcftools mpileup -g`, keeping PL, AD, DP and QS, which `call
# -g` blocks would drop; single-read noise folded into reference blocks by
# scripts/fold_gvcf.awk), concatenated into results/gvcf/{sample}.g.vcf.gz; then per shard the
# joint genotyping of the samples that passed the QC gate (`bcftools merge --gvcf` +
# `call -m` with sex-aware ploidy on X/Y), left-alignment, removal of unused alleles and of
# <*>, soft site filters, concatenated into the cohort VCF. Calls are kept only where their
# POS lies in the shard, before left-alignment (reference blocks that start earlier still
# inform the merge; an indel shifted across the shard start is kept and `concat
# --allow-overlaps` puts it in order). The commands are in refcohort.commands.call.


rule bcftools_mpileup:
    """Genotype likelihoods of one sample over one shard, as a gVCF."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        regions="results/reference/intervals/{scatteritem}.bed",
    output:
        gvcf=temp("results/call/shards/{sample}/{scatteritem}.g.vcf.gz"),
        tbi=temp("results/call/shards/{sample}/{scatteritem}.g.vcf.gz.tbi"),
    log:
        "logs/bcftools_mpileup/{sample}.{scatteritem}.log",
    benchmark:
        "logs/benchmarks/bcftools_mpileup/{sample}.{scatteritem}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        **commands.call.mpileup_params(config["calling"]),
        scripts=SCRIPTS,
    shell:
        commands.call.BCFTOOLS_MPILEUP_RULE


rule bcftools_concat_gvcf:
    """Concatenate a sample's shard gVCFs into its deliverable gVCF (+ SHA-256)."""
    input:
        gvcfs=sample_shard_gvcfs,
    output:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        sha256="results/gvcf/{sample}.g.vcf.gz.sha256",
    log:
        "logs/bcftools_concat_gvcf/{sample}.log",
    benchmark:
        "logs/benchmarks/bcftools_concat_gvcf/{sample}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.call.BCFTOOLS_CONCAT_GVCF_RULE


rule bcftools_call_cohort:
    """Jointly genotype the gated samples' gVCFs over one shard, with soft filters."""
    input:
        gvcfs=joint_gvcfs,
        tbis=joint_gvcf_indexes,
        regions="results/reference/intervals/{scatteritem}.bed",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        sexes="results/joint/sample_sexes.txt",
        ploidy=ploidy_input(),
    output:
        # kept (not temp): small, and without them Snakemake cannot tell that the
        # checkpoint-dependent joint calls are up to date, and would redo them
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/bcftools_call_cohort/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/bcftools_call_cohort/{scatteritem}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
    params:
        scripts=SCRIPTS,
        ploidy=ploidy_option(),
        call_extra=tool_extra("joint", "call_extra"),
        filters=commands.call.soft_filter_options(config["joint"]["filters"]),
    shell:
        commands.call.JOINT_CALL_RULE


rule bcftools_concat_cohort:
    """Concatenate the joint shards into the cohort VCF (+ SHA-256), naming the freeze."""
    input:
        vcfs=gather.shard("results/joint/shards/{scatteritem}.vcf.gz"),
        tbis=gather.shard("results/joint/shards/{scatteritem}.vcf.gz.tbi"),
        freeze="results/cohort/freeze.header",
    output:
        vcf="results/joint/cohort.vcf.gz",
        sha256="results/joint/cohort.vcf.gz.sha256",
    log:
        "logs/bcftools_concat_cohort.log",
    benchmark:
        "logs/benchmarks/bcftools_concat_cohort/cohort.tsv"
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
