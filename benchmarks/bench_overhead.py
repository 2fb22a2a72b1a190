#!/usr/bin/env python3
"""Pipeline overhead: the demo through the pipeline against the same tools, with the
same threads, in a minimal shell chain (the floor for these tools), in the same run.

1. **pipeline**: ``snakemake --cores N --workflow-profile profiles/default --configfile
   config/demo.yaml`` in a scratch directory (``--directory``), from nothing: reference
   indexes, alignment, gVCFs, QC and the gate, joint calling, cohort QC, release,
   report, accuracy, manifest. Run through ``benchmarks/snakemake_jobtimes.py`` (plain
   Snakemake that also records each job's exact CPU time); the rules' own
   ``benchmark:`` files (``logs/benchmarks/<rule>/``) are read too.
2. **floor** (``benchmarks/floor.py``): ``floor.sh``, written into the scratch directory
   from the same ``units.tsv`` (a FASTQ pair, or exactly one ``cram``/``bam``/``ubam``,
   per row) and config, one small script per job, run by ``xargs -P`` with as many jobs
   at once as the cores allow for the rule's threads (``min(threads, cores)``, as
   Snakemake caps them). Each job is the rule's command from ``refcohort.commands``,
   rendered for the floor's files. Core path: ``stage_reference`` + ``samtools faidx``
   + ``samtools dict`` + ``bwa index``; per unit ``fastp | bwa mem | samtools fixmate |
   samtools sort`` (rule bwa_mem, FASTQ pairs) or ``samtools collate | samtools fastq |
   fastp | bwa mem | samtools fixmate | samtools sort`` (rule bwa_mem_realign, a
   cram/bam/ubam); per sample ``samtools merge | samtools markdup`` to CRAM; per sample
   and shard ``bcftools mpileup --gvcf`` + ``tabix``, ``bcftools concat``; per shard the
   joint-calling chain of rule bcftools_call_cohort (``merge --gvcf | call -m | view |
   norm | view | view | soft filters | view``) + ``tabix``, ``bcftools concat``. QC
   tools: ``samtools stats``, ``mosdepth``, the sample's own ``bcftools call`` and two
   ``bcftools stats`` per sample, ``bcftools stats`` of the cohort. The floor reuses
   three small things the pipeline computed in the same run rather than recomputing
   them: the interval shards and QC BEDs (Python, milliseconds) and the gate's list of
   samples that enter joint calling, so that both call the same samples over the same
   shards (the cohort VCFs are compared record by record). It leaves out what only the
   pipeline does: the FASTQ guard (``check_pairs.awk``), the @PG link of realigned
   files, CRAM ``quickcheck`` and MD5/SHA-256 sidecars, the contamination, sex-check,
   metrics and gate scripts, relatedness, the release, MultiQC, the accuracy scoring,
   the manifest, and Snakemake itself.

Prints the overhead table (wall and CPU ratios: whole run against the floor with and
without the QC tools, and the comparable part, the rules the floor also runs, summed
job by job), the CPU utilisation of the pipeline run (kernel: CPU / (wall x cores);
the rules' benchmark: files, which psutil samples and so under-count; and the exact
per-job times), and where the time goes per rule. Appends a row to
``benchmarks/results/overhead.tsv`` and writes the per-rule table of this run to
``benchmarks/results/overhead_rules.tsv``. It prints ratios; it asserts nothing.

    python benchmarks/bench_overhead.py [--cores N] [--demo resources/demo] [--quick]
                                        [--workdir benchmarks/results/work/overhead]
                                        [--workflow DIR] [--no-write] [--keep]

``--quick``: 4 samples (S01-S04: two lanes, FASTQ, and whatever kinds the sheet gives
S03/S04), 8% of their reads, all forced through the gate (``qc.overrides``): the same
steps in ~4 min on 2 cores. The pipeline's results stay in the work folder
(``pipeline/``; bench_accuracy.py scores them); the floor's CRAMs and gVCFs are removed
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import benchlib as bl
import floor as fl
from demo_run import QUICK_FRACTION, QUICK_SAMPLES, absolute, checked_kind, describe_run, read_run
from overhead_report import print_report, write_results

from refcohort.io import read_tsv


# ------------------------------------------------------------------ the pipeline's times
def read_jobtimes(path: Path) -> list[dict]:
    """snakemake_jobtimes.py's records, one per reaped process."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def per_rule(jobtimes: list[dict], bench: list[dict]) -> dict[str, dict]:
    """{rule: jobs, wall, cpu, max_job_wall (exact, from jobtimes), bench_cpu and
    max_rss_mb (from the rules' benchmark: files, where a rule has them)}."""
    rules: dict[str, dict] = defaultdict(
        lambda: {
            "jobs": 0,
            "wall": 0.0,
            "cpu": 0.0,
            "max_rss_mb": 0.0,
            "bench_cpu": 0.0,
            "max_job_wall": 0.0,
        }
    )
    for j in jobtimes:
        r = rules[j["rule"]]
        if j["rule"] != "(snakemake)":
            r["jobs"] += 1
        r["wall"] += j["wall"]
        r["cpu"] += j["cpu"]
        r["max_job_wall"] = max(r["max_job_wall"], j["wall"])
    for b in bench:
        rules[b["rule"]]["bench_cpu"] += b["cpu_time"]
        rules[b["rule"]]["max_rss_mb"] = max(rules[b["rule"]]["max_rss_mb"], b["max_rss"])
    return dict(rules)


