"""Deliverables that cannot be silently wrong (docs/reliability.md, "Integrity"), end to end
on a finished tiny cohort (tiny_cohort.py), each case on its own copy of the run:

* a CRAM or gVCF damaged after the run stops the next run before any job, naming the
  file; restored from a backup it is accepted again, and a rerun gives the same records;
* a tool that exits 0 after writing short output (samtools stats) fails its job, and a
  full disk fails the rule's own command;
* an option that cannot make a run (--set-scatter shard=0) is refused before planning;
  a run that deletes a deliverable to remake it and then fails puts it back;
* a deleted index or MD5 is made again from its file without remaking anything; a moved
  checkout or a reference moved with the same bytes redo (almost) nothing;
* SIGTERM ends the run without a traceback, and the resumed run gives the same records.
"""

import gzip
import os
import shutil
import signal
import subprocess
import time

import pytest
import tiny_cohort
from conftest import BIN, ROOT
from tiny_cohort import ENV, SNAKEMAKE, cram_records, job_blocks, snakemake, vcf_records

from refcohort import commands, integrity
from refcohort.commands import qc

SAMPLES = [("S01", "female"), ("S02", "male")]


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    work = tiny_cohort.make_cohort(tmp_path_factory.mktemp("done"), SAMPLES)
    snakemake(work)
    return work


def copy_run(done, tmp_path):
    """The finished run in a new folder, modification times kept (as `cp -a` or a move)."""
    work = tmp_path / "run"
    shutil.copytree(done, work, symlinks=True)
    return work


def planned(work, *args):
    """The rules a dry-run would run ([] when nothing is to be done)."""
    return sorted({rule for rule, _ in job_blocks(snakemake(work, "-n", *args).stdout)})


def mtimes(work):
    return {
        p: p.stat().st_mtime_ns
        for p in (work / "results").rglob("*")
        if p.is_file() and "manifest" not in p.name
    }


def test_finished_run_has_nothing_to_do(done, tmp_path):
    assert planned(copy_run(done, tmp_path)) == []


