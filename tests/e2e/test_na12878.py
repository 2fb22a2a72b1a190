"""Real data: NA12878 (GIAB HG001) HiSeq reads on a 1.1 Mb chr20 slice, scored against
the GIAB truth inside its confident regions and over the 100 kb window the reads cover.

Runs the pipeline as a one-sample cohort in a temporary directory (`--directory`).
Skips when ../shared/data is absent (a user's own clone), but must run when CI=true.
"""

import csv
import os

import pytest
from conftest import BIN, ROOT, SHARED_DATA, run

DATA = SHARED_DATA / "na12878_chr20"
FASTA = DATA / "chr20_9995001_11095000.fa"
R1 = DATA / "NA12878_S1.chr20.10_10p1mb_R1.fastq.gz"
R2 = DATA / "NA12878_S1.chr20.10_10p1mb_R2.fastq.gz"
TRUTH = DATA / "test_nist.b37_chr20_100kbp_at_10mb.chr20_9995001_11095000.vcf.gz"
CONFIDENT = DATA / "test_nist.b37_chr20_100kbp_at_10mb.chr20_9995001_11095000.bed"
WINDOW = DATA / "reads_region.chr20_10.0-10.1Mb.chr20_9995001_11095000.bed"

# Floors just under what this pipeline measured (docs/benchmarks.md): in the confident BED SNV
# precision and recall 1.0 (45/45; one error would give 0.978; the issue asks >= 0.95),
# over the read window SNV recall 0.995 (185/186) and indel recall 0.944 (34/36).
SNV_FLOOR = 0.97
WINDOW_SNV_RECALL_FLOOR = 0.98
WINDOW_INDEL_RECALL_FLOOR = 0.88

if not DATA.is_dir():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but the shared NA12878 data is missing at {DATA}")
    pytest.skip(f"shared NA12878 data not found at {DATA}", allow_module_level=True)


def read_scores(path):
    with open(path) as fh:
        return {row["type"]: row for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def na12878(tmp_path_factory):
    work = tmp_path_factory.mktemp("na12878")
    (work / "samples.tsv").write_text("sample\tsex\tpopulation\nNA12878\tfemale\tUS\n")
    (work / "units.tsv").write_text(
        "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n"
        f"NA12878\tL001\tILLUMINA\tNA12878-lib\t{R1}\t{R2}\n"
    )
    (work / "truth.tsv").write_text(
        f"sample\tvcf\tbed\ttruth_sample\nNA12878\t{TRUTH}\t{CONFIDENT}\tINTEGRATION\n"
    )
    (work / "config.yaml").write_text(
        "samples: samples.tsv\nunits: units.tsv\n"
        f"reference:\n  fasta: {FASTA}\n  ploidy: GRCh38\n"
        "markdup:\n  optical_distance: 100\n"  # HiSeq 2500
        "evaluation:\n  truth: truth.tsv\n"
        # a 1.1 Mb slice of chr20 with reads over 100 kb of it: the coverage gate would
        # fail it, so the override path is exercised; no X/Y, no population AF resource
        "qc:\n  autosomes: 'chr20_.*'\n  par: ''\n"
        "  overrides:\n"
        "    - {sample: NA12878, justification: 'reads cover only 100 kb of the slice'}\n"
    )
    run(
        [
            str(BIN / "snakemake"),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(work),
            "--configfile",
            str(work / "config.yaml"),
            "--cores",
            "2",
        ],
        timeout=1800,
    )
    window = work / "window.tsv"
    run(
        [
            str(BIN / "python"),
            str(ROOT / "scripts" / "compare_calls.py"),
            "--truth",
            str(TRUTH),
            "--truth-sample",
            "INTEGRATION",
            "--query",
            str(work / "results" / "joint" / "cohort.vcf.gz"),
            "--reference",
            str(work / "results" / "reference" / "genome.fa"),
            "--bed",
            str(WINDOW),
            "--output",
            str(window),
        ]
    )
    return {
        "confident": read_scores(work / "results" / "eval" / "NA12878.accuracy.tsv"),
        "window": read_scores(window),
        "qc": {
            r["sample"]: r
            for r in csv.DictReader(open(work / "results" / "qc" / "sample_qc.tsv"), delimiter="\t")
        },
    }


def test_override_keeps_a_failing_sample_in(na12878):
    row = na12878["qc"]["NA12878"]
    assert row["status"] == "FAIL" and "mean_autosome_coverage" in row["reasons"]
    assert row["joint_calling"] == "included"
    assert row["override"] == "reads cover only 100 kb of the slice"


def test_snv_precision_and_recall_in_confident_regions(na12878):
    snv = na12878["confident"]["SNV"]
    print(
        "NA12878 confident:",
        {
            k: {m: v[m] for m in ("tp", "fp", "fn", "precision", "recall", "f1")}
            for k, v in na12878["confident"].items()
        },
    )
    assert int(snv["truth_total"]) == 45  # the README of the shared data: 45 SNPs in the BED
    assert float(snv["recall"]) >= SNV_FLOOR
    assert float(snv["precision"]) >= SNV_FLOOR


def test_indels_in_confident_regions(na12878):
    indel = na12878["confident"]["INDEL"]
    assert int(indel["truth_total"]) == 4
    assert int(indel["tp"]) >= 3  # 4 truth indels: at most one missed (+-1 is noise here)


def test_recall_over_the_read_window(na12878):
    window = na12878["window"]
    print(
        "NA12878 window:",
        {k: {m: v[m] for m in ("tp", "fp", "fn", "recall")} for k, v in window.items()},
    )
    assert int(window["SNV"]["truth_total"]) == 186
    assert float(window["SNV"]["recall"]) >= WINDOW_SNV_RECALL_FLOOR
    assert float(window["INDEL"]["recall"]) >= WINDOW_INDEL_RECALL_FLOOR
