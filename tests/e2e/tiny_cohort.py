"""A tiny cohort for end-to-end runs that must be quick: a random 300 kb genome (chr1,
chr2, chrX, chrY), samples with known SNVs and ~6x of error-free 2x100 bp reads, written
in a few tenths of a second, and the Snakemake call that runs them (2 shards, 2 cores). Used
by test_reliability.py (runtime bad data, resume) and test_integrity.py (deliverables)."""

import gzip
import os
import re
import subprocess
from pathlib import Path

import numpy as np
from conftest import BIN, ROOT, run

CONTIGS = {"chr1": 120_000, "chr2": 80_000, "chrX": 70_000, "chrY": 30_000}
READ_LEN = 100
COMPLEMENT = bytes.maketrans(b"ACGT", b"TGCA")
NEXT_BASE = np.frombuffer(bytes(range(256)).translate(bytes.maketrans(b"ACGT", b"CGTA")), np.uint8)


def genome(seed=7):
    rng = np.random.default_rng(seed)
    return {
        name: np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, n)].tobytes()
        for name, n in CONTIGS.items()
    }


def write_reference(path, seqs):
    with open(path, "w") as fh:
        for name, seq in seqs.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i : i + 60].decode() + "\n")


def haplotypes(seqs, sample_index, sex, seed=11):
    """Two copies of each chromosome with ~1 SNV per kb, some shared between samples."""
    rng = np.random.default_rng(seed + sample_index)
    shared = np.random.default_rng(seed)
    haps = []
    for copy in range(2):
        hap = {}
        for name, seq in seqs.items():
            if name == "chrY" and sex == "female":
                continue
            if copy == 1 and name in ("chrX", "chrY") and sex == "male":
                continue
            arr = np.frombuffer(seq, np.uint8).copy()
            sites = np.unique(
                np.concatenate(
                    [
                        shared.integers(0, len(seq), len(seq) // 2000),
                        rng.integers(0, len(seq), len(seq) // 2000),
                    ]
                )
            )
            keep = rng.random(len(sites)) < 0.5
            arr[sites[keep]] = NEXT_BASE[arr[sites[keep]]]
            hap[name] = arr.tobytes()
        haps.append(hap)
    return haps


def write_reads(prefix, haps, sample, coverage=6.0, seed=3, lane=1):
    """Paired FASTQ.gz (prefix_R1.fastq.gz, prefix_R2.fastq.gz); returns the two paths."""
    rng = np.random.default_rng(seed)
    pieces = [(h, name) for h in haps for name in h]
    total = sum(len(h[name]) for h, name in pieces)
    pairs = int(total * coverage / (2 * READ_LEN))
    weights = np.array([len(h[name]) for h, name in pieces], float) / total
    r1, r2 = [], []
    qual = "I" * READ_LEN
    for i, piece in enumerate(rng.choice(len(pieces), pairs, p=weights)):
        h, name = pieces[piece]
        seq = h[name]
        frag = int(np.clip(rng.normal(300, 30), 2 * READ_LEN, 500))
        start = int(rng.integers(0, len(seq) - frag))
        fragment = seq[start : start + frag]
        if rng.random() < 0.5:
            fragment = fragment.translate(COMPLEMENT)[::-1]
        read_name = f"{sample}:{lane}:{i}"
        r1.append(f"@{read_name} 1:N:0:1\n{fragment[:READ_LEN].decode()}\n+\n{qual}\n")
        r2.append(
            f"@{read_name} 2:N:0:1\n"
            f"{fragment[-READ_LEN:].translate(COMPLEMENT)[::-1].decode()}\n+\n{qual}\n"
        )
    paths = [Path(f"{prefix}_R1.fastq.gz"), Path(f"{prefix}_R2.fastq.gz")]
    for path, records in zip(paths, (r1, r2)):
        with gzip.open(path, "wt", compresslevel=1) as fh:
            fh.writelines(records)
    return paths


def make_cohort(folder, samples, coverage=6.0):
    """Reference, reads, samples.tsv, units.tsv and config.yaml in `folder` for
    `samples` = [(id, sex), ...]. Every sample is forced through the QC gate (the tiny
    genome fails the coverage and variant-count thresholds by design)."""
    folder = Path(folder)
    (folder / "reads").mkdir(parents=True, exist_ok=True)
    seqs = genome()
    write_reference(folder / "ref.fa", seqs)
    for index, (sample, sex) in enumerate(samples):
        write_reads(
            folder / "reads" / sample, haplotypes(seqs, index, sex), sample, coverage, seed=index
        )
    write_sheets(folder, samples)
    write_config(folder, [s for s, _ in samples])
    return folder


def write_sheets(folder, samples):
    folder = Path(folder)
    (folder / "samples.tsv").write_text(
        "sample\tsex\tpopulation\n" + "".join(f"{s}\t{sex}\tFI\n" for s, sex in samples)
    )
    (folder / "units.tsv").write_text(
        "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n"
        + "".join(
            f"{s}\tL1\tILLUMINA\t{s}-lib\treads/{s}_R1.fastq.gz\treads/{s}_R2.fastq.gz\n"
            for s, _ in samples
        )
    )


def write_config(folder, overrides):
    (Path(folder) / "config.yaml").write_text(
        "samples: samples.tsv\nunits: units.tsv\nreference:\n  fasta: ref.fa\n"
        "qc:\n  par: ''\n  overrides:\n"
        + "".join(f"    - {{sample: {s}, justification: 'tiny test genome'}}\n" for s in overrides)
    )


# ------------------------------------------------------------------ running them
SNAKEMAKE = [
    str(BIN / "snakemake"),
    "--snakefile",
    str(ROOT / "Snakefile"),
    "--cores",
    "2",
    "--set-scatter",
    "shard=2",
]
ENV = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")


def snakemake(workdir, *args, targets=(), check=True, timeout=600):
    """Run Snakemake on a tiny cohort (targets after `--`: options such as --configfile
    take several values)."""
    cmd = SNAKEMAKE + [
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        *args,
    ]
    return run(cmd + (["--", *targets] if targets else []), check=check, timeout=timeout)


def records(cmd):
    """Lines of a tool's output without header lines."""
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if not line.startswith("#")]


def cram_records(workdir, sample):
    return records(
        [
            "samtools",
            "view",
            "-T",
            str(workdir / "results/reference/genome.fa"),
            str(workdir / f"results/align/{sample}.cram"),
        ]
    )


def vcf_records(path):
    with gzip.open(path, "rt") as fh:
        return [line for line in fh if not line.startswith("#")]


def job_blocks(out):
    """[(rule, wildcards text)] of the jobs a Snakemake run or dry-run printed (a block
    ends at a blank line, a timestamp line or the next job: a dry-run prints no blank
    line between jobs)."""
    return [
        (rule, (re.search(r"^\s+wildcards: (.*)$", block, flags=re.M) or [None, ""])[1])
        for rule, block in re.findall(
            r"^(?:rule|localrule|checkpoint|localcheckpoint) (\w+):\n(.*?)"
            r"(?=\n\n|\n\[|\n(?:rule|localrule|checkpoint|localcheckpoint) |\Z)",
            out,
            flags=re.M | re.S,
        )
    ]
