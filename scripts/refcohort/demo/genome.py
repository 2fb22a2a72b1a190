"""The demo genome: a GRCh38-like reference in miniature, as numpy base codes.

Codes 0..4 stand for A, C, G, T, N. Coordinates are 0-based half-open.

  * ``chr1`` (1.15 Mb) and ``chr2`` (0.85 Mb) autosomes, ``chrX`` (400 kb) with PAR1
    and PAR2, ``chrY`` (150 kb) whose PARs are hard-masked with N as in the GRCh38
    analysis sets (PAR reads map to chrX, so males are diploid there), ``chrM`` (16,569 bp);
  * N gaps: telomeres at every nuclear contig end, a centromere-like gap in chr1 and a
    smaller gap in chr2, heterochromatin on chrY;
  * interspersed repeats (an Alu-like 300 bp family at 12% divergence and an L1-like
    6 kb family at 4%), segmental duplications (15 kb copies at 1% divergence),
    homopolymers (8-20 bp) and short tandem repeats (2-4 bp motifs).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pysam

N_CODE = 4  # index of N in our 0..4 encoding
CODE_TO_ASCII = np.frombuffer(b"ACGTN", dtype=np.uint8)
COMPLEMENT = np.array([3, 2, 1, 0, 4], dtype=np.uint8)
ASCII_TO_CODE = np.full(256, N_CODE, np.uint8)  # anything but A/C/G/T reads as N
ASCII_TO_CODE[np.frombuffer(b"ACGTN", np.uint8)] = np.arange(5, dtype=np.uint8)

CONTIGS = {"chr1": 1_150_000, "chr2": 850_000, "chrX": 400_000, "chrY": 150_000, "chrM": 16_569}
TELOMERE = 5_000
PAR1 = (TELOMERE, 60_000)
PAR2 = (CONTIGS["chrX"] - TELOMERE - 25_000, CONTIGS["chrX"] - TELOMERE)
GAPS = {  # interior N gaps besides telomeres
    "chr1": [(560_000, 580_000)],
    "chr2": [(400_000, 410_000)],
    "chrY": [(90_000, 120_000)],
}
SEGDUP_LENGTH = 15_000
SEGDUP_PAIRS = (  # (source contig, start), (copy contig, start)
    (("chr1", 200_000), ("chr2", 650_000)),
    (("chr1", 800_000), ("chr1", 950_000)),
    (("chr2", 150_000), ("chrX", 250_000)),
)

Segdup = tuple[str, int, int, str]  # contig, start, end, name (a BED row)


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


def add_repeats(rng: np.random.Generator, seq: np.ndarray, alu, line1) -> None:
    """Alu- and L1-like copies, homopolymers and STRs written over ``seq`` (in place)."""
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


def build_genome(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], list[Segdup]]:
    """Return contig sequences (codes 0..4) and the segmental duplications as BED rows."""
    genome = {name: random_seq(rng, size) for name, size in CONTIGS.items()}
    alu = random_seq(rng, 300, gc=0.52)
    line1 = random_seq(rng, 6_000, gc=0.38)
    for name in ("chr1", "chr2", "chrX", "chrY"):
        add_repeats(rng, genome[name], alu, line1)
    segdups = []
    for k, ((src, s_start), (dst, d_start)) in enumerate(SEGDUP_PAIRS, start=1):
        copy = mutate(rng, genome[src][s_start : s_start + SEGDUP_LENGTH], 0.01)
        genome[dst][d_start : d_start + SEGDUP_LENGTH] = copy
        segdups += [
            (src, s_start, s_start + SEGDUP_LENGTH, f"SD{k}"),
            (dst, d_start, d_start + SEGDUP_LENGTH, f"SD{k}"),
        ]
    # N gaps: telomeres, interior gaps; chrY PARs hard-masked like the GRCh38 analysis set
    for name in ("chr1", "chr2", "chrX", "chrY"):
        genome[name][:TELOMERE] = N_CODE
        genome[name][-TELOMERE:] = N_CODE
        for start, end in GAPS.get(name, []):
            genome[name][start:end] = N_CODE
    for start, end in y_par_intervals():
        genome["chrY"][start:end] = N_CODE
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


def is_par(contig: str, pos: int) -> bool:
    """Whether 0-based ``pos`` of ``contig`` lies in a chrX PAR."""
    return contig == "chrX" and (PAR1[0] <= pos < PAR1[1] or PAR2[0] <= pos < PAR2[1])


def decode(codes: np.ndarray) -> str:
    """Base codes as an A/C/G/T/N string."""
    return CODE_TO_ASCII[codes].tobytes().decode()


def encode(text: str) -> np.ndarray:
    """An A/C/G/T/N string as base codes."""
    return ASCII_TO_CODE[np.frombuffer(text.encode(), np.uint8)]


def splice(seq: np.ndarray, edits: Iterable[tuple[int, int, np.ndarray]]) -> np.ndarray:
    """``seq`` with each (0-based pos, REF length, ALT codes) edit applied; edits sorted
    by position and not overlapping."""
    pieces, cursor = [], 0
    for pos, ref_length, alt in edits:
        pieces.append(seq[cursor:pos])
        pieces.append(alt)
        cursor = pos + ref_length
    pieces.append(seq[cursor:])
    return np.concatenate(pieces)


def write_fasta(path: Path, genome: dict[str, np.ndarray], index: bool = True) -> None:
    """A FASTA of the code arrays, 60 bases a line; with ``index``, its .fai too."""
    with open(path, "w") as fh:
        for name, seq in genome.items():
            fh.write(f">{name}\n")
            text = decode(seq)
            fh.write("\n".join(text[i : i + 60] for i in range(0, len(text), 60)) + "\n")
    if index:
        pysam.faidx(str(path))
