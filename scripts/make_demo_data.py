#!/usr/bin/env python3
"""Generate the demo cohort: a GRCh38-like synthetic genome, a population-structured
cohort with known truth, and Illumina-like paired-end FASTQ files.

Deterministic for a given ``--seed``; vectorised with numpy; two worker processes write
the reads (about 30 s on 2 cores).

Genome (``reference.fa``), GRCh38-like in miniature:
  * ``chr1`` (1.15 Mb) and ``chr2`` (0.85 Mb) autosomes, ``chrX`` (400 kb) with PAR1
    and PAR2, ``chrY`` (150 kb) whose PARs are hard-masked with N as in the GRCh38
    analysis sets (PAR reads map to chrX, so males are diploid there), ``chrM`` (16,569 bp);
  * N gaps: telomeres at every nuclear contig end, a centromere-like gap in chr1 and a
    smaller gap in chr2, heterochromatin on chrY;
  * interspersed repeats (an Alu-like 300 bp family at 12% divergence and an L1-like
    6 kb family at 4%), segmental duplications (15 kb copies at 1% divergence, listed in
    ``segdups.bed``), homopolymers (8-20 bp) and short tandem repeats (2-4 bp motifs).

Cohort (``samples.tsv`` with declared ``sex`` and ISO 3166-1 ``population``): three
populations (FI, EE, NL) drawn from shared ancestral frequencies with Balding-Nichols
drift (Fst 0.02), so there are common shared, population-specific rare and private
variants: SNVs (Ti/Tv about 2), insertions and deletions of 1-20 bp and some
multi-allelic sites.
Autosomes are diploid; chrX outside the PARs and chrY are haploid in males.

Cases planted for the sample-QC stage (also listed in ``planted.tsv``):
  * ``S01`` is sequenced on two lanes (two units; duplicates span the lanes);
  * ``S05`` is sequenced at ~8x instead of ~30x;
  * ``S06`` is contaminated with ~5% of its reads from an individual outside the cohort
    (of another population);
  * ``S07`` is declared female in ``samples.tsv`` but is genetically male (XY);
  * ``S08`` is the same individual as ``S02`` (identical genotypes, independent library
    and reads), i.e. a duplicate under two sample IDs;
  * ``S04`` is the son of ``S03`` (parent-child pair: one haplotype per autosome, with a
    crossover, and his X come from his mother).

Reads: 2 x 150 bp, fragment lengths ~N(420, 90) with 3% short inserts (60-150 bp)
that read into TruSeq adapters; per-cycle qualities that fall towards the 3' end, worse
on R2, with some reads whose tails collapse to Q2; substitution errors drawn from the
qualities; ~4% PCR duplicates and ~1% optical duplicates (same tile, nearby x/y in the
Illumina read name).

Genomes sequenced elsewhere (``external/``), so the demo runs with mixed inputs:
  * ``S03`` arrives as a CRAM from another centre: its reads aligned with plain
    ``bwa mem`` (no ``-Y``), sorted and duplicate-marked by samtools, against
    ``external/reference_b37names.fa``, the same sequence with GRCh37-style contig names
    (``1``, ``2``, ``X``, ``Y``, ``MT``); the centre's own read group (ID, PU, LB, CN and its
    own sample name) and @PG chain are in the header;
  * ``S04`` arrives as an unaligned BAM (``samtools import``, one read group).
  Their FASTQs stay in ``reads/`` (not in units.tsv) for comparing the calls from the
  same reads given as FASTQ.

Truth: one VCF per sample (``truth/{sample}.vcf.gz``, the individual's own genotypes,
haploid GTs on male chrX non-PAR and chrY) and ``callable.bed``: non-N sequence minus
200 bp around gaps, minus segmental duplications, minus chrM. ``population_af.vcf.gz``
holds the populations' true allele frequencies (a population-frequency resource).
``ploidy.txt`` is the bcftools ploidy file for this genome and ``par.bed`` lists the
PARs.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shlex
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pysam

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
N_CODE = 4  # index of N in our 0..4 encoding
CODE_TO_ASCII = np.frombuffer(b"ACGTN", dtype=np.uint8)
COMPLEMENT = np.array([3, 2, 1, 0, 4], dtype=np.uint8)
ADAPTER_R1 = b"AGATCGGAAGAGCACACGTCTGAACTCCAGTCAC"
ADAPTER_R2 = b"AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGTA"
READ_LEN = 150
POPULATIONS = ("FI", "EE", "NL")

# Contig layout. Coordinates are 0-based half-open.
CONTIGS = {"chr1": 1_150_000, "chr2": 850_000, "chrX": 400_000, "chrY": 150_000, "chrM": 16_569}
TELOMERE = 5_000
PAR1 = (TELOMERE, 60_000)
PAR2 = (CONTIGS["chrX"] - TELOMERE - 25_000, CONTIGS["chrX"] - TELOMERE)
GAPS = {  # interior N gaps besides telomeres
    "chr1": [(560_000, 580_000)],
    "chr2": [(400_000, 410_000)],
    "chrY": [(90_000, 120_000)],
}


@dataclass(frozen=True)
class SampleSpec:
    """One row of the demo cohort design."""

    sample: str
    declared_sex: str
    genetic_sex: str
    population: str
    coverage: float
    units: tuple[str, ...] = ("L001",)
    role: str = "reference"


COHORT = (
    SampleSpec("S01", "female", "female", "FI", 30, ("L001", "L002"), "two lanes"),
    SampleSpec("S02", "male", "male", "FI", 30, role="duplicate of S08"),
    SampleSpec("S03", "female", "female", "EE", 30, role="mother of S04"),
    SampleSpec("S04", "male", "male", "EE", 30, role="son of S03"),
    SampleSpec("S05", "female", "female", "NL", 8, role="low coverage (~8x)"),
    SampleSpec("S06", "female", "female", "NL", 30, role="contaminated (~5% reads of another individual)"),
    SampleSpec("S07", "female", "male", "EE", 30, role="sex mismatch (declared female, genetically XY)"),
    SampleSpec("S08", "male", "male", "FI", 30, role="duplicate of S02 (same individual)"),
)
CONTAMINATION = {"S06": 0.05}


# ----------------------------------------------------------------------------- genome
def random_seq(rng: np.random.Generator, n: int, gc: float = 0.41) -> np.ndarray:
    """Random A/C/G/T codes (0..3) with the given GC content."""
    p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
    return rng.choice(4, size=n, p=p).astype(np.uint8)


def mutate(rng: np.random.Generator, seq: np.ndarray, rate: float) -> np.ndarray:
    """Copy of ``seq`` with substitutions at ``rate``."""
    out = seq.copy()
    hit = rng.random(seq.size) < rate
    out[hit] = (out[hit] + rng.integers(1, 4, hit.sum())) % 4
    return out


def build_genome(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], list[tuple[str, int, int, str]]]:
    """Return contig sequences (codes 0..4) and the segmental duplications as BED rows."""
    genome = {name: random_seq(rng, size) for name, size in CONTIGS.items()}
    alu = random_seq(rng, 300, gc=0.52)
    line1 = random_seq(rng, 6_000, gc=0.38)
    for name in ("chr1", "chr2", "chrX", "chrY"):
        seq = genome[name]
        n = seq.size
        for start in rng.integers(0, n - 300, n // 3_000):  # Alu-like, 12% divergence
            seq[start : start + 300] = mutate(rng, alu, 0.12)
        for start in rng.integers(0, n - 6_000, max(1, n // 400_000)):  # L1-like, 4%
            seq[start : start + 6_000] = mutate(rng, line1, 0.04)
        for start in rng.integers(0, n - 30, n // 2_000):  # homopolymers
            seq[start : start + rng.integers(8, 21)] = rng.choice([0, 3, 0, 3, 1, 2])
        for start in rng.integers(0, n - 120, n // 3_000):  # STRs
            motif = random_seq(rng, int(rng.integers(2, 5)))
            copies = int(rng.integers(8, 26))
            unit = np.tile(motif, copies)
            seq[start : start + unit.size] = unit
    segdups = []
    for k, ((src, s_start), (dst, d_start)) in enumerate((
        (("chr1", 200_000), ("chr2", 650_000)),
        (("chr1", 800_000), ("chr1", 950_000)),
        (("chr2", 150_000), ("chrX", 250_000)),
    ), start=1):
        copy = mutate(rng, genome[src][s_start : s_start + 15_000], 0.01)
        genome[dst][d_start : d_start + 15_000] = copy
        segdups += [(src, s_start, s_start + 15_000, f"SD{k}"), (dst, d_start, d_start + 15_000, f"SD{k}")]
    # N gaps: telomeres, interior gaps; chrY PARs hard-masked like the GRCh38 analysis set
    for name in ("chr1", "chr2", "chrX", "chrY"):
        genome[name][:TELOMERE] = N_CODE
        genome[name][-TELOMERE:] = N_CODE
        for start, end in GAPS.get(name, []):
            genome[name][start:end] = N_CODE
    ylen = CONTIGS["chrY"]
    genome["chrY"][PAR1[0] : PAR1[1]] = N_CODE
    genome["chrY"][ylen - TELOMERE - (PAR2[1] - PAR2[0]) : ylen - TELOMERE] = N_CODE
    return genome, segdups


def n_runs(seq: np.ndarray) -> list[tuple[int, int]]:
    """0-based half-open runs of N in a code array."""
    isn = np.concatenate([[False], seq == N_CODE, [False]])
    edges = np.flatnonzero(np.diff(isn.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def y_par_intervals() -> list[tuple[int, int]]:
    """PAR coordinates on chrY (masked there)."""
    ylen = CONTIGS["chrY"]
    return [PAR1, (ylen - TELOMERE - (PAR2[1] - PAR2[0]), ylen - TELOMERE)]


# --------------------------------------------------------------------------- variants
@dataclass
class Site:
    """A variant site: position, REF and ALT alleles (as strings) and per-pop ALT freqs."""

    contig: str
    pos: int  # 0-based
    ref: str
    alts: list[str]
    freqs: dict[str, np.ndarray] = field(default_factory=dict)  # pop -> freq per alt


def substitute(rng: np.random.Generator, base: int) -> int:
    """An ALT base for ``base`` (codes A0 C1 G2 T3): a transition (A<->G, C<->T) with
    probability 2/3, else one of the two transversions, for a human-like Ti/Tv of ~2."""
    if rng.random() < 2 / 3:
        return (base + 2) % 4
    return (base + (1 if rng.random() < 0.5 else 3)) % 4


def decode(codes: np.ndarray) -> str:
    return CODE_TO_ASCII[codes].tobytes().decode()


def make_sites(rng: np.random.Generator, genome: dict[str, np.ndarray]) -> list[Site]:
    """Population-structured sites on chr1, chr2, chrX and chrY."""
    sites: list[Site] = []
    fst = 0.02
    for contig in ("chr1", "chr2", "chrX", "chrY"):
        seq = genome[contig]
        n = seq.size
        density = 1 / 140 if contig != "chrY" else 1 / 400
        candidates = np.sort(rng.choice(np.arange(TELOMERE + 50, n - TELOMERE - 50), int(n * density), replace=False))
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
                if rng.random() < 0.03:  # multi-allelic SNV
                    first = substitute(rng, ref_base)
                    alt_codes = [first, rng.choice([b for b in range(4) if b not in (ref_base, first)])]
                    alts = [decode(np.array([c], np.uint8)) for c in alt_codes]
                else:
                    alts = [decode(np.array([substitute(rng, ref_base)], np.uint8))]
            elif vtype == "ins":
                ref = decode(seq[pos : pos + 1])
                alts = [ref + decode(random_seq(rng, length))]
            else:
                ref = decode(seq[pos : pos + length + 1])
                alts = [ref[0]]
            last_end = pos + len(ref)
            # frequency class: common shared, population-specific rare, (private added later)
            cls = rng.random()
            if cls < 0.6:
                anc = float(rng.beta(0.6, 0.9)) * 0.9 + 0.05
                a, b = anc * (1 - fst) / fst, (1 - anc) * (1 - fst) / fst
                total = {p: float(rng.beta(a, b)) for p in POPULATIONS}
            else:
                home = POPULATIONS[int(rng.integers(len(POPULATIONS)))]
                total = {p: (float(rng.uniform(0.04, 0.2)) if p == home else 0.0) for p in POPULATIONS}
            split = np.array([1.0]) if len(alts) == 1 else np.array([0.6, 0.4])
            freqs = {p: split * f for p, f in total.items()}
            sites.append(Site(contig, pos, ref, alts, freqs))
    return sites


@dataclass
class Individual:
    """Haplotype allele indices (0 = REF) per site index, per contig copy."""

    name: str
    population: str
    sex: str
    # contig -> array (n_copies, n_sites_on_contig) of allele indices
    haps: dict[str, np.ndarray]


def sample_haps(rng: np.random.Generator, sites_by_contig: dict[str, list[Site]], pop: str, sex: str) -> dict[str, np.ndarray]:
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


def add_private(rng: np.random.Generator, owner: Individual, people: list[Individual], sites_by_contig: dict[str, list[Site]], genome, n_private: int) -> None:
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
            sites_by_contig[contig].append(Site(contig, pos, ref, [alt], {p: np.zeros(1) for p in POPULATIONS}))
            for ind in people:
                ind.haps[contig] = np.concatenate([ind.haps[contig], np.zeros((ind.haps[contig].shape[0], 1), np.int8)], axis=1)
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


def inherit(rng: np.random.Generator, parent: Individual, child: Individual, contigs: list[str]) -> None:
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
    pieces, cursor = [], 0
    lookup = np.full(256, N_CODE, np.uint8)
    lookup[np.frombuffer(b"ACGTN", np.uint8)] = np.arange(5, dtype=np.uint8)
    for site, allele in zip(sites, alleles.tolist()):
        if allele == 0:
            continue
        alt = site.alts[allele - 1]
        pieces.append(seq[cursor : site.pos])
        pieces.append(lookup[np.frombuffer(alt.encode(), np.uint8)])
        cursor = site.pos + len(site.ref)
    pieces.append(seq[cursor:])
    return np.concatenate(pieces)


# ------------------------------------------------------------------------------ reads
def quality_matrix(rng: np.random.Generator, n: int, mate: int) -> np.ndarray:
    """Illumina-like per-cycle qualities (Phred), falling towards the 3' end."""
    cycle = np.arange(READ_LEN) / READ_LEN
    mean = (37.5 - (9 if mate == 2 else 6) * cycle**2).astype(np.float32)
    q = mean[None, :] + np.float32(2.5) * rng.standard_normal((n, READ_LEN), dtype=np.float32)
    # a few reads whose tail collapses (Illumina's Q2 'B-tail')
    bad = rng.random(n) < 0.04
    tail_start = rng.integers(90, READ_LEN, n)
    q[bad[:, None] & (np.arange(READ_LEN)[None, :] >= tail_start[:, None])] = 2
    return np.clip(np.rint(q), 2, 41).astype(np.uint8)


