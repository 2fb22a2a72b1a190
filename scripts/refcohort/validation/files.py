"""The files the unit sheet names: FASTQ pairs, CRAM/BAM/uBAM inputs and a CRAM's
input_reference: safe paths, present, readable, not empty, not shared between units, of
the format their column says, and an input CRAM against the FASTA it was written with.
"""

from __future__ import annotations

import getpass
import gzip
import os
from pathlib import Path

from ..headers import HEADER_ERRORS, cram_header_text, header_records
from ..sheets import ALIGNED_KINDS, Sheet
from .fasta import GZIP_MAGIC, fasta_contigs
from .messages import describe_mode, shell_characters, show

FILE_KINDS = {
    "fq1": "FASTQ",
    "fq2": "FASTQ",
    "cram": "CRAM",
    "bam": "BAM",
    "ubam": "unaligned BAM",
    "input_reference": "FASTA",
}
FORMAT_HINTS = {
    "CRAM": "a CRAM: put it in the 'cram' column (with input_reference)",
    "BAM": "a BAM: put it in the 'bam' or 'ubam' column",
}


def file_format(path: str) -> str:
    """'CRAM', 'BAM', 'gzip' (other than BAM), or 'other', from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"CRAM":
        return "CRAM"
    if head[:2] != GZIP_MAGIC:
        return "other"
    try:
        with gzip.open(path, "rb") as fh:
            return "BAM" if fh.read(4) == b"BAM\x01" else "gzip"
    except (OSError, EOFError):
        return "gzip"


def file_problem(where: str, column: str, value: str, kind: str) -> str | None:
    """What is wrong with one input file that exists or should: missing, not a file,
    unreadable, empty, of another format than its column, a FASTA without its .fai."""
    p = Path(value)
    if not p.exists():
        return (
            f"{where}: {kind} {show(value)} does not exist (relative paths are read from "
            f"{Path.cwd()}); correct the path."
        )
    if not p.is_file():
        return f"{where}: {show(value)} is not a file; give the path of the {kind} file."
    if not os.access(p, os.R_OK):
        return (
            f"{where}: {kind} {show(value)} is not readable by user {getpass.getuser()} "
            f"(permissions {describe_mode(p)}); fix its permissions (e.g. chmod a+r)."
        )
    if p.stat().st_size == 0:
        return f"{where}: {kind} {show(value)} is empty (0 bytes); transfer the file again."
    if column in ALIGNED_KINDS:
        found = file_format(value)
        wanted = "CRAM" if column == "cram" else "BAM"
        if found != wanted:
            hint = FORMAT_HINTS.get(found, "neither BAM nor CRAM (FASTQ goes in fq1/fq2)")
            return f"{where}: {show(value)} is not a {kind} file; it is {hint}."
    elif column == "input_reference" and not Path(f"{value}.fai").is_file():
        return (
            f"{where}: {show(value)} has no index {show(value + '.fai')}; samtools needs it to "
            f"decode the CRAM: run `samtools faidx {value}` (or copy the .fai beside it)."
        )
    return None


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (the same text, or links to one file)."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def fastq_problems(units: Sheet, aligned: set[str] = frozenset()) -> list[str]:
    """The input files of every unit (FASTQs, CRAM/BAM/uBAM, a CRAM's input_reference):
    no shell characters; R1 differs from R2; no file used by two units; the file exists,
    is a readable, non-empty file; a cram/bam/ubam is of that format. Existence is not
    required for samples already aligned (`aligned`: their CRAM exists), so inputs may be
    archived after alignment."""
    problems = []
    seen: dict[str, tuple[int, str]] = {}
    for row, line in zip(units.rows, units.lines):
        paths = {}
        for column, kind in FILE_KINDS.items():
            value = row.get(column, "")
            if not value:
                continue  # the schema and unit_kind_problems report missing inputs
            where = f"{units.path}, line {line}, column '{column}'"
            bad = shell_characters(value)
            if bad:
                shown = " ".join(repr(c) if c.isspace() else c for c in bad)
                problems.append(
                    f"{where}: the path {show(value)} contains the shell character"
                    f"{'s' if len(bad) > 1 else ''} {shown}, which are not allowed in {kind} "
                    "paths; rename the file (or link it) to a path without them."
                )
                continue
            paths[column] = value
            resolved = os.path.realpath(value)
            if column == "input_reference":
                pass  # one reference serves many CRAMs
            elif resolved in seen:
                other_line, other_column = seen[resolved]
                if other_line != line:
                    problems.append(
                        f"{where}: {show(value)} is also used on line {other_line} "
                        f"(column '{other_column}'); each {kind} file belongs to one unit."
                    )
            else:
                seen[resolved] = (line, column)
            if row.get("sample") in aligned:
                continue
            problem = file_problem(where, column, value, kind)
            if problem:
                problems.append(problem)
        if "fq1" in paths and "fq2" in paths and same_file(paths["fq1"], paths["fq2"]):
            problems.append(
                f"{units.path}, line {line}, columns 'fq1' and 'fq2': R1 and R2 are the same "
                f"file {show(paths['fq1'])}; fq2 must be the mate (R2) file of this unit."
            )
    return problems


def reference_differences(text: str, reference: dict[str, dict]) -> tuple[list[str], str | None]:
    """How a CRAM's @SQ lines differ from a FASTA's contigs (names, M5, lengths), and the
    first UR the header names (None when none does)."""
    diffs, ur = [], None
    for record in header_records(text, "SQ"):
        tags = dict(f.split(":", 1) for f in record[1:] if ":" in f)
        name, m5, ur = tags.get("SN"), tags.get("M5"), ur or tags.get("UR")
        if name is None:
            continue
        if name not in reference:
            diffs.append(f"contig {name} is in the CRAM but not in the FASTA")
        elif m5 and m5.lower() != reference[name]["md5"]:
            diffs.append(
                f"contig {name} has M5 {m5} in the CRAM but {reference[name]['md5']} in the FASTA"
            )
        elif tags.get("LN") and int(tags["LN"]) != reference[name]["length"]:
            diffs.append(
                f"contig {name} is {tags['LN']} bp in the CRAM but "
                f"{reference[name]['length']} bp in the FASTA"
            )
    return diffs, ur


def input_cram_problems(
    units: Sheet, aligned: set[str] = frozenset(), cache_dir: str | None = None
) -> list[str]:
    """Each input CRAM against its input_reference: every @SQ of the CRAM must be in the
    FASTA with the same length and (where the CRAM records one) the same M5 checksum;
    otherwise samtools would decode wrong bases or stop half-way through the job."""
    problems = []
    for row, line in zip(units.rows, units.lines):
        cram, fasta = row.get("cram"), row.get("input_reference")
        if not cram or not fasta or row.get("sample") in aligned:
            continue
        if not (Path(cram).is_file() and Path(fasta).is_file()) or file_format(cram) != "CRAM":
            continue  # fastq_problems reports it
        where = f"{units.path}, line {line}"
        try:
            text = cram_header_text(cram)
        except HEADER_ERRORS as e:
            problems.append(
                f"{where}, column 'cram': cannot read the header of {show(cram)} ({e}); "
                "is it complete?"
            )
            continue
        try:
            reference = fasta_contigs(fasta, cache_dir, md5=True)
        except (OSError, ValueError) as e:
            problems.append(f"{where}, column 'input_reference': cannot read {show(fasta)} ({e}).")
            continue
        diffs, ur = reference_differences(text, reference)
        if diffs:
            named = f" (the CRAM header names {show(ur)})" if ur else ""
            more = f" ... and {len(diffs) - 3} more" if len(diffs) > 3 else ""
            problems.append(
                f"{where}, column 'input_reference': {show(fasta)} is not the reference "
                f"{show(cram)} was written with{named}: {'; '.join(diffs[:3])}{more}. Give the "
                "FASTA the CRAM was made with (the sending centre can tell you its build and "
                "checksum)."
            )
    return problems
