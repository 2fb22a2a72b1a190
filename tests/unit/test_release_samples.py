"""Tests for refcohort.release.samples (and the run): which records and samples are
released, and the relatedness policy (greedy, deterministic pruning).
"""

import gzip
import random

import numpy as np
from release_cohort import (
    COHORT,
    make_cohort,
    random_records,
    read_release,
    run_release,
    write_sheet,
    write_vcf,
)

import refcohort.release as rl


# --------------------------------------------------------------------------- #
# Sites and samples
# --------------------------------------------------------------------------- #
def test_only_pass_released_contigs_and_polymorphic_records(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 1})
    records = [
        ("chr1", 10, "A", "G", ["0/1", "0/0", "0/0", "0/0"]),
        ("chr1", 20, "A", "G", ["0/1", "0/0", "0/0", "0/0"]),  # LowQual
        ("chr1", 30, "A", "G", ["0/0", "0/0", "0/0", "./."]),  # no ALT
        ("chr1", 40, "A", "G,T", ["0/1", "0/2", "0/0", "0/0"]),  # not split: skipped
        ("chrM", 50, "A", "G", ["1", "1", "0", "0"]),  # not released
    ]
    summary, out = run_release(
        tmp_path, cohort, records, filters={1: "LowQual"}, min_allele_count=1, min_group_size=1
    )
    _, recs = read_release(out)
    assert [r["pos"] for r in recs] == [10]
    assert (
        summary["not_pass"],
        summary["monomorphic_in_released"],
        summary["not_biallelic"],
        summary["other_contigs"],
    ) == (1, 1, 1, 1)
    assert summary["sites_written"] == 1


def test_no_sample_ids_or_genotypes_anywhere(tmp_path):
    rng = np.random.default_rng(5)
    leaky = [
        "##bcftools_viewCommand=view -s FIF000,EEM001 results/gvcf/FIF000.g.vcf.gz; Date=x",
        "##bcftools_mergeCommand=merge results/gvcf/EEF002.g.vcf.gz",
        "##reference=file://results/reference/genome.fa",
        "##sample_note=FIM003",
    ]
    summary, out = run_release(
        tmp_path,
        COHORT,
        random_records(rng, COHORT),
        extra_header=leaky,
        min_allele_count=2,
        min_group_size=2,
    )
    text = gzip.open(out, "rt").read()
    for sample, _, _ in COHORT:
        assert sample not in text
    header, recs = read_release(out)  # asserts 8 columns on every record
    assert header[-1] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    assert not any(h.startswith("##FORMAT") or "Command" in h or "results/" in h for h in header)
    assert "GT" not in {k for r in recs for k in r} and recs
    assert not any("/" in v or "|" in v for r in recs for v in map(str, r.values()))


