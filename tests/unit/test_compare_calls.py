"""Tests for scripts/compare_calls.py (allele/genotype-level call scoring)."""
from __future__ import annotations

import csv
import importlib.util
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("compare_calls", ROOT / "scripts" / "compare_calls.py")
cc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cc)

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("bcftools", "samtools", "bgzip")),
    reason="bcftools/samtools/bgzip required")

CHROM = "chrT"
SNV_POS = {100: "het", 200: "hom", 300: "het", 400: "hom", 500: "het", 600: "het"}
FALSE_SNV_POS = (1000, 1050, 1100)


def _build_seq() -> str:
    """2 kb random contig with planted contexts so every truth indel is already left-aligned."""
    rng = np.random.default_rng(20240601)
    seq = list(rng.choice(list("ACGT"), size=2000))
    seq[697:702] = "CTAGC"             # pos 700 = A; insert GT (last inserted T != A)
    seq[798:803] = "TACGT"             # pos 800 = A; delete CG (G != A)
    seq[897:902] = "GCATG"             # pos 900 = A; multi-allelic A>C,ATC
    seq[1199:1209] = "C" + "A" * 8 + "G"  # homopolymer: pos 1200 = C, 1201-1208 = A
    seq[1599:1602] = "AGG"             # pos 1600: AGG>A,AAG multi-allelic (trim test)
    return "".join(seq)


SEQ = _build_seq()


def ref(pos: int, length: int = 1) -> str:
    return SEQ[pos - 1:pos - 1 + length]


def other_base(pos: int, skip: str = "") -> str:
    return next(b for b in "ACGT" if b != ref(pos) and b not in skip)


def rec(pos: int, r: str, a: str, gt: str, filt: str = "PASS") -> tuple:
    return (pos, r, a, gt, filt)


def truth_records() -> list[tuple]:
    """7 SNV alleles + 4 indel alleles after splitting, plus two non-calls."""
    recs = [rec(p, ref(p), other_base(p), "0/1" if c == "het" else "1/1") for p, c in SNV_POS.items()]
    recs += [
        rec(700, ref(700), ref(700) + "GT", "0/1"),            # insertion, het
        rec(800, ref(800, 3), ref(800), "1/1"),                # 2-bp deletion, hom
        rec(900, ref(900), f"{other_base(900)},{ref(900)}TC", "1/2"),  # SNV + insertion
        rec(1200, ref(1200, 2), ref(1200), "0|1"),             # homopolymer deletion (left-aligned)
        rec(1400, ref(1400), other_base(1400), "0/0"),         # not a call
        rec(1500, ref(1500), other_base(1500), "./."),         # not a call
    ]
    return recs


def write_vcf(path: Path, records: list[tuple], sample: str = "NA0001", gz: bool = False) -> Path:
    header = [
        "##fileformat=VCFv4.2",
        f"##contig=<ID={CHROM},length={len(SEQ)}>",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample]),
    ]
    lines = [f"{CHROM}\t{p}\t.\t{r}\t{a}\t50\t{f}\t.\tGT\t{gt}" for p, r, a, gt, f in sorted(records)]
    path.write_text("\n".join(header + lines) + "\n")
    if gz:
        subprocess.run(["bgzip", "-f", str(path)], check=True)
        path = path.with_name(path.name + ".gz")
        subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    return path


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    fa = tmp_path / "ref.fa"
    fa.write_text(f">{CHROM}\n" + "\n".join(SEQ[i:i + 60] for i in range(0, len(SEQ), 60)) + "\n")
    subprocess.run(["samtools", "faidx", str(fa)], check=True)
    return fa


@pytest.fixture
def truth_vcf(tmp_path: Path) -> Path:
    return write_vcf(tmp_path / "truth.vcf", truth_records(), gz=True)


def by_type(rows: list[dict]) -> dict[str, dict]:
    return {r["type"]: r for r in rows}


def run_score(truth: Path, query: Path, reference: Path, **kw) -> dict[str, dict]:
    t = cc.load_calls(str(truth), str(reference), include_filtered=True,
                      bed=kw.get("bed"))
    q = cc.load_calls(str(query), str(reference), **kw)
    return by_type(cc.score([(*k, v) for k, v in t.items()], [(*k, v) for k, v in q.items()]))


# ---------------------------------------------------------------- pure functions

