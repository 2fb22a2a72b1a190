#!/usr/bin/env python3
"""Cohort QC on the joint-called VCF: KING-robust kinship and per-sample outliers.

Thin adapter over :mod:`refcohort.qc.relatedness`. Under Snakemake's ``script:`` (rule
``estimate_relatedness``): plink2's table and counts (input.kin0, input.counts,
input.note), or input.vcf for the package's own KING-robust; output.relatedness,
output.samples, output.json; log[0];
params (all optional) autosomes, min_qual, min_site_call_rate, min_maf, mad_k,
min_outlier_samples; threads. As a command line,
``python scripts/estimate_relatedness.py --vcf X --out-prefix P`` writes
``P.relatedness.tsv``, ``P.samples.tsv`` and ``P.json``; progress on stderr.
"""

import argparse
import sys
from collections.abc import Sequence

from refcohort.progress import stderr_to
from refcohort.qc.relatedness import (
    DEFAULT_AUTOSOMES,
    DEFAULT_MAD_K,
    DEFAULT_MIN_MAF,
    DEFAULT_MIN_OUTLIER_SAMPLES,
    DEFAULT_MIN_QUAL,
    DEFAULT_MIN_SITE_CALL_RATE,
    from_plink2,
    run,
)


def main(smk) -> None:
    """Snakemake adapter: output.relatedness/samples/json; log[0]; from input.kin0,
    input.counts and input.note (plink2's KING table and sample counts, rule
    plink2_king: the workflow) or from input.vcf (the package's own KING-robust)."""
    p = smk.params
    with open(smk.log[0], "w") as log_fh, stderr_to(log_fh):
        if hasattr(smk.input, "kin0"):
            from_plink2(
                str(smk.input.kin0),
                str(smk.input.counts),
                str(smk.input.note),
                str(smk.output.relatedness),
                str(smk.output.samples),
                str(smk.output.json),
                mad_k=float(getattr(p, "mad_k", DEFAULT_MAD_K)),
                min_outlier_samples=int(
                    getattr(p, "min_outlier_samples", DEFAULT_MIN_OUTLIER_SAMPLES)
                ),
                filters={
                    "filter": "PASS",
                    "type": "biallelic SNV",
                    "autosomes": "results/qc/autosomes.bed",
                    **{
                        k: getattr(p, k)
                        for k in ("min_qual", "min_site_call_rate", "min_maf")
                        if hasattr(p, k)
                    },
                },
            )
            return
        run(
            str(smk.input.vcf),
            str(smk.output.relatedness),
            str(smk.output.samples),
            str(smk.output.json),
            autosomes=str(getattr(p, "autosomes", DEFAULT_AUTOSOMES)),
            min_qual=float(getattr(p, "min_qual", DEFAULT_MIN_QUAL)),
            min_site_call_rate=float(getattr(p, "min_site_call_rate", DEFAULT_MIN_SITE_CALL_RATE)),
            min_maf=float(getattr(p, "min_maf", DEFAULT_MIN_MAF)),
            mad_k=float(getattr(p, "mad_k", DEFAULT_MAD_K)),
            min_outlier_samples=int(getattr(p, "min_outlier_samples", DEFAULT_MIN_OUTLIER_SAMPLES)),
            threads=int(getattr(smk, "threads", 1) or 1),
        )


def cli(argv: Sequence[str] | None = None) -> int:
    """``--vcf X --out-prefix P``: P.relatedness.tsv, P.samples.tsv, P.json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vcf", required=True)
    ap.add_argument("--out-prefix", required=True)
    ap.add_argument("--autosomes", default=DEFAULT_AUTOSOMES)
    ap.add_argument("--min-qual", type=float, default=DEFAULT_MIN_QUAL)
    ap.add_argument("--min-site-call-rate", type=float, default=DEFAULT_MIN_SITE_CALL_RATE)
    ap.add_argument("--min-maf", type=float, default=DEFAULT_MIN_MAF)
    ap.add_argument("--mad-k", type=float, default=DEFAULT_MAD_K)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    run(
        a.vcf,
        f"{a.out_prefix}.relatedness.tsv",
        f"{a.out_prefix}.samples.tsv",
        f"{a.out_prefix}.json",
        autosomes=a.autosomes,
        min_qual=a.min_qual,
        min_site_call_rate=a.min_site_call_rate,
        min_maf=a.min_maf,
        mad_k=a.mad_k,
        threads=a.threads,
    )
    return 0


if __name__ == "__main__" and "snakemake" not in globals():
    sys.exit(cli())

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