def test_qc_fail_unknown_sex_and_related_samples_are_left_out(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 2, ("FI", "U"): 1})
    # FIF000 FIF001 FIF002 FIM000 FIM001 FIU000
    qc = tmp_path / "qc.tsv"
    qc.write_text(
        "sample\tstatus\treasons\toverride\tjoint_calling\tmean_autosome_coverage\n"
        "FIF000\tPASS\t\t\tincluded\t30\n"
        "FIF001\tFAIL\tFAIL: coverage\tkept for QA\tincluded\t10\n"
        "FIF002\tWARN\tWARN: x\t\tincluded\t31\n"
        "FIM000\tPASS\t\t\tincluded\t30\n"
        "FIM001\tPASS\t\t\tincluded\t29\n"
        "FIU000\tPASS\t\t\tincluded\t30\n"
        "FIM009\tFAIL\tFAIL: contamination\t\texcluded\t30\n"
    )
    rel = tmp_path / "rel.tsv"
    rel.write_text(
        "sample_1\tsample_2\tkinship\tibs0\tn_sites\tdegree\n"
        "FIM000\tFIM001\t0.25\t0.001\t100\tfirst\n"
        "FIF000\tFIF002\t0.10\t0.01\t100\tsecond\n"
    )
    records = [("chr1", 10, "A", "G", ["0/1"] * 6)]
    sheet_rows = cohort + [("FIM009", "male", "FI")]
    write_sheet(tmp_path / "sheet.tsv", sheet_rows)
    vcf = write_vcf(tmp_path / "in.vcf", cohort, records)
    tables = {"qc_tsv": str(qc), "relatedness_tsv": str(rel)}
    policy = {"min_allele_count": 1, "min_group_size": 1}
    sheet = str(tmp_path / "sheet.tsv")
    summary = rl.release(str(vcf), sheet, str(tmp_path / "o.vcf.gz"), **tables, **policy)
    why = {r["sample"]: r["reason"] for r in summary["excluded"]}
    assert why == {
        "FIF001": "QC FAIL",
        "FIU000": "sex unknown",
        "FIM001": "related",
        "FIM009": "not joint-called",
    }
    assert summary["samples_released"] == 3  # FIF000, FIF002 (second degree kept), FIM000
    _, recs = read_release(tmp_path / "o.vcf.gz")
    assert recs[0]["AN"] == "6"
    # counting unknown sex: in the whole cohort and the population, not in a sex group
    summary = rl.release(
        str(vcf), sheet, str(tmp_path / "u.vcf.gz"), **tables, **policy, unknown_sex="count"
    )
    _, recs = read_release(tmp_path / "u.vcf.gz")
    assert (recs[0]["AN"], recs[0]["AN_FI"], recs[0]["AN_F"], recs[0]["AN_M"]) == (
        "8",
        "8",
        "4",
        "2",
    )
    assert "AN_U" not in recs[0] and "AN_FI_U" not in recs[0]


# --------------------------------------------------------------------------- #
# Relatedness policy
# --------------------------------------------------------------------------- #
def test_prune_related_drops_the_most_connected_then_breaks_ties_deterministically():
    qc = {
        "A01": {"status": "PASS", "mean_autosome_coverage": "30"},
        "B01": {"status": "PASS", "mean_autosome_coverage": "31"},
        "C01": {"status": "WARN", "mean_autosome_coverage": "35"},
        "D01": {"status": "PASS", "mean_autosome_coverage": "30"},
        "E01": {"status": "PASS", "mean_autosome_coverage": "30"},
        "F01": {"status": "PASS", "mean_autosome_coverage": "30"},
    }
    pairs = [
        ("A01", "B01", 0.25),
        ("B01", "C01", 0.25),
        ("A01", "C01", 0.5),  # triangle
        ("D01", "E01", 0.25),
        ("E01", "F01", 0.1),
    ]  # F01 second degree
    candidates = sorted(qc)
    dropped = rl.prune_related(pairs, candidates, 0.177, qc)
    # triangle: all in 2 pairs; C01 is WARN -> dropped, then A01-B01 left: A01 lower coverage
    # D01-E01: same pairs, status, coverage -> the larger ID E01
    assert set(dropped) == {"C01", "A01", "E01"}
    for _ in range(5):  # input order does not matter
        shuffled = random.Random(_).sample(pairs, len(pairs))
        swapped = [
            (b, a, k) if random.Random(_ + 9).random() < 0.5 else (a, b, k) for a, b, k in shuffled
        ]
        assert set(rl.prune_related(swapped, list(reversed(candidates)), 0.177, qc)) == set(dropped)
    assert rl.prune_related(pairs, candidates, 0.3, qc) == {"C01": [("A01", 0.5)]}
    assert rl.prune_related(pairs, ["A01", "B01"], 0.6, qc) == {}
    # a pair with a sample that is not a candidate (e.g. QC FAIL) costs nobody their place
    assert set(rl.prune_related(pairs, ["B01", "C01", "D01"], 0.177, qc)) == {"C01"}


def test_hub_relative_is_dropped_first():
    qc = {
        s: {"status": "PASS", "mean_autosome_coverage": "30"} for s in ("KID", "MUM", "DAD", "SIB")
    }
    pairs = [("KID", "MUM", 0.25), ("KID", "DAD", 0.25), ("KID", "SIB", 0.25)]
    assert set(rl.prune_related(pairs, list(qc), 0.177, qc)) == {"KID"}
