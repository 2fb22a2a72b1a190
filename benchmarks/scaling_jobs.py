"""The scaling harness's commands (bench_scaling.py), each rendered from the workflow's own
templates (refcohort.commands), and the runner that times them: a sample's alignment and
its three gVCF forms; joint genotyping by the bcftools engine (rule bcftools_call_cohort
per shard + bcftools_concat_cohort); the hail engine's store update (rule
hail_update_cohort) and per-shard export (hail_export_shard + bcftools_filter_hail_shard)
+ the same concat."""

from __future__ import annotations

import shlex
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import benchlib as bl
from floor import SORT_MEM

from refcohort import commands
from refcohort.commands import align, call, hail, report

q = shlex.quote
HAIL_PYTHON = bl.ROOT / ".venv-hail" / "bin" / "python"
# what a crashed JVM writes: Hail's Python then retries the dead gateway forever
JVM_CRASH = "A fatal error has been detected by the Java Runtime Environment"
WATCH_S = 2.0  # how often a job's log is read for it
# the bcftools engine's freeze header line (the pipeline's names the freeze record)
FREEZE_LINE = "##cohort_freeze=<Number=1,Engine=bcftools>"


# ------------------------------------------------------------------ per sample
def align_command(name: str, fq1: Path, fq2: Path, ref: str, bam: str) -> str:
    """The pairs interleaved into rule bwa_mem's bwa | fixmate | sort chain (no fastp;
    no duplicates are simulated, so no markdup), then the index."""
    pairs = (
        f"paste <(gzip -dc {q(str(fq1))} | paste - - - -) <(gzip -dc {q(str(fq2))} | paste - - - -)"
        " | tr '\\t' '\\n'"
    )
    params = {
        "read_groups": f"-R {align.read_group(name, 'L001', 'ILLUMINA', '')}",
        "bwa_extra": "",
        "sort_mem": SORT_MEM,
    }
    aligned = commands.render(
        align.BWA_SORT, input={"fasta": ref}, output={"bam": bam}, params=params, threads=1
    )
    return f"{pairs} | {aligned} && samtools index {q(bam)}"


def mpileup_command(template: str, bam: str, ref: str, regions: str, mp: dict, gvcf: str) -> str:
    """Rule bcftools_mpileup's command (call.BCFTOOLS_MPILEUP: the compact gVCF) or the
    full gVCF as mpileup writes it (call.BCFTOOLS_MPILEUP_FULL), over ``regions``;
    ``mp``: call.mpileup_params()."""
    return commands.render(
        template,
        input={"fasta": ref, "regions": regions, "cram": bam},
        output={"gvcf": gvcf},
        params=mp,
    )


def hail_gvcf_command(name: str, sex: str, compact: str, out: str, bands: str) -> str:
    """Rule bcftools_call_gvcf: the sample's own calls from its compact gVCF, as Hail's
    combiner reads them (the generated genome has autosomes only: GRCh38's ploidy)."""
    params = {
        "bands": bands,
        "ploidy": call.ploidy_option("GRCh38"),
        "sex": sex,
    }
    return commands.render(
        hail.BCFTOOLS_CALL_GVCF,
        input={"gvcf": compact},
        output={"gvcf": out},
        params=params,
        wildcards={"sample": name},
    )


# ------------------------------------------------------------------ joint genotyping
def bcftools_shards(
    gvcfs: list[str], shards: list[str], ref: str, sexes: str, params: dict, outdir: Path
) -> tuple[list[str], list[str]]:
    """Rule bcftools_call_cohort's command per shard, and the shard VCFs."""
    cmds, parts = [], []
    for shard in shards:
        out = str(outdir / f"{Path(shard).stem}.vcf.gz")
        parts.append(out)
        cmds.append(
            commands.render(
                call.JOINT_CALL,
                input={"gvcfs": gvcfs, "regions": shard, "fasta": ref, "sexes": sexes},
                output={"vcf": out},
                params=params,
            )
        )
    return cmds, parts


def concat_command(parts: list[str], freeze_header: str, cohort: str) -> str:
    """Rule bcftools_concat_cohort (the shards joined; the freeze's header line added)."""
    return commands.render(
        f"{call.CONCAT_COHORT} && {report.TABIX}",
        input={"vcfs": parts, "freeze": freeze_header, "vcf": cohort},
        output={"vcf": cohort},
    )


def hail_params(store: Path, max_batches: int) -> dict:
    """The Hail rules' params (workflow/functions.smk hail_params(); no PAR: autosomes)."""
    return {
        "python": str(HAIL_PYTHON),
        "store": str(store),
        "par": "",
        "chrx": r"(chr)?X",
        "chry": r"(chr)?Y",
        "max_batches": max_batches,
    }


def spark_resources(mem_mb: int) -> dict:
    """The Hail rules' resources: Spark in local mode (the rules' default; no executors)."""
    return {"spark_master": "local", "mem_mb": mem_mb, "spark_executor_mb": 0}


