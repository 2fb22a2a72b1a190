"""refcohort.qc.structure_report: the verdicts with the cohort-structure WARN, the PCA
plot and the recruitment table as MultiQC custom content."""

from refcohort.qc import multiqc
from refcohort.qc import structure_report as sr
from refcohort.qc.structure import NOT_ELIGIBLE

GATE = [
    {"sample": "A", "status": "PASS", "reasons": "", "joint_calling": "included"},
    {"sample": "B", "status": "WARN", "reasons": "WARN: x", "joint_calling": "included"},
    {"sample": "C", "status": "FAIL", "reasons": "FAIL: y", "joint_calling": "excluded"},
    {"sample": "D", "status": "PASS", "reasons": "", "joint_calling": "included"},
]
STRUCTURE = [
    {
        "sample": "A",
        "population": "FI",
        "PC1": "0.1",
        "PC2": "0.2",
        "structure_status": "WARN",
        "reason": "WARN: genetic position far from declared population FI's cluster",
        "nearest_population": "EE",
        "distance": "9.5",
    },
    {
        "sample": "B",
        "population": "FI",
        "PC1": "-0.1",
        "PC2": "0.0",
        "structure_status": "PASS",
        "reason": "",
        "nearest_population": "FI",
        "distance": "1.0",
    },
    {
        "sample": "D",
        "population": "EE",
        "PC1": "0.1",
        "PC2": "0.21",
        "structure_status": "not judged",
        "reason": "population EE has fewer than 10 unrelated samples in the PCA",
        "nearest_population": "",
        "distance": "NA",
    },
]


def test_the_report_adds_the_structure_warn_and_keeps_the_gate_table():
    rows = {r["sample"]: r for r in sr.combined_rows(GATE, STRUCTURE)}
    assert rows["A"]["status"] == "WARN" and "far from declared" in rows["A"]["reasons"]
    assert rows["B"]["reasons"] == "WARN: x" and rows["B"]["structure"] == "PASS"
    assert rows["C"]["structure"] == NOT_ELIGIBLE and rows["C"]["status"] == "FAIL"
    assert rows["D"]["structure"] == "not judged" and rows["D"]["status"] == "PASS"
    assert GATE[0]["status"] == "PASS"  # the gate's rows are not changed
    section = multiqc.verdicts_section(list(rows.values()), {})
    assert section["headers"]["structure"]["title"] == "Ancestry"
    assert section["data"]["A"]["structure"] == "WARN"


def test_pca_plot_colours_by_population_and_names_the_flagged():
    summary = {"tool": {"pca_sites": "6000", "method": "exact"}, "max_distance": 6}
    section = sr.pca_section(STRUCTURE, summary)
    assert section["plot_type"] == "scatter" and section["pconfig"]["showlegend"] is True
    data = section["data"]
    assert data["B"]["group"] == "FI" and data["D"]["group"] == "EE"
    assert data["A"]["group"] == "FI, far from its cluster (WARN)"
    assert data["A"]["color"] == data["B"]["color"] != data["D"]["color"]
    assert "A (declared FI, nearest cluster EE, distance 9.5)" in section["description"]
    empty = sr.pca_section([], {"tool": {"note": "fewer than 3 unrelated samples"}})
    assert empty["plot_type"] == "html" and "fewer than 3 unrelated" in empty["data"]


def test_recruitment_table_never_shows_a_withheld_count_or_its_gap():
    rows = [
        {
            "kind": "population",
            "group": "FI",
            "sex": "male",
            "target": "10",
            "achieved": "3",
            "shown": "< 20",
            "gap": "7",
            "status": "gap",
        },
        {
            "kind": "minority",
            "group": "SAMI",
            "sex": "all",
            "target": "5",
            "achieved": "25",
            "shown": "25",
            "gap": "0",
            "status": "met",
        },
    ]
    section = sr.recruitment_section(rows, 20)
    fi = section["data"]["FI (male)"]
    assert fi["achieved"] == "< 20" and fi["gap"] == "withheld" and fi["target"] == 10
    assert "3" not in str(fi) and "7" not in str(fi)
    assert section["data"]["SAMI (all) *"]["achieved"] == "25"
    assert "1 target(s) not met" in section["description"]
