#!/usr/bin/env python3
"""Generate the demo cohort: a GRCh38-like synthetic genome, a population-structured
cohort with known truth, and Illumina-like paired-end FASTQ files.

Deterministic for a given ``--seed``; two worker processes write the reads. What is
simulated and written: ``refcohort.demo`` (genome, variants, reads, external, truth,
cohort).

    python scripts/make_demo_data.py --outdir resources/demo --threads 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from refcohort.demo.cohort import write_demo


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outdir", default="resources/demo", help="output folder [resources/demo]")
    ap.add_argument("--seed", type=int, default=20261121, help="random seed [20261121]")
    ap.add_argument("--threads", type=int, default=2, help="worker processes for the reads [2]")
    ap.add_argument(
        "--skip-reads",
        action="store_true",
        help="write genome, truth and samples.tsv only (for tests)",
    )
    args = ap.parse_args(argv)
    write_demo(Path(args.outdir), args.seed, args.threads, args.skip_reads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
