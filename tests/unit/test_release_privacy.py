"""Tests for refcohort.release.privacy: small counts and small groups are withheld, and no
withheld count can be recovered by subtraction (checked by linear algebra over the
population x sex cells, independently of the graph method the package uses).
"""

from pathlib import Path

import numpy as np
import pytest
from release_cohort import (
    make_cohort,
    random_records,
    read_release,
    run_release,
)

import refcohort.release as rl


# --------------------------------------------------------------------------- #
# Privacy: small counts, small groups, recovery by subtraction
# --------------------------------------------------------------------------- #
def atoms_and_rows(design: rl.Design) -> np.ndarray:
    """(groups, atoms) 0/1: which population x sex cells each group sums, from the groups'
    names and members only (independent of the graph the script uses)."""
    cells = sorted({(s.population, s.sex) for s in design.samples})
    rows = np.zeros((len(design.groups), len(cells)))
    for i, g in enumerate(design.groups):
        for j, (pop, sex) in enumerate(cells):
            if g.population in ("all", pop) and g.sex in ("all", sex):
                rows[i, j] = 1
    return rows


def recoverable(rows: np.ndarray, published: np.ndarray, target: int) -> bool:
    """Whether group ``target``'s value is a linear combination of published groups'."""
    known = rows[published]
    if not known.size:
        return False
    base = np.linalg.matrix_rank(known)
    return np.linalg.matrix_rank(np.vstack([known, rows[target]])) == base


def test_small_groups_are_withheld_and_cannot_be_recovered():
    samples = (
        [rl.Sample(f"a{i}", "FI", "F") for i in range(30)]
        + [rl.Sample(f"b{i}", "FI", "M") for i in range(25)]
        + [rl.Sample(f"c{i}", "EE", "F") for i in range(25)]
        + [rl.Sample(f"d{i}", "EE", "M") for i in range(3)]
    )
    design = rl.Design(samples, min_group_size=20, min_allele_count=10)
    status = {g.name: g.published for g in design.groups}
    assert status == {
        "all": True,
        "FI": True,
        "EE": True,
        "F": True,
        "M": True,
        "FI_F": False,
        "FI_M": False,
        "EE_F": False,
        "EE_M": False,
    }
    reasons = {g.name: g.reason for g in design.groups}
    assert reasons["EE_M"] == "fewer than 20 individuals" and "recovered" in reasons["FI_F"]
    rows = atoms_and_rows(design)
    published = np.array([g.published for g in design.groups])
    small = [i for i, g in enumerate(design.groups) if g.size < 20]
    assert small and not any(recoverable(rows, published, i) for i in small)
    # without the protection EE_M would be EE - EE_F
    naive = np.array([g.size >= 20 for g in design.groups])
    assert any(recoverable(rows, naive, i) for i in small)


def test_a_small_population_is_not_recoverable_from_the_whole_cohort():
    samples = (
        [rl.Sample(f"a{i}", "FI", "F") for i in range(40)]
        + [rl.Sample(f"b{i}", "FI", "M") for i in range(40)]
        + [rl.Sample(f"c{i}", "EE", "F") for i in range(30)]
        + [rl.Sample(f"d{i}", "EE", "M") for i in range(30)]
        + [rl.Sample(f"e{i}", "NL", "F") for i in range(4)]
    )
    design = rl.Design(samples, min_group_size=20)
    rows = atoms_and_rows(design)
    published = np.array([g.published for g in design.groups])
    for i, g in enumerate(design.groups):
        if g.size < 20:
            assert not g.published and not recoverable(rows, published, i), g.name
    assert {g.name for g in design.published} >= {"all"}


def random_design(rng, pops=3, unknown=False):
    samples = []
    for p in ["FI", "EE", "NL", "SE"][:pops]:
        for sex in ("F", "M", "U") if unknown else ("F", "M"):
            for i in range(int(rng.integers(0, 30))):
                samples.append(rl.Sample(f"{p}{sex}{i}", p, sex))
    return samples


@pytest.mark.parametrize("seed", range(12))
def test_no_suppressed_count_can_be_recovered_by_subtraction(seed):
    """Random tables and counts: after suppression, no sensitive hidden value (small count
    or withheld small group) is a linear combination of the published values."""
    rng = np.random.default_rng(seed)
    design = rl.Design(
        random_design(rng, pops=2 + seed % 3, unknown=seed % 2 == 1),
        min_group_size=8,
        min_allele_count=5,
    )
    rows = atoms_and_rows(design)
    n_atoms = rows.shape[1]
    records = 60
    atom_an = rng.integers(0, 40, (records, n_atoms))
    atom_ac = (atom_an * rng.choice([0, 0.02, 0.1, 0.5, 0.97, 1.0], (records, n_atoms))).astype(int)
    ac, an = atom_ac @ rows.T, atom_an @ rows.T
    primary = design.sensitive(ac, an)
    hidden = design.suppress(primary)
    assert (hidden | ~primary).all() and (
        hidden[:, ~np.array([g.published for g in design.groups])]
    ).all()
    small = np.array([g.size < design.min_group_size for g in design.groups])
    for r in range(records):
        sensitive = primary[r] | small
        for i in np.nonzero(sensitive & hidden[r])[0]:
            assert not recoverable(rows, ~hidden[r], i), (seed, r, design.groups[i].name)
    # and the protection is not everything: some counts stay published
    if design.published:
        assert (~hidden).sum() > 0


