"""The overhead harness's floor: the pipeline's tools with the same threads and shards in
a minimal shell chain, one small script per job, stages in order (``floor.sh``).

Every job's command is a template of ``refcohort.commands`` rendered with
``commands.render`` for the floor's files, exactly as Snakemake renders it for a job:
the bare tool chains (``align.FASTP_PAIRS``, ``REALIGN_READS``, ``BWA_SORT``, ``MARKDUP``,
``call.BCFTOOLS_MPILEUP``, ``JOINT_CALL`` ...), without the pipeline's guards (the pair
check, fastp's warnings, the @PG link, quickcheck, MD5s) and without the rules' logs (a
job's output goes to its own log); the reference steps are the rules' own commands, their
standard error in ``logs/``. Only the values a rule takes from its ``params:`` are given
here, from the same config.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import benchlib as bl
from demo_run import absolute, checked_kind

from refcohort import commands
from refcohort.commands import align, call, qc, reference, report
from refcohort.sheets import CALL_SEX_CODE

# rule -> threads in the workflow (Snakemake gives a job min(threads, --cores))
THREADS = {
    "bwa_mem": 8,
    "bwa_mem_realign": 8,
    "samtools_markdup": 4,
    "bcftools_mpileup": 1,
    "bcftools_concat_gvcf": 1,
    "bcftools_call_cohort": 1,
    "bcftools_concat_cohort": 1,
    "samtools_stats": 2,
    "mosdepth": 2,
    "bcftools_call_sample": 1,
    "bcftools_stats_sample": 1,
    "bcftools_stats_cohort": 1,
    "stage_reference": 1,
    "samtools_faidx": 1,
    "samtools_dict": 1,
    "bwa_index": 1,
}
CORE_STAGES = [
    "stage_reference",
    "samtools_faidx",
    "samtools_dict",
    "bwa_index",
    "bwa_mem",
    "bwa_mem_realign",
    "samtools_markdup",
    "bcftools_mpileup",
    "bcftools_concat_gvcf",
    "bcftools_call_cohort",
    "bcftools_concat_cohort",
]
QC_STAGES = [
    "samtools_stats",
    "mosdepth",
    "bcftools_call_sample",
    "bcftools_stats_sample",
    "bcftools_stats_cohort",
]
# the folders the jobs write into (made by write_floor, before any job)
FOLDERS = ("ref", "logs", "units", "align", "qc/mosdepth", "gvcf/shards", "joint/shards")
SORT_MEM = "768M"  # rules bwa_mem and bwa_mem_realign: params.sort_mem
FREEZE_HEADER = "freeze.header"
SOFT_FILTERS = bl.ROOT / "scripts" / "soft_filters.sh"  # rule bcftools_call_cohort's
UNIT_CHAINS = {  # the stream of each alignment rule, without its guards
    "bwa_mem": f"{align.FASTP_PAIRS} | {align.BWA_SORT}",
    "bwa_mem_realign": f"{align.REALIGN_READS} | {align.BWA_SORT}",
}


def extra(config: dict, section: str, key: str = "extra") -> str:
    """A free-text option of config, as the rules' params give it (tool_extra)."""
    return commands.extra_options(config.get(section, {}).get(key))


def align_command(
    row: dict, base: Path, fasta: str, bam: str, threads: int, config: dict
) -> tuple[str, str]:
    """(rule, command): rule bwa_mem's stream for a FASTQ pair (fastp | bwa mem | fixmate
    | sort), rule bwa_mem_realign's for a cram/bam/ubam (collate | fastq | fastp | bwa mem
    | fixmate | sort); the read group from units.tsv, the reads' paths from ``base``."""
    kind = checked_kind(row)
    stem = bam.removesuffix(".bam")
    sample, unit = row["sample"], row["unit"]
    rg = align.read_group(sample, unit, row.get("platform") or "ILLUMINA", row.get("library", ""))
    params = {
        "read_groups": f"-R {rg}",
        "fastp_extra": extra(config, "trimming", "fastp_extra"),
        "bwa_extra": extra(config, "alignment", "bwa_extra"),
        "sort_mem": SORT_MEM,
    }
    output = {"bam": bam, "fastp_json": f"{stem}.fastp.json", "fastp_html": f"{stem}.fastp.html"}
    if kind == "fastq":
        rule = "bwa_mem"
        inputs = {"fq1": absolute(row["fq1"], base), "fq2": absolute(row["fq2"], base)}
    else:
        rule = "bwa_mem_realign"
        inputs = {"reads": absolute(row[kind], base)}
        reference_fasta = absolute(row.get("input_reference", ""), base)
        params["collate"] = align.collate_options(kind, reference_fasta)
        params["fastq"] = align.fastq_options(False)  # one read group: the unit's
    command = commands.render(
        UNIT_CHAINS[rule],
        input={**inputs, "fasta": fasta},
        output=output,
        params=params,
        threads=threads,
    )
    return rule, command


