"""Snakemake script of rule assess_structure (refcohort.qc.structure)."""

from refcohort.qc.structure import assess_main

if "snakemake" in globals():
    assess_main(snakemake)  # noqa: F821
