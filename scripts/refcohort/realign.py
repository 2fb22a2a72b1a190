"""The realignment plan of units whose reads come from an existing CRAM, BAM or unaligned
BAM (units.tsv columns `cram`, `bam`, `ubam`; the kinds are in refcohort.sheets): the
read groups and @PG provenance that rule bwa_mem gives BWA when it realigns them.

The reads are streamed `samtools collate | samtools fastq` into the same fastp and
`bwa mem` as FASTQ units, so every genome comes out of one aligner, reference and
duplicate marking. What is kept from the file's header (refcohort.headers reads it):

* read groups: ID, PU, LB, PL and every other field, with SM set to the pipeline's sample
  ID (the sample sheet decides who the reads belong to). One @RG line: it is given to
  every read (`bwa mem -R`). Several: each read keeps its own RG tag (`samtools fastq
  -T RG` + `bwa mem -C`) and the lines go into the header (`bwa mem -H`). None: the read
  group is built from units.tsv, as for FASTQ.
* the @PG chain of the original processing, with IDs prefixed by the unit ID (so two
  units' chains, or the original `bwa` and ours, cannot collide) and PP links rewritten
  to match; our `bwa` @PG line is then linked to the end of that chain
  (scripts/link_pg.sh), and samtools adds its own lines after it.
"""

from __future__ import annotations

import shlex

from .headers import field, header_records, with_field


def read_groups(text: str, sample: str, unit: str, platform: str, library: str) -> list[list[str]]:
    """The file's @RG records with SM = our sample, PL and LB filled from units.tsv where
    the file has none; one record built from units.tsv when the file has no @RG."""
    records = header_records(text, "RG")
    if not records:
        return [
            [
                "@RG",
                f"ID:{sample}.{unit}",
                f"SM:{sample}",
                f"PL:{platform}",
                f"LB:{library}",
                f"PU:{unit}",
            ]
        ]
    out = []
    for record in records:
        record = with_field(record, "SM", sample)
        if not field(record, "PL"):
            record = with_field(record, "PL", platform)
        if not field(record, "LB"):
            record = with_field(record, "LB", library)
        out.append(record)
    return out


def pg_chain(text: str, unit: str) -> tuple[list[list[str]], str | None]:
    """The file's @PG records with IDs and PP links prefixed by `unit.`, and the ID our
    bwa should follow: the last record that no other record names as its PP (the end of
    the chain; the last one listed when the header holds several chains)."""
    records = header_records(text, "PG")
    ids = [field(r, "ID") for r in records]
    renamed = []
    for record in records:
        for tag in ("ID", "PP"):
            value = field(record, tag)
            if value is not None:
                record = with_field(record, tag, f"{unit}.{value}")
        renamed.append(record)
    parents = {field(r, "PP") for r in records}
    ends = [i for i in ids if i is not None and i not in parents]
    return renamed, (f"{unit}.{ends[-1]}" if ends else None)


def bwa_escape(line: str) -> str:
    """bwa mem -R/-H turn '\\t' and '\\n' into tab and newline and '\\\\' into '\\':
    escape backslashes, tabs and newlines so each line arrives as written."""
    return line.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def realign_plan(text: str, sample: str, unit: str, platform: str, library: str) -> dict:
    """How bwa_mem carries a file's read groups and provenance into the new alignment:

    * ``read_group``: the one @RG line for ``bwa mem -R`` (None when there are several),
    * ``header``: the lines for ``bwa mem -H`` (several @RG lines, then the @PG chain),
    * ``copy_rg``: True when each read's RG tag must travel with it (several read groups),
    * ``pg_parent``: the ID our bwa @PG line follows (None when the file has no @PG),
    * ``read_group_ids`` and ``original_samples``: for the log and tests.
    """
    groups = read_groups(text, sample, unit, platform, library)
    chain, parent = pg_chain(text, unit)
    several = len(groups) > 1
    header = ["\t".join(g) for g in groups] if several else []
    header += ["\t".join(p) for p in chain]
    return {
        "read_group": None if several else "\t".join(groups[0]),
        "header": header,
        "copy_rg": several,
        "pg_parent": parent,
        "read_group_ids": [field(g, "ID") for g in groups],
        "original_samples": sorted(
            {s for r in header_records(text, "RG") if (s := field(r, "SM"))}
        ),
    }


def bwa_header_options(plan: dict) -> str:
    """bwa mem options that carry a cram/bam/ubam's read groups and @PG chain into the new
    alignment: `-R` with its one read group (or one from units.tsv when it has none), or
    `-C` when each read keeps its own; `-H` with several @RG lines and the @PG chain."""
    options = []
    if plan["read_group"]:
        options.append(f"-R {shlex.quote(bwa_escape(plan['read_group']))}")
    else:
        options.append("-C")
    if plan["header"]:
        header = "\\n".join(bwa_escape(line) for line in plan["header"])
        options.append(f"-H {shlex.quote(header)}")
    return " ".join(options)
