"""Tests for refcohort.compare on VCFs read through bcftools: splitting, normalisation,
BED restriction, filtered records and the exact counts of a perturbed query against
the truth."""

from __future__ import annotations

import pytest
from compare_calls_vcf import (
    CHROM,
    FALSE_SNV_POS,
    needs_tools,
    other_base,
    rec,
    ref,
    reference_fixture,  # noqa: F401 (the fixture `reference`)
    run_score,
    truth_records,
    truth_vcf_fixture,  # noqa: F401 (the fixture `truth_vcf`)
    write_vcf,
)

from refcohort import compare as cc

pytestmark = needs_tools


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
        for col in (
            "precision",
            "recall",
            "f1",
            "gt_precision",
            "gt_recall",
            "gt_f1",
            "genotype_concordance",
        ):
            assert r[col] == 1.0, (vtype, col)


def test_perturbed_query_exact_counts(tmp_path, reference, truth_vcf):
    recs = [r for r in truth_records() if r[0] not in (100, 200, 800)]  # drop 2 SNVs + 1 indel
    recs = [
        rec(p, r, a, "1/1", f) if p == 300 else (p, r, a, gt, f) for p, r, a, gt, f in recs
    ]  # het->hom
    recs += [rec(p, ref(p), other_base(p), "0/1") for p in FALSE_SNV_POS]  # 3 false SNVs
    query = write_vcf(tmp_path / "query.vcf", recs)

    rows = run_score(truth_vcf, query, reference)
    got = {
        t: tuple(
            rows[t][c]
            for c in ("truth_total", "query_total", "tp", "fp", "fn", "gt_tp", "gt_fp", "gt_fn")
        )
        for t in rows
    }
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
    recs = [r for r in truth_records() if r[0] not in (100, 700)]  # misses outside BED only
    recs += [rec(p, ref(p), other_base(p), "0/1") for p in FALSE_SNV_POS]  # FPs outside BED
    query = write_vcf(tmp_path / "query.vcf.txt", recs)

    calls = cc.load_calls(str(truth_vcf), str(reference), bed=str(bed))
    assert sorted(k[1] for k in calls) == [200, 300, 400, 500, 600, 800]

    rows = run_score(truth_vcf, query, reference, bed=str(bed))
    assert (
        rows["SNV"]["truth_total"],
        rows["SNV"]["tp"],
        rows["SNV"]["fp"],
        rows["SNV"]["fn"],
    ) == (5, 5, 0, 0)
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


def test_split_trims_shared_ref_and_drops_star(tmp_path, reference, capsys):
    # REF=AGG ALT=A,AAG (1/2): after -m-any the SNV allele is trimmed to G>A at 1601
    assert ref(1600, 3) == "AGG"
    recs = [
        rec(1600, "AGG", "A,AAG", "1/2"),
        rec(1300, ref(1300), "*", "0/1"),
        rec(1310, other_base(1310), "G" if ref(1310) != "G" else "C", "0/1"),
    ]  # wrong REF
    calls = cc.load_calls(str(write_vcf(tmp_path / "m.vcf", recs)), str(reference))
    assert calls == {
        (CHROM, 1600, "AGG", "A"): "het",
        (CHROM, 1601, "G", "A"): "het",
        (CHROM, 1310, other_base(1310), "G" if ref(1310) != "G" else "C"): "het",
    }
    assert "1 REF mismatch" in capsys.readouterr().err
