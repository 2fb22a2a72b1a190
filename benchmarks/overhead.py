#!/usr/bin/env python3
"""Pipeline overhead: the demo through the pipeline against the same tools, with the
same threads, in a minimal shell chain (the floor for these tools), in the same run.

1. **pipeline**: ``snakemake --cores N --workflow-profile profiles/default --configfile
   config/demo.yaml`` in a scratch directory (``--directory``), from nothing: reference
   indexes, alignment, gVCFs, QC and the gate, joint calling, cohort QC, release,
   report, accuracy, manifest. Run through ``benchmarks/snakemake_jobtimes.py`` (plain
   Snakemake that also records each job's exact CPU time); the rules' own
   ``benchmark:`` files are read too.
2. **floor**: ``floor.sh``, written into the scratch directory from the same
   ``units.tsv`` (a FASTQ pair, or exactly one ``cram``/``bam``/``ubam``, per row) and
   config, one small script per job, run by ``xargs -P`` with
   as many jobs at once as the cores allow for the rule's threads (``min(threads,
   cores)``, as Snakemake caps them). Core path: ``cp`` + ``samtools faidx`` +
   ``samtools dict`` + ``bwa index``; per unit ``fastp | bwa mem | samtools fixmate |
   samtools sort`` (rule bwa_mem, FASTQ pairs) or ``samtools collate | samtools fastq |
   [fastp |] bwa mem | samtools fixmate | samtools sort`` (rule bwa_mem_realign, a
   cram/bam/ubam, with fastp when that rule has it); per sample ``samtools merge |
   samtools markdup`` to CRAM; per sample and shard ``bcftools mpileup --gvcf`` +
   ``tabix``, ``bcftools concat``; per shard the joint-calling chain of rule
   bcftools_call (``merge --gvcf | call -m | view | norm | view | view | filter |
   view``) + ``tabix``, ``bcftools concat``. QC tools: ``samtools stats``, ``mosdepth``,
   the sample's own ``bcftools call`` and two ``bcftools stats`` per sample,
   ``bcftools stats`` of the cohort. The floor reuses three small things the pipeline
   computed in the same run rather than recomputing them: the interval shards and QC
   BEDs (Python, milliseconds) and the gate's list of samples that enter joint calling,
   so that both call the same samples over the same shards (the cohort VCFs are compared
   record by record). It leaves out what only the pipeline does: the FASTQ guard
   (``check_pairs.awk``), CRAM ``quickcheck`` and MD5/SHA-256 sidecars, the
   contamination, sex-check, metrics and gate scripts, relatedness, the release,
   MultiQC, the accuracy scoring, the manifest, and Snakemake itself.

Prints the overhead table (wall and CPU ratios: whole run against the floor with and
without the QC tools, and the comparable part, the rules the floor also runs, summed
job by job), the CPU utilisation of the pipeline run (kernel: CPU / (wall x cores);
the rules' benchmark: files, which psutil samples and so under-count; and the exact
per-job times), and where the time goes per rule. Appends a row to
``benchmarks/results/overhead.tsv`` and writes the per-rule table of this run to
``benchmarks/results/overhead_rules.tsv``. It prints ratios; it asserts nothing.

    python benchmarks/overhead.py [--cores N] [--demo resources/demo] [--quick]
                                  [--workdir benchmarks/results/work/overhead]
                                  [--workflow DIR] [--no-write] [--keep]

``--quick``: 4 samples (S01-S04: two lanes, FASTQ, and whatever kinds the sheet gives
S03/S04), 8% of their reads, all forced through the gate (``qc.overrides``): the same
steps in ~4 min on 2 cores. The pipeline's results stay in the work folder
(``pipeline/``; accuracy.py scores them); the floor's CRAMs and gVCFs are removed
unless ``--keep``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:  # appended: benchmarks/release.py must not
    sys.path.append(str(Path(__file__).resolve().parent))  # shadow scripts/release.py in the tests
import benchlib as bl  # noqa: E402

RESULTS = bl.RESULTS / "overhead.tsv"
RULES_TSV = bl.RESULTS / "overhead_rules.tsv"
COLUMNS = ["date", "machine", "cores", "mode", "samples", "units", "pipeline_wall_s", "pipeline_cpu_s",
           "floor_wall_s", "floor_cpu_s", "floor_core_wall_s", "floor_core_cpu_s", "ratio_wall",
           "ratio_cpu", "ratio_wall_core", "ratio_cpu_core", "comparable_ratio_wall",
           "comparable_ratio_cpu", "utilisation_kernel", "utilisation_benchmark_files",
           "slowest_rule", "slowest_rule_wall_s", "same_calls", "load_before", "load_after"]
RULE_COLUMNS = ["rule", "jobs", "wall_s", "cpu_s", "cpu_share", "max_rss_mb", "bench_files_cpu_s",
                "floor_jobs", "floor_wall_s", "floor_cpu_s", "ratio_wall", "ratio_cpu"]
ALIGNED_KINDS = ("cram", "bam", "ubam")
# rule -> threads in the workflow (Snakemake gives a job min(threads, --cores))
THREADS = {"bwa_mem": 8, "bwa_mem_realign": 8, "samtools_markdup": 4, "bcftools_mpileup": 1, "bcftools_concat_gvcf": 1,
           "bcftools_call": 1, "bcftools_concat_cohort": 1, "samtools_stats": 2, "mosdepth": 2,
           "bcftools_call_sample": 1, "bcftools_stats_sample": 1, "bcftools_stats": 1,
           "stage_reference": 1, "samtools_faidx": 1, "samtools_dict": 1, "bwa_index": 1}
CORE_STAGES = ["stage_reference", "samtools_faidx", "samtools_dict", "bwa_index", "bwa_mem",
               "bwa_mem_realign", "samtools_markdup", "bcftools_mpileup", "bcftools_concat_gvcf", "bcftools_call",
               "bcftools_concat_cohort"]
QC_STAGES = ["samtools_stats", "mosdepth", "bcftools_call_sample", "bcftools_stats_sample", "bcftools_stats"]
QUICK_SAMPLES = 4
QUICK_FRACTION = 0.08
q = shlex.quote


# ------------------------------------------------------------------ sheets
def read_tsv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh, delimiter="\t")]


def unit_kind(row: dict) -> str:
    """'fastq' for an fq1/fq2 row, else the one of cram/bam/ubam it names."""
    given = [k for k in ALIGNED_KINDS if row.get(k)]
    has_fastq = bool(row.get("fq1") or row.get("fq2"))
    if has_fastq and not given:
        if not (row.get("fq1") and row.get("fq2")):
            raise ValueError(f"unit {row.get('sample')}.{row.get('unit')}: fq1 and fq2 are both needed")
        return "fastq"
    if len(given) == 1 and not has_fastq:
        return given[0]
    raise ValueError(f"unit {row.get('sample')}.{row.get('unit')}: give fq1+fq2 or exactly one of "
                     f"{', '.join(ALIGNED_KINDS)}")


def absolute(path: str, base: Path) -> str:
    return path if not path or os.path.isabs(path) else str((base / path).resolve())


def read_group(row: dict) -> str:
    """The @RG line rule bwa_mem builds from units.tsv (workflow/common.smk read_group)."""
    sample, unit = row["sample"], row["unit"]
    library = row.get("library") or f"{sample}-lib"
    return "\\t".join(["@RG", f"ID:{sample}.{unit}", f"SM:{sample}", f"PL:{row.get('platform', 'ILLUMINA')}",
                       f"LB:{library}", f"PU:{unit}"])


def read_source(row: dict, base: Path, tmp_prefix: str) -> str:
    """A cram/bam/ubam unit turned back into interleaved read pairs, as rule
    bwa_mem_realign does (`samtools collate | samtools fastq`)."""
    kind = unit_kind(row)
    reference = ""
    if kind == "cram" and row.get("input_reference"):
        reference = f" --reference {q(absolute(row['input_reference'], base))}"
    return (f"samtools collate -u -O --no-PG{reference} {q(absolute(row[kind], base))} {q(tmp_prefix)}"
            " | samtools fastq -s /dev/null -0 /dev/null -")


def realign_uses_fastp(workflow: Path) -> bool:
    """Does the workflow's rule bwa_mem_realign (cram/bam/ubam units) stream the reads
    through fastp? (The floor follows whatever the rule does.)"""
    text = (workflow / "workflow" / "align.smk").read_text()
    if "rule bwa_mem_realign:" not in text:
        return True  # older workflows: bwa_mem itself takes every unit through fastp
    return ("fastp", "") in bl.command_signature(bl.rule_shell(text, "bwa_mem_realign"))


def align_command(row: dict, base: Path, fasta: str, bam: str, threads: int, config: dict,
                  realign_fastp: bool = True) -> tuple[str, str]:
    """(rule, command): rule bwa_mem's stream for a FASTQ pair (fastp | bwa mem | fixmate
    | sort), rule bwa_mem_realign's for a cram/bam/ubam (collate | fastq [| fastp] | bwa
    mem | fixmate | sort), each without the pipeline's own FASTQ guard (check_pairs.awk);
    the read group from units.tsv."""
    fastp_extra = " ".join(q(w) for w in shlex.split(config.get("trimming", {}).get("fastp_extra", "") or ""))
    bwa_extra = " ".join(q(w) for w in shlex.split(config.get("alignment", {}).get("bwa_extra", "") or ""))
    stem = bam[: -len(".bam")]
    tail = (f" | bwa mem -p -K 100000000 -Y -t {threads} -R {q(read_group(row))} {bwa_extra} {q(fasta)} -"
            f" | samtools fixmate -m -u - -"
            f" | samtools sort -m 768M -T {q(bam + '.tmp')} -o {q(bam)} -")
    if unit_kind(row) == "fastq":
        return "bwa_mem", (f"fastp --in1 {q(absolute(row['fq1'], base))} --in2 {q(absolute(row['fq2'], base))}"
                           f" --stdout --thread 1 --json {q(stem + '.fastp.json')} --html {q(stem + '.fastp.html')}"
                           f" {fastp_extra}{tail}")
    fastp = (f" | fastp --stdin --interleaved_in --stdout --thread 1 --json {q(stem + '.fastp.json')}"
             f" --html {q(stem + '.fastp.html')} {fastp_extra}") if realign_fastp else ""
    return "bwa_mem_realign", read_source(row, base, bam + ".tmp.collate") + fastp + tail


def markdup_command(bams: list[str], fasta: str, cram: str, stats: str, threads: int, config: dict) -> str:
    """Rule samtools_markdup without quickcheck and md5sum."""
    md = config.get("markdup", {})
    extra = " ".join(q(w) for w in shlex.split(md.get("extra", "") or ""))
    return (f"samtools merge -u -o - {' '.join(q(b) for b in bams)}"
            f" | samtools markdup -S -d {md.get('optical_distance', 2500)} {extra} -f {q(stats)}"
            f" -T {q(cram + '.tmp')} --threads {threads} --reference {q(fasta)} -O cram --write-index"
            f" - {q(cram + '##idx##' + cram + '.crai')}")


# ------------------------------------------------------------------ the floor
def floor_jobs(units: list[dict], samples: list[dict], joint: list[str], shards: list[str], config: dict,
               base: Path, reference: str, qc_regions: str, autosomes: str, floor: Path, ncores: int,
               realign_fastp: bool = True) -> dict[str, list[tuple[str, str]]]:
    """{step (= the rule it stands for): [(job name, bash command)]}, in run order."""
    ref = str(floor / "ref" / "genome.fa")
    t = {rule: min(n, ncores) for rule, n in THREADS.items()}
    sexes = {s["sample"]: {"male": "M"}.get(s.get("sex", ""), "F") for s in samples}
    ploidy = bl.ploidy_option(config, base)
    jobs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    copy = f"gzip -dc {q(reference)}" if reference.endswith((".gz", ".bgz")) else f"cat {q(reference)}"
    jobs["stage_reference"].append(("genome", f"mkdir -p ref && {copy} > {q(ref)}"))
    jobs["samtools_faidx"].append(("genome", f"samtools faidx {q(ref)}"))
    jobs["samtools_dict"].append(("genome", f"samtools dict {q(ref)} -o ref/genome.dict"))
    jobs["bwa_index"].append(("genome", f"bwa index {q(ref)}"))
    by_sample: dict[str, list[str]] = defaultdict(list)
    for row in units:
        bam = str(floor / "units" / f"{row['sample']}.{row['unit']}.bam")
        by_sample[row["sample"]].append(bam)
        rule, command = align_command(row, base, ref, bam, t["bwa_mem"], config, realign_fastp)
        jobs[rule].append((f"{row['sample']}.{row['unit']}", f"mkdir -p units && {command}"))
    options = bl.mpileup_options(config)
    cram = {s: str(floor / "align" / f"{s}.cram") for s in by_sample}
    gvcf = {s: str(floor / "gvcf" / f"{s}.g.vcf.gz") for s in by_sample}
    for s, bams in by_sample.items():
        jobs["samtools_markdup"].append((s, "mkdir -p align qc && " + markdup_command(
            bams, ref, cram[s], str(floor / "qc" / f"{s}.markdup.txt"), t["samtools_markdup"], config)))
    for s in by_sample:
        parts = []
        for shard in shards:
            part = str(floor / "gvcf" / "shards" / f"{s}.{Path(shard).stem}.g.vcf.gz")
            parts.append(part)
            jobs["bcftools_mpileup"].append((f"{s}.{Path(shard).stem}", "mkdir -p gvcf/shards && "
                                             + bl.mpileup_command(cram[s], ref, shard, options, part)))
        jobs["bcftools_concat_gvcf"].append((s, f"bcftools concat --naive -Oz -o {q(gvcf[s])} "
                                             f"{' '.join(q(p) for p in parts)} && tabix -p vcf {q(gvcf[s])}"))
    sexes_file = floor / "joint" / "sample_sexes.txt"
    joint_parts = []
    call_extra = " ".join(q(w) for w in shlex.split(config.get("joint", {}).get("call_extra", "") or ""))
    for shard in shards:
        out = str(floor / "joint" / "shards" / f"{Path(shard).stem}.vcf.gz")
        joint_parts.append(out)
        jobs["bcftools_call"].append((Path(shard).stem, "mkdir -p joint/shards && " + bl.joint_call_command(
            [gvcf[s] for s in joint], shard, ref, str(sexes_file), ploidy, bl.filter_chain(config), out,
            call_extra)))
    cohort = str(floor / "joint" / "cohort.vcf.gz")
    jobs["bcftools_concat_cohort"].append(("cohort", f"bcftools concat --allow-overlaps -Oz -o {q(cohort)} "
                                           f"{' '.join(q(p) for p in joint_parts)} && tabix -p vcf {q(cohort)}"))
    qc = config.get("qc", {})
    thresholds = ",".join(str(d) for d in range(1, 251))
    for s in by_sample:
        jobs["samtools_stats"].append((s, f"samtools stats --threads {t['samtools_stats']} --reference {q(ref)} "
                                       f"{q(cram[s])} > {q(str(floor / 'qc' / (s + '.stats.txt')))}"))
        jobs["mosdepth"].append((s, f"mkdir -p qc/mosdepth && mosdepth --threads {t['mosdepth']} --no-per-base "
                                 f"--by {q(qc_regions)} --mapq {qc.get('min_mapq', 20)} --flag 3844 "
                                 f"--thresholds {thresholds} --fasta {q(ref)} qc/mosdepth/{q(s)} {q(cram[s])}"))
        variants = str(floor / "qc" / f"{s}.vcf.gz")
        jobs["bcftools_call_sample"].append((s, f"bcftools call --multiallelic-caller --variants-only {ploidy}"
                                             f" --samples-file <(printf '%s\\t%s\\n' {q(s)} {sexes[s]})"
                                             f" -Oz -o {q(variants)} {q(gvcf[s])} && tabix -p vcf {q(variants)}"))
        min_qual = qc.get("min_variant_qual", 30)
        jobs["bcftools_stats_sample"].append((s, " && ".join(
            f"bcftools view -i 'QUAL>={min_qual} && TYPE=\"{kind}\"' -T {q(autosomes)} -Ou {q(variants)}"
            f" | bcftools stats -s - > {q(str(floor / 'qc' / f'{s}.{kind}s.txt'))}" for kind in ("snp", "indel"))))
    jobs["bcftools_stats"].append(("cohort", f"bcftools stats --samples - --fasta-ref {q(ref)} {q(cohort)}"
                                   f" > qc/cohort.stats.txt"))
    # the sexes file is written before any job, by floor.sh itself
    jobs["_sexes"] = [("\n".join(f"{s}\t{sexes[s]}" for s in joint), "")]
    return jobs


def write_floor(floor: Path, jobs: dict[str, list[tuple[str, str]]], ncores: int) -> Path:
    """floor.sh and jobs/<step>/<name>.sh; each job's wall/user/sys go to times.tsv."""
    if floor.exists():
        shutil.rmtree(floor)
    (floor / "joint").mkdir(parents=True)
    (floor / "joint" / "sample_sexes.txt").write_text(jobs["_sexes"][0][0] + "\n")
    lines = [
        "#!/bin/bash",
        "# The floor for the pipeline's tools (benchmarks/overhead.py): the same commands with",
        "# the same threads, one script per job, stages in order, xargs -P for parallel jobs.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        ": > times.tsv; : > stages.tsv",
        "run() {  # one job: wall, user and system seconds (the job and its children) to times.tsv",
        '    local TIMEFORMAT="${1}	%3R	%3U	%3S"',
        '    { time bash -eo pipefail "$1" > "${1%.sh}.log" 2>&1 ; } 2>> times.tsv',
        "}",
        "export -f run",
        "stage() {  # stage STEP PARALLEL: every job of a step, PARALLEL at a time",
        '    local start=$(date +%s.%N)',
        '    find jobs/"$1" -name "*.sh" | sort | xargs -r -P "$2" -I{} bash -c "run {}"',
        '    echo "$1	$start	$(date +%s.%N)" >> stages.tsv',
        "}",
    ]
    for step in CORE_STAGES + QC_STAGES:
        folder = floor / "jobs" / step
        folder.mkdir(parents=True)
        for i, (name, command) in enumerate(jobs.get(step, [])):
            (folder / f"{i:04d}.{name}.sh").write_text(f"# {step} {name}\nset -eo pipefail\n{command}\n")
        parallel = max(1, ncores // min(THREADS[step], ncores))
        lines.append(f"stage {step} {parallel}")
    script = floor / "floor.sh"
    script.write_text("\n".join(lines) + "\n")
    return script


def read_times(path: Path) -> list[dict]:
    """floor.sh's times.tsv: step, job, wall, cpu."""
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) != 4:
            continue
        job = Path(parts[0])
        rows.append({"rule": job.parent.name, "job": job.stem.split(".", 1)[-1], "wall": float(parts[1]),
                     "cpu": float(parts[2]) + float(parts[3])})
    return rows


