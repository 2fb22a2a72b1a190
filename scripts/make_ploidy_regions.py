"""Snakemake script of rule make_ploidy_regions: a male's diploid and haploid calling
regions per shard and genome-wide, and the X/Y contig names (refcohort.qc.regions)."""

from refcohort.qc.regions import ploidy_main as main

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
