#!/usr/bin/env python3
"""The cohort-structure stage's tools against each other, on the same simulated genotypes
(docs/benchmarks.md#cohort-structure, docs/structure.md).

``king``: the project's KING-robust implementation (refcohort.qc.kinship.king_robust)
against ``plink2 --make-king-table`` on one seeded cohort (bench_kinship.simulate:
default 2,000 samples x 100,000 sites, 1% missing, planted relatives): time, every
pair's kinship (plink2's double-precision ``--make-king triangle bin``), IBS0 and degree
of the related pairs, the planted pairs recovered; with ``--vcf`` also end to end from a
bgzipped VCF as the pipeline reads it (cyvcf2 + king_robust against plink2 --vcf with
the same site filters).

``pca``: ``plink2 --pca`` (exact, and ``approx``, the randomized algorithm plink2
recommends above a few thousand samples) against Hail's ``hwe_normalized_pca`` (run with
.venv-hail's Python, benchmarks/hail_pca.py) on a three-population cohort (Fst 0.01,
unlinked sites: what LD pruning leaves) of each size, each run bounded by ``--timeout``
(a run that hits it is reported as such); the agreement of PC1 and PC2 between the tools.

Prints tables and appends rows to benchmarks/results/structure_king.tsv and
structure_pca.tsv; scratch files go to benchmarks/results/work/structure/. Asserts
nothing.

    python benchmarks/bench_structure.py king [--samples 2000] [--sites 100000] [--vcf]
    python benchmarks/bench_structure.py pca [--samples 2000 20000] [--sites 50000]
                                         [--timeout 900] [--hail-python PATH]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import benchlib
import numpy as np
import structure_data as data
from bench_kinship import simulate

from refcohort.qc.cohort_genotypes import load_genotypes
from refcohort.qc.kinship import DEGREES, degree_codes, king_robust

ROOT = benchlib.ROOT
WORK = benchlib.RESULTS / "work" / "structure"
KING_TSV = benchlib.RESULTS / "structure_king.tsv"
PCA_TSV = benchlib.RESULTS / "structure_pca.tsv"
KING_COLUMNS = [
    "date", "cores", "load", "n_samples", "n_sites", "own_s", "own_cpu_s", "plink2_table_s",
    "plink2_table_cpu_s", "plink2_bin_s", "max_abs_kinship_diff", "max_abs_ibs0_diff",
    "degree_disagreements", "planted_own", "planted_plink2", "planted", "vcf_own_load_s",
    "vcf_own_total_s", "vcf_plink2_s", "plink2",
]  # fmt: skip
PCA_COLUMNS = [
    "date", "cores", "load", "n_samples", "n_sites", "tool", "seconds", "cpu_s", "peak_mb",
    "outcome", "pc1_corr", "pc2_corr", "after_start_s", "version",
]  # fmt: skip
KING_CUT = 0.0442  # third degree or closer: the pairs relatedness.tsv lists


def plink2_version() -> str:
    out = subprocess.run(["plink2", "--version"], capture_output=True, text=True)
    return out.stdout.split("\n")[0].strip()


def bounded(cmd: str, timeout: int, log: Path) -> benchlib.Timed:
    """Run ``cmd`` under ``timeout -s KILL``; exit status 137 means it hit the bound."""
    return benchlib.run_timed(
        f"timeout -s KILL {timeout} {cmd}", log=log, check=False, sample_memory=True
    )


def read_kin0(path: Path, index: dict[str, int]) -> dict[tuple[int, int], tuple[float, float]]:
    """{(i, j) with i < j: (kinship, ibs0)} of a plink2 .kin0 table."""
    out = {}
    with open(path) as fh:
        header = fh.readline().lstrip("#").split()
        col = {name: k for k, name in enumerate(header)}
        for line in fh:
            f = line.split()
            i, j = index[f[col["IID1"]]], index[f[col["IID2"]]]
            out[(min(i, j), max(i, j))] = (float(f[col["KINSHIP"]]), float(f[col["IBS0"]]))
    return out


def king(a: argparse.Namespace) -> int:
    cores, work = benchlib.cores(), WORK / "king"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t = time.perf_counter()
    g, planted = simulate(a.samples, a.sites, a.seed, a.missing)
    names = data.sample_names(a.samples)
    data.write_bed(work / "cohort", data.matrix_blocks(g), names)
    print(f"simulated and wrote {a.samples} x {a.sites:,} in {time.perf_counter() - t:.1f} s")
    load = benchlib.load_average()

    cpu, t = time.process_time(), time.perf_counter()
    kin, ibs0, _ = king_robust(g)
    own_s, own_cpu = time.perf_counter() - t, time.process_time() - cpu
    base = f"plink2 --bfile {work / 'cohort'} --threads {cores}"
    table = bounded(
        f"{base} --make-king-table --king-table-filter {KING_CUT} --out {work / 'related'}",
        a.timeout,
        work / "plink2.log",
    )
    binary = bounded(
        f"{base} --make-king triangle bin --out {work / 'all'}", a.timeout, work / "plink2.log"
    )
    theirs = np.fromfile(work / "all.king.bin", dtype=np.float64)
    lower = np.tril_indices(a.samples, -1)
    ours = kin[lower]
    diff = np.abs(ours - theirs)
    codes_own, codes_plink = degree_codes(ours), degree_codes(theirs)
    disagree = int((codes_own != codes_plink).sum())
    related = read_kin0(work / "related.kin0", {s: k for k, s in enumerate(names)})
    ibs0_diff = max((abs(ibs0[i, j] - v[1]) for (i, j), v in related.items()), default=0.0)
    found_own = sum(DEGREES[degree_codes(kin[i, j])] == want for i, j, want in planted)
    found_plink = sum(
        DEGREES[degree_codes(theirs[i * (i - 1) // 2 + j if i > j else j * (j - 1) // 2 + i])]
        == want
        for i, j, want in planted
    )
    row = {
        "date": benchlib.now(),
        "cores": cores,
        "load": f"{load:.2f}",
        "n_samples": a.samples,
        "n_sites": a.sites,
        "own_s": f"{own_s:.2f}",
        "own_cpu_s": f"{own_cpu:.2f}",
        "plink2_table_s": f"{table.wall:.2f}",
        "plink2_table_cpu_s": f"{table.cpu:.2f}",
        "plink2_bin_s": f"{binary.wall:.2f}",
        "max_abs_kinship_diff": f"{float(np.nanmax(diff)):.3g}",
        "max_abs_ibs0_diff": f"{ibs0_diff:.3g}",
        "degree_disagreements": disagree,
        "planted_own": found_own,
        "planted_plink2": found_plink,
        "planted": len(planted),
        "plink2": plink2_version(),
    }
    if a.vcf:
        row.update(king_from_vcf(a, g, names, work, cores))
    print(benchlib.table(["measure", "value"], [(k, row.get(k, "")) for k in KING_COLUMNS]))
    print(f"load average after: {benchlib.load_average():.2f} ({cores} cores)")
    if not a.no_write:
        benchlib.append_row(KING_TSV, KING_COLUMNS, row)
    return 0


def king_from_vcf(a, g: np.ndarray, names: list[str], work: Path, cores: int) -> dict:
    """The same genotypes from a bgzipped VCF: cyvcf2 + king_robust (the pipeline's rule)
    against plink2 --vcf with the rule's site filters, related pairs only."""
    vcf = work / "cohort.vcf.gz"
    t = time.perf_counter()
    data.write_vcf(vcf, data.matrix_blocks(g), names, cores)
    print(f"wrote {vcf.name} in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    _, loaded = load_genotypes(str(vcf), autosomes="1", threads=cores)
    load_s = time.perf_counter() - t
    king_robust(loaded)
    total_s = time.perf_counter() - t
    filters = (
        "--vcf-half-call m --var-filter --var-min-qual 30 --snps-only just-acgt --max-alleles 2 "
        "--geno 0.05 --maf 0.01"
    )
    run = bounded(
        f"plink2 --vcf {vcf} {filters} --threads {cores} --make-king-table "
        f"--king-table-filter {KING_CUT} --out {work / 'vcf'}",
        a.timeout,
        work / "plink2.log",
    )
    return {
        "vcf_own_load_s": f"{load_s:.2f}",
        "vcf_own_total_s": f"{total_s:.2f}",
        "vcf_plink2_s": f"{run.wall:.2f}" if run.returncode == 0 else f"failed {run.returncode}",
    }


def read_scores(path: Path, k: int = 2) -> dict[str, np.ndarray]:
    """{sample: first k PCs} from a plink2 .eigenvec or the Hail helper's TSV."""
    out = {}
    with open(path) as fh:
        header = fh.readline().lstrip("#").split()
        name = header.index("IID") if "IID" in header else 0
        first = header.index("PC1")
        for line in fh:
            f = line.split()
            out[f[name]] = np.array([float(x) for x in f[first : first + k]])
    return out


def corr(a: dict[str, np.ndarray], b: dict[str, np.ndarray], pc: int) -> str:
    names = sorted(set(a) & set(b))
    if len(names) < 3:
        return ""
    x = np.array([a[n][pc] for n in names])
    y = np.array([b[n][pc] for n in names])
    return f"{abs(float(np.corrcoef(x, y)[0, 1])):.4f}"


def pca(a: argparse.Namespace) -> int:
    cores = benchlib.cores()
    hail_python = Path(a.hail_python)
    rows = []
    for n in a.samples_list:
        work = WORK / f"pca-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        t = time.perf_counter()
        names = data.sample_names(n)
        data.write_bed(work / "cohort", data.structured_blocks(n, a.sites, a.seed), names)
        print(f"wrote {n} x {a.sites:,} in {time.perf_counter() - t:.1f} s", flush=True)
        runs = []
        base = f"plink2 --bfile {work / 'cohort'} --threads {cores} --memory {a.memory_mb}"
        if n <= a.exact_max:
            runs.append(("plink2 --pca", f"{base} --pca 10 --out {work / 'exact'}", "exact"))
        runs.append(("plink2 --pca approx", f"{base} --pca approx 10 --out {work / 'approx'}", ""))
        runs.append(
            (
                "hail hwe_normalized_pca",
                f"{hail_python} {ROOT / 'benchmarks' / 'hail_pca.py'} {work / 'cohort'} "
                f"{work / 'hail.tsv'} --k 10 --cores {cores} --memory-mb {a.memory_mb}",
                "hail",
            )
        )
        scores = {}
        for tool, cmd, key in runs:
            load = benchlib.load_average()
            log = work / f"{tool.split()[0]}.log"
            timed = bounded(cmd, a.timeout, log)
            # Hail's helper prints the seconds after Spark started (import + PCA)
            inner = re.search(r"^pca_s\t(\S+)", log.read_text(errors="replace"), re.M)
            outcome = (
                "ok"
                if timed.returncode == 0
                else f"stopped at the {a.timeout} s bound"
                if timed.returncode in (124, 137, -9)
                else f"failed ({timed.returncode})"
            )
            if timed.returncode == 0:
                path = work / ("hail.tsv" if key == "hail" else f"{key or 'approx'}.eigenvec")
                scores[tool] = read_scores(path)
            reference = scores.get("plink2 --pca") or scores.get("plink2 --pca approx") or {}
            mine = scores.get(tool, {})
            rows.append(
                {
                    "date": benchlib.now(),
                    "cores": cores,
                    "load": f"{load:.2f}",
                    "n_samples": n,
                    "n_sites": a.sites,
                    "tool": tool,
                    "seconds": f"{timed.wall:.1f}",
                    "cpu_s": f"{timed.cpu:.1f}",
                    "peak_mb": f"{timed.peak_rss_mb:.0f}",
                    "outcome": outcome,
                    "pc1_corr": corr(reference, mine, 0) if mine is not reference else "",
                    "pc2_corr": corr(reference, mine, 1) if mine is not reference else "",
                    "after_start_s": inner.group(1) if key == "hail" and inner else "",
                    "version": plink2_version() if tool.startswith("plink2") else "hail 0.2.139",
                }
            )
            print(benchlib.table(PCA_COLUMNS[3:], [[rows[-1][c] for c in PCA_COLUMNS[3:]]]))
            if not a.no_write:
                benchlib.append_row(PCA_TSV, PCA_COLUMNS, rows[-1])
        if not a.keep:
            for f in work.glob("cohort.*"):
                f.unlink()
    print(benchlib.table(PCA_COLUMNS[3:], [[r[c] for c in PCA_COLUMNS[3:]] for r in rows]))
    print(f"load average after: {benchlib.load_average():.2f} ({cores} cores)")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what", required=True)
    k = sub.add_parser("king", help="own KING-robust against plink2 --make-king-table")
    k.add_argument("--samples", type=int, default=2000)
    k.add_argument("--sites", type=int, default=100_000)
    k.add_argument("--missing", type=float, default=0.01)
    k.add_argument("--vcf", action="store_true", help="also end to end from a bgzipped VCF")
    p = sub.add_parser("pca", help="plink2 --pca against Hail hwe_normalized_pca")
    p.add_argument("--samples", dest="samples_list", type=int, nargs="+", default=[2000, 20000])
    p.add_argument("--sites", type=int, default=50_000)
    p.add_argument("--exact-max", type=int, default=5000, help="largest n for exact plink2 PCA")
    p.add_argument("--memory-mb", type=int, default=8000)
    p.add_argument("--hail-python", default=str(ROOT / ".venv-hail" / "bin" / "python"))
    p.add_argument("--keep", action="store_true", help="keep the genotype files")
    for q in (k, p):
        q.add_argument("--seed", type=int, default=1)
        q.add_argument("--timeout", type=int, default=900, help="bound of each tool run (s)")
        q.add_argument("--no-write", action="store_true", help="do not append to the TSVs")
    a = ap.parse_args(argv)
    return king(a) if a.what == "king" else pca(a)


if __name__ == "__main__":
    sys.exit(main())
