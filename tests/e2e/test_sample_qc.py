"""Sample QC on the demo: the planted cases come out as planted, the others pass, the
gate keeps FAIL samples out of joint genotyping, and QA staff see it in the report."""

import csv
import json
import re
import shutil
import subprocess

import pysam
import pytest
from conftest import DEMO_RESULTS

RESULTS = DEMO_RESULTS
SAMPLES = [f"S{i:02d}" for i in range(1, 13)]
GA4GH = [
    "bases_q30",
    "mean_autosome_coverage",
    "pct_autosomes_15x",
    "genome_coverage_uniformity",
    "mean_insert_size",
    "insert_size_std",
    "pct_reads_mapped",
    "pct_reads_properly_paired",
    "cross_contamination_rate",
    "count_snvs",
    "count_insertions",
    "count_deletions",
    "ratio_het_hom_snv",
    "ratio_het_hom_indel",
    "ratio_ins_del",
    "ratio_ti_tv",
]
EXPECTED_FAIL = {
    "S05": "mean_autosome_coverage",
    "S06": "cross_contamination_rate",
    "S07": "sex check mismatch",
}


@pytest.fixture(scope="module")
def table(demo_run):
    with open(RESULTS / "qc" / "sample_qc.tsv") as fh:
        return {row["sample"]: row for row in csv.DictReader(fh, delimiter="\t")}


def qc_json(sample):
    return json.loads((RESULTS / "qc" / f"{sample}.qc.json").read_text())


def test_qc_json_has_every_ga4gh_metric(demo_run):
    for sample in SAMPLES:
        metrics = qc_json(sample)["metrics"]
        missing = [m for m in GA4GH if m not in metrics]
        assert not missing, missing
        assert metrics["mean_autosome_coverage"] > 5 and metrics["count_snvs"] > 1000


def test_planted_failures_and_everyone_else_passes(table):
    assert set(table) == set(SAMPLES)
    for sample, row in table.items():
        if sample in EXPECTED_FAIL:
            assert row["status"] == "FAIL", row
            assert EXPECTED_FAIL[sample] in row["reasons"], row
            assert row["joint_calling"] == "excluded"
        else:
            assert row["status"] == "PASS", row
            assert row["joint_calling"] == "included"


def test_source_column_says_where_the_reads_came_from(table):
    sources = {sample: row["source"] for sample, row in table.items()}
    assert sources.pop("S03") == "cram S03.cram" and sources.pop("S04") == "ubam S04.unaligned.bam"
    assert set(sources.values()) == {"fastq"}


def test_contamination_estimates(demo_run):
    rates = {s: qc_json(s)["metrics"]["cross_contamination_rate"] for s in SAMPLES}
    print("contamination:", rates)
    assert 0.035 <= rates["S06"] <= 0.065  # planted 5%, within +-30%
    assert all(rate < 0.01 for sample, rate in rates.items() if sample != "S06")


def test_sex_check(demo_run):
    for sample in SAMPLES:
        m = qc_json(sample)["metrics"]
        expected = "XY" if sample in {"S02", "S04", "S07", "S08", "S09", "S12"} else "XX"
        assert m["karyotype"] == expected, (sample, m)
        assert m["sex_check"] == ("mismatch" if sample == "S07" else "match")


def test_failed_samples_are_not_joint_genotyped(demo_run):
    with pysam.VariantFile(str(RESULTS / "joint" / "cohort.vcf.gz")) as vcf:
        assert list(vcf.header.samples) == [
            "S01", "S02", "S03", "S04", "S08", "S09", "S10", "S11", "S12"
        ]  # fmt: skip
    # ... but they keep their CRAM and gVCF deliverables
    for sample in EXPECTED_FAIL:
        assert (RESULTS / "gvcf" / f"{sample}.g.vcf.gz").exists()


def test_relatedness_finds_the_duplicate_and_the_parent_child_pair(demo_run):
    with open(RESULTS / "qc" / "relatedness.tsv") as fh:
        pairs = {(r["sample_1"], r["sample_2"]): r for r in csv.DictReader(fh, delimiter="\t")}
    assert set(pairs) == {("S02", "S08"), ("S03", "S04")}
    assert pairs[("S02", "S08")]["degree"] == "duplicate/MZ"
    assert pairs[("S03", "S04")]["degree"] == "first"
    assert float(pairs[("S03", "S04")]["ibs0"]) < 0.005


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="chromium not installed (make test installs it)")
def test_report_renders_verdicts_in_a_browser(demo_run, tmp_path):
    report = RESULTS / "report" / "multiqc.html"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=15000",
    ]
    dom = subprocess.run(
        [chromium(), *flags, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    ).stdout
    subprocess.run(
        [
            chromium(),
            *flags,
            "--window-size=1400,5600",
            f"--screenshot={tmp_path / 'report.png'}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=180,
    )
    assert "Sample QC verdicts" in dom
    assert "Samples left out of joint genotyping" in dom and "3 of 12 samples were left out" in dom
    assert "Sex check" in dom and "Relatedness" in dom
    # the verdict table rendered with each sample's status
    table = dom[dom.index('id="sample_qc_verdicts_table"') :]
    for sample, status in (("S01", "PASS"), ("S05", "FAIL"), ("S07", "FAIL")):
        row = re.search(rf"<tr[^>]*>\s*<th[^>]*>.*?{sample}.*?</tr>", table, flags=re.S)
        assert row and status in row.group(0), sample
    # General Statistics: the gate's own values, one visible row per sample (fastp's
    # per-lane rows have no column shown, and no 'cohort' row)
    general = dom[dom.index('id="general_stats_table"') :]
    general = general[: general.index("</table>")]
    assert "Mean cov. autosomes (x)" in general and "Contamination (%)" in general
    body = general[general.index("<tbody") :]
    one_row = (
        r'(<tr [^>]*class="([^"]*)"(?:(?!</tr>).)*?class="th-sample-name"[^>]*>([^<]+)<.*?</tr>)'
    )
    rows = {name: (cls, row) for row, cls, name in re.findall(one_row, body, flags=re.S)}
    shown = sorted(name for name, (cls, _) in rows.items() if "row-empty" not in cls)
    assert shown == SAMPLES, shown
    # the FAIL value is coloured: S06's contamination (about 5%) breaks the 2% rule
    with open(RESULTS / "qc" / "sample_qc.tsv") as fh:
        s06 = next(r for r in csv.DictReader(fh, delimiter="\t") if r["sample"] == "S06")
    shown_value = f"{100 * float(s06['cross_contamination_rate']):,.3f}"
    assert float(shown_value) > 2
    assert re.search(rf'background-color:#d9534f">{re.escape(shown_value)}<', rows["S06"][1])
    assert "#d9534f" not in rows["S01"][1]
    # plots with the thresholds drawn, and the software versions with the pipeline's
    for plot in (
        "contamination_bargraph",
        "autosomal_coverage_plot",
        "sex_check_scatter",
        "kinship_scatter",
        "outliers_scatter",
    ):
        assert f'id="{plot}"' in dom, plot
    for tool in (
        "bwa",
        "samtools",
        "bcftools",
        "fastp",
        "mosdepth",
        "plink2",
        "refcohort (this pipeline)",
    ):
        assert tool in dom[dom.index("Software Versions") :], tool
