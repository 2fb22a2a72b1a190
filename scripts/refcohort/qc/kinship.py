"""KING-robust kinship for every pair of samples, and relationship degrees.

:func:`king_robust` estimates kinship, IBS0 and the number of jointly called sites for
every pair with float32 matrix products over indicator matrices, one block of sites at a
time; :func:`degree` names the relationship with the KING cut-offs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# KING cut-offs (Manichaikul et al. 2010, Table 1; KING manual): powers of
# 2^-0.5 between the expected kinships 1/2, 1/4, 1/8, 1/16 and 1/32.
DEGREE_CUTOFFS: tuple[tuple[float, str], ...] = (
    (0.354, "duplicate/MZ"),
    (0.177, "first"),
    (0.0884, "second"),
    (0.0442, "third"),
)
UNRELATED = "unrelated"
DEGREES: tuple[str, ...] = tuple(name for _, name in DEGREE_CUTOFFS) + (UNRELATED,)

# Elements per float32 indicator block in king_robust (block = n x sites).
_KING_BLOCK_ELEMENTS = 1 << 23
# float32 holds every integer up to 2^24 exactly: the most sites summed before a fold.
_EXACT_FLOAT32 = 1 << 24


def king_robust(
    genotypes: np.ndarray, block_sites: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """KING-robust kinship, IBS0 fraction and jointly called sites for all pairs.

    ``genotypes`` is ``(n_samples, n_sites)`` int8: ALT dosage 0/1/2, -1 missing.
    For samples i, j and the sites both are called at, with ``N_AaAa`` the
    sites where both are heterozygous, ``N_AA,aa`` those with opposite
    homozygotes (IBS0) and ``N_Aa(i)``, ``N_Aa(j)`` each one's heterozygous
    count, the estimate is the *between-family* KING-robust kinship of
    Manichaikul et al. (2010) "Robust relationship inference in genome-wide
    association studies", Bioinformatics 26(22):2867-2873, eq. 11,
    doi:10.1093/bioinformatics/btq559::

        phi_ij = (N_AaAa - 2 N_AA,aa) / (2 m) + 1/2 - (N_Aa(i) + N_Aa(j)) / (4 m)
        m      = min(N_Aa(i), N_Aa(j))

    This is the estimator PLINK 2 ``--make-king``/``--make-king-table`` report
    ("pedigree information is currently ignored; the between-family estimator
    is used for all pairs", plink2 help for --make-king), written there as
    ``0.5 - (4 IBS0 + het1hom2 + het2hom1) / (4 (hethet + min(het1hom2,
    het2hom1)))`` over pairwise-non-missing variants (``ComputeKinship`` in
    plink-ng 2.0/plink2_matrix_calc.cc), which is the same expression.  Duplicates
    score 1/2, first degree 1/4, second 1/8, third 1/16; pairs from different
    populations score negative.

    Returns ``(kinship, ibs0, n_sites)``, each ``(n_samples, n_samples)``:
    float64 kinship (NaN when either sample has no heterozygous call among the
    shared sites, e.g. no shared sites), float64 IBS0 = ``N_AA,aa / n_sites``
    (NaN when ``n_sites`` is 0), int64 ``n_sites``.  The diagonal holds
    self-comparisons (kinship 1/2, IBS0 0).

    Counts are exact: sites are processed ``block_sites`` at a time (default:
    blocks of about 2^23 float32 elements per matrix) with float32 BLAS
    products summed in float32 (exact integers below 2^24 sites) and folded
    into float64.  With H the het indicator, X = dosage - 1 (0 when missing)
    and Q = |X| the homozygote indicator, so the called indicator is
    M = H + Q, each block is split into columns where everyone is called and
    columns with a missing call:

    * complete sites, 2 symmetric products (BLAS syrk)::

        N_AA,aa = (Q Qᵀ - X Xᵀ) / 2      (QQᵀ = same + opposite homozygotes,
                                          XXᵀ = same - opposite)
        N_AaAa  = c - q_i - q_j + Q Qᵀ   (H = 1 - Q; c sites; q_i = hom of i)
        N_Aa(i) = c - q_i,   shared = c

    * sites with a missing call, 3 syrk and 1 general product (H Qᵀ)::

        N_AaAa  = H Hᵀ,   N_AA,aa = (Q Qᵀ - X Xᵀ) / 2
        H Mᵀ    = H Hᵀ + H Qᵀ                  (row i, column j: het count of
                                                i at the sites j is called)
        M Mᵀ    = H Hᵀ + H Qᵀ + (H Qᵀ)ᵀ + Q Qᵀ  (jointly called sites)

    i.e. 2 and 5 syrk-equivalents of work per site, against 3 and 6 for the
    direct H Hᵀ, R Aᵀ (+ transpose), H Mᵀ, M Mᵀ.  Memory: the int8 input,
    three float32 block matrices and about a dozen n x n float64/float32
    arrays (about 100 MiB per 1,000 samples squared).
    """
    g = np.asarray(genotypes)
    if g.ndim != 2:
        raise ValueError(f"genotypes must be 2-D (samples x sites), got shape {g.shape}")
    n, m = g.shape
    if block_sites is None:
        block_sites = max(256, _KING_BLOCK_ELEMENTS // max(1, n))
    block_sites = int(min(max(1, block_sites), 1 << 24))

    # Raw products, float32 while exact (< 2^24 sites), folded into float64.
    names = ("qq_complete", "qq_missing", "hh_missing", "hq_missing", "xx")
    totals = {k: np.zeros((n, n), dtype=np.float64) for k in names}
    acc = {k: np.zeros((n, n), dtype=np.float32) for k in names}
    hom_rows = np.zeros(n, dtype=np.float64)  # hom counts over complete sites
    n_complete = 0  # sites where every sample is called
    pending = 0  # sites summed in acc since the last fold

    def fold(last: bool = False) -> None:
        for k in names:
            totals[k] += acc[k]
            if last:
                del acc[k]  # free float32 memory as we go
            else:
                acc[k].fill(0.0)

    for start in range(0, m, block_sites):
        block = g[:, start : start + block_sites]
        if pending + block.shape[1] > _EXACT_FLOAT32:
            fold()
            pending = 0
        pending += block.shape[1]
        has_missing = (block < 0).any(axis=0)
        n_missing_cols = int(has_missing.sum())
        if n_missing_cols == 0:
            parts = ((block, False),)
        elif n_missing_cols == block.shape[1]:
            parts = ((block, True),)
        else:
            parts = ((block[:, ~has_missing], False), (block[:, has_missing], True))
        for part, missing in parts:
            centred = part.astype(np.float32)  # X: -1 hom-ref, 0 het, +1 hom-alt
            centred -= 1.0
            if missing:
                centred[part < 0] = 0.0  # ... and 0 when missing
            hom = np.abs(centred)  # Q = R + A
            acc["xx"] += centred @ centred.T
            del centred
            if missing:
                het = (part == 1).astype(np.float32)
                acc["qq_missing"] += hom @ hom.T
                acc["hh_missing"] += het @ het.T
                acc["hq_missing"] += het @ hom.T
                del het
            else:
                acc["qq_complete"] += hom @ hom.T
                hom_rows += hom.sum(axis=1, dtype=np.float64)
                n_complete += part.shape[1]
            del hom
    fold(last=True)

    t = totals
    # Complete sites: H = 1 - Q, so H Hᵀ = n - q_i - q_j + Q Qᵀ, H Mᵀ = n - q_i.
    het_rows = n_complete - hom_rows
    hethet = t["qq_complete"] - hom_rows[:, None] - hom_rows[None, :] + n_complete
    hethet += t["hh_missing"]
    qq = t["qq_complete"] + t["qq_missing"]
    opposite = (qq - t["xx"]) * 0.5  # QQᵀ - XXᵀ = 2 N_AA,aa
    del qq
    # Sites with a missing call: M = H + Q, so H Mᵀ = H Hᵀ + H Qᵀ and
    # M Mᵀ = H Hᵀ + H Qᵀ + (H Qᵀ)ᵀ + Q Qᵀ.
    het_given_called = t["hh_missing"] + t["hq_missing"]
    shared = het_given_called + t["hq_missing"].T + t["qq_missing"] + n_complete
    het_given_called += het_rows[:, None]
    totals.clear()  # free the float64 sums as we go
    del t

    het_i = het_given_called  # het count of row sample over shared sites
    het_j = het_given_called.T  # het count of column sample over shared sites
    smaller = np.minimum(het_i, het_j)
    with np.errstate(invalid="ignore", divide="ignore"):
        kinship = (
            (hethet - 2.0 * opposite) / (2.0 * smaller) + 0.5 - (het_i + het_j) / (4.0 * smaller)
        )
        ibs0 = opposite / shared
    kinship[smaller == 0] = np.nan
    ibs0[shared == 0] = np.nan
    return kinship, ibs0, np.rint(shared).astype(np.int64)


def degree(kinship: float) -> str:
    """Relationship degree for a kinship coefficient, by the KING cut-offs.

    > 0.354 ``duplicate/MZ``; > 0.177 ``first``; > 0.0884 ``second``;
    > 0.0442 ``third``; anything else (NaN included) ``unrelated``.
    """
    for cutoff, name in DEGREE_CUTOFFS:
        if kinship > cutoff:
            return name
    return UNRELATED


def degree_codes(kinship: np.ndarray) -> np.ndarray:
    """Vectorised :func:`degree`: index into :data:`DEGREES` (NaN -> unrelated)."""
    k = np.asarray(kinship, dtype=np.float64)
    codes = np.full(k.shape, len(DEGREES) - 1, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for idx in range(len(DEGREE_CUTOFFS) - 1, -1, -1):
            codes[k > DEGREE_CUTOFFS[idx][0]] = idx
    return codes


def related_pairs(
    samples: Sequence[str], kinship: np.ndarray, ibs0: np.ndarray, n_sites: np.ndarray
) -> list[tuple[str, str, float, float, int, str]]:
    """Pairs (i < j in VCF order) whose degree is not ``unrelated``.

    Rows ``(sample_1, sample_2, kinship, ibs0, n_sites, degree)``, sorted by
    kinship descending (ties keep VCF order).
    """
    n = len(samples)
    iu, ju = np.triu_indices(n, k=1)
    codes = degree_codes(kinship[iu, ju])
    hit = codes != len(DEGREES) - 1
    iu, ju, codes = iu[hit], ju[hit], codes[hit]
    order = np.argsort(-kinship[iu, ju], kind="stable")
    return [
        (
            samples[i],
            samples[j],
            float(kinship[i, j]),
            float(ibs0[i, j]),
            int(n_sites[i, j]),
            DEGREES[c],
        )
        for i, j, c in zip(iu[order], ju[order], codes[order])
    ]


def degree_counts(kinship: np.ndarray) -> dict[str, int]:
    """Number of pairs (i < j) per degree, every degree listed."""
    n = kinship.shape[0]
    iu, ju = np.triu_indices(n, k=1)
    codes = degree_codes(kinship[iu, ju])
    return {name: int((codes == idx).sum()) for idx, name in enumerate(DEGREES)}


def plot_pairs(
    samples: Sequence[str], kinship: np.ndarray, ibs0: np.ndarray, limit: int = 2000
) -> list[dict[str, object]]:
    """Pairs for the report's kinship-vs-IBS0 plot: every pair up to ``limit``; beyond,
    the ``limit`` pairs of highest kinship (the related ones first)."""
    n = len(samples)
    iu, ju = np.triu_indices(n, k=1)
    values = kinship[iu, ju]
    order = np.argsort(-values, kind="stable")[:limit]
    return [
        {
            "sample_1": samples[iu[k]],
            "sample_2": samples[ju[k]],
            "kinship": round(float(values[k]), 6),
            "ibs0": round(float(ibs0[iu[k], ju[k]]), 6),
        }
        for k in order
        if np.isfinite(values[k])
    ]
