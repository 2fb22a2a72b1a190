"""The QC gate: verdicts, reasons, overrides, and what enters joint genotyping."""

import csv
import json
from types import SimpleNamespace

import pytest

from refcohort.qc.gate import evaluate, gate, main

THRESHOLDS = {
    "mean_autosome_coverage": {"fail_below": 30},
    "pct_autosomes_15x": {"fail_below": 95},
    "cross_contamination_rate": {"fail_above": 0.02, "warn_above": 0.01},
    "ratio_ti_tv": {"fail_below": 1.8, "fail_above": 2.3},
    "pct_duplication": {"fail_above": 30, "warn_above": 15},
}
SEX = {
    "match": "PASS",
    "mismatch": "FAIL",
    "aneuploidy": "WARN",
    "ambiguous": "WARN",
    "undeclared": "PASS",
}
GOOD = {
    "mean_autosome_coverage": 32.0,
    "pct_autosomes_15x": 98.5,
    "cross_contamination_rate": 0.002,
    "ratio_ti_tv": 2.05,
    "pct_duplication": 6.0,
    "sex_check": "match",
    "declared_sex": "female",
    "karyotype": "XX",
}


def test_good_sample_passes_without_reasons():
    assert evaluate(GOOD, THRESHOLDS, SEX) == ("PASS", [])


@pytest.mark.parametrize(
    "change, status, fragment",
    [
        ({"mean_autosome_coverage": 8.1}, "FAIL", "mean_autosome_coverage 8.1 < 30"),
        ({"pct_autosomes_15x": 94.9}, "FAIL", "pct_autosomes_15x 94.9 < 95"),
        ({"cross_contamination_rate": 0.05}, "FAIL", "cross_contamination_rate 0.05 > 0.02"),
        ({"cross_contamination_rate": 0.015}, "WARN", "cross_contamination_rate 0.015 > 0.01"),
        ({"ratio_ti_tv": 2.5}, "FAIL", "ratio_ti_tv 2.5 > 2.3"),
        ({"pct_duplication": 20.0}, "WARN", "pct_duplication 20 > 15"),
        (
            {"sex_check": "mismatch", "karyotype": "XY"},
            "FAIL",
            "sex check mismatch (declared female vs inferred XY)",
        ),
        ({"sex_check": "aneuploidy", "karyotype": "XXY"}, "WARN", "sex check aneuploidy"),
        ({"cross_contamination_rate": None}, "WARN", "cross_contamination_rate not available"),
    ],
)
def test_each_rule_sets_status_and_reason(change, status, fragment):
    got, reasons = evaluate({**GOOD, **change}, THRESHOLDS, SEX)
    assert got == status
    assert any(fragment in r for r in reasons), reasons
    assert all(r.startswith(("FAIL:", "WARN:")) for r in reasons)


def test_every_reason_is_listed_fail_first():
    bad = {
        **GOOD,
        "mean_autosome_coverage": 8.0,
        "pct_duplication": 20.0,
        "sex_check": "mismatch",
        "karyotype": "XY",
    }
    status, reasons = evaluate(bad, THRESHOLDS, SEX)
    assert status == "FAIL" and len(reasons) == 3
    assert [r.split(":")[0] for r in reasons] == ["FAIL", "FAIL", "WARN"]


def test_fail_excluded_unless_overridden():
    qc = {
        "A": GOOD,
        "B": {**GOOD, "mean_autosome_coverage": 8.0},
        "C": {**GOOD, "cross_contamination_rate": 0.05},
    }
    rows = gate(
        qc,
        THRESHOLDS,
        SEX,
        {"C": "kept for the contamination study, QA-17"},
        ["mean_autosome_coverage"],
    )
    by = {r["sample"]: r for r in rows}
    assert by["A"]["joint_calling"] == "included" and by["A"]["status"] == "PASS"
    assert by["B"]["joint_calling"] == "excluded" and by["B"]["status"] == "FAIL"
    assert by["C"]["joint_calling"] == "included" and by["C"]["status"] == "FAIL"
    assert by["C"]["override"] == "kept for the contamination study, QA-17"
    assert by["B"]["mean_autosome_coverage"] == "8"


