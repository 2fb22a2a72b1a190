"""The scaling harness's arithmetic (bench_scaling.py), pure and unit-tested: the cohort
sizes of a run, per-sample costs and their ratios, the fixed and per-sample terms of a
path's cost, what an addition to the cohort store writes, and gVCF sizes scaled to a
whole genome. No tools run here."""

from __future__ import annotations

import math
from pathlib import Path

GENOME_MB = 2900  # GRCh38 non-N sequence, Mb: per-Mb sizes scaled to a whole genome
LADDER = (4, 8, 16, 32)  # the cohort sizes below --max-n
TARGET = 1.2  # per-sample cost at the largest N over the smallest N's


def cohort_sizes(sizes: str | None, max_n: int) -> list[int]:
    """The cohort sizes N of a run: ``sizes`` ("4,8,16") when given, else the ladder; those
    above ``max_n`` dropped and ``max_n`` itself added."""
    chosen = [int(x) for x in sizes.split(",")] if sizes else list(LADDER)
    if max_n < 1 or any(n < 1 for n in chosen):
        raise ValueError("cohort sizes must be positive")
    return sorted({n for n in chosen if n <= max_n} | {max_n})


def add_plan(add_to: str, adds: str, sizes: list[int]) -> list[tuple[int, int]]:
    """(N, k) pairs: k samples added to an existing cohort of N, for the N of ``add_to``
    that the run has (a cohort must exist to add to)."""
    bases = [int(x) for x in add_to.split(",") if x] if add_to else []
    ks = [int(x) for x in adds.split(",") if x] if adds else []
    if any(k < 1 for k in ks):
        raise ValueError("samples added must be >= 1")
    return [(n, k) for n in sorted(set(bases)) if n in sizes for k in sorted(set(ks))]


def samples_needed(sizes: list[int], plan: list[tuple[int, int]]) -> int:
    """Distinct samples to generate: the largest N, or the largest N + k added."""
    return max([max(sizes)] + [n + k for n, k in plan])


def sex_of(index: int) -> str:
    """The generated cohort's sexes: alternately female and male (bcftools codes F/M).
    The genome has only autosomes, so sex changes no call; a cohort with both sexes is
    what a real cohort is (and the hail export needs at least one male: see docs)."""
    return "M" if index % 2 else "F"


