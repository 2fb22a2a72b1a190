"""Picard-style duplicate metrics (GATK MarkDuplicates, Parabricks fq2bam
``--out-duplicate-metrics``) as a ``samtools markdup -f`` stats file.

The QC stage reads duplication from samtools markdup stats (``refcohort.qc.metrics``:
``(DUPLICATE PAIR + DUPLICATE SINGLE) / EXAMINED``), so engines that mark duplicates
with a Picard-compatible tool write the same keys. Picard counts pairs, samtools counts
reads: pair counts are doubled. Rows of several libraries are summed.

Usage: convert_duplicate_metrics.py METRICS OUTPUT
"""

from __future__ import annotations

import argparse
import sys

FIELDS = (
    "UNPAIRED_READS_EXAMINED",
    "READ_PAIRS_EXAMINED",
    "SECONDARY_OR_SUPPLEMENTARY_RDS",
    "UNMAPPED_READS",
    "UNPAIRED_READ_DUPLICATES",
    "READ_PAIR_DUPLICATES",
    "READ_PAIR_OPTICAL_DUPLICATES",
)


def parse_picard(text: str) -> dict[str, int]:
    """Sum of the DuplicationMetrics rows (one per library) of a Picard metrics file."""
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("## METRICS CLASS"))
    except StopIteration:
        raise ValueError("no '## METRICS CLASS' section: not a Picard-style metrics file") from None
    header = lines[start + 1].split("\t")
    missing = [f for f in FIELDS if f not in header]
    if missing:
        raise ValueError(f"duplicate metrics lack the columns {', '.join(missing)}")
    totals = dict.fromkeys(FIELDS, 0)
    rows = 0
    for line in lines[start + 2 :]:
        if not line.strip() or line.startswith("#"):
            break
        values = dict(zip(header, line.split("\t")))
        for field in FIELDS:
            totals[field] += int(float(values[field] or 0))
        size = values.get("ESTIMATED_LIBRARY_SIZE", "")
        totals["ESTIMATED_LIBRARY_SIZE"] = totals.get("ESTIMATED_LIBRARY_SIZE", 0) + int(
            float(size or 0)
        )
        rows += 1
    if not rows:
        raise ValueError("the duplicate metrics have no library rows")
    return totals


def as_samtools(m: dict[str, int]) -> dict[str, int]:
    """The samtools markdup stats keys (read counts) from summed Picard metrics."""
    paired = 2 * m["READ_PAIRS_EXAMINED"]
    single = m["UNPAIRED_READS_EXAMINED"]
    dup_pair = 2 * m["READ_PAIR_DUPLICATES"]
    dup_single = m["UNPAIRED_READ_DUPLICATES"]
    return {
        "READ": paired + single + m["SECONDARY_OR_SUPPLEMENTARY_RDS"] + m["UNMAPPED_READS"],
        "EXAMINED": paired + single,
        "PAIRED": paired,
        "SINGLE": single,
        "DUPLICATE PAIR": dup_pair,
        "DUPLICATE SINGLE": dup_single,
        "DUPLICATE PAIR OPTICAL": 2 * m["READ_PAIR_OPTICAL_DUPLICATES"],
        "DUPLICATE TOTAL": dup_pair + dup_single,
        "ESTIMATED_LIBRARY_SIZE": m.get("ESTIMATED_LIBRARY_SIZE", 0),
    }


def render(stats: dict[str, int], source: str) -> str:
    lines = [f"COMMAND: converted from Picard-style duplicate metrics {source}"]
    lines += [f"{key}: {value}" for key, value in stats.items()]
    return "\n".join(lines) + "\n"


def convert(metrics: str, output: str) -> None:
    """Write the samtools markdup stats file ``output`` from the Picard-style ``metrics``."""
    with open(metrics) as fh:
        stats = as_samtools(parse_picard(fh.read()))
    with open(output, "w") as fh:
        fh.write(render(stats, metrics))


def cli(argv: list[str] | None = None) -> int:
    """``convert_duplicate_metrics.py METRICS OUTPUT``; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("metrics", help="Picard-style duplicate metrics")
    ap.add_argument("output", help="samtools markdup -f style stats file to write")
    args = ap.parse_args(argv)
    convert(args.metrics, args.output)
    return 0


def main(smk) -> None:
    """Rule convert_duplicate_metrics: input metrics; output stats; log."""
    sys.stderr = open(smk.log[0], "w")
    convert(smk.input.metrics, smk.output.stats)
