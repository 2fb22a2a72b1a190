"""The scaling harness's generated cohort (bench_scaling.py): a random genome, shared and
private variants with their genotypes, each sample's reads at a coverage (the demo's
read model, ``refcohort.demo.reads``), the truth VCF, the calling shards, and the genome
and VCFs tiled (repeated as renamed contigs) so that joint genotyping sees more sequence
than was aligned. Seeded: the same arguments give the same cohort.
"""

from __future__ import annotations

import gzip
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np

from refcohort.demo.genome import decode, splice, write_fasta
from refcohort.demo.reads import READ_LEN, add_errors, orient, quality_matrix, strands, write_fastq
from refcohort.intervals import balance
from refcohort.io import write_bed


def make_genome(rng: np.random.Generator, total: int) -> dict[str, np.ndarray]:
    """Two autosomes (60% / 40%), random sequence at 41% GC, codes 0..3."""
    p = np.array([0.295, 0.205, 0.205, 0.295])
    a = int(total * 0.6)
    return {
        "chr1": rng.choice(4, a, p=p).astype(np.uint8),
        "chr2": rng.choice(4, total - a, p=p).astype(np.uint8),
    }


def make_variants(
    rng: np.random.Generator,
    genome: dict[str, np.ndarray],
    n_samples: int,
    shared_per_kb: float = 1.0,
    private_per_kb: float = 0.1,
) -> list[dict]:
    """Sites with (0-based pos, ref codes, alt codes) and a (n_samples, 2) 0/1 genotype matrix:
    shared sites from a U-shaped allele-frequency spectrum, private singletons; 12% indels."""
    sites = []
    for contig, seq in genome.items():
        n_shared = int(seq.size / 1000 * shared_per_kb)
        n_private = int(seq.size / 1000 * private_per_kb * n_samples)
        positions = rng.choice(np.arange(50, seq.size - 50), n_shared + n_private, replace=False)
        kinds = np.r_[np.zeros(n_shared, int), np.ones(n_private, int)]
        order = np.argsort(positions)
        last_end = -10
        for pos, private in zip(positions[order], kinds[order]):
            if pos <= last_end + 2:  # keep sites apart: no overlapping alleles
                continue
            ref = seq[pos : pos + 1]
            r = rng.random()
            if r < 0.06:  # deletion of 1-6 bases
                k = int(rng.integers(1, 7))
                ref, alt = seq[pos : pos + 1 + k], seq[pos : pos + 1]
            elif r < 0.12:  # insertion of 1-6 bases
                alt = np.r_[seq[pos : pos + 1], rng.integers(0, 4, int(rng.integers(1, 7)))].astype(
                    np.uint8
                )
            else:
                alt = np.array([(int(ref[0]) + int(rng.integers(1, 4))) % 4], np.uint8)
            gt = np.zeros((n_samples, 2), np.uint8)
            if private:
                gt[int(rng.integers(0, n_samples)), int(rng.integers(0, 2))] = 1
            else:
                af = (
                    min(0.5, rng.beta(0.25, 1.0) * 0.5 + 0.01)
                    if rng.random() < 0.5
                    else rng.uniform(0.01, 0.99)
                )
                gt = (rng.random((n_samples, 2)) < af).astype(np.uint8)
            if not gt.any():
                continue
            sites.append(
                {"contig": contig, "pos": int(pos), "ref": ref.copy(), "alt": alt, "gt": gt}
            )
            last_end = pos + ref.size - 1
    return sites


def haplotype(seq: np.ndarray, sites: list[dict], sample: int, copy: int) -> np.ndarray:
    """The sequence of copy ``copy`` of sample ``sample``: the ALTs it carries applied."""
    carried = (s for s in sites if s["gt"][sample, copy])
    return splice(seq, ((s["pos"], s["ref"].size, s["alt"]) for s in carried))