@pytest.mark.parametrize("gt,expected", [
    ("0/1", "het"), ("1|0", "het"), ("./1", "het"), ("1/1", "hom"), ("1|1", "hom"),
    ("1", "hom"), ("0/0", None), ("./.", None), ("0", None), (".", None), ("0/2", None),
])
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
    assert (snv["tp"], snv["fp"], snv["fn"], snv["gt_tp"], snv["gt_fp"], snv["gt_fn"]) == (2, 1, 0, 1, 2, 1)
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


# ---------------------------------------------------------------- with bcftools

def test_truth_vs_itself(tmp_path, reference, truth_vcf):
    calls = cc.load_calls(str(truth_vcf), str(reference))
    # the 1/2 site is split into SNV 1/0 and insertion 0/1, both het
    assert calls[(CHROM, 900, ref(900), other_base(900))] == "het"
    assert calls[(CHROM, 900, ref(900), ref(900) + "TC")] == "het"
    assert calls[(CHROM, 800, ref(800, 3), ref(800))] == "hom"
    assert (CHROM, 1400, ref(1400), other_base(1400)) not in calls
    assert len(calls) == 11

    rows = run_score(truth_vcf, truth_vcf, reference)
    expected_totals = {"SNV": 7, "INDEL": 4, "ALL": 11}
    for vtype, n in expected_totals.items():
        r = rows[vtype]
        assert r["truth_total"] == r["query_total"] == r["tp"] == r["gt_tp"] == n
        assert r["fp"] == r["fn"] == r["gt_fp"] == r["gt_fn"] == 0
        for col in ("precision", "recall", "f1", "gt_precision", "gt_recall", "gt_f1",
                    "genotype_concordance"):
            assert r[col] == 1.0, (vtype, col)


def test_perturbed_query_exact_counts(tmp_path, reference, truth_vcf):
    recs = [r for r in truth_records() if r[0] not in (100, 200, 800)]  # drop 2 SNVs + 1 indel
    recs = [rec(p, r, a, "1/1", f) if p == 300 else (p, r, a, gt, f) for p, r, a, gt, f in recs]  # het->hom
    recs += [rec(p, ref(p), other_base(p), "0/1") for p in FALSE_SNV_POS]  # 3 false SNVs
    query = write_vcf(tmp_path / "query.vcf", recs)

    rows = run_score(truth_vcf, query, reference)
    got = {t: tuple(rows[t][c] for c in ("truth_total", "query_total", "tp", "fp", "fn",
                                          "gt_tp", "gt_fp", "gt_fn")) for t in rows}
    assert got == {
        "SNV": (7, 8, 5, 3, 2, 4, 4, 3),
        "INDEL": (4, 3, 3, 0, 1, 3, 0, 1),
        "ALL": (11, 11, 8, 3, 3, 7, 4, 4),
    }
    assert rows["SNV"]["precision"] == pytest.approx(5 / 8)
    assert rows["SNV"]["recall"] == pytest.approx(5 / 7)
    assert rows["SNV"]["genotype_concordance"] == pytest.approx(4 / 5)
    assert rows["INDEL"]["recall"] == pytest.approx(3 / 4)
    assert rows["ALL"]["gt_f1"] == pytest.approx(7 / 11)


def test_right_shifted_deletion_matches_after_normalisation(tmp_path, reference, truth_vcf):
    # same homopolymer deletion, written at the right end of the A-run (pos 1207: AA>A)
    assert ref(1207, 2) == "AA" and ref(1200) == "C"
    recs = [r for r in truth_records() if r[0] != 1200] + [rec(1207, "AA", "A", "0/1")]
    query = write_vcf(tmp_path / "query.vcf", recs)

    calls = cc.load_calls(str(query), str(reference))
    assert (CHROM, 1200, "CA", "C") in calls
    assert not any(k[1] == 1207 for k in calls)
    rows = run_score(truth_vcf, query, reference)
    assert (rows["INDEL"]["tp"], rows["INDEL"]["fp"], rows["INDEL"]["fn"]) == (4, 0, 0)


