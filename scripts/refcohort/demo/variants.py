"""The demo cohort's variation: sites, individuals' haplotypes, inheritance and truth.

Three populations (FI, EE, NL) drawn from shared ancestral frequencies with
Balding-Nichols drift (Fst 0.02), so there are common shared, population-specific rare
and private variants: SNVs (Ti/Tv about 2), insertions and deletions of 1-20 bp and
some multi-allelic sites. Autosomes are diploid; chrX outside the PARs and chrY are
haploid in males.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .genome import N_CODE, TELOMERE, decode, encode, is_par, random_seq, splice

POPULATIONS = ("FI", "EE", "NL")
FST = 0.02
VARIANT_CONTIGS = ("chr1", "chr2", "chrX", "chrY")


@dataclass
class Site:
    """A variant site: position, REF and ALT alleles (as strings) and per-pop ALT freqs."""

    contig: str
    pos: int  # 0-based
    ref: str
    alts: list[str]
    freqs: dict[str, np.ndarray] = field(default_factory=dict)  # pop -> freq per alt


@dataclass
class Individual:
    """Haplotype allele indices (0 = REF) per site index, per contig copy."""

    name: str
    population: str
    sex: str
    # contig -> array (n_copies, n_sites_on_contig) of allele indices
    haps: dict[str, np.ndarray]


def substitute(rng: np.random.Generator, base: int) -> int:
    """An ALT base for ``base`` (codes A0 C1 G2 T3): a transition (A<->G, C<->T) with
    probability 2/3, else one of the two transversions, for a human-like Ti/Tv of ~2."""
    if rng.random() < 2 / 3:
        return (base + 2) % 4
    return (base + (1 if rng.random() < 0.5 else 3)) % 4


def snv_alts(rng: np.random.Generator, ref_base: int) -> list[str]:
    """One ALT base, or two at a multi-allelic site (3%)."""
    if rng.random() < 0.03:  # multi-allelic SNV
        first = substitute(rng, ref_base)
        alt_codes = [first, rng.choice([b for b in range(4) if b not in (ref_base, first)])]
        return [decode(np.array([c], np.uint8)) for c in alt_codes]
    return [decode(np.array([substitute(rng, ref_base)], np.uint8))]


def site_freqs(rng: np.random.Generator, n_alts: int) -> dict[str, np.ndarray]:
    """Per-population ALT frequencies: common shared (Balding-Nichols drift from an
    ancestral frequency) or rare in one population; two ALTs split 60/40."""
    if rng.random() < 0.6:
        anc = float(rng.beta(0.6, 0.9)) * 0.9 + 0.05
        a, b = anc * (1 - FST) / FST, (1 - anc) * (1 - FST) / FST
        total = {p: float(rng.beta(a, b)) for p in POPULATIONS}
    else:
        home = POPULATIONS[int(rng.integers(len(POPULATIONS)))]
        total = {p: (float(rng.uniform(0.04, 0.2)) if p == home else 0.0) for p in POPULATIONS}
    split = np.array([1.0]) if n_alts == 1 else np.array([0.6, 0.4])
    return {p: split * f for p, f in total.items()}


def make_sites(rng: np.random.Generator, genome: dict[str, np.ndarray]) -> list[Site]:
    """Population-structured sites on chr1, chr2, chrX and chrY."""
    sites: list[Site] = []
    for contig in VARIANT_CONTIGS:
        seq = genome[contig]
        n = seq.size
        density = 1 / 140 if contig != "chrY" else 1 / 400
        allowed = np.arange(TELOMERE + 50, n - TELOMERE - 50)
        candidates = np.sort(rng.choice(allowed, int(n * density), replace=False))
        last_end = -1
        for pos in candidates.tolist():
            kind = rng.random()
            if kind < 0.84:
                length, vtype = 1, "snv"
            else:
                length = int(min(20, rng.geometric(0.35)))
                vtype = "ins" if rng.random() < 0.5 else "del"
            span = length + 1 if vtype == "del" else 1
            window = seq[pos - 1 : pos + span + 1]
            if pos <= last_end + 25 or (window == N_CODE).any():
                continue
            ref_base = int(seq[pos])
            if vtype == "snv":
                ref = decode(seq[pos : pos + 1])
                alts = snv_alts(rng, ref_base)
            elif vtype == "ins":
                ref = decode(seq[pos : pos + 1])
                alts = [ref + decode(random_seq(rng, length))]
            else:
                ref = decode(seq[pos : pos + length + 1])
                alts = [ref[0]]
            last_end = pos + len(ref)
            # frequency class: common shared, population-specific rare, (private added later)
            sites.append(Site(contig, pos, ref, alts, site_freqs(rng, len(alts))))
    return sites


def sample_haps(
    rng: np.random.Generator, sites_by_contig: dict[str, list[Site]], pop: str, sex: str
) -> dict[str, np.ndarray]:
    """Draw haplotypes from population frequencies.

    Autosomes and chrX have two copies; in males the second chrX copy stands for chrY's
    PAR sequence, so it carries alleles only inside the PARs. chrY has one copy in males
    and none in females.
    """
    haps = {}
    for contig, sites in sites_by_contig.items():
        n_copies = 1 if contig == "chrY" else 2
        if contig == "chrY" and sex == "female":
            haps[contig] = np.zeros((0, len(sites)), np.int8)
            continue
        width = max((len(s.alts) for s in sites), default=1)
        bounds = np.full((len(sites), width), 2.0)  # cumulative ALT frequencies, padded
        for i, s in enumerate(sites):
            bounds[i, : len(s.alts)] = np.cumsum(s.freqs[pop])
        n_alts = np.array([len(s.alts) for s in sites], np.int64)
        u = rng.random((n_copies, len(sites)))
        # u below the k-th cumulative boundary -> ALT k+1; above them all -> REF (0)
        k = (u[:, :, None] >= bounds[None, :, :]).sum(axis=2)
        haps[contig] = np.where(k < n_alts[None, :], k + 1, 0).astype(np.int8)
        if contig == "chrX" and sex == "male":
            outside = np.array([not is_par(contig, s.pos) for s in sites], bool)
            haps[contig][1, outside] = 0
    return haps


def add_private(
    rng: np.random.Generator,
    owner: Individual,
    people: list[Individual],
    sites_by_contig: dict[str, list[Site]],
    genome: dict[str, np.ndarray],
    n_private: int,
) -> None:
    """Give ``owner`` private heterozygous SNVs at new sites on chr1 and chr2."""
    for contig in ("chr1", "chr2"):
        seq = genome[contig]
        taken = np.array([s.pos for s in sites_by_contig[contig]])
        added = 0
        while added < n_private // 2:
            pos = int(rng.integers(TELOMERE + 50, seq.size - TELOMERE - 50))
            if np.abs(taken - pos).min() < 30 or seq[pos] == N_CODE:
                continue
            ref = decode(seq[pos : pos + 1])
            alt = decode(np.array([substitute(rng, int(seq[pos]))], np.uint8))
            freqs = {p: np.zeros(1) for p in POPULATIONS}
            sites_by_contig[contig].append(Site(contig, pos, ref, [alt], freqs))
            for ind in people:
                column = np.zeros((ind.haps[contig].shape[0], 1), np.int8)
                ind.haps[contig] = np.concatenate([ind.haps[contig], column], axis=1)
            owner.haps[contig][0, -1] = 1
            taken = np.append(taken, pos)
            added += 1


def resort(sites_by_contig: dict[str, list[Site]], people: list[Individual]) -> None:
    """Sort sites by position, with every individual's haplotype columns."""
    for contig, sites in sites_by_contig.items():
        order = np.argsort([s.pos for s in sites], kind="stable")
        sites_by_contig[contig] = [sites[i] for i in order]
        for ind in people:
            ind.haps[contig] = ind.haps[contig][:, order]


