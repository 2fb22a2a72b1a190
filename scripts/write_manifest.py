"""Snakemake script of rule write_manifest: results/manifest.tsv, every deliverable with its
size and SHA-256, the tool versions and the reference checksum (refcohort.manifest)."""

from refcohort.manifest import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
