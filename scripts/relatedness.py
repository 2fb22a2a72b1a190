#!/usr/bin/env python3
"""Cohort QC on the joint-called VCF: KING-robust kinship and per-sample outliers.

Steps (each a pure, typed function; ``main(smk)`` and the CLI only map paths):

1. :func:`load_genotypes` streams the VCF with cyvcf2 and keeps PASS, biallelic,
   autosomal SNVs with enough QUAL, site call rate and MAF, as a compact int8
   matrix (samples x sites; 0/1/2 ALT copies, -1 missing).
2. :func:`king_robust` estimates kinship, IBS0 and the number of jointly called
   sites for every pair with float32 matrix products over indicator matrices,
   one block of sites at a time.
3. :func:`degree` names the relationship with the KING cut-offs.
4. :func:`sample_stats` and :func:`mad_outliers` flag heterozygosity and
   call-rate outliers over the same sites.

Outputs: a TSV of related pairs, a per-sample TSV and a JSON summary.
"""

import argparse
import contextlib
import datetime
import json
import math
import os
import re
import sys
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

DEFAULT_AUTOSOMES = r"^(chr)?([1-9]|1[0-9]|2[0-2])$"
DEFAULT_MIN_QUAL = 30.0
DEFAULT_MIN_SITE_CALL_RATE = 0.95
DEFAULT_MIN_MAF = 0.01
DEFAULT_MAD_K = 5.0
# A MAD from fewer values is no robust spread estimate: in a 5-sample cohort with a
# duplicate pair, a 4% het-rate difference between populations scored as 10 MADs.
DEFAULT_MIN_OUTLIER_SAMPLES = 10

# KING cut-offs (Manichaikul et al. 2010, Table 1; KING manual): powers of
# 2^-0.5 between the expected kinships 1/2, 1/4, 1/8, 1/16 and 1/32.
DEGREE_CUTOFFS: Tuple[Tuple[float, str], ...] = (
    (0.354, "duplicate/MZ"),
    (0.177, "first"),
    (0.0884, "second"),
    (0.0442, "third"),
)
UNRELATED = "unrelated"
DEGREES: Tuple[str, ...] = tuple(name for _, name in DEGREE_CUTOFFS) + (UNRELATED,)

RELATEDNESS_COLUMNS = ["sample_1", "sample_2", "kinship", "ibs0", "n_sites", "degree"]
SAMPLE_COLUMNS = ["sample", "n_called", "call_rate", "n_het", "het_rate",
                  "het_outlier", "call_rate_outlier"]

_BASES = frozenset("ACGT")
# Bytes of int16 allele buffer per read chunk (chunk_size is capped to fit).
_READ_BUFFER_BYTES = 1 << 26
# Elements per float32 indicator block in king_robust (block = n x sites).
_KING_BLOCK_ELEMENTS = 1 << 23
# float32 holds every integer up to 2^24 exactly: the most sites summed before a fold.
_EXACT_FLOAT32 = 1 << 24