def write_reads(
    path1: Path,
    path2: Path,
    haps: list[np.ndarray],
    coverage: float,
    rng: np.random.Generator,
    name: str,
) -> int:
    """Paired FASTQ.gz from fragments ~N(420, 90) drawn over the haplotypes; returns pairs."""
    r1s, r2s = [], []
    for hap in haps:
        n = int(hap.size * coverage / 2 / (2 * READ_LEN))  # each copy at half the coverage
        lengths = np.clip(rng.normal(420, 90, n), READ_LEN + 10, 900).astype(np.int64)
        starts = (rng.random(n) * (hap.size - lengths)).astype(np.int64)
        top, bottom = strands(hap, starts, lengths)  # inserts >= 160 bp: no adapter read
        r1, r2 = orient(top, bottom, rng.random(n) < 0.5)
        r1s.append(r1)
        r2s.append(r2)
    r1, r2 = np.concatenate(r1s), np.concatenate(r2s)
    order = rng.permutation(r1.shape[0])
    r1, r2 = r1[order], r2[order]
    names = [f"{name}:{i}".encode() for i in range(r1.shape[0])]
    for reads, mate, path in ((r1, 1, path1), (r2, 2, path2)):
        qual = quality_matrix(rng, reads.shape[0], mate)
        add_errors(rng, reads, qual)
        write_fastq(path, names, reads, qual, mate)
    return r1.shape[0]


def write_truth(
    path: Path, genome: dict[str, np.ndarray], sites: list[dict], names: list[str]
) -> None:
    """One multi-sample truth VCF (bgzipped, indexed); 1-based positions."""
    lines = ["##fileformat=VCFv4.2"] + [
        f"##contig=<ID={c},length={s.size}>" for c, s in genome.items()
    ]
    lines += [
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *names]
        ),
    ]
    for s in sites:
        gts = [f"{a}/{b}" if a <= b else f"{b}/{a}" for a, b in s["gt"][: len(names)]]
        if all(g == "0/0" for g in gts):
            continue
        lines.append(
            "\t".join(
                [
                    s["contig"],
                    str(s["pos"] + 1),
                    ".",
                    decode(s["ref"]),
                    decode(s["alt"]),
                    "50",
                    "PASS",
                    ".",
                    "GT",
                    *gts,
                ]
            )
        )
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)


def shard_beds(genome: dict[str, np.ndarray], folder: Path, n: int) -> list[str]:
    """n length-balanced BEDs over the genome (0-based, half-open), cut as the
    pipeline's make_intervals cuts the reference (refcohort.intervals.balance)."""
    folder.mkdir(parents=True, exist_ok=True)
    shards = balance([(contig, 0, seq.size) for contig, seq in genome.items()], n)
    paths = []
    for i, shard in enumerate(shards):
        path = folder / f"{i + 1}-of-{n}.bed"
        write_bed(path, shard)
        paths.append(str(path))
    return paths


def tile_name(copy: int, contig: str) -> str:
    return f"t{copy + 1:02d}_{contig}"


def tile_reference(genome: dict[str, np.ndarray], copies: int, path: Path) -> None:
    """The genome written ``copies`` times, contigs renamed t01_chr1, t01_chr2, t02_chr1..."""
    tiled = {tile_name(k, c): seq for k in range(copies) for c, seq in genome.items()}
    write_fasta(path, tiled, index=False)
    subprocess.run(["samtools", "faidx", str(path)], check=True)


def tile_vcf(src: str, out: str, genome: dict[str, np.ndarray], copies: int) -> None:
    """A VCF/gVCF repeated once per copy of the tiled genome (CHROM renamed; the same
    records, so the joint caller sees ``copies`` times the work of the generated genome)."""
    header, records = [], []
    with gzip.open(src, "rt") as fh:
        for line in fh:
            if line.startswith("##contig="):
                continue
            (header if line.startswith("#") else records).append(line)
    contigs = [
        f"##contig=<ID={tile_name(k, c)},length={seq.size}>\n"
        for k in range(copies)
        for c, seq in genome.items()
    ]
    by_contig: dict[str, list[str]] = defaultdict(list)
    for line in records:
        chrom, rest = line.split("\t", 1)
        by_contig[chrom].append(rest)
    plain = out[: -len(".gz")]
    with open(plain, "w") as fh:
        fh.writelines(header[:-1] + contigs + header[-1:])
        for k in range(copies):
            for contig in genome:
                prefix = tile_name(k, contig) + "\t"
                fh.writelines(prefix + rest for rest in by_contig.get(contig, []))
    subprocess.run(["bgzip", "-f", plain], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", out], check=True)
