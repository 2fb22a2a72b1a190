"""Half-open genomic intervals: subtraction, intersection, N-free runs, shards."""

from __future__ import annotations

import numpy as np

from .io import Interval

Span = tuple[int, int]  # 0-based start, end (half-open) on one contig


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """``spans`` minus ``holes`` (both sorted or not; the result sorted)."""
    out = []
    holes = sorted(holes)
    for start, end in sorted(spans):
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                out.append((cursor, h_start))
            cursor = max(cursor, h_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def subtract_interval(interval: Interval, holes: list[Interval]) -> list[Interval]:
    """``interval`` minus every hole on its contig, as sorted pieces."""
    chrom, start, end = interval
    spans = [(s, e) for c, s, e in holes if c == chrom]
    return [(chrom, s, e) for s, e in subtract([(start, end)], spans)]


def intersect_interval(interval: Interval, others: list[Interval]) -> list[Interval]:
    """The parts of ``interval`` covered by ``others`` (assumed non-overlapping)."""
    chrom, start, end = interval
    return sorted(
        (chrom, max(start, s), min(end, e))
        for c, s, e in others
        if c == chrom and min(end, e) > max(start, s)
    )


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Every overlap of an interval of ``a`` with one of ``b`` (each list non-overlapping
    within itself), sorted."""
    out = []
    for interval in a:
        out += intersect_interval(interval, b)
    return sorted(out)


def acgt_runs(sequence: str) -> list[Span]:
    """Half-open runs of non-N bases in ``sequence`` (any case)."""
    codes = np.frombuffer(sequence.upper().encode(), dtype=np.uint8)
    is_base = np.concatenate([[False], codes != ord("N"), [False]])
    edges = np.flatnonzero(np.diff(is_base.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


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
            take = min(target - filled, end - start)
            shards[current].append((contig, start, start + take))
            start += take
            filled += take
            if filled == target and current < n_shards - 1:
                current, filled = current + 1, 0
    return shards
