# The gatk engine, per sample: base quality score recalibration (BaseRecalibrator on the
# duplicate-marked CRAM with calling.gatk.known_sites, ApplyBQSR per interval shard; both
# skipped when known_sites is empty) and HaplotypeCaller -ERC GVCF per shard and ploidy
# pass (a male's X/Y outside the PARs with --sample-ploidy 1, everything else with 2).
# The passes are gathered into results/gvcf/{sample}.g.vcf.gz by gatk_mergevcfs_gvcf
# (ploidy.smk); joint genotyping is gatk_joint.smk.


rule gatk_baserecalibrator:
    """BQSR recalibration table of a sample (GATK BaseRecalibrator)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        dict="results/reference/genome.dict",
        known=known_sites(),
        known_tbi=known_sites_indexes(),
    output:
        table="results/call/bqsr/{sample}.recal.table",
    log:
        "logs/gatk_baserecalibrator/{sample}.log",
    benchmark:
        "logs/benchmarks/gatk_baserecalibrator/{sample}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
    params:
        java=java_options,
        known=commands.repeated_option("--known-sites", known_sites()),
    shell:
        commands.gatk.GATK_BASERECALIBRATOR_RULE


rule gatk_applybqsr:
    """A sample's recalibrated reads over one shard (GATK ApplyBQSR)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        table="results/call/bqsr/{sample}.recal.table",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        dict="results/reference/genome.dict",
        regions="results/reference/intervals/{scatteritem}.bed",
    output:
        bam=temp("results/call/bqsr/{sample}/{scatteritem}.bam"),
        bai=temp("results/call/bqsr/{sample}/{scatteritem}.bai"),
    log:
        "logs/gatk_applybqsr/{sample}.{scatteritem}.log",
    benchmark:
        "logs/benchmarks/gatk_applybqsr/{sample}.{scatteritem}.tsv"
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
        commands.gatk.GATK_APPLYBQSR_RULE


rule gatk_haplotypecaller:
    """GATK HaplotypeCaller gVCF of a sample, shard and ploidy pass."""
    input:
        unpack(gatk_reads),
        regions=ploidy_bed,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        dict="results/reference/genome.dict",
    output:
        gvcf=temp("results/call/gatk/{sample}/{scatteritem}.{ploidy}.g.vcf.gz"),
        tbi=temp("results/call/gatk/{sample}/{scatteritem}.{ploidy}.g.vcf.gz.tbi"),
    log:
        "logs/gatk_haplotypecaller/{sample}.{scatteritem}.{ploidy}.log",
    benchmark:
        "logs/benchmarks/gatk_haplotypecaller/{sample}.{scatteritem}.{ploidy}.tsv"
    wildcard_constraints:
        ploidy="diploid|haploid",
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        java=java_options,
        ploidy=lambda wc: SAMPLE_PLOIDY[wc.ploidy],
        extra=tool_extra("calling.gatk", "haplotypecaller_extra"),
    shell:
        commands.gatk.GATK_HAPLOTYPECALLER_RULE
