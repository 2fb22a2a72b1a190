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
        "benchmarks/fastp_trim/{sample}.{unit}.tsv"
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
        "fastp --in1 {input.fq1:q} --in2 {input.fq2:q} --out1 {output.r1:q} --out2 {output.r2:q}"
        " --thread {threads} --json {output.json:q} --html {output.html:q} {params.extra}"
        " 2> {log:q}"


rule pbrun_fq2bam:
    input:
        fastqs=trimmed_fastqs,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        index=multiext(REFERENCE, ".amb", ".ann", ".bwt", ".pac", ".sa"),
    output:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        md5="results/align/{sample}.cram.md5",
        metrics="results/qc/markdup/{sample}.duplicate_metrics.txt",
    log:
        "logs/pbrun_fq2bam/{sample}.log",
    benchmark:
        "benchmarks/pbrun_fq2bam/{sample}.tsv"
    container:
        image("parabricks")
    threads: 16
    resources:
        gpu=1,
        # NVIDIA: fq2bam needs 64-100 GB of host memory per GPU
        mem_mb=lambda wc, attempt: 96000 + 32000 * (attempt - 1),
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        in_fq=parabricks_in_fq,
        extra=tool_extra("calling.parabricks", "fq2bam_extra"),
    shell:
        "(pbrun fq2bam --ref {input.fasta:q} {params.in_fq}"
        " --bwa-options '-K 100000000 -Y' --out-bam {output.cram:q}"
        " --out-duplicate-metrics {output.metrics:q} --num-gpus {resources.gpu}"
        " --tmp-dir {resources.tmpdir:q} {params.extra}"
        " && md5sum {output.cram:q} > {output.md5:q}) > {log:q} 2>&1"


rule convert_duplicate_metrics:
    input:
        metrics="results/qc/markdup/{sample}.duplicate_metrics.txt",
    output:
        stats="results/qc/markdup/{sample}.markdup.txt",
    log:
        "logs/convert_duplicate_metrics/{sample}.log",
    conda:
        "../../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    params:
        script=Path(workflow.basedir, "scripts", "convert_duplicate_metrics.py"),
    shell:
        "python {params.script:q} {input.metrics:q} {output.stats:q} 2> {log:q}"


rule pbrun_bqsr:
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
        "benchmarks/pbrun_bqsr/{sample}.tsv"
    container:
        image("parabricks")
    threads: 8
    resources:
        gpu=1,
        mem_mb=lambda wc, attempt: 32000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        known=repeated_option("--knownSites", known_sites()),
    shell:
        "pbrun bqsr --ref {input.fasta:q} --in-bam {input.cram:q} {params.known}"
        " --out-recal-file {output.table:q} --num-gpus {resources.gpu}"
        " --tmp-dir {resources.tmpdir:q} > {log:q} 2>&1"


rule pbrun_haplotypecaller:
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
        "benchmarks/pbrun_haplotypecaller/{sample}.{ploidy}.tsv"
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
        recal=lambda wc, input: repeated_option("--in-recal-file", input.recal),
        extra=tool_extra("calling.parabricks", "caller_extra"),
    shell:
        # a pass with no regions (a male on a reference without X/Y) writes an empty
        # placeholder, skipped by the gather
        "(if [ -s {input.regions:q} ]; then"
        " pbrun haplotypecaller --ref {input.fasta:q} --in-bam {input.cram:q} {params.recal}"
        " --interval-file {input.regions:q} --ploidy {params.ploidy} --gvcf"
        " --out-variants {output.gvcf:q} --num-gpus {resources.gpu}"
        " --tmp-dir {resources.tmpdir:q} {params.extra};"
        " else : > {output.gvcf:q}; fi) > {log:q} 2>&1"


rule pbrun_deepvariant:
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        regions=genome_ploidy_bed,
        contigs="results/reference/ploidy/haploid_contigs.txt",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        gvcf=temp("results/call/parabricks/deepvariant/{sample}.{ploidy}.g.vcf.gz"),
    log:
        "logs/pbrun_deepvariant/{sample}.{ploidy}.log",
    benchmark:
        "benchmarks/pbrun_deepvariant/{sample}.{ploidy}.tsv"
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
        # the haploid pass holds only X/Y outside the PARs: all of it is haploid
        haploid=parabricks_haploid_option,
        extra=tool_extra("calling.parabricks", "caller_extra"),
    shell:
        "(if [ -s {input.regions:q} ]; then"
        " pbrun deepvariant --ref {input.fasta:q} --in-bam {input.cram:q}"
        " --interval-file {input.regions:q} {params.haploid} --gvcf"
        " --out-variants {output.gvcf:q} --num-gpus {resources.gpu}"
        " --tmp-dir {resources.tmpdir:q} {params.extra};"
        " else : > {output.gvcf:q}; fi) > {log:q} 2>&1"
