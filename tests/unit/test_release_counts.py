"""Tests for refcohort.release.counts (and the run): every group's counts agree with
``bcftools +fill-tags`` on the released samples, AF = AC/AN exactly, males hemizygous
outside the PARs and on chrY.
"""

import gzip

import numpy as np
import pytest
from release_cohort import (
    COHORT,
    assert_agrees_with_fill_tags,
    make_cohort,
    random_records,
    read_release,
    run_release,
)

import refcohort.release as rl


# --------------------------------------------------------------------------- #
# Counting: agreement with bcftools +fill-tags, AF = AC/AN, ploidy
# --------------------------------------------------------------------------- #
def test_every_group_agrees_with_fill_tags_when_nothing_is_suppressed(tmp_path):
    rng = np.random.default_rng(1)
    records = random_records(rng, COHORT)
    summary, out = run_release(tmp_path, COHORT, records, min_allele_count=1, min_group_size=1)
    published = {g["group"] for g in summary["groups"] if g["status"] == "published"}
    assert published == {"all", "FI", "EE", "F", "M", "FI_F", "FI_M", "EE_F", "EE_M"}
    compared, suppressed = assert_agrees_with_fill_tags(
        tmp_path, COHORT, records, summary, out, expect_all_published=True
    )
    assert compared > 100 * 9 * 5
    header, recs = read_release(out)
    assert {r["chrom"] for r in recs} == {"chr1", "chrX", "chrY"}


def test_unsuppressed_fields_agree_with_fill_tags_under_the_default_policy(tmp_path):
    rng = np.random.default_rng(2)
    cohort = make_cohort({("FI", "F"): 14, ("FI", "M"): 12, ("EE", "F"): 11, ("EE", "M"): 3})
    records = random_records(rng, cohort)
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=5, min_group_size=10)
    compared, suppressed = assert_agrees_with_fill_tags(tmp_path, cohort, records, summary, out)
    assert compared > 500 and suppressed > 100


def test_af_is_ac_over_an_exactly(tmp_path):
    rng = np.random.default_rng(3)
    cohort = make_cohort({("FI", "F"): 7, ("FI", "M"): 7, ("EE", "F"): 3})  # odd ANs: 1/3, 1/7, ...
    summary, out = run_release(
        tmp_path, cohort, random_records(rng, cohort), min_allele_count=1, min_group_size=1
    )
    _, recs = read_release(out)
    checked = inexact = 0
    for rec in recs:
        for key, value in rec.items():
            if not key.startswith("AF") or value == ".":
                continue
            suffix = key[2:]
            ac, an = int(rec["AC" + suffix]), int(rec["AN" + suffix])
            assert float(value) == ac / an, (key, value, ac, an)  # the same IEEE double
            assert value == rl.format_af(ac, an)
            checked += 1
            inexact += len(value) > 8
    assert checked > 1000 and inexact > 100  # many frequencies need all 17 digits


@pytest.mark.parametrize(
    "ac, an, text",
    [
        (0, 10, "0"),
        (10, 10, "1"),
        (1, 3, "0.3333333333333333"),
        (1, 4, "0.25"),
        (1, 20000, "5e-05"),
    ],
)
def test_format_af(ac, an, text):
    assert rl.format_af(ac, an) == text
    assert float(text) == ac / an


def test_males_are_hemizygous_outside_the_pars_and_on_chrY(tmp_path):
    cohort = make_cohort({("FI", "F"): 2, ("FI", "M"): 2})  # FIF000 FIF001 FIM000 FIM001
    records = [
        ("chr1", 100, "A", "G", ["0/1", "1/1", "1/1", "0/0"]),
        ("chrX", 500, "A", "G", ["0/1", "1/1", "1/1", "0/1"]),  # PAR: diploid males
        ("chrX", 5000, "A", "G", ["0/1", "1/1", "1", "0"]),  # haploid male calls
        ("chrX", 5100, "A", "G", ["0/0", "0/1", "1/1", "0/0"]),  # diploid male calls (GATK-like)
        ("chrX", 5200, "A", "G", ["0/0", "0/0", "0/1", "1"]),  # het male: missing
        ("chrY", 300, "A", "G", [".", ".", "1", "0"]),
        ("chrY", 400, "A", "G", ["./.", "0/1", "1", "."]),  # female calls ignored
    ]
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=1, min_group_size=1)
    _, recs = read_release(out)
    got = {r["pos"]: r for r in recs}
    want = {  # position: (AN, AC, AC_Hom, AC_Het, AC_Hemi, AN_M, AC_Hemi_M, AN_F)
        100: (8, 5, 4, 1, 0, 4, 0, 4),
        500: (8, 6, 4, 2, 0, 4, 0, 4),
        5000: (6, 4, 2, 1, 1, 2, 1, 4),
        5100: (6, 2, 0, 1, 1, 2, 1, 4),
        5200: (5, 1, 0, 0, 1, 1, 1, 4),
        300: (2, 1, 0, 0, 1, 2, 1, 0),
        400: (1, 1, 0, 0, 1, 1, 1, 0),
    }
    for pos, (an, ac, hom, het, hemi, an_m, hemi_m, an_f) in want.items():
        r = got[pos]
        assert (
            int(r["AN"]),
            int(r["AC"]),
            int(r["AC_Hom"]),
            int(r["AC_Het"]),
            int(r["AC_Hemi"]),
        ) == (an, ac, hom, het, hemi), pos
        assert (int(r["AN_M"]), int(r["AC_Hemi_M"]), int(r["AN_F"])) == (an_m, hemi_m, an_f), pos
    assert got[300]["AF_F"] == "."  # no female alleles on chrY
    assert summary["calls_set_missing"]["het_where_hemizygous"] == 1


def test_contribution_rules():
    assert rl.contribution(2, 0, 1) == ((2, 1, 0, 1, 0), "")
    assert rl.contribution(2, 1, 1) == ((2, 2, 2, 0, 0), "")
    assert rl.contribution(2, -1, 1) == ((0, 0, 0, 0, 0), "")  # ./1 is missing
    assert rl.contribution(2, 1, -2) == ((0, 0, 0, 0, 0), "haploid_where_diploid")
    assert rl.contribution(1, 1, -2) == ((1, 1, 0, 0, 1), "")
    assert rl.contribution(1, 1, 1) == ((1, 1, 0, 0, 1), "")
    assert rl.contribution(1, 0, 1) == ((0, 0, 0, 0, 0), "het_where_hemizygous")
    assert rl.contribution(0, 1, -2) == ((0, 0, 0, 0, 0), "")


def test_chunking_does_not_change_the_output(tmp_path):
    rng = np.random.default_rng(4)
    records = random_records(rng, COHORT)
    _, a = run_release(
        tmp_path, COHORT, records, name="a", min_allele_count=3, min_group_size=3, chunk_size=7
    )
    _, b = run_release(tmp_path, COHORT, records, name="b", min_allele_count=3, min_group_size=3)
    assert gzip.open(a).read() == gzip.open(b).read()
