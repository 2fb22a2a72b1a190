"""Genotype buffers filled from cyvcf2 records, a chunk of records at a time.

Shared by the cohort QC (:mod:`refcohort.qc.genotypes`) and the release
(:mod:`refcohort.release`): both copy each record's allele indices into an int16
``(records, samples, 2)`` buffer and process it vectorised.
"""

from __future__ import annotations

import numpy as np

# Bytes of int16 allele buffer per read chunk (chunk sizes are capped to fit).
READ_BUFFER_BYTES = 1 << 26


def chunk_records(chunk_size: int, n_samples: int) -> int:
    """Records per chunk: ``chunk_size``, capped so the allele buffer stays near 64 MiB."""
    return max(1, min(int(chunk_size), READ_BUFFER_BYTES // max(1, 4 * n_samples)))


def record_alleles(arr: np.ndarray | None, out: np.ndarray) -> None:
    """Fill ``out`` ((samples, 2) int16) with one record's allele indices.

    ``arr`` is cyvcf2's ``genotype.array()`` (samples, ploidy + 1; -1 for '.', -2 for
    the padding of a call of lower ploidy, last column the phase flag) or None (no GT:
    all missing). Every call haploid: (allele, -2); polyploid calls in the record are
    missing (-1, -1); diploid calls are copied.
    """
    if arr is None:
        out[:] = -1
    elif arr.shape[1] == 3:
        out[:] = arr[:, :2]
    elif arr.shape[1] == 2:  # every call haploid
        out[:, 0] = arr[:, 0]
        out[:, 1] = -2
    else:  # polyploid calls in the record: those are missing
        row = arr[:, :2].copy()
        row[(arr[:, 2:-1] != -2).any(axis=1)] = -1
        out[:] = row
