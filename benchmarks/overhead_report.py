"""The overhead harness's report (bench_overhead.py): the overhead table, the CPU
utilisation, where the time goes per rule, and the rows appended to
``benchmarks/results/overhead.tsv`` and ``overhead_rules.tsv``."""

from __future__ import annotations

import benchlib as bl

RESULTS = bl.RESULTS / "overhead.tsv"
RULES_TSV = bl.RESULTS / "overhead_rules.tsv"
COLUMNS = (
    "date machine cores mode samples units pipeline_wall_s pipeline_cpu_s floor_wall_s"
    " floor_cpu_s floor_core_wall_s floor_core_cpu_s ratio_wall ratio_cpu ratio_wall_core"
    " ratio_cpu_core comparable_ratio_wall comparable_ratio_cpu utilisation_kernel"
    " utilisation_benchmark_files slowest_rule slowest_rule_wall_s same_calls load_before"
    " load_after"
).split()
RULE_COLUMNS = (
    "rule jobs wall_s cpu_s cpu_share max_rss_mb bench_files_cpu_s floor_jobs"
    " floor_wall_s floor_cpu_s ratio_wall ratio_cpu"
).split()


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def overhead_rows(f: dict) -> list[list[str]]:
    """The three lines of the overhead table."""
    pipe, floor = f["pipe"], f["floor"]
    return [
        [
            "whole run vs floor (core + QC tools)",
            bl.seconds(pipe.wall),
            bl.seconds(floor.wall),
            f"{ratio(pipe.wall, floor.wall):.3f}",
            f"{pipe.cpu:.0f}",
            f"{floor.cpu:.0f}",
            f"{ratio(pipe.cpu, floor.cpu):.3f}",
        ],
        [
            "whole run vs floor (core path)",
            bl.seconds(pipe.wall),
            bl.seconds(f["floor_core_wall"]),
            f"{ratio(pipe.wall, f['floor_core_wall']):.3f}",
            f"{pipe.cpu:.0f}",
            f"{f['floor_core_cpu']:.0f}",
            f"{ratio(pipe.cpu, f['floor_core_cpu']):.3f}",
        ],
        [
            "comparable rules, job by job",
            f"{f['comp_wall']:.0f} s",
            f"{f['comp_floor_wall']:.0f} s",
            f"{ratio(f['comp_wall'], f['comp_floor_wall']):.3f}",
            f"{f['comp_cpu']:.0f}",
            f"{f['comp_floor_cpu']:.0f}",
            f"{ratio(f['comp_cpu'], f['comp_floor_cpu']):.3f}",
        ],
    ]


def rule_row(name: str, f: dict) -> dict:
    """One row of overhead_rules.tsv."""
    r, pipe = f["rules"][name], f["pipe"]
    fr = f["floor_rules"].get(name) if name in f["floor_rules"] else None
    row = {
        "rule": name,
        "jobs": r["jobs"],
        "wall_s": round(r["wall"], 1),
        "cpu_s": round(r["cpu"], 1),
        "cpu_share": round(ratio(r["cpu"], pipe.cpu), 4),
        "max_rss_mb": round(r["max_rss_mb"]) if r["max_rss_mb"] else "",
        "bench_files_cpu_s": round(r["bench_cpu"], 1) if name in f["bench_rules"] else "",
        "floor_jobs": fr["jobs"] if fr else "",
        "floor_wall_s": round(fr["wall"], 1) if fr else "",
        "floor_cpu_s": round(fr["cpu"], 1) if fr else "",
        "ratio_wall": round(ratio(r["wall"], fr["wall"]), 3) if fr else "",
        "ratio_cpu": round(ratio(r["cpu"], fr["cpu"]), 3) if fr else "",
    }
    if name == "(snakemake)":
        row.update(
            jobs="",
            wall_s="",
            cpu_s=round(f["snakemake_cpu"], 1),
            cpu_share=round(ratio(f["snakemake_cpu"], pipe.cpu), 4),
            max_rss_mb="",
        )
    return row


