"""Illumina-like paired-end reads of the demo (and of the scaling benchmark's cohort).

2 x 150 bp, fragment lengths ~N(420, 90) with 3% short inserts (60-150 bp) that read
into TruSeq adapters; per-cycle qualities that fall towards the 3' end, worse on R2,
with some reads whose tails collapse to Q2; substitution errors drawn from the
qualities; ~4% PCR duplicates and ~1% optical duplicates (same tile, nearby x/y in the
Illumina read name).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .genome import CODE_TO_ASCII, COMPLEMENT, N_CODE

if TYPE_CHECKING:
    from .cohort import SampleSpec

READ_LEN = 150
ADAPTER_R1 = b"AGATCGGAAGAGCACACGTCTGAACTCCAGTCAC"
ADAPTER_R2 = b"AGATCGGAAGAGCGTCGTGTAGGGAAAGAGTGTA"
ACGT_TO_CODE = np.full(256, 0, np.uint8)
ACGT_TO_CODE[np.frombuffer(b"ACGT", np.uint8)] = np.arange(4, dtype=np.uint8)


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


def fragments(
    rng: np.random.Generator, hap: np.ndarray, windows: list[tuple[int, int]], n: int
) -> tuple[np.ndarray, np.ndarray]:
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


def strands(
    hap: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The first READ_LEN cycles of each fragment's forward strand (from its start) and
    reverse strand (from its end), as code matrices; past the fragment they hold
    whatever lies beyond it on the haplotype (see :func:`reads_from` for adapters)."""
    cyc = np.arange(READ_LEN)[None, :]
    top = hap[np.minimum(starts[:, None] + cyc, hap.size - 1)]
    bottom = COMPLEMENT[hap[np.maximum(starts[:, None] + lengths[:, None] - 1 - cyc, 0)]]
    return top, bottom


def orient(
    top: np.ndarray, bottom: np.ndarray, forward: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(R1, R2): R1 reads the top strand where ``forward``, else the bottom one."""
    r1 = np.where(forward[:, None], top, bottom)
    r2 = np.where(forward[:, None], bottom, top)
    return r1, r2


def reads_from(
    hap: np.ndarray, starts: np.ndarray, lengths: np.ndarray, forward: np.ndarray, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Build R1/R2 code matrices; inserts shorter than a read run into the adapters."""
    cyc = np.arange(READ_LEN)[None, :]
    # R1 reads the fragment's forward strand from its start, R2 the reverse from its end
    top, bottom = strands(hap, starts, lengths)
    for mat, adapter in ((top, ADAPTER_R1), (bottom, ADAPTER_R2)):
        past = cyc >= lengths[:, None]
        random_tail = rng.integers(0, 4, READ_LEN).astype(np.uint8)
        tail = np.concatenate([ACGT_TO_CODE[np.frombuffer(adapter, np.uint8)], random_tail])
        idx = np.clip(cyc - lengths[:, None], 0, READ_LEN - 1)
        mat[past] = tail[idx[past]]
    return orient(top, bottom, forward)


def write_fastq(
    path: Path, names: list[bytes], seqs: np.ndarray, quals: np.ndarray, mate: int
) -> None:
    """A gzipped FASTQ (level 1) of code matrices and Phred matrices, Illumina comments."""
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


def read_names(
    seed: int, sample: str, lane: int, tiles: np.ndarray, xs: np.ndarray, ys: np.ndarray
) -> list[bytes]:
    """Illumina read names: instrument SIM, run, flow cell HDEMOXX<sample>, lane, tile, x, y."""
    return [
        f"SIM:{seed % 997}:HDEMOXX{sample}:{lane}:{t}:{x}:{y}".encode()
        for t, x, y in zip(tiles.tolist(), xs.tolist(), ys.tolist())
    ]


@dataclass
class ReadJob:
    """Everything one worker needs to write one sample's reads."""

    spec: SampleSpec
    seed: int
    outdir: str
    # list of (haplotype codes, sampling windows, fragment count, is_contaminant)
    sources: list


def with_duplicates(rng: np.random.Generator, r1: np.ndarray, r2: np.ndarray):
    """(R1, R2, tiles, xs, ys) of the clusters with PCR duplicates (anywhere on the flow
    cell) and optical duplicates (same tile, close by) appended."""
    n = r1.shape[0]
    tiles = rng.integers(1101, 1125, n)
    xs, ys = rng.integers(1000, 30000, n), rng.integers(1000, 30000, n)
    pcr = rng.choice(n, int(n * 0.04), replace=False)
    opt = rng.choice(n, int(n * 0.01), replace=False)
    r1 = np.concatenate([r1, r1[pcr], r1[opt]])
    r2 = np.concatenate([r2, r2[pcr], r2[opt]])
    tiles = np.concatenate([tiles, rng.integers(1101, 1125, pcr.size), tiles[opt]])
    # the draws in this order: PCR x, optical x offsets, PCR y, optical y offsets
    xs = np.concatenate(
        [xs, rng.integers(1000, 30000, pcr.size), xs[opt] + rng.integers(-30, 31, opt.size)]
    )
    ys = np.concatenate(
        [ys, rng.integers(1000, 30000, pcr.size), ys[opt] + rng.integers(-30, 31, opt.size)]
    )
    return r1, r2, tiles, xs, ys


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
    r1, r2, tiles, xs, ys = with_duplicates(rng, np.concatenate(r1s), np.concatenate(r2s))
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
        names = read_names(job.seed, job.spec.sample, li + 1, tiles[sel], xs[sel], ys[sel])
        fq1 = Path(job.outdir) / f"{job.spec.sample}_{unit}_R1.fastq.gz"
        fq2 = Path(job.outdir) / f"{job.spec.sample}_{unit}_R2.fastq.gz"
        write_fastq(fq1, names, r1[sel], q1[sel], 1)
        write_fastq(fq2, names, r2[sel], q2[sel], 2)
        rows.append((job.spec.sample, unit, str(fq1), str(fq2)))
    return rows
