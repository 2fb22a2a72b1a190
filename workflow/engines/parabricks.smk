# The parabricks engine (NVIDIA Parabricks on GPU nodes, profiles/gpu): fastp trims each
# unit (the same trimming and fastp QC as bwa_mem), pbrun fq2bam aligns a sample's units
# with BWA-MEM (-K 100000000 -Y), sorts and marks duplicates on the GPU into the
# deliverable CRAM; its Picard-style duplicate metrics become the samtools markdup stats
# the QC reads. Then pbrun haplotypecaller (BQSR table from pbrun bqsr when
# calling.gatk.known_sites is set; GATK joint genotyping, gatk_joint.smk) or pbrun
# deepvariant (GLnexus, glnexus.smk) writes gVCFs per ploidy pass over the whole genome,
# gathered by gatk_mergevcfs_gvcf (ploidy.smk). Parabricks ships as a container only: these
# rules have no conda env (tests/workflow/test_deployment.py names the exception). GPU
# rules request the standard `gpu` resource; partitions belong in profiles/gpu.


rule fastp_trim:
    """Trim a FASTQ unit with fastp (Parabricks takes trimmed FASTQ)."""
    input:
        unpack(unit_fastqs),
    output:
        r1=temp("results/align/trimmed/{sample}/{unit}.R1.fastq.gz"),
        r2=temp("results/align/trimmed/{sample}/{unit}.R2.fastq.gz"),
        json="results/qc/fastp/{sample}.{unit}.fastp.json",
        html="results/qc/fastp/{sample}.{unit}.fastp.html",
    log:
        "logs/fastp_trim/{sample}.{unit}.log",
    benchmark:
        "logs/benchmarks/fastp_trim/{sample}.{unit}.tsv"
    conda:
        "../../envs/fastp.yaml"
    container:
        image("fastp")
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        extra=tool_extra("trimming", "fastp_extra"),
    shell:
        commands.parabricks.FASTP_TRIM_RULE


rule pbrun_fq2bam:
    """Align and mark duplicates on the GPU (Parabricks fq2bam) into CRAM."""
    input:
        fastqs=trimmed_fastqs,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    output:
        cram="results/align/{sample}.cram",
        sha256="results/align/{sample}.cram.sha256",
        metrics="results/qc/markdup/{sample}.duplicate_metrics.txt",
    log:
        "logs/pbrun_fq2bam/{sample}.log",
    benchmark:
        "logs/benchmarks/pbrun_fq2bam/{sample}.tsv"
    container:
        image("parabricks")
    threads: 16
    resources:
        gpu=1,
        # NVIDIA: fq2bam needs 64-100 GB of host memory per GPU
        mem_mb=lambda wc, attempt: 96000 + 32000 * (attempt - 1),
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        scripts=SCRIPTS,
        in_fq=parabricks_in_fq,
        extra=tool_extra("calling.parabricks", "fq2bam_extra"),
    shell:
        commands.parabricks.PBRUN_FQ2BAM_RULE


rule convert_duplicate_metrics:
    """Picard duplicate metrics as samtools markdup statistics, for QC."""
    input:
        metrics="results/qc/markdup/{sample}.duplicate_metrics.txt",
    output:
        stats="results/qc/markdup/{sample}.markdup.txt",
    log:
        "logs/convert_duplicate_metrics/{sample}.log",
    benchmark:
        "logs/benchmarks/convert_duplicate_metrics/{sample}.tsv"
    conda:
        "../../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    script:
        "../../scripts/convert_duplicate_metrics.py"


rule pbrun_bqsr:
    """BQSR recalibration table on the GPU (Parabricks bqsr)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        known=known_sites(),
        known_tbi=known_sites_indexes(),
    output:
        table="results/call/parabricks/{sample}.recal.txt",
    log:
        "logs/pbrun_bqsr/{sample}.log",
    benchmark:
        "logs/benchmarks/pbrun_bqsr/{sample}.tsv"
    container:
        image("parabricks")
    threads: 8
    resources:
        gpu=1,
        mem_mb=lambda wc, attempt: 32000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        known=commands.repeated_option("--knownSites", known_sites()),
    shell:
        commands.parabricks.PBRUN_BQSR_RULE


rule pbrun_haplotypecaller:
    """HaplotypeCaller gVCF of a sample and ploidy pass on the GPU."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        recal=parabricks_recal_table,
        regions=genome_ploidy_bed,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        gvcf=temp("results/call/parabricks/haplotypecaller/{sample}.{ploidy}.g.vcf.gz"),
    log:
        "logs/pbrun_haplotypecaller/{sample}.{ploidy}.log",
    benchmark:
        "logs/benchmarks/pbrun_haplotypecaller/{sample}.{ploidy}.tsv"
    wildcard_constraints:
        ploidy="diploid|haploid",
    container:
        image("parabricks")
    threads: 16
    resources:
        gpu=1,
        mem_mb=lambda wc, attempt: 64000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        ploidy=lambda wc: SAMPLE_PLOIDY[wc.ploidy],
        recal=lambda wc, input: commands.repeated_option("--in-recal-file", input.recal),
        extra=tool_extra("calling.parabricks", "caller_extra"),
    shell:
        commands.parabricks.PBRUN_HAPLOTYPECALLER_RULE


rule pbrun_deepvariant:
    """DeepVariant gVCF of a sample and ploidy pass on the GPU."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        regions=genome_ploidy_bed,
        haploid_contigs=parabricks_haploid_contigs,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        gvcf=temp("results/call/parabricks/deepvariant/{sample}.{ploidy}.g.vcf.gz"),
    log:
        "logs/pbrun_deepvariant/{sample}.{ploidy}.log",
    benchmark:
        "logs/benchmarks/pbrun_deepvariant/{sample}.{ploidy}.tsv"
    wildcard_constraints:
        ploidy="diploid|haploid",
    container:
        image("parabricks")
    threads: 16
    resources:
        gpu=1,
        mem_mb=lambda wc, attempt: 64000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        extra=tool_extra("calling.parabricks", "caller_extra"),
    shell:
        commands.parabricks.PBRUN_DEEPVARIANT_RULE
