"""Cohort structure and recruitment on the demo (docs/structure.md): the three populations
separate on PC1/PC2, the planted mislabelled sample S11 (declared FI, simulated from EE)
is flagged WARN and nobody else, the gate's table is unchanged, and the report shows the
PCA plot and the recruitment table."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest
from conftest import DEMO_RESULTS

from refcohort.io import read_tsv

RESULTS = DEMO_RESULTS
ELIGIBLE = ["S01", "S02", "S03", "S04", "S08", "S09", "S10", "S11", "S12"]
ANCESTRY = {"S11": "EE"}  # the planted mislabel; everyone else is what they declare


@pytest.fixture(scope="module")
def structure(demo_run):
    return (
        {r["sample"]: r for r in read_tsv(RESULTS / "qc" / "structure.tsv")},
        json.loads((RESULTS / "qc" / "structure.json").read_text()),
    )


def test_every_eligible_sample_has_its_pcs_and_relatives_are_projected(structure):
    rows, summary = structure
    assert list(rows) == ELIGIBLE  # FAIL samples S05-S07 are not in it
    # one of mother and son S03/S04 (the release's tie-break), and S02's duplicate S08
    projected = {s for s, r in rows.items() if r["in_fit"] != "yes"}
    assert len(projected) == 2 and "S08" in projected and projected & {"S03", "S04"}
    assert summary["tool"]["method"] == "exact" and int(summary["tool"]["pca_sites"]) > 3000
    assert summary["tool"]["ld_pruned"].startswith("no (fewer than 50")
    # S08 is S02's duplicate: projected onto the same place
    assert float(rows["S08"]["PC1"]) == pytest.approx(float(rows["S02"]["PC1"]), abs=0.01)


def test_the_populations_separate_on_pc1_and_pc2(structure):
    rows, _ = structure
    genetic = {s: ANCESTRY.get(s, r["population"]) for s, r in rows.items()}
    xy = {s: np.array([float(r["PC1"]), float(r["PC2"])]) for s, r in rows.items()}
    centres = {
        p: np.mean([xy[s] for s in rows if genetic[s] == p], axis=0) for p in ("FI", "EE", "NL")
    }
    spread = max(np.linalg.norm(xy[s] - centres[genetic[s]]) for s in rows)
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a, b in (("FI", "EE"), ("FI", "NL"))]
    gaps.append(np.linalg.norm(centres["EE"] - centres["NL"]))
    assert min(gaps) > 2 * spread, (gaps, spread)


def test_the_planted_mislabel_is_flagged_and_nobody_else(structure):
    rows, summary = structure
    flagged = {s: r for s, r in rows.items() if r["structure_status"] == "WARN"}
    assert list(flagged) == ["S11"] and summary["flagged"] == ["S11"]
    s11 = flagged["S11"]
    assert s11["population"] == "FI" and s11["nearest_population"] == "EE"
    assert "possible sample swap or mislabelled metadata" in s11["reason"]
    assert (
        float(s11["distance"])
        > 6
        > max(float(r["distance"]) for s, r in rows.items() if s != "S11")
    )
    # never dropped: the gate's table and the release keep it as the gate decided
    gate = {r["sample"]: r for r in read_tsv(RESULTS / "qc" / "sample_qc.tsv")}
    assert gate["S11"]["status"] == "PASS" and "ancestry" not in gate["S11"]["reasons"]


def test_recruitment_counts_after_qc_against_the_demo_targets(demo_run):
    rows = {
        (r["kind"], r["group"], r["sex"]): r for r in read_tsv(RESULTS / "qc" / "recruitment.tsv")
    }
    # counted: the 9 eligible samples less S08 (S02 again)
    assert rows[("population", "(all)", "all")]["achieved"] == "8"
    fi_m = rows[("population", "FI", "male")]
    assert (fi_m["achieved"], fi_m["target"], fi_m["status"], fi_m["gap"]) == ("1", "2", "gap", "1")
    assert rows[("population", "FI", "female")]["status"] == "met"  # S01 and S11, as declared
    assert rows[("minority", "RUS", "all")]["achieved"] == "3"
    # release.min_group_size is 2 in the demo: single individuals are never shown
    for r in rows.values():
        assert r["shown"] == r["achieved"] or r["achieved"] == "1" or r["shown"] == "withheld"


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium not installed (make test installs it)")
def test_report_shows_the_pca_plot_and_the_recruitment_table(demo_run, tmp_path):
    report = RESULTS / "report" / "multiqc.html"
    dom = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    assert 'id="structure_pca_scatter"' in dom and "Cohort structure (PCA)" in dom
    assert "S11 (declared FI, nearest cluster EE" in dom
    table = dom[dom.index('id="recruitment_table"') :]
    table = table[: table.index("</table>")]
    assert "FI (male)" in table and "RUS (all) *" in table
    assert re.search(r"background-color:#d9534f[^>]*>gap<", table)  # a gap, highlighted
    verdicts = dom[dom.index('id="sample_qc_verdicts_table"') :]
    row = re.search(r"<tr[^>]*>\s*<th[^>]*>.*?S11.*?</tr>", verdicts, flags=re.S).group(0)
    assert "WARN" in row and "possible sample swap" in row