# ------------------------------------------------------------------ class 1: damaged files
@pytest.mark.parametrize(
    "path", ["results/align/S01.cram", "results/gvcf/S02.g.vcf.gz", "results/joint/cohort.vcf.gz"]
)
def test_damaged_deliverable_stops_the_run_before_any_job(done, tmp_path, path):
    work = copy_run(done, tmp_path)
    damaged = work / path
    original = damaged.read_bytes()
    damaged.write_bytes(original[: len(original) * 6 // 10])  # truncated after the run
    before = mtimes(work)
    proc = snakemake(work, check=False)
    assert proc.returncode == 1
    assert "Damaged deliverable" in proc.stderr and path in proc.stderr
    assert f"its content differs from the SHA-256 in {path}.sha256" in proc.stderr
    assert "Restore" in proc.stderr and "Traceback" not in proc.stderr
    # nothing ran: every file as it was, the damaged one included, no checksum rewritten
    assert mtimes(work) == before
    assert not (work / "logs" / "bcftools_mpileup").exists() or all(
        p.stat().st_mtime_ns <= before[damaged] for p in (work / "logs").rglob("*.log")
    )


def test_deliverable_restored_from_a_backup_is_accepted(done, tmp_path):
    work = copy_run(done, tmp_path)
    cram = work / "results/align/S01.cram"
    cram.write_bytes(cram.read_bytes()[:1000])
    assert snakemake(work, "-n", check=False).returncode == 1
    # restored with its time (cp -p): checked again, accepted, nothing to redo
    shutil.copy2(done / "results/align/S01.cram", cram)
    assert planned(work) == []
    # restored without its time (a plain copy): accepted too; Snakemake sees a newer file
    # and redoes what was made from it, with the same records
    shutil.copyfile(done / "results/align/S01.cram", cram)
    snakemake(work)
    assert vcf_records(work / "results/gvcf/S01.g.vcf.gz") == vcf_records(
        done / "results/gvcf/S01.g.vcf.gz"
    )
    assert vcf_records(work / "results/joint/cohort.vcf.gz") == vcf_records(
        done / "results/joint/cohort.vcf.gz"
    )


def test_deleted_deliverable_is_made_again_with_the_same_records(done, tmp_path):
    work = copy_run(done, tmp_path)
    for suffix in ("", ".sha256"):
        (work / f"results/gvcf/S02.g.vcf.gz{suffix}").unlink()
    snakemake(work)
    assert vcf_records(work / "results/gvcf/S02.g.vcf.gz") == vcf_records(
        done / "results/gvcf/S02.g.vcf.gz"
    )
    # sealed again by its rule (the header's command lines carry the date: other bytes)
    digest = (work / "results/gvcf/S02.g.vcf.gz.sha256").read_text().split()[0]
    assert digest == integrity.sha256_file(work / "results/gvcf/S02.g.vcf.gz")


def test_deleted_joint_folder_is_made_again_with_the_gates_sexes(done, tmp_path):
    """results/joint holds an output of the gate (a checkpoint) too: deleting the folder
    runs the gate again and then the joint calls (not 'Nothing to be done')."""
    work = copy_run(done, tmp_path)
    shutil.rmtree(work / "results/joint")
    snakemake(work)
    assert (work / "results/joint/sample_sexes.txt").read_text() == (
        done / "results/joint/sample_sexes.txt"
    ).read_text()
    assert vcf_records(work / "results/joint/cohort.vcf.gz") == vcf_records(
        done / "results/joint/cohort.vcf.gz"
    )


# ------------------------------------------------------------------ class 2: short writes
def shim(folder, tool, script):
    """A wrapper named `tool` first on PATH: fault injection around the real tool."""
    folder.mkdir(exist_ok=True)
    path = folder / tool
    path.write_text(f"#!/bin/bash\nREAL={shutil.which(tool)}\n{script}\n")
    path.chmod(0o755)
    return dict(ENV, PATH=f"{folder}:{ENV['PATH']}")


def test_tool_that_exits_0_after_a_short_write_fails_its_job(done, tmp_path):
    work = copy_run(done, tmp_path)
    stats = work / "results/qc/samtools_stats/S01.stats.txt"
    stats.unlink()
    # samtools stats that loses the end of its output and still exits 0 (as with a full disk)
    env = shim(
        tmp_path / "bin",
        "samtools",
        'if [ "$1" = stats ]; then "$REAL" "$@" | head -c 20000; exit 0; fi\nexec "$REAL" "$@"',
    )
    target = "results/qc/samtools_stats/S01.stats.txt"
    proc = subprocess.run(
        SNAKEMAKE
        + ["--directory", str(work), "--configfile", str(work / "config.yaml"), "--", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    log = (work / "logs/samtools_stats/S01.log").read_text()
    assert "ERROR: output check:" in log and "S01.stats.txt" in log
    assert not stats.exists()  # the short file is not left to be read as complete
    assert "samtools_stats" in (work / "results/failed_samples.tsv").read_text()
    snakemake(work, targets=[target])  # the real tool: the same statistics as the first run
    assert stats.read_text() == (done / "results/qc/samtools_stats/S01.stats.txt").read_text()


def test_rule_command_fails_on_a_full_disk(done, tmp_path):
    """The rule's own command with its output on /dev/full (every write: ENOSPC), where
    `samtools stats > file` alone exits 0."""
    bare = subprocess.run(
        ["bash", "-c", f"samtools stats {done / 'results/align/S01.cram'} > /dev/full"],
        capture_output=True,
    )
    assert bare.returncode == 0  # what the issue measured: the tool does not notice
    command = commands.render(
        qc.SAMTOOLS_STATS_RULE,
        input={
            "fasta": str(done / "results/reference/genome.fa"),
            "cram": str(done / "results/align/S01.cram"),
        },
        output={"stats": "/dev/full"},
        log=str(tmp_path / "full-disk.log"),
    )
    proc = subprocess.run(["bash", "-c", f"set -euo pipefail; {command}"], capture_output=True)
    assert proc.returncode != 0


# ------------------------------------------------------------------ class 3: options
def test_shard_count_that_cannot_make_a_run_is_refused(done, tmp_path):
    work = copy_run(done, tmp_path)
    before = mtimes(work)
    proc = snakemake(work, "--set-scatter", "shard=0", check=False)
    assert proc.returncode == 1
    assert "--set-scatter shard=0: the number of interval shards must be" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert mtimes(work) == before


def test_failed_remake_puts_the_deliverables_back(done, tmp_path):
    work = copy_run(done, tmp_path)
    with open(work / "config.yaml", "a") as fh:
        fh.write("calling:\n  min_baseq: 14\n")  # every gVCF must be made again
    env = shim(
        tmp_path / "bin",
        "bcftools",
        'if [ "$1" = concat ] && [ "$2" = --naive ]; then\n'
        '    echo "disk quota exceeded" >&2; exit 1\nfi\nexec "$REAL" "$@"',
    )
    proc = subprocess.run(
        SNAKEMAKE + ["--directory", str(work), "--configfile", str(work / "config.yaml")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "are back as the previous run left them" in proc.stderr
    for sample, _ in SAMPLES:
        for suffix in ("", ".sha256", ".tbi", ".md5"):
            path = f"results/gvcf/{sample}.g.vcf.gz{suffix}"
            assert (work / path).read_bytes() == (done / path).read_bytes(), path
    # ... still known to be out of date: the next run makes them with the new setting
    assert "bcftools_concat_gvcf" in planned(work)
    snakemake(work)
    assert (work / "results/gvcf/S01.g.vcf.gz.sha256").read_text() != (
        done / "results/gvcf/S01.g.vcf.gz.sha256"
    ).read_text()


# ------------------------------------------------------------------ class 7: no work redone
def test_deleted_index_and_md5_are_made_from_their_file_and_nothing_else(done, tmp_path):
    work = copy_run(done, tmp_path)
    sidecars = [
        "results/align/S01.cram.crai",
        "results/align/S02.cram.md5",
        "results/gvcf/S01.g.vcf.gz.tbi",
        "results/joint/cohort.vcf.gz.md5",
    ]
    for path in sidecars:
        (work / path).unlink()
    assert planned(work) == []  # no alignment, no calling: the check before the run made them
    for path in sidecars:
        made, first = (work / path).read_bytes(), (done / path).read_bytes()
        if path.endswith(".tbi"):  # the same index, compressed by another zlib level
            made, first = gzip.decompress(made), gzip.decompress(first)
        assert made == first, path


def test_moved_checkout_redoes_only_the_report(done, tmp_path):
    """The checkout moved (modification times kept, as by `mv`): only the steps whose input
    is a file of the checkout itself (MultiQC's config) and the manifest run again."""
    work = copy_run(done, tmp_path)
    checkout = tmp_path / "elsewhere" / "refcohort"
    shutil.copytree(
        ROOT,
        checkout,
        symlinks=True,
        ignore=shutil.ignore_patterns(".venv*", ".git", ".snakemake", "results", "logs"),
    )
    cmd = [str(BIN / "snakemake"), "--snakefile", str(checkout / "Snakefile"), "--cores", "2"]
    cmd += ["--set-scatter", "shard=2", "-n", "--directory", str(work)]
    proc = subprocess.run(
        cmd + ["--configfile", str(work / "config.yaml")],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    rules = {rule for rule, _ in job_blocks(proc.stdout)}
    assert rules <= {"multiqc", "write_manifest", "all"}, rules


def test_reference_moved_with_the_same_bytes_is_not_staged_again(done, tmp_path):
    work = copy_run(done, tmp_path)
    (work / "genomes").mkdir()
    os.replace(work / "ref.fa", work / "genomes" / "GRCh38-copy.fa")
    config = (
        (work / "config.yaml").read_text().replace("fasta: ref.fa", "fasta: genomes/GRCh38-copy.fa")
    )
    (work / "config.yaml").write_text(config)
    # the manifest records the reference's path (and the resolved config), so it alone is
    # written again
    assert set(planned(work)) <= {"all", "write_manifest"}
    # other bytes: not the reference the CRAMs were made with, refused before any job
    with open(work / "genomes" / "GRCh38-copy.fa", "a") as fh:
        fh.write(">chrUn\nACGTACGTAC\n")
    proc = snakemake(work, "-n", check=False)
    assert proc.returncode == 1
    assert "is not the reference the existing CRAMs were written with" in proc.stderr


# ------------------------------------------------------------------ class 8: signals
def test_sigterm_ends_the_run_cleanly_and_it_resumes_to_the_same_records(done, tmp_path):
    work = tiny_cohort.make_cohort(tmp_path / "fresh", SAMPLES)
    proc = subprocess.Popen(
        SNAKEMAKE + ["--directory", str(work), "--configfile", str(work / "config.yaml")],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 300
    while (
        not list((work / "results/align").glob("*.cram"))
        if (work / "results/align").is_dir()
        else True
    ):
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode != 0
    assert "Traceback" not in err, err[-3000:]
    assert "The run stopped before it finished" in err or "job(s) failed" in err
    assert (work / "results/failed_samples.tsv").is_file()
    snakemake(work)
    for sample, _ in SAMPLES:
        assert cram_records(work, sample) == cram_records(done, sample)
    assert vcf_records(work / "results/joint/cohort.vcf.gz") == vcf_records(
        done / "results/joint/cohort.vcf.gz"
    )
