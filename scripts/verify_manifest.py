#!/usr/bin/env python3
"""Verify a results tree against its manifest (results/manifest.tsv from rule
write_manifest): every listed file must exist with the listed size and SHA-256.

    python scripts/verify_manifest.py results/manifest.tsv [--root DIR] [--sizes-only]

Paths in the manifest are relative to the directory that holds results/ (the run's
working directory); --root points elsewhere, e.g. at an archive copy. Prints "N files OK"
and exits 0, or prints each MISSING or CHANGED file and exits 1. Standard library only
(refcohort.manifest), so it runs wherever the results and scripts/ are copied to.
"""

import sys

from refcohort.manifest import verify_cli

if __name__ == "__main__":
    sys.exit(verify_cli())
