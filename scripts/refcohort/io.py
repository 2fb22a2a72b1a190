"""Tab-separated tables and BED files: one reader for every consumer.

Every table the pipeline reads (the sample and unit sheets, its own QC tables) goes
through :func:`tsv_lines`, so all of them get the same normalisation: UTF-8 with or
without a byte-order mark, LF or CRLF line ends, lines starting with '#' and blank
(or whitespace-only) lines skipped. Values are kept exactly otherwise.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

Interval = tuple[str, int, int]  # contig, 0-based start, end (half-open)
BED_HEADERS = ("#", "track", "browser")


def tsv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(1-based line number, tab-separated fields) of every line that holds data."""
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        yield number, line.split("\t")


def read_text(path: str | Path) -> str:
    """A text file as UTF-8, a byte-order mark dropped."""
    return Path(path).read_bytes().decode("utf-8-sig")


def read_tsv(path: str | Path | None) -> list[dict[str, str]]:
    """The rows of a headed TSV as dicts (no path: no rows), with the normalisation of
    :func:`tsv_lines`; fields quoted by :func:`write_tsv` (a value holding a tab, a quote
    or a line end) are unquoted. A row with fewer fields than the header gets '' for the
    missing ones."""
    if not path:
        return []
    lines = [
        line
        for line in (raw.rstrip("\r") for raw in read_text(path).split("\n"))
        if line.strip() and not line.startswith("#")
    ]
    rows = list(csv.reader(lines, delimiter="\t"))
    if not rows:
        return []
    header = rows[0]
    return [dict(zip(header, fields + [""] * (len(header) - len(fields)))) for fields in rows[1:]]


def write_tsv(path: str | Path, columns: Sequence[str], rows: Iterable[dict[str, object]]) -> None:
    """A headed TSV of ``columns`` (extra keys ignored, None written as '')."""
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=list(columns),
            delimiter="\t",
            extrasaction="ignore",
            lineterminator="\n",
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def bed_records(path: str | Path) -> Iterator[list[str]]:
    """The fields of every interval line of a BED (headers, blank lines and comments
    skipped): tab-separated, or separated by spaces in a line without tabs."""
    with open(path) as fh:
        for line in fh:
            if not line.strip() or line.startswith(BED_HEADERS):
                continue
            line = line.rstrip("\r\n")
            yield line.split("\t") if "\t" in line else line.split()


def read_bed(path: str | Path) -> list[Interval]:
    """The first three columns of a BED file."""
    return [(f[0], int(f[1]), int(f[2])) for f in bed_records(path)]


def read_bed_by_contig(path: str | Path | None) -> dict[str, list[tuple[int, int]]]:
    """Intervals of a BED (e.g. the PARs) per contig, in file order; no path: none."""
    out: dict[str, list[tuple[int, int]]] = {}
    if not path:
        return out
    for contig, start, end in read_bed(path):
        out.setdefault(contig, []).append((start, end))
    return out


def write_bed(path: str | Path, intervals: Iterable[Sequence[object]]) -> None:
    """One tab-separated line per interval (3 columns, or more when given)."""
    with open(path, "w") as fh:
        fh.writelines("\t".join(str(v) for v in interval) + "\n" for interval in intervals)
