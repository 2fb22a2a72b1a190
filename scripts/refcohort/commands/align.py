"""Alignment: fastp streamed into BWA-MEM (CCDG settings), fixmate and sort per unit;
merge and duplicate marking per sample into the CRAM and its SHA-256.

The bare tool chains (``FASTP_PAIRS``, ``REALIGN_READS``, ``BWA_SORT``, ``MARKDUP``) are
what the benchmarks' floor runs; the rules add the pipeline's guards around them: the
pair check in the stream (scripts/check_pairs.awk), fastp's own warnings turned into a
failure, fastp's JSON checked complete (scripts/check_output.sh), the @PG link for realigned
files, ``samtools quickcheck`` of what is read and written, and the CRAM's SHA-256
(scripts/seal_deliverable.sh). Its index and MD5 come from rules of their own, so that a
deleted ``.crai`` or ``.md5`` is made again from the CRAM, not by aligning again.

Scripts of the workflow are named through ``{params.scripts}`` (see
:data:`refcohort.commands.SCRIPTS`).
"""

from __future__ import annotations

import shlex


# ------------------------------------------------------------------ options
def read_group(sample: str, unit: str, platform: str, library: str) -> str:
    """The @RG line for a FASTQ unit (ID sample.unit, SM, PL, LB, PU), shell-quoted, with
    tabs written as bwa's ``\\t``."""
    fields = [
        "@RG",
        f"ID:{sample}.{unit}",
        f"SM:{sample}",
        f"PL:{platform}",
        f"LB:{library or f'{sample}-lib'}",
        f"PU:{unit}",
    ]
    return shlex.quote("\\t".join(fields))


def collate_options(kind: str, input_reference: str) -> str:
    """samtools collate options for a cram/bam/ubam unit: a CRAM's reference."""
    return f"--reference {shlex.quote(input_reference)}" if kind == "cram" else ""


def fastq_options(copy_rg: bool) -> str:
    """samtools fastq options: each read keeps its RG tag when the file has several."""
    return "-T RG" if copy_rg else ""


# ------------------------------------------------------------------ tool chains
# fastp writes interleaved pairs to stdout; bwa reads them with -p. fastp runs one worker:
# with more, its --stdout order is random (OpenGene/fastp#552) and bwa's per-batch
# pairing statistics, hence the CRAM, would differ between reruns.
FASTP_PAIRS = (
    "fastp --in1 {input.fq1:q} --in2 {input.fq2:q} --stdout --thread 1"
    " --json {output.fastp_json:q} --html {output.fastp_html:q} {params.fastp_extra}"
)
# (the unit is first checked whole: samtools quickcheck -u, -u as a uBAM has no @SQ)
# A cram/bam/ubam unit back to interleaved pairs: collate groups mates (temporary files
# beside the output), fastq writes them (secondary/supplementary dropped, a read whose
# mate is missing counted in the log and left out); then the same fastp (on a stream it
# cannot auto-detect adapters; it trims them by pair overlap).
REALIGN_READS = (
    "samtools collate -u -O --no-PG {params.collate} {input.reads:q} {output.bam:q}.tmp.collate"
    " | samtools fastq {params.fastq} -s /dev/null -0 /dev/null -"
    " | fastp --stdin --interleaved_in --stdout --thread 1"
    " --json {output.fastp_json:q} --html {output.fastp_html:q} {params.fastp_extra}"
)
BWA_MEM = (
    "bwa mem -p -K 100000000 -Y -t {threads} {params.read_groups} {params.bwa_extra}"
    " {input.fasta:q} -"
)
FIXMATE_SORT = (
    "samtools fixmate -m -u - -"
    " | samtools sort -m {params.sort_mem} -T {output.bam:q}.tmp -o {output.bam:q} -"
)
BWA_SORT = f"{BWA_MEM} | {FIXMATE_SORT}"
MARKDUP = (
    "samtools merge -u -o - {input.bams:q}"
    " | samtools markdup -S -d {params.optical_distance} {params.extra}"
    " -f {output.stats:q} -T {output.cram:q}.tmp --threads {threads}"
    " --reference {input.fasta:q} -O cram - {output.cram:q}"
)

# ------------------------------------------------------------------ the rules
# Both tools take some broken input silently: check_pairs.awk stops the stream on
# unpaired, malformed or no reads, and fastp's warning about R1/R2 of different lengths
# (a truncated file) fails the job once the stream is done.


def fastp_problem(hint: str = "") -> str:
    """Fail the job when fastp logged a problem (the stream itself may have exited 0), or
    when its JSON report is incomplete (fastp exits 0 after a failed write)."""
    return (
        " && if grep -qiE '^ERROR|different read numbers' {log:q}; then"
        f" echo 'ERROR: FASTQ check: fastp reported the problem above{hint}' >> {{log:q}};"
        " exit 1; fi"
        " && bash {params.scripts:q}/check_output.sh json {output.fastp_json:q} 2>> {log:q}"
    )


# htslib only warns when a CRAM/BAM/VCF it reads is truncated; the tools then exit 0
HTS_LOG_CHECK = " && bash {params.scripts:q}/check_output.sh hts-log {log:q} 2>> {log:q}"


BWA_MEM_RULE = (
    f"({FASTP_PAIRS} | awk -f {{params.scripts:q}}/check_pairs.awk | {BWA_SORT}) 2> {{log:q}}"
    + (
        fastp_problem(
            " (R1 and R2 of different lengths: a truncated file or files that are not mates;"
            " or a broken record)"
        )
    )
)
# params.pg_parent: the last @PG of the file's own chain, which our bwa line is linked to
# (scripts/link_pg.sh; empty: the file has no chain and the stream passes unchanged)
BWA_MEM_REALIGN_RULE = (
    "(samtools quickcheck -u -v {input.reads:q}"
    f" && {REALIGN_READS} | awk -v source=realign -f {{params.scripts:q}}/check_pairs.awk"
    f" | {BWA_MEM} | bash {{params.scripts:q}}/link_pg.sh {{params.pg_parent:q}}"
    f" | {FIXMATE_SORT}) 2> {{log:q}}"
    + HTS_LOG_CHECK
    + fastp_problem()
    + " && if grep -qE 'discarded [1-9][0-9]* singletons' {log:q}; then"
    " echo 'WARNING: reads whose mate is not in the file were left out (count above)'"
    " >> {log:q}; fi"
)
SAMTOOLS_MARKDUP_RULE = (
    f"({MARKDUP}"
    " && samtools quickcheck -v {output.cram:q}"
    " && bash {params.scripts:q}/check_output.sh text {output.stats:q}"
    " && bash {params.scripts:q}/seal_deliverable.sh {output.cram:q}) 2> {log:q}" + HTS_LOG_CHECK
)
# A deliverable CRAM's index, made from it (a deleted .crai never means aligning again)
SAMTOOLS_INDEX_CRAM = "samtools index -@ {threads} {input.cram:q} {output.crai:q}"
SAMTOOLS_INDEX_CRAM_RULE = f"({SAMTOOLS_INDEX_CRAM}) 2> {{log:q}}" + HTS_LOG_CHECK
