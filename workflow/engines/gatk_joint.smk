# GATK joint genotyping (engine gatk, and parabricks with caller haplotypecaller): the
# sample's own calls for the QC metrics (GenotypeGVCFs on its gVCF, in place of
# bcftools_call_sample), then per interval shard GenomicsDBImport of the gVCFs of the
# samples that passed the QC gate and GenotypeGVCFs, then hard filters (VariantFiltration,
# SNPs and indels separately) or VQSR (VariantRecalibrator over all shards, ApplyVQSR per
# shard), merged into results/joint/cohort.vcf.gz. GATK >= 4.6 genotypes sites where
# haploid (male X/Y) and diploid calls meet.


# QC reads results/qc/variants/{sample}.vcf.gz whatever the engine.
ruleorder: gatk_genotypegvcfs_sample > bcftools_call_sample


rule gatk_genotypegvcfs_sample:
    """The sample's own calls from its gVCF (GATK GenotypeGVCFs), for QC."""
    input:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        dict="results/reference/genome.dict",
    output:
        vcf="results/qc/variants/{sample}.vcf.gz",
        tbi="results/qc/variants/{sample}.vcf.gz.tbi",
    log:
        "logs/gatk_genotypegvcfs_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/gatk_genotypegvcfs_sample/{sample}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        java=java_options,
    shell:
        commands.gatk.GATK_GENOTYPEGVCFS_SAMPLE_RULE


rule gatk_genomicsdbimport:
    """Import the gated samples' gVCFs over one shard into GenomicsDB."""
    input:
        gvcfs=joint_gvcfs,
        tbis=joint_gvcf_indexes,
        regions="results/reference/intervals/{scatteritem}.bed",
        dict="results/reference/genome.dict",
    output:
        db=temp(directory("results/joint/genomicsdb/{scatteritem}")),
        sample_map=temp("results/joint/genomicsdb/{scatteritem}.sample_map.tsv"),
    log:
        "logs/gatk_genomicsdbimport/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/gatk_genomicsdbimport/{scatteritem}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        java=java_options,
        batch_size=GATK["genomicsdb_batch_size"],
    shell:
        commands.gatk.GATK_GENOMICSDBIMPORT_RULE


rule gatk_genotypegvcfs:
    """Jointly genotype one shard from GenomicsDB (GATK GenotypeGVCFs)."""
    input:
        db="results/joint/genomicsdb/{scatteritem}",
        regions="results/reference/intervals/{scatteritem}.bed",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        dict="results/reference/genome.dict",
    output:
        # kept (not temp), like bcftools_call's shards: checkpoint-dependent outputs
        vcf="results/joint/genotyped/{scatteritem}.vcf.gz",
        tbi="results/joint/genotyped/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/gatk_genotypegvcfs/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/gatk_genotypegvcfs/{scatteritem}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        java=java_options,
        extra=tool_extra("calling.gatk", "genotypegvcfs_extra"),
    shell:
        commands.gatk.GATK_GENOTYPEGVCFS_RULE


rule gatk_variantfiltration:
    """Hard-filter a joint shard: SNPs and indels apart (GATK)."""
    input:
        vcf="results/joint/genotyped/{scatteritem}.vcf.gz",
        tbi="results/joint/genotyped/{scatteritem}.vcf.gz.tbi",
        fasta=REFERENCE,
        dict="results/reference/genome.dict",
    output:
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/gatk_variantfiltration/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/gatk_variantfiltration/{scatteritem}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        java=java_options,
        prefix=lambda wc, output: output.vcf.removesuffix(".vcf.gz"),
        snp=commands.gatk.hard_filter_options(GATK["hard_filters"]["snp"]),
        indel=commands.gatk.hard_filter_options(GATK["hard_filters"]["indel"]),
    shell:
        commands.gatk.GATK_VARIANTFILTRATION_RULE


rule gatk_variantrecalibrator:
    """VQSR model over all joint shards, for SNPs or indels (GATK)."""
    input:
        vcfs=gather.shard("results/joint/genotyped/{scatteritem}.vcf.gz"),
        tbis=gather.shard("results/joint/genotyped/{scatteritem}.vcf.gz.tbi"),
        resources=lambda wc: vqsr_resource_files(wc.mode),
        fasta=REFERENCE,
        dict="results/reference/genome.dict",
    output:
        recal="results/joint/vqsr/{mode}.recal",
        idx="results/joint/vqsr/{mode}.recal.idx",
        tranches="results/joint/vqsr/{mode}.tranches",
    log:
        "logs/gatk_variantrecalibrator/{mode}.log",
    benchmark:
        "logs/benchmarks/gatk_variantrecalibrator/{mode}.tsv"
    wildcard_constraints:
        mode="snp|indel",
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 16000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        java=java_options,
        vcfs=lambda wc, input: commands.repeated_option("-V", input.vcfs),
        mode=lambda wc: wc.mode.upper(),
        options=lambda wc: commands.gatk.vqsr_options(GATK["vqsr"], wc.mode),
    shell:
        commands.gatk.GATK_VARIANTRECALIBRATOR_RULE


rule gatk_applyvqsr:
    """Apply the indel and SNP VQSR models to one joint shard (GATK)."""
    input:
        vcf="results/joint/genotyped/{scatteritem}.vcf.gz",
        tbi="results/joint/genotyped/{scatteritem}.vcf.gz.tbi",
        snp_recal="results/joint/vqsr/snp.recal",
        snp_idx="results/joint/vqsr/snp.recal.idx",
        snp_tranches="results/joint/vqsr/snp.tranches",
        indel_recal="results/joint/vqsr/indel.recal",
        indel_idx="results/joint/vqsr/indel.recal.idx",
        indel_tranches="results/joint/vqsr/indel.tranches",
    output:
        vcf="results/joint/vqsr/{scatteritem}.vcf.gz",
        tbi="results/joint/vqsr/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/gatk_applyvqsr/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/gatk_applyvqsr/{scatteritem}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        java=java_options,
        indel_level=GATK["vqsr"]["indel_sensitivity"],
        snp_level=GATK["vqsr"]["snp_sensitivity"],
        tmp=lambda wc, output: output.vcf.removesuffix(".vcf.gz") + ".indel.vcf.gz",
    shell:
        commands.gatk.GATK_APPLYVQSR_RULE


rule gatk_mergevcfs_cohort:
    """Merge the filtered joint shards into the cohort VCF (GATK)."""
    input:
        vcfs=gatk_filtered_shards,
        dict="results/reference/genome.dict",
    output:
        vcf="results/joint/cohort.vcf.gz",
        sha256="results/joint/cohort.vcf.gz.sha256",
    log:
        "logs/gatk_mergevcfs_cohort.log",
    benchmark:
        "logs/benchmarks/gatk_mergevcfs_cohort/cohort.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        java=java_options,
        vcfs=lambda wc, input: commands.repeated_option("-I", input.vcfs),
    shell:
        commands.gatk.GATK_MERGEVCFS_COHORT_RULE