def add_errors(rng: np.random.Generator, reads: np.ndarray, qual: np.ndarray) -> None:
    """Substitute bases with probability 10^(-Q/10) (in place)."""
    error_prob = np.power(10.0, -np.arange(64) / 10.0).astype(np.float32)
    hit = rng.random(reads.shape, dtype=np.float32) < error_prob[qual]
    reads[hit] = (reads[hit] + rng.integers(1, 4, int(hit.sum()))) % 4


def fragments(rng: np.random.Generator, hap: np.ndarray, windows: list[tuple[int, int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``n`` fragment (start, length) pairs inside ``windows`` avoiding N."""
    lengths = np.clip(rng.normal(420, 90, n), 160, 1000).astype(np.int64)
    short = rng.random(n) < 0.03
    lengths[short] = rng.integers(60, 150, int(short.sum()))
    spans = np.array([e - s for s, e in windows], float)
    which = rng.choice(len(windows), n, p=spans / spans.sum())
    w_start = np.array([s for s, _ in windows])[which]
    w_end = np.array([e for _, e in windows])[which]
    starts = w_start + (rng.random(n) * np.maximum(w_end - w_start - lengths, 1)).astype(np.int64)
    ok = starts + lengths <= np.minimum(w_end, hap.size)
    isn = np.concatenate([[0], np.cumsum(hap == N_CODE)])
    ok &= (isn[np.minimum(starts + lengths, hap.size)] - isn[starts]) == 0
    return starts[ok], lengths[ok]


def reads_from(hap: np.ndarray, starts: np.ndarray, lengths: np.ndarray, forward: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Build R1/R2 code matrices; inserts shorter than a read run into the adapters."""
    n = starts.size
    cyc = np.arange(READ_LEN)[None, :]
    # R1 reads the fragment's forward strand from its start, R2 the reverse from its end
    top = hap[np.minimum(starts[:, None] + cyc, hap.size - 1)]
    bottom = COMPLEMENT[hap[np.maximum(starts[:, None] + lengths[:, None] - 1 - cyc, 0)]]
    lookup = np.full(256, 0, np.uint8)
    lookup[np.frombuffer(b"ACGT", np.uint8)] = np.arange(4, dtype=np.uint8)
    for mat, adapter in ((top, ADAPTER_R1), (bottom, ADAPTER_R2)):
        past = cyc >= lengths[:, None]
        tail = np.concatenate([lookup[np.frombuffer(adapter, np.uint8)], rng.integers(0, 4, READ_LEN).astype(np.uint8)])
        idx = np.clip(cyc - lengths[:, None], 0, READ_LEN - 1)
        mat[past] = tail[idx[past]]
    r1 = np.where(forward[:, None], top, bottom)
    r2 = np.where(forward[:, None], bottom, top)
    return r1, r2


@dataclass
class ReadJob:
    """Everything one worker needs to write one sample's reads."""

    spec: SampleSpec
    seed: int
    outdir: str
    # list of (haplotype codes, sampling windows, fragment count, is_contaminant)
    sources: list


def write_fastq(path: Path, names: list[bytes], seqs: np.ndarray, quals: np.ndarray, mate: int) -> None:
    seq_b = np.ascontiguousarray(CODE_TO_ASCII[seqs]).view(f"S{READ_LEN}").ravel().tolist()
    qual_b = np.ascontiguousarray(quals + 33).view(f"S{READ_LEN}").ravel().tolist()
    tag = f" {mate}:N:0:1\n".encode()
    out = []
    for name, s, q in zip(names, seq_b, qual_b):
        out += [b"@", name, tag, s, b"\n+\n", q, b"\n"]
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(b"".join(out))


def unique_positions(tiles: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> None:
    """Give every cluster its own (tile, x, y), in place, by moving a repeat along y: read
    names are built from them and must be unique, as on a real flow cell (samtools
    pairs mates by name; two pairs under one name would be lost when a CRAM or uBAM of
    them is turned back into reads)."""
    seen: set[tuple[int, int, int]] = set()
    for i, (t, x, y) in enumerate(zip(tiles.tolist(), xs.tolist(), ys.tolist())):
        while (t, x, y) in seen:
            y += 1
        ys[i] = y
        seen.add((t, x, y))


def simulate_reads(job: ReadJob) -> list[tuple[str, str, str, str]]:
    """Simulate and write one sample's units; returns units.tsv rows."""
    rng = np.random.default_rng(job.seed)
    r1s, r2s = [], []
    for hap, windows, n, _ in job.sources:
        starts, lengths = fragments(rng, hap, windows, n)
        forward = rng.random(starts.size) < 0.5
        a, b = reads_from(hap, starts, lengths, forward, rng)
        r1s.append(a)
        r2s.append(b)
    r1, r2 = np.concatenate(r1s), np.concatenate(r2s)
    n = r1.shape[0]
    tiles = rng.integers(1101, 1125, n)
    xs, ys = rng.integers(1000, 30000, n), rng.integers(1000, 30000, n)
    # PCR duplicates (anywhere on the flow cell) and optical duplicates (same tile, close by)
    pcr = rng.choice(n, int(n * 0.04), replace=False)
    opt = rng.choice(n, int(n * 0.01), replace=False)
    r1 = np.concatenate([r1, r1[pcr], r1[opt]])
    r2 = np.concatenate([r2, r2[pcr], r2[opt]])
    tiles = np.concatenate([tiles, rng.integers(1101, 1125, pcr.size), tiles[opt]])
    xs = np.concatenate([xs, rng.integers(1000, 30000, pcr.size), xs[opt] + rng.integers(-30, 31, opt.size)])
    ys = np.concatenate([ys, rng.integers(1000, 30000, pcr.size), ys[opt] + rng.integers(-30, 31, opt.size)])
    total = r1.shape[0]
    unique_positions(tiles, xs, ys)
    q1, q2 = quality_matrix(rng, total, 1), quality_matrix(rng, total, 2)
    add_errors(rng, r1, q1)
    add_errors(rng, r2, q2)
    order = rng.permutation(total)
    units = job.spec.units
    lane_of = rng.integers(0, len(units), total)
    rows = []
    for li, unit in enumerate(units):
        sel = order[lane_of[order] == li]
        sel = sel[np.lexsort((xs[sel], tiles[sel]))]  # sequencer order: tile, then position
        lane = li + 1
        names = [f"SIM:{job.seed % 997}:HDEMOXX{job.spec.sample}:{lane}:{t}:{x}:{y}".encode() for t, x, y in zip(tiles[sel].tolist(), xs[sel].tolist(), ys[sel].tolist())]
        fq1 = Path(job.outdir) / f"{job.spec.sample}_{unit}_R1.fastq.gz"
        fq2 = Path(job.outdir) / f"{job.spec.sample}_{unit}_R2.fastq.gz"
        write_fastq(fq1, names, r1[sel], q1[sel], 1)
        write_fastq(fq2, names, r2[sel], q2[sel], 2)
        rows.append((job.spec.sample, unit, str(fq1), str(fq2)))
    return rows


# ------------------------------------------------------------------------------ output
def write_fasta(path: Path, genome: dict[str, np.ndarray]) -> None:
    with open(path, "w") as fh:
        for name, seq in genome.items():
            fh.write(f">{name}\n")
            text = decode(seq)
            fh.write("\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\n")
    pysam.faidx(str(path))


def vcf_header(genome: dict[str, np.ndarray], samples: list[str], info: list[str]) -> str:
    lines = ["##fileformat=VCFv4.2", "##source=make_demo_data.py"]
    lines += [f"##contig=<ID={c},length={s.size}>" for c, s in genome.items()]
    lines += info
    lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"] + (["FORMAT"] + samples if samples else [])
    return "\n".join(lines + ["\t".join(cols)]) + "\n"


def bgzip_index(text_path: Path) -> None:
    pysam.tabix_index(str(text_path), preset="vcf", force=True)  # writes .gz and .tbi, removes text


def is_par(contig: str, pos: int) -> bool:
    return contig == "chrX" and (PAR1[0] <= pos < PAR1[1] or PAR2[0] <= pos < PAR2[1])


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


B37_NAMES = {"chr1": "1", "chr2": "2", "chrX": "X", "chrY": "Y", "chrM": "MT"}
EXTERNAL_CRAM_SAMPLE, EXTERNAL_UBAM_SAMPLE = "S03", "S04"


def run_pipe(command: str, log: Path) -> None:
    """Run a shell pipeline (bash, pipefail); stop with its log on failure."""
    with open(log, "a") as fh:
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], stdout=fh, stderr=fh)
    if done.returncode:
        sys.exit(f"[demo] failed ({done.returncode}): {command}\nsee {log}")


def write_external(out: Path, genome: dict[str, np.ndarray], fastqs: dict[str, tuple[str, str]], threads: int) -> dict[str, dict]:
    """S03 as another centre's CRAM (GRCh37-style contig names, its own read group and
    @PG chain), S04 as an unaligned BAM; returns their units.tsv cells."""
    ext = out / "external"
    ext.mkdir(exist_ok=True)
    log = ext / "make_external.log"
    log.write_text("")
    ref = ext / "reference_b37names.fa"
    write_fasta(ref, {B37_NAMES[c]: s for c, s in genome.items()})
    pysam.faidx(str(ref))
    q = shlex.quote
    run_pipe(f"bwa index -p {q(str(ext / 'bwa_index'))} {q(str(ref))}", log)
    r1, r2 = fastqs[EXTERNAL_CRAM_SAMPLE]
    cram = ext / f"{EXTERNAL_CRAM_SAMPLE}.cram"
    rg = "@RG\\tID:HDEMOXXS03.1\\tSM:EE-0003\\tPL:ILLUMINA\\tLB:EEGC-LIB-0003\\tPU:HDEMOXXS03.1.ACGTACGT\\tCN:EEGC"
    run_pipe(
        f"bwa mem -t {threads} -R {q(rg)} {q(str(ext / 'bwa_index'))} {q(r1)} {q(r2)}"
        f" | samtools fixmate -m -u - - | samtools sort -u -T {q(str(cram))}.tmp -"
        f" | samtools markdup --reference {q(str(ref))} -O cram --write-index - {q(str(cram))}",
        log,
    )
    for suffix in (".amb", ".ann", ".bwt", ".pac", ".sa"):
        (ext / f"bwa_index{suffix}").unlink()
    r1, r2 = fastqs[EXTERNAL_UBAM_SAMPLE]
    ubam = ext / f"{EXTERNAL_UBAM_SAMPLE}.unaligned.bam"
    run_pipe(
        f"samtools import -1 {q(r1)} -2 {q(r2)} -r ID:HDEMOXXS04.1 -r SM:{EXTERNAL_UBAM_SAMPLE}"
        f" -r PL:ILLUMINA -r LB:{EXTERNAL_UBAM_SAMPLE}-lib1 -r PU:HDEMOXXS04.1 -o {q(str(ubam))}",
        log,
    )
    return {
        EXTERNAL_CRAM_SAMPLE: {"cram": str(cram), "input_reference": str(ref)},
        EXTERNAL_UBAM_SAMPLE: {"ubam": str(ubam)},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outdir", default="resources/demo", help="output folder [resources/demo]")
    ap.add_argument("--seed", type=int, default=20261121, help="random seed [20261121]")
    ap.add_argument("--threads", type=int, default=2, help="worker processes for the reads [2]")
    ap.add_argument("--skip-reads", action="store_true", help="write genome, truth and samples.tsv only (for tests)")
    args = ap.parse_args(argv)
    t0 = time.time()
    out = Path(args.outdir)
    (out / "reads").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)

    genome, segdups = build_genome(rng)
    write_fasta(out / "reference.fa", genome)
    print(f"[demo] reference: {sum(s.size for s in genome.values()):,} bp in {len(genome)} contigs", file=sys.stderr)

    sites = make_sites(rng, genome)
    sites_by_contig = {c: [s for s in sites if s.contig == c] for c in ("chr1", "chr2", "chrX", "chrY")}
    people: dict[str, Individual] = {}
    for spec in COHORT:
        if spec.sample == "S08":
            continue  # same individual as S02, added below
        haps = sample_haps(rng, sites_by_contig, spec.population, spec.genetic_sex)
        people[spec.sample] = Individual(spec.sample, spec.population, spec.genetic_sex, haps)
    contaminant = Individual("EXT1", "FI", "male", sample_haps(rng, sites_by_contig, "FI", "male"))
    everyone = list(people.values()) + [contaminant]
    for ind in list(people.values()):
        add_private(rng, ind, everyone, sites_by_contig, genome, 20)
    resort(sites_by_contig, everyone)
    # The parent-child pair: S04 gets one recombined haplotype of S03 (his X from her).
    inherit(rng, people["S03"], people["S04"], ["chr1", "chr2", "chrX"])
    people["S08"] = Individual("S08", "FI", "male", people["S02"].haps)

    # ---- truth VCFs, population AFs
    pop_lines = []
    per_sample: dict[str, list[str]] = {s.sample: [] for s in COHORT}
    for contig, slist in sites_by_contig.items():
        for i, site in enumerate(slist):
            carriers = 0
            for spec in COHORT:
                gt = truth_gt(people[spec.sample], contig, i, site.pos)
                if gt is not None:
                    carriers += 1
                    per_sample[spec.sample].append(f"{contig}\t{site.pos + 1}\t.\t{site.ref}\t{','.join(site.alts)}\t.\tPASS\t.\tGT\t{gt}")
            afs = ";".join(f"AF_{p}=" + ",".join(f"{f:.4f}" for f in site.freqs[p]) for p in POPULATIONS)
            mean = np.mean([site.freqs[p] for p in POPULATIONS], axis=0)
            if mean.sum() > 0:
                pop_lines.append(f"{contig}\t{site.pos + 1}\t.\t{site.ref}\t{','.join(site.alts)}\t.\tPASS\tAF={','.join(f'{f:.4f}' for f in mean)};{afs}")
    info = ['##INFO=<ID=AF,Number=A,Type=Float,Description="Mean allele frequency over the demo populations">']
    info += [f'##INFO=<ID=AF_{p},Number=A,Type=Float,Description="Allele frequency in population {p}">' for p in POPULATIONS]
    af_path = out / "population_af.vcf"
    af_path.write_text(vcf_header(genome, [], info) + "\n".join(pop_lines) + "\n")
    bgzip_index(af_path)
    for sample, lines in per_sample.items():
        path = out / "truth" / f"{sample}.vcf"
        path.write_text(vcf_header(genome, [sample], []) + "\n".join(lines) + "\n")
        bgzip_index(path)

    # ---- BEDs, ploidy
    gaps = {c: n_runs(s) for c, s in genome.items()}
    with open(out / "gaps.bed", "w") as fh:
        for c, runs in gaps.items():
            fh.writelines(f"{c}\t{s}\t{e}\n" for s, e in runs)
    with open(out / "segdups.bed", "w") as fh:
        fh.writelines(f"{c}\t{s}\t{e}\t{n}\n" for c, s, e, n in sorted(segdups))
    with open(out / "par.bed", "w") as fh:
        fh.write(f"chrX\t{PAR1[0]}\t{PAR1[1]}\tPAR1\nchrX\t{PAR2[0]}\t{PAR2[1]}\tPAR2\n")
        for (s, e), name in zip(y_par_intervals(), ("PAR1", "PAR2")):
            fh.write(f"chrY\t{s}\t{e}\t{name}\n")
    mask = {c: np.zeros(s.size, bool) for c, s in genome.items() if c != "chrM"}
    for c in mask:
        for s, e in gaps[c]:
            mask[c][max(0, s - 200) : e + 200] = True
    for c, s, e, _ in segdups:
        mask[c][s:e] = True
    with open(out / "callable.bed", "w") as fh:
        for c, m in mask.items():
            for s, e in n_runs(np.where(m, 0, N_CODE).astype(np.uint8)):
                fh.write(f"{c}\t{s}\t{e}\n")
    xlen = CONTIGS["chrX"]
    (out / "ploidy.txt").write_text(
        "# bcftools call --ploidy-file for the demo genome: CHROM FROM TO SEX PLOIDY (1-based)\n"
        f"chrX 1 {PAR1[0]} M 1\nchrX {PAR1[1] + 1} {PAR2[0]} M 1\nchrX {PAR2[1] + 1} {xlen} M 1\n"
        "chrY 1 2147483647 M 1\nchrY 1 2147483647 F 0\nchrM 1 2147483647 M 1\nchrM 1 2147483647 F 1\n"
        "* * * M 2\n* * * F 2\n"
    )

    with open(out / "samples.tsv", "w") as fh:
        fh.write("sample\tsex\tpopulation\n")
        fh.writelines(f"{s.sample}\t{s.declared_sex}\t{s.population}\n" for s in COHORT)
    if args.skip_reads:
        return 0

    # ---- reads
    jobs = []
    for k, spec in enumerate(COHORT):
        ind = people[spec.sample]
        sources = []
        mixes = [(ind, 1.0 - CONTAMINATION.get(spec.sample, 0.0), False)]
        if spec.sample in CONTAMINATION:
            mixes.append((contaminant, CONTAMINATION[spec.sample], True))
        for who, share, is_cont in mixes:
            for contig, seq in genome.items():
                if contig == "chrM":
                    copies = [(seq, [(0, seq.size)])]
                elif contig == "chrY":
                    if who.sex == "female":
                        continue
                    copies = [(haplotype_sequence(seq, sites_by_contig[contig], who.haps[contig][0]), [(0, seq.size)])]
                elif contig == "chrX" and who.sex == "male":
                    x = haplotype_sequence(seq, sites_by_contig[contig], who.haps[contig][0])
                    ypar = haplotype_sequence(seq, sites_by_contig[contig], who.haps[contig][1])
                    copies = [(x, [(0, x.size)]), (ypar, [PAR1, (PAR2[0], min(PAR2[1], ypar.size))])]
                else:
                    copies = [(haplotype_sequence(seq, sites_by_contig[contig], who.haps[contig][h]), [(0, seq.size)]) for h in (0, 1)]
                for hap, windows in copies:
                    span = sum(e - s for s, e in windows)
                    n = int(spec.coverage * share * span / (2 * READ_LEN) / 2)
                    sources.append((hap, windows, n, is_cont))
        jobs.append(ReadJob(spec, args.seed + 1000 * (k + 1), str(out / "reads"), sources))
    with ProcessPoolExecutor(max_workers=max(1, args.threads)) as pool:
        unit_rows = [row for rows in pool.map(simulate_reads, jobs) for row in rows]

    # ---- genomes sequenced elsewhere: S03 as a CRAM on a differently named reference,
    # S04 as an unaligned BAM
    external = write_external(out, genome, {s: (f1, f2) for s, _, f1, f2 in unit_rows}, args.threads)

    # ---- sheets
    with open(out / "units.tsv", "w") as fh:
        fh.write("sample\tunit\tplatform\tlibrary\tfq1\tfq2\tcram\tubam\tinput_reference\n")
        for s, u, f1, f2 in unit_rows:
            row = external.get(s, {"fq1": f1, "fq2": f2})
            fh.write(
                f"{s}\t{u}\tILLUMINA\t{s}-lib1\t{row.get('fq1', '')}\t{row.get('fq2', '')}"
                f"\t{row.get('cram', '')}\t{row.get('ubam', '')}\t{row.get('input_reference', '')}\n"
            )
    with open(out / "truth.tsv", "w") as fh:
        fh.write("sample\tvcf\tbed\n")
        fh.writelines(f"{s.sample}\t{out / 'truth' / s.sample}.vcf.gz\t{out / 'callable.bed'}\n" for s in COHORT)
    with open(out / "planted.tsv", "w") as fh:
        fh.write("sample\tdeclared_sex\tgenetic_sex\tpopulation\tcoverage\tcontamination\trole\n")
        fh.writelines(
            f"{s.sample}\t{s.declared_sex}\t{s.genetic_sex}\t{s.population}\t{s.coverage}\t{CONTAMINATION.get(s.sample, 0.0)}\t{s.role}\n"
            for s in COHORT
        )
    print(f"[demo] {len(COHORT)} samples, {sum(len(v) for v in per_sample.values()):,} truth genotypes, written to {out} in {time.time() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
