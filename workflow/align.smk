# Per unit: fastp trimming streamed into BWA-MEM (CCDG settings -K 100000000 -Y) and
# samtools fixmate/sort; per sample: merge units, mark duplicates across lanes
# (supplementary reads included, optical ones tagged), write the CRAM and its SHA-256
# (its index and MD5: workflow/integrity.smk).
# A unit may instead be a CRAM/BAM/uBAM from elsewhere (bwa_mem_realign): its reads are
# turned back into pairs and realigned with the same bwa settings, keeping the file's read
# groups and @PG chain (refcohort.realign; docs/external-inputs.md). The commands are in
# refcohort.commands.align.


rule bwa_mem:
    """Trim a FASTQ unit with fastp and align it with BWA-MEM into a sorted BAM."""
    input:
        unpack(unit_fastqs),
        fasta=REFERENCE,
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    output:
        bam=temp("results/align/units/{sample}/{unit}.bam"),
        fastp_json="results/qc/fastp/{sample}.{unit}.fastp.json",
        fastp_html="results/qc/fastp/{sample}.{unit}.fastp.html",
    log:
        "logs/bwa_mem/{sample}.{unit}.log",
    benchmark:
        "logs/benchmarks/bwa_mem/{sample}.{unit}.tsv"
    conda:
        "../envs/align.yaml"
    container:
        image("align")
    threads: 8
    resources:
        mem_mb=lambda wc, attempt: 12000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        scripts=SCRIPTS,
        read_groups=read_group,
        fastp_extra=tool_extra("trimming", "fastp_extra"),
        bwa_extra=tool_extra("alignment", "bwa_extra"),
        sort_mem="768M",
    shell:
        commands.align.BWA_MEM_RULE


rule bwa_mem_realign:
    """Turn a CRAM/BAM/uBAM unit back into read pairs and realign them like FASTQ."""
    input:
        unpack(unit_alignment),
        fasta=REFERENCE,
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    output:
        bam=temp("results/align/realigned/{sample}/{unit}.bam"),
        fastp_json="results/qc/fastp/realigned/{sample}.{unit}.fastp.json",
        fastp_html="results/qc/fastp/realigned/{sample}.{unit}.fastp.html",
    log:
        "logs/bwa_mem_realign/{sample}.{unit}.log",
    benchmark:
        "logs/benchmarks/bwa_mem_realign/{sample}.{unit}.tsv"
    conda:
        "../envs/align.yaml"
    container:
        image("align")
    threads: 8
    resources:
        mem_mb=lambda wc, attempt: 12000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        scripts=SCRIPTS,
        collate=realign_collate_options,
        fastq=realign_fastq_options,
        read_groups=realign_read_groups,
        pg_parent=realign_pg_parent,
        fastp_extra=tool_extra("trimming", "fastp_extra"),
        bwa_extra=tool_extra("alignment", "bwa_extra"),
        sort_mem="768M",
    shell:
        commands.align.BWA_MEM_REALIGN_RULE


rule samtools_markdup:
    """Merge a sample's units, mark duplicates across them, write the CRAM (+ SHA-256)."""
    input:
        bams=sample_unit_bams,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        cram="results/align/{sample}.cram",
        sha256="results/align/{sample}.cram.sha256",
        stats="results/qc/markdup/{sample}.markdup.txt",
    log:
        "logs/samtools_markdup/{sample}.log",
    benchmark:
        "logs/benchmarks/samtools_markdup/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
    params:
        scripts=SCRIPTS,
        optical_distance=config["markdup"]["optical_distance"],
        extra=tool_extra("markdup"),
    shell:
        commands.align.SAMTOOLS_MARKDUP_RULE
