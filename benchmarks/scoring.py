"""Calls against a truth set for the harnesses (bench_accuracy.py, bench_scaling.py), with
the pipeline's own scoring (``refcohort.compare``: normalised, allele-level match, PASS
query records), TP/FP/FN summed over samples."""

from __future__ import annotations

import math
from collections import defaultdict

from refcohort import compare


def score(
    truth: str,
    query: str,
    fasta: str,
    bed: str | None,
    truth_sample: str,
    query_sample: str,
) -> list[dict]:
    """compare.score rows (one per type) of one sample's calls (every truth record, PASS
    query records), inside ``bed`` when given."""
    t = compare.load_calls(truth, fasta, truth_sample, bed, include_filtered=True)
    c = compare.load_calls(query, fasta, query_sample, bed)
    return compare.score([(*k, v) for k, v in t.items()], [(*k, v) for k, v in c.items()])


def pooled(rows: list[list[dict]]) -> dict[str, dict]:
    """Sum TP/FP/FN (and genotype matches) per type over several samples' score rows."""
    acc: dict[str, dict] = defaultdict(lambda: {"truth": 0, "tp": 0, "fp": 0, "fn": 0, "gt": 0})
    for sample_rows in rows:
        for r in sample_rows:
            a = acc[r["type"]]
            a["truth"] += r["truth_total"]
            a["tp"] += r["tp"]
            a["fp"] += r["fp"]
            a["fn"] += r["fn"]
            a["gt"] += r["gt_tp"]
    for a in acc.values():
        p = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else math.nan
        r = a["tp"] / (a["tp"] + a["fn"]) if a["tp"] + a["fn"] else math.nan
        f1 = 2 * p * r / (p + r) if p + r else (math.nan if math.isnan(p + r) else 0.0)
        a.update(
            precision=p,
            recall=r,
            f1=f1,
            genotype_concordance=a["gt"] / a["tp"] if a["tp"] else math.nan,
        )
    return dict(acc)


def f1_by_type(query: str, truth: str, fasta: str, samples: list[str]) -> dict[str, float]:
    """F1 per type of the samples' calls in ``query`` against their truth in ``truth``
    (a multi-sample VCF), TP/FP/FN pooled over the samples."""
    by_type = pooled([score(truth, query, fasta, None, s, s) for s in samples])
    return {vtype: r["f1"] for vtype, r in by_type.items()}
