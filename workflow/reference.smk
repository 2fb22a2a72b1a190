# Reference preparation: an uncompressed copy under results/reference with faidx,
# sequence dictionary and BWA index, then length-balanced interval shards without N gaps.
# Built once; rebuilt only when the configured FASTA changes.


rule stage_reference:
    input:
        fasta=config["reference"]["fasta"],
    output:
        fasta=REFERENCE,
    log:
        "logs/stage_reference.log",
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    shell:
        # bgzipped or gzipped FASTA is decompressed; plain FASTA is copied
        "(if gzip -t {input.fasta:q} 2>/dev/null; then gzip -dc {input.fasta:q}; "
        "else cat {input.fasta:q}; fi > {output.fasta:q}) 2> {log:q}"


rule samtools_faidx:
    input:
        fasta=REFERENCE,
    output:
        fai=f"{REFERENCE}.fai",
    log:
        "logs/samtools_faidx.log",
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "samtools faidx {input.fasta:q} 2> {log:q}"


rule samtools_dict:
    input:
        fasta=REFERENCE,
    output:
        dict="results/reference/genome.dict",
    log:
        "logs/samtools_dict.log",
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        "samtools dict {input.fasta:q} -o {output.dict:q} 2> {log:q}"


rule bwa_index:
    input:
        fasta=REFERENCE,
    output:
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        "logs/bwa_index.log",
    conda:
        "../envs/bwa.yaml"
    container:
        image("bwa")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        "bwa index {input.fasta:q} 2> {log:q}"


rule make_intervals:
    input:
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        scatter.shard("results/reference/intervals/{scatteritem}.bed"),
    log:
        "logs/make_intervals.log",
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        exclude=exclude_contigs_regex(),
    script:
        "../scripts/make_intervals.py"