def files(floor: Path, sample: str = "") -> dict[str, str]:
    """The floor's own files (of a sample): reference, CRAM, gVCF, cohort VCF."""
    return {
        "ref": str(floor / "ref" / "genome.fa"),
        "cram": str(floor / "align" / f"{sample}.cram"),
        "gvcf": str(floor / "gvcf" / f"{sample}.g.vcf.gz"),
        "cohort": str(floor / "joint" / "cohort.vcf.gz"),
    }


def reference_jobs(reference_fasta: str, floor: Path) -> dict[str, list[tuple[str, str]]]:
    """The reference steps: staged copy, faidx, dict, BWA index (the rules' commands)."""
    ref = files(floor)["ref"]

    def job(template: str, rule: str, **named) -> list[tuple[str, str]]:
        log = str(floor / "logs" / f"{rule}.log")
        return [("genome", commands.render(template, log=log, **named))]

    return {
        "stage_reference": job(
            reference.STAGE_REFERENCE,
            "stage_reference",
            output={"fasta": ref},
            params={"source": reference_fasta},
        ),
        "samtools_faidx": job(reference.SAMTOOLS_FAIDX, "samtools_faidx", input={"fasta": ref}),
        "samtools_dict": job(
            reference.SAMTOOLS_DICT,
            "samtools_dict",
            input={"fasta": ref},
            output={"dict": str(floor / "ref" / "genome.dict")},
        ),
        "bwa_index": job(reference.BWA_INDEX, "bwa_index", input={"fasta": ref}),
    }


def sample_jobs(
    config: dict, by_sample: dict[str, list[str]], shards: list[str], floor: Path, ncores: int
) -> dict[str, list[tuple[str, str]]]:
    """Per sample: merge + markdup to CRAM; mpileup per shard, concat to the gVCF."""
    render = commands.render
    ref = files(floor)["ref"]
    markdup = {
        "optical_distance": config["markdup"]["optical_distance"],
        "extra": extra(config, "markdup"),
    }
    options = call.mpileup_params(config["calling"])
    jobs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, bams in by_sample.items():
        cram, gvcf = files(floor, s)["cram"], files(floor, s)["gvcf"]
        stats = str(floor / "qc" / f"{s}.markdup.txt")
        threads = min(THREADS["samtools_markdup"], ncores)
        command = render(
            f"{align.MARKDUP} && {align.SAMTOOLS_INDEX_CRAM}",
            input={"bams": bams, "fasta": ref, "cram": cram},
            output={"cram": cram, "crai": f"{cram}.crai", "stats": stats},
            params=markdup,
            threads=threads,
        )
        jobs["samtools_markdup"].append((s, command))
        parts = []
        for shard in shards:
            part = str(floor / "gvcf" / "shards" / f"{s}.{Path(shard).stem}.g.vcf.gz")
            parts.append(part)
            command = render(
                call.BCFTOOLS_MPILEUP,
                input={"fasta": ref, "regions": shard, "cram": cram},
                output={"gvcf": part},
                params=options,
            )
            jobs["bcftools_mpileup"].append((f"{s}.{Path(shard).stem}", command))
        command = render(
            f"{call.BCFTOOLS_CONCAT_GVCF} && {report.TABIX}",
            input={"gvcfs": parts, "vcf": gvcf},
            output={"gvcf": gvcf},
        )
        jobs["bcftools_concat_gvcf"].append((s, command))
    return jobs


