"""Snakemake script of rule qc_report: the MultiQC custom-content sections for QA staff
(refcohort.qc.multiqc)."""

from refcohort.qc.multiqc import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
