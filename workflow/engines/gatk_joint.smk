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
        "benchmarks/gatk_genotypegvcfs_sample/{sample}.tsv"
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
        "gatk --java-options {params.java:q} GenotypeGVCFs -R {input.fasta:q}"
        " -V {input.gvcf:q} --tmp-dir {resources.tmpdir:q} -O {output.vcf:q} 2> {log:q}"


rule gatk_genomicsdbimport:
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
        "benchmarks/gatk_genomicsdbimport/{scatteritem}.tsv"
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
        # sample names from the gVCF file names (sample IDs are shell-safe by schema)
        '(for f in {input.gvcfs:q}; do printf \'%s\\t%s\\n\' "$(basename "$f" .g.vcf.gz)" "$f";'
        " done > {output.sample_map:q}"
        " && gatk --java-options {params.java:q} GenomicsDBImport"
        " --genomicsdb-workspace-path {output.db:q} --sample-name-map {output.sample_map:q}"
        " -L {input.regions:q} --merge-input-intervals"
        " --genomicsdb-shared-posixfs-optimizations --bypass-feature-reader"
        " --batch-size {params.batch_size} --reader-threads {threads}"
        " --tmp-dir {resources.tmpdir:q}) 2> {log:q}"


rule gatk_genotypegvcfs:
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
        "benchmarks/gatk_genotypegvcfs/{scatteritem}.tsv"
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
        # calls are kept only where they start in the shard: none twice at its edges
        "gatk --java-options {params.java:q} GenotypeGVCFs -R {input.fasta:q}"
        " -V gendb://{input.db:q} -L {input.regions:q} --merge-input-intervals"
        " --only-output-calls-starting-in-intervals -G StandardAnnotation"
        " --tmp-dir {resources.tmpdir:q} {params.extra} -O {output.vcf:q} 2> {log:q}"


rule gatk_variantfiltration:
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
        "benchmarks/gatk_variantfiltration/{scatteritem}.tsv"
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
        snp=hard_filter_options("snp"),
        indel=hard_filter_options("indel"),
    shell:
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


rule gatk_variantrecalibrator:
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
        "benchmarks/gatk_variantrecalibrator/{mode}.tsv"
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
        vcfs=lambda wc, input: repeated_option("-V", input.vcfs),
        mode=lambda wc: wc.mode.upper(),
        options=lambda wc: vqsr_options(wc.mode),
    shell:
        "gatk --java-options {params.java:q} VariantRecalibrator -R {input.fasta:q}"
        " {params.vcfs} -mode {params.mode} {params.options} --trust-all-polymorphic"
        " --tmp-dir {resources.tmpdir:q} --tranches-file {output.tranches:q}"
        " -O {output.recal:q} 2> {log:q}"


rule gatk_applyvqsr:
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
        "benchmarks/gatk_applyvqsr/{scatteritem}.tsv"
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
        "(gatk --java-options {params.java:q} ApplyVQSR -V {input.vcf:q} -mode INDEL"
        " --recal-file {input.indel_recal:q} --tranches-file {input.indel_tranches:q}"
        " --truth-sensitivity-filter-level {params.indel_level} -O {params.tmp:q}"
        " && gatk --java-options {params.java:q} ApplyVQSR -V {params.tmp:q} -mode SNP"
        " --recal-file {input.snp_recal:q} --tranches-file {input.snp_tranches:q}"
        " --truth-sensitivity-filter-level {params.snp_level} -O {output.vcf:q}"
        " && rm -f {params.tmp:q} {params.tmp:q}.tbi) 2> {log:q}"


rule gatk_mergevcfs_cohort:
    input:
        vcfs=gatk_filtered_shards,
        dict="results/reference/genome.dict",
    output:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        md5="results/joint/cohort.vcf.gz.md5",
    log:
        "logs/gatk_mergevcfs_cohort.log",
    benchmark:
        "benchmarks/gatk_mergevcfs_cohort/cohort.tsv"
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
        vcfs=lambda wc, input: repeated_option("-I", input.vcfs),
    shell:
        "(gatk --java-options {params.java:q} MergeVcfs {params.vcfs} --CREATE_INDEX true -D {input.dict:q}"
        " -O {output.vcf:q} && md5sum {output.vcf:q} > {output.md5:q}) 2> {log:q}"