def read_stages(path: Path) -> dict[str, float]:
    out = {}
    for line in path.read_text().splitlines():
        step, start, end = line.split("\t")
        out[step] = float(end) - float(start)
    return out


# ------------------------------------------------------------------ the pipeline
def read_jobtimes(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def per_rule(jobtimes: list[dict], bench: list[dict]) -> dict[str, dict]:
    """{rule: jobs, wall, cpu, max_job_wall (exact, from jobtimes), bench_cpu and
    max_rss_mb (from the rules' benchmark: files, where a rule has them)}."""
    rules: dict[str, dict] = defaultdict(lambda: {"jobs": 0, "wall": 0.0, "cpu": 0.0, "max_rss_mb": 0.0,
                                                   "bench_cpu": 0.0, "max_job_wall": 0.0})
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


def make_quick_demo(demo: Path, base: Path, out: Path, n_samples: int, fraction: float) -> tuple[Path, Path, Path]:
    """samples/units/truth sheets of the first n samples with `fraction` of their reads
    (FASTQ: the first records; cram/bam/ubam: samtools view -s, pairs kept together)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "reads").mkdir(parents=True)
    samples = read_tsv(demo / "samples.tsv")[:n_samples]
    keep = {s["sample"] for s in samples}
    units = [u for u in read_tsv(demo / "units.tsv") if u["sample"] in keep]
    header = list(read_tsv(demo / "units.tsv")[0].keys())
    for u in units:
        kind = unit_kind(u)
        stem = out / "reads" / f"{u['sample']}.{u['unit']}"
        if kind == "fastq":
            r1, r2 = absolute(u["fq1"], base), absolute(u["fq2"], base)
            lines = int(subprocess.run(f"gzip -dc {q(r1)} | wc -l", shell=True, capture_output=True,
                                       text=True, check=True).stdout)
            keep_lines = max(4, int(lines // 4 * fraction) * 4)
            for col, path in (("fq1", r1), ("fq2", r2)):
                dest = f"{stem}.{col}.fastq.gz"
                subprocess.run(f"gzip -dc {q(path)} | head -n {keep_lines} | gzip -1 > {q(dest)}", shell=True,
                               check=True, executable="/bin/bash")
                u[col] = dest
        else:
            src = absolute(u[kind], base)
            ext = {"cram": "cram", "bam": "bam", "ubam": "bam"}[kind]
            dest = f"{stem}.{kind}.{ext}"
            fmt = "-C" if kind == "cram" else "-b"
            ref = f"--reference {q(absolute(u['input_reference'], base))}" if kind == "cram" else ""
            subprocess.run(f"samtools view {fmt} {ref} --subsample {fraction} --subsample-seed 1 -o {q(dest)} "
                           f"{q(src)}", shell=True, check=True)
            u[kind] = dest
            if kind == "cram" and u.get("input_reference"):
                u["input_reference"] = absolute(u["input_reference"], base)
    with open(out / "samples.tsv", "w") as fh:
        cols = list(samples[0].keys())
        fh.write("\t".join(cols) + "\n")
        fh.writelines("\t".join(s[c] for c in cols) + "\n" for s in samples)
    with open(out / "units.tsv", "w") as fh:
        fh.write("\t".join(header) + "\n")
        fh.writelines("\t".join(u.get(c, "") for c in header) + "\n" for u in units)
    truth_rows = [t for t in read_tsv(demo / "truth.tsv") if t["sample"] in keep]
    with open(out / "truth.tsv", "w") as fh:
        cols = list(truth_rows[0].keys())
        fh.write("\t".join(cols) + "\n")
        fh.writelines("\t".join(absolute(t[c], base) if c in ("vcf", "bed") else t[c] for c in cols) + "\n"
                      for t in truth_rows)
    extra = out / "quick.yaml"
    overrides = "".join(f"    - {{sample: {s['sample']}, justification: 'benchmark --quick: {fraction:.0%} of the reads'}}\n"
                        for s in samples)
    extra.write_text(f"samples: {out / 'samples.tsv'}\nunits: {out / 'units.tsv'}\n"
                     f"evaluation:\n  truth: {out / 'truth.tsv'}\nqc:\n  overrides:\n{overrides}")
    return out / "samples.tsv", out / "units.tsv", extra


def describe_run(run: Path, demo: Path, workflow: Path, quick_dir: Path | None) -> list[Path]:
    """Prepare a demo run directory (resources/demo -> the demo folder; with ``quick_dir``
    the --quick subset) and record what it uses in run/bench_run.json (configfiles,
    sheets) for the other harnesses; returns the configfiles to give Snakemake."""
    if run.exists():
        shutil.rmtree(run)
    (run / "resources").mkdir(parents=True)
    (run / "resources" / "demo").symlink_to(demo)
    configfiles = [workflow / "config" / "demo.yaml"]
    sheets = {"samples": demo / "samples.tsv", "units": demo / "units.tsv", "truth": demo / "truth.tsv"}
    if quick_dir is not None:
        samples, units, extra = make_quick_demo(demo, run, quick_dir, QUICK_SAMPLES, QUICK_FRACTION)
        configfiles.append(extra)
        sheets = {"samples": samples, "units": units, "truth": quick_dir / "truth.tsv"}
    (run / "bench_run.json").write_text(json.dumps({"configfiles": [str(c) for c in configfiles],
                                                    "quick": quick_dir is not None,
                                                    **{k: str(v) for k, v in sheets.items()}}, indent=1))
    return configfiles


def read_run(run: Path) -> dict:
    """What describe_run recorded (paths as strings; configfiles as Paths)."""
    described = json.loads((run / "bench_run.json").read_text())
    described["configfiles"] = [Path(c) for c in described["configfiles"]]
    return described


def compare_cohorts(a: Path, b: Path) -> tuple[bool, int, int]:
    """Same records (site, alleles, FILTER, genotypes) in two cohort VCFs?"""
    fmt = "%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n"
    got = [subprocess.run(["bcftools", "query", "-f", fmt, str(p)], capture_output=True, text=True,
                          check=True).stdout.splitlines() for p in (a, b)]
    return got[0] == got[1], len(got[0]), len(got[1])


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument("--demo", default="resources/demo", help="the demo data folder (make demo-data)")
    ap.add_argument("--workflow", default=str(bl.ROOT), help="the workflow to run (default: this repository)")
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "overhead"))
    ap.add_argument("--quick", action="store_true", help=f"{QUICK_SAMPLES} samples, {QUICK_FRACTION:.0%} of the reads")
    ap.add_argument("--no-write", action="store_true", help="do not write to benchmarks/results")
    ap.add_argument("--keep", action="store_true", help="keep the floor's outputs (the pipeline's are always kept)")
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
    samples_tsv, units_tsv = Path(described["samples"]), Path(described["units"])
    config = bl.pipeline_config(*configfiles, workflow=workflow)
    samples, units = read_tsv(samples_tsv), read_tsv(units_tsv)
    for u in units:
        unit_kind(u)  # a bad row stops here, before anything runs
    kinds = sorted({unit_kind(u) for u in units})
    print(f"overhead: {len(samples)} samples, {len(units)} units ({', '.join(kinds)}), --cores {a.cores} on "
          f"{bl.machine()}; {bl.tool_versions(['bwa', 'samtools', 'bcftools', 'fastp', 'mosdepth'])}")

    # 1. the pipeline
    jobtimes_path = work / "jobtimes.jsonl"
    jobtimes_path.unlink(missing_ok=True)
    log = work / "pipeline.log"
    log.unlink(missing_ok=True)
    cmd = [str(bl.BIN / "python"), str(bl.ROOT / "benchmarks" / "snakemake_jobtimes.py"), str(jobtimes_path),
           "--snakefile", str(workflow / "Snakefile"), "--directory", str(pipe_dir), "--cores", str(a.cores),
           "--workflow-profile", str(workflow / "profiles" / "default"), "--configfile",
           *[str(c) for c in configfiles]]
    load_before = bl.load_average()
    print(f"pipeline: {shlex.join(cmd[3:])} (log {log})", flush=True)
    pipe = bl.run_timed(cmd, log=log, env=env)
    print(f"pipeline: {bl.seconds(pipe.wall)} wall, {pipe.cpu:.0f} s CPU", flush=True)

    # 2. the floor, on what the pipeline decided (shards, QC regions, gate)
    gate = read_tsv(pipe_dir / "results" / "qc" / "sample_qc.tsv")
    joint = [g["sample"] for g in gate if g.get("joint_calling") == "included"]
    shards = sorted(str(p) for p in (pipe_dir / "results" / "reference" / "intervals").glob("*.bed"))
    reference = absolute(config["reference"]["fasta"], pipe_dir)
    jobs = floor_jobs(units, samples, joint, shards, config, pipe_dir, reference,
                      str(pipe_dir / "results" / "qc" / "regions.bed"),
                      str(pipe_dir / "results" / "qc" / "autosomes.bed"), floor_dir, a.cores,
                      realign_uses_fastp(workflow))
    script = write_floor(floor_dir, jobs, a.cores)
    print(f"floor: {script} ({sum(len(v) for k, v in jobs.items() if not k.startswith('_'))} jobs; "
          f"joint calling: {', '.join(joint)})", flush=True)
    floor = bl.run_timed(["bash", str(script)], log=work / "floor.log", env=env)
    load_after = bl.load_average()
    print(f"floor: {bl.seconds(floor.wall)} wall, {floor.cpu:.0f} s CPU", flush=True)
    same, n_pipe, n_floor = compare_cohorts(pipe_dir / "results" / "joint" / "cohort.vcf.gz",
                                            floor_dir / "joint" / "cohort.vcf.gz")

    # 3. the figures
    floor_times = read_times(floor_dir / "times.tsv")
    stages = read_stages(floor_dir / "stages.tsv")
    floor_core_wall = sum(stages.get(s, 0.0) for s in CORE_STAGES)
    floor_core_cpu = sum(t["cpu"] for t in floor_times if t["rule"] in CORE_STAGES)
    jobtimes = read_jobtimes(jobtimes_path)
    bench = bl.read_benchmarks(pipe_dir / "benchmarks")
    rules = per_rule(jobtimes, bench)
    bench_rules = {b["rule"] for b in bench}
    floor_rules: dict[str, dict] = defaultdict(lambda: {"jobs": 0, "wall": 0.0, "cpu": 0.0})
    for t in floor_times:
        floor_rules[t["rule"]]["jobs"] += 1
        floor_rules[t["rule"]]["wall"] += t["wall"]
        floor_rules[t["rule"]]["cpu"] += t["cpu"]
    jobs_cpu = sum(r["cpu"] for name, r in rules.items() if name != "(snakemake)")
    snakemake_cpu = pipe.cpu - jobs_cpu  # the controlling process: DAG, checkpoint, scheduling
    comparable = [r for r in CORE_STAGES + QC_STAGES if r in rules]
    comp_wall = sum(rules[r]["wall"] for r in comparable)
    comp_cpu = sum(rules[r]["cpu"] for r in comparable)
    comp_floor_wall = sum(floor_rules[r]["wall"] for r in comparable)
    comp_floor_cpu = sum(floor_rules[r]["cpu"] for r in comparable)
    bench_cpu = sum(b["cpu_time"] for b in bench)
    util_kernel = pipe.cpu / (pipe.wall * a.cores)
    util_bench = bench_cpu / (pipe.wall * a.cores)
    util_jobs = jobs_cpu / (pipe.wall * a.cores)
    named = {k: v for k, v in rules.items() if k != "(snakemake)"}
    slowest = max(named, key=lambda k: named[k]["wall"])

    print()
    print(f"Overhead: demo through the pipeline vs the floor (same tools, same threads), {a.cores} cores, "
          f"{'quick' if a.quick else 'full'}")
    rows = [
        ["whole run vs floor (core + QC tools)", bl.seconds(pipe.wall), bl.seconds(floor.wall),
         f"{ratio(pipe.wall, floor.wall):.3f}", f"{pipe.cpu:.0f}", f"{floor.cpu:.0f}", f"{ratio(pipe.cpu, floor.cpu):.3f}"],
        ["whole run vs floor (core path)", bl.seconds(pipe.wall), bl.seconds(floor_core_wall),
         f"{ratio(pipe.wall, floor_core_wall):.3f}", f"{pipe.cpu:.0f}", f"{floor_core_cpu:.0f}",
         f"{ratio(pipe.cpu, floor_core_cpu):.3f}"],
        ["comparable rules, job by job", f"{comp_wall:.0f} s", f"{comp_floor_wall:.0f} s",
         f"{ratio(comp_wall, comp_floor_wall):.3f}", f"{comp_cpu:.0f}", f"{comp_floor_cpu:.0f}",
         f"{ratio(comp_cpu, comp_floor_cpu):.3f}"],
    ]
    print(bl.table(["measure", "pipeline", "floor", "wall ratio", "pipeline CPU s", "floor CPU s", "CPU ratio"],
                   rows, "lrrrrrr"))
    print("target: ratio <= 1.05. 'comparable rules' sums job wall (job-seconds) and CPU over the rules "
          "the floor also runs.")
    print(f"CPU utilisation of the pipeline run on {a.cores} cores: {util_kernel:.1%} (kernel: all CPU of the "
          f"run / (wall x cores)); {util_jobs:.1%} in jobs (exact per job), {util_bench:.1%} from the rules' "
          f"benchmark: files (psutil samples: they hold {ratio(bench_cpu, jobs_cpu):.0%} of the jobs' exact CPU "
          f"and cover only the rules with benchmark:); target >= 90%. The floor's own: "
          f"{floor.cpu / (floor.wall * a.cores):.1%} (the tools' streams do not fill {a.cores} cores either)")
    print(f"Snakemake's own process: {snakemake_cpu:.0f} s CPU ({ratio(snakemake_cpu, pipe.cpu):.1%} of the run)")
    print(f"cohort VCF: pipeline {n_pipe} records, floor {n_floor}; same records and genotypes: "
          f"{'yes' if same else 'NO'}")
    print(f"load average before/after: {load_before:.2f}/{load_after:.2f} (above {a.cores}, wall times include "
          f"waiting for other processes)")

    print()
    print("Where the time goes (pipeline jobs, exact per job; floor jobs; job-seconds, summed over jobs)")
    order = sorted(rules, key=lambda k: -rules[k]["cpu"])
    rule_rows, out_rows = [], []
    for name in order:
        r = rules[name]
        f = floor_rules.get(name) if name in floor_rules else None
        row = {"rule": name, "jobs": r["jobs"], "wall_s": round(r["wall"], 1), "cpu_s": round(r["cpu"], 1),
               "cpu_share": round(ratio(r["cpu"], pipe.cpu), 4),
               "max_rss_mb": round(r["max_rss_mb"]) if r["max_rss_mb"] else "", "bench_files_cpu_s": round(r["bench_cpu"], 1) if name in bench_rules else "",
               "floor_jobs": f["jobs"] if f else "", "floor_wall_s": round(f["wall"], 1) if f else "",
               "floor_cpu_s": round(f["cpu"], 1) if f else "",
               "ratio_wall": round(ratio(r["wall"], f["wall"]), 3) if f else "",
               "ratio_cpu": round(ratio(r["cpu"], f["cpu"]), 3) if f else ""}
        if name == "(snakemake)":
            row.update(jobs="", wall_s="", cpu_s=round(snakemake_cpu, 1),
                       cpu_share=round(ratio(snakemake_cpu, pipe.cpu), 4), max_rss_mb="")
        out_rows.append(row)
        rule_rows.append([name if name != "(snakemake)" else "(snakemake itself)", row["jobs"], row["wall_s"],
                          row["cpu_s"], f"{row['cpu_share']:.1%}", row["max_rss_mb"], row["bench_files_cpu_s"],
                          row["floor_wall_s"], row["floor_cpu_s"], row["ratio_wall"], row["ratio_cpu"]])
    print(bl.table(["rule", "jobs", "wall s", "CPU s", "CPU %", "max RSS MB", "bench CPU s", "floor wall s",
                    "floor CPU s", "wall ratio", "CPU ratio"], rule_rows, "lrrrrrrrrrr"))
    print(f"slowest rule: {slowest} ({named[slowest]['jobs']} jobs, {named[slowest]['wall']:.0f} job-seconds, "
          f"longest job {named[slowest]['max_job_wall']:.0f} s)")

    if not a.no_write:
        bl.append_row(RESULTS, COLUMNS, {
            "date": bl.now(), "machine": bl.machine(), "cores": a.cores, "mode": "quick" if a.quick else "full",
            "samples": len(samples), "units": len(units), "pipeline_wall_s": round(pipe.wall, 1),
            "pipeline_cpu_s": round(pipe.cpu, 1), "floor_wall_s": round(floor.wall, 1),
            "floor_cpu_s": round(floor.cpu, 1), "floor_core_wall_s": round(floor_core_wall, 1),
            "floor_core_cpu_s": round(floor_core_cpu, 1), "ratio_wall": round(ratio(pipe.wall, floor.wall), 3),
            "ratio_cpu": round(ratio(pipe.cpu, floor.cpu), 3),
            "ratio_wall_core": round(ratio(pipe.wall, floor_core_wall), 3),
            "ratio_cpu_core": round(ratio(pipe.cpu, floor_core_cpu), 3),
            "comparable_ratio_wall": round(ratio(comp_wall, comp_floor_wall), 3),
            "comparable_ratio_cpu": round(ratio(comp_cpu, comp_floor_cpu), 3),
            "utilisation_kernel": round(util_kernel, 3), "utilisation_benchmark_files": round(util_bench, 3),
            "slowest_rule": slowest, "slowest_rule_wall_s": round(named[slowest]["wall"], 1),
            "same_calls": "yes" if same else "no", "load_before": round(load_before, 2),
            "load_after": round(load_after, 2)})
        bl.write_rows(RULES_TSV, RULE_COLUMNS, out_rows)
        print(f"appended to {RESULTS.relative_to(bl.ROOT)}; per-rule table in {RULES_TSV.relative_to(bl.ROOT)}")
    if not a.keep:
        for sub in ("units", "align", "gvcf"):
            shutil.rmtree(floor_dir / sub, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
