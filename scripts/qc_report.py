"""Snakemake script of rule qc_report: the MultiQC custom-content sections for QA staff
(refcohort.qc.multiqc, report_plots, structure_report)."""

from refcohort.qc.structure_report import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
