"""Counting: site classes (expected ploidy by sex), call states and per-group counts.

Every call of a biallelic record becomes an (AN, AC, AC_Hom, AC_Het, AC_Hemi)
contribution under the ploidy expected at the site for the sample's sex
(:func:`contribution`: males hemizygous on chrX outside the PARs and on chrY, females
absent on chrY), looked up from a table of call codes and summed per group with integer
arithmetic (:func:`group_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..contigs import contig_class

# Site classes: expected ploidy per sample depends on the class and the sample's sex.
DIPLOID, X_HEMI, Y_HEMI, NOT_RELEASED, Y_PAR = 0, 1, 2, -1, -2
# Expected ploidy by class (rows) and sex (F, M, U columns).
PLOIDY = {
    DIPLOID: {"F": 2, "M": 2, "U": 2},
    X_HEMI: {"F": 2, "M": 1, "U": 2},  # unknown as the joint caller genotypes it (as F)
    Y_HEMI: {"F": 0, "M": 1, "U": 0},
}
# refcohort.contigs classes as the release's site-class codes
CONTIG_CODES = {"autosome": DIPLOID, "chrX": X_HEMI, "chrY": Y_HEMI, None: NOT_RELEASED}


def contig_code(name: str, autosomes: str, chrx: str, chry: str) -> int:
    """DIPLOID, X_HEMI, Y_HEMI or NOT_RELEASED for a contig name (full-match patterns)."""
    return CONTIG_CODES[contig_class(name, autosomes, chrx, chry)]


def site_classes(
    contig_class: int, positions: np.ndarray, par: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Class of each 1-based position on a contig of ``contig_class``.

    chrX: DIPLOID inside a PAR, X_HEMI outside; chrY: Y_PAR inside a PAR (not
    released: in GRCh38 analysis sets the Y PARs are masked and their reads align to
    the X copy), Y_HEMI outside; autosomes DIPLOID; other contigs NOT_RELEASED.
    """
    out = np.full(positions.shape, contig_class, dtype=np.int8)
    if contig_class in (X_HEMI, Y_HEMI) and par:
        inside = np.zeros(positions.shape, dtype=bool)
        for start, end in par:
            inside |= (positions > start) & (positions <= end)
        out[inside] = DIPLOID if contig_class == X_HEMI else Y_PAR
    return out


def contribution(expected: int, a0: int, a1: int) -> tuple[tuple[int, int, int, int, int], str]:
    """One call's (AN, AC, AC_Hom, AC_Het, AC_Hemi) and the anomaly it is, if any.

    ``a0``, ``a1`` are allele indices as cyvcf2's ``genotype.array()`` gives them (-1
    missing, -2 as the second allele of a haploid call; anything above 1 cannot occur
    in a biallelic record and counts as missing); ``expected`` is the ploidy the
    sample should have at the site (0, 1, 2).

    * expected 2: a diploid call with both alleles counts 2 alleles (AC_Hom 2 for 1/1,
      AC_Het 1 for 0/1); half-missing calls (./1) are missing; a haploid call is
      missing (anomaly ``haploid_where_diploid``);
    * expected 1 (hemizygous): a haploid call counts 1 allele (AC_Hemi 1 for ALT); a
      homozygous diploid call, as callers without sex-aware ploidy write, counts as
      that one allele; a heterozygous diploid call is missing (``het_where_hemizygous``);
    * expected 0 (females on chrY, samples not released): nothing.
    """
    zero = (0, 0, 0, 0, 0)
    haploid = a1 == -2
    ok0 = 0 <= a0 <= 1
    ok1 = 0 <= a1 <= 1
    if expected == 2:
        if haploid and ok0:
            return zero, "haploid_where_diploid"
        if not (ok0 and ok1):
            return zero, ""
        alt = a0 + a1
        return (2, alt, 2 if alt == 2 else 0, 1 if alt == 1 else 0, 0), ""
    if expected == 1:
        if haploid and ok0:
            return (1, a0, 0, 0, a0), ""
        if ok0 and ok1:
            if a0 != a1:
                return zero, "het_where_hemizygous"
            return (1, a0, 0, 0, a0), ""
    return zero, ""


