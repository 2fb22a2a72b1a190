#!/usr/bin/env python3
"""Speed harness for the Beacon (scripts/serve_beacon.py, refcohort.beacon) against the
same look-ups done directly with tabix.

For each release -- the small one (default ``results/release/allele_frequencies.vcf.gz``,
the demo's; ``--small``) and a generated one of ``--sites`` (default 1,000,000) records
with the release's own header (refcohort.release.vcf: 9 published groups, AC, AN, AF,
AC_Hom, AC_Het, AC_Hemi each; 5% of positions split multi-allelic, 10% indels) -- it
draws the same seeded look-ups: 70% sequence queries for records of the file, 20% for
alleles it does not hold, 10% range queries of up to 10 kb, and times them, in one run:

* ``tabix``: the look-ups directly with pysam (``TabixFile.fetch`` of the window, the
  alleles compared in Python), one after another in this process;
* ``sqlite``: the same through the Beacon's SQLite copy (``SqliteStore``; the copy's build
  time is reported apart);
* ``http-tabix``, ``http-sqlite``: the running server (one uvicorn process, each backend)
  driven over loopback by ``--clients`` concurrent httpx async clients (1, then 16), count
  granularity; ``http-record``: tabix, record granularity with a bearer token.

Each HTTP phase stops after ``--requests`` requests or ``--seconds`` seconds, whichever
comes first. Prints a table (look-ups per second, p50 and p99 latency in ms, each HTTP
phase's p50 against direct tabix's) and appends one row per phase to
``benchmarks/results/beacon.tsv``:

    date  release  n_sites  mode  clients  requests  seconds  per_s  p50_ms  p99_ms  errors

This prints figures, it does not assert (docs/benchmarks.md, docs/beacon.md).

    python benchmarks/bench_beacon.py [--small PATH] [--sites 1000000] [--clients 1,16]
        [--requests 3000] [--seconds 60] [--seed 1] [--quick] [--workdir DIR] [--keep]
        [--no-write]

``--quick``: 100,000 generated sites, 500 requests per phase.
"""

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
import httpx
import numpy as np
import pysam

from refcohort.beacon import SqliteStore, launch
from refcohort.release import Design, Sample
from refcohort.release.vcf import format_af, header_lines, policy_lines

ROOT = benchlib.ROOT
RESULTS = benchlib.RESULTS / "beacon.tsv"
COLUMNS = "date release n_sites mode clients requests seconds per_s p50_ms p99_ms errors".split()
CONTIGS = [("chr1", 248_956_422), ("chr2", 242_193_529)]
TOKEN = "bench-token-0123456789abcdef"


