# QC inputs per sample (samtools stats, mosdepth, duplicate-marking stats from align.smk,
# fastp reports) and for the cohort (bcftools stats per sample on the joint VCF).


rule samtools_stats:
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
    output:
        stats="results/qc/samtools_stats/{sample}.stats.txt",
    log:
        "logs/samtools_stats/{sample}.log",
    benchmark:
        "benchmarks/samtools_stats/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        "samtools stats --threads {threads} --reference {input.fasta:q} {input.cram:q}"
        " > {output.stats:q} 2> {log:q}"


rule mosdepth:
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
    output:
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        dist="results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
        regions="results/qc/mosdepth/{sample}.regions.bed.gz",
    log:
        "logs/mosdepth/{sample}.log",
    benchmark:
        "benchmarks/mosdepth/{sample}.tsv"
    conda:
        "../envs/mosdepth.yaml"
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        prefix=lambda wc, output: output.summary.removesuffix(".mosdepth.summary.txt"),
        window=config["qc"]["coverage_window"],
        min_mapq=config["qc"]["min_mapq"],
    shell:
        "mosdepth --threads {threads} --no-per-base --by {params.window}"
        " --mapq {params.min_mapq} --fasta {input.fasta:q} {params.prefix:q} {input.cram:q}"
        " 2> {log:q}"


rule bcftools_stats:
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
    output:
        stats="results/qc/bcftools_stats/cohort.stats.txt",
    log:
        "logs/bcftools_stats.log",
    benchmark:
        "benchmarks/bcftools_stats.tsv"
    conda:
        "../envs/bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        "bcftools stats --samples - --fasta-ref {input.fasta:q} {input.vcf:q}"
        " > {output.stats:q} 2> {log:q}"