# Every call falls in one of these states (AN, AC, AC_Hom, AC_Het, AC_Hemi); the last two
# are the anomalies, left out of the counts.
STATES = [
    (0, 0, 0, 0, 0),
    (2, 0, 0, 0, 0),
    (2, 1, 0, 1, 0),
    (2, 2, 2, 0, 0),
    (1, 0, 0, 0, 0),
    (1, 1, 0, 0, 1),
]
ANOMALIES = ("haploid_where_diploid", "het_where_hemizygous")
N_STATES = len(STATES) + len(ANOMALIES)
# (states, 5)
STATE_VALUES = np.array(STATES + [(0, 0, 0, 0, 0)] * len(ANOMALIES), dtype=np.int64)


def _state_table() -> np.ndarray:
    """State of each call code: expected * 20 + (clip(a0, -1, 2) + 1) * 5 + clip(a1, -2, 2) + 2."""
    table = np.zeros(3 * 20, dtype=np.uint8)
    for expected in range(3):
        for i, a0 in enumerate(range(-1, 3)):
            for j, a1 in enumerate(range(-2, 3)):
                values, anomaly = contribution(expected, a0, a1)
                state = len(STATES) + ANOMALIES.index(anomaly) if anomaly else STATES.index(values)
                table[expected * 20 + i * 5 + j] = state
    return table


STATE_OF_CODE = _state_table()


def call_states(alleles: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    """(records, samples) uint8 index into ``STATES`` (+ anomalies) of every call, from
    (records, samples, 2) allele indices and the (records, samples) expected ploidy."""
    a0 = np.clip(alleles[..., 0], -1, 2).astype(np.uint8)  # -1 wraps to 255, +1 -> 0
    a1 = np.clip(alleles[..., 1], -2, 2).astype(np.uint8)
    codes = ploidy.astype(np.uint8) * np.uint8(20)
    a0 += np.uint8(1)
    a0 *= np.uint8(5)
    codes += a0
    a1 += np.uint8(2)
    codes += a1
    return STATE_OF_CODE[codes]


def group_counts(
    alleles: np.ndarray, ploidy: np.ndarray, sample_atom: np.ndarray, atom_groups: np.ndarray
) -> tuple[np.ndarray, dict[str, int]]:
    """(5, records, groups) int64 AN, AC, AC_Hom, AC_Het, AC_Hemi per group, and anomalies.

    ``sample_atom`` gives each sample's atom (its population x sex cell; samples not
    released point one past the last atom) and ``atom_groups`` (atoms x groups, 0/1)
    which groups each atom belongs to.  The calls are tallied per record, atom and
    state (:func:`contribution`) with one ``bincount``, then turned into counts and
    summed into groups: integer arithmetic throughout.  Anomalies count the calls
    left out as ``haploid_where_diploid`` and ``het_where_hemizygous``.
    """
    states = call_states(alleles, ploidy)
    r = states.shape[0]
    n_atoms = atom_groups.shape[0] + 1
    width = n_atoms * N_STATES
    dtype = np.int32 if r * width < 2**31 else np.int64
    record_base = np.arange(r, dtype=dtype) * width
    key = record_base[:, None] + (sample_atom.astype(dtype) * N_STATES)[None, :]
    key += states
    tallies = np.bincount(key.ravel(), minlength=r * width).reshape(r, n_atoms, N_STATES)
    anomalies = {
        name: int(tallies[:, :-1, len(STATES) + i].sum()) for i, name in enumerate(ANOMALIES)
    }
    per_atom = tallies[:, :-1, :] @ STATE_VALUES  # (r, atoms, 5)
    sums = np.einsum("rak,ag->krg", per_atom, atom_groups)
    return np.ascontiguousarray(sums), anomalies
