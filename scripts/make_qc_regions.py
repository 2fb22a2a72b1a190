"""Snakemake script of rule make_qc_regions: the QC regions BED (autosomes, and chrX and
chrY outside the PARs, N gaps left out) and the autosomes BED (refcohort.qc.regions)."""

from refcohort.qc.regions import qc_regions_main as main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
