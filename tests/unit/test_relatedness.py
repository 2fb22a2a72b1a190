"""Tests for refcohort.qc.relatedness and refcohort.qc.cohort_genotypes (sample stats, MAD
outliers, genotype coding, VCF loading) and scripts/estimate_relatedness.py (main(smk) end
to end, the command line)."""

import json
import os
import runpy
import shutil
import subprocess
import sys
import types
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from kinship_sim import (
    child,
    dosage,
    founder,
)

import refcohort.qc.cohort_genotypes as cg
import refcohort.qc.relatedness as rel
from refcohort.progress import stderr_to

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "estimate_relatedness.py"


def script_main(smk) -> None:
    """The script's Snakemake adapter, as ``script:`` runs it."""
    runpy.run_path(str(SCRIPT))["main"](smk)


# --------------------------------------------------------------------------- #
# sample stats and MAD outliers
# --------------------------------------------------------------------------- #
def test_sample_stats():
    g = np.array([[0, 1, 1, -1], [2, 2, -1, -1], [-1, -1, -1, -1]], dtype=np.int8)
    s = rel.sample_stats(g)
    assert s["n_called"].tolist() == [3, 2, 0]
    assert s["n_het"].tolist() == [2, 0, 0]
    np.testing.assert_allclose(s["call_rate"], [0.75, 0.5, 0.0])
    assert s["het_rate"][0] == pytest.approx(2 / 3)
    assert s["het_rate"][1] == 0
    assert np.isnan(s["het_rate"][2])


def test_mad_outliers_flags_planted_outliers_both_sides():
    rng = np.random.default_rng(3)
    x = rng.normal(0.3, 0.01, 50)
    x[7], x[20] = 0.45, 0.15
    flags = rel.mad_outliers(x, k=5, side="both")
    assert np.flatnonzero(flags).tolist() == [7, 20]
    assert np.flatnonzero(rel.mad_outliers(x, k=5, side="low")).tolist() == [20]
    assert np.flatnonzero(rel.mad_outliers(x, k=5, side="high")).tolist() == [7]
    assert not rel.mad_outliers(x, k=100, side="both").any()


def test_mad_outliers_threshold_is_scaled_mad():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 10.5])  # median 3, MAD 2 -> 2.9652 per k
    assert rel.mad_outliers(x, k=2.3, side="high").tolist() == [False] * 5 + [True, True]
    assert rel.mad_outliers(x, k=2.4, side="high").tolist() == [False] * 6 + [True]


def test_mad_outliers_degenerate_cases_flag_nobody():
    assert not rel.mad_outliers([0.99, 0.99, 0.99, 0.99, 0.5], k=5).any()  # MAD 0
    assert not rel.mad_outliers([0.1, 0.9], k=0.1).any()  # < 3 samples
    flags = rel.mad_outliers([1.0, 1.1, 0.9, 1.05, np.nan, 9.0], k=5)
    assert flags.tolist() == [False, False, False, False, False, True]  # NaN never
    with pytest.raises(ValueError):
        rel.mad_outliers([1, 2, 3], side="up")


def test_mad_outliers_need_enough_samples():
    # the demo's five joint-called samples: two populations and a duplicate pair
    het = [0.412383, 0.395685, 0.411445, 0.397373, 0.395685]
    assert rel.mad_outliers(het, k=5).any()  # a 5-value MAD is tiny...
    assert not rel.mad_outliers(het, k=5, min_samples=10).any()  # ...so too few to judge
    x = np.r_[np.linspace(0.39, 0.41, 11), 0.6]
    assert rel.mad_outliers(x, k=5, min_samples=10).tolist() == [False] * 11 + [True]


# --------------------------------------------------------------------------- #
# Genotype coding and VCF loading
# --------------------------------------------------------------------------- #
def test_alleles_to_dosage_codes_partial_and_haploid_as_missing():
    alleles = np.array(
        [[0, 0], [0, 1], [1, 0], [1, 1], [-1, -1], [-1, 1], [0, -1], [1, -2], [0, -2], [2, 0]],
        dtype=np.int16,
    )
    assert cg.alleles_to_dosage(alleles).tolist() == [0, 1, 1, 2, -1, -1, -1, -1, -1, -1]


