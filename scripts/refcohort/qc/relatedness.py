"""Cohort QC on the joint-called VCF: related pairs and per-sample outliers.

The workflow (rule ``estimate_relatedness``) reads plink2's KING-robust table and sample
counts (rule ``plink2_king``) with :func:`from_plink2`: plink2 computes the same
estimator as this package, faster (docs/benchmarks.md#cohort-structure). :func:`run` is
the package's own route, kept as the reference the benchmark checks plink2 against and
for ``scripts/estimate_relatedness.py`` as a command: it loads the QC sites
(:mod:`.cohort_genotypes`), estimates KING-robust kinship (:mod:`.kinship`). Both flag
heterozygosity and call-rate outliers over the same sites (:func:`sample_stats`,
:func:`mad_outliers`) and write a TSV of related pairs, a per-sample TSV and a JSON
summary.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..progress import log
from .cohort_genotypes import (
    DEFAULT_AUTOSOMES,
    DEFAULT_MIN_MAF,
    DEFAULT_MIN_QUAL,
    DEFAULT_MIN_SITE_CALL_RATE,
    load_genotypes,
)
from .kinship import (
    DEGREE_CUTOFFS,
    DEGREES,
    UNRELATED,
    degree,
    degree_counts,
    king_robust,
    plot_pairs,
    related_pairs,
)

DEFAULT_MAD_K = 5.0
# A MAD from fewer values is no robust spread estimate: in a 5-sample cohort with a
# duplicate pair, a 4% het-rate difference between populations scored as 10 MADs.
DEFAULT_MIN_OUTLIER_SAMPLES = 10

RELATEDNESS_COLUMNS = ["sample_1", "sample_2", "kinship", "ibs0", "n_sites", "degree"]
SAMPLE_COLUMNS = [
    "sample",
    "n_called",
    "call_rate",
    "n_het",
    "het_rate",
    "het_outlier",
    "call_rate_outlier",
]


ESTIMATOR = "KING-robust between-family kinship (Manichaikul et al. 2010; plink2 --make-king)"


def _log(message: str) -> None:
    """Write a time-stamped progress line to stderr (the rule's log in main)."""
    log("relatedness", message)


def sample_stats(genotypes: np.ndarray) -> dict[str, np.ndarray]:
    """Per-sample ``n_called``, ``call_rate``, ``n_het``, ``het_rate``.

    ``call_rate = n_called / n_sites`` and ``het_rate = n_het / n_called``
    (NaN when the denominator is 0).
    """
    g = np.asarray(genotypes)
    n_sites = g.shape[1]
    n_called = (g >= 0).sum(axis=1, dtype=np.int64)
    n_het = (g == 1).sum(axis=1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        call_rate = n_called / n_sites if n_sites else np.full(len(n_called), np.nan)
        het_rate = np.where(n_called > 0, n_het / np.maximum(n_called, 1), np.nan)
    return {
        "n_called": n_called,
        "call_rate": np.asarray(call_rate, dtype=np.float64),
        "n_het": n_het,
        "het_rate": het_rate,
    }


def mad_outliers(
    values: Iterable[float], k: float = DEFAULT_MAD_K, side: str = "both", min_samples: int = 3
) -> np.ndarray:
    """Flag values more than ``k`` scaled MADs from the median.

    A value x is flagged when ``|x - median| > k * 1.4826 * MAD`` (1.4826
    makes the MAD a consistent estimate of the SD for normal data), counting
    only the side asked for: ``"both"``, ``"low"`` (x below the median) or
    ``"high"``.  Median and MAD ignore NaN; NaN values are never flagged.
    Nobody is flagged when fewer than ``min_samples`` (at least 3) values are finite
    or when the MAD is 0 (more than half the values identical: no scale to judge by).
    """
    if side not in ("both", "low", "high"):
        raise ValueError(f"side must be 'both', 'low' or 'high', not {side!r}")
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=np.float64)
    flags = np.zeros(x.shape, dtype=bool)
    finite = np.isfinite(x)
    if finite.sum() < max(3, min_samples):
        return flags
    median = float(np.median(x[finite]))
    mad = float(np.median(np.abs(x[finite] - median)))
    if mad == 0:
        return flags
    limit = k * 1.4826 * mad
    dev = np.where(finite, x - median, 0.0)
    if side in ("both", "high"):
        flags |= dev > limit
    if side in ("both", "low"):
        flags |= -dev > limit
    return flags


def _fmt(x: float, digits: int = 6) -> str:
    return "NA" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def write_relatedness(path: str, rows: Iterable[tuple[str, str, float, float, int, str]]) -> None:
    """Write the related-pairs TSV (header always written)."""
    with open(path, "w") as fh:
        fh.write("\t".join(RELATEDNESS_COLUMNS) + "\n")
        for s1, s2, kin, ibs0, n_sites, deg in rows:
            fh.write(f"{s1}\t{s2}\t{_fmt(kin)}\t{_fmt(ibs0)}\t{n_sites}\t{deg}\n")


def write_samples(
    path: str,
    samples: Sequence[str],
    stats: dict[str, np.ndarray],
    het_outlier: np.ndarray,
    call_rate_outlier: np.ndarray,
) -> None:
    """Write the per-sample TSV (booleans as ``true``/``false``)."""

    def tf(flag: bool) -> str:
        return "true" if flag else "false"

    with open(path, "w") as fh:
        fh.write("\t".join(SAMPLE_COLUMNS) + "\n")
        for i, name in enumerate(samples):
            fh.write(
                "\t".join(
                    [
                        name,
                        str(int(stats["n_called"][i])),
                        _fmt(stats["call_rate"][i]),
                        str(int(stats["n_het"][i])),
                        _fmt(stats["het_rate"][i]),
                        tf(het_outlier[i]),
                        tf(call_rate_outlier[i]),
                    ]
                )
                + "\n"
            )


def run(
    vcf: str,
    relatedness_path: str,
    samples_path: str,
    json_path: str,
    autosomes: str = DEFAULT_AUTOSOMES,
    min_qual: float = DEFAULT_MIN_QUAL,
    min_site_call_rate: float = DEFAULT_MIN_SITE_CALL_RATE,
    min_maf: float = DEFAULT_MIN_MAF,
    mad_k: float = DEFAULT_MAD_K,
    threads: int = 1,
    min_outlier_samples: int = DEFAULT_MIN_OUTLIER_SAMPLES,
) -> dict[str, object]:
    """Load, estimate, flag and write all three outputs; return the JSON summary."""
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    samples, g = load_genotypes(
        vcf,
        autosomes=autosomes,
        min_qual=min_qual,
        min_site_call_rate=min_site_call_rate,
        min_maf=min_maf,
        counts=counts,
        threads=threads,
    )
    n_samples, n_sites = g.shape
    t1 = time.perf_counter()
    _log(f"kinship for {n_samples} samples x {n_sites:,} sites")
    kinship, ibs0, shared = king_robust(g)
    t2 = time.perf_counter()
    _log(f"kinship done in {t2 - t1:.1f} s")
    rows = related_pairs(samples, kinship, ibs0, shared)
    stats = sample_stats(g)
    het_flag = mad_outliers(stats["het_rate"], mad_k, "both", min_outlier_samples)
    call_flag = mad_outliers(stats["call_rate"], mad_k, "low", min_outlier_samples)
    write_relatedness(relatedness_path, rows)
    write_samples(samples_path, samples, stats, het_flag, call_flag)
    summary: dict[str, object] = {
        "n_samples": n_samples,
        "n_sites": n_sites,
        "filters": {
            "filter": "PASS",
            "type": "biallelic SNV",
            "autosomes": autosomes,
            "min_qual": min_qual,
            "min_site_call_rate": min_site_call_rate,
            "min_maf": min_maf,
        },
        "records": counts,
        "estimator": ESTIMATOR,
        "degree_cutoffs": {name: cut for cut, name in DEGREE_CUTOFFS},
        "pairs_per_degree": degree_counts(kinship),
        "mad_k": mad_k,
        "min_outlier_samples": min_outlier_samples,
        "het_outliers": [s for s, f in zip(samples, het_flag) if f],
        "call_rate_outliers": [s for s, f in zip(samples, call_flag) if f],
        "seconds": {"load": round(t1 - t0, 3), "kinship": round(t2 - t1, 3)},
        # the report's kinship-vs-IBS0 plot (refcohort.qc.report_plots)
        "plot_pairs": plot_pairs(samples, kinship, ibs0),
    }
    with open(json_path, "w") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    _log(
        f"{len(rows)} related pairs; {int(het_flag.sum())} het-rate and "
        f"{int(call_flag.sum())} call-rate outliers"
    )
    return summary


PLINK2_ESTIMATOR = (
    "KING-robust between-family kinship (Manichaikul et al. 2010; plink2 --make-king-table)"
)


def _plink2_rows(path: str) -> list[dict[str, str]]:
    """The rows of a plink2 table by column name (its header line starts with '#')."""
    with open(path) as fh:
        header = fh.readline().lstrip("#").rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in fh]


