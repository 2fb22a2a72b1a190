"""Coverage from mosdepth ``--thresholds 1,...,250`` files: per-class depth counts, the
depth histogram and the capped mean depth (GA4GH caps depth at 250)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

MAX_DEPTH = 250  # GA4GH caps depth at 250 for coverage metrics


def read_thresholds(path: str | Path) -> dict[str, np.ndarray]:
    """Per region class, bases at depth >= d for d = 0..250 from a mosdepth
    ``*.thresholds.bed.gz`` made with ``--thresholds 1,2,...,250`` and a 4-column BED
    whose name column is the class. Index 0 holds the class's total length, so
    ``counts[d] / counts[0]`` is the fraction of bases at >= d x.
    """
    totals: dict[str, np.ndarray] = {}
    with gzip.open(path, "rt") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        depths = [int(col.rstrip("X")) for col in header[4:]]
        if depths != list(range(1, MAX_DEPTH + 1)):
            raise ValueError(
                f"{path}: expected mosdepth --thresholds 1..{MAX_DEPTH}, got {header[4:6]}..."
            )
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            length = int(fields[2]) - int(fields[1])
            counts = np.array([length] + [int(v) for v in fields[4:]], dtype=np.int64)
            cls = fields[3]
            totals[cls] = totals[cls] + counts if cls in totals else counts
    return totals


def depth_histogram(counts: np.ndarray) -> np.ndarray:
    """Bases at exactly depth d (d = 0..250, 250 meaning >= 250) from >= counts."""
    return counts - np.append(counts[1:], 0)


def capped_mean_depth(counts: np.ndarray) -> float:
    """Mean depth with every base capped at 250: sum over d of P(depth >= d)."""
    return float(counts[1:].sum() / counts[0]) if counts[0] else float("nan")
