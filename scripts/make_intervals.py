"""Split the reference into length-balanced interval shards that leave out N gaps.

Shards are contiguous runs of the genome in FASTA order, so per-shard VCFs concatenate
in sorted order. Each shard holds about the same number of non-N bases; shard
boundaries may fall inside a contig.
"""


import re
import sys
from pathlib import Path

import numpy as np
import pysam

Interval = tuple[str, int, int]  # contig, 0-based start, end (half-open)


def acgt_runs(sequence: str) -> list[tuple[int, int]]:
    """Half-open runs of non-N bases in ``sequence`` (any case)."""
    codes = np.frombuffer(sequence.upper().encode(), dtype=np.uint8)
    is_base = np.concatenate([[False], codes != ord("N"), [False]])
    edges = np.flatnonzero(np.diff(is_base.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def callable_intervals(fasta: str, exclude: str = "") -> list[Interval]:
    """Non-N intervals of every contig whose name does not match ``exclude``."""
    pattern = re.compile(exclude) if exclude else None
    out: list[Interval] = []
    with pysam.FastaFile(fasta) as fa:
        for contig in fa.references:
            if pattern and pattern.search(contig):
                continue
            out += [(contig, s, e) for s, e in acgt_runs(fa.fetch(contig))]
    return out


def balance(intervals: list[Interval], n_shards: int) -> list[list[Interval]]:
    """Cut the ordered intervals into ``n_shards`` contiguous groups of equal length.

    The last shard takes any remainder; a shard is empty only when there are fewer
    bases than shards.
    """
    if n_shards < 1:
        raise ValueError("n_shards must be >= 1")
    total = sum(e - s for _, s, e in intervals)
    if total == 0:
        raise ValueError("the reference has no non-N sequence to call on")
    target = -(-total // n_shards)  # ceiling
    shards: list[list[Interval]] = [[] for _ in range(n_shards)]
    current, filled = 0, 0
    for contig, start, end in intervals:
        while start < end:
            room = target - filled
            take = min(room, end - start)
            shards[current].append((contig, start, start + take))
            start += take
            filled += take
            if filled == target and current < n_shards - 1:
                current, filled = current + 1, 0
    return shards


def qc_regions(fasta: str, par_bed: str | None, autosomes: str, x: str, y: str) -> list[tuple[str, int, int, str]]:
    """Non-N sequence of the autosomes and of chrX and chrY outside the PARs, each
    interval labelled with its class (autosome, chrX, chrY) for coverage QC."""
    from common import contig_class, subtract

    pars: dict[str, list[tuple[int, int]]] = {}
    if par_bed:
        for line in Path(par_bed).read_text().splitlines():
            if line.strip() and not line.startswith(("#", "track", "browser")):
                contig, start, end = line.split("\t")[:3]
                pars.setdefault(contig, []).append((int(start), int(end)))
    out = []
    with pysam.FastaFile(fasta) as fa:
        for contig in fa.references:
            cls = contig_class(contig, autosomes, x, y)
            if cls is None:
                continue
            runs = subtract(acgt_runs(fa.fetch(contig)), pars.get(contig, []))
            out += [(contig, s, e, cls) for s, e in runs]
    return out


def write_bed(path: str | Path, intervals: list[Interval]) -> None:
    with open(path, "w") as fh:
        fh.writelines(f"{c}\t{s}\t{e}\n" for c, s, e in intervals)


def main(smk) -> None:
    sys.stderr = open(smk.log[0], "w")
    if smk.rule == "make_qc_regions":
        par = smk.input.get("par") or None  # a one-item list when qc.par is set
        if par is not None and not isinstance(par, str):
            par = par[0] if len(par) else None
        rows = qc_regions(smk.input.fasta, par, *smk.params.patterns)
        if not any(k == "autosome" for *_, k in rows):
            raise SystemExit(f"no contig matches qc.autosomes '{smk.params.patterns[0]}'")
        with open(smk.output.bed, "w") as fh:
            fh.writelines(f"{c}\t{s}\t{e}\t{k}\n" for c, s, e, k in rows)
        write_bed(smk.output.autosomes, [(c, s, e) for c, s, e, k in rows if k == "autosome"])
        return
    intervals = callable_intervals(smk.input.fasta, smk.params.exclude)
    shards = balance(intervals, len(smk.output))
    for path, shard in zip(smk.output, shards):
        write_bed(path, shard)
        print(f"{path}: {sum(e - s for _, s, e in shard):,} bp in {len(shard)} intervals", file=sys.stderr)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