def test_is_biallelic_snv():
    assert cg.is_biallelic_snv("A", ["G"])
    assert cg.is_biallelic_snv("c", ["t"])
    for ref, alts in [
        ("A", ["G", "T"]),
        ("A", ["AT"]),
        ("AT", ["A"]),
        ("A", ["*"]),
        ("A", ["<NON_REF>"]),
        ("A", ["A"]),
        ("N", ["A"]),
        ("A", []),
    ]:
        assert not cg.is_biallelic_snv(ref, alts), (ref, alts)


HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##contig=<ID=chr1,length=1000000>
##contig=<ID=2,length=1000000>
##contig=<ID=chr1_KI270706v1_random,length=100000>
##contig=<ID=chrX,length=1000000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
"""


def write_vcf(path: Path, samples: Sequence[str], records: Sequence[tuple]) -> Path:
    """bgzip + tabix a VCF from (chrom, pos, ref, alt, qual, filter, [GT...]) tuples."""
    text = path.with_suffix("")
    with open(text, "w") as fh:
        fh.write(HEADER)
        fh.write(
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples) + "\n"
        )
        for chrom, pos, ref, alt, qual, filt, gts in records:
            fh.write(
                f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{qual}\t{filt}\t.\tGT\t" + "\t".join(gts) + "\n"
            )
    subprocess.run(["bgzip", "-f", str(text)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


needs_htslib = pytest.mark.skipif(
    not (shutil.which("bgzip") and shutil.which("tabix")), reason="bgzip/tabix required"
)

ALL_HET = ["0/1"] * 4
LOAD_RECORDS = [
    # chrom, pos, ref, alt, qual, filter, genotypes                       kept?
    ("chr1", 100, "A", "G", 50, "PASS", ["0/0", "0/1", "1/1", "./."]),  # yes (call rate .75)
    ("chr1", 200, "C", "T", 99, ".", ["0|1", "1|1", "0/1", "0/0"]),  # yes, FILTER "."
    ("chr1", 300, "G", "A", 50, "LowQual", ALL_HET),  # filtered
    ("chr1", 400, "A", "G,T", 50, "PASS", ["0/1", "1/2", "0/0", "2/2"]),  # multi-allelic
    ("chr1", 500, "A", "AT", 50, "PASS", ALL_HET),  # indel
    ("chr1", 600, "T", "C", 10, "PASS", ALL_HET),  # QUAL < 30
    ("chr1", 700, "T", "C", ".", "PASS", ALL_HET),  # QUAL missing
    ("chr1", 800, "T", "C", 50, "PASS", ["0/0", "0/0", "0/0", "0/0"]),  # MAF 0
    ("chr1", 900, "T", "C", 50, "PASS", ["0/1", "./.", "./.", "0/0"]),  # call rate .5
    ("chr1", 950, "T", "C", 50, "PASS", ["0/1", "./1", "0/.", "1"]),  # partial/haploid: .25
    ("chr1_KI270706v1_random", 10, "A", "G", 50, "PASS", ALL_HET),  # not an autosome
    ("2", 100, "G", "C", 50, "PASS", ["1/1", "0/1", "./.", "0/1"]),  # yes, no chr prefix
    ("chrX", 100, "A", "G", 50, "PASS", ALL_HET),  # chrX
]


@needs_htslib
def test_load_genotypes_keeps_only_qc_sites(tmp_path):
    vcf = write_vcf(tmp_path / "t.vcf.gz", ["s1", "s2", "s3", "s4"], LOAD_RECORDS)
    counts: dict[str, int] = {}
    samples, g = cg.load_genotypes(str(vcf), min_site_call_rate=0.7, counts=counts)
    assert samples == ["s1", "s2", "s3", "s4"]
    assert g.dtype == np.int8 and g.shape == (4, 3)
    assert g.tolist() == [[0, 1, 2], [1, 2, 1], [2, 1, -1], [-1, 0, 1]]
    assert counts == {
        "records": 13,
        "not_pass": 1,
        "not_autosome": 2,
        "not_biallelic_snv": 2,
        "low_qual": 2,
        "low_call_rate": 2,
        "low_maf": 1,
        "kept": 3,
    }
    # Small chunks give the same matrix; looser call rate keeps two more sites.
    _, g_small = cg.load_genotypes(str(vcf), min_site_call_rate=0.7, chunk_size=2)
    np.testing.assert_array_equal(g_small, g)
    _, g_loose = cg.load_genotypes(str(vcf), min_site_call_rate=0.25)
    assert g_loose.shape == (4, 5)
    assert g_loose[:, 3].tolist() == [1, -1, -1, -1]  # ./1, 0/. and haploid are missing
    # The regex must match the whole name, so the config's unanchored form
    # still excludes chr1_KI270706v1_random; a custom one can admit chrX.
    _, g_unanchored = cg.load_genotypes(
        str(vcf), autosomes=r"(chr)?([1-9]|1[0-9]|2[0-2])", min_site_call_rate=0.7
    )
    np.testing.assert_array_equal(g_unanchored, g)
    _, g_x = cg.load_genotypes(str(vcf), autosomes=r"chrX", min_site_call_rate=0.7)
    assert g_x.tolist() == [[1], [1], [1], [1]]


# --------------------------------------------------------------------------- #
# main(smk) end to end
# --------------------------------------------------------------------------- #
def _gt(d: int) -> str:
    return {0: "0/0", 1: "0/1", 2: "1/1", -1: "./."}[int(d)]


def _smk(tmp_path: Path, vcf: Path, **params) -> types.SimpleNamespace:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    return types.SimpleNamespace(
        input=types.SimpleNamespace(vcf=str(vcf), tbi=str(vcf) + ".tbi"),
        output=types.SimpleNamespace(
            relatedness=str(out / "relatedness.tsv"),
            samples=str(out / "samples.tsv"),
            json=str(out / "relatedness.json"),
        ),
        params=types.SimpleNamespace(**params),
        log=[str(tmp_path / "relatedness.log")],
        threads=1,
    )


def _read_tsv(path: str) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in open(path)]


@needs_htslib
def test_main_end_to_end(tmp_path):
    rng = np.random.default_rng(5)
    m = 4000
    p = rng.uniform(0.05, 0.95, m)
    haps = {f"S{k}": founder(rng, p) for k in range(8)}
    haps["S8"] = child(rng, haps["S0"], haps["S1"])  # child of S0 and S1
    haps["S9"] = haps["S3"].copy()  # duplicate of S3
    names = list(haps)
    g = np.stack([dosage(h) for h in haps.values()])
    g[5, rng.random(m) < 0.5] = 1  # S5: contaminated-looking het excess
    g[rng.random(g.shape) < 0.005] = -1  # background missingness (MAD > 0)
    g[6, rng.random(m) < 0.04] = -1  # S6: low call rate
    records = [
        ("chr1", pos + 1, "A", "G", 60, "PASS", [_gt(d) for d in g[:, pos]]) for pos in range(m)
    ]
    records.append(("chrX", 1, "A", "G", 60, "PASS", ["0/1"] * len(names)))
    vcf = write_vcf(tmp_path / "cohort.vcf.gz", names, records)
    smk = _smk(
        tmp_path,
        vcf,
        autosomes=r"(chr)?([1-9]|1[0-9]|2[0-2])",
        min_qual=30,
        min_site_call_rate=0.9,
        min_maf=0.01,
        mad_k=5,
    )

    script_main(smk)

    assert sys.stderr is sys.__stderr__ or not getattr(sys.stderr, "closed", False)
    pairs = _read_tsv(smk.output.relatedness)
    assert pairs[0] == ["sample_1", "sample_2", "kinship", "ibs0", "n_sites", "degree"]
    by_pair = {(r[0], r[1]): r for r in pairs[1:]}
    assert set(by_pair) == {("S3", "S9"), ("S0", "S8"), ("S1", "S8")}
    assert pairs[1][:2] == ["S3", "S9"] and pairs[1][5] == "duplicate/MZ"
    assert by_pair[("S0", "S8")][5] == "first" and float(by_pair[("S0", "S8")][3]) == 0
    assert all(len(r[2].split(".")[1]) == 6 for r in pairs[1:])

    rows = _read_tsv(smk.output.samples)
    assert rows[0] == [
        "sample",
        "n_called",
        "call_rate",
        "n_het",
        "het_rate",
        "het_outlier",
        "call_rate_outlier",
    ]
    table = {r[0]: r for r in rows[1:]}
    assert list(table) == names
    assert {n for n, r in table.items() if r[5] == "true"} == {"S5"}
    assert {n for n, r in table.items() if r[6] == "true"} == {"S6"}
    assert all(r[5] in ("true", "false") and r[6] in ("true", "false") for r in rows[1:])

    summary = json.load(open(smk.output.json))
    n_sites = summary["n_sites"]
    assert 0.9 * m < n_sites <= m
    assert float(table["S6"][2]) == pytest.approx(int(table["S6"][1]) / n_sites, abs=1e-6)
    assert float(table["S5"][4]) == pytest.approx(
        int(table["S5"][3]) / int(table["S5"][1]), abs=1e-6
    )
    assert summary["n_samples"] == len(names)
    assert summary["filters"]["min_qual"] == 30
    assert summary["pairs_per_degree"] == {
        "duplicate/MZ": 1,
        "first": 2,
        "second": 0,
        "third": 0,
        "unrelated": 45 - 3,
    }
    assert summary["records"]["not_autosome"] == 1
    log = Path(smk.log[0]).read_text()
    assert "records read" in log and "sites kept" in log


@needs_htslib
def test_main_with_no_usable_sites_writes_headers(tmp_path):
    records = [
        ("chrX", 1, "A", "G", 60, "PASS", ["0/1", "0/0", "1/1"]),
        ("chr1", 5, "A", "G", 60, "LowQual", ["0/1", "0/0", "1/1"]),
    ]
    vcf = write_vcf(tmp_path / "empty.vcf.gz", ["a", "b", "c"], records)
    smk = _smk(tmp_path, vcf)  # params all defaulted
    script_main(smk)
    assert "0 sites kept" in Path(smk.log[0]).read_text()
    assert open(smk.output.relatedness).read() == "\t".join(rel.RELATEDNESS_COLUMNS) + "\n"
    rows = _read_tsv(smk.output.samples)
    assert rows[1] == ["a", "0", "NA", "0", "NA", "false", "false"]
    summary = json.load(open(smk.output.json))
    assert summary["n_sites"] == 0 and summary["pairs_per_degree"]["unrelated"] == 3


def test_stderr_to_captures_python_and_c_level_stderr(tmp_path):
    log = tmp_path / "x.log"
    with open(log, "w") as fh, stderr_to(fh):
        print("from python", file=sys.stderr, flush=True)
        os.write(2, b"from fd 2 (as htslib writes)\n")
    os.write(2, b"")  # fd 2 restored and usable
    assert log.read_text() == "from python\nfrom fd 2 (as htslib writes)\n"


@needs_htslib
def test_cli(tmp_path):
    rng = np.random.default_rng(11)
    m = 1500
    p = rng.uniform(0.1, 0.9, m)
    a, b = founder(rng, p), founder(rng, p)
    g = np.stack([dosage(a), dosage(b), dosage(child(rng, a, b))])
    records = [("chr2", i + 1, "C", "T", 40, "PASS", [_gt(d) for d in g[:, i]]) for i in range(m)]
    vcf = write_vcf(tmp_path / "c.vcf.gz", ["x", "y", "z"], records)
    script = SCRIPT
    proc = subprocess.run(
        [sys.executable, str(script), "--vcf", str(vcf), "--out-prefix", str(tmp_path / "qc")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "sites kept" in proc.stderr
    pairs = _read_tsv(str(tmp_path / "qc.relatedness.tsv"))
    assert {(r[0], r[1], r[5]) for r in pairs[1:]} == {("x", "z", "first"), ("y", "z", "first")}
