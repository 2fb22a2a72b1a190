"""The scaling harness's three joint-genotyping paths (bench_scaling.py), each run and
measured on the generated cohort ``c`` (bench_scaling.make_cohort): bcftools on the full or
the compact gVCFs, and the hail cohort store (combine from an empty store, then every
shard exported); and the cost of adding samples to an existing cohort against
rebuilding it. The commands are scaling_jobs.py's (the workflow's templates)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import benchlib as bl
import scaling_calc as calc
import scaling_jobs as jobs


def bcftools_joint(a, c, form: str, n: int, params: dict, outdir: Path) -> dict:
    """Joint genotyping of the first n samples' tiled gVCFs of ``form`` (full or compact)."""
    outdir.mkdir(parents=True, exist_ok=True)
    names = c.names[:n]
    tiled = getattr(c, "tiled_gvcf" if form == "full" else "tiled_compact")[:n]
    sexes = jobs.write_sexes(outdir / "sexes.txt", names, c.sexes[:n])
    cmds, parts = jobs.bcftools_shards(tiled, c.shards, c.tiled_ref, sexes, params, outdir)
    shards = jobs.run_jobs(cmds, a.cores, outdir, "shard")
    cohort = str(outdir / "cohort.vcf.gz")
    concat = bl.run_timed(
        jobs.concat_command(parts, str(c.freeze_line), cohort), log=outdir / "concat.log"
    )
    starts = c.starts[form]
    merged = len(set().union(*(starts[s] for s in names)))
    return {
        "path": form,
        "n": n,
        "wall_s": shards.wall + concat.wall,
        "cpu_s": shards.cpu + concat.cpu,
        "shards_cpu_s": shards.cpu,
        "shards_wall_s": shards.wall,
        "shard_peak_mb": shards.peak_mb,
        "gvcf_bytes": sum(os.path.getsize(p) for p in tiled),
        "vcf_bytes": os.path.getsize(cohort),
        "merged_records": merged * a.tile,
        "cohort": cohort,
    }


def hail_combine(a, c, names: list[str], store: Path, outdir: Path) -> tuple[dict, str, str]:
    """rule hail_update_cohort with ``names`` on ``store`` (empty or existing): timing, the
    bytes it wrote into the store, the store's size after; (values, freeze, header)."""
    outdir.mkdir(parents=True, exist_ok=True)
    index = {n: i for i, n in enumerate(c.names)}
    table = jobs.write_gvcf_table(
        outdir / "gvcfs.tsv", names, [c.tiled_hail[index[n]] for n in names]
    )
    cmd, freeze, header = jobs.hail_update(
        store,
        table,
        f"{c.tiled_ref}.fai",
        outdir,
        a.cores,
        a.hail_mem_mb,
        a.max_batches,
        a.hail_timeout,
    )
    before = calc.snapshot(store)
    t = jobs.run_jobs([cmd], 1, outdir, "update", fatal=jobs.JVM_CRASH).timings[0]
    after = calc.snapshot(store)
    values = {
        "cpu_s": t.cpu,
        "wall_s": t.wall,
        "peak_mb": t.peak_rss_mb,
        "io_mb": t.written_mb,
        "written": calc.written_bytes(before, after),
        "store": calc.total_bytes(after),
    }
    return values, freeze, header


