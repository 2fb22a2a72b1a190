"""The cohort QC sites of the joint-called VCF as an int8 ALT-dosage matrix.

:func:`load_genotypes` streams the VCF with cyvcf2 and keeps PASS, biallelic, autosomal
SNVs with enough QUAL, site call rate and MAF, as a compact int8 matrix (samples x
sites; 0/1/2 ALT copies, -1 missing), for :mod:`.kinship` and :mod:`.relatedness`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

import numpy as np

from ..genotypes import chunk_records, record_alleles
from ..progress import log

DEFAULT_AUTOSOMES = r"^(chr)?([1-9]|1[0-9]|2[0-2])$"
DEFAULT_MIN_QUAL = 30.0
DEFAULT_MIN_SITE_CALL_RATE = 0.95
DEFAULT_MIN_MAF = 0.01

_BASES = frozenset("ACGT")
COUNT_KEYS = (
    "records",
    "not_pass",
    "not_autosome",
    "not_biallelic_snv",
    "low_qual",
    "low_call_rate",
    "low_maf",
    "kept",
)


def _log(message: str) -> None:
    """Write a time-stamped progress line to stderr (the rule's log in main)."""
    log("relatedness", message)


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


def site_filter(
    dosage: np.ndarray, min_site_call_rate: float, min_maf: float
) -> tuple[np.ndarray, np.ndarray]:
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


def load_genotypes(
    vcf: str,
    autosomes: str = DEFAULT_AUTOSOMES,
    min_qual: float = DEFAULT_MIN_QUAL,
    min_site_call_rate: float = DEFAULT_MIN_SITE_CALL_RATE,
    min_maf: float = DEFAULT_MIN_MAF,
    chunk_size: int = 50_000,
    counts: dict[str, int] | None = None,
    threads: int = 1,
) -> tuple[list[str], np.ndarray]:
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
    tally = dict.fromkeys(COUNT_KEYS, 0)
    reader = VCF(vcf, threads=threads) if threads > 1 else VCF(vcf)
    samples = list(reader.samples)
    n = len(samples)
    chunk = chunk_records(chunk_size, n)
    buffer = np.empty((chunk, n, 2), dtype=np.int16)
    _log(f"reading {vcf}: {n} samples, {chunk:,} records per chunk")
    kept_blocks: list[np.ndarray] = []
    chrom_cache: dict[str, bool] = {}
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
            # haploid calls get allele index -2 as their second allele: missing dosage
            record_alleles(genotype.array() if genotype is not None else None, buffer[filled])
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
    _log(
        f"done: {tally['records']:,} records read, {tally['kept']:,} sites kept "
        f"for {n} samples ({site_major.nbytes / 2**20:.1f} MiB)"
    )
    return samples, site_major.T
