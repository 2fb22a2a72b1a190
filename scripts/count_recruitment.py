"""Snakemake script of rule count_recruitment (refcohort.qc.recruitment)."""

from refcohort.qc.recruitment import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