def print_report(a, f: dict) -> list[dict]:
    """Print the tables; returns the per-rule rows (for overhead_rules.tsv)."""
    pipe, floor, cores = f["pipe"], f["floor"], a.cores
    print()
    print(
        f"Overhead: demo through the pipeline vs the floor (same tools, same threads), {cores} "
        f"cores, {'quick' if a.quick else 'full'}"
    )
    headers = ["measure", "pipeline", "floor", "wall ratio", "pipeline CPU s", "floor CPU s"]
    print(bl.table(headers + ["CPU ratio"], overhead_rows(f), "lrrrrrr"))
    print(
        "target: ratio <= 1.05. 'comparable rules' sums job wall (job-seconds) and CPU over "
        "the rules the floor also runs."
    )
    print(
        f"CPU utilisation of the pipeline run on {cores} cores: {f['util_kernel']:.1%} "
        f"(kernel: all CPU of the run / (wall x cores)); {f['util_jobs']:.1%} in jobs (exact "
        f"per job), {f['util_bench']:.1%} from the rules' benchmark: files (psutil samples: "
        f"they hold {ratio(f['bench_cpu'], f['jobs_cpu']):.0%} of the jobs' exact CPU and "
        f"cover only the rules with benchmark:); target >= 90%. The floor's own: "
        f"{floor.cpu / (floor.wall * cores):.1%} (the tools' streams do not fill {cores} "
        f"cores either)"
    )
    print(
        f"Snakemake's own process: {f['snakemake_cpu']:.0f} s CPU "
        f"({ratio(f['snakemake_cpu'], pipe.cpu):.1%} of the run)"
    )
    print(
        f"cohort VCF: pipeline {f['n_pipe']} records, floor {f['n_floor']}; same records and "
        f"genotypes: {'yes' if f['same'] else 'NO'}"
    )
    print(
        f"load average before/after: {f['load_before']:.2f}/{f['load_after']:.2f} (above "
        f"{cores}, wall times include waiting for other processes)"
    )

    print()
    print(
        "Where the time goes (pipeline jobs, exact per job; floor jobs; job-seconds, summed "
        "over jobs)"
    )
    rules = f["rules"]
    out_rows = [rule_row(name, f) for name in sorted(rules, key=lambda k: -rules[k]["cpu"])]
    shown = [
        [
            row["rule"] if row["rule"] != "(snakemake)" else "(snakemake itself)",
            row["jobs"],
            row["wall_s"],
            row["cpu_s"],
            f"{row['cpu_share']:.1%}",
            row["max_rss_mb"],
            row["bench_files_cpu_s"],
            row["floor_wall_s"],
            row["floor_cpu_s"],
            row["ratio_wall"],
            row["ratio_cpu"],
        ]
        for row in out_rows
    ]
    headers = ["rule", "jobs", "wall s", "CPU s", "CPU %", "max RSS MB", "bench CPU s"]
    headers += ["floor wall s", "floor CPU s", "wall ratio", "CPU ratio"]
    print(bl.table(headers, shown, "lrrrrrrrrrr"))
    slowest = f["named"][f["slowest"]]
    print(
        f"slowest rule: {f['slowest']} ({slowest['jobs']} jobs, {slowest['wall']:.0f} "
        f"job-seconds, longest job {slowest['max_job_wall']:.0f} s)"
    )
    return out_rows


def write_results(a, f: dict, n_samples: int, n_units: int, out_rows: list[dict]) -> None:
    """Append this run's row to overhead.tsv; write overhead_rules.tsv."""
    pipe, floor = f["pipe"], f["floor"]
    row = {
        "date": bl.now(),
        "machine": bl.machine(),
        "cores": a.cores,
        "mode": "quick" if a.quick else "full",
        "samples": n_samples,
        "units": n_units,
        "pipeline_wall_s": round(pipe.wall, 1),
        "pipeline_cpu_s": round(pipe.cpu, 1),
        "floor_wall_s": round(floor.wall, 1),
        "floor_cpu_s": round(floor.cpu, 1),
        "floor_core_wall_s": round(f["floor_core_wall"], 1),
        "floor_core_cpu_s": round(f["floor_core_cpu"], 1),
        "ratio_wall": round(ratio(pipe.wall, floor.wall), 3),
        "ratio_cpu": round(ratio(pipe.cpu, floor.cpu), 3),
        "ratio_wall_core": round(ratio(pipe.wall, f["floor_core_wall"]), 3),
        "ratio_cpu_core": round(ratio(pipe.cpu, f["floor_core_cpu"]), 3),
        "comparable_ratio_wall": round(ratio(f["comp_wall"], f["comp_floor_wall"]), 3),
        "comparable_ratio_cpu": round(ratio(f["comp_cpu"], f["comp_floor_cpu"]), 3),
        "utilisation_kernel": round(f["util_kernel"], 3),
        "utilisation_benchmark_files": round(f["util_bench"], 3),
        "slowest_rule": f["slowest"],
        "slowest_rule_wall_s": round(f["named"][f["slowest"]]["wall"], 1),
        "same_calls": "yes" if f["same"] else "no",
        "load_before": round(f["load_before"], 2),
        "load_after": round(f["load_after"], 2),
    }
    bl.append_row(RESULTS, COLUMNS, row)
    bl.write_rows(RULES_TSV, RULE_COLUMNS, out_rows)
    print(
        f"appended to {RESULTS.relative_to(bl.ROOT)}; per-rule table in "
        f"{RULES_TSV.relative_to(bl.ROOT)}"
    )