# ------------------------------------------------------------------ costs
def fit_line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares (intercept, slope) of ys on xs; (nan, nan) with fewer than two
    distinct xs."""
    n = len(xs)
    if n < 2 or len(set(xs)) < 2:
        return math.nan, math.nan
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - slope * mx, slope


def per_sample(rows: list[dict]) -> None:
    """Add the per-sample costs and their ratios to the smallest N's (in place; rows of
    one path, sorted by N)."""
    for r in rows:
        r["cpu_per_sample_s"] = r["cpu_s"] / r["n"]
        r["wall_per_sample_s"] = r["wall_s"] / r["n"]
    first = rows[0]
    for r in rows:
        r["ratio_cpu_per_sample_vs_first"] = _ratio(
            r["cpu_per_sample_s"], first["cpu_per_sample_s"]
        )
        r["ratio_wall_per_sample_vs_first"] = _ratio(
            r["wall_per_sample_s"], first["wall_per_sample_s"]
        )


def path_summary(path: str, rows: list[dict]) -> dict:
    """One path's scaling in a few numbers (rows of one path with per_sample() applied,
    sorted by N): the per-sample ratios largest N / smallest N (the issue's target);
    the cost fitted as fixed + per-sample x N over all N (the fixed part is what a run
    costs whatever the cohort: for hail, starting the JVM and Spark); and the growth of
    the per-sample term: the cost of the last step (N before last -> last N) per added
    sample, over the fitted per-sample term of the N before it (1.0: linear; above 1:
    the cost per sample grows with the cohort)."""
    first, last = rows[0], rows[-1]
    ns = [r["n"] for r in rows]
    fixed, slope = fit_line(ns, [r["cpu_s"] for r in rows])
    growth = math.nan
    if len(rows) >= 3:
        _, early = fit_line(ns[:-1], [r["cpu_s"] for r in rows[:-1]])
        step = (last["cpu_s"] - rows[-2]["cpu_s"]) / (last["n"] - rows[-2]["n"])
        growth = _ratio(step, early)
    ratio = last["ratio_cpu_per_sample_vs_first"]
    return {
        "path": path,
        "n_first": first["n"],
        "n_last": last["n"],
        "cpu_per_sample_first_s": first["cpu_per_sample_s"],
        "cpu_per_sample_last_s": last["cpu_per_sample_s"],
        "ratio_cpu_per_sample": ratio,
        "ratio_wall_per_sample": last["ratio_wall_per_sample_vs_first"],
        "fixed_cpu_s": fixed,
        "cpu_per_sample_fit_s": slope,
        "growth_of_per_sample_cost": growth,
        "peak_shard_mb_first": first["shard_peak_mb"],
        "peak_shard_mb_last": last["shard_peak_mb"],
        "target_met": "yes" if ratio <= TARGET else "no",
    }


def better_path(summaries: list[dict]) -> dict | None:
    """The path with the lowest per-sample CPU at the largest N."""
    return min(summaries, key=lambda s: s["cpu_per_sample_last_s"]) if summaries else None


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(b) and b > 0 else math.nan


# ------------------------------------------------------------------ the store's bytes
Snapshot = dict[str, tuple[int, int]]


def snapshot(root: str | Path, skip: tuple[str, ...] = ("tmp",)) -> Snapshot:
    """{relative path: (size, mtime ns)} of every file under ``root``, leaving out the
    top-level folders in ``skip`` (the store's Spark scratch)."""
    root = Path(root)
    out: Snapshot = {}
    if not root.is_dir():
        return out
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if rel.parts[0] in skip or not path.is_file():
            continue
        st = path.stat()
        out[str(rel)] = (st.st_size, st.st_mtime_ns)
    return out


def written_bytes(before: Snapshot, after: Snapshot) -> int:
    """Bytes of the files that are new in ``after`` or changed since ``before``."""
    return sum(size for rel, (size, mtime) in after.items() if before.get(rel) != (size, mtime))


def total_bytes(snap: Snapshot) -> int:
    return sum(size for size, _ in snap.values())


def add_row(path: str, n: int, k: int, add: dict, rebuild: dict) -> dict:
    """One add-versus-rebuild row: k samples added to a cohort of n. ``add`` and
    ``rebuild``: cpu_s, wall_s, peak_mb, written (bytes into the store: the new batch
    and freeze for an add, the whole store for a rebuild), store (the store's bytes
    after), io_mb (bytes the process tree wrote, scratch included); an add may carry
    export_cpu_s / export_wall_s (the shards exported after it) and the single-batch
    store's export_cpu_s as ``rebuild`` export."""
    row = {"path": path, "n": n, "k": k}
    for side, values in (("add", add), ("rebuild", rebuild)):
        for key in ("cpu_s", "wall_s", "peak_mb", "written", "store", "io_mb", "export_cpu_s"):
            row[f"{side}_{key}"] = values.get(key, math.nan)
    row["add_export_wall_s"] = add.get("export_wall_s", math.nan)
    row["add_export_error"] = add.get("export_error", "")
    row["add_cpu_per_added_sample_s"] = add["cpu_s"] / k
    row["ratio_add_vs_rebuild_cpu"] = _ratio(add["cpu_s"], rebuild.get("cpu_s", math.nan))
    row["ratio_add_vs_rebuild_wall"] = _ratio(add["wall_s"], rebuild.get("wall_s", math.nan))
    row["ratio_written_vs_store"] = _ratio(add.get("written", math.nan), add.get("store", math.nan))
    row["ratio_written_vs_rebuild"] = _ratio(
        add.get("written", math.nan), rebuild.get("written", math.nan)
    )
    row["ratio_export_vs_single_batch_cpu"] = _ratio(
        add.get("export_cpu_s", math.nan), rebuild.get("export_cpu_s", math.nan)
    )
    return row


def first_error(text: str, limit: int = 240) -> str:
    """The line that says why a job failed, from its error text (a log's tail): Hail's
    'Error summary', a JVM crash, a timeout, else the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for marker in ("Error summary:", "A fatal error has been detected", "SIGSEGV"):
        hits = [line for line in lines if marker in line]
        if hits:
            return hits[-1][:limit]
    if lines and "(exit 124)" in lines[0]:
        return "timed out (--hail-timeout)"
    return (lines[-1] if lines else "no error text")[:limit]


# ------------------------------------------------------------------ gVCF sizes
def per_genome(bytes_per_sample: float, genome_mb: float, whole_mb: float = GENOME_MB) -> float:
    """Bytes per sample on a ``genome_mb`` genome scaled to a whole genome, in GB."""
    return bytes_per_sample / genome_mb * whole_mb / 1e9
