#!/usr/bin/env python3
"""Score a query call set against a truth call set (refcohort.compare): the Snakemake
script of rule compare_calls, and a command line

    python scripts/compare_calls.py --truth T.vcf.gz --query Q.vcf.gz --reference REF.fa
        --output scores.tsv [--bed BED] [--truth-sample S] [--query-sample S] [--label L]
        [--include-filtered]
"""

import sys

from refcohort.compare import cli, main

if __name__ == "__main__" and "snakemake" not in globals():
    sys.exit(cli())
if "snakemake" in globals():
    main(snakemake)  # noqa: F821
