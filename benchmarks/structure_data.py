"""Genotype files for bench_structure.py: PLINK 1 .bed/.bim/.fam and a bgzipped VCF
written from an int8 ALT-dosage matrix (samples x sites; -1 missing), and a seeded
cohort with population structure for the PCA comparison.

Standard library and numpy only; the files are written a block of sites at a time.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

# PLINK 1 .bed 2-bit codes, A1 = ALT (the .bim's 5th column), A2 = REF: 00 hom A1,
# 01 missing, 10 het, 11 hom A2; index = dosage + 1 (dosage -1 is missing).
_BED_CODE = np.array([1, 3, 2, 0], dtype=np.uint8)
_VCF_GT = np.array([b"./.", b"0/0", b"0/1", b"1/1"], dtype="S3")


def structured_blocks(
    n_samples: int,
    n_sites: int,
    seed: int,
    n_populations: int = 3,
    fst: float = 0.01,
    block: int = 5_000,
    missing: float = 0.005,
) -> Iterator[np.ndarray]:
    """Blocks of an int8 (block, n_samples) site-major dosage matrix: ``n_populations``
    populations of equal size drawn with Balding-Nichols drift (``fst``) from ancestral
    frequencies U(0.05, 0.95), unlinked sites, a ``missing`` fraction of calls missing."""
    rng = np.random.default_rng(seed)
    pop = np.arange(n_samples) * n_populations // n_samples
    for start in range(0, n_sites, block):
        m = min(block, n_sites - start)
        anc = rng.uniform(0.05, 0.95, m)
        a = anc * (1 - fst) / fst
        b = (1 - anc) * (1 - fst) / fst
        freqs = rng.beta(a[:, None], b[:, None], (m, n_populations)).astype(np.float32)
        p = freqs[:, pop]  # (m, n_samples)
        dosage = (rng.random((m, n_samples), dtype=np.float32) < p).astype(np.int8)
        dosage += rng.random((m, n_samples), dtype=np.float32) < p
        dosage[rng.random((m, n_samples), dtype=np.float32) < missing] = -1
        yield dosage


def populations(n_samples: int, n_populations: int = 3) -> list[str]:
    """The population of each sample of :func:`structured_blocks` (P1, P2, ...)."""
    return [f"P{k * n_populations // n_samples + 1}" for k in range(n_samples)]


def matrix_blocks(genotypes: np.ndarray, block: int = 5_000) -> Iterator[np.ndarray]:
    """Site-major blocks of a (samples, sites) matrix."""
    for start in range(0, genotypes.shape[1], block):
        yield np.ascontiguousarray(genotypes[:, start : start + block].T)


def sample_names(n: int) -> list[str]:
    return [f"I{k:06d}" for k in range(n)]


def write_bed(prefix: Path, blocks: Iterator[np.ndarray], samples: list[str]) -> int:
    """prefix.bed/.bim/.fam from site-major dosage blocks; returns the number of sites.
    Sites are on chromosome 1 at positions 1000, 2000, ... with REF A and ALT G."""
    n = len(samples)
    width = (n + 3) // 4
    written = 0
    with open(f"{prefix}.bed", "wb") as bed, open(f"{prefix}.bim", "w") as bim:
        bed.write(bytes([0x6C, 0x1B, 0x01]))
        for dosage in blocks:
            m = dosage.shape[0]
            codes = np.zeros((m, width * 4), dtype=np.uint8)
            codes[:, :n] = _BED_CODE[dosage.astype(np.int16) + 1]
            codes = codes.reshape(m, width, 4)
            packed = (
                codes[:, :, 0] | codes[:, :, 1] << 2 | codes[:, :, 2] << 4 | codes[:, :, 3] << 6
            )
            bed.write(packed.astype(np.uint8).tobytes())
            bim.writelines(
                f"1\tv{written + k}\t0\t{(written + k + 1) * 1000}\tG\tA\n" for k in range(m)
            )
            written += m
    Path(f"{prefix}.fam").write_text("".join(f"{s}\t{s}\t0\t0\t0\t-9\n" for s in samples))
    return written


def write_vcf(path: Path, blocks: Iterator[np.ndarray], samples: list[str], threads: int) -> int:
    """A bgzipped VCF (``path``, .vcf.gz) of the same sites as :func:`write_bed`: PASS,
    QUAL 50, GT only; returns the number of sites."""
    header = (
        "##fileformat=VCFv4.2\n##contig=<ID=1,length=2000000000>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        + "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(samples)
        + "\n"
    )
    written = 0
    with open(path, "wb") as out:
        proc = subprocess.Popen(
            ["bgzip", "-@", str(threads), "-c"], stdin=subprocess.PIPE, stdout=out
        )
        proc.stdin.write(header.encode())
        for dosage in blocks:
            gts = _VCF_GT[dosage.astype(np.int16) + 1]
            for k, row in enumerate(gts):
                fixed = f"1\t{(written + k + 1) * 1000}\tv{written + k}\tA\tG\t50\tPASS\t.\tGT\t"
                proc.stdin.write(fixed.encode() + b"\t".join(row.tolist()) + b"\n")
            written += dosage.shape[0]
        proc.stdin.close()
        if proc.wait() != 0:
            raise RuntimeError(f"bgzip failed writing {path}")
    return written
