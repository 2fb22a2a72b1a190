"""Cohort structure on the joint calls (docs/structure.md): who the PCA is fitted on, each
sample's position on the PCs (plink2, ``scripts/structure_pca.sh``), and the samples
whose position is far from their declared population's cluster.

The samples are the release-eligible ones (gate PASS or WARN, joint-called); the PCA is
fitted on an unrelated subset (no pair above ``max_kinship``, pruned as the release
prunes) and every eligible sample, relatives included, is projected onto it.

The outlier rule (:func:`assess`), on the first ``outlier_pcs`` PCs:

* a declared population is a *cluster* when at least ``min_cluster_size`` of its samples
  are in the fit; its centre is their coordinate-wise median (a centre that half of
  them can be wrong about without moving it far);
* the spread is one robust scale per PC, pooled over the clusters: the median of the
  absolute differences between every two fitted members of the same cluster, divided
  by 0.6745 x sqrt(2) (Shamos' estimator, an SD for Gaussian clusters; it estimates no
  centre, so clusters of any size contribute without bias, and it resists up to 29%
  of stray members). Diagonal, because the PCs are uncorrelated; pooled, because a
  cluster of ten samples cannot estimate its own spread well, and within-population
  spread on the top PCs is similar across a country's populations;
* a sample's distance is the Euclidean norm of its offset from its declared cluster's
  centre in those units (a robust Mahalanobis distance with a diagonal scale; under a
  Gaussian cluster its square is chi-squared with ``outlier_pcs`` degrees of freedom),
  and a sample further than ``max_distance`` is WARN (6 by default: the cut-off of
  EIGENSOFT's outlier removal, Price et al. 2006, here per declared population).

WARN never drops a sample; samples of populations too small to form a cluster are "not
judged".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ..io import read_tsv, write_tsv
from ..release.samples import RELEASED_STATUSES, prune_related

DEFAULT_MAX_KINSHIP = 0.0884  # KING: second degree or closer left out of the fit
DEFAULT_OUTLIER_PCS = 4
DEFAULT_MIN_CLUSTER_SIZE = 10
DEFAULT_MAX_DISTANCE = 6.0
# |X_i - X_j| of two draws of N(0, SD^2) has median 0.6745 x sqrt(2) x SD
PAIR_MAD_TO_SD = 1 / (0.6744898 * math.sqrt(2))
PASS, WARN, NOT_JUDGED = "PASS", "WARN", "not judged"
NOT_ELIGIBLE = "not eligible"  # FAIL or not joint-called: no cohort-structure verdict
FIXED_COLUMNS = ["sample", "population", "sex", "minority", "in_fit"]
RESULT_COLUMNS = ["distance", "nearest_population", "structure_status", "reason"]


def eligible_samples(gate_rows: Iterable[dict[str, str]]) -> list[str]:
    """Release-eligible samples, in table order: gate PASS or WARN and joint-called (a
    FAIL sample forced in by an override is joint-called but not released)."""
    return [
        r["sample"]
        for r in gate_rows
        if r["status"] in RELEASED_STATUSES and r["joint_calling"] == "included"
    ]


def unrelated_samples(
    eligible: Sequence[str],
    pairs: Iterable[dict[str, str]],
    max_kinship: float,
    gate_rows: Iterable[dict[str, str]],
) -> tuple[list[str], dict[str, list[tuple[str, float]]]]:
    """The eligible samples with no pair above ``max_kinship`` between them (the release's
    greedy pruning: refcohort.release.samples.prune_related) and those left out, with
    their close pairs."""
    qc = {r["sample"]: r for r in gate_rows}
    triples = [(p["sample_1"], p["sample_2"], float(p["kinship"])) for p in pairs]
    dropped = prune_related(triples, eligible, max_kinship, qc)
    return [s for s in eligible if s not in dropped], dropped


def read_scores(path: str | Path) -> tuple[list[str], np.ndarray]:
    """(samples, scores) from a plink2 .sscore (``#IID`` or ``#FID IID``, then the
    ``PC<k>_AVG`` columns); an empty matrix when no PCA ran (a header only)."""
    lines = Path(path).read_text().splitlines()
    header = lines[0].lstrip("#").split("\t") if lines else ["IID"]
    name = header.index("IID")
    pcs = [i for i, h in enumerate(header) if h.startswith("PC") and h.endswith("_AVG")]
    names, rows = [], []
    for line in lines[1:]:
        fields = line.split("\t")
        names.append(fields[name])
        rows.append([float(fields[i]) for i in pcs])
    return names, np.array(rows, dtype=np.float64).reshape(len(names), len(pcs))


def read_summary(path: str | Path) -> dict[str, str]:
    """structure_pca.sh's summary (key, value lines)."""
    return dict(line.split("\t", 1) for line in Path(path).read_text().splitlines() if line)


