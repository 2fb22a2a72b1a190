"""Snakemake script of rule select_structure_samples (refcohort.qc.structure)."""

from refcohort.qc.structure import select_main

if "snakemake" in globals():
    select_main(snakemake)  # noqa: F821
