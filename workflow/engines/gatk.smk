# The gatk engine, per sample: base quality score recalibration (BaseRecalibrator on the
# duplicate-marked CRAM with calling.gatk.known_sites, ApplyBQSR per interval shard; both
# skipped when known_sites is empty) and HaplotypeCaller -ERC GVCF per shard and ploidy
# pass (a male's X/Y outside the PARs with --sample-ploidy 1, everything else with 2).
# The passes are gathered into results/gvcf/{sample}.g.vcf.gz by gatk_mergevcfs_gvcf
# (ploidy.smk); joint genotyping is gatk_joint.smk.


rule gatk_baserecalibrator:
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
        "benchmarks/gatk_baserecalibrator/{sample}.tsv"
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
        known=repeated_option("--known-sites", known_sites()),
    shell:
        "gatk --java-options {params.java:q} BaseRecalibrator -R {input.fasta:q}"
        " -I {input.cram:q} {params.known} --tmp-dir {resources.tmpdir:q}"
        " -O {output.table:q} 2> {log:q}"


rule gatk_applybqsr:
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
        "benchmarks/gatk_applybqsr/{sample}.{scatteritem}.tsv"
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
        # reads 100 bp around the shard, for HaplotypeCaller's assembly at its edges;
        # qualities binned to 10/20/30 as in GATK's production pipeline
        "gatk --java-options {params.java:q} ApplyBQSR -R {input.fasta:q} -I {input.cram:q}"
        " -L {input.regions:q} --interval-padding 100 --bqsr-recal-file {input.table:q}"
        " --static-quantized-quals 10 --static-quantized-quals 20 --static-quantized-quals 30"
        " --tmp-dir {resources.tmpdir:q} -O {output.bam:q} 2> {log:q}"


rule gatk_haplotypecaller:
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
        "benchmarks/gatk_haplotypecaller/{sample}.{scatteritem}.{ploidy}.tsv"
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
        # a pass with no regions in this shard writes an empty placeholder (skipped by
        # the gather)
        "(if [ -s {input.regions:q} ]; then"
        " gatk --java-options {params.java:q} HaplotypeCaller -R {input.fasta:q}"
        " -I {input.reads:q} -L {input.regions:q} --sample-ploidy {params.ploidy}"
        " -ERC GVCF -G StandardAnnotation -G StandardHCAnnotation"
        " --native-pair-hmm-threads {threads} --tmp-dir {resources.tmpdir:q}"
        " {params.extra} -O {output.gvcf:q};"
        " else : > {output.gvcf:q}; : > {output.tbi:q}; fi) 2> {log:q}"
