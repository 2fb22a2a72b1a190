"""Snakemake script of rule sv_report: the report's SV section
(results/qc/multiqc/sv_counts_mqc.yaml).
The work is in refcohort.sv."""

from refcohort.sv import report_main

if "snakemake" in globals():
    report_main(snakemake)  # noqa: F821
