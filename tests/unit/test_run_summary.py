"""What a run prints when it ends (refcohort.summary), the QC gate's rows for samples
whose processing failed (refcohort.qc.gate) and the `refcohort` command's Snakemake call
(refcohort.cli)."""

import sys

import pytest

from refcohort import cli, failures, summary
from refcohort.io import write_tsv
from refcohort.qc import gate

TABLE = ["sample", "status", "reasons", "override", "joint_calling"]


def write_table(path, rows):
    write_tsv(path, TABLE, rows)
    return path


def test_summary_lists_every_non_pass_sample_with_its_reasons(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = write_table(
        tmp_path / "qc.tsv",
        [
            {"sample": "A", "status": "PASS", "joint_calling": "included"},
            {"sample": "B", "status": "WARN", "reasons": "WARN: pct_duplication 16 > 15",
             "joint_calling": "included"},
            {"sample": "C", "status": "FAIL", "reasons": "FAIL: mean_autosome_coverage 12 < 30",
             "joint_calling": "excluded"},
        ],
    )  # fmt: skip
    text = summary.run_summary(table, [], ["A", "B", "C"], succeeded=True)
    assert "Samples: 3 — PASS 1, WARN 1, FAIL 1; 2 joint-called" in text
    assert "B          WARN  WARN: pct_duplication 16 > 15" in text
    assert "C          FAIL  FAIL: mean_autosome_coverage 12 < 30" in text
    assert "\n  A " not in text  # a plain PASS needs no line
    assert "No sample passed" not in text


def test_summary_adds_the_cohort_structure_warns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = write_table(
        tmp_path / "qc.tsv",
        [
            {"sample": "A", "status": "PASS", "joint_calling": "included"},
            {"sample": "B", "status": "PASS", "joint_calling": "included"},
        ],
    )
    structure = tmp_path / "structure.tsv"
    write_tsv(
        structure,
        ["sample", "structure_status", "reason"],
        [
            {"sample": "A", "structure_status": "PASS", "reason": ""},
            {"sample": "B", "structure_status": "WARN", "reason": "WARN: far from FI's cluster"},
        ],
    )
    text = summary.run_summary(table, [], ["A", "B"], True, structure)
    assert "Samples: 2 — PASS 1, WARN 1, FAIL 0; 2 joint-called" in text
    assert "cohort-structure WARNs of results/qc/structure.tsv" in text
    assert "B          WARN  WARN: far from FI's cluster" in text
    assert "structure" not in summary.run_summary(table, [], ["A", "B"], True, tmp_path / "x")
    # a structure table older than the gate's (an earlier run's) is not read
    import os

    os.utime(structure, (1, 1))
    assert "far from" not in summary.run_summary(table, [], ["A", "B"], True, structure)


def test_summary_says_when_no_sample_passed_and_names_failed_jobs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = write_table(
        tmp_path / "qc.tsv",
        [{"sample": "A", "status": "FAIL", "reasons": "FAIL: x", "joint_calling": "excluded"}],
    )
    failed = [
        {"sample": "B", "unit": "L1", "rule": "bwa_mem", "log": "logs/bwa_mem/B.L1.log",
         "error": "ERROR: FASTQ check: no reads came out of fastp"},
    ]  # fmt: skip
    text = summary.run_summary(table, failed, ["A", "B"], succeeded=False)
    assert "No sample passed the QC gate, so nothing was joint-genotyped" in text
    assert "B          no verdict: rule bwa_mem (unit L1): ERROR: FASTQ check" in text
    assert "(log: logs/bwa_mem/B.L1.log)" in text
    assert "1 job(s) failed" in text and "results/failed_samples.tsv" in text


def test_gate_rows_of_samples_whose_processing_failed(tmp_path):
    failed = {"B": failures.failure_text({"rule": "bwa_mem", "error": "ERROR: x", "log": "l"})}
    (row,) = gate.processing_failed_rows(failed, ["pct_reads_mapped"], {"B": "fastq"})
    assert row["status"] == "FAIL" and row["joint_calling"] == "excluded"
    assert row["reasons"] == "FAIL: processing failed: rule bwa_mem: ERROR: x (log: l)"
    assert row["pct_reads_mapped"] == "NA" and row["source"] == "fastq"


def test_processing_failures_reads_a_first_pass_table(tmp_path):
    path = tmp_path / "failed.tsv"
    failures.write_failed_samples(
        str(path),
        [
            {"sample": "B", "unit": "L1", "rule": "bwa_mem", "log": "a.log,b.log", "error": "E1"},
            {"sample": "B", "unit": "L2", "rule": "bwa_mem", "log": "c.log", "error": "E2"},
            {"sample": "(cohort)", "unit": "", "rule": "x", "log": "", "error": "E3"},
        ],
    )
    assert failures.processing_failures(str(path), ["A", "B"]) == {
        "B": "rule bwa_mem (unit L1): E1 (log: a.log)"
    }
    assert failures.processing_failures("", ["A"]) == {}


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--set-scatter", "shard=4"], ""),
        (["--set-scatter", "shard=0"], "--set-scatter shard=0: the number of shards must be"),
        (["--set-scatter", "shard=abc"], "--set-scatter shard=abc"),
        (["--set-scatter", "shard=-2"], "--set-scatter shard=-2"),
    ],
)
def test_refcohort_refuses_scatter_counts_before_snakemake(args, problem):
    assert (
        cli.scatter_problem(args).startswith(problem) if problem else not cli.scatter_problem(args)
    )


def test_refcohort_runs_this_checkout_in_the_config_folder(tmp_path):
    (tmp_path / "cohort").mkdir()
    config = tmp_path / "cohort" / "config.yaml"
    config.write_text("samples: samples.tsv\n")
    opts = cli.parse(["run", str(config), "-n", "--cores", "2", "--", "--rerun-incomplete"])
    cmd = cli.snakemake_command(opts)
    assert cmd[:3] == [sys.executable, "-m", "snakemake"]
    assert cmd[cmd.index("--snakefile") + 1] == str(cli.ROOT / "Snakefile")
    assert cmd[cmd.index("--directory") + 1] == str(tmp_path / "cohort")
    assert cmd[cmd.index("--workflow-profile") + 1] == str(cli.ROOT / "profiles" / "default")
    assert "--dry-run" in cmd and cmd[-1] == "--rerun-incomplete" and "--logger" not in cmd
    opts = cli.parse(["run", str(config)])
    assert cli.snakemake_command(opts)[-2:] == ["--logger", "rich"]
    assert cli.main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert cli.main(["run", str(config), "--shards", "0"]) == 2
