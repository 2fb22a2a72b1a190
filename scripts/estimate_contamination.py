"""Snakemake script of rule estimate_contamination: CHARR-style cross-individual DNA
contamination from the sample's own gVCF (refcohort.qc.contamination)."""

from refcohort.qc.contamination import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
