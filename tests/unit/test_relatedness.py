"""Tests for scripts/relatedness.py (KING-robust kinship, degrees, outliers, I/O)."""

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pytest

import relatedness as rel

N_SITES = 20_000
TOL = 0.03


# --------------------------------------------------------------------------- #
# Simulation: haplotypes drawn from allele frequencies, Mendelian transmission
# with every site independent (no linkage), so pedigree kinship is the
# expectation of the realised kinship.
# --------------------------------------------------------------------------- #
def founder(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """(2, n_sites) bool haplotypes of an unrelated individual (True = ALT)."""
    return rng.random((2, p.size)) < p


def gamete(rng: np.random.Generator, haps: np.ndarray) -> np.ndarray:
    """One transmitted haplotype: a random parental allele at every site."""
    pick = rng.integers(0, 2, haps.shape[1])
    return np.where(pick == 0, haps[0], haps[1])


def child(rng: np.random.Generator, mother: np.ndarray, father: np.ndarray) -> np.ndarray:
    return np.stack([gamete(rng, mother), gamete(rng, father)])


def dosage(haps: np.ndarray) -> np.ndarray:
    return haps.sum(axis=0).astype(np.int8)


class Pedigree:
    """Individuals with parents, genotypes and exact pedigree kinship."""

    def __init__(self, rng: np.random.Generator, p: np.ndarray):
        self.rng, self.p = rng, p
        self.names: List[str] = []
        self.haps: List[np.ndarray] = []
        self.parents: List[Optional[Tuple[int, int]]] = []
        self.same_as: List[Optional[int]] = []

    def _add(self, name, haps, parents=None, same_as=None) -> int:
        self.names.append(name)
        self.haps.append(haps)
        self.parents.append(parents)
        self.same_as.append(same_as)
        return len(self.names) - 1

    def founder(self, name: str) -> int:
        return self._add(name, founder(self.rng, self.p))

    def child(self, name: str, mother: int, father: int) -> int:
        return self._add(name, child(self.rng, self.haps[mother], self.haps[father]),
                         parents=(mother, father))

    def duplicate(self, name: str, of: int) -> int:
        return self._add(name, self.haps[of].copy(), same_as=of)

    def genotypes(self) -> np.ndarray:
        return np.stack([dosage(h) for h in self.haps])

    def kinship(self) -> np.ndarray:
        """Pedigree kinship by the standard recursion (individuals in birth order)."""
        n = len(self.names)
        phi = np.zeros((n, n))
        for i in range(n):
            if self.same_as[i] is not None:
                o = self.same_as[i]
                phi[i, :i] = phi[o, :i]
                phi[:i, i] = phi[:i, o]
                phi[i, i] = phi[o, o]
                continue
            par = self.parents[i]
            phi[i, i] = 0.5 if par is None else 0.5 * (1 + phi[par[0], par[1]])
            for j in range(i):
                phi[i, j] = phi[j, i] = 0.0 if par is None else 0.5 * (phi[par[0], j] + phi[par[1], j])
        return phi


@pytest.fixture(scope="module")
def family():
    """One population: founders, duplicate, nuclear family, 2nd and 3rd degree."""
    rng = np.random.default_rng(20240611)
    p = rng.uniform(0.05, 0.95, N_SITES)
    ped = Pedigree(rng, p)
    for k in range(6):
        ped.founder(f"U{k}")
    mum, dad = ped.founder("mum"), ped.founder("dad")
    kid1 = ped.child("kid1", mum, dad)
    kid2 = ped.child("kid2", mum, dad)
    in_law1, in_law2 = ped.founder("inlaw1"), ped.founder("inlaw2")
    grandkid1 = ped.child("grandkid1", kid1, in_law1)     # mum/dad: grandparent (1/8)
    ped.child("grandkid2", kid2, in_law2)                 # grandkid1: first cousin (1/16)
    other = ped.founder("other")
    ped.child("halfsib", mum, other)                      # kid1/kid2: half-sibs (1/8)
    ped.duplicate("kid1_dup", kid1)
    g = ped.genotypes()
    # A few % random missing calls in the duplicate, and some everywhere.
    dup = ped.names.index("kid1_dup")
    g[dup, rng.random(N_SITES) < 0.03] = -1
    g[rng.random(g.shape) < 0.002] = -1
    kin, ibs0, n_sites = rel.king_robust(g)
    return types.SimpleNamespace(names=ped.names, g=g, expected=ped.kinship(),
                                 kin=kin, ibs0=ibs0, n_sites=n_sites,
                                 idx={n: i for i, n in enumerate(ped.names)})


def naive_king(g: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-pair loop over the Manichaikul et al. (2010) eq. 11 counts."""
    n = g.shape[0]
    kin = np.full((n, n), np.nan)
    ibs0 = np.full((n, n), np.nan)
    shared = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(n):
            both = (g[i] >= 0) & (g[j] >= 0)
            gi, gj = g[i][both], g[j][both]
            het_i, het_j = int((gi == 1).sum()), int((gj == 1).sum())
            hethet = int(((gi == 1) & (gj == 1)).sum())
            opp = int((((gi == 0) & (gj == 2)) | ((gi == 2) & (gj == 0))).sum())
            shared[i, j] = both.sum()
            if shared[i, j]:
                ibs0[i, j] = opp / shared[i, j]
            m = min(het_i, het_j)
            if m:
                kin[i, j] = (hethet - 2 * opp) / (2 * m) + 0.5 - (het_i + het_j) / (4 * m)
    return kin, ibs0, shared


# --------------------------------------------------------------------------- #
# king_robust
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("block_sites, exact_limit", [(None, None), (1, None), (7, None),
                                                      (64, None), (64, 100)])
def test_king_matches_naive_per_pair_counts(block_sites, exact_limit, monkeypatch):
    if exact_limit:  # fold the float32 sums into float64 every few blocks
        monkeypatch.setattr(rel, "_EXACT_FLOAT32", exact_limit)
    rng = np.random.default_rng(7)
    g = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=(6, 300), p=[0.45, 0.35, 0.2])
    g[:, 100:160][rng.random((6, 60)) < 0.2] = -1     # missing only in some blocks
    g[5, :] = np.where(rng.random(300) < 0.5, -1, 0)  # no heterozygous call at all
    kin, ibs0, shared = rel.king_robust(g, block_sites=block_sites)
    nk, ni, ns = naive_king(g)
    np.testing.assert_array_equal(shared, ns)
    np.testing.assert_allclose(ibs0, ni, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(kin, nk, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert np.isnan(kin[5]).all()          # min het count 0 -> undefined
    assert np.allclose(np.diag(kin)[:5], 0.5)


def test_king_matches_naive_without_missing_calls():
    """All-called sites take the two-product path (H Hᵀ derived from Q Qᵀ)."""
    rng = np.random.default_rng(8)
    g = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=(5, 250), p=[0.5, 0.3, 0.2])
    kin, ibs0, shared = rel.king_robust(g, block_sites=60)
    nk, ni, ns = naive_king(g)
    np.testing.assert_array_equal(shared, ns)
    np.testing.assert_allclose(ibs0, ni, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kin, nk, rtol=1e-12, atol=1e-12)


def test_king_rejects_non_matrix():
    with pytest.raises(ValueError):
        rel.king_robust(np.zeros(10, dtype=np.int8))


def test_king_matches_pedigree_kinship_for_every_pair(family):
    n = len(family.names)
    iu, ju = np.triu_indices(n, k=1)
    err = np.abs(family.kin[iu, ju] - family.expected[iu, ju])
    worst = int(np.argmax(err))
    assert err.max() < TOL, (family.names[iu[worst]], family.names[ju[worst]],
                             family.kin[iu[worst], ju[worst]], family.expected[iu[worst], ju[worst]])


@pytest.mark.parametrize("a, b, expected_kinship, expected_degree", [
    ("kid1", "kid1_dup", 0.5, "duplicate/MZ"),
    ("mum", "kid1", 0.25, "first"),
    ("dad", "kid2", 0.25, "first"),
    ("kid1", "kid2", 0.25, "first"),
    ("mum", "grandkid1", 0.125, "second"),
    ("kid1", "halfsib", 0.125, "second"),
    ("kid2", "grandkid1", 0.125, "second"),            # avuncular
    ("grandkid1", "grandkid2", 0.0625, "third"),       # first cousins
    ("U0", "U1", 0.0, "unrelated"),
    ("mum", "dad", 0.0, "unrelated"),
])
def test_planted_relatives(family, a, b, expected_kinship, expected_degree):
    i, j = family.idx[a], family.idx[b]
    k = family.kin[i, j]
    assert k == pytest.approx(expected_kinship, abs=TOL)
    assert rel.degree(k) == expected_degree
    assert family.kin[j, i] == pytest.approx(k)        # symmetric


def test_duplicate_scores_exactly_half_over_shared_sites(family):
    i, j = family.idx["kid1"], family.idx["kid1_dup"]
    both = (family.g[i] >= 0) & (family.g[j] >= 0)
    assert family.n_sites[i, j] == both.sum() < N_SITES * 0.98
    assert family.kin[i, j] == pytest.approx(0.5, abs=1e-9)
    assert family.ibs0[i, j] == 0


def test_ibs0_separates_parent_child_from_siblings(family):
    ix = family.idx
    po = family.ibs0[ix["mum"], ix["kid1"]]
    fs = family.ibs0[ix["kid1"], ix["kid2"]]
    un = family.ibs0[ix["U0"], ix["U1"]]
    assert po == 0                      # a parent and child always share an allele
    assert 0.01 < fs < un               # siblings share none at ~1/4 of sites
    assert family.n_sites[ix["U0"], ix["U1"]] > 0.99 * N_SITES


def test_related_pairs_lists_only_relatives_sorted(family):
    rows = rel.related_pairs(family.names, family.kin, family.ibs0, family.n_sites)
    found = {(a, b) for a, b, *_ in rows}
    n = len(family.names)
    expected = {(family.names[i], family.names[j]) for i in range(n) for j in range(i + 1, n)
                if family.expected[i, j] > 0.04}
    assert found == expected
    kins = [r[2] for r in rows]
    assert kins == sorted(kins, reverse=True)
    order = {name: i for i, name in enumerate(family.names)}
    assert all(order[a] < order[b] for a, b, *_ in rows)
    assert rows[0][:2] == ("kid1", "kid1_dup") and rows[0][5] == "duplicate/MZ"
    counts = rel.degree_counts(family.kin)
    assert counts["duplicate/MZ"] == 1
    assert sum(counts.values()) == n * (n - 1) // 2
    assert counts["unrelated"] == n * (n - 1) // 2 - len(rows)


def test_population_structure_does_not_make_relatives():
    """Two populations at Fst ~0.05 (Balding-Nichols): unrelated stay unrelated."""
    rng = np.random.default_rng(99)
    fst = 0.05
    anc = rng.uniform(0.1, 0.9, N_SITES)
    a, b = anc * (1 - fst) / fst, (1 - anc) * (1 - fst) / fst
    pops = [rng.beta(a, b) for _ in range(2)]
    per_pop = 15
    haps = [founder(rng, pops[k]) for k in range(2) for _ in range(per_pop)]
    # a full-sib pair inside population 2, to show relatives are still found
    sib1 = child(rng, haps[-1], haps[-2])
    sib2 = child(rng, haps[-1], haps[-2])
    g = np.stack([dosage(h) for h in haps] + [dosage(sib1), dosage(sib2)])
    kin, _, _ = rel.king_robust(g)
    n_unrel = 2 * per_pop
    block = kin[:n_unrel, :n_unrel]
    iu, ju = np.triu_indices(n_unrel, k=1)
    same = (iu < per_pop) == (ju < per_pop)
    assert np.all(block[iu, ju] < 0.0442), block[iu, ju].max()
    assert abs(block[iu, ju][same].mean()) < 0.01           # within populations ~0
    assert block[iu, ju][~same].mean() < -0.02               # across: negative, not related
    assert kin[-1, -2] == pytest.approx(0.25, abs=TOL)
    assert rel.degree(kin[-1, -2]) == "first"
    assert kin[-1, -3] == pytest.approx(0.25, abs=TOL)       # sib and its parent


# --------------------------------------------------------------------------- #
# degree, sample stats and MAD outliers
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("k, expected", [
    (0.5, "duplicate/MZ"), (0.3541, "duplicate/MZ"), (0.354, "first"), (0.25, "first"),
    (0.1771, "first"), (0.177, "second"), (0.125, "second"), (0.0885, "second"),
    (0.0884, "third"), (0.0625, "third"), (0.0443, "third"), (0.0442, "unrelated"),
    (0.0, "unrelated"), (-0.2, "unrelated"), (float("nan"), "unrelated"),
])
def test_degree_cutoffs(k, expected):
    assert rel.degree(k) == expected
    assert rel.DEGREES[int(rel.degree_codes(np.array([k]))[0])] == expected


def test_sample_stats():
    g = np.array([[0, 1, 1, -1],
                  [2, 2, -1, -1],
                  [-1, -1, -1, -1]], dtype=np.int8)
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
    assert not rel.mad_outliers([0.99, 0.99, 0.99, 0.99, 0.5], k=5).any()   # MAD 0
    assert not rel.mad_outliers([0.1, 0.9], k=0.1).any()                    # < 3 samples
    flags = rel.mad_outliers([1.0, 1.1, 0.9, 1.05, np.nan, 9.0], k=5)
    assert flags.tolist() == [False, False, False, False, False, True]      # NaN never
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
    alleles = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [-1, -1], [-1, 1], [0, -1],
                        [1, -2], [0, -2], [2, 0]], dtype=np.int16)
    assert rel.alleles_to_dosage(alleles).tolist() == [0, 1, 1, 2, -1, -1, -1, -1, -1, -1]


def test_is_biallelic_snv():
    assert rel.is_biallelic_snv("A", ["G"])
    assert rel.is_biallelic_snv("c", ["t"])
    for ref, alts in [("A", ["G", "T"]), ("A", ["AT"]), ("AT", ["A"]), ("A", ["*"]),
                      ("A", ["<NON_REF>"]), ("A", ["A"]), ("N", ["A"]), ("A", [])]:
        assert not rel.is_biallelic_snv(ref, alts), (ref, alts)


HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=LowQual,Description="Low quality">
##contig=<ID=chr1,length=1000000>
##contig=<ID=2,length=1000000>
##contig=<ID=chr1_KI270706v1_random,length=100000>
##contig=<ID=chrX,length=1000000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
"""


def write_vcf(path: Path, samples: Sequence[str], records: Sequence[Tuple]) -> Path:
    """bgzip + tabix a VCF from (chrom, pos, ref, alt, qual, filter, [GT...]) tuples."""
    text = path.with_suffix("")
    with open(text, "w") as fh:
        fh.write(HEADER)
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples) + "\n")
        for chrom, pos, ref, alt, qual, filt, gts in records:
            fh.write(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{qual}\t{filt}\t.\tGT\t" + "\t".join(gts) + "\n")
    subprocess.run(["bgzip", "-f", str(text)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


needs_htslib = pytest.mark.skipif(not (shutil.which("bgzip") and shutil.which("tabix")),
                                  reason="bgzip/tabix required")

ALL_HET = ["0/1"] * 4
LOAD_RECORDS = [
    # chrom, pos, ref, alt, qual, filter, genotypes                       kept?
    ("chr1", 100, "A", "G", 50, "PASS", ["0/0", "0/1", "1/1", "./."]),    # yes (call rate .75)
    ("chr1", 200, "C", "T", 99, ".", ["0|1", "1|1", "0/1", "0/0"]),       # yes, FILTER "."
    ("chr1", 300, "G", "A", 50, "LowQual", ALL_HET),                      # filtered
    ("chr1", 400, "A", "G,T", 50, "PASS", ["0/1", "1/2", "0/0", "2/2"]),  # multi-allelic
    ("chr1", 500, "A", "AT", 50, "PASS", ALL_HET),                        # indel
    ("chr1", 600, "T", "C", 10, "PASS", ALL_HET),                         # QUAL < 30
    ("chr1", 700, "T", "C", ".", "PASS", ALL_HET),                        # QUAL missing
    ("chr1", 800, "T", "C", 50, "PASS", ["0/0", "0/0", "0/0", "0/0"]),    # MAF 0
    ("chr1", 900, "T", "C", 50, "PASS", ["0/1", "./.", "./.", "0/0"]),    # call rate .5
    ("chr1", 950, "T", "C", 50, "PASS", ["0/1", "./1", "0/.", "1"]),      # partial/haploid: .25
    ("chr1_KI270706v1_random", 10, "A", "G", 50, "PASS", ALL_HET),        # not an autosome
    ("2", 100, "G", "C", 50, "PASS", ["1/1", "0/1", "./.", "0/1"]),       # yes, no chr prefix
    ("chrX", 100, "A", "G", 50, "PASS", ALL_HET),                         # chrX
]


@needs_htslib
def test_load_genotypes_keeps_only_qc_sites(tmp_path):
    vcf = write_vcf(tmp_path / "t.vcf.gz", ["s1", "s2", "s3", "s4"], LOAD_RECORDS)
    counts: Dict[str, int] = {}
    samples, g = rel.load_genotypes(str(vcf), min_site_call_rate=0.7, counts=counts)
    assert samples == ["s1", "s2", "s3", "s4"]
    assert g.dtype == np.int8 and g.shape == (4, 3)
    assert g.tolist() == [[0, 1, 2], [1, 2, 1], [2, 1, -1], [-1, 0, 1]]
    assert counts == {"records": 13, "not_pass": 1, "not_autosome": 2, "not_biallelic_snv": 2,
                      "low_qual": 2, "low_call_rate": 2, "low_maf": 1, "kept": 3}
    # Small chunks give the same matrix; looser call rate keeps two more sites.
    _, g_small = rel.load_genotypes(str(vcf), min_site_call_rate=0.7, chunk_size=2)
    np.testing.assert_array_equal(g_small, g)
    _, g_loose = rel.load_genotypes(str(vcf), min_site_call_rate=0.25)
    assert g_loose.shape == (4, 5)
    assert g_loose[:, 3].tolist() == [1, -1, -1, -1]       # ./1, 0/. and haploid are missing
    # The regex must match the whole name, so the config's unanchored form
    # still excludes chr1_KI270706v1_random; a custom one can admit chrX.
    _, g_unanchored = rel.load_genotypes(str(vcf), autosomes=r"(chr)?([1-9]|1[0-9]|2[0-2])",
                                         min_site_call_rate=0.7)
    np.testing.assert_array_equal(g_unanchored, g)
    _, g_x = rel.load_genotypes(str(vcf), autosomes=r"chrX", min_site_call_rate=0.7)
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
        output=types.SimpleNamespace(relatedness=str(out / "relatedness.tsv"),
                                     samples=str(out / "samples.tsv"),
                                     json=str(out / "relatedness.json")),
        params=types.SimpleNamespace(**params),
        log=[str(tmp_path / "relatedness.log")],
        threads=1,
    )


def _read_tsv(path: str) -> List[List[str]]:
    return [line.rstrip("\n").split("\t") for line in open(path)]


@needs_htslib
def test_main_end_to_end(tmp_path):
    rng = np.random.default_rng(5)
    m = 4000
    p = rng.uniform(0.05, 0.95, m)
    haps = {f"S{k}": founder(rng, p) for k in range(8)}
    haps["S8"] = child(rng, haps["S0"], haps["S1"])       # child of S0 and S1
    haps["S9"] = haps["S3"].copy()                         # duplicate of S3
    names = list(haps)
    g = np.stack([dosage(h) for h in haps.values()])
    g[5, rng.random(m) < 0.5] = 1                          # S5: contaminated-looking het excess
    g[rng.random(g.shape) < 0.005] = -1                    # background missingness (MAD > 0)
    g[6, rng.random(m) < 0.04] = -1                        # S6: low call rate
    records = [("chr1", pos + 1, "A", "G", 60, "PASS", [_gt(d) for d in g[:, pos]])
               for pos in range(m)]
    records.append(("chrX", 1, "A", "G", 60, "PASS", ["0/1"] * len(names)))
    vcf = write_vcf(tmp_path / "cohort.vcf.gz", names, records)
    smk = _smk(tmp_path, vcf, autosomes=r"(chr)?([1-9]|1[0-9]|2[0-2])", min_qual=30,
               min_site_call_rate=0.9, min_maf=0.01, mad_k=5)

    rel.main(smk)

    assert sys.stderr is sys.__stderr__ or not getattr(sys.stderr, "closed", False)
    pairs = _read_tsv(smk.output.relatedness)
    assert pairs[0] == ["sample_1", "sample_2", "kinship", "ibs0", "n_sites", "degree"]
    by_pair = {(r[0], r[1]): r for r in pairs[1:]}
    assert set(by_pair) == {("S3", "S9"), ("S0", "S8"), ("S1", "S8")}
    assert pairs[1][:2] == ["S3", "S9"] and pairs[1][5] == "duplicate/MZ"
    assert by_pair[("S0", "S8")][5] == "first" and float(by_pair[("S0", "S8")][3]) == 0
    assert all(len(r[2].split(".")[1]) == 6 for r in pairs[1:])

    rows = _read_tsv(smk.output.samples)
    assert rows[0] == ["sample", "n_called", "call_rate", "n_het", "het_rate",
                       "het_outlier", "call_rate_outlier"]
    table = {r[0]: r for r in rows[1:]}
    assert list(table) == names
    assert {n for n, r in table.items() if r[5] == "true"} == {"S5"}
    assert {n for n, r in table.items() if r[6] == "true"} == {"S6"}
    assert all(r[5] in ("true", "false") and r[6] in ("true", "false") for r in rows[1:])

    summary = json.load(open(smk.output.json))
    n_sites = summary["n_sites"]
    assert 0.9 * m < n_sites <= m
    assert float(table["S6"][2]) == pytest.approx(int(table["S6"][1]) / n_sites, abs=1e-6)
    assert float(table["S5"][4]) == pytest.approx(int(table["S5"][3]) / int(table["S5"][1]), abs=1e-6)
    assert summary["n_samples"] == len(names)
    assert summary["filters"]["min_qual"] == 30
    assert summary["pairs_per_degree"] == {"duplicate/MZ": 1, "first": 2, "second": 0,
                                           "third": 0, "unrelated": 45 - 3}
    assert summary["records"]["not_autosome"] == 1
    log = Path(smk.log[0]).read_text()
    assert "records read" in log and "sites kept" in log


@needs_htslib
def test_main_with_no_usable_sites_writes_headers(tmp_path):
    records = [("chrX", 1, "A", "G", 60, "PASS", ["0/1", "0/0", "1/1"]),
               ("chr1", 5, "A", "G", 60, "LowQual", ["0/1", "0/0", "1/1"])]
    vcf = write_vcf(tmp_path / "empty.vcf.gz", ["a", "b", "c"], records)
    smk = _smk(tmp_path, vcf)                       # params all defaulted
    rel.main(smk)
    assert "0 sites kept" in Path(smk.log[0]).read_text()
    assert open(smk.output.relatedness).read() == "\t".join(rel.RELATEDNESS_COLUMNS) + "\n"
    rows = _read_tsv(smk.output.samples)
    assert rows[1] == ["a", "0", "NA", "0", "NA", "false", "false"]
    summary = json.load(open(smk.output.json))
    assert summary["n_sites"] == 0 and summary["pairs_per_degree"]["unrelated"] == 3


def test_stderr_to_captures_python_and_c_level_stderr(tmp_path):
    log = tmp_path / "x.log"
    with open(log, "w") as fh, rel._stderr_to(fh):
        print("from python", file=sys.stderr, flush=True)
        os.write(2, b"from fd 2 (as htslib writes)\n")
    os.write(2, b"")                                 # fd 2 restored and usable
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
    script = Path(rel.__file__)
    proc = subprocess.run([sys.executable, str(script), "--vcf", str(vcf),
                           "--out-prefix", str(tmp_path / "qc")],
                          capture_output=True, text=True, check=True)
    assert "sites kept" in proc.stderr
    pairs = _read_tsv(str(tmp_path / "qc.relatedness.tsv"))
    assert {(r[0], r[1], r[5]) for r in pairs[1:]} == {("x", "z", "first"), ("y", "z", "first")}
