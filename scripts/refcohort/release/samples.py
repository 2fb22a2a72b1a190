"""Who is released: QC-passing samples of the joint call with a known sex, one of each
close pair left out (:func:`prune_related`); everyone else listed with the reason."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_MAX_KINSHIP = 0.177  # KING: first degree or closer
UNKNOWN_SEX_POLICIES = ("exclude", "count")
RELEASED_STATUSES = ("PASS", "WARN")
SEX_CODES = {"female": "F", "male": "M", "unknown": "U"}
EXCLUDED_COLUMNS = ["sample", "population", "sex", "reason", "detail"]


@dataclass
class Sample:
    name: str
    population: str
    sex: str  # F, M or U


def _coverage(row: dict[str, str]) -> float:
    try:
        value = float(row.get("mean_autosome_coverage", "nan"))
    except ValueError:
        return -math.inf
    return -math.inf if math.isnan(value) else value


def prune_related(
    pairs: Iterable[tuple[str, str, float]],
    candidates: Sequence[str],
    max_kinship: float,
    qc: dict[str, dict[str, str]],
) -> dict[str, list[tuple[str, float]]]:
    """Samples to leave out so that no two kept samples have kinship > ``max_kinship``.

    Greedy and deterministic: while a close pair is left, drop the sample in the most
    close pairs; ties go against a WARN verdict (before PASS), then the lower
    ``mean_autosome_coverage`` in ``qc``, then the lexicographically larger ID.  Pairs
    with a sample outside ``candidates`` are ignored (that sample is not released
    anyway).  Returns ``{dropped: [(partner, kinship), ...]}`` (its close pairs at the
    time it was dropped).
    """
    keep = set(candidates)
    close = sorted(
        {
            (min(a, b), max(a, b), float(k))
            for a, b, k in pairs
            if a in keep and b in keep and a != b and float(k) > max_kinship
        }
    )

    def badness(sample: str) -> tuple[int, float, str]:
        row = qc.get(sample, {})
        return (1 if row.get("status") == "WARN" else 0, -_coverage(row), sample)

    dropped: dict[str, list[tuple[str, float]]] = {}
    while close:
        degree: dict[str, int] = {}
        for a, b, _ in close:
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
        worst = max(degree, key=lambda s: (degree[s],) + badness(s))
        dropped[worst] = [(b if a == worst else a, k) for a, b, k in close if worst in (a, b)]
        close = [p for p in close if worst not in p[:2]]
    return dropped


def _pair(a: str, b: str) -> tuple[str, str]:
    return min(a, b), max(a, b)


def select_samples(
    vcf_samples: Sequence[str],
    sheet: Sequence[dict[str, str]],
    qc: Sequence[dict[str, str]],
    relatedness: Sequence[dict[str, str]],
    max_kinship: float = DEFAULT_MAX_KINSHIP,
    unknown_sex: str = "exclude",
) -> tuple[list[Sample], list[dict[str, str]]]:
    """The released samples (in VCF order) and one row per sample left out, with why.

    Released: in the joint VCF, gate verdict PASS or WARN (an override brings a FAIL
    sample into joint calling, not into the release; with no QC table every VCF sample
    counts as PASS), a known sex unless ``unknown_sex`` is ``count``, and not dropped
    by :func:`prune_related`.  Every sample of the sheet and the VCF appears in exactly
    one of the two lists.
    """
    if unknown_sex not in UNKNOWN_SEX_POLICIES:
        raise ValueError(f"unknown_sex must be one of {UNKNOWN_SEX_POLICIES}, got {unknown_sex!r}")
    info = {r["sample"]: r for r in sheet}
    missing = [s for s in vcf_samples if s not in info]
    if missing:
        raise ValueError(f"samples in the VCF but not in the sample sheet: {', '.join(missing)}")
    verdicts = {r["sample"]: r for r in qc}
    if qc:
        unjudged = [s for s in vcf_samples if s not in verdicts]
        if unjudged:
            raise ValueError(f"samples in the VCF without a QC verdict: {', '.join(unjudged)}")
    in_vcf = set(vcf_samples)
    excluded: list[dict[str, str]] = []

    def leave_out(name: str, reason: str, detail: str) -> None:
        row = info.get(name, {})
        excluded.append(
            {
                "sample": name,
                "population": row.get("population", ""),
                "sex": row.get("sex", ""),
                "reason": reason,
                "detail": detail,
            }
        )

    for row in sheet:
        if row["sample"] not in in_vcf:
            verdict = verdicts.get(row["sample"], {})
            detail = (
                verdict.get("reasons")
                or f"{verdict.get('status', 'no QC verdict')}: not in the joint-called VCF"
            )
            leave_out(row["sample"], "not joint-called", detail)
    candidates: list[str] = []
    for name in vcf_samples:
        verdict = verdicts.get(name, {"status": "PASS"})
        if verdict["status"] not in RELEASED_STATUSES:
            why = verdict.get("reasons", "")
            if verdict.get("override"):
                why += f" (joint-called by override: {verdict['override']})"
            leave_out(name, "QC FAIL", why.strip())
        elif info[name]["sex"] == "unknown" and unknown_sex == "exclude":
            leave_out(name, "sex unknown", "release.unknown_sex is 'exclude'")
        else:
            candidates.append(name)
    pairs = [(r["sample_1"], r["sample_2"], float(r["kinship"])) for r in relatedness]
    degrees = {_pair(r["sample_1"], r["sample_2"]): r.get("degree", "") for r in relatedness}
    dropped = prune_related(pairs, candidates, max_kinship, verdicts)
    for name in candidates:
        if name in dropped:
            detail = "; ".join(
                f"kinship {k:.3f} ({degrees.get(_pair(name, p), '')}) with {p}"
                for p, k in dropped[name]
            )
            leave_out(name, "related", detail)
    released = [
        Sample(n, info[n]["population"], SEX_CODES[info[n]["sex"]])
        for n in candidates
        if n not in dropped
    ]
    return released, excluded
