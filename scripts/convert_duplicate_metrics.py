#!/usr/bin/env python3
"""Picard-style duplicate metrics (GATK MarkDuplicates, Parabricks fq2bam) as a
``samtools markdup -f`` stats file (refcohort.duplicate_metrics): the Snakemake script of
rule convert_duplicate_metrics, and a command line

    python scripts/convert_duplicate_metrics.py METRICS OUTPUT
"""

import sys

from refcohort.duplicate_metrics import cli, main

if __name__ == "__main__" and "snakemake" not in globals():
    sys.exit(cli())
if "snakemake" in globals():
    main(snakemake)  # noqa: F821
