"""Write the sheets and config of the real-data accuracy check (`make validate`).

NA12878 (GIAB HG001) reads on a 1.1 Mb chr20 slice (../shared/data/na12878_chr20, see its
README) as a one-sample cohort, scored by the pipeline itself (evaluation.truth ->
scripts/compare_calls.py) against the GIAB truth inside the confident BED, with the
calling engine of choice. The same settings as tests/e2e/test_na12878.py: the slice has no
X/Y and reads over only 100 kb of it, so the coverage gate fails the sample and an
override keeps it in joint calling.

Usage: make_validation_config.py OUTDIR --data DIR --engine ENGINE
then   snakemake --directory OUTDIR --configfile OUTDIR/config.yaml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ENGINES = ("bcftools", "gatk", "deepvariant", "parabricks")
FASTA = "chr20_9995001_11095000.fa"
R1 = "NA12878_S1.chr20.10_10p1mb_R1.fastq.gz"
R2 = "NA12878_S1.chr20.10_10p1mb_R2.fastq.gz"
TRUTH = "test_nist.b37_chr20_100kbp_at_10mb.chr20_9995001_11095000.vcf.gz"
CONFIDENT = "test_nist.b37_chr20_100kbp_at_10mb.chr20_9995001_11095000.bed"


def engine_settings(engine: str) -> dict:
    """config `calling` for an engine (`parabricks:deepvariant` picks pbrun deepvariant)."""
    name, _, caller = engine.partition(":")
    if name not in ENGINES:
        raise ValueError(
            f"unknown engine '{engine}' (one of {', '.join(ENGINES)}, or parabricks:deepvariant)"
        )
    if caller and name != "parabricks":
        raise ValueError(f"only parabricks takes a caller ('{engine}')")
    calling: dict = {"engine": name}
    if caller:
        calling["parabricks"] = {"caller": caller}
    return calling


def validation_files(data: Path, engine: str) -> dict[str, str]:
    """{file name: content} of samples.tsv, units.tsv, truth.tsv and config.yaml."""
    data = data.resolve()
    missing = [f for f in (FASTA, R1, R2, TRUTH, CONFIDENT) if not (data / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{data}: missing {', '.join(missing)} (see the shared data README)"
        )
    config = {
        "samples": "samples.tsv",
        "units": "units.tsv",
        "reference": {"fasta": str(data / FASTA), "ploidy": "GRCh38"},
        "markdup": {"optical_distance": 100},  # HiSeq 2500
        "calling": engine_settings(engine),
        "qc": {
            "autosomes": "chr20_.*",
            "par": "",
            "overrides": [
                {"sample": "NA12878", "justification": "reads cover only 100 kb of the slice"}
            ],
        },
        "evaluation": {"truth": "truth.tsv"},
    }
    return {
        "samples.tsv": "sample\tsex\tpopulation\nNA12878\tfemale\tUS\n",
        "units.tsv": "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n"
        f"NA12878\tL001\tILLUMINA\tNA12878-lib\t{data / R1}\t{data / R2}\n",
        "truth.tsv": "sample\tvcf\tbed\ttruth_sample\n"
        f"NA12878\t{data / TRUTH}\t{data / CONFIDENT}\tINTEGRATION\n",
        "config.yaml": f"# make validate ENGINE={engine} (scripts/make_validation_config.py)\n"
        + yaml.safe_dump(config, sort_keys=False),
    }


def cli(argv: list[str] | None = None) -> int:
    """``make_validation_config.py OUTDIR --data DIR [--engine ENGINE]``; returns the exit
    status (1 for an unknown engine or missing data)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument(
        "--data", type=Path, required=True, help="the na12878_chr20 folder of the shared data"
    )
    ap.add_argument("--engine", default="bcftools")
    args = ap.parse_args(argv)
    try:
        files = validation_files(args.data, args.engine)
    except (ValueError, FileNotFoundError) as err:
        print(f"make_validation_config: {err}", file=sys.stderr)
        return 1
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.outdir / name).write_text(text)
    print(f"validation project for engine {args.engine} in {args.outdir}", file=sys.stderr)
    return 0
