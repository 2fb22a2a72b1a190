"""An nf-core/sarek samplesheet (CSV: patient, sex, status, sample, lane, fastq_1,
fastq_2) as this pipeline's two sheets, samples.tsv and units.tsv (scripts/convert_samplesheet.py).

sarek names the sample of a germline run by ``sample`` (``patient`` groups a patient's
samples); ``sex`` is XX, XY or NA; ``status`` 1 marks a tumour, which a germline reference
cohort does not take. sarek has no population column: every sample gets ``population``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .io import write_tsv

SEX = {"XX": "female", "XY": "male", "NA": "unknown", "": "unknown"}
REQUIRED = ("sample", "lane", "fastq_1", "fastq_2")


class SarekError(ValueError):
    pass


def convert(
    rows: list[dict[str, str]], population: str, platform: str = "ILLUMINA"
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(samples rows, units rows) from the rows of a sarek samplesheet."""
    if not rows:
        raise SarekError("the samplesheet has no rows")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise SarekError(
            f"the samplesheet has no column {', '.join(missing)}; a sarek FASTQ samplesheet "
            "has patient, sex, status, sample, lane, fastq_1, fastq_2"
        )
    samples: dict[str, dict[str, str]] = {}
    units = []
    for number, row in enumerate(rows, start=2):
        if row.get("status", "0").strip() not in ("", "0"):
            raise SarekError(
                f"line {number}: status {row['status']!r} is a tumour sample; a germline "
                "reference cohort takes normal samples only (status 0)"
            )
        sample = row["sample"].strip()
        sex = SEX.get(row.get("sex", "").strip().upper())
        if sex is None:
            raise SarekError(f"line {number}: sex {row['sex']!r} is not XX, XY or NA")
        known = samples.setdefault(sample, {"sample": sample, "sex": sex, "population": population})
        if known["sex"] != sex:
            raise SarekError(f"line {number}: sample {sample!r} has two sexes in the sheet")
        units.append(
            {
                "sample": sample,
                "unit": row["lane"].strip(),
                "platform": platform,
                "library": "",
                "fq1": row["fastq_1"].strip(),
                "fq2": row["fastq_2"].strip(),
            }
        )
    return list(samples.values()), units


def convert_file(csv_path: str, outdir: str, population: str, platform: str) -> tuple[Path, Path]:
    """Write samples.tsv and units.tsv into ``outdir``; return their paths."""
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    samples, units = convert(rows, population, platform)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    write_tsv(out / "samples.tsv", ["sample", "sex", "population"], samples)
    write_tsv(out / "units.tsv", ["sample", "unit", "platform", "library", "fq1", "fq2"], units)
    return out / "samples.tsv", out / "units.tsv"
