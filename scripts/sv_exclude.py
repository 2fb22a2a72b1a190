"""Snakemake script of rule make_sv_exclude: the regions Delly leaves out (results/sv/exclude.bed).
The work is in refcohort.sv."""

from refcohort.sv import exclude_main

if "snakemake" in globals():
    exclude_main(snakemake)  # noqa: F821
