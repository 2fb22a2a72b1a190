"""Snakemake script of rule make_intervals: the reference cut into length-balanced,
N-free interval shards (refcohort.qc.regions)."""

from refcohort.qc.regions import intervals_main as main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
