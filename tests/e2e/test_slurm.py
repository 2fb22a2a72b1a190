"""A real SLURM run: boot a single-node cluster on loopback (Debian's slurm-wlm and
munge, configuration in tests/slurm/), run four of the demo's samples through
`--workflow-profile profiles/slurm`, check that every non-local job went through sbatch
and that each sample's gVCF and QC row equal the local demo run's, then stop the daemons
this test started, by PID.

There is no slurmdbd here (the "without accounting" case of docs/deployment.md): the executor
plugin polls with squeue and submits without an account.

Skips when SLURM is not installed, except under CI=true (make test installs it).
"""

import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pysam
import pytest
import yaml
from conftest import BIN, DEMO_DATA, DEMO_DIR, DEMO_RESULTS, ROOT, run

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch")
# rules that run in the controlling process (`localrules:` in the Snakefile)
LOCAL_RULES = {
    "gate_samples",
    "qc_report",
    "summarise_accuracy",
    "select_structure_samples",
    "assess_structure",
    "count_recruitment",
    "sv_report",
}

if not all(shutil.which(d) or Path("/usr/sbin", d).exists() for d in DAEMONS):
    if os.environ.get("CI") == "true":
        raise RuntimeError(
            "CI=true but slurm-wlm/munge are not installed (make test installs them)"
        )
    pytest.skip("slurm-wlm and munge are not installed", allow_module_level=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sbin(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


def stop(pid_file, timeout=20):
    """SIGTERM the daemon in pid_file, then SIGKILL if it lingers."""
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(timeout * 10):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    d = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool", "munge", "bin"):
        (d / sub).mkdir()
    (d / "munge").chmod(0o700)
    key = d / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    conf = d / "slurm.conf"
    text = (ROOT / "tests" / "slurm" / "slurm.conf.in").read_text()
    # declared, not physical (SlurmdParameters=config_overrides): the production memory
    # requests (bwa_mem 16 GB) must fit, and the demo's jobs use a small part of them; twice
    # the cores, so that a job's start-up and the plugin's status polling (idle time)
    # overlap another job's work
    mem_mb = 64000
    for k, v in {
        "@DIR@": str(d),
        "@CTLD_PORT@": str(free_port()),
        "@SLURMD_PORT@": str(free_port()),
        "@CPUS@": str(2 * (os.cpu_count() or 2)),
        "@MEM_MB@": str(mem_mb),
    }.items():
        text = text.replace(k, v)
    conf.write_text(text)
    # The slurm-jobstep plugin strips every SLURM_* variable, SLURM_CONF too, before its
    # nested srun; a cluster whose slurm.conf is not at /etc/slurm needs it put back.
    shim = d / "bin" / "srun"
    shim.write_text(
        f'#!/bin/sh\nSLURM_CONF={conf} exec {shutil.which("srun") or "/usr/bin/srun"} "$@"\n'
    )
    shim.chmod(0o755)
    # ... and an sbatch that records each submission before passing it on
    recorder = d / "bin" / "sbatch"
    recorder.write_text(
        f'#!/bin/sh\necho "$*" >> {d / "sbatch_calls.txt"}\n'
        f'exec {shutil.which("sbatch") or "/usr/bin/sbatch"} "$@"\n'
    )
    recorder.chmod(0o755)
    env = dict(os.environ, SLURM_CONF=str(conf), PATH=f"{d / 'bin'}:{BIN}:{os.environ['PATH']}")
    m = d / "munge"
    subprocess.run(
        [
            sbin("munged"),
            "--force",
            f"--socket={m / 'munge.socket'}",
            f"--key-file={key}",
            f"--pid-file={m / 'munged.pid'}",
            f"--log-file={m / 'munged.log'}",
            f"--seed-file={m / 'seed'}",
        ],
        check=True,
    )
    try:
        subprocess.run([sbin("slurmctld"), "-f", str(conf)], check=True, env=env)
        subprocess.run([sbin("slurmd"), "-f", str(conf), "-N", "localhost"], check=True, env=env)
        for _ in range(100):
            state = subprocess.run(
                ["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True
            ).stdout.strip()
            if state == "idle":
                break
            time.sleep(0.2)
        else:
            raise AssertionError(
                f"SLURM node not idle: {state!r}\n{(d / 'slurmctld.log').read_text()[-2000:]}"
            )
        yield {"dir": d, "env": env, "mem_mb": mem_mb}
    finally:
        subprocess.run(["scancel", "--user", str(os.getuid())], env=env, capture_output=True)
        for pid_file in (d / "slurmd.pid", d / "slurmctld.pid", m / "munged.pid"):
            stop(pid_file)


# The demo's samples the SLURM run takes: every kind of unit (S01's two FASTQ lanes, S02's
# FASTQ, S03's CRAM, S04's uBAM) and a related pair, in about a third of the whole demo's
# time (the per-sample results are independent of the cohort, so they compare one to one)
SLURM_SAMPLES = ["S01", "S02", "S03", "S04"]


def absolute_sheet(src, dest, columns=()):
    """A demo sheet with its paths made absolute, SLURM_SAMPLES' rows only."""
    lines = src.read_text().splitlines()
    header = lines[0].split("\t")
    idx = [header.index(c) for c in columns if c in header]
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split("\t")
        if fields[0] not in SLURM_SAMPLES:
            continue
        for i in idx:
            if fields[i]:
                fields[i] = str(DEMO_DIR / fields[i])
        out.append("\t".join(fields))
    dest.write_text("\n".join(out) + "\n")


@pytest.fixture(scope="module")
def slurm_run(demo_run, cluster, tmp_path_factory):
    """SLURM_SAMPLES of the demo through profiles/slurm in a scratch directory; returns
    (workdir, seconds)."""
    work = tmp_path_factory.mktemp("slurm_demo")
    demo = DEMO_DATA
    absolute_sheet(
        demo / "units.tsv",
        work / "units.tsv",
        ["fq1", "fq2", "cram", "bam", "ubam", "input_reference"],
    )
    absolute_sheet(demo / "samples.tsv", work / "samples.tsv")
    absolute_sheet(demo / "truth.tsv", work / "truth.tsv", ["vcf", "bed"])
    # config/demo.yaml with the sheets and resources as absolute paths
    config = (ROOT / "config" / "demo.yaml").read_text()
    config = re.sub(
        r"(?m)^(\s*\w+: )(resources/demo/\S+)",
        lambda m: f"{m.group(1)}{DEMO_DIR / m.group(2)}",
        config,
    )
    config = config.replace(str(demo / "samples.tsv"), str(work / "samples.tsv"))
    config = config.replace(str(demo / "units.tsv"), str(work / "units.tsv"))
    config = config.replace(str(demo / "truth.tsv"), str(work / "truth.tsv"))
    (work / "config.yaml").write_text(config)
    assert "resources/demo/samples.tsv" not in config and str(work / "units.tsv") in config
    start = time.monotonic()
    proc = run(
        [
            str(BIN / "snakemake"),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--workflow-profile",
            str(ROOT / "profiles" / "slurm"),
            "--directory",
            str(work),
            "--configfile",
            str(work / "config.yaml"),
            # no slurmdbd here: poll with squeue (sacct would loop forever), no account;
            # a 2-core test node cannot hold the profile's 32-thread jobs; poll every few
            # seconds instead of the plugin's 40 s start (many short jobs)
            "--slurm-no-account",
            "--slurm-status-command",
            "squeue",
            "--slurm-init-seconds-before-status-checks",
            "2",
            "--slurm-keep-successful-logs",
            # every job, and every grouped job, must fit the node
            "--max-threads",
            str(os.cpu_count() or 2),
            "--cores",
            str(os.cpu_count() or 2),
        ],
        cwd=work,
        env=cluster["env"],
        timeout=2400,
    )
    seconds = time.monotonic() - start
    print(f"SLURM demo run: {seconds:.0f} s")
    (work / "snakemake.log").write_text(proc.stdout + proc.stderr)
    return work, seconds


def records(path):
    """The data lines of a bgzipped VCF."""
    with gzip.open(path, "rt") as fh:
        return [line for line in fh if not line.startswith("#")]


def test_gvcfs_equal_the_local_runs(slurm_run):
    work, _ = slurm_run
    for sample in SLURM_SAMPLES:
        local = records(DEMO_RESULTS / "gvcf" / f"{sample}.g.vcf.gz")
        remote = records(work / "results" / "gvcf" / f"{sample}.g.vcf.gz")
        assert len(remote) == len(local) > 1000, sample
        assert remote == local, sample


def test_the_cohort_was_joint_called(slurm_run):
    work, _ = slurm_run
    with pysam.VariantFile(str(work / "results" / "joint" / "cohort.vcf.gz")) as vcf:
        assert list(vcf.header.samples) == SLURM_SAMPLES
        assert sum(1 for _ in vcf) > 1000


def test_qc_verdicts_equal_the_local_run(slurm_run):
    work, _ = slurm_run

    def rows(path):
        lines = path.read_text().splitlines()
        return [lines[0]] + [x for x in lines[1:] if x.split("\t")[0] in SLURM_SAMPLES]

    remote = rows(work / "results" / "qc" / "sample_qc.tsv")
    assert len(remote) == 1 + len(SLURM_SAMPLES)
    assert remote == rows(DEMO_RESULTS / "qc" / "sample_qc.tsv")


def test_every_non_local_job_went_through_sbatch(slurm_run, cluster):
    work, _ = slurm_run
    profile = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text())
    groups = profile["groups"]
    # Snakemake announces each job it runs: "rule NAME:" for a job it hands to SLURM,
    # indented under a group job for the grouped rules, "localrule NAME:" for local ones
    text = (work / "snakemake.log").read_text()
    single = Counter(re.findall(r"(?m)^(?:rule|checkpoint) (\w+):$", text))
    grouped = Counter(re.findall(r"(?m)^    (?:rule|checkpoint) (\w+):$", text))
    local = Counter(re.findall(r"(?m)^local(?:rule|checkpoint) (\w+):$", text))
    assert set(local) == LOCAL_RULES | {"all"}, local
    assert set(grouped) == set(groups) and not set(single) & set(groups)
    # one per unit (S01's two FASTQ lanes, S02's, S03's CRAM and S04's uBAM), one per sample
    assert (
        single["bwa_mem"] == 3
        and single["bwa_mem_realign"] == 2
        and grouped["sample_metrics"] == len(SLURM_SAMPLES)
    )
    assert {
        "stage_reference",
        "bwa_index",
        "samtools_markdup",
        "bcftools_mpileup",
        "bcftools_call_cohort",
        "bcftools_concat_cohort",
        "plink2_king",
        "estimate_relatedness",
        "plink2_pca",
        "multiqc",
    } <= set(single)
    # one SLURM job per single job, one per sample for the QC group
    expected = Counter({f"rule_{rule}": n for rule, n in single.items()})
    expected["group_sample_qc"] = grouped["sample_metrics"]

    # ... which is what Snakemake says it submitted, the plugin's per-job logs, and what
    # slurmctld accepted through sbatch
    def kind(log_dir):  # rule_NAME, or group_GROUP_<its rules>
        return next(
            (f"group_{g}" for g in set(groups.values()) if log_dir.startswith(f"group_{g}_")),
            log_dir,
        )

    submitted = re.findall(
        r"has been submitted with SLURM jobid (\d+) \(log: \S*?/slurm_logs/([^/]+)/", text
    )
    assert Counter(kind(d) for _, d in submitted) == expected
    logs = work / ".snakemake" / "slurm_logs"
    assert Counter(kind(p.relative_to(logs).parts[0]) for p in logs.rglob("*.log")) == expected
    ctld_log = (cluster["dir"] / "slurmctld.log").read_text()
    accepted = re.findall(r"_slurm_rpc_submit_batch_job: JobId=(\d+)", ctld_log)
    assert sorted(accepted) == sorted(jobid for jobid, _ in submitted)
    assert len((cluster["dir"] / "sbatch_calls.txt").read_text().splitlines()) == len(accepted)


def test_sbatch_got_the_profiles_resources(slurm_run, cluster):
    """The memory, time and thread requests of profiles/slurm reach sbatch (sarek#1332:
    memory settings ignored on SLURM)."""
    calls = (cluster["dir"] / "sbatch_calls.txt").read_text().splitlines()
    bwa = [c for c in calls if "rule_bwa_mem_" in c]  # bwa_mem and bwa_mem_realign
    assert len(bwa) == 5 and sum("rule_bwa_mem_realign_" in c for c in bwa) == 2
    for call in bwa:
        mem = int(re.search(r"--mem (\d+)", call).group(1))
        assert 16000 <= mem < 17000, call  # "16000 * attempt", plus the plugin's job-step margin
        assert re.search(r" -t '?720'? ", call), call
        threads = os.cpu_count() or 2  # the profile's 32, capped by --max-threads
        assert re.search(rf"--cpus-per-task[ =]'?{threads}'?\b", call), call
    markdup = [c for c in calls if "rule_samtools_markdup_" in c]
    assert len(markdup) == len(SLURM_SAMPLES)
    assert all(8000 <= int(re.search(r"--mem (\d+)", c).group(1)) < 9000 for c in markdup)