def cluster_centres(
    x: np.ndarray, populations: Sequence[str], fitted: np.ndarray, min_cluster_size: int
) -> dict[str, np.ndarray]:
    """{population: coordinate-wise median of its fitted members} for the populations
    with at least ``min_cluster_size`` fitted members."""
    pops = np.asarray(populations, dtype=object)
    centres = {}
    for pop in sorted(set(populations)):
        members = (pops == pop) & fitted
        if members.sum() >= max(1, min_cluster_size):
            centres[pop] = np.median(x[members], axis=0)
    return centres


def pooled_scale(
    x: np.ndarray,
    populations: Sequence[str],
    fitted: np.ndarray,
    centres: dict[str, np.ndarray],
) -> np.ndarray:
    """Per PC: the within-cluster spread from every pair of fitted members of the same
    cluster, pooled over the clusters: median |x_i - x_j| / (sqrt(2) x 0.6745), an SD for
    Gaussian clusters (NaN without any pair)."""
    pops = np.asarray(populations, dtype=object)
    differences = []
    for pop in sorted(centres):
        members = x[(pops == pop) & fitted]
        i, j = np.triu_indices(len(members), k=1)
        differences.append(np.abs(members[i] - members[j]))
    pairs = np.concatenate(differences) if differences else np.empty((0, x.shape[1]))
    if not len(pairs):
        return np.full(x.shape[1], np.nan)
    return PAIR_MAD_TO_SD * np.median(pairs, axis=0)


