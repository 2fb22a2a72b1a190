#!/usr/bin/env python3
"""Convert an nf-core/sarek samplesheet (CSV) into this pipeline's samples.tsv and units.tsv.

    python scripts/convert_samplesheet.py sarek.csv --population FI [--outdir DIR]

Every sample gets the given population (sarek has no such column); the sheets are then
checked like any others when the pipeline starts (refcohort.sarek; docs/usage.md).
"""

import argparse
import sys

from refcohort.sarek import SarekError, convert_file


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("samplesheet", help="nf-core/sarek samplesheet (CSV)")
    ap.add_argument("--population", required=True, help="ISO 3166-1 alpha-2 code for every sample")
    ap.add_argument("--platform", default="ILLUMINA", help="read group PL [ILLUMINA]")
    ap.add_argument("--outdir", default=".", help="where samples.tsv and units.tsv go [.]")
    args = ap.parse_args(argv)
    try:
        samples, units = convert_file(args.samplesheet, args.outdir, args.population, args.platform)
    except (SarekError, OSError) as e:
        print(f"{args.samplesheet}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {samples} and {units}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