def _log(message: str) -> None:
    """Write a time-stamped progress line to stderr (the rule's log in main)."""
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[relatedness {stamp}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- #
# 1. Genotype loading
# --------------------------------------------------------------------------- #
def is_biallelic_snv(ref: str, alts: Sequence[str]) -> bool:
    """True for one ALT where REF and ALT are single, different A/C/G/T bases.

    Symbolic (``<NON_REF>``), spanning-deletion (``*``), missing (``.``), IUPAC
    and multi-base alleles are all rejected.
    """
    if len(alts) != 1:
        return False
    ref, alt = ref.upper(), alts[0].upper()
    return len(ref) == 1 and len(alt) == 1 and ref != alt and ref in _BASES and alt in _BASES


def alleles_to_dosage(alleles: np.ndarray) -> np.ndarray:
    """ALT dosage (int8 0/1/2, -1 missing) from cyvcf2 allele indices.

    ``alleles`` is ``(..., 2)`` int: the first two columns of cyvcf2's
    ``Variant.genotype.array()`` (allele index, -1 for ``.`` and -2 for the
    vector-end padding of a haploid call).  A genotype is missing when either
    allele is negative (``./.``, ``./1``, ``0/.``, haploid ``0`` or ``1``) or
    above 1 (cannot happen on a biallelic record; guarded anyway).  Note that
    cyvcf2's ``gt_types`` would instead call ``./1`` HET, ``0/.`` HOM_REF and a
    haploid ``1`` HOM_ALT, which is why it is not used here.
    """
    alleles = np.asarray(alleles)
    bad = ((alleles < 0) | (alleles > 1)).any(axis=-1)
    dosage = alleles.sum(axis=-1, dtype=np.int16).astype(np.int8)
    dosage[bad] = -1
    return dosage


def site_filter(dosage: np.ndarray, min_site_call_rate: float,
                min_maf: float) -> Tuple[np.ndarray, np.ndarray]:
    """Masks of sites passing the call-rate and MAF filters.

    ``dosage`` is ``(n_sites, n_samples)`` int8 (-1 missing).  Call rate is the
    fraction of samples called; MAF is ``min(p, 1 - p)`` with ``p`` the ALT
    frequency among called genotypes (a site nobody calls has MAF 0).
    Returns ``(call_rate_ok, maf_ok)``; a site is kept when both are True.
    """
    n_samples = dosage.shape[1]
    called = dosage >= 0
    n_called = called.sum(axis=1)
    alt = np.where(called, dosage, 0).sum(axis=1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_called > 0, alt / (2.0 * np.maximum(n_called, 1)), 0.0)
    maf = np.minimum(p, 1.0 - p)
    call_rate = n_called / n_samples if n_samples else np.zeros(len(n_called))
    return call_rate >= min_site_call_rate, maf >= min_maf


def load_genotypes(vcf: str, autosomes: str = DEFAULT_AUTOSOMES,
                   min_qual: float = DEFAULT_MIN_QUAL,
                   min_site_call_rate: float = DEFAULT_MIN_SITE_CALL_RATE,
                   min_maf: float = DEFAULT_MIN_MAF, chunk_size: int = 50_000,
                   counts: Optional[Dict[str, int]] = None,
                   threads: int = 1) -> Tuple[List[str], np.ndarray]:
    """Stream a VCF/BCF and return ``(samples, genotypes)`` for the QC sites.

    Kept records: FILTER ``PASS`` or ``.`` (cyvcf2 reports both as None); a
    biallelic SNV (:func:`is_biallelic_snv`); CHROM fully matching the
    ``autosomes`` regex (``re.fullmatch``, so anchors are optional); QUAL >=
    ``min_qual`` (a missing QUAL fails unless ``min_qual`` <= 0); site call
    rate >= ``min_site_call_rate`` and MAF >= ``min_maf`` (:func:`site_filter`).

    ``genotypes`` is ``(n_samples, n_sites)`` int8 with ALT dosage 0/1/2 and
    -1 for missing (:func:`alleles_to_dosage`: partial, haploid and polyploid
    calls are missing).  Records are buffered ``chunk_size`` at a time (capped
    so the int16 allele buffer stays near 64 MiB), filtered vectorised, and
    the kept blocks concatenated: memory is about twice the final matrix at
    the concatenation, never Python objects per genotype.  The returned array
    is the transpose of the site-major block (Fortran-ordered), so slicing a
    block of sites is contiguous.

    When ``counts`` is a dict it is filled with ``records``, ``not_pass``,
    ``not_autosome``, ``not_biallelic_snv``, ``low_qual``, ``low_call_rate``,
    ``low_maf`` and ``kept`` (each record counted once, in that order).
    """
    from cyvcf2 import VCF  # imported here so the pure functions need only numpy

    chrom_ok_re = re.compile(autosomes)
    tally = {k: 0 for k in ("records", "not_pass", "not_autosome", "not_biallelic_snv",
                            "low_qual", "low_call_rate", "low_maf", "kept")}
    reader = VCF(vcf, threads=threads) if threads > 1 else VCF(vcf)
    samples = list(reader.samples)
    n = len(samples)
    chunk = max(1, min(int(chunk_size), _READ_BUFFER_BYTES // max(1, 4 * n)))
    buffer = np.empty((chunk, n, 2), dtype=np.int16)
    _log(f"reading {vcf}: {n} samples, {chunk:,} records per chunk")
    kept_blocks: List[np.ndarray] = []
    chrom_cache: Dict[str, bool] = {}
    filled = 0
    last_log = [time.monotonic()]

    def flush(k: int) -> None:
        dosage = alleles_to_dosage(buffer[:k])
        rate_ok, maf_ok = site_filter(dosage, min_site_call_rate, min_maf)
        tally["low_call_rate"] += int((~rate_ok).sum())
        tally["low_maf"] += int((rate_ok & ~maf_ok).sum())
        keep = rate_ok & maf_ok
        tally["kept"] += int(keep.sum())
        if keep.any():
            kept_blocks.append(dosage[keep])
        if time.monotonic() - last_log[0] >= 10:  # a progress line at most every 10 s
            last_log[0] = time.monotonic()
            _log(f"records read: {tally['records']:,}; sites kept: {tally['kept']:,}")

    try:
        for rec in reader:
            tally["records"] += 1
            if rec.FILTER is not None:
                tally["not_pass"] += 1
                continue
            chrom = rec.CHROM
            ok = chrom_cache.get(chrom)
            if ok is None:
                ok = chrom_cache[chrom] = chrom_ok_re.fullmatch(chrom) is not None
            if not ok:
                tally["not_autosome"] += 1
                continue
            if not is_biallelic_snv(rec.REF, rec.ALT):
                tally["not_biallelic_snv"] += 1
                continue
            qual = rec.QUAL
            if (qual is None and min_qual > 0) or (qual is not None and qual < min_qual):
                tally["low_qual"] += 1
                continue
            genotype = rec.genotype
            gt = genotype.array() if genotype is not None else None  # (n, ploidy + 1)
            if gt is None:  # no GT field: all missing
                buffer[filled] = -1
            elif gt.shape[1] == 3:  # diploid; last column is the phased flag
                buffer[filled] = gt[:, :2]
            elif gt.shape[1] < 3:  # every sample haploid: all missing
                buffer[filled] = -1
            else:  # polyploid record: diploid samples padded with -2 -> keep those
                row = gt[:, :2].copy()
                row[(gt[:, 2:-1] != -2).any(axis=1)] = -1
                buffer[filled] = row
            filled += 1
            if filled == chunk:
                flush(filled)
                filled = 0
        if filled:
            flush(filled)
    finally:
        reader.close()

    if counts is not None:
        counts.update(tally)
    if kept_blocks:
        site_major = np.concatenate(kept_blocks, axis=0)
        kept_blocks.clear()
    else:
        site_major = np.empty((0, n), dtype=np.int8)
    _log(f"done: {tally['records']:,} records read, {tally['kept']:,} sites kept "
         f"for {n} samples ({site_major.nbytes / 2**20:.1f} MiB)")
    return samples, site_major.T


# --------------------------------------------------------------------------- #
# 2. KING-robust kinship
# --------------------------------------------------------------------------- #
def king_robust(genotypes: np.ndarray, block_sites: Optional[int] = None
                ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    plink-ng 2.0/plink2_matrix_calc.cc), which is the same expression.  Duplicates score 1/2, first degree 1/4,
    second 1/8, third 1/16; pairs from different populations score negative.

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
    n_complete = 0                            # sites where every sample is called
    pending = 0                               # sites summed in acc since the last fold

    def fold(last: bool = False) -> None:
        for k in names:
            totals[k] += acc[k]
            if last:
                del acc[k]                    # free float32 memory as we go
            else:
                acc[k].fill(0.0)

    for start in range(0, m, block_sites):
        block = g[:, start:start + block_sites]
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
                centred[part < 0] = 0.0        # ... and 0 when missing
            hom = np.abs(centred)              # Q = R + A
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
    opposite = (qq - t["xx"]) * 0.5                         # QQᵀ - XXᵀ = 2 N_AA,aa
    del qq
    # Sites with a missing call: M = H + Q, so H Mᵀ = H Hᵀ + H Qᵀ and
    # M Mᵀ = H Hᵀ + H Qᵀ + (H Qᵀ)ᵀ + Q Qᵀ.
    het_given_called = t["hh_missing"] + t["hq_missing"]
    shared = het_given_called + t["hq_missing"].T + t["qq_missing"] + n_complete
    het_given_called += het_rows[:, None]
    del totals, t

    het_i = het_given_called      # het count of row sample over shared sites
    het_j = het_given_called.T    # het count of column sample over shared sites
    smaller = np.minimum(het_i, het_j)
    with np.errstate(invalid="ignore", divide="ignore"):
        kinship = ((hethet - 2.0 * opposite) / (2.0 * smaller)
                   + 0.5 - (het_i + het_j) / (4.0 * smaller))
        ibs0 = opposite / shared
    kinship[smaller == 0] = np.nan
    ibs0[shared == 0] = np.nan
    return kinship, ibs0, np.rint(shared).astype(np.int64)


# --------------------------------------------------------------------------- #
# 3. Degrees
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# 4. Per-sample statistics and outliers
# --------------------------------------------------------------------------- #
def sample_stats(genotypes: np.ndarray) -> Dict[str, np.ndarray]:
    """Per-sample ``n_called``, ``call_rate``, ``n_het``, ``het_rate``.

    ``call_rate = n_called / n_sites`` and ``het_rate = n_het / n_called``
    (NaN when the denominator is 0).
    """
    g = np.asarray(genotypes)
    n_sites = g.shape[1]
    n_called = (g >= 0).sum(axis=1, dtype=np.int64)
    n_het = (g == 1).sum(axis=1, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        call_rate = n_called / n_sites if n_sites else np.full(len(n_called), np.nan)
        het_rate = np.where(n_called > 0, n_het / np.maximum(n_called, 1), np.nan)
    return {"n_called": n_called, "call_rate": np.asarray(call_rate, dtype=np.float64),
            "n_het": n_het, "het_rate": het_rate}


def mad_outliers(values: Iterable[float], k: float = DEFAULT_MAD_K,
                 side: str = "both", min_samples: int = 3) -> np.ndarray:
    """Flag values more than ``k`` scaled MADs from the median.

    A value x is flagged when ``|x - median| > k * 1.4826 * MAD`` (1.4826
    makes the MAD a consistent estimate of the SD for normal data), counting
    only the side asked for: ``"both"``, ``"low"`` (x below the median) or
    ``"high"``.  Median and MAD ignore NaN; NaN values are never flagged.
    Nobody is flagged when fewer than ``min_samples`` (at least 3) values are finite
    or when the MAD is 0 (more than half the values identical: no scale to judge by).
    """
    if side not in ("both", "low", "high"):
        raise ValueError(f"side must be 'both', 'low' or 'high', not {side!r}")
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values,
                   dtype=np.float64)
    flags = np.zeros(x.shape, dtype=bool)
    finite = np.isfinite(x)
    if finite.sum() < max(3, min_samples):
        return flags
    median = float(np.median(x[finite]))
    mad = float(np.median(np.abs(x[finite] - median)))
    if mad == 0:
        return flags
    limit = k * 1.4826 * mad
    dev = np.where(finite, x - median, 0.0)
    if side in ("both", "high"):
        flags |= dev > limit
    if side in ("both", "low"):
        flags |= -dev > limit
    return flags


# --------------------------------------------------------------------------- #
# 5. Tables and the whole run
# --------------------------------------------------------------------------- #
def related_pairs(samples: Sequence[str], kinship: np.ndarray, ibs0: np.ndarray,
                  n_sites: np.ndarray) -> List[Tuple[str, str, float, float, int, str]]:
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
    return [(samples[i], samples[j], float(kinship[i, j]), float(ibs0[i, j]),
             int(n_sites[i, j]), DEGREES[c])
            for i, j, c in zip(iu[order], ju[order], codes[order])]


def degree_counts(kinship: np.ndarray) -> Dict[str, int]:
    """Number of pairs (i < j) per degree, every degree listed."""
    n = kinship.shape[0]
    iu, ju = np.triu_indices(n, k=1)
    codes = degree_codes(kinship[iu, ju])
    return {name: int((codes == idx).sum()) for idx, name in enumerate(DEGREES)}


def _fmt(x: float, digits: int = 6) -> str:
    return "NA" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def write_relatedness(path: str, rows: Iterable[Tuple[str, str, float, float, int, str]]) -> None:
    """Write the related-pairs TSV (header always written)."""
    with open(path, "w") as fh:
        fh.write("\t".join(RELATEDNESS_COLUMNS) + "\n")
        for s1, s2, kin, ibs0, n_sites, deg in rows:
            fh.write(f"{s1}\t{s2}\t{_fmt(kin)}\t{_fmt(ibs0)}\t{n_sites}\t{deg}\n")


def write_samples(path: str, samples: Sequence[str], stats: Dict[str, np.ndarray],
                  het_outlier: np.ndarray, call_rate_outlier: np.ndarray) -> None:
    """Write the per-sample TSV (booleans as ``true``/``false``)."""
    def tf(flag: bool) -> str:
        return "true" if flag else "false"

    with open(path, "w") as fh:
        fh.write("\t".join(SAMPLE_COLUMNS) + "\n")
        for i, name in enumerate(samples):
            fh.write("\t".join([
                name, str(int(stats["n_called"][i])), _fmt(stats["call_rate"][i]),
                str(int(stats["n_het"][i])), _fmt(stats["het_rate"][i]),
                tf(het_outlier[i]), tf(call_rate_outlier[i])]) + "\n")


def run(vcf: str, relatedness_path: str, samples_path: str, json_path: str,
        autosomes: str = DEFAULT_AUTOSOMES, min_qual: float = DEFAULT_MIN_QUAL,
        min_site_call_rate: float = DEFAULT_MIN_SITE_CALL_RATE,
        min_maf: float = DEFAULT_MIN_MAF, mad_k: float = DEFAULT_MAD_K,
        threads: int = 1,
        min_outlier_samples: int = DEFAULT_MIN_OUTLIER_SAMPLES) -> Dict[str, object]:
    """Load, estimate, flag and write all three outputs; return the JSON summary."""
    t0 = time.perf_counter()
    counts: Dict[str, int] = {}
    samples, g = load_genotypes(vcf, autosomes=autosomes, min_qual=min_qual,
                                min_site_call_rate=min_site_call_rate, min_maf=min_maf,
                                counts=counts, threads=threads)
    n_samples, n_sites = g.shape
    t1 = time.perf_counter()
    _log(f"kinship for {n_samples} samples x {n_sites:,} sites")
    kinship, ibs0, shared = king_robust(g)
    t2 = time.perf_counter()
    _log(f"kinship done in {t2 - t1:.1f} s")
    rows = related_pairs(samples, kinship, ibs0, shared)
    stats = sample_stats(g)
    het_flag = mad_outliers(stats["het_rate"], mad_k, "both", min_outlier_samples)
    call_flag = mad_outliers(stats["call_rate"], mad_k, "low", min_outlier_samples)
    write_relatedness(relatedness_path, rows)
    write_samples(samples_path, samples, stats, het_flag, call_flag)
    summary: Dict[str, object] = {
        "n_samples": n_samples,
        "n_sites": n_sites,
        "filters": {
            "filter": "PASS",
            "type": "biallelic SNV",
            "autosomes": autosomes,
            "min_qual": min_qual,
            "min_site_call_rate": min_site_call_rate,
            "min_maf": min_maf,
        },
        "records": counts,
        "estimator": "KING-robust between-family kinship (Manichaikul et al. 2010; plink2 --make-king)",
        "degree_cutoffs": {name: cut for cut, name in DEGREE_CUTOFFS},
        "pairs_per_degree": degree_counts(kinship),
        "mad_k": mad_k,
        "min_outlier_samples": min_outlier_samples,
        "het_outliers": [s for s, f in zip(samples, het_flag) if f],
        "call_rate_outliers": [s for s, f in zip(samples, call_flag) if f],
        "seconds": {"load": round(t1 - t0, 3), "kinship": round(t2 - t1, 3)},
    }
    with open(json_path, "w") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    _log(f"{len(rows)} related pairs; {int(het_flag.sum())} het-rate and "
         f"{int(call_flag.sum())} call-rate outliers")
    return summary


@contextlib.contextmanager
def _stderr_to(fh):
    """Send sys.stderr and file descriptor 2 (htslib's warnings) to ``fh``."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(fh.fileno(), 2)
        with contextlib.redirect_stderr(fh):
            yield
    finally:
        fh.flush()
        os.dup2(saved, 2)
        os.close(saved)


def main(smk) -> None:
    """Snakemake adapter: input.vcf; output.relatedness/samples/json; log[0].

    params (all optional): ``autosomes``, ``min_qual``, ``min_site_call_rate``,
    ``min_maf``, ``mad_k``.
    """
    p = smk.params
    with open(smk.log[0], "w") as log_fh, _stderr_to(log_fh):
        run(str(smk.input.vcf), str(smk.output.relatedness), str(smk.output.samples),
            str(smk.output.json),
            autosomes=str(getattr(p, "autosomes", DEFAULT_AUTOSOMES)),
            min_qual=float(getattr(p, "min_qual", DEFAULT_MIN_QUAL)),
            min_site_call_rate=float(getattr(p, "min_site_call_rate", DEFAULT_MIN_SITE_CALL_RATE)),
            min_maf=float(getattr(p, "min_maf", DEFAULT_MIN_MAF)),
            mad_k=float(getattr(p, "mad_k", DEFAULT_MAD_K)),
            min_outlier_samples=int(getattr(p, "min_outlier_samples", DEFAULT_MIN_OUTLIER_SAMPLES)),
            threads=int(getattr(smk, "threads", 1) or 1))


def cli(argv: Optional[Sequence[str]] = None) -> int:
    """``python scripts/relatedness.py --vcf X --out-prefix P`` writes
    ``P.relatedness.tsv``, ``P.samples.tsv`` and ``P.json``; progress on stderr."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vcf", required=True)
    ap.add_argument("--out-prefix", required=True)
    ap.add_argument("--autosomes", default=DEFAULT_AUTOSOMES)
    ap.add_argument("--min-qual", type=float, default=DEFAULT_MIN_QUAL)
    ap.add_argument("--min-site-call-rate", type=float, default=DEFAULT_MIN_SITE_CALL_RATE)
    ap.add_argument("--min-maf", type=float, default=DEFAULT_MIN_MAF)
    ap.add_argument("--mad-k", type=float, default=DEFAULT_MAD_K)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    run(a.vcf, f"{a.out_prefix}.relatedness.tsv", f"{a.out_prefix}.samples.tsv",
        f"{a.out_prefix}.json", autosomes=a.autosomes, min_qual=a.min_qual,
        min_site_call_rate=a.min_site_call_rate, min_maf=a.min_maf, mad_k=a.mad_k,
        threads=a.threads)
    return 0


if __name__ == "__main__" and "snakemake" not in globals():
    sys.exit(cli())

if "snakemake" in globals(): main(snakemake)  # noqa: F821
