"""What a user sees when samples fail (issue 14), end to end on tiny cohorts
(tiny_cohort.py), through `refcohort run`, the documented command:

* every sample fails the QC gate: the verdict table, its checksum and the MultiQC report
  are written, nothing is joint-called, and the run ends with the summary saying so;
* one sample's FASTQ is broken: the run exits non-zero and says which sample is missing,
  and the other samples still get their cohort VCF, release and report, the broken one a
  FAIL row with the failed step and its log line;
* a sample fails the gate in a run that succeeds: the workflow's own summary names it
  with its reasons (not only the Makefile's table of `make demo`).
"""

import gzip
import os
import subprocess

import pytest
import tiny_cohort
from conftest import BIN

from refcohort.io import read_tsv

REFCOHORT = [str(BIN / "refcohort"), "run"]


def refcohort(work, *args):
    """`refcohort run` as a user types it: outside the venv's PATH, from another folder."""
    env = dict(os.environ, PATH="/usr/bin:/bin")
    return subprocess.run(
        REFCOHORT + [str(work / "config.yaml"), "--cores", "2", "--shards", "2", *args],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def no_overrides(work):
    text = (work / "config.yaml").read_text()
    (work / "config.yaml").write_text(text[: text.index("  overrides:")])


@pytest.fixture(scope="module")
def all_fail(tmp_path_factory):
    work = tiny_cohort.make_cohort(
        tmp_path_factory.mktemp("all_fail"), [("A", "female"), ("B", "male")]
    )
    no_overrides(work)  # the tiny genome fails the coverage thresholds by design
    return work, refcohort(work)


def test_every_sample_failing_still_gives_the_table_and_the_report(all_fail):
    work, proc = all_fail
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    rows = read_tsv(work / "results/qc/sample_qc.tsv")
    assert [(r["sample"], r["status"], r["joint_calling"]) for r in rows] == [
        ("A", "FAIL", "excluded"),
        ("B", "FAIL", "excluded"),
    ]
    assert (work / "results/qc/sample_qc.tsv.sha256").is_file()
    assert (work / "results/report/multiqc.html").stat().st_size > 100_000
    assert not (work / "results/joint/cohort.vcf.gz").exists()
    assert not (work / "results/release").exists()
    # the gate's log has every sample's line
    log = (work / "logs/gate_samples.log").read_text()
    assert "A\tFAIL\texcluded\tFAIL: mean_autosome_coverage" in log and "B\tFAIL" in log
    # ... and the console says it, after the summary's table
    assert "Samples: 2 — PASS 0, WARN 0, FAIL 2; 0 joint-called" in out
    assert "A          FAIL  FAIL: mean_autosome_coverage" in out
    assert "No sample passed the QC gate, so nothing was joint-genotyped" in out
    assert "QC report      results/report/multiqc.html" in out


@pytest.fixture(scope="module")
def one_broken(tmp_path_factory):
    work = tiny_cohort.make_cohort(
        tmp_path_factory.mktemp("one_broken"), [("A", "female"), ("B", "male"), ("C", "female")]
    )
    r1 = work / "reads" / "B_R1.fastq.gz"
    r1.write_bytes(r1.read_bytes()[: r1.stat().st_size // 2])  # truncated
    return work, refcohort(work)


def test_a_broken_sample_does_not_stop_the_others_cohort(one_broken):
    work, proc = one_broken
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1  # B is missing: the run is not a success
    assert "Finishing the cohort without B (their processing failed" in out
    assert "The run ends with an error: B could not be processed" in out
    # A and C are joint-called, released and reported
    with gzip.open(work / "results/joint/cohort.vcf.gz", "rt") as fh:
        header = next(line for line in fh if line.startswith("#CHROM"))
    assert header.rstrip("\n").split("\t")[9:] == ["A", "C"]
    assert (work / "results/release/allele_frequencies.vcf.gz").is_file()
    assert (work / "results/report/multiqc.html").is_file()
    # B is a FAIL row with the step that failed and the line of its log
    rows = {r["sample"]: r for r in read_tsv(work / "results/qc/sample_qc.tsv")}
    assert list(rows) == ["A", "B", "C"]
    assert rows["B"]["status"] == "FAIL" and rows["B"]["joint_calling"] == "excluded"
    assert rows["B"]["reasons"].startswith("FAIL: processing failed: rule bwa_mem (unit L1): ")
    assert "fastp reported the problem above" in rows["B"]["reasons"]
    assert "(log: logs/bwa_mem/B.L1.log)" in rows["B"]["reasons"]
    assert "B          FAIL  FAIL: processing failed: rule bwa_mem" in out
    failed = read_tsv(work / "results/failed_samples.tsv")
    assert [(r["sample"], r["rule"]) for r in failed] == [("B", "bwa_mem")]


def test_a_fail_in_a_successful_run_is_in_the_workflows_own_summary(tmp_path):
    work = tiny_cohort.make_cohort(tmp_path, [("A", "female"), ("B", "male")])
    proc = refcohort(work)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    # both are FAIL on the tiny genome and kept by qc.overrides: the summary says both
    assert "Samples: 2 — PASS 0, WARN 0, FAIL 2; 2 joint-called" in out
    assert "kept by override: tiny test genome" in out
    assert "cohort VCF     results/joint/cohort.vcf.gz" in out
    # concise: no job blocks, no shell commands
    assert "Shell command:" not in out and "rule bwa_mem:" not in out
    assert len(out.splitlines()) < 150, len(out.splitlines())


def test_dry_run_first_as_the_readme_advises(tmp_path):
    work = tiny_cohort.make_cohort(tmp_path, [("A", "female")])
    proc = refcohort(work, "--dry-run")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "bwa_mem" in proc.stdout and not (work / "results").exists()
