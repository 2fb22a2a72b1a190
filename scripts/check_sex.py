"""Snakemake script of rule check_sex: the sex-chromosome karyotype of a sample from X/Y depth
and chrX heterozygosity, compared with the declared sex (refcohort.qc.sex)."""

from refcohort.qc.sex import main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
