"""MultiQC custom content written for QA staff (refcohort.qc.multiqc)."""

from refcohort.qc.multiqc import (
    excluded_section,
    relatedness_section,
    rule_text,
    sex_section,
    verdicts_section,
)

ROWS = [
    {
        "sample": "A",
        "status": "PASS",
        "reasons": "",
        "override": "",
        "joint_calling": "included",
        "karyotype": "XX",
        "sex_check": "match",
        "mean_autosome_coverage": "31.2",
    },
    {
        "sample": "B",
        "status": "FAIL",
        "reasons": "FAIL: mean_autosome_coverage 8 < 30",
        "override": "",
        "joint_calling": "excluded",
        "karyotype": "XY",
        "sex_check": "match",
        "mean_autosome_coverage": "8",
    },
    {
        "sample": "C",
        "status": "FAIL",
        "reasons": "FAIL: sex check mismatch",
        "override": "kept for study X",
        "joint_calling": "included",
        "karyotype": "XY",
        "sex_check": "mismatch",
        "mean_autosome_coverage": "NA",
    },
]


def test_verdicts_table_carries_status_colours_metrics_and_thresholds():
    section = verdicts_section(ROWS, {"mean_autosome_coverage": {"fail_below": 30}})
    assert section["section_name"] == "Sample QC verdicts" and section["plot_type"] == "table"
    assert section["headers"]["status"]["cond_formatting_rules"]["fail"] == [{"s_eq": "FAIL"}]
    assert section["data"]["A"]["mean_autosome_coverage"] == 31.2
    assert section["data"]["C"]["mean_autosome_coverage"] is None  # NA stays empty
    assert "FAIL below 30" in section["headers"]["mean_autosome_coverage"]["description"]
    assert "mean_autosome_coverage: FAIL below 30" in section["description"]


def test_excluded_section_lists_only_excluded_and_names_overrides():
    section = excluded_section(ROWS)
    assert list(section["data"]) == ["B"]
    assert "1 of 3 samples were left out" in section["description"]
    assert "C (kept for study X)" in section["description"]
    assert "No sample was left out" in excluded_section(ROWS[:1])["description"]


def test_sex_plot_points_coloured_by_outcome():
    data = sex_section(
        {
            "A": {"x_autosome_ratio": 1.0, "y_autosome_ratio": 0.0, "sex_check": "match"},
            "C": {"x_autosome_ratio": 0.5, "y_autosome_ratio": 0.5, "sex_check": "mismatch"},
            "D": {"x_autosome_ratio": None},
        }
    )["data"]
    assert data["A"] == {"x": 1.0, "y": 0.0, "color": "#5cb85c"}
    assert data["C"]["color"] == "#d9534f" and "D" not in data


def test_relatedness_section_pairs_and_outlier_text():
    pairs = [
        {
            "sample_1": "A",
            "sample_2": "B",
            "kinship": "0.25",
            "ibs0": "0.0",
            "n_sites": "1000",
            "degree": "first",
        }
    ]
    cohort = [{"sample": s, "het_outlier": "false", "call_rate_outlier": "false"} for s in "AB"]
    section = relatedness_section(pairs, cohort, min_outlier_samples=10)
    assert section["data"] == {
        "A & B": {"degree": "first", "kinship": 0.25, "ibs0": 0.0, "n_sites": 1000}
    }
    assert "not judged below 10" in section["description"]
    flagged = cohort + [{"sample": "Z", "het_outlier": "true", "call_rate_outlier": "false"}]
    assert (
        "outliers (MAD): Z"
        in relatedness_section([], flagged, min_outlier_samples=3)["description"]
    )
    assert rule_text({"fail_below": 1.8, "fail_above": 2.3}) == "FAIL below 1.8, FAIL above 2.3"
