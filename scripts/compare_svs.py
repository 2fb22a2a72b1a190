"""Snakemake script of rule compare_svs: the cohort's SV genotypes against the SV truth
(results/eval/sv_accuracy.tsv).
The work is in refcohort.sv."""

from refcohort.sv import accuracy_main

if "snakemake" in globals():
    accuracy_main(snakemake)  # noqa: F821