# ------------------------------------------------------------------ the generated release
def generate(path: Path, n_sites: int, seed: int) -> Path:
    """A release-shaped VCF of ``n_sites`` records (bgzipped and indexed)."""
    samples = [
        Sample(f"B{p}{s}{i:03d}", p, s) for p in ("FI", "EE") for s in "FM" for i in range(30)
    ]
    design = Design(samples, min_group_size=20, min_allele_count=10)
    header = header_lines(design, CONTIGS, policy_lines(design, 0.177, "exclude"))
    rng = np.random.default_rng(seed)
    pool = []  # distinct INFO texts, drawn from per site
    for _ in range(4000):
        parts = []
        for g in design.published:
            an = 2 * g.size
            ac = int(rng.integers(0, an + 1)) if rng.random() < 0.5 else int(rng.integers(0, 12))
            small = 0 < ac < 10 or 0 < an - ac < 10
            c = "." if small else str(ac)
            af = "." if small else format_af(ac, an)
            hom = "." if small else str(ac // 4 * 2)
            het = "." if small else str(ac - ac // 4 * 2)
            s = g.suffix
            parts.append(
                f"AC{s}={c};AN{s}={an};AF{s}={af};AC_Hom{s}={hom};AC_Het{s}={het};"
                f"AC_Hemi{s}={'.' if small else 0}"
            )
        pool.append(";".join(parts))
    text = path.with_suffix("")
    with open(text, "w") as fh:
        fh.write("\n".join(header) + "\n")
        shares = {"chr1": 0.6, "chr2": 0.4}
        for contig, length in CONTIGS:
            k = int(n_sites * shares[contig] / 1.05)
            pos = np.unique(rng.integers(1, length - 100, int(k * 1.02)))[:k]
            ref = rng.choice(list("ACGT"), pos.size)
            alt = np.array([{"A": "G", "C": "T", "G": "A", "T": "C"}[r] for r in ref])
            indel = rng.random(pos.size) < 0.1
            split = rng.random(pos.size) < 0.05
            info = rng.integers(0, len(pool), pos.size)
            lines = []
            for i in range(pos.size):
                r, a = str(ref[i]), str(alt[i])
                if indel[i]:
                    r, a = (r + "T", r) if i % 2 else (r, r + "GA")
                lines.append(f"{contig}\t{pos[i]}\t.\t{r}\t{a}\t.\tPASS\t{pool[info[i]]}\n")
                if split[i]:
                    other = next(b for b in "ACGT" if b not in (r[0], a))
                    lines.append(f"{contig}\t{pos[i]}\t.\t{r[0]}\t{other}\t.\tPASS\t{pool[0]}\n")
            fh.write("".join(lines))
    subprocess.run(["bgzip", "-f", "-@", "2", str(text)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


# ------------------------------------------------------------------ the look-ups
def draw_queries(path: Path, n: int, seed: int) -> list[dict]:
    """Seeded Beacon queries: sequence queries for held and absent alleles, ranges."""
    rng = random.Random(seed)
    tbx = pysam.TabixFile(str(path))
    lengths = {
        c: int(line.split("length=")[1].rstrip(">"))
        for line in tbx.header
        if line.startswith("##contig")
        for c in [line.split("ID=")[1].split(",")[0]]
    }
    contigs = [c for c in tbx.contigs if c in lengths]
    out = []
    while len(out) < n:
        chrom = rng.choice(contigs)
        start = rng.randrange(0, lengths[chrom] - 20_000)
        kind = rng.random()
        if kind < 0.1:
            out.append(
                {"referenceName": chrom, "start": start, "end": start + rng.randint(100, 10_000)}
            )
            continue
        near = next(iter(tbx.fetch(chrom, start, min(lengths[chrom], start + 5_000_000))), None)
        if near is None:
            continue
        f = near.split("\t", 5)
        pos0, ref, alt = int(f[1]) - 1, f[3], f[4]
        if kind >= 0.8:  # an allele the release does not hold at a held position
            alt = next(b for b in "ACGT" if b not in (ref[0], alt))
        out.append(
            {"referenceName": chrom, "start": pos0, "referenceBases": ref, "alternateBases": alt}
        )
    return out


def direct_tabix(path: Path, queries: list[dict], found: list[int]) -> list[float]:
    """Each look-up with pysam alone: fetch the window, compare the alleles (the number of
    matches of each in ``found``)."""
    tbx = pysam.TabixFile(str(path))
    times = []
    for q in queries:
        t = time.perf_counter()
        if "end" in q:
            n = sum(1 for _ in tbx.fetch(q["referenceName"], q["start"], q["end"]))
        else:
            s = q["start"]
            n = 0
            for line in tbx.fetch(q["referenceName"], max(0, s - 1), s + 1):
                f = line.split("\t", 5)
                if (
                    int(f[1]) - 1 == s
                    and f[3] == q["referenceBases"]
                    and f[4] == q["alternateBases"]
                ):
                    n += 1
        times.append(time.perf_counter() - t)
        found.append(n)
    return times


def direct_sqlite(store: SqliteStore, queries: list[dict], found: list[int]) -> list[float]:
    """The look-ups through the SQLite copy (the number of matches of each in ``found``)."""
    times = []
    for q in queries:
        t = time.perf_counter()
        if "end" in q:
            n = sum(1 for _ in store.fetch(q["referenceName"], q["start"], q["end"]))
        else:
            s = q["start"]
            window = store.fetch(q["referenceName"], max(0, s - 1), s + 1)
            wanted = (q["referenceBases"], q["alternateBases"])
            n = sum(1 for x in window if x.start0 == s and (x.ref, x.alt) == wanted)
        times.append(time.perf_counter() - t)
        found.append(n)
    return times


# ------------------------------------------------------------------ the server
def start_server(release: Path, workdir: Path, backend: str) -> tuple[subprocess.Popen, str]:
    config = workdir / f"beacon-{backend}.yaml"
    config.write_text(f"backend: {backend}\nsqlite_path: {release}.sqlite\nmax_range: 20000\n")
    env = dict(os.environ, REFCOHORT_BEACON_TOKEN=TOKEN)
    try:
        return launch.start(release, config, workdir / f"server-{backend}.log", env, 600)
    except RuntimeError as e:
        raise SystemExit(str(e)) from e


async def drive(
    base: str, queries: list[dict], clients: int, limit: int, seconds: float, granularity: str
) -> tuple[list[float], float, int]:
    """Latencies of up to ``limit`` requests from ``clients`` concurrent clients, stopping
    after ``seconds``; (latencies, elapsed seconds, errors)."""
    headers = {"Authorization": f"Bearer {TOKEN}"} if granularity == "record" else {}
    latencies: list[float] = []
    errors = 0
    issued = 0
    start = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits, headers=headers) as c:

        async def worker():
            nonlocal issued, errors
            while issued < limit and time.perf_counter() - start < seconds:
                q = queries[issued % len(queries)]
                issued += 1
                t = time.perf_counter()
                r = await c.get("/g_variants", params={**q, "requestedGranularity": granularity})
                latencies.append(time.perf_counter() - t)
                errors += r.status_code != 200

        await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, time.perf_counter() - start, errors


def summarise(name, n_sites, mode, clients, latencies, elapsed, errors) -> dict:
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))]
    return {
        "date": benchlib.now(),
        "release": name,
        "n_sites": n_sites,
        "mode": mode,
        "clients": clients,
        "requests": len(ms),
        "seconds": round(elapsed, 2),
        "per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(p99, 3),
        "errors": errors,
    }


