"""Tests for refcohort.compare (allele/genotype-level call scoring; scripts/compare_calls.py):
the pure functions, the command line and the snakemake script. Scoring real VCFs through
bcftools is in test_compare_calls_scoring.py."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from compare_calls_vcf import (
    CHROM,
    SEQ,
    by_type,
    needs_tools,
    reference_fixture,  # noqa: F401 (the fixture `reference`)
    truth_records,
    truth_vcf_fixture,  # noqa: F401 (the fixture `truth_vcf`)
    write_vcf,
)

from refcohort import compare as cc

ROOT = Path(__file__).resolve().parents[2]

pytestmark = needs_tools


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    "gt,expected",
    [
        ("0/1", "het"),
        ("1|0", "het"),
        ("./1", "het"),
        ("1/1", "hom"),
        ("1|1", "hom"),
        ("1", "hom"),
        ("0/0", None),
        ("./.", None),
        ("0", None),
        (".", None),
        ("0/2", None),
    ],
)
def test_gt_class(gt, expected):
    assert cc.gt_class(gt) == expected


def test_variant_type_mnp_is_snv():
    assert cc.variant_type("A", "G") == "SNV"
    assert cc.variant_type("AC", "GT") == "SNV"
    assert cc.variant_type("A", "AT") == "INDEL"
    assert cc.variant_type("AT", "A") == "INDEL"


def test_score_pure_counts_and_nan():
    truth = [("c", 1, "A", "G", "het"), ("c", 5, "C", "T", "hom"), ("c", 9, "A", "AT", "het")]
    query = [("c", 1, "A", "G", "hom"), ("c", 5, "C", "T", "hom"), ("c", 7, "G", "A", "het")]
    rows = by_type(cc.score(truth, query, label="x"))
    assert [r["type"] for r in cc.score(truth, query)] == ["SNV", "INDEL", "ALL"]
    snv, indel = rows["SNV"], rows["INDEL"]
    assert (snv["tp"], snv["fp"], snv["fn"], snv["gt_tp"], snv["gt_fp"], snv["gt_fn"]) == (
        2,
        1,
        0,
        1,
        2,
        1,
    )
    assert snv["precision"] == pytest.approx(2 / 3) and snv["recall"] == 1.0
    assert snv["f1"] == pytest.approx(0.8)
    assert snv["genotype_concordance"] == 0.5
    assert snv["gt_precision"] == pytest.approx(1 / 3) and snv["gt_recall"] == pytest.approx(0.5)
    # INDEL: nothing called -> precision undefined (NaN), recall 0, F1 undefined
    assert (indel["tp"], indel["fp"], indel["fn"]) == (0, 0, 1)
    assert math.isnan(indel["precision"]) and indel["recall"] == 0.0 and math.isnan(indel["f1"])
    assert math.isnan(indel["genotype_concordance"])
    assert rows["ALL"]["label"] == "x" and rows["ALL"]["truth_total"] == 3
    # no overlap at all: P = R = 0 -> F1 = 0 (not NaN)
    disjoint = by_type(cc.score([("c", 1, "A", "G", "hom")], [("c", 2, "A", "G", "hom")]))
    assert disjoint["SNV"]["f1"] == 0.0 and math.isnan(disjoint["SNV"]["genotype_concordance"])


def test_cli_writes_tsv(tmp_path, reference, truth_vcf, capsys):
    recs = [r for r in truth_records() if r[0] != 100]
    query = write_vcf(tmp_path / "query.vcf", recs, sample="QRY")
    out = tmp_path / "out" / "scores.tsv"
    out.parent.mkdir()
    rc = cc.cli(
        [
            "--truth",
            str(truth_vcf),
            "--query",
            str(query),
            "--reference",
            str(reference),
            "--output",
            str(out),
        ]
    )
    assert rc == 0
    lines = out.read_text().splitlines()
    assert (
        lines[0].split("\t")
        == cc.COLUMNS
        == [
            "label",
            "type",
            "truth_total",
            "query_total",
            "tp",
            "fp",
            "fn",
            "precision",
            "recall",
            "f1",
            "gt_tp",
            "gt_fp",
            "gt_fn",
            "gt_precision",
            "gt_recall",
            "gt_f1",
            "genotype_concordance",
        ]
    )
    rows = list(csv.DictReader(lines, delimiter="\t"))
    assert [r["type"] for r in rows] == ["SNV", "INDEL", "ALL"]
    assert all(r["label"] == "QRY" for r in rows)
    assert rows[0]["fn"] == "1" and rows[0]["precision"] == "1.000000"
    assert rows[0]["recall"] == f"{6 / 7:.6f}"
    assert "SNV" in capsys.readouterr().err

    cc.cli(
        [
            "--truth",
            str(truth_vcf),
            "--query",
            str(query),
            "--reference",
            str(reference),
            "--output",
            str(out),
            "--label",
            "run1",
            "--bed",
            str(_empty_bed(tmp_path)),
        ]
    )
    rows = list(csv.DictReader(out.read_text().splitlines(), delimiter="\t"))
    assert {r["label"] for r in rows} == {"run1"} and rows[2]["precision"] == "nan"


def _empty_bed(tmp_path: Path) -> Path:
    bed = tmp_path / "empty.bed"
    bed.write_text(f"{CHROM}\t1900\t1950\n")
    return bed


def test_missing_sample_and_files(tmp_path, reference, truth_vcf):
    with pytest.raises(SystemExit, match="NOT_A_SAMPLE"):
        cc.load_calls(str(truth_vcf), str(reference), sample="NOT_A_SAMPLE")
    with pytest.raises(SystemExit, match="NOT_A_SAMPLE"):
        cc.cli(
            [
                "--truth",
                str(truth_vcf),
                "--query",
                str(truth_vcf),
                "--reference",
                str(reference),
                "--query-sample",
                "NOT_A_SAMPLE",
                "--output",
                str(tmp_path / "o.tsv"),
            ]
        )
    with pytest.raises(SystemExit, match="not found.*missing.vcf"):
        cc.load_calls(str(tmp_path / "missing.vcf"), str(reference))
    with pytest.raises(SystemExit, match="reference"):
        cc.load_calls(str(truth_vcf), str(tmp_path / "nope.fa"))


def test_bcftools_failure_reports_stderr(tmp_path, truth_vcf):
    other = tmp_path / "other.fa"
    other.write_text(">chrOther\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", str(other)], check=True)
    with pytest.raises(SystemExit, match=r"(?s)bcftools norm.*failed.*chrT"):
        cc.load_calls(str(truth_vcf), str(other))


def test_snakemake_script_writes_what_the_cli_writes(tmp_path, reference, truth_vcf, monkeypatch):
    """scripts/compare_calls.py run the way a `script:` rule runs it (as __main__, with a
    `snakemake` object) calls main(smk), not the command line."""
    monkeypatch.setattr("sys.stderr", sys.stderr)  # main() points stderr at the log
    monkeypatch.setattr("sys.argv", ["compare_calls.py"])
    query = write_vcf(
        tmp_path / "query.vcf", [r for r in truth_records() if r[0] != 100], sample="QRY"
    )
    cli_out, smk_out, log = tmp_path / "cli.tsv", tmp_path / "smk.tsv", tmp_path / "smk.log"
    bed = tmp_path / "all.bed"
    bed.write_text(f"{CHROM}\t0\t{len(SEQ)}\n")
    assert (
        cc.cli(
            [
                "--truth",
                str(truth_vcf),
                "--query",
                str(query),
                "--reference",
                str(reference),
                "--bed",
                str(bed),
                "--output",
                str(cli_out),
                "--truth-sample",
                "NA0001",
                "--query-sample",
                "QRY",
                "--label",
                "run1",
            ]
        )
        == 0
    )
    smk = SimpleNamespace(
        input=SimpleNamespace(
            query=str(query), truth=str(truth_vcf), fasta=str(reference), bed=str(bed)
        ),
        output=SimpleNamespace(tsv=str(smk_out)),
        log=[str(log)],
        params=SimpleNamespace(truth_sample="NA0001", query_sample="QRY", label="run1"),
    )
    script = ROOT / "scripts" / "compare_calls.py"
    exec(
        compile(script.read_text(), str(script), "exec"), {"__name__": "__main__", "snakemake": smk}
    )
    sys.stderr.flush()
    assert smk_out.read_text() == cli_out.read_text()
    assert "[compare_calls] run1 SNV" in log.read_text()
