"""The sample-QC gate: PASS, WARN or FAIL per sample from its GA4GH metrics, with every
reason, and the list of samples that enter joint genotyping.

A threshold rule is ``{fail_below, fail_above, warn_below, warn_above}`` (any subset) per
metric; a metric that is missing (null) where a rule applies gives a WARN. The sex check
maps its outcome (match, mismatch, aneuploidy, ambiguous, undeclared) to a status. FAIL
samples are left out of joint genotyping unless an override names them; the override's
justification is written to the table and the status stays what the metrics say.
The ``source`` column says where each sample's reads came from (FASTQ, or the CRAM, BAM
or unaligned BAM that was realigned), from units.tsv.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from .. import integrity
from ..io import write_tsv
from ..sheets import CALL_SEX_CODE
from .definitions import METRICS

STATUS_ORDER = {"PASS": 0, "WARN": 1, "FAIL": 2}


def fmt(value) -> str:
    """Compact number formatting for reasons and the table."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def evaluate(
    metrics: dict, thresholds: dict[str, dict], sex_policy: dict[str, str]
) -> tuple[str, list[str]]:
    """Status and reasons for one sample's metrics."""
    status, reasons = "PASS", []

    def flag(level: str, text: str) -> None:
        nonlocal status
        reasons.append(f"{level}: {text}")
        if STATUS_ORDER[level] > STATUS_ORDER[status]:
            status = level

    for metric, rule in thresholds.items():
        value = metrics.get(metric)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            flag("WARN", f"{metric} not available")
            continue
        for key, level, failed in (
            ("fail_below", "FAIL", lambda v, t: v < t),
            ("fail_above", "FAIL", lambda v, t: v > t),
            ("warn_below", "WARN", lambda v, t: v < t),
            ("warn_above", "WARN", lambda v, t: v > t),
        ):
            limit = rule.get(key)
            if limit is not None and failed(value, limit):
                sign = "<" if key.endswith("below") else ">"
                flag(level, f"{metric} {fmt(value)} {sign} {fmt(limit)}")
                break  # the most severe breach of this metric is enough
    outcome = metrics.get("sex_check")
    level = sex_policy.get(outcome or "", "WARN" if outcome is None else "PASS")
    if level != "PASS":
        declared, karyotype = metrics.get("declared_sex"), metrics.get("karyotype")
        flag(
            level,
            f"sex check {outcome or 'not available'} (declared {declared} vs inferred {karyotype})",
        )
    # report FAIL reasons first
    reasons.sort(key=lambda r: -STATUS_ORDER[r.split(":")[0]])
    return status, reasons


def gate(
    qc: dict[str, dict],
    thresholds: dict[str, dict],
    sex_policy: dict[str, str],
    overrides: dict[str, str],
    columns: list[str],
    sources: dict[str, str] | None = None,
) -> list[dict]:
    """One row per sample: verdict, reasons, override, whether it is joint-called, where
    its reads came from, metrics."""
    rows = []
    for sample, metrics in qc.items():
        status, reasons = evaluate(metrics, thresholds, sex_policy)
        override = overrides.get(sample, "")
        included = status != "FAIL" or bool(override)
        row = {
            "sample": sample,
            "status": status,
            "reasons": "; ".join(reasons) if reasons else "",
            "override": override,
            "joint_calling": "included" if included else "excluded",
            "source": (sources or {}).get(sample, ""),
        }
        row.update({c: fmt(metrics.get(c)) for c in columns})
        rows.append(row)
    return rows


def processing_failed_rows(
    failed: dict[str, str], columns: list[str], sources: dict[str, str] | None = None
) -> list[dict]:
    """FAIL rows for samples whose processing failed before they had QC metrics (a
    broken FASTQ; `failed`: sample -> the failed step and its log line). They are never
    joint-called, whatever an override says: there is nothing to call."""
    return [
        {
            "sample": sample,
            "status": "FAIL",
            "reasons": f"FAIL: processing failed: {why}",
            "override": "",
            "joint_calling": "excluded",
            "source": (sources or {}).get(sample, ""),
            **{c: "NA" for c in columns},
        }
        for sample, why in failed.items()
    ]


def read_qc(paths: list[str]) -> dict[str, dict]:
    """{sample: flat metrics} from results/qc/{sample}.qc.json files."""
    out = {}
    for path in paths:
        data = json.loads(Path(path).read_text())
        out[data["sample"]] = data["metrics"]
    return out


def main(smk) -> None:
    """Rule gate_samples: input qc (the per-sample JSONs); output table, sexes (the
    joint-called samples' bcftools sex codes); params thresholds, sex_policy, overrides,
    sexes, sources, failed (samples whose processing failed: their step and log line),
    order (the sheet's sample order); log. With no sample to joint-call the table is still
    written and the run goes on to the report (the run's summary says so)."""
    sys.stderr = open(smk.log[0], "w")
    qc = read_qc(list(smk.input.qc))
    failed = dict(smk.params.failed)
    unknown = sorted(set(smk.params.overrides) - set(qc) - set(failed))
    if unknown:
        raise SystemExit(
            f"qc.overrides names samples that are not in the cohort: {', '.join(unknown)}"
        )
    rows = gate(
        qc,
        dict(smk.params.thresholds),
        dict(smk.params.sex_policy),
        dict(smk.params.overrides),
        list(METRICS),
        dict(smk.params.sources),
    )
    rows += processing_failed_rows(failed, list(METRICS), dict(smk.params.sources))
    order = {s: i for i, s in enumerate(smk.params.order)}
    rows.sort(key=lambda r: order.get(r["sample"], len(order)))
    for r in rows:
        print(
            f"{r['sample']}\t{r['status']}\t{r['joint_calling']}\t{r['reasons']}", file=sys.stderr
        )
    write_tsv(smk.output.table, list(rows[0]), rows)
    integrity.seal(smk.output.table, integrity.DEFAULT_CACHE)
    included = [r["sample"] for r in rows if r["joint_calling"] == "included"]
    if not included:
        print("no sample passed the gate: nothing to joint-genotype", file=sys.stderr)
    with open(smk.output.sexes, "w") as fh:
        fh.writelines(f"{s}\t{CALL_SEX_CODE[smk.params.sexes[s]]}\n" for s in included)
    sys.stderr.flush()