def hail_update(
    store: Path,
    table: str,
    fai: str,
    out: Path,
    cores: int,
    mem_mb: int,
    max_batches: int,
    limit_s: int = 0,
) -> tuple[str, str, str]:
    """Rule hail_update_cohort: the store brought to the samples of ``table`` (sample,
    gvcf), stopped after ``limit_s`` (0: never); returns (command, freeze record, freeze
    header)."""
    freeze, header = str(out / "freeze.json"), str(out / "freeze.header")
    cmd = commands.render(
        hail.HAIL_UPDATE_COHORT,
        input={"table": table, "fai": fai},
        output={"freeze": freeze, "header": header},
        params=hail_params(store, max_batches),
        resources=spark_resources(mem_mb),
        threads=cores,
        log=str(out / "update.log"),
    )
    return limited(cmd, limit_s), freeze, header


def hail_shards(
    store: Path,
    freeze: str,
    shards: list[str],
    sexes: str,
    ref: str,
    params: dict,
    outdir: Path,
    threads: int,
    mem_mb: int,
    limit_s: int = 0,
) -> tuple[list[str], list[str]]:
    """Per shard, rule hail_export_shard (stopped after ``limit_s``; 0: never) then
    bcftools_filter_hail_shard (one job: the shard's cost and peak memory); and the shard
    VCFs."""
    cmds, parts = [], []
    for shard in shards:
        stem = Path(shard).stem
        exported, out = str(outdir / f"{stem}.vcf.bgz"), str(outdir / f"{stem}.vcf.gz")
        export = commands.render(
            hail.HAIL_EXPORT_SHARD,
            input={"freeze": freeze, "regions": shard, "sexes": sexes, "fai": f"{ref}.fai"},
            output={"vcf": exported},
            params={**hail_params(store, 0), "tmp": str(outdir / f"{stem}.tmp")},
            resources=spark_resources(mem_mb),
            threads=threads,
            log=str(outdir / f"{stem}.export.log"),
        )
        filtered = commands.render(
            hail.FILTER_HAIL_SHARD,
            input={"vcf": exported, "fasta": ref},
            output={"vcf": out},
            params=params,
        )
        cmds.append(f"{limited(export, limit_s)} && {filtered}")
        parts.append(out)
    return cmds, parts


def limited(cmd: str, seconds: int) -> str:
    """``cmd`` stopped after ``seconds`` (a JVM that dies leaves Hail's Python retrying)."""
    return f"timeout -k 10 {seconds} {cmd}" if seconds else cmd


def write_gvcf_table(path: Path, names: list[str], gvcfs: list[str]) -> str:
    """rule list_cohort_gvcfs's table: sample, gvcf."""
    path.write_text("sample\tgvcf\n" + "".join(f"{n}\t{g}\n" for n, g in zip(names, gvcfs)))
    return str(path)


def write_sexes(path: Path, names: list[str], sexes: list[str]) -> str:
    """The gate's sample_sexes.txt: sample and bcftools sex code."""
    path.write_text("".join(f"{n}\t{s}\n" for n, s in zip(names, sexes)))
    return str(path)


# ------------------------------------------------------------------ running
@dataclass
class Jobs:
    """Jobs run ``parallel`` at a time: wall of the whole, each job's timing."""

    wall: float = 0.0
    timings: list[bl.Timed] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return sum(t.cpu for t in self.timings)

    @property
    def peak_mb(self) -> float:
        """The largest peak of one job (memory per job, e.g. per shard)."""
        return max((t.peak_rss_mb for t in self.timings), default=0.0)

    @property
    def written_mb(self) -> float:
        return sum(t.written_mb for t in self.timings)


def run_jobs(
    cmds: list[str], parallel: int, logdir: Path, name: str, fatal: str | None = None
) -> Jobs:
    """Run shell commands ``parallel`` at a time, each timed with its process tree
    sampled (CPU, peak memory); logs to ``logdir/name.i.log``. After a job fails no other
    is started, and the first failure is raised once the running ones end. ``fatal``: a
    line that, once in a job's log, means the job cannot end by itself (a JVM crash
    leaves Hail's Python retrying forever): the job's processes are killed."""
    logdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    failed = threading.Event()

    def one(item):
        i, cmd = item
        if failed.is_set():
            return None
        log = logdir / f"{name}.{i}.log"
        (logdir / f"{name}.{i}.sh").write_text(f"set -eo pipefail\n{cmd}\n")
        done = threading.Event()
        pids: list[int] = []
        watcher = None
        if fatal:
            watcher = threading.Thread(target=_watch, args=(log, fatal, pids, done), daemon=True)
            watcher.start()
        try:
            return bl.run_timed(cmd, log=log, sample_memory=True, started=pids.append)
        except RuntimeError:
            failed.set()
            raise
        finally:
            done.set()
            if watcher:
                watcher.join()

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = [pool.submit(one, item) for item in enumerate(cmds)]
    errors = [f.exception() for f in futures if f.exception()]
    if errors:
        raise errors[0]
    return Jobs(time.perf_counter() - start, [f.result() for f in futures])


def _watch(log: Path, line: str, pids: list[int], done: threading.Event) -> None:
    """Every WATCH_S until ``done``: kill the process tree of ``pids[0]`` once ``line`` is in
    ``log``."""
    import psutil

    while not done.wait(WATCH_S):
        try:
            seen = line in log.read_text(errors="replace")
        except OSError:
            continue
        if seen and pids:
            try:
                root = psutil.Process(pids[0])
                procs = root.children(recursive=True) + [root]
            except psutil.Error:
                return
            for p in procs:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            return
