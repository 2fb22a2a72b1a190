"""Snakemake script of rule gate_samples: PASS, WARN or FAIL per sample with every reason,
and the samples that enter joint genotyping (refcohort.qc.gate)."""

from refcohort.qc.gate import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
