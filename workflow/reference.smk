# Reference preparation: an uncompressed copy under results/reference with faidx,
# sequence dictionary and BWA index, then length-balanced interval shards without N gaps.
# Built once; rebuilt only when the configured FASTA's content changes (its SHA-256, not
# its path or modification time: stage_reference's params).


rule stage_reference:
    """Copy the configured FASTA (bgzipped, gzipped or plain) to results/reference."""
    output:
        fasta=REFERENCE,
    log:
        "logs/stage_reference.log",
    benchmark:
        "logs/benchmarks/stage_reference/genome.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=60,
    params:
        source=Path(config["reference"]["fasta"]),
        fingerprint=REFERENCE_FINGERPRINT,
    shell:
        commands.reference.STAGE_REFERENCE


rule samtools_faidx:
    """Index the staged reference (.fai)."""
    input:
        fasta=REFERENCE,
    output:
        fai=f"{REFERENCE}.fai",
    log:
        "logs/samtools_faidx.log",
    benchmark:
        "logs/benchmarks/samtools_faidx/genome.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        commands.reference.SAMTOOLS_FAIDX


rule samtools_dict:
    """Write the reference's sequence dictionary (.dict, for GATK and Picard tools)."""
    input:
        fasta=REFERENCE,
    output:
        dict="results/reference/genome.dict",
    log:
        "logs/samtools_dict.log",
    benchmark:
        "logs/benchmarks/samtools_dict/genome.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        commands.reference.SAMTOOLS_DICT


rule bwa_index:
    """Build the BWA index of the staged reference."""
    input:
        fasta=REFERENCE,
    output:
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    log:
        "logs/bwa_index.log",
    benchmark:
        "logs/benchmarks/bwa_index/genome.tsv"
    conda:
        "../envs/bwa.yaml"
    container:
        image("bwa")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        commands.reference.BWA_INDEX


rule make_intervals:
    """Cut the reference's N-free sequence into length-balanced calling shards."""
    input:
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        scatter.shard("results/reference/intervals/{scatteritem}.bed"),
    log:
        "logs/make_intervals.log",
    benchmark:
        "logs/benchmarks/make_intervals/genome.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        exclude=config["reference"]["exclude_contigs"],
    script:
        "../scripts/make_intervals.py"
