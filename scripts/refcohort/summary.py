"""What the workflow prints when a run ends (the Snakefile's onsuccess and onerror): the
gate's verdict per sample with its reasons, the samples whose processing failed with the
line of their log that says why, and where the outputs are. The same words for a plain
`snakemake` run and for `make demo`; the files behind them are the QC table
(results/qc/sample_qc.tsv) and the failed-jobs table (results/failed_samples.tsv).

No Snakemake imports: callers pass plain paths and rows.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from .failures import failure_text
from .io import read_tsv

WIDTH = 100
# the outputs a user looks for first, in this order, with what they are
OUTPUTS = (
    ("results/report/multiqc.html", "QC report"),
    ("results/qc/sample_qc.tsv", "verdict table"),
    ("results/joint/cohort.vcf.gz", "cohort VCF"),
    ("results/sv/cohort.bcf", "cohort SVs"),
    ("results/release/allele_frequencies.vcf.gz", "release"),
    ("results/release/sv_allele_frequencies.vcf.gz", "SV release"),
    ("results/eval/summary.tsv", "accuracy"),
    ("results/eval/sv_accuracy.tsv", "SV accuracy"),
    ("results/manifest.tsv", "manifest"),
)


def _wrap(text: str, indent: int) -> str:
    return textwrap.fill(
        text, WIDTH, initial_indent="", subsequent_indent=" " * indent, break_on_hyphens=False
    )


def failed_by_sample(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The first failed job of each sample (rows of results/failed_samples.tsv); cohort
    steps are under '(cohort)'."""
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        out.setdefault(row.get("sample") or "(cohort)", row)
    return out


def run_summary(
    table: str | Path | None,
    failed: list[dict[str, str]],
    samples: list[str],
    succeeded: bool,
    structure: str | Path | None = None,
) -> str:
    """The lines printed at the end of a run: the gate's verdicts with the cohort-structure
    WARNs (``structure``, results/qc/structure.tsv, when it exists and is newer than the
    gate's table) added."""
    from .qc.structure import combined_rows

    rows = read_tsv(table) if table and Path(table).is_file() else []
    # only a structure table made from this gate table (not one left by an earlier run)
    fresh = (
        structure
        and Path(structure).is_file()
        and table
        and Path(table).is_file()
        and Path(structure).stat().st_mtime >= Path(table).stat().st_mtime
    )
    found = read_tsv(structure) if fresh else []
    rows = combined_rows(rows, found) if found else rows
    verdicts = {r["sample"]: r for r in rows}
    failures = failed_by_sample(failed)
    lines = ["", "=" * 30 + " Run summary " + "=" * 30]
    if verdicts:
        counts = {s: sum(r["status"] == s for r in rows) for s in ("PASS", "WARN", "FAIL")}
        joint = sum(r.get("joint_calling") == "included" for r in rows)
        lines.append(
            f"Samples: {len(rows)} — PASS {counts['PASS']}, WARN {counts['WARN']}, "
            f"FAIL {counts['FAIL']}; {joint} joint-called (results/qc/sample_qc.tsv"
            + (", with the cohort-structure WARNs of results/qc/structure.tsv)" if found else ")")
        )
        for r in rows:
            if r["status"] == "PASS" and not r.get("override"):
                continue
            why = r.get("reasons") or ""
            if r.get("override"):
                why += f"{'; ' if why else ''}kept by override: {r['override']}"
            lines.append(_wrap(f"  {r['sample']:<10} {r['status']:<5} {why}", 19))
    missing = [s for s in samples if s not in verdicts]
    for sample in missing:
        if sample in failures:
            lines.append(_wrap(f"  {sample:<10} no verdict: {failure_text(failures[sample])}", 13))
        elif not succeeded:
            lines.append(f"  {sample:<10} no verdict yet (the run stopped before its QC)")
    if "(cohort)" in failures:
        lines.append(_wrap(f"Cohort step failed: {failure_text(failures['(cohort)'])}", 4))
    if verdicts and not any(r.get("joint_calling") == "included" for r in rows):
        lines.append(
            _wrap(
                "No sample passed the QC gate, so nothing was joint-genotyped and no release "
                "was made. The verdict table and the QC report say why for each sample; "
                "fix the data, or change qc.thresholds, or keep a sample with qc.overrides "
                "(docs/qc.md).",
                0,
            )
        )
    made = [(p, what) for p, what in OUTPUTS if Path(p).exists()]
    if made:
        lines.append("Outputs:")
        lines += [f"  {what:<14} {p}" for p, what in made]
    if failed:
        lines.append(
            f"{len(failed)} job(s) failed; each with the line of its log that says why: "
            "results/failed_samples.tsv"
        )
    lines.append("=" * 73)
    return "\n".join(lines) + "\n"