def joint_params(config: dict, ploidy: str) -> dict[str, str]:
    """Rule bcftools_call_cohort's params (also bench_scaling.py's joint genotyping)."""
    return {
        "ploidy": ploidy,
        "call_extra": extra(config, "joint", "call_extra"),
        "soft_filters": str(SOFT_FILTERS),
        "filters": call.soft_filter_options(config["joint"]["filters"]),
    }


def joint_jobs(
    config: dict, joint: list[str], shards: list[str], ploidy: str, floor: Path
) -> dict[str, list[tuple[str, str]]]:
    """Rule bcftools_call_cohort per shard over the joint samples, then the concat."""
    params = joint_params(config, ploidy)
    inputs = {
        "fasta": files(floor)["ref"],
        "gvcfs": [files(floor, s)["gvcf"] for s in joint],
        "sexes": str(floor / "joint" / "sample_sexes.txt"),
    }
    calls, parts = [], []
    for shard in shards:
        out = str(floor / "joint" / "shards" / f"{Path(shard).stem}.vcf.gz")
        parts.append(out)
        command = commands.render(
            call.JOINT_CALL,
            input={**inputs, "regions": shard},
            output={"vcf": out},
            params=params,
        )
        calls.append((Path(shard).stem, command))
    cohort = files(floor)["cohort"]
    concat = commands.render(
        f"{call.CONCAT_COHORT} && {report.TABIX}",
        input={"vcfs": parts, "freeze": str(floor / "joint" / FREEZE_HEADER), "vcf": cohort},
        output={"vcf": cohort},
    )
    return {"bcftools_call_cohort": calls, "bcftools_concat_cohort": [("cohort", concat)]}


def qc_jobs(
    config: dict,
    sexes: dict[str, str],
    ploidy: str,
    qc_regions: str,
    autosomes: str,
    floor: Path,
    ncores: int,
) -> dict[str, list[tuple[str, str]]]:
    """The QC tools: samtools stats, mosdepth, the sample's own calls and their stats per
    sample (of ``sexes``); bcftools stats of the cohort."""
    render = commands.render
    out = floor / "qc"
    ref = files(floor)["ref"]
    jobs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, sex in sexes.items():
        cram, gvcf = files(floor, s)["cram"], files(floor, s)["gvcf"]
        command = render(
            f"{qc.SAMTOOLS_STATS} > {{output.stats:q}}",
            input={"fasta": ref, "cram": cram},
            output={"stats": str(out / f"{s}.stats.txt")},
            threads=min(THREADS["samtools_stats"], ncores),
        )
        jobs["samtools_stats"].append((s, command))
        mosdepth = {
            "min_mapq": config["qc"]["min_mapq"],
            "thresholds": qc.MOSDEPTH_THRESHOLDS,
            "prefix": str(out / "mosdepth" / s),
        }
        command = render(
            qc.MOSDEPTH,
            input={"fasta": ref, "cram": cram, "regions": qc_regions},
            params=mosdepth,
            threads=min(THREADS["mosdepth"], ncores),
        )
        jobs["mosdepth"].append((s, command))
        variants = str(out / f"{s}.vcf.gz")
        command = render(
            qc.CALL_SAMPLE,
            input={"gvcf": gvcf},
            output={"vcf": variants},
            params={"ploidy": ploidy, "sex": sex},
            wildcards={"sample": s},
        )
        jobs["bcftools_call_sample"].append((s, command))
        command = render(
            f"{qc.STATS_SNPS} > {{output.snps:q}} && {qc.STATS_INDELS} > {{output.indels:q}}",
            input={"vcf": variants, "autosomes": autosomes},
            output={kind: str(out / f"{s}.{kind}.txt") for kind in ("snps", "indels")},
            params={"min_qual": config["qc"]["min_variant_qual"]},
        )
        jobs["bcftools_stats_sample"].append((s, command))
    command = render(
        f"{qc.STATS_COHORT} > {{output.stats:q}}",
        input={"fasta": ref, "vcf": files(floor)["cohort"]},
        output={"stats": str(out / "cohort.stats.txt")},
    )
    jobs["bcftools_stats_cohort"].append(("cohort", command))
    return jobs