def hail_export(a, c, names, store: Path, freeze: str, header: str, params, outdir) -> dict:
    """Every shard exported from the store and filtered, then the concat."""
    outdir.mkdir(parents=True, exist_ok=True)
    index = {n: i for i, n in enumerate(c.names)}
    sexes = jobs.write_sexes(outdir / "sexes.txt", names, [c.sexes[index[n]] for n in names])
    cmds, parts = jobs.hail_shards(
        store,
        freeze,
        c.shards,
        sexes,
        c.tiled_ref,
        params,
        outdir,
        a.hail_threads,
        a.hail_mem_mb,
        a.hail_timeout,
    )
    parallel = max(1, a.cores // a.hail_threads)
    shards = jobs.run_jobs(cmds, parallel, outdir, "shard", fatal=jobs.JVM_CRASH)
    cohort = str(outdir / "cohort.vcf.gz")
    concat = bl.run_timed(jobs.concat_command(parts, header, cohort), log=outdir / "concat.log")
    return {
        "cpu_s": shards.cpu + concat.cpu,
        "wall_s": shards.wall + concat.wall,
        "shards_cpu_s": shards.cpu,
        "shards_wall_s": shards.wall,
        "shard_peak_mb": shards.peak_mb,
        "vcf_bytes": os.path.getsize(cohort),
        "cohort": cohort,
    }


def hail_joint(a, c, n: int, params: dict, outdir: Path) -> dict:
    """The hail engine from an empty store: combine the first n samples, export."""
    names = c.names[:n]
    store = outdir / "store"
    shutil.rmtree(store, ignore_errors=True)
    comb, freeze, header = hail_combine(a, c, names, store, outdir)
    exp = hail_export(a, c, names, store, freeze, header, params, outdir / "export")
    return {
        "path": "hail",
        "n": n,
        "wall_s": comb["wall_s"] + exp["wall_s"],
        "cpu_s": comb["cpu_s"] + exp["cpu_s"],
        "combine_cpu_s": comb["cpu_s"],
        "combine_wall_s": comb["wall_s"],
        "combine_peak_mb": comb["peak_mb"],
        "store_bytes": comb["store"],
        "export_cpu_s": exp["cpu_s"],
        "shards_cpu_s": exp["shards_cpu_s"],
        "shards_wall_s": exp["shards_wall_s"],
        "shard_peak_mb": exp["shard_peak_mb"],
        "gvcf_bytes": sum(os.path.getsize(p) for p in c.tiled_hail[:n]),
        "vcf_bytes": exp["vcf_bytes"],
        "cohort": exp["cohort"],
        "store": str(store),
    }


def scale(a, c, path: str, sizes: list[int], params: dict) -> list[dict]:
    rows = []
    for n in sizes:
        outdir = c.work / path / f"N{n}"
        if path == "hail":
            r = hail_joint(a, c, n, params, outdir)
        else:
            r = bcftools_joint(a, c, path, n, params, outdir)
        rows.append(r)
        print(
            f"  {path} N={n}: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, peak "
            f"{r['shard_peak_mb']:.0f} MB per shard",
            flush=True,
        )
    calc.per_sample(rows)
    return rows


def adds(a, c, path: str, plan, rows: list[dict], params: dict) -> list[dict]:
    """k samples added to a cohort of n, against rebuilding it (see the docstring)."""
    by_n = {r["n"]: r for r in rows}
    out = []
    for n, k in plan:
        names = c.names[: n + k]
        outdir = c.work / path / f"add{n}+{k}"
        if path != "hail":  # bcftools: adding re-joint-calls all n + k
            r = bcftools_joint(a, c, path, n + k, params, outdir)
            both = {"cpu_s": r["cpu_s"], "wall_s": r["wall_s"], "peak_mb": r["shard_peak_mb"]}
            both.update(written=r["vcf_bytes"], store=r["vcf_bytes"])
            out.append(calc.add_row(path, n, k, both, both))
        else:
            store = outdir / "store"
            shutil.rmtree(outdir, ignore_errors=True)
            shutil.copytree(by_n[n]["store"], store, symlinks=True)
            add, freeze, header = hail_combine(a, c, names, store, outdir)
            try:
                exp = hail_export(a, c, names, store, freeze, header, params, outdir / "export")
                add.update(export_cpu_s=exp["cpu_s"], export_wall_s=exp["wall_s"])
            except RuntimeError as e:  # a failed export is a result: recorded, the run goes on
                add["export_error"] = calc.first_error(str(e))
                print(f"  hail: export after +{k} to N={n} FAILED: {add['export_error']}")
            rebuild_dir = c.work / path / f"rebuild{n + k}"
            rebuild_store = rebuild_dir / "store"
            shutil.rmtree(rebuild_dir, ignore_errors=True)
            rebuild, _, _ = hail_combine(a, c, names, rebuild_store, rebuild_dir)
            rebuild["export_cpu_s"] = by_n[n]["export_cpu_s"]
            out.append(calc.add_row(path, n, k, add, rebuild))
            shutil.rmtree(rebuild_store, ignore_errors=True)
        r = out[-1]
        print(
            f"  {path}: +{k} to N={n}: {r['add_cpu_s']:.1f} s CPU, rebuild "
            f"{r['rebuild_cpu_s']:.1f} s CPU",
            flush=True,
        )
    return out