def inherit(
    rng: np.random.Generator, parent: Individual, child: Individual, contigs: list[str]
) -> None:
    """Replace child's first haplotype with a recombined copy of the parent's two."""
    for contig in contigs:
        ph = parent.haps[contig]
        if ph.shape[0] < 2 or ph.shape[1] == 0:
            continue
        cross = int(rng.integers(ph.shape[1]))
        first, second = (0, 1) if rng.random() < 0.5 else (1, 0)
        child.haps[contig][0] = np.concatenate([ph[first, :cross], ph[second, cross:]])


def haplotype_sequence(seq: np.ndarray, sites: list[Site], alleles: np.ndarray) -> np.ndarray:
    """Apply the ALT alleles carried on one haplotype to the reference codes."""
    edits = (
        (site.pos, len(site.ref), encode(site.alts[allele - 1]))
        for site, allele in zip(sites, alleles.tolist())
        if allele != 0
    )
    return splice(seq, edits)


def truth_gt(ind: Individual, contig: str, i: int, pos: int) -> str | None:
    """The individual's genotype at site ``i`` of ``contig`` (None when hom-ref/absent)."""
    h = ind.haps[contig][:, i]
    if contig == "chrY":
        if ind.sex == "female" or h[0] == 0:
            return None
        return str(int(h[0]))
    if contig == "chrX" and ind.sex == "male" and not is_par(contig, pos):
        return str(int(h[0])) if h[0] else None
    if h[0] == 0 and h[1] == 0:
        return None
    return f"{min(h)}/{max(h)}"
