"""Snakemake script of rule sample_metrics: the GA4GH WGS QC metrics of one sample
(results/qc/{sample}.qc.json). The metrics and their definitions are in refcohort.qc.metrics."""

from refcohort.qc.metrics import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
