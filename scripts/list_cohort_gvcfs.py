"""Rule list_cohort_gvcfs: the gated samples and their Hail-ready gVCFs as a TSV, the
input of rule hail_update_cohort (a file, so that no command line has to hold a
national cohort's paths)."""

import sys

from refcohort.io import write_tsv


def main(smk) -> None:
    sys.stderr = open(smk.log[0], "w")
    rows = [{"sample": s, "gvcf": g} for s, g in zip(smk.params.samples, smk.input.gvcfs)]
    write_tsv(smk.output.table, ["sample", "gvcf"], rows)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