def bench_release(name, path, args, workdir) -> list[dict]:
    n_sites = sum(1 for _ in pysam.TabixFile(str(path)).fetch())
    queries = draw_queries(path, args.requests, args.seed)
    rows = []
    by_tabix: list[int] = []
    by_sqlite: list[int] = []
    times = direct_tabix(path, queries, by_tabix)
    rows.append(summarise(name, n_sites, "tabix", 1, times, sum(times), 0))
    t = time.perf_counter()
    store = SqliteStore(path, Path(f"{path}.sqlite"))
    build = time.perf_counter() - t
    times = direct_sqlite(store, queries, by_sqlite)
    if by_sqlite != by_tabix:
        print(f"WARNING: {name}: SQLite and tabix found different matches")
    rows.append(summarise(name, n_sites, "sqlite", 1, times, sum(times), 0))
    rows[-1]["build_s"] = round(build, 1)
    store.close()
    for backend, granularity in (("tabix", "count"), ("sqlite", "count"), ("tabix", "record")):
        proc, base = start_server(path, workdir, backend)
        mode = f"http-{backend}" if granularity == "count" else "http-record"
        try:
            for clients in args.clients:
                lat, elapsed, errors = asyncio.run(
                    drive(base, queries, clients, args.requests, args.seconds, granularity)
                )
                rows.append(summarise(name, n_sites, mode, clients, lat, elapsed, errors))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--small", type=Path, default=ROOT / "results/release/allele_frequencies.vcf.gz")
    p.add_argument("--sites", type=int, default=1_000_000)
    p.add_argument("--clients", type=lambda x: [int(c) for c in x.split(",")], default=[1, 16])
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--workdir", type=Path)
    p.add_argument("--keep", action="store_true")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    if args.quick:
        args.sites, args.requests = 100_000, 500
    workdir = args.workdir or Path(
        tempfile.mkdtemp(
            prefix="bench-beacon-", dir=benchlib.RESULTS if benchlib.RESULTS.exists() else None
        )
    )
    workdir.mkdir(parents=True, exist_ok=True)
    releases = []
    if args.small.exists():
        small = workdir / "small.vcf.gz"
        shutil.copy(args.small, small)
        shutil.copy(f"{args.small}.tbi", f"{small}.tbi")
        releases.append(("small", small))
    else:
        print(f"no small release at {args.small} (make demo, or --small): generating 10,000 sites")
        releases.append(("small", generate(workdir / "small.vcf.gz", 10_000, args.seed)))
    t = time.perf_counter()
    large = generate(workdir / "large.vcf.gz", args.sites, args.seed)
    print(
        f"generated {large.name} ({args.sites:,} sites asked) in {time.perf_counter() - t:.1f} s, "
        f"{large.stat().st_size / 2**20:.0f} MiB"
    )
    rows = []
    for name, path in releases + [("generated", large)]:
        rows += bench_release(name, path, args, workdir)
    tabix_p50 = {r["release"]: r["p50_ms"] for r in rows if r["mode"] == "tabix"}
    print(f"\n{benchlib.machine()}; load {benchlib.load_average():.2f}; {benchlib.now()}")
    print(
        benchlib.table(
            [
                "release",
                "sites",
                "mode",
                "clients",
                "requests",
                "s",
                "per s",
                "p50 ms",
                "p99 ms",
                "p50 / tabix",
                "errors",
            ],
            [
                [
                    r["release"],
                    f"{r['n_sites']:,}",
                    r["mode"],
                    r["clients"],
                    r["requests"],
                    r["seconds"],
                    r["per_s"],
                    r["p50_ms"],
                    r["p99_ms"],
                    f"{r['p50_ms'] / tabix_p50[r['release']]:.1f}",
                    r["errors"],
                ]
                for r in rows
            ],
        )
    )
    for r in rows:
        if "build_s" in r:
            print(f"SQLite copy of the {r['release']} release built in {r['build_s']} s")
        if not args.no_write:
            benchlib.append_row(RESULTS, COLUMNS, r)
    if not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
