"""The accuracy harness's helpers (benchmarks/bench_accuracy.py, scoring.py): freebayes'
copy-number map from a bcftools ploidy file, BED intersection, pooled scores.
(benchmarks/ is on pytest's pythonpath.)"""

import math

import bench_accuracy as accuracy
import scoring

from refcohort.io import read_bed

PLOIDY = """# CHROM FROM TO SEX PLOIDY (1-based)
chrX 1 5000 M 1
chrX 60001 370000 M 1
chrY 1 2147483647 M 1
chrY 1 2147483647 F 0
chrM 1 2147483647 M 1
chrM 1 2147483647 F 1
* * * M 2
* * * F 2
"""


def test_cnv_map_from_ploidy_file(tmp_path):
    path = tmp_path / "ploidy.txt"
    path.write_text(PLOIDY)
    text = accuracy.cnv_map(
        path, {"S01": "F", "S02": "M"}, {"chrX": 400000, "chrY": 150000, "chrM": 16569}
    )
    assert text.splitlines() == [
        "chrX\t0\t5000\tS02\t1",
        "chrX\t60000\t370000\tS02\t1",
        "chrY\t0\t150000\tS02\t1",
        "chrY\t0\t150000\tS01\t0",
        "chrM\t0\t16569\tS02\t1",
        "chrM\t0\t16569\tS01\t1",
    ]
    assert accuracy.cnv_map(path, {"S01": "F"}, {"chr1": 10}) == ""


def test_intersect_beds(tmp_path):
    a = [("chr1", 0, 100), ("chr1", 200, 300), ("chr2", 0, 50)]
    b = [("chr1", 50, 250), ("chr2", 60, 70)]
    assert accuracy.intersect(a, b) == [("chr1", 50, 100), ("chr1", 200, 250)]
    bed = tmp_path / "x.bed"
    bed.write_text("track name=x\nchr1\t5\t10\tname\n")
    assert read_bed(str(bed)) == [("chr1", 5, 10)]


def test_pooled_scores():
    one = [
        {"type": "SNV", "truth_total": 10, "tp": 9, "fp": 1, "fn": 1, "gt_tp": 9},
        {"type": "INDEL", "truth_total": 0, "tp": 0, "fp": 0, "fn": 0, "gt_tp": 0},
    ]
    two = [{"type": "SNV", "truth_total": 10, "tp": 10, "fp": 0, "fn": 0, "gt_tp": 8}]
    out = scoring.pooled([one, two])
    assert out["SNV"]["tp"] == 19 and out["SNV"]["truth"] == 20
    assert math.isclose(out["SNV"]["precision"], 19 / 20) and math.isclose(
        out["SNV"]["recall"], 19 / 20
    )
    assert math.isclose(out["SNV"]["f1"], 19 / 20) and math.isclose(
        out["SNV"]["genotype_concordance"], 17 / 19
    )
    assert math.isnan(out["INDEL"]["precision"]) and math.isnan(out["INDEL"]["f1"])
