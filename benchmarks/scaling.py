#!/usr/bin/env python3
"""Scaling with cohort size: joint genotyping of N = 4, 8, 16, 32 generated samples on
the same genome, and what the per-sample gVCF (the joint caller's input) is made of.

Generates, seeded, a random 250 kb genome (two autosomes), a cohort of 32 diploid
samples with shared (allele frequencies from a U-shaped spectrum) and private SNVs and
1-6 bp indels, and 2 x 150 bp reads at ~30x with the demo generator's error model
(per-cycle Illumina-like qualities falling to the 3' end, worse on R2, 4% of reads with
a Q2 tail; substitutions drawn from the qualities: ``scripts/make_demo_data.py``). Each
sample is aligned (``bwa mem | samtools sort``; no duplicates are simulated, so no
markdup) and gets its gVCF from the pipeline's own ``bcftools mpileup`` command and
options (rule bcftools_mpileup; config/config.yaml). Then, for each N, the first N
samples are joint-genotyped exactly as rule bcftools_call does it (``bcftools merge
--gvcf | call -m | view | norm | view | view | filter | view``, per interval shard, 4
shards, as many at once as there are cores) + ``bcftools concat``, measured: wall, CPU
(kernel, whole tree), peak memory (summed RSS of the process tree, sampled every 50 ms),
bytes on disk (the N gVCFs in, the cohort VCF out), and the records the merge has to
walk (positions where any of the N gVCFs starts a record).

``per-sample cost`` is time / N; the target is N=32's <= 1.2 x N=4's.

The gVCF table: bytes per Mb per sample, records per Mb, what the bytes are (record
kinds: reference blocks, single-site records with no other allele seen, sites where
reads show another allele -- noise or variant; and by field, each column compressed
alone, an approximation of its share of the bgzip size), the size of a 30x
GRCh38-sized genome (x 2,900 Mb of non-N sequence) against GATK's ~5-8 GB gVCF, and
leaner forms measured on the first ``--lean-n`` samples: (1) the same gVCF without
the per-site annotations that neither ``merge --gvcf`` nor ``call -m`` nor the QC reads
(``bcftools annotate -x``); (2) that, with the sites where a single read shows another
base (sequencing errors, nearly half the records at 30x) folded into the surrounding
reference blocks (``fold_noise`` below, a Python prototype of what mpileup could do
itself): size, records, time to make, joint-genotyping time, and whether the joint
calls change (records and genotypes against the pipeline's form; precision and recall
against the generated truth, scored with scripts/compare_calls.py).

Prints the tables, appends one row per N to ``benchmarks/results/scaling.tsv`` and one
row per gVCF form to ``benchmarks/results/gvcf_size.tsv``. It asserts nothing.

    python benchmarks/scaling.py [--sizes 4,8,16,32] [--genome-kb 250] [--coverage 30]
                                 [--lean-n 16] [--quick] [--workdir DIR] [--no-write] [--keep]

``--quick``: N = 2, 4 on a 60 kb genome, lean forms on 4 samples (seconds).
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import shlex
import shutil
import subprocess
import sys
import time
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

if str(Path(__file__).resolve().parent) not in sys.path:  # appended: benchmarks/release.py must not
    sys.path.append(str(Path(__file__).resolve().parent))  # shadow scripts/release.py in the tests
import benchlib as bl  # noqa: E402

sys.path.insert(0, str(bl.ROOT / "scripts"))
import compare_calls  # noqa: E402
from make_demo_data import add_errors, quality_matrix  # noqa: E402  (the demo's error model)

RESULTS = bl.RESULTS / "scaling.tsv"
GVCF_RESULTS = bl.RESULTS / "gvcf_size.tsv"
COLUMNS = ["date", "machine", "cores", "genome_kb", "tile", "coverage", "n", "wall_s", "cpu_s", "peak_rss_mb",
           "gvcf_bytes", "vcf_bytes", "merged_records", "wall_per_sample_s", "cpu_per_sample_s",
           "gvcf_mb_per_mb_per_sample", "ratio_cpu_per_sample_vs_first", "ratio_wall_per_sample_vs_first",
           "load"]
GVCF_COLUMNS = ["date", "machine", "form", "samples", "genome_kb", "coverage", "mb_per_mb_per_sample",
                "records_per_mb", "gb_per_30x_genome", "make_cpu_s_per_sample", "joint_n", "joint_wall_s",
                "joint_cpu_s", "joint_records_differ", "snv_f1", "indel_f1"]
GENOME_MB = 2900  # GRCh38 non-N sequence, Mb: per-Mb sizes scaled to a whole genome
READ_LEN = 150
SHARDS = 4
# Fields the joint caller, the QC and the pipeline's filters read in the gVCF: PL
# (call -m), I16 and QS (call -m: allele trimming, DP4/MQ), DP/AD (QC: contamination and
# sex check read FORMAT/AD), END/MinDP (blocks), INDEL/IDV/IMF (indel records).
LEAN_DROP = "INFO/VDB,INFO/SGB,INFO/RPBZ,INFO/MQBZ,INFO/MQSBZ,INFO/BQBZ,INFO/NMBZ,INFO/SCBZ,INFO/FS,INFO/MQ0F,INFO/AD,FORMAT/SP"
q = shlex.quote
BASES = np.frombuffer(b"ACGT", np.uint8)
COMPLEMENT = np.array([3, 2, 1, 0], np.uint8)


# ------------------------------------------------------------------ the cohort
def make_genome(rng: np.random.Generator, total: int) -> dict[str, np.ndarray]:
    """Two autosomes (60% / 40%), random sequence at 41% GC, codes 0..3."""
    p = np.array([0.295, 0.205, 0.205, 0.295])
    a = int(total * 0.6)
    return {"chr1": rng.choice(4, a, p=p).astype(np.uint8), "chr2": rng.choice(4, total - a, p=p).astype(np.uint8)}


def make_variants(rng: np.random.Generator, genome: dict[str, np.ndarray], n_samples: int,
                  shared_per_kb: float = 1.0, private_per_kb: float = 0.1) -> list[dict]:
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
            ref = seq[pos:pos + 1]
            r = rng.random()
            if r < 0.06:  # deletion of 1-6 bases
                k = int(rng.integers(1, 7))
                ref, alt = seq[pos:pos + 1 + k], seq[pos:pos + 1]
            elif r < 0.12:  # insertion of 1-6 bases
                alt = np.r_[seq[pos:pos + 1], rng.integers(0, 4, int(rng.integers(1, 7)))].astype(np.uint8)
            else:
                alt = np.array([(int(ref[0]) + int(rng.integers(1, 4))) % 4], np.uint8)
            gt = np.zeros((n_samples, 2), np.uint8)
            if private:
                gt[int(rng.integers(0, n_samples)), int(rng.integers(0, 2))] = 1
            else:
                af = min(0.5, rng.beta(0.25, 1.0) * 0.5 + 0.01) if rng.random() < 0.5 else rng.uniform(0.01, 0.99)
                gt = (rng.random((n_samples, 2)) < af).astype(np.uint8)
            if not gt.any():
                continue
            sites.append({"contig": contig, "pos": int(pos), "ref": ref.copy(), "alt": alt, "gt": gt})
            last_end = pos + ref.size - 1
    return sites


def haplotype(seq: np.ndarray, sites: list[dict], sample: int, copy: int) -> np.ndarray:
    pieces, cursor = [], 0
    for s in sites:
        if s["gt"][sample, copy]:
            pieces.append(seq[cursor:s["pos"]])
            pieces.append(s["alt"])
            cursor = s["pos"] + s["ref"].size
    pieces.append(seq[cursor:])
    return np.concatenate(pieces)


def write_reads(path1: Path, path2: Path, haps: list[np.ndarray], coverage: float, rng: np.random.Generator,
                name: str) -> int:
    """Paired FASTQ.gz from fragments ~N(420, 90) drawn over the haplotypes; returns pairs."""
    r1s, r2s = [], []
    for hap in haps:
        n = int(hap.size * coverage / 2 / (2 * READ_LEN))  # each copy at half the coverage
        lengths = np.clip(rng.normal(420, 90, n), READ_LEN + 10, 900).astype(np.int64)
        starts = (rng.random(n) * (hap.size - lengths)).astype(np.int64)
        cyc = np.arange(READ_LEN)[None, :]
        top = hap[np.minimum(starts[:, None] + cyc, hap.size - 1)]
        bottom = COMPLEMENT[hap[np.maximum(starts[:, None] + lengths[:, None] - 1 - cyc, 0)]]
        forward = rng.random(n) < 0.5
        r1s.append(np.where(forward[:, None], top, bottom))
        r2s.append(np.where(forward[:, None], bottom, top))
    r1, r2 = np.concatenate(r1s), np.concatenate(r2s)
    order = rng.permutation(r1.shape[0])
    r1, r2 = r1[order], r2[order]
    for reads, mate, path in ((r1, 1, path1), (r2, 2, path2)):
        qual = quality_matrix(rng, reads.shape[0], mate)
        add_errors(rng, reads, qual)
        seqs = np.ascontiguousarray(BASES[reads]).view(f"S{READ_LEN}").ravel().tolist()
        quals = np.ascontiguousarray(qual + 33).view(f"S{READ_LEN}").ravel().tolist()
        tag = f" {mate}:N:0:1\n".encode()
        out = []
        for i, (s, qq) in enumerate(zip(seqs, quals)):
            out += [b"@", f"{name}:{i}".encode(), tag, s, b"\n+\n", qq, b"\n"]
        with gzip.open(path, "wb", compresslevel=1) as fh:
            fh.write(b"".join(out))
    return r1.shape[0]


def write_reference(path: Path, genome: dict[str, np.ndarray]) -> None:
    with open(path, "w") as fh:
        for contig, seq in genome.items():
            text = BASES[seq].tobytes().decode()
            fh.write(f">{contig}\n" + "\n".join(text[i:i + 60] for i in range(0, len(text), 60)) + "\n")


def write_truth(path: Path, genome: dict[str, np.ndarray], sites: list[dict], names: list[str]) -> None:
    """One multi-sample truth VCF (bgzipped, indexed); 1-based positions."""
    lines = ["##fileformat=VCFv4.2"] + [f"##contig=<ID={c},length={s.size}>" for c, s in genome.items()]
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *names])]
    for s in sites:
        gts = [f"{a}/{b}" if a <= b else f"{b}/{a}" for a, b in s["gt"][: len(names)]]
        if all(g == "0/0" for g in gts):
            continue
        lines.append("\t".join([s["contig"], str(s["pos"] + 1), ".", BASES[s["ref"]].tobytes().decode(),
                                BASES[s["alt"]].tobytes().decode(), "50", "PASS", ".", "GT", *gts]))
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)


def shard_beds(genome: dict[str, np.ndarray], folder: Path, n: int) -> list[str]:
    """n length-balanced BEDs over the genome (0-based, half-open)."""
    folder.mkdir(parents=True, exist_ok=True)
    total = sum(s.size for s in genome.values())
    edges = [round(total * i / n) for i in range(n + 1)]
    paths = []
    for i in range(n):
        lo, hi = edges[i], edges[i + 1]
        rows, offset = [], 0
        for contig, seq in genome.items():
            a, b = max(lo - offset, 0), min(hi - offset, seq.size)
            if a < b:
                rows.append(f"{contig}\t{a}\t{b}\n")
            offset += seq.size
        path = folder / f"{i + 1}-of-{n}.bed"
        path.write_text("".join(rows))
        paths.append(str(path))
    return paths


# ------------------------------------------------------------------ gVCF anatomy
def record_kind(alt: str, info: str) -> str:
    """'block' (a reference block: END=), 'ref site' (one position, only <*>), or
    'other allele seen' (a site where the reads show a non-reference allele)."""
    if info.startswith("END=") or ";END=" in info:
        return "block"
    if alt == "<*>":
        return "ref site"
    return "other allele seen"


def anatomy(path: Path) -> tuple[Counter, Counter, dict[str, int], int]:
    """(records by kind (and 'snv site' / 'snv site, one read': the SNV records with
    another base seen, and those where only one read shows it), uncompressed bytes by
    kind, compressed bytes by field and by kind, total uncompressed bytes) of a gVCF. Each field's values are compressed alone
    (zlib level 6, as bgzip): a columnar approximation of its share of the file."""
    count, raw = Counter(), Counter()
    streams: dict[str, list[bytes]] = defaultdict(list)
    kind_streams: dict[str, list[bytes]] = defaultdict(list)
    total = 0
    with gzip.open(path, "rb") as fh:
        for line in fh:
            if line.startswith(b"#"):
                continue
            total += len(line)
            cols = line.rstrip(b"\n").split(b"\t")
            kind = record_kind(cols[4].decode(), cols[7].decode())
            count[kind] += 1
            if kind == "other allele seen" and not cols[7].startswith(b"INDEL"):
                fmt = dict(zip(cols[8].split(b":"), cols[9].split(b":")))
                alt = sum(int(v) for v in fmt.get(b"AD", b"0").split(b",")[1:] if v != b".")
                count["snv site, one read"] += alt <= 1
                count["snv site"] += 1
            raw[kind] += len(line)
            kind_streams[kind].append(line)
            streams["CHROM+POS+ID"].append(b"\t".join(cols[:3]))
            streams["REF+ALT"].append(b"\t".join(cols[3:5]))
            streams["QUAL+FILTER"].append(b"\t".join(cols[5:7]))
            for item in cols[7].split(b";"):
                key = item.split(b"=", 1)[0].decode()
                streams[f"INFO/{key}"].append(item)
            streams["FORMAT column"].append(cols[8])
            for key, value in zip(cols[8].split(b":"), cols[9].split(b":")):
                streams[f"FORMAT/{key.decode()}"].append(value)
    fields = {k: len(zlib.compress(b"\n".join(v), 6)) for k, v in streams.items()}
    compressed_by_kind = {k: len(zlib.compress(b"".join(v), 6)) for k, v in kind_streams.items()}
    return count, raw, {"fields": fields, "kinds": compressed_by_kind}, total


def record_starts(path: Path) -> set[tuple[str, int]]:
    out = subprocess.run(["bcftools", "query", "-f", "%CHROM\t%POS\n", str(path)], capture_output=True, text=True,
                         check=True).stdout.split()
    return {(out[i], int(out[i + 1])) for i in range(0, len(out), 2)}


# ------------------------------------------------------------------ a leaner gVCF
def band_of(depth: int, bands: list[int]) -> int:
    """Index of the depth band (mpileup --gvcf thresholds): 0 below the first threshold."""
    return sum(depth >= b for b in bands)


def block_pl(fmt: dict[str, str]) -> tuple[int, int, int] | None:
    """(0/0, 0/x, x/x) PLs of a record, x any non-reference allele (the lowest of each
    class), or None unless 0/0 is the most likely genotype (PL 0)."""
    pl = [int(v) for v in fmt["PL"].split(",")]
    n_alleles = int((math.isqrt(8 * len(pl) + 1) - 1) // 2)
    if n_alleles < 2 or pl[0] != 0:
        return None
    het = hom = 10**9
    for j in range(n_alleles):  # diploid PL order: (0,0), (0,1), (1,1), (0,2), (1,2), (2,2) ...
        for i in range(j + 1):
            value = pl[j * (j + 1) // 2 + i]
            if i == 0 and j > 0:
                het = min(het, value)
            elif i > 0:
                hom = min(hom, value)
    return 0, het, hom


def fold_noise(lines, bands: list[int], max_alt_reads: int = 1):
    """A leaner gVCF (a prototype, not in the pipeline): sites where at most
    ``max_alt_reads`` reads show another base (SNV records only, 0/0 most likely, depth
    in a block band) become reference sites, and consecutive reference records of one
    depth band are joined into one block as mpileup writes them: ``END``, ``MinDP``,
    ``QS=1,0``, ``PL:DP`` with each PL the lowest of the members' (so a block never
    claims more confidence than its weakest site). Header lines pass unchanged;
    indels, variant evidence and low-depth single sites are kept as they were."""
    block = None  # [chrom, start, end, ref_base, pl0, pl1, pl2, min_dp, band]

    def flush():
        chrom, start, end, ref, p0, p1, p2, dp, _ = block
        return (f"{chrom}\t{start}\t.\t{ref}\t<*>\t.\t.\tEND={end};MinDP={dp};QS=1,0\tPL:DP\t"
                f"{p0},{p1},{p2}:{dp}\n")

    for line in lines:
        if line.startswith("#"):
            yield line
            continue
        cols = line.rstrip("\n").split("\t")
        chrom, pos, ref, alt, info = cols[0], int(cols[1]), cols[3], cols[4], cols[7]
        fmt = dict(zip(cols[8].split(":"), cols[9].split(":")))
        ref_like = None  # (start, end, pl, depth) when the record can be part of a block
        if "END=" in info:
            end = int(info.split("END=", 1)[1].split(";", 1)[0])
            pl = tuple(int(v) for v in fmt["PL"].split(","))
            ref_like = (pos, end, pl, int(fmt["DP"]))
        elif not info.startswith("INDEL") and len(ref) == 1 and "AD" in fmt and "DP" in fmt:
            alt_reads = sum(int(v) for v in fmt["AD"].split(",")[1:] if v != ".")
            depth = int(fmt["DP"])
            if alt_reads <= max_alt_reads and band_of(depth, bands) > 0:
                pl = block_pl(fmt)
                if pl is not None:
                    ref_like = (pos, pos, pl, depth)
        if ref_like is None:
            if block:
                yield flush()
                block = None
            yield line
            continue
        start, end, pl, depth = ref_like
        band = band_of(depth, bands)
        if block and block[0] == chrom and start == block[2] + 1 and band == block[8]:
            block[2] = end
            block[4:7] = [min(block[4], pl[0]), min(block[5], pl[1]), min(block[6], pl[2])]
            block[7] = min(block[7], depth)
        else:
            if block:
                yield flush()
            block = [chrom, start, end, ref[0], pl[0], pl[1], pl[2], depth, band]
    if block:
        yield flush()


def fold_file(src: str, out: str, bands: list[int]) -> None:
    with gzip.open(src, "rt") as fh, open(out[: -len(".gz")], "w") as dst:
        dst.writelines(fold_noise(fh, bands))
    subprocess.run(["bgzip", "-f", out[: -len(".gz")]], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", out], check=True)


# ------------------------------------------------------------------ steps
def per_sample_command(name: str, fq1: Path, fq2: Path, ref: str, bam: str, gvcf: str, genome_bed: str,
                       options: str) -> str:
    rg = f"@RG\\tID:{name}.L001\\tSM:{name}\\tPL:ILLUMINA\\tLB:{name}-lib\\tPU:L001"
    return (f"bwa mem -t 1 -K 100000000 -Y -R {q(rg)} {q(ref)} {q(str(fq1))} {q(str(fq2))}"
            f" | samtools sort -m 768M -T {q(bam + '.tmp')} -o {q(bam)} - && samtools index {q(bam)}"
            f" && {bl.mpileup_command(bam, ref, genome_bed, options, gvcf)}")


def joint_command(gvcfs: list[str], shards: list[str], ref: str, sexes: str, ploidy: str, filters: str,
                  outdir: Path, cores: int) -> tuple[str, str]:
    """The shard jobs of rule bcftools_call, `cores` at a time, then bcftools_concat_cohort."""
    outdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for shard in shards:
        out = str(outdir / f"{Path(shard).stem}.vcf.gz")
        parts.append(out)
        (outdir / f"{Path(shard).stem}.sh").write_text(
            "set -eo pipefail\n" + bl.joint_call_command(gvcfs, shard, ref, sexes, ploidy, filters, out) + "\n")
    cohort = str(outdir / "cohort.vcf.gz")
    cmd = (f"ls {q(str(outdir))}/*.sh | xargs -P {cores} -n 1 bash"
           f" && bcftools concat --allow-overlaps -Oz -o {q(cohort)} {' '.join(q(p) for p in parts)}"
           f" && tabix -p vcf {q(cohort)}")
    return cmd, cohort


def joint_records(path: str) -> list[str]:
    return subprocess.run(["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n", path],
                          capture_output=True, text=True, check=True).stdout.splitlines()


def genotype_changes(base: list[str], other: list[str]) -> tuple[int, int, Counter]:
    """(sites in only one, shared sites with another FILTER, Counter of (base GT, other
    GT, 'snv'/'indel') over the genotypes that differ at shared sites) of two
    joint_records() lists."""
    def parse(lines):
        out = {}
        for line in lines:
            f = line.split("\t")
            out[tuple(f[:4])] = (f[4], f[5:])
        return out
    a, b = parse(base), parse(other)
    changes: Counter = Counter()
    filters = 0
    for key in a.keys() & b.keys():
        filters += a[key][0] != b[key][0]
        kind = "snv" if len(key[2]) == len(key[3].split(",")[0]) else "indel"
        for x, y in zip(a[key][1], b[key][1]):
            if x != y:
                changes[(x, y, kind)] += 1
    return len(a.keys() ^ b.keys()), filters, changes


def score_against_truth(cohort: str, truth: str, ref: str, names: list[str]) -> dict[str, float]:
    """F1 of SNVs and indels, TP/FP/FN pooled over the samples (scripts/compare_calls.py)."""
    sums = defaultdict(lambda: [0, 0, 0])
    for s in names:
        t = compare_calls.load_calls(truth, ref, s)
        c = compare_calls.load_calls(cohort, ref, s)
        for row in compare_calls.score([(*k, v) for k, v in t.items()], [(*k, v) for k, v in c.items()]):
            acc = sums[row["type"]]
            acc[0] += row["tp"]
            acc[1] += row["fp"]
            acc[2] += row["fn"]
    out = {}
    for vtype, (tp, fp, fn) in sums.items():
        p = tp / (tp + fp) if tp + fp else math.nan
        r = tp / (tp + fn) if tp + fn else math.nan
        out[vtype] = 2 * p * r / (p + r) if p + r else math.nan
    return out


def size_bytes(paths) -> int:
    return sum(os.path.getsize(p) for p in paths)


def tile_name(copy: int, contig: str) -> str:
    return f"t{copy + 1:02d}_{contig}"


def tile_reference(genome: dict[str, np.ndarray], copies: int, path: Path) -> None:
    """The genome written ``copies`` times, contigs renamed t01_chr1, t01_chr2, t02_chr1..."""
    write_reference(path, {tile_name(k, c): seq for k in range(copies) for c, seq in genome.items()})
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
    contigs = [f"##contig=<ID={tile_name(k, c)},length={seq.size}>\n" for k in range(copies) for c, seq in genome.items()]
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4,8,16,32", help="cohort sizes N")
    ap.add_argument("--genome-kb", type=int, default=200, help="the generated genome (reads, alignment, gVCFs)")
    ap.add_argument("--tile", type=int, default=12,
                    help="joint genotyping runs on the gVCFs repeated this many times as renamed contigs")
    ap.add_argument("--coverage", type=float, default=30.0)
    ap.add_argument("--lean-n", type=int, default=16, help="samples for the leaner gVCF forms")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "scaling"))
    ap.add_argument("--demo-gvcf", default=str(bl.RESULTS / "work" / "overhead" / "pipeline" / "results" / "gvcf"),
                    help="a folder of the pipeline's demo gVCFs to measure too, if present (overhead.py writes it)")
    ap.add_argument("--quick", action="store_true", help="N = 2, 4 on 60 kb x 2; lean forms on 4 samples")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated reads and BAMs")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.genome_kb, a.lean_n, a.tile = "2,4", 60, 4, 2
    sizes = sorted({int(x) for x in a.sizes.split(",")})
    n_max = max(sizes)
    lean_n = min(a.lean_n, n_max)
    work = Path(a.workdir).resolve()
    if work.exists():
        shutil.rmtree(work)
    for sub in ("reads", "bam", "gvcf", "tiled"):
        (work / sub).mkdir(parents=True)
    os.environ["PATH"] = f"{bl.BIN}:{os.environ['PATH']}"
    config = bl.pipeline_config()
    options = bl.mpileup_options(config)
    filters = bl.filter_chain(config)
    bands = [int(b) for b in config["calling"].get("gvcf_depth_bands", [5, 15])]
    print(f"scaling: N = {', '.join(map(str, sizes))}; {a.genome_kb} kb generated genome at {a.coverage:g}x, "
          f"joint genotyping on it x {a.tile} ({a.genome_kb * a.tile / 1000:g} Mb); --cores {a.cores} on "
          f"{bl.machine()}; {bl.tool_versions(['bwa', 'samtools', 'bcftools'])}", flush=True)

    # 1. the cohort: genome, variants, reads; alignment and gVCFs with the pipeline's command
    rng = np.random.default_rng(a.seed)
    genome = make_genome(rng, a.genome_kb * 1000)
    ref = str(work / "genome.fa")
    write_reference(Path(ref), genome)
    subprocess.run(f"samtools faidx {q(ref)} && bwa index {q(ref)} 2>/dev/null", shell=True, check=True)
    sites = make_variants(rng, genome, n_max)
    names = [f"G{i + 1:03d}" for i in range(n_max)]
    truth = work / "truth.vcf.gz"
    write_truth(truth, genome, sites, names)
    genome_bed = work / "genome.bed"
    genome_bed.write_text("".join(f"{c}\t0\t{s.size}\n" for c, s in genome.items()))
    mb = sum(s.size for s in genome.values()) / 1e6
    tiled_ref = str(work / "tiled" / "genome.fa")
    tile_reference(genome, a.tile, Path(tiled_ref))
    tiled_genome = {tile_name(k, c): seq for k in range(a.tile) for c, seq in genome.items()}
    shards = shard_beds(tiled_genome, work / "shards", SHARDS)
    first_copy = work / "tiled" / "copy1.bed"
    first_copy.write_text("".join(f"{tile_name(0, c)}\t0\t{s.size}\n" for c, s in genome.items()))
    tiled_truth = str(work / "tiled" / "truth.vcf.gz")
    tile_vcf(str(truth), tiled_truth, genome, 1)

    def make_sample(i: int) -> tuple[str, bl.Timed]:
        name = names[i]
        r = np.random.default_rng(a.seed * 1000 + i)
        haps = [haplotype(genome[c], [s for s in sites if s["contig"] == c], i, k) for c in genome for k in (0, 1)]
        fq1, fq2 = work / "reads" / f"{name}_R1.fastq.gz", work / "reads" / f"{name}_R2.fastq.gz"
        write_reads(fq1, fq2, haps, a.coverage, r, name)
        gvcf = str(work / "gvcf" / f"{name}.g.vcf.gz")
        cmd = per_sample_command(name, fq1, fq2, ref, str(work / "bam" / f"{name}.bam"), gvcf, str(genome_bed),
                                 options)
        timed = bl.run_timed(cmd, log=work / "gvcf" / f"{name}.log")
        tile_vcf(gvcf, str(work / "tiled" / f"{name}.g.vcf.gz"), genome, a.tile)
        return name, timed

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.cores) as pool:
        made = list(pool.map(make_sample, range(n_max)))
    gvcfs = [str(work / "gvcf" / f"{n}.g.vcf.gz") for n in names]
    tiled = [str(work / "tiled" / f"{n}.g.vcf.gz") for n in names]
    print(f"generated {n_max} samples ({len(sites)} variant sites), aligned, called and tiled in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)

    # 2. joint genotyping for each N
    ploidy = "--ploidy GRCh38"
    starts = {g: record_starts(Path(g)) for g in gvcfs}
    rows = []
    load = bl.load_average()
    for n in sizes:
        sexes = work / f"sexes.{n}.txt"
        sexes.write_text("".join(f"{s}\tF\n" for s in names[:n]))
        cmd, cohort = joint_command(tiled[:n], shards, tiled_ref, str(sexes), ploidy, filters, work / f"joint{n}",
                                    a.cores)
        t = bl.run_timed(cmd, log=work / f"joint{n}.log", sample_memory=True)
        merged = len(set().union(*(starts[g] for g in gvcfs[:n])))
        rows.append({"n": n, "wall_s": t.wall, "cpu_s": t.cpu, "peak_rss_mb": t.peak_rss_mb,
                     "gvcf_bytes": size_bytes(tiled[:n]), "vcf_bytes": os.path.getsize(cohort),
                     "merged_records": merged * a.tile, "wall_per_sample_s": t.wall / n, "cpu_per_sample_s": t.cpu / n,
                     "gvcf_mb_per_mb_per_sample": size_bytes(gvcfs[:n]) / n / 1e6 / mb})
        print(f"  N={n}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU, peak {t.peak_rss_mb:.0f} MB", flush=True)
    first = rows[0]
    for r in rows:
        r["ratio_cpu_per_sample_vs_first"] = r["cpu_per_sample_s"] / first["cpu_per_sample_s"]
        r["ratio_wall_per_sample_vs_first"] = r["wall_per_sample_s"] / first["wall_per_sample_s"]
    joint_mb = mb * a.tile

    print()
    print(f"Scaling: joint genotyping (rule bcftools_call x {SHARDS} shards, {a.cores} at a time, + concat) of N "
          f"generated samples, {joint_mb:g} Mb ({a.genome_kb} kb x {a.tile}), {a.coverage:g}x, {a.cores} cores")
    print(bl.table(["N", "wall s", "CPU s", "peak MB", "gVCFs in MB", "VCF out MB", "merged rec./kb",
                    "wall/sample s", "CPU/sample s", f"CPU/sample vs N={first['n']}",
                    f"wall/sample vs N={first['n']}"],
                   [[r["n"], f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_rss_mb']:.0f}",
                     f"{r['gvcf_bytes'] / 1e6:.1f}", f"{r['vcf_bytes'] / 1e6:.2f}",
                     f"{r['merged_records'] / (joint_mb * 1000):.0f}", f"{r['wall_per_sample_s']:.2f}",
                     f"{r['cpu_per_sample_s']:.2f}", f"{r['ratio_cpu_per_sample_vs_first']:.2f}",
                     f"{r['ratio_wall_per_sample_vs_first']:.2f}"] for r in rows]))
    last = rows[-1]
    print(f"per-sample cost, N={last['n']} vs N={first['n']}: CPU {last['ratio_cpu_per_sample_vs_first']:.2f}x, "
          f"wall {last['ratio_wall_per_sample_vs_first']:.2f}x (target <= 1.2). bcftools merge --gvcf writes a "
          f"record, with all N samples, at every position where any of the N gVCFs starts one: "
          f"{first['merged_records'] / (joint_mb * 1000):.0f}/kb at N={first['n']}, "
          f"{last['merged_records'] / (joint_mb * 1000):.0f}/kb at N={last['n']} (one gVCF alone: "
          f"{len(starts[gvcfs[0]]) / (mb * 1000):.0f}/kb).")
    print(f"load average: {load:.2f} before, {bl.load_average():.2f} after (above {a.cores}, wall times include "
          f"waiting for other processes)")

    # 3. the gVCF: what it is made of, and leaner forms
    count, raw, packed, total = anatomy(Path(gvcfs[0]))
    n_records = sum(count[k] for k in ("block", "ref site", "other allele seen"))
    size0 = os.path.getsize(gvcfs[0])
    print()
    print(f"gVCF anatomy ({names[0]}, {a.coverage:g}x, {mb * 1000:.0f} kb): {size0 / 1e6:.2f} MB bgzipped = "
          f"{size0 / 1e6 / mb:.2f} MB per Mb, {n_records / mb:,.0f} records/Mb, {total / n_records:.0f} bytes a "
          f"record before compression")
    kinds_total = sum(packed["kinds"].values())
    print(bl.table(["record kind", "records %", "bytes % (plain)", "bytes % (compressed alone)",
                    "bytes/record (plain)"],
                   [[k, f"{count[k] / n_records:.1%}", f"{raw[k] / total:.1%}",
                     f"{packed['kinds'].get(k, 0) / kinds_total:.1%}", f"{raw[k] / count[k]:.0f}"]
                    for k in ("block", "ref site", "other allele seen") if count[k]], "lrrrr"))
    if count["snv site"]:
        print(f"of the SNV records where another base is seen, {count['snv site, one read'] / count['snv site']:.1%} "
              f"have it in one read only (at {a.coverage:g}x: sequencing errors)")
    fields_total = sum(packed["fields"].values())
    top = sorted(packed["fields"].items(), key=lambda kv: -kv[1])
    print(bl.table(["field (each compressed alone)", "share"],
                   [[k, f"{v / fields_total:.1%}"] for k, v in top[:10]]
                   + [["the other " + str(len(top) - 10), f"{sum(v for _, v in top[10:]) / fields_total:.1%}"]],
                   "lr"))

    # the mpileup CPU of the pipeline's form (without the alignment), re-timed on one sample
    t_mp = bl.run_timed(bl.mpileup_command(str(work / "bam" / f"{names[0]}.bam"), ref, str(genome_bed), options,
                                           str(work / "mp_timing.g.vcf.gz")))
    lean_dir, fold_dir = work / "lean", work / "folded"
    lean_dir.mkdir()
    fold_dir.mkdir()
    lean = [str(lean_dir / f"{n}.g.vcf.gz") for n in names[:lean_n]]
    t_lean = [bl.run_timed(f"bcftools annotate -x {LEAN_DROP} -Oz -o {q(out)} {q(g)} && tabix -p vcf {q(out)}")
              for g, out in zip(gvcfs[:lean_n], lean)]
    folded = [str(fold_dir / f"{n}.g.vcf.gz") for n in names[:lean_n]]
    t_fold = []
    for g, out in zip(lean, folded):
        c0 = time.process_time()
        fold_file(g, out, bands)
        t_fold.append(time.process_time() - c0)
    forms = [("pipeline (mpileup -g 5,15)", gvcfs[:lean_n], 0.0),
             ("without unused annotations", lean, sum(t.cpu for t in t_lean) / lean_n),
             ("... and single-read sites folded into blocks", folded,
              sum(t.cpu for t in t_lean) / lean_n + sum(t_fold) / lean_n)]
    sexes = work / f"sexes.{lean_n}.txt"
    sexes.write_text("".join(f"{s}\tF\n" for s in names[:lean_n]))
    base_records = None
    form_rows, change_notes = [], []
    for i, (label, files, extra_cpu) in enumerate(forms):
        tiled_files = []
        for f in files:
            out = str(Path(f).parent / ("tiled." + Path(f).name))
            tile_vcf(f, out, genome, a.tile)
            tiled_files.append(out)
        cmd, cohort = joint_command(tiled_files, shards, tiled_ref, str(sexes), ploidy, filters,
                                    work / f"lean_joint{i}", a.cores)
        t = bl.run_timed(cmd, log=work / f"lean_joint{i}.log")
        records = joint_records(cohort)
        if base_records is None:
            base_records = records
        differ = len(set(records) ^ set(base_records))
        if i:
            sites, refiltered, changes = genotype_changes(base_records, records)
            top = ", ".join(f"{x} -> {y} at {k}s: {n}" for (x, y, k), n in changes.most_common(4))
            change_notes.append(f"{label}: {len(records):,} joint records ({len(base_records):,} in the pipeline "
                                f"form's); {sites} sites in only one, {refiltered} with another FILTER; "
                                f"{sum(changes.values())} of {len(base_records) * lean_n:,} genotypes differ"
                                f"{' (' + top + ')' if top else ''}")
        first_copy_vcf = str(work / f"lean_joint{i}" / "copy1.vcf.gz")
        subprocess.run(f"bcftools view -R {q(str(first_copy))} -Oz -o {q(first_copy_vcf)} {q(cohort)} && "
                       f"tabix -p vcf {q(first_copy_vcf)}", shell=True, check=True)
        f1 = score_against_truth(first_copy_vcf, tiled_truth, tiled_ref, names[:lean_n])
        n_rec = sum(len(record_starts(Path(f))) for f in files) / lean_n
        size = size_bytes(files) / lean_n
        form_rows.append({"form": label, "samples": lean_n, "mb_per_mb_per_sample": size / 1e6 / mb,
                          "records_per_mb": n_rec / mb, "gb_per_30x_genome": size / mb * GENOME_MB / 1e9,
                          "make_cpu_s_per_sample": t_mp.cpu + extra_cpu, "joint_n": lean_n, "joint_wall_s": t.wall,
                          "joint_cpu_s": t.cpu, "joint_records_differ": differ,
                          "snv_f1": f1.get("SNV", math.nan), "indel_f1": f1.get("INDEL", math.nan)})
    demo_note = ""
    demo = Path(a.demo_gvcf)
    demo_files = sorted(demo.glob("*.g.vcf.gz")) if demo.is_dir() else []
    fai = demo.parent / "reference" / "genome.fa.fai"
    if demo_files and fai.exists():
        called_mb = sum(int(line.split("\t")[1]) for line in fai.read_text().splitlines()) / 1e6
        per = sorted(os.path.getsize(f) / 1e6 / called_mb for f in demo_files)
        demo_note = (f"the demo's gVCFs from the pipeline ({len(demo_files)} samples, {demo}): "
                     f"{per[0]:.2f}-{per[-1]:.2f} MB per Mb of reference (N gaps and chrM included), "
                     f"median {per[len(per) // 2]:.2f}")
    print()
    print(f"gVCF forms ({lean_n} samples; per sample per Mb; x {GENOME_MB:,} Mb for a GRCh38-sized genome; GATK "
          f"HaplotypeCaller gVCF: ~5-8 GB per 30x genome; joint genotyping on {joint_mb:g} Mb)")
    print(bl.table(["form", "MB/Mb", "records/Mb", "GB per 30x genome", "make CPU s/sample",
                    f"joint N={lean_n} wall s", "joint CPU s", "joint records differ", "SNV F1", "indel F1"],
                   [[r["form"], f"{r['mb_per_mb_per_sample']:.3f}", f"{r['records_per_mb']:,.0f}",
                     f"{r['gb_per_30x_genome']:.2f}", f"{r['make_cpu_s_per_sample']:.2f}",
                     f"{r['joint_wall_s']:.1f}", f"{r['joint_cpu_s']:.1f}", r["joint_records_differ"],
                     f"{r['snv_f1']:.4f}", f"{r['indel_f1']:.4f}"] for r in form_rows], "lrrrrrrrrr"))
    for note in change_notes:
        print(note)
    if demo_note:
        print(demo_note)
    print(f"('make CPU': mpileup on one sample's BAM, plus bcftools annotate and the Python fold for the leaner "
          f"forms; 'joint records differ': cohort VCF records (site, alleles, FILTER, genotypes) in only one of "
          f"this form's and the pipeline form's; F1 against the generated truth on the first copy, pooled over "
          f"the {lean_n} samples, scripts/compare_calls.py.)")

    if not a.no_write:
        date, mach = bl.now(), bl.machine()
        for r in rows:
            bl.append_row(RESULTS, COLUMNS, {"date": date, "machine": mach, "cores": a.cores,
                                             "genome_kb": a.genome_kb, "tile": a.tile, "coverage": a.coverage,
                                             "load": round(load, 2),
                                             **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}})
        for r in form_rows:
            bl.append_row(GVCF_RESULTS, GVCF_COLUMNS, {"date": date, "machine": mach, "genome_kb": a.genome_kb,
                                                       "coverage": a.coverage,
                                                       **{k: (round(v, 4) if isinstance(v, float) else v)
                                                          for k, v in r.items()}})
        print(f"appended to {RESULTS.relative_to(bl.ROOT)} and {GVCF_RESULTS.relative_to(bl.ROOT)}")
    if not a.keep:
        for sub in ("reads", "bam"):
            shutil.rmtree(work / sub, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
