"""The sample and unit sheets' vocabulary: IDs, unit kinds, sex codes, and the checked
sheet as validation hands it on (read by refcohort.validation.sheets through
refcohort.io, the reader every later consumer shares)."""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
ID_REGEX = re.compile(ID_PATTERN)
ALIGNED_KINDS = ("cram", "bam", "ubam")
FILE_COLUMNS = ("fq1", "fq2") + ALIGNED_KINDS
# bcftools call --samples-file sex codes: unknown sex is genotyped as female (diploid X)
CALL_SEX_CODE = {"male": "M", "female": "F", "unknown": "F"}


def unit_kind(row: dict) -> str:
    """'fastq', 'cram', 'bam' or 'ubam' for a checked units.tsv row."""
    for kind in ALIGNED_KINDS:
        if row.get(kind):
            return kind
    return "fastq"


def unit_kinds(row: dict) -> list[str]:
    """Every kind of input a row names (a valid row names exactly one)."""
    kinds = ["fastq"] if row.get("fq1") or row.get("fq2") else []
    return kinds + [k for k in ALIGNED_KINDS if row.get(k)]


@dataclass
class Sheet:
    """A TSV sample or unit sheet: its rows as strings with their line numbers."""

    path: str
    key: str  # the config key that names it, for messages
    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]
