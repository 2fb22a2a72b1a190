"""Parsers of the tool outputs the GA4GH metrics come from: ``samtools stats``,
``samtools markdup -f`` stats and single-sample ``bcftools stats -s -``."""

from __future__ import annotations

from pathlib import Path


def parse_number(text: str) -> int | float:
    """An int for integral text without a point or exponent, a float otherwise."""
    value = float(text)
    integral = value.is_integer() and "." not in text and "e" not in text.lower()
    return int(value) if integral else value


def parse_samtools_stats(path: str | Path, min_quality: int = 30) -> dict[str, int | float]:
    """SN values of a ``samtools stats`` file keyed by their label without the colon
    (``"raw total sequences"``, ``"reads mapped"``, ...), plus ``bases_q30``: bases with
    quality >= ``min_quality`` summed over the first- and last-fragment per-cycle quality
    histograms (FFQ/LFQ rows: cycle, then counts for quality 0, 1, 2, ...). samtools
    stats fills those histograms from primary reads only, duplicates included.
    """
    out: dict[str, int | float] = {}
    q_bases = 0
    with open(path) as fh:
        for line in fh:
            if line.startswith("SN\t"):
                fields = line.rstrip("\n").split("\t")
                out[fields[1].rstrip(":").strip()] = parse_number(fields[2])
            elif line.startswith(("FFQ\t", "LFQ\t")):
                counts = line.rstrip("\n").split("\t")[2:]
                q_bases += sum(int(c) for c in counts[min_quality:])
    if "raw total sequences" not in out:
        raise ValueError(f"{path}: no SN section; not a samtools stats file?")
    out["bases_q30"] = q_bases
    return out


def parse_markdup(path: str | Path) -> dict[str, int]:
    """``KEY: value`` lines of a ``samtools markdup -f`` stats file as ints
    (``READ``, ``EXAMINED``, ``DUPLICATE PAIR`` (in reads), ``DUPLICATE SINGLE``, ...);
    the ``COMMAND`` line is skipped."""
    out: dict[str, int] = {}
    with open(path) as fh:
        for line in fh:
            key, sep, value = line.partition(":")
            if not sep or key == "COMMAND":
                continue
            try:
                out[key.strip()] = int(value.strip())
            except ValueError:
                continue
    if "EXAMINED" not in out:
        raise ValueError(f"{path}: no EXAMINED line; not a samtools markdup -f stats file?")
    return out


def _columns(header: str) -> list[str]:
    """Column names of a ``# KEY\\t[2]id\\t[3]sample...`` header line."""
    return [field.split("]", 1)[-1] for field in header.rstrip("\n").split("\t")]


def parse_bcftools_stats(path: str | Path) -> dict:
    """Sections of a single-sample ``bcftools stats -s -`` file:

    ``{"SN": {key: value}, "PSC": {column: value} | None, "PSI": {column: value} | None,
    "IDD": {length: number of sites}}``, PSC/PSI columns named by the file's own header
    (``nRefHom``, ``nNonRefHom``, ``nHets``, ``nTransitions``, ``nTransversions``,
    ``nIndels``, ``nHapRef``, ``nHapAlt``, ...; ``nInsHets``, ``nDelHets``,
    ``nInsAltHoms``, ``nDelAltHoms``). Raises if there is more than one sample.
    """
    headers: dict[str, list[str]] = {}
    out: dict = {"SN": {}, "PSC": None, "PSI": None, "IDD": {}}
    with open(path) as fh:
        for line in fh:
            if line.startswith("# ") and "\t" in line:
                key = line[2:].split("\t", 1)[0]
                if key in ("PSC", "PSI", "IDD"):
                    headers[key] = _columns(line)
                continue
            fields = line.rstrip("\n").split("\t")
            key = fields[0]
            if key == "SN":
                out["SN"][fields[2].rstrip(":")] = parse_number(fields[3])
            elif key in ("PSC", "PSI"):
                if out[key] is not None:
                    raise ValueError(f"{path}: more than one {key} row; expected one sample")
                names = headers.get(key)
                if names is None:
                    raise ValueError(f"{path}: {key} row before its header")
                row = {}
                for name, value in zip(names[2:], fields[2:]):
                    row[name] = value if name == "sample" else parse_number(value)
                out[key] = row
            elif key == "IDD":
                length, n_sites = int(fields[2]), int(fields[3])
                out["IDD"][length] = out["IDD"].get(length, 0) + n_sites
    if not out["SN"]:
        raise ValueError(f"{path}: no SN section; not a bcftools stats file?")
    return out