def smk_for(tmp_path, qc, overrides=None, failed=None):
    paths = []
    for sample, metrics in qc.items():
        path = tmp_path / f"{sample}.qc.json"
        path.write_text(json.dumps({"sample": sample, "metrics": metrics}))
        paths.append(str(path))
    return SimpleNamespace(
        input=SimpleNamespace(qc=paths),
        output=SimpleNamespace(
            table=str(tmp_path / "sample_qc.tsv"), sexes=str(tmp_path / "sexes.txt")
        ),
        params=SimpleNamespace(
            thresholds=THRESHOLDS,
            sex_policy=SEX,
            overrides=overrides or {},
            sexes={s: "female" for s in qc} | {"M1": "male"},
            sources={s: "fastq" for s in qc} | {"M1": "cram M1.cram"},
            failed=failed or {},
            order=[*qc, *(failed or {})],
        ),
        log=[str(tmp_path / "log")],
    )


def test_main_writes_table_and_sexes_of_included_samples(tmp_path):
    qc = {
        "F1": GOOD,
        "M1": {**GOOD, "declared_sex": "male"},
        "LOW": {**GOOD, "mean_autosome_coverage": 7.5},
    }
    main(smk_for(tmp_path, qc))
    rows = list(csv.DictReader(open(tmp_path / "sample_qc.tsv"), delimiter="\t"))
    assert list(rows[0])[:6] == [
        "sample",
        "status",
        "reasons",
        "override",
        "joint_calling",
        "source",
    ]
    assert {r["sample"]: r["status"] for r in rows} == {"F1": "PASS", "M1": "PASS", "LOW": "FAIL"}
    assert {r["sample"]: r["source"] for r in rows} == {
        "F1": "fastq",
        "M1": "cram M1.cram",
        "LOW": "fastq",
    }
    assert (tmp_path / "sexes.txt").read_text() == "F1\tF\nM1\tM\n"


def test_main_refuses_unknown_override(tmp_path):
    with pytest.raises(SystemExit, match="not in the cohort"):
        main(smk_for(tmp_path, {"A": GOOD}, {"Z": "justified somehow"}))


def test_main_writes_the_table_when_every_sample_fails(tmp_path):
    """No sample to joint-call: the table (and its SHA-256) and an empty sexes file are
    still written, so that the report and the run's summary can say why."""
    main(smk_for(tmp_path, {"A": {**GOOD, "mean_autosome_coverage": 1.0}}))
    rows = list(csv.DictReader(open(tmp_path / "sample_qc.tsv"), delimiter="\t"))
    assert [(r["sample"], r["status"], r["joint_calling"]) for r in rows] == [
        ("A", "FAIL", "excluded")
    ]
    assert (tmp_path / "sexes.txt").read_text() == ""
    assert (tmp_path / "sample_qc.tsv.sha256").read_text().split()[1].endswith("sample_qc.tsv")
    assert "A\tFAIL\texcluded\tFAIL: mean_autosome_coverage" in (tmp_path / "log").read_text()


def test_main_adds_samples_whose_processing_failed_in_sheet_order(tmp_path):
    failed = {"B": "rule bwa_mem (unit L1): ERROR: FASTQ check: x (log: logs/bwa_mem/B.L1.log)"}
    smk = smk_for(tmp_path, {"A": GOOD, "C": GOOD}, {"B": "kept anyway"}, failed)
    smk.params.order = ["A", "B", "C"]
    main(smk)
    rows = list(csv.DictReader(open(tmp_path / "sample_qc.tsv"), delimiter="\t"))
    assert [r["sample"] for r in rows] == ["A", "B", "C"]
    assert rows[1]["status"] == "FAIL" and rows[1]["joint_calling"] == "excluded"
    assert rows[1]["reasons"] == f"FAIL: processing failed: {failed['B']}"
    assert (tmp_path / "sexes.txt").read_text() == "A\tF\nC\tF\n"
