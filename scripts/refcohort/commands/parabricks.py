"""Parabricks engine (GPU): fastp trimming, fq2bam, BQSR, HaplotypeCaller or DeepVariant
per sample and ploidy pass. Only dry-run tested here (no GPU in CI)."""

from __future__ import annotations

import shlex

FASTP_TRIM_RULE = (
    "fastp --in1 {input.fq1:q} --in2 {input.fq2:q} --out1 {output.r1:q} --out2 {output.r2:q}"
    " --thread {threads} --json {output.json:q} --html {output.html:q} {params.extra}"
    " 2> {log:q}"
)
PBRUN_FQ2BAM_RULE = (
    "(pbrun fq2bam --ref {input.fasta:q} {params.in_fq}"
    " --bwa-options '-K 100000000 -Y' --out-bam {output.cram:q}"
    " --out-duplicate-metrics {output.metrics:q} --num-gpus {resources.gpu}"
    " --tmp-dir {resources.tmpdir:q} {params.extra}"
    " && samtools quickcheck -v {output.cram:q}"
    " && bash {params.scripts:q}/seal_deliverable.sh {output.cram:q}) > {log:q} 2>&1"
)
PBRUN_BQSR_RULE = (
    "pbrun bqsr --ref {input.fasta:q} --in-bam {input.cram:q} {params.known}"
    " --out-recal-file {output.table:q} --num-gpus {resources.gpu}"
    " --tmp-dir {resources.tmpdir:q} > {log:q} 2>&1"
)
# a pass with no regions (a male on a reference without X/Y) writes an empty
# placeholder, skipped by the gather
PBRUN_HAPLOTYPECALLER_RULE = (
    "(if [ -s {input.regions:q} ]; then"
    " pbrun haplotypecaller --ref {input.fasta:q} --in-bam {input.cram:q} {params.recal}"
    " --interval-file {input.regions:q} --ploidy {params.ploidy} --gvcf"
    " --out-variants {output.gvcf:q} --num-gpus {resources.gpu}"
    " --tmp-dir {resources.tmpdir:q} {params.extra};"
    " else : > {output.gvcf:q}; fi) > {log:q} 2>&1"
)
# the haploid pass holds only X/Y outside the PARs: all of it is haploid (input
# haploid_contigs is given for that pass only; otherwise the sed prints no option)
PBRUN_DEEPVARIANT_RULE = (
    "(if [ -s {input.regions:q} ]; then"
    " pbrun deepvariant --ref {input.fasta:q} --in-bam {input.cram:q}"
    " --interval-file {input.regions:q}"
    " $(sed 's/^/--haploid-contigs /' {input.haploid_contigs:q} /dev/null) --gvcf"
    " --out-variants {output.gvcf:q} --num-gpus {resources.gpu}"
    " --tmp-dir {resources.tmpdir:q} {params.extra};"
    " else : > {output.gvcf:q}; fi) > {log:q} 2>&1"
)


def in_fq_options(units: list[tuple[str, str, str]]) -> str:
    """One ``--in-fq R1 R2 READ_GROUP`` per unit: (R1 path, R2 path, quoted @RG line)."""
    return " ".join(
        f"--in-fq {shlex.quote(r1)} {shlex.quote(r2)} {read_group}" for r1, r2, read_group in units
    )