def floor_jobs(
    units: list[dict],
    samples: list[dict],
    joint: list[str],
    shards: list[str],
    config: dict,
    base: Path,
    reference_fasta: str,
    qc_regions: str,
    autosomes: str,
    floor: Path,
    ncores: int,
) -> dict[str, list[tuple[str, str]]]:
    """{step (= the rule it stands for): [(job name, bash command)]}, in run order; the
    pseudo-step ``_sexes`` holds the joint samples' sex file (written by write_floor).
    The units' paths are taken from ``base`` (the pipeline's run directory)."""
    sex_of = {s["sample"]: CALL_SEX_CODE.get(s.get("sex", ""), "F") for s in samples}
    ploidy = call.ploidy_option(config["reference"]["ploidy"], base)
    jobs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    jobs.update(reference_jobs(reference_fasta, floor))
    by_sample: dict[str, list[str]] = defaultdict(list)
    threads = min(THREADS["bwa_mem"], ncores)
    for row in units:
        bam = str(floor / "units" / f"{row['sample']}.{row['unit']}.bam")
        by_sample[row["sample"]].append(bam)
        rule, command = align_command(row, base, files(floor)["ref"], bam, threads, config)
        jobs[rule].append((f"{row['sample']}.{row['unit']}", command))
    jobs.update(sample_jobs(config, by_sample, shards, floor, ncores))
    jobs.update(joint_jobs(config, joint, shards, ploidy, floor))
    sexes = {s: sex_of[s] for s in by_sample}
    jobs.update(qc_jobs(config, sexes, ploidy, qc_regions, autosomes, floor, ncores))
    jobs["_sexes"] = [("\n".join(f"{s}\t{sex_of[s]}" for s in joint), "")]
    return jobs


def write_floor(floor: Path, jobs: dict[str, list[tuple[str, str]]], ncores: int) -> Path:
    """floor.sh and jobs/<step>/<name>.sh; each job's wall/user/sys go to times.tsv."""
    if floor.exists():
        shutil.rmtree(floor)
    for folder in FOLDERS:
        (floor / folder).mkdir(parents=True)
    (floor / "joint" / "sample_sexes.txt").write_text(jobs["_sexes"][0][0] + "\n")
    # rule bcftools_concat_cohort names the cohort freeze (its content does not matter here)
    (floor / "joint" / FREEZE_HEADER).write_text("##cohort_freeze=<Number=0,Engine=floor>\n")
    lines = [
        "#!/bin/bash",
        "# The floor for the pipeline's tools (benchmarks/bench_overhead.py): the same",
        "# commands with the same threads, one script per job, stages in order, xargs -P",
        "# for parallel jobs.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        ": > times.tsv; : > stages.tsv",
        "run() {  # one job: wall, user and system seconds (the job and its children) to times.tsv",
        '    local TIMEFORMAT="${1}	%3R	%3U	%3S"',
        '    { time bash -eo pipefail "$1" > "${1%.sh}.log" 2>&1 ; } 2>> times.tsv',
        "}",
        "export -f run",
        "stage() {  # stage STEP PARALLEL: every job of a step, PARALLEL at a time",
        "    local start=$(date +%s.%N)",
        '    find jobs/"$1" -name "*.sh" | sort | xargs -r -P "$2" -I{} bash -c "run {}"',
        '    echo "$1	$start	$(date +%s.%N)" >> stages.tsv',
        "}",
    ]
    for step in CORE_STAGES + QC_STAGES:
        folder = floor / "jobs" / step
        folder.mkdir(parents=True)
        for i, (name, command) in enumerate(jobs.get(step, [])):
            script = f"# {step} {name}\nset -eo pipefail\n{command}\n"
            (folder / f"{i:04d}.{name}.sh").write_text(script)
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
        rows.append(
            {
                "rule": job.parent.name,
                "job": job.stem.split(".", 1)[-1],
                "wall": float(parts[1]),
                "cpu": float(parts[2]) + float(parts[3]),
            }
        )
    return rows


def read_stages(path: Path) -> dict[str, float]:
    """floor.sh's stages.tsv: step -> wall seconds of the whole stage."""
    out = {}
    for line in path.read_text().splitlines():
        step, start, end = line.split("\t")
        out[step] = float(end) - float(start)
    return out
