"""MultiQC custom content written for QA staff (refcohort.qc.multiqc)."""

from refcohort.qc import report_plots
from refcohort.qc.multiqc import (
    excluded_section,
    general_stats,
    relatedness_section,
    rule_text,
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
    header = section["headers"]["mean_autosome_coverage"]
    assert header["title"] == "Mean cov. autosomes (x)" and header["format"] == "{:,.1f}"
    assert "FAIL below 30" in header["description"] and "GA4GH" in header["description"]
    # the cell is red where the gate FAILs the value
    assert header["cond_formatting_rules"] == {"fail": [{"lt": 30}]}
    assert "mean_autosome_coverage: FAIL below 30" in section["description"]
    # key columns first: verdict, reasons, then coverage before anything else
    assert list(section["headers"])[:5] == [
        "status", "joint_calling", "reasons", "override", "mean_autosome_coverage"
    ]  # fmt: skip


def test_units_for_reading_contamination_in_percent_and_q30_in_gigabases():
    rows = [dict(ROWS[0], cross_contamination_rate="0.0215", bases_q30="68256424")]
    rule = {"cross_contamination_rate": {"fail_above": 0.02, "warn_above": 0.01}}
    section = verdicts_section(rows, rule)
    assert section["data"]["A"]["cross_contamination_rate"] == 2.15
    assert round(section["data"]["A"]["bases_q30"], 4) == 0.0683
    colours = section["headers"]["cross_contamination_rate"]["cond_formatting_rules"]
    assert colours == {"fail": [{"gt": 2.0}], "warn": [{"gt": 1.0}]}
    general = general_stats(rows, rule)
    assert general["data"]["A"]["cross_contamination_rate"] == 2.15
    assert [next(iter(c)) for c in general["pconfig"]][:3] == [
        "qc_status", "joint_calling", "mean_autosome_coverage"
    ]  # fmt: skip


def test_excluded_section_lists_only_excluded_and_names_overrides():
    section = excluded_section(ROWS)
    assert list(section["data"]) == ["B"]
    assert "1 of 3 samples were left out" in section["description"]
    assert "C (kept for study X)" in section["description"]
    assert "No sample was left out" in excluded_section(ROWS[:1])["description"]


def test_sex_plot_points_coloured_by_outcome_labelled_with_the_decision_regions():
    limits = {"xx_min_x": 0.75, "xy_x_range": [0.35, 0.65], "y_present_min": 0.25,
              "y_absent_max": 0.1}  # fmt: skip
    section = report_plots.sex_section(
        {
            "A": {"x_autosome_ratio": 1.0, "y_autosome_ratio": 0.0, "sex_check": "match",
                  "declared_sex": "female", "karyotype": "XX", "thresholds": limits},
            "C": {"x_autosome_ratio": 0.5, "y_autosome_ratio": 0.5, "sex_check": "mismatch",
                  "declared_sex": "female", "karyotype": "XY", "thresholds": limits},
            "D": {"x_autosome_ratio": None},
        }
    )  # fmt: skip
    data = section["data"]
    assert data["A"]["color"] == "#5cb85c" and data["A"]["group"] == "match"
    assert data["C"]["color"] == "#d9534f" and "D" not in data
    assert data["C"]["group"] == "mismatch: C (declared female, XY)"
    pconfig = section["pconfig"]
    assert [line["value"] for line in pconfig["x_lines"]] == [0.75]
    assert sorted(line["value"] for line in pconfig["y_lines"]) == [0.1, 0.25]
    assert pconfig["x_bands"] == [{"from_": 0.35, "to": 0.65, "color": "#d9edf7", "opacity": 0.6}]


def test_contamination_plot_draws_the_gates_limits():
    rows = [
        dict(ROWS[0], cross_contamination_rate="0.005"),
        dict(ROWS[1], cross_contamination_rate="NA"),
    ]
    section = report_plots.contamination_section(rows, {"fail_above": 0.02, "warn_above": 0.01})
    assert section["data"] == {"A": {"contamination": 0.5}}
    assert [(x["value"], x["label"]) for x in section["pconfig"]["x_lines"]] == [
        (2.0, "FAIL above 2%"), (1.0, "WARN above 1%")
    ]  # fmt: skip
    assert "No estimate for B" in section["description"]


def test_coverage_curve_is_the_gates_autosomal_share(tmp_path):
    import gzip

    path = tmp_path / "S.thresholds.bed.gz"
    header = "#chrom\tstart\tend\tregion\t" + "\t".join(f"{d}X" for d in range(1, 251))
    # 100 autosomal bases: 80 at >= 1..15x, 40 of them at >= 16..30x; chrX 50 at 0x
    auto = [80 if d <= 15 else 40 if d <= 30 else 0 for d in range(1, 251)]
    with gzip.open(path, "wt") as fh:
        fh.write(header + "\n")
        fh.write("chr1\t0\t100\tautosome\t" + "\t".join(map(str, auto)) + "\n")
        fh.write("chrX\t0\t50\tchrX\t" + "\t".join("0" for _ in range(250)) + "\n")
    curves = report_plots.coverage_curves({"S": str(path)})
    assert curves["S"][15] == 80.0 and curves["S"][16] == 40.0 and curves["S"][31] == 0.0
    section = report_plots.coverage_section(curves, {"pct_autosomes_15x": {"fail_below": 95}})
    assert [x["value"] for x in section["pconfig"]["x_lines"]] == [15]
    assert [y["value"] for y in section["pconfig"]["y_lines"]] == [95]


def test_kinship_plot_marks_related_pairs_and_the_degree_bands():
    pairs = [
        {"sample_1": "A", "sample_2": "B", "kinship": 0.25, "ibs0": 0.0},
        {"sample_1": "A", "sample_2": "C", "kinship": 0.001, "ibs0": 0.05},
    ]
    section = report_plots.kinship_section(pairs)
    assert section["data"]["A & B"]["group"] == "first degree: A & B"
    assert section["data"]["A & C"]["group"] == "unrelated"
    assert [y["value"] for y in section["pconfig"]["y_lines"]] == [0.354, 0.177, 0.0884, 0.0442]


def test_outlier_plot_limits_are_those_of_the_mad_rule():
    cohort = [
        {"sample": f"S{i}", "het_rate": str(0.40 + 0.001 * i), "call_rate": "0.99",
         "het_outlier": "false", "call_rate_outlier": "false"}
        for i in range(12)
    ] + [{"sample": "X", "het_rate": "0.7", "call_rate": "0.9", "het_outlier": "true",
          "call_rate_outlier": "false"}]  # fmt: skip
    section = report_plots.outliers_section(cohort, 5.0, 10)
    assert section["data"]["X"]["color"] == "#d9534f"
    assert section["data"]["X"]["group"] == "outlier: X"
    low, high = (y["value"] for y in section["pconfig"]["y_lines"])
    assert low < 0.40 < 0.412 < high < 0.7
    assert "not judged" in report_plots.outliers_section(cohort[:5], 5.0, 10)["description"]


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


def test_release_section_names_the_freeze_without_html_brackets():
    from refcohort.release.multiqc import mqc_section

    summary = {
        "sites_written": 10,
        "records_read": 10,
        "monomorphic_in_released": 0,
        "samples_released": 4,
        "samples_in_vcf": 5,
        "policy": {"min_group_size": 2, "min_allele_count": 2},
        "groups": [],
        "cohort_freeze": "<Number=1,Engine=bcftools,Samples=5>",
    }
    text = mqc_section(summary)["description"]
    assert "cohort freeze Number=1, Engine=bcftools, Samples=5." in text and "<" not in text
