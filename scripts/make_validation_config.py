#!/usr/bin/env python3
"""Write the sheets and config of the real-data accuracy check (`make validate`): NA12878
on a chr20 slice as a one-sample cohort, scored against the GIAB truth (refcohort.giab).

Usage: make_validation_config.py OUTDIR --data DIR --engine ENGINE
then   snakemake --directory OUTDIR --configfile OUTDIR/config.yaml
"""

import sys

from refcohort.giab import cli

if __name__ == "__main__":
    sys.exit(cli())
