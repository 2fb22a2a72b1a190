# Per unit: fastp trimming streamed into BWA-MEM (CCDG settings -K 100000000 -Y) and
# samtools fixmate/sort; per sample: merge units, mark duplicates across lanes
# (supplementary reads included, optical ones tagged), write CRAM + CRAI + MD5.
# A unit may instead be a CRAM/BAM/uBAM from elsewhere (bwa_mem_realign): its reads are
# turned back into pairs and realigned with the same bwa settings, keeping the file's read
# groups and @PG chain (workflow/inputs.py; README "Genomes sequenced elsewhere").


rule bwa_mem:
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
        "benchmarks/bwa_mem/{sample}.{unit}.tsv"
    conda:
        "../envs/align.yaml"
    container:
        image("align")
    threads: 8
    resources:
        mem_mb=lambda wc, attempt: 12000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        read_group=read_group,
        fastp_extra=tool_extra("trimming", "fastp_extra"),
        bwa_extra=tool_extra("alignment", "bwa_extra"),
        sort_mem="768M",
        check=Path(workflow.basedir, "scripts", "check_pairs.awk"),
    shell:
        # fastp writes interleaved pairs to stdout; bwa reads them with -p. fastp runs one
        # worker: with more, its --stdout order is random (OpenGene/fastp#552) and bwa's
        # per-batch pairing statistics, hence the CRAM, would differ between reruns. On
        # the demo one worker costs 14 us per pair, bwa ~60 us per pair per thread: with
        # many bwa threads on human data fastp may set the pace (not measured). Both tools take some broken input
        # silently: check_pairs.awk stops the stream on unpaired, malformed or no reads,
        # and fastp's warning about R1/R2 of different lengths (a truncated file) fails
        # the job once the stream is done (README "Reliability").
        "(fastp --in1 {input.fq1:q} --in2 {input.fq2:q} --stdout --thread 1"
        " --json {output.fastp_json:q} --html {output.fastp_html:q} {params.fastp_extra}"
        " | awk -f {params.check:q}"
        " | bwa mem -p -K 100000000 -Y -t {threads} -R {params.read_group} {params.bwa_extra}"
        " {input.fasta:q} -"
        " | samtools fixmate -m -u - -"
        " | samtools sort -m {params.sort_mem} -T {output.bam:q}.tmp -o {output.bam:q} -)"
        " 2> {log:q}"
        " && if grep -qiE '^ERROR|different read numbers' {log:q}; then"
        " echo 'ERROR: FASTQ check: fastp reported the problem above (R1 and R2 of different"
        " lengths: a truncated file or files that are not mates; or a broken record)' >> {log:q};"
        " exit 1; fi"


rule bwa_mem_realign:
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
        "benchmarks/bwa_mem_realign/{sample}.{unit}.tsv"
    conda:
        "../envs/align.yaml"
    container:
        image("align")
    threads: 8
    resources:
        mem_mb=lambda wc, attempt: 12000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
    params:
        reads=realign_reads,
        read_groups=realign_read_groups,
        link_pg=realign_link_pg,
        fastp_extra=tool_extra("trimming", "fastp_extra"),
        bwa_extra=tool_extra("alignment", "bwa_extra"),
        sort_mem="768M",
        check=Path(workflow.basedir, "scripts", "check_pairs.awk"),
    shell:
        # params.reads: `samtools collate -u -O FILE | samtools fastq -` (mates together,
        # secondary/supplementary dropped, reads whose mate is missing counted and left
        # out; several read groups: each read's RG tag kept in the FASTQ comment, which
        # fastp passes on and bwa -C copies). Then the same fastp (on a stream it cannot
        # auto-detect adapters; it trims them by pair overlap), pair check and bwa as
        # bwa_mem; params.link_pg puts our bwa @PG after the file's own chain.
        "({params.reads}"
        " | fastp --stdin --interleaved_in --stdout --thread 1"
        " --json {output.fastp_json:q} --html {output.fastp_html:q} {params.fastp_extra}"
        " | awk -v source=realign -f {params.check:q}"
        " | bwa mem -p -K 100000000 -Y -t {threads} {params.read_groups} {params.bwa_extra}"
        " {input.fasta:q} -"
        " {params.link_pg}| samtools fixmate -m -u - -"
        " | samtools sort -m {params.sort_mem} -T {output.bam:q}.tmp -o {output.bam:q} -)"
        " 2> {log:q}"
        " && if grep -qiE '^ERROR|different read numbers' {log:q}; then"
        " echo 'ERROR: FASTQ check: fastp reported the problem above' >> {log:q}; exit 1; fi"
        " && if grep -qE 'discarded [1-9][0-9]* singletons' {log:q}; then"
        " echo 'WARNING: reads whose mate is not in the file were left out (count above)'"
        " >> {log:q}; fi"


rule samtools_markdup:
    input:
        bams=sample_unit_bams,
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        md5="results/align/{sample}.cram.md5",
        stats="results/qc/markdup/{sample}.markdup.txt",
    log:
        "logs/samtools_markdup/{sample}.log",
    benchmark:
        "benchmarks/samtools_markdup/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
    params:
        optical_distance=config["markdup"]["optical_distance"],
        extra=tool_extra("markdup"),
    shell:
        "(samtools merge -u -o - {input.bams:q}"
        " | samtools markdup -S -d {params.optical_distance} {params.extra}"
        " -f {output.stats:q} -T {output.cram:q}.tmp --threads {threads}"
        " --reference {input.fasta:q} -O cram --write-index"
        " - {output.cram:q}##idx##{output.crai:q}"
        " && samtools quickcheck {output.cram:q}"
        " && md5sum {output.cram:q} > {output.md5:q}) 2> {log:q}"
