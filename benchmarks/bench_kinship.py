#!/usr/bin/env python3
"""Speed harness for the KING-robust kinship step (refcohort.qc.kinship).

Simulates a seeded cohort in memory (default 2,000 samples x 100,000 sites,
1% missing genotypes, a few planted relative pairs), times ``king_robust``
with ``time.perf_counter``, records peak memory, checks the planted pairs
come back with the right degree and appends one row to
``benchmarks/results/kinship.tsv``:

    date  cores  n_samples  n_sites  seconds  peak_mb  target_s  ratio

``ratio = seconds / target_s`` (target 60 s on 2 cores).  CPU seconds and
the load average are printed too: on a shared machine wall time includes
waiting for other processes.  ``peak_mb`` is the
tracemalloc peak of NumPy allocations made by ``king_robust`` (its working
set, not counting the input matrix); the process max RSS is printed too.
This prints ratios, it does not assert.

    python benchmarks/bench_kinship.py [--samples 2000] [--sites 100000] [--seed 1]
                                 [--missing 0.01] [--no-write]
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc

import benchlib
import numpy as np

from refcohort.qc.kinship import degree, king_robust, related_pairs

ROOT = benchlib.ROOT
TARGET_S = 60.0
RESULTS = benchlib.RESULTS / "kinship.tsv"
COLUMNS = ["date", "cores", "n_samples", "n_sites", "seconds", "peak_mb", "target_s", "ratio"]


def _haps(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """(n, 2, m) bool haplotypes of unrelated founders."""
    return rng.random((n, 2, p.size), dtype=np.float32) < p


def _gamete(rng: np.random.Generator, haps: np.ndarray) -> np.ndarray:
    pick = rng.integers(0, 2, haps.shape[1], dtype=np.int8).astype(bool)
    return np.where(pick, haps[1], haps[0])


def simulate(
    n_samples: int, n_sites: int, seed: int, missing: float = 0.01
) -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Genotypes (n_samples, n_sites) int8 with planted pairs [(i, j, degree)].

    Founders from allele frequencies U(0.05, 0.95); then the last samples are
    replaced by relatives of early founders: a duplicate, two full siblings
    (with both parents), a half-sib and a grandchild (grandparents, aunt/uncle,
    half-avuncular third degree).  A ``missing`` fraction of genotypes is then
    set missing at random (1% leaves almost no site complete in 2,000 samples,
    the slower path of ``king_robust``).
    """
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n_sites).astype(np.float32)
    g = np.empty((n_samples, n_sites), dtype=np.int8)
    haps: dict[int, np.ndarray] = {}
    block = 100
    keep = set(range(8))  # founders whose haplotypes the relatives need
    for start in range(0, n_samples, block):
        h = _haps(rng, p, min(block, n_samples - start))
        g[start : start + h.shape[0]] = h.sum(axis=1, dtype=np.int8)
        for k in range(h.shape[0]):
            if start + k in keep:
                haps[start + k] = h[k]

    def child(mum: np.ndarray, dad: np.ndarray) -> np.ndarray:
        return np.stack([_gamete(rng, mum), _gamete(rng, dad)])

    planted: list[tuple[int, int, str]] = []
    slot = iter(range(n_samples - 1, -1, -1))

    def put(h: np.ndarray) -> int:
        i = next(slot)
        g[i] = h.sum(axis=0, dtype=np.int8)
        return i

    dup = put(haps[0])
    planted.append((0, dup, "duplicate/MZ"))
    kid = child(haps[1], haps[2])
    i_kid = put(kid)
    planted += [(1, i_kid, "first"), (2, i_kid, "first")]
    sib = put(child(haps[1], haps[2]))
    planted += [(1, sib, "first"), (2, sib, "first"), (i_kid, sib, "first")]
    half = put(child(haps[1], haps[3]))
    planted += [
        (1, half, "first"),
        (3, half, "first"),
        (i_kid, half, "second"),
        (sib, half, "second"),
    ]
    grand = put(child(kid, haps[4]))
    planted += [
        (i_kid, grand, "first"),
        (1, grand, "second"),
        (2, grand, "second"),
        (sib, grand, "second"),
        (4, grand, "first"),
        (half, grand, "third"),
    ]
    for start in range(0, n_samples, block):  # missing calls, a block at a time
        rows = g[start : start + block]
        rows[rng.random(rows.shape, dtype=np.float32) < missing] = -1
    return g, [(min(i, j), max(i, j), d) for i, j, d in planted]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--sites", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--missing", type=float, default=0.01, help="fraction of missing genotypes")
    ap.add_argument("--no-write", action="store_true", help="do not append to the results TSV")
    a = ap.parse_args(argv)

    cores = benchlib.cores()
    t = time.perf_counter()
    g, planted = simulate(a.samples, a.sites, a.seed, a.missing)
    complete = int((g >= 0).all(axis=0).sum())
    print(
        f"simulated {a.samples} x {a.sites:,} in {time.perf_counter() - t:.1f} s "
        f"({g.nbytes / 2**20:.0f} MiB int8, {a.missing:.1%} missing, {complete:,} complete "
        f"sites), {cores} cores"
    )

    load_before = os.getloadavg()[0]
    tracemalloc.start()
    cpu = time.process_time()
    t = time.perf_counter()
    kin, ibs0, n_sites = king_robust(g)
    seconds = time.perf_counter() - t
    cpu_s = time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mb = peak / 2**20
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(
        f"{'step':<12}{'samples':>9}{'sites':>10}{'seconds':>10}{'cpu_s':>9}{'peak_MB':>10}"
        f"{'maxRSS_MB':>11}{'target_s':>10}{'ratio':>8}"
    )
    print(
        f"{'king_robust':<12}{a.samples:>9}{a.sites:>10}{seconds:>10.2f}{cpu_s:>9.2f}"
        f"{peak_mb:>10.0f}{rss_mb:>11.0f}{TARGET_S:>10.0f}{seconds / TARGET_S:>8.3f}"
    )
    print(
        f"load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} "
        f"(above the core count, wall time includes waiting for other processes)"
    )

    print("\nplanted pairs:")
    ok = 0
    for i, j, want in planted:
        got = degree(kin[i, j])
        ok += got == want
        print(
            f"  {i:>5} {j:>5}  kinship {kin[i, j]:.4f}  ibs0 {ibs0[i, j]:.4f}  "
            f"n_sites {n_sites[i, j]:>6}  {got:<13} expected {want:<13} "
            f"{'ok' if got == want else 'MISMATCH'}"
        )
    rows = related_pairs([str(k) for k in range(a.samples)], kin, ibs0, n_sites)
    planted_set = {(i, j) for i, j, _ in planted}
    extra = [(r[0], r[1], r[5]) for r in rows if (int(r[0]), int(r[1])) not in planted_set]
    print(
        f"recovered {ok}/{len(planted)} planted pairs with the right degree; "
        f"{len(rows)} pairs reported, {len(extra)} not planted {extra[:5]}"
    )

    if not a.no_write:
        row = [
            a.samples,
            a.sites,
            f"{seconds:.2f}",
            f"{peak_mb:.0f}",
            f"{TARGET_S:.0f}",
            f"{seconds / TARGET_S:.3f}",
        ]
        benchlib.append_row(RESULTS, COLUMNS, dict(zip(COLUMNS, [benchlib.now(), cores] + row)))
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