def test_random_tables_need_and_get_protective_suppression():
    extra = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        design = rl.Design(random_design(rng, pops=3), min_group_size=8, min_allele_count=5)
        rows = atoms_and_rows(design)
        atom_an = rng.integers(0, 40, (60, rows.shape[1]))
        atom_ac = (atom_an * rng.choice([0, 0.02, 0.1, 0.5], atom_an.shape)).astype(int)
        primary = design.sensitive(atom_ac @ rows.T, atom_an @ rows.T)
        extra += (design.suppress(primary) & ~primary).sum()
    assert extra > 0


def test_protect_puts_a_lone_hidden_cell_on_a_cycle():
    # 2 x 2 table with margins: nodes 0,1 rows, 2 row total, 3,4 columns, 5 column total
    edges = [(0, 3), (0, 4), (1, 3), (1, 4), (0, 5), (1, 5), (2, 3), (2, 4), (2, 5)]
    weights = [5, 6, 7, 8, 11, 15, 12, 14, 26]
    hidden = rl.protect(1, 1, edges, weights, 6)
    assert hidden == 0b1111  # the four inner cells: the cheapest cycle through cell 0
    assert rl.protect(0, 0, edges, weights, 6) == 0
    assert rl.protect(0b1111, 0b0001, edges, weights, 6) == 0b1111


def test_suppression_in_the_vcf_and_the_summary(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 3, ("EE", "F"): 3, ("EE", "M"): 3})
    # sample order: EE_F x3, EE_M x3, FI_F x3, FI_M x3
    records = [
        ("chr1", 10, "A", "G", ["0/1"] + ["0/0"] * 11),  # a singleton
        ("chr1", 20, "A", "G", ["1/1"] * 3 + ["0/1"] * 3 + ["0/0"] * 6),
        ("chr1", 30, "A", "G", ["1/1"] * 11 + ["0/1"]),  # one REF allele: also rare
        ("chr1", 40, "A", "G", ["0/0"] * 6 + ["0/1"] * 2 + ["0/0"] + ["0/1"] * 3),
    ]
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=3, min_group_size=3)
    _, recs = read_release(out)
    r10, r20, r30, r40 = recs
    assert r10["AN"] == "24" and r10["AC"] == "." and r10["AF"] == "." and r10["AC_Het"] == "."
    assert r10["AC_EE"] == "." and r10["AC_FI"] == "0" and r10["AN_EE"] == "12"
    assert r20["AC"] == "9" and r20["AC_EE"] == "9" and r20["AC_FI"] == "0"
    assert r20["AC_EE_F"] == "6" and r20["AC_EE_M"] == "3" and r20["AF_EE_M"] == "0.5"
    assert r30["AC"] == "." and r30["AN"] == "24"
    # FI_F has AC 2 (small); FI_M 3, FI 5, the whole cohort 5 are not small, but FI_M
    # = FI - FI_F would give FI_F away: something more is suppressed
    assert r40["AC_FI_F"] == "." and r40["AC"] == "5"
    assert [r40[k] for k in ("AC_FI", "AC_FI_M", "AC_F", "AC_EE_F")].count(".") >= 2
    groups = {g["group"]: g for g in summary["groups"]}
    assert groups["all"]["suppressed_small_count"] == 2
    assert sum(g["suppressed_to_protect"] for g in groups.values()) > 0
    for g in groups.values():
        assert (
            g["records_published"] + g["suppressed_small_count"] + g["suppressed_to_protect"] == 4
        )
    header, _ = read_release(out)
    policy = [h for h in header if h.startswith("##release_policy")]
    assert any("min_allele_count=3" in h for h in policy) and any(
        "min_group_size=3" in h for h in policy
    )
    assert any("kinship > 0.177" in h for h in policy)
    assert "##release_group=<ID=FI_F,Population=FI,Sex=F,Individuals=3>" in header


def test_small_groups_are_absent_from_the_vcf(tmp_path):
    cohort = make_cohort({("FI", "F"): 5, ("FI", "M"): 5, ("EE", "F"): 2})
    rng = np.random.default_rng(6)
    summary, out = run_release(
        tmp_path, cohort, random_records(rng, cohort), min_allele_count=1, min_group_size=4
    )
    status = {g["group"]: g["status"] for g in summary["groups"]}
    assert status["EE"] == "withheld" and status["EE_F"] == "withheld"
    header, recs = read_release(out)
    keys = {k for r in recs for k in r}
    assert not any(k.endswith("_EE") or "_EE_" in k for k in keys)
    assert "##release_group=<ID=EE,Population=EE,Sex=all,Status=withheld>" in header
    # EE is withheld and would be all - FI: so FI (or the whole cohort) is withheld too
    assert status["FI"] == "withheld" or status["all"] == "withheld"


def test_nobody_released_gives_an_empty_release(tmp_path):
    cohort = make_cohort({("FI", "U"): 2})
    summary, out = run_release(tmp_path, cohort, [("chr1", 10, "A", "G", ["0/1", "0/0"])])
    header, recs = read_release(out)
    assert recs == [] and summary["samples_released"] == 0 and header[-1].startswith("#CHROM")
    assert Path(f"{out}.tbi").exists()