def assess(
    x: np.ndarray,
    populations: Sequence[str],
    fitted: np.ndarray,
    min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE,
    max_distance: float = DEFAULT_MAX_DISTANCE,
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """One result per sample (``distance``, ``nearest_population``, ``structure_status``,
    ``reason``) on the PCs in ``x`` (samples x PCs), and what was judged by (centres,
    scale). ``fitted`` marks the samples the PCA was fitted on."""
    n, k = x.shape
    fitted = np.asarray(fitted, dtype=bool)
    centres = cluster_centres(x, populations, fitted, min_cluster_size) if k else {}
    scale = pooled_scale(x, populations, fitted, centres) if centres else np.full(k, np.nan)
    usable = bool(centres) and bool(np.all(np.isfinite(scale) & (scale > 0)))
    pcs = f"PC1-PC{k}" if k > 1 else "PC1"
    results: list[dict[str, object]] = []
    for i, pop in enumerate(populations):
        result: dict[str, object] = {
            "distance": math.nan,
            "nearest_population": "",
            "structure_status": NOT_JUDGED,
            "reason": "",
        }
        if not k:
            result["reason"] = "no PCA"
        elif not usable:
            result["reason"] = (
                f"no declared population has {min_cluster_size} unrelated samples in the PCA"
                if not centres
                else "no spread within the clusters to judge by"
            )
        elif pop not in centres:
            result["reason"] = (
                f"population {pop} has fewer than {min_cluster_size} unrelated samples in the PCA"
            )
        else:
            distances = {
                p: float(np.sqrt((((x[i] - c) / scale) ** 2).sum())) for p, c in centres.items()
            }
            near = min(distances, key=lambda p: (distances[p], p))
            d = distances[pop]
            result.update(distance=d, nearest_population=near)
            if d > max_distance:
                nearest = f"; nearest cluster: {near}" if near != pop else ""
                result["structure_status"] = WARN
                result["reason"] = (
                    f"WARN: genetic position far from declared population {pop}'s cluster "
                    f"(robust distance {d:.1f} > {max_distance:g} on {pcs}{nearest}): "
                    "possible sample swap or mislabelled metadata"
                )
            else:
                result["structure_status"] = PASS
        results.append(result)
    basis = {
        "clusters": {p: [round(float(v), 6) for v in c] for p, c in centres.items()},
        "scale": [round(float(v), 6) for v in scale] if centres else [],
        "outlier_pcs": k,
        "min_cluster_size": min_cluster_size,
        "max_distance": max_distance,
    }
    return results, basis


def combined_rows(gate_rows: list[dict], structure_rows: list[dict]) -> list[dict]:
    """The gate's rows with the cohort-structure verdict added, as the report and the run
    summary show them: a ``structure`` column (PASS, WARN, not judged, not eligible) and,
    where it is WARN, its reason appended and a PASS raised to WARN. The gate's table
    (results/qc/sample_qc.tsv) is not changed: it decided joint calling before the PCA
    could exist, and the release reads it."""
    by_sample = {r["sample"]: r for r in structure_rows}
    rows = []
    for gate in gate_rows:
        row = dict(gate)
        found = by_sample.get(gate["sample"])
        row["structure"] = found["structure_status"] if found else NOT_ELIGIBLE
        if found and found["structure_status"] == WARN:
            row["reasons"] = "; ".join(x for x in (gate["reasons"], found["reason"]) if x)
            if row["status"] == "PASS":
                row["status"] = WARN
        rows.append(row)
    return rows


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "NA" if not math.isfinite(value) else f"{value:.6g}"
    return str(value)


def structure_table(
    samples: Sequence[str],
    sheet: dict[str, dict[str, str]],
    fit: set[str],
    scores: dict[str, np.ndarray],
    n_pcs: int,
    results: Sequence[dict[str, object]],
) -> tuple[list[str], list[dict[str, str]]]:
    """Columns and rows of results/qc/structure.tsv, one row per eligible sample."""
    columns = FIXED_COLUMNS + [f"PC{i + 1}" for i in range(n_pcs)] + RESULT_COLUMNS
    rows = []
    for sample, result in zip(samples, results):
        info = sheet.get(sample, {})
        pcs = scores.get(sample)
        row = {
            "sample": sample,
            "population": info.get("population", ""),
            "sex": info.get("sex", ""),
            "minority": info.get("minority", ""),
            "in_fit": "yes" if sample in fit else "no (projected)",
            **{
                f"PC{i + 1}": _fmt(float(pcs[i])) if pcs is not None else "NA" for i in range(n_pcs)
            },
        }
        row.update({key: _fmt(value) for key, value in result.items()})
        rows.append(row)
    return columns, rows


def run(
    sscore: str,
    eigenval: str,
    summary_path: str,
    unrelated: str,
    eligible: str,
    sheet: dict[str, dict[str, str]],
    table_path: str,
    json_path: str,
    outlier_pcs: int = DEFAULT_OUTLIER_PCS,
    min_cluster_size: int = DEFAULT_MIN_CLUSTER_SIZE,
    max_distance: float = DEFAULT_MAX_DISTANCE,
) -> dict[str, object]:
    """Read plink2's outputs, judge every eligible sample, write the TSV and the JSON."""
    samples = Path(eligible).read_text().split()
    fit = set(Path(unrelated).read_text().split())
    names, scores = read_scores(sscore)
    by_name = dict(zip(names, scores))
    n_pcs = scores.shape[1]
    k = min(outlier_pcs, n_pcs)
    x = np.array([by_name[s][:k] if s in by_name else np.full(k, np.nan) for s in samples])
    x = x.reshape(len(samples), k)
    populations = [sheet.get(s, {}).get("population", "") for s in samples]
    results, basis = assess(
        x, populations, np.array([s in fit for s in samples]), min_cluster_size, max_distance
    )
    columns, rows = structure_table(samples, sheet, fit, by_name, n_pcs, results)
    write_tsv(table_path, columns, rows)
    summary: dict[str, object] = {
        "tool": read_summary(summary_path),
        "eigenvalues": [float(v) for v in Path(eigenval).read_text().split()],
        "fit_samples": sorted(fit),
        **basis,
        "flagged": [r["sample"] for r in rows if r["structure_status"] == WARN],
        "not_judged": [r["sample"] for r in rows if r["structure_status"] == NOT_JUDGED],
    }
    Path(json_path).write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def select_main(smk) -> None:
    """Rule select_structure_samples: input table (the gate's), relatedness; output
    eligible, unrelated (one sample a line); params max_kinship; log."""
    import sys

    sys.stderr = open(smk.log[0], "w")
    gate_rows = read_tsv(smk.input.table)
    pairs = read_tsv(smk.input.relatedness)
    eligible = eligible_samples(gate_rows)
    fit, dropped = unrelated_samples(eligible, pairs, float(smk.params.max_kinship), gate_rows)
    Path(smk.output.eligible).write_text("".join(f"{s}\n" for s in eligible))
    Path(smk.output.unrelated).write_text("".join(f"{s}\n" for s in fit))
    print(f"{len(eligible)} release-eligible samples, {len(fit)} unrelated", file=sys.stderr)
    for sample, partners in dropped.items():
        close = ", ".join(f"{p} ({k:.3f})" for p, k in partners)
        print(f"{sample} projected, not fitted: kinship with {close}", file=sys.stderr)
    sys.stderr.flush()


def assess_main(smk) -> None:
    """Rule assess_structure: input sscore, eigenval, summary, eligible, unrelated; output
    table, json; params sheet ({sample: population, sex, minority}), outlier_pcs,
    min_cluster_size, max_distance; log."""
    import sys

    sys.stderr = open(smk.log[0], "w")
    summary = run(
        smk.input.sscore,
        smk.input.eigenval,
        smk.input.summary,
        smk.input.unrelated,
        smk.input.eligible,
        dict(smk.params.sheet),
        smk.output.table,
        smk.output.json,
        int(smk.params.outlier_pcs),
        int(smk.params.min_cluster_size),
        float(smk.params.max_distance),
    )
    print(json.dumps({k: summary[k] for k in ("flagged", "not_judged")}), file=sys.stderr)
    sys.stderr.flush()
