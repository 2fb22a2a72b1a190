#!/usr/bin/env python3
"""National reference release: privacy-safe allele frequencies per population and sex.

Thin adapter over :mod:`refcohort.release`. Under Snakemake's ``script:`` (rule
``release_allele_frequencies``) it reads ``input.vcf`` (PASS records, GT only, split to
biallelic and left-aligned), ``input.samples``, ``input.qc``, ``input.relatedness`` and
``input.par`` (a BED, or an empty list); writes ``output.vcf`` (+ .tbi, .sha256 beside it),
``output.groups``, ``output.excluded``, ``output.summary`` and ``output.mqc``; takes
``params`` autosomes, chrx, chry, max_kinship, min_allele_count, min_group_size,
unknown_sex; stderr goes to ``log[0]``. As a command line::

    bcftools view -f PASS -Ou cohort.vcf.gz | bcftools norm -m -any -f ref.fa -Ou \\
      | python release_allele_frequencies.py --vcf - --samples samples.tsv --qc sample_qc.tsv \\
          --relatedness relatedness.tsv --par par.bed --output release.vcf.gz \\
          --groups groups.tsv --excluded excluded.tsv --summary summary.json --mqc mqc.yaml
"""

import argparse
import sys
from collections.abc import Sequence

from refcohort.contigs import DEFAULT_AUTOSOMES, DEFAULT_CHRX, DEFAULT_CHRY
from refcohort.progress import stderr_to
from refcohort.release import (
    DEFAULT_MAX_KINSHIP,
    DEFAULT_MIN_ALLELE_COUNT,
    DEFAULT_MIN_GROUP_SIZE,
    UNKNOWN_SEX_POLICIES,
    release,
    write_outputs,
)


def cli(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vcf", required=True, help="biallelic VCF/BCF ('-' for stdin)")
    ap.add_argument("--samples", required=True, help="samples.tsv (sample, sex, population)")
    ap.add_argument("--qc", help="sample_qc.tsv of the gate (default: every VCF sample PASS)")
    ap.add_argument("--relatedness", help="relatedness.tsv (sample_1, sample_2, kinship, ...)")
    ap.add_argument("--par", help="BED of the pseudo-autosomal regions")
    ap.add_argument("--autosomes", default=DEFAULT_AUTOSOMES)
    ap.add_argument("--chrx", default=DEFAULT_CHRX)
    ap.add_argument("--chry", default=DEFAULT_CHRY)
    ap.add_argument("--max-kinship", type=float, default=DEFAULT_MAX_KINSHIP)
    ap.add_argument("--min-allele-count", type=int, default=DEFAULT_MIN_ALLELE_COUNT)
    ap.add_argument("--min-group-size", type=int, default=DEFAULT_MIN_GROUP_SIZE)
    ap.add_argument("--unknown-sex", choices=UNKNOWN_SEX_POLICIES, default="exclude")
    ap.add_argument("--output", required=True, help="release VCF (.vcf.gz; .tbi, .sha256 beside)")
    ap.add_argument("--groups", required=True, help="public TSV: groups, individuals, status")
    ap.add_argument("--excluded", required=True, help="NON-PUBLIC TSV: samples left out and why")
    ap.add_argument("--summary", help="JSON summary (public: counts only)")
    ap.add_argument("--mqc", help="MultiQC custom-content YAML")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=8192)
    ap.add_argument(
        "--structural",
        action="store_true",
        help="a structural-variant release (Delly's symbolic DEL/DUP/INV/INS records)",
    )
    a = ap.parse_args(argv)
    summary = release(
        a.vcf, a.samples, a.output, a.qc, a.relatedness, a.par, a.autosomes, a.chrx, a.chry,
        a.max_kinship, a.min_allele_count, a.min_group_size, a.unknown_sex, a.threads,
        a.chunk_size, a.structural,
    )  # fmt: skip
    write_outputs(summary, a.groups, a.excluded, a.summary, a.mqc)
    return 0


def main(smk) -> None:
    """Snakemake ``script:`` adapter (see the module docstring for the interface)."""
    i, o, p = smk.input, smk.output, smk.params
    par = i.par if isinstance(i.par, str) else next(iter(i.par), None)
    with open(smk.log[0], "w") as log_fh, stderr_to(log_fh):
        summary = release(
            str(i.vcf), str(i.samples), str(o.vcf), str(i.qc), str(i.relatedness),
            str(par) if par else None, str(p.autosomes), str(p.chrx), str(p.chry),
            float(p.max_kinship), int(p.min_allele_count), int(p.min_group_size),
            str(p.unknown_sex), int(smk.threads or 1),
            structural=bool(getattr(p, "structural", False)),
        )  # fmt: skip
        write_outputs(summary, str(o.groups), str(o.excluded), str(o.summary), str(o.mqc))


if __name__ == "__main__" and "snakemake" not in globals():
    sys.exit(cli())

if "snakemake" in globals():
    main(snakemake)  # noqa: F821