def compare_cohorts(a: Path, b: Path) -> tuple[bool, int, int]:
    """Same records (site, alleles, FILTER, genotypes) in two cohort VCFs?"""
    fmt = "%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n"
    got = [
        subprocess.run(
            ["bcftools", "query", "-f", fmt, str(p)], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        for p in (a, b)
    ]
    return got[0] == got[1], len(got[0]), len(got[1])


# ------------------------------------------------------------------ the two runs
def run_pipeline(a, workflow: Path, work: Path, pipe_dir: Path, configfiles, env) -> bl.Timed:
    """The pipeline, through snakemake_jobtimes.py (its log: work/pipeline.log)."""
    jobtimes_path = work / "jobtimes.jsonl"
    jobtimes_path.unlink(missing_ok=True)
    log = work / "pipeline.log"
    log.unlink(missing_ok=True)
    cmd = [
        str(bl.BIN / "python"),
        str(bl.ROOT / "benchmarks" / "snakemake_jobtimes.py"),
        str(jobtimes_path),
        "--snakefile",
        str(workflow / "Snakefile"),
        "--directory",
        str(pipe_dir),
        "--cores",
        str(a.cores),
        "--workflow-profile",
        str(workflow / "profiles" / "default"),
        "--configfile",
        *[str(c) for c in configfiles],
    ]
    print(f"pipeline: {shlex.join(cmd[3:])} (log {log})", flush=True)
    pipe = bl.run_timed(cmd, log=log, env=env)
    print(f"pipeline: {bl.seconds(pipe.wall)} wall, {pipe.cpu:.0f} s CPU", flush=True)
    return pipe


def run_floor(a, config, units, samples, pipe_dir: Path, floor_dir: Path, work: Path, env):
    """The floor, on what the pipeline decided (shards, QC regions, gate): (its times,
    the samples it called jointly)."""
    results = pipe_dir / "results"
    gate = read_tsv(results / "qc" / "sample_qc.tsv")
    joint = [g["sample"] for g in gate if g.get("joint_calling") == "included"]
    shards = sorted(str(p) for p in (results / "reference" / "intervals").glob("*.bed"))
    reference = absolute(config["reference"]["fasta"], pipe_dir)
    jobs = fl.floor_jobs(
        units,
        samples,
        joint,
        shards,
        config,
        pipe_dir,
        reference,
        str(results / "qc" / "regions.bed"),
        str(results / "qc" / "autosomes.bed"),
        floor_dir,
        a.cores,
    )
    script = fl.write_floor(floor_dir, jobs, a.cores)
    n_jobs = sum(len(v) for k, v in jobs.items() if not k.startswith("_"))
    print(f"floor: {script} ({n_jobs} jobs; joint calling: {', '.join(joint)})", flush=True)
    floor = bl.run_timed(["bash", str(script)], log=work / "floor.log", env=env)
    print(f"floor: {bl.seconds(floor.wall)} wall, {floor.cpu:.0f} s CPU", flush=True)
    return floor


def figures(a, work: Path, pipe_dir: Path, floor_dir: Path, pipe, floor) -> dict:
    """Everything the report prints, from the two runs' times."""
    floor_times = fl.read_times(floor_dir / "times.tsv")
    stages = fl.read_stages(floor_dir / "stages.tsv")
    bench = bl.read_benchmarks(pipe_dir / "logs" / "benchmarks")
    rules = per_rule(read_jobtimes(work / "jobtimes.jsonl"), bench)
    floor_rules: dict[str, dict] = defaultdict(lambda: {"jobs": 0, "wall": 0.0, "cpu": 0.0})
    for t in floor_times:
        floor_rules[t["rule"]]["jobs"] += 1
        floor_rules[t["rule"]]["wall"] += t["wall"]
        floor_rules[t["rule"]]["cpu"] += t["cpu"]
    jobs_cpu = sum(r["cpu"] for name, r in rules.items() if name != "(snakemake)")
    comparable = [r for r in fl.CORE_STAGES + fl.QC_STAGES if r in rules]
    bench_cpu = sum(b["cpu_time"] for b in bench)
    named = {k: v for k, v in rules.items() if k != "(snakemake)"}
    return {
        "pipe": pipe,
        "floor": floor,
        "rules": rules,
        "floor_rules": floor_rules,
        "bench_rules": {b["rule"] for b in bench},
        "floor_core_wall": sum(stages.get(s, 0.0) for s in fl.CORE_STAGES),
        "floor_core_cpu": sum(t["cpu"] for t in floor_times if t["rule"] in fl.CORE_STAGES),
        "jobs_cpu": jobs_cpu,
        # the controlling process: DAG, checkpoint, scheduling
        "snakemake_cpu": pipe.cpu - jobs_cpu,
        "comp_wall": sum(rules[r]["wall"] for r in comparable),
        "comp_cpu": sum(rules[r]["cpu"] for r in comparable),
        "comp_floor_wall": sum(floor_rules[r]["wall"] for r in comparable),
        "comp_floor_cpu": sum(floor_rules[r]["cpu"] for r in comparable),
        "bench_cpu": bench_cpu,
        "util_kernel": pipe.cpu / (pipe.wall * a.cores),
        "util_bench": bench_cpu / (pipe.wall * a.cores),
        "util_jobs": jobs_cpu / (pipe.wall * a.cores),
        "named": named,
        "slowest": max(named, key=lambda k: named[k]["wall"]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument(
        "--demo", default="resources/demo", help="the demo data folder (make demo-data)"
    )
    ap.add_argument(
        "--workflow", default=str(bl.ROOT), help="the workflow to run (default: this repository)"
    )
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "overhead"))
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SAMPLES} samples, {QUICK_FRACTION * 100:.0f}%% of the reads",
    )
    ap.add_argument("--no-write", action="store_true", help="do not write to benchmarks/results")
    ap.add_argument(
        "--keep",
        action="store_true",
        help="keep the floor's outputs (the pipeline's are always kept)",
    )
    a = ap.parse_args(argv)

    workflow = Path(a.workflow).resolve()
    demo = Path(a.demo) if Path(a.demo).is_absolute() else (bl.ROOT / a.demo)
    demo = demo.resolve()
    work = Path(a.workdir).resolve()
    if not (demo / "units.tsv").exists():
        print(f"overhead: no demo data in {demo} (run `make demo-data`)", file=sys.stderr)
        return 1
    work.mkdir(parents=True, exist_ok=True)
    pipe_dir, floor_dir = work / "pipeline", work / "floor"
    env = {**os.environ, "PATH": f"{bl.BIN}:{os.environ['PATH']}"}
    # The demo's sheets use paths relative to the repository (resources/demo/...): the
    # pipeline runs in pipe_dir, where resources/demo links to the demo folder.
    configfiles = describe_run(pipe_dir, demo, workflow, work / "quick_demo" if a.quick else None)
    described = read_run(pipe_dir)
    config = bl.pipeline_config(*configfiles, workflow=workflow)
    samples, units = read_tsv(described["samples"]), read_tsv(described["units"])
    kinds = sorted({checked_kind(u) for u in units})  # a bad row stops here, before any run
    tools = bl.tool_versions(["bwa", "samtools", "bcftools", "fastp", "mosdepth"])
    print(
        f"overhead: {len(samples)} samples, {len(units)} units ({', '.join(kinds)}), --cores "
        f"{a.cores} on {bl.machine()}; {tools}"
    )

    load_before = bl.load_average()
    pipe = run_pipeline(a, workflow, work, pipe_dir, configfiles, env)
    floor = run_floor(a, config, units, samples, pipe_dir, floor_dir, work, env)
    load_after = bl.load_average()
    same, n_pipe, n_floor = compare_cohorts(
        pipe_dir / "results" / "joint" / "cohort.vcf.gz", floor_dir / "joint" / "cohort.vcf.gz"
    )
    f = figures(a, work, pipe_dir, floor_dir, pipe, floor)
    f.update(same=same, n_pipe=n_pipe, n_floor=n_floor)
    f.update(load_before=load_before, load_after=load_after)
    out_rows = print_report(a, f)
    if not a.no_write:
        write_results(a, f, len(samples), len(units), out_rows)
    if not a.keep:
        for sub in ("units", "align", "gvcf"):
            shutil.rmtree(floor_dir / sub, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