def test_bed_restricts_both_sides(tmp_path, reference, truth_vcf):
    # 0-based half-open: start 100 -> first base is pos 101 (pos 100 and 700 are out,
    # 1-based reading would keep them); [700,800) keeps the deletion at pos 800
    bed = tmp_path / "regions.txt"  # non-.bed name + track line must still be read as BED
    bed.write_text(f"track name=test\n{CHROM}\t100\t650\n{CHROM}\t700\t800\n")
    recs = [r for r in truth_records() if r[0] not in (100, 700)]    # misses outside BED only
    recs += [rec(p, ref(p), other_base(p), "0/1") for p in FALSE_SNV_POS]  # FPs outside BED
    query = write_vcf(tmp_path / "query.vcf.txt", recs)

    calls = cc.load_calls(str(truth_vcf), str(reference), bed=str(bed))
    assert sorted(k[1] for k in calls) == [200, 300, 400, 500, 600, 800]

    rows = run_score(truth_vcf, query, reference, bed=str(bed))
    assert (rows["SNV"]["truth_total"], rows["SNV"]["tp"], rows["SNV"]["fp"], rows["SNV"]["fn"]) == (5, 5, 0, 0)
    assert (rows["INDEL"]["truth_total"], rows["INDEL"]["tp"], rows["INDEL"]["fp"]) == (1, 1, 0)
    assert rows["ALL"]["precision"] == rows["ALL"]["recall"] == 1.0

    unrestricted = run_score(truth_vcf, query, reference)
    assert (unrestricted["ALL"]["fp"], unrestricted["ALL"]["fn"]) == (3, 2)


def test_filtered_query_records(tmp_path, reference, truth_vcf):
    recs = [rec(p, r, a, gt, "LowQual" if p == 500 else f) for p, r, a, gt, f in truth_records()]
    recs += [rec(p, ref(p), other_base(p), "0/1", "LowQual") for p in FALSE_SNV_POS[:2]]
    query = write_vcf(tmp_path / "query.vcf", recs, gz=True)

    default = run_score(truth_vcf, query, reference)
    assert (default["SNV"]["tp"], default["SNV"]["fp"], default["SNV"]["fn"]) == (6, 0, 1)
    included = run_score(truth_vcf, query, reference, include_filtered=True)
    assert (included["SNV"]["tp"], included["SNV"]["fp"], included["SNV"]["fn"]) == (7, 2, 0)


def test_cli_writes_tsv(tmp_path, reference, truth_vcf, capsys):
    recs = [r for r in truth_records() if r[0] != 100]
    query = write_vcf(tmp_path / "query.vcf", recs, sample="QRY")
    out = tmp_path / "out" / "scores.tsv"
    out.parent.mkdir()
    rc = cc.main(["--truth", str(truth_vcf), "--query", str(query), "--reference", str(reference),
                  "--output", str(out)])
    assert rc == 0
    lines = out.read_text().splitlines()
    assert lines[0].split("\t") == cc.COLUMNS == [
        "label", "type", "truth_total", "query_total", "tp", "fp", "fn", "precision", "recall",
        "f1", "gt_tp", "gt_fp", "gt_fn", "gt_precision", "gt_recall", "gt_f1",
        "genotype_concordance"]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    assert [r["type"] for r in rows] == ["SNV", "INDEL", "ALL"]
    assert all(r["label"] == "QRY" for r in rows)
    assert rows[0]["fn"] == "1" and rows[0]["precision"] == "1.000000"
    assert rows[0]["recall"] == f"{6 / 7:.6f}"
    assert "SNV" in capsys.readouterr().err

    cc.main(["--truth", str(truth_vcf), "--query", str(query), "--reference", str(reference),
             "--output", str(out), "--label", "run1", "--bed", str(_empty_bed(tmp_path))])
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
        cc.main(["--truth", str(truth_vcf), "--query", str(truth_vcf), "--reference",
                 str(reference), "--query-sample", "NOT_A_SAMPLE", "--output", str(tmp_path / "o.tsv")])
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


def test_split_trims_shared_ref_and_drops_star(tmp_path, reference, capsys):
    # REF=AGG ALT=A,AAG (1/2): after -m-any the SNV allele is trimmed to G>A at 1601
    assert ref(1600, 3) == "AGG"
    recs = [rec(1600, "AGG", "A,AAG", "1/2"),
            rec(1300, ref(1300), "*", "0/1"),
            rec(1310, other_base(1310), "G" if ref(1310) != "G" else "C", "0/1")]  # wrong REF
    calls = cc.load_calls(str(write_vcf(tmp_path / "m.vcf", recs)), str(reference))
    assert calls == {(CHROM, 1600, "AGG", "A"): "het", (CHROM, 1601, "G", "A"): "het",
                     (CHROM, 1310, other_base(1310), "G" if ref(1310) != "G" else "C"): "het"}
    assert "1 REF mismatch" in capsys.readouterr().err