def from_plink2(
    kin0: str,
    scount: str,
    note: str,
    relatedness_path: str,
    samples_path: str,
    json_path: str,
    mad_k: float = DEFAULT_MAD_K,
    min_outlier_samples: int = DEFAULT_MIN_OUTLIER_SAMPLES,
    filters: dict[str, object] | None = None,
) -> dict[str, object]:
    """The three outputs of :func:`run` from plink2's KING table (``IID1 IID2 NSNP IBS0
    KINSHIP``: every pair, or the pairs above the third-degree cut-off in a large cohort)
    and its ``--sample-counts`` over the same sites (scripts/king_table.sh)."""
    counts = _plink2_rows(scount)
    samples = [row["IID"] for row in counts]
    order = {s: i for i, s in enumerate(samples)}
    columns = ("HOM_REF_CT", "HOM_ALT_SNP_CT", "HET_SNP_CT", "MISSING_INCL_FEMALE_Y_CT")
    values = np.array([[float(row[c]) for c in columns] for row in counts]).reshape(-1, 4)
    hom_ref, hom_alt, het, missing = values.T
    n_called = (hom_ref + hom_alt + het).astype(np.int64)
    n_sites = int(n_called[0] + missing[0]) if len(samples) else 0
    with np.errstate(invalid="ignore", divide="ignore"):
        stats = {
            "n_called": n_called,
            "call_rate": n_called / n_sites if n_sites else np.full(len(samples), np.nan),
            "n_het": het.astype(np.int64),
            "het_rate": np.where(n_called > 0, het / np.maximum(n_called, 1), np.nan),
        }
    pairs = []
    for row in _plink2_rows(kin0):
        first, second = sorted((row["IID1"], row["IID2"]), key=lambda s: order.get(s, len(order)))
        kinship, ibs0 = float(row["KINSHIP"]), float(row["IBS0"])
        pairs.append((first, second, kinship, ibs0, int(row["NSNP"])))
    pairs.sort(key=lambda p: (-p[2], order.get(p[0], 0), order.get(p[1], 0)))
    rows = [(a, b, k, i, n, degree(k)) for a, b, k, i, n in pairs if degree(k) != UNRELATED]
    het_flag = mad_outliers(stats["het_rate"], mad_k, "both", min_outlier_samples)
    call_flag = mad_outliers(stats["call_rate"], mad_k, "low", min_outlier_samples)
    write_relatedness(relatedness_path, rows)
    write_samples(samples_path, samples, stats, het_flag, call_flag)
    per_degree = {name: sum(r[5] == name for r in rows) for name in DEGREES}
    per_degree[UNRELATED] = len(samples) * (len(samples) - 1) // 2 - len(rows)
    summary: dict[str, object] = {
        "n_samples": len(samples),
        "n_sites": n_sites,
        "filters": filters or {},
        "note": Path(note).read_text().strip(),
        "estimator": PLINK2_ESTIMATOR,
        "degree_cutoffs": {name: cut for cut, name in DEGREE_CUTOFFS},
        "pairs_per_degree": per_degree,
        "mad_k": mad_k,
        "min_outlier_samples": min_outlier_samples,
        "het_outliers": [s for s, f in zip(samples, het_flag) if f],
        "call_rate_outliers": [s for s, f in zip(samples, call_flag) if f],
        # the report's kinship-vs-IBS0 plot: every pair plink2 listed, closest first
        "plot_pairs": [
            {"sample_1": a, "sample_2": b, "kinship": round(k, 6), "ibs0": round(i, 6)}
            for a, b, k, i, _ in pairs[:2000]
            if math.isfinite(k)
        ],
    }
    with open(json_path, "w") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    _log(f"{len(rows)} related pairs among {len(samples)} samples over {n_sites:,} sites")
    return summary
