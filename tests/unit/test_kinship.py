"""Tests for refcohort.qc.kinship: KING-robust kinship against a naive per-pair count and
pedigree kinship, planted relatives, IBS0, related pairs and the degree cut-offs."""

import types

import numpy as np
import pytest
from kinship_sim import (
    Pedigree,
    child,
    dosage,
    founder,
)

import refcohort.qc.kinship as km

N_SITES = 20_000
TOL = 0.03


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
    ped.child("grandkid1", kid1, in_law1)  # mum/dad: grandparent (1/8)
    ped.child("grandkid2", kid2, in_law2)  # grandkid1: first cousin (1/16)
    other = ped.founder("other")
    ped.child("halfsib", mum, other)  # kid1/kid2: half-sibs (1/8)
    ped.duplicate("kid1_dup", kid1)
    g = ped.genotypes()
    # A few % random missing calls in the duplicate, and some everywhere.
    dup = ped.names.index("kid1_dup")
    g[dup, rng.random(N_SITES) < 0.03] = -1
    g[rng.random(g.shape) < 0.002] = -1
    kin, ibs0, n_sites = km.king_robust(g)
    return types.SimpleNamespace(
        names=ped.names,
        g=g,
        expected=ped.kinship(),
        kin=kin,
        ibs0=ibs0,
        n_sites=n_sites,
        idx={n: i for i, n in enumerate(ped.names)},
    )


def naive_king(g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
@pytest.mark.parametrize(
    "block_sites, exact_limit", [(None, None), (1, None), (7, None), (64, None), (64, 100)]
)
def test_king_matches_naive_per_pair_counts(block_sites, exact_limit, monkeypatch):
    if exact_limit:  # fold the float32 sums into float64 every few blocks
        monkeypatch.setattr(km, "_EXACT_FLOAT32", exact_limit)
    rng = np.random.default_rng(7)
    g = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=(6, 300), p=[0.45, 0.35, 0.2])
    g[:, 100:160][rng.random((6, 60)) < 0.2] = -1  # missing only in some blocks
    g[5, :] = np.where(rng.random(300) < 0.5, -1, 0)  # no heterozygous call at all
    kin, ibs0, shared = km.king_robust(g, block_sites=block_sites)
    nk, ni, ns = naive_king(g)
    np.testing.assert_array_equal(shared, ns)
    np.testing.assert_allclose(ibs0, ni, rtol=1e-12, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(kin, nk, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert np.isnan(kin[5]).all()  # min het count 0 -> undefined
    assert np.allclose(np.diag(kin)[:5], 0.5)


def test_king_matches_naive_without_missing_calls():
    """All-called sites take the two-product path (H Hᵀ derived from Q Qᵀ)."""
    rng = np.random.default_rng(8)
    g = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=(5, 250), p=[0.5, 0.3, 0.2])
    kin, ibs0, shared = km.king_robust(g, block_sites=60)
    nk, ni, ns = naive_king(g)
    np.testing.assert_array_equal(shared, ns)
    np.testing.assert_allclose(ibs0, ni, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kin, nk, rtol=1e-12, atol=1e-12)


def test_king_rejects_non_matrix():
    with pytest.raises(ValueError):
        km.king_robust(np.zeros(10, dtype=np.int8))


def test_king_matches_pedigree_kinship_for_every_pair(family):
    n = len(family.names)
    iu, ju = np.triu_indices(n, k=1)
    err = np.abs(family.kin[iu, ju] - family.expected[iu, ju])
    worst = int(np.argmax(err))
    assert err.max() < TOL, (
        family.names[iu[worst]],
        family.names[ju[worst]],
        family.kin[iu[worst], ju[worst]],
        family.expected[iu[worst], ju[worst]],
    )


@pytest.mark.parametrize(
    "a, b, expected_kinship, expected_degree",
    [
        ("kid1", "kid1_dup", 0.5, "duplicate/MZ"),
        ("mum", "kid1", 0.25, "first"),
        ("dad", "kid2", 0.25, "first"),
        ("kid1", "kid2", 0.25, "first"),
        ("mum", "grandkid1", 0.125, "second"),
        ("kid1", "halfsib", 0.125, "second"),
        ("kid2", "grandkid1", 0.125, "second"),  # avuncular
        ("grandkid1", "grandkid2", 0.0625, "third"),  # first cousins
        ("U0", "U1", 0.0, "unrelated"),
        ("mum", "dad", 0.0, "unrelated"),
    ],
)
def test_planted_relatives(family, a, b, expected_kinship, expected_degree):
    i, j = family.idx[a], family.idx[b]
    k = family.kin[i, j]
    assert k == pytest.approx(expected_kinship, abs=TOL)
    assert km.degree(k) == expected_degree
    assert family.kin[j, i] == pytest.approx(k)  # symmetric


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
    assert po == 0  # a parent and child always share an allele
    assert 0.01 < fs < un  # siblings share none at ~1/4 of sites
    assert family.n_sites[ix["U0"], ix["U1"]] > 0.99 * N_SITES


def test_related_pairs_lists_only_relatives_sorted(family):
    rows = km.related_pairs(family.names, family.kin, family.ibs0, family.n_sites)
    found = {(a, b) for a, b, *_ in rows}
    n = len(family.names)
    expected = {
        (family.names[i], family.names[j])
        for i in range(n)
        for j in range(i + 1, n)
        if family.expected[i, j] > 0.04
    }
    assert found == expected
    kins = [r[2] for r in rows]
    assert kins == sorted(kins, reverse=True)
    order = {name: i for i, name in enumerate(family.names)}
    assert all(order[a] < order[b] for a, b, *_ in rows)
    assert rows[0][:2] == ("kid1", "kid1_dup") and rows[0][5] == "duplicate/MZ"
    counts = km.degree_counts(family.kin)
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
    kin, _, _ = km.king_robust(g)
    n_unrel = 2 * per_pop
    block = kin[:n_unrel, :n_unrel]
    iu, ju = np.triu_indices(n_unrel, k=1)
    same = (iu < per_pop) == (ju < per_pop)
    assert np.all(block[iu, ju] < 0.0442), block[iu, ju].max()
    assert abs(block[iu, ju][same].mean()) < 0.01  # within populations ~0
    assert block[iu, ju][~same].mean() < -0.02  # across: negative, not related
    assert kin[-1, -2] == pytest.approx(0.25, abs=TOL)
    assert km.degree(kin[-1, -2]) == "first"
    assert kin[-1, -3] == pytest.approx(0.25, abs=TOL)  # sib and its parent


# --------------------------------------------------------------------------- #
# degree cut-offs
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "k, expected",
    [
        (0.5, "duplicate/MZ"),
        (0.3541, "duplicate/MZ"),
        (0.354, "first"),
        (0.25, "first"),
        (0.1771, "first"),
        (0.177, "second"),
        (0.125, "second"),
        (0.0885, "second"),
        (0.0884, "third"),
        (0.0625, "third"),
        (0.0443, "third"),
        (0.0442, "unrelated"),
        (0.0, "unrelated"),
        (-0.2, "unrelated"),
        (float("nan"), "unrelated"),
    ],
)
def test_degree_cutoffs(k, expected):
    assert km.degree(k) == expected
    assert km.DEGREES[int(km.degree_codes(np.array([k]))[0])] == expected
