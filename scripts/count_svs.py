"""Snakemake script of rule count_svs: a sample's PASS Delly calls by SV type
(results/qc/sv/{sample}.json).
The work is in refcohort.sv."""

from refcohort.sv import counts_main

if "snakemake" in globals():
    counts_main(snakemake)  # noqa: F821
