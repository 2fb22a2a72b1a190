"""What a gVCF is made of (bench_scaling.py): record kinds, each field's share of the
compressed bytes, the records a gVCF starts, and how two joint-call sets differ. Also the
Python prototype that first folded single-read noise into reference blocks (fold_noise:
measured in this harness before the workflow had the compact gVCF; the workflow's
streamed form is scripts/fold_gvcf.awk, which adds GQ bands), kept with its unit tests.
"""

from __future__ import annotations

import gzip
import math
import subprocess
import zlib
from collections import Counter, defaultdict
from pathlib import Path


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
    kind, compressed bytes by field and by kind, total uncompressed bytes) of a gVCF.
    Each field's values are compressed alone (zlib level 6, as bgzip): a columnar
    approximation of its share of the file."""
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
    out = subprocess.run(
        ["bcftools", "query", "-f", "%CHROM\t%POS\n", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
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
        return (
            f"{chrom}\t{start}\t.\t{ref}\t<*>\t.\t.\tEND={end};MinDP={dp};QS=1,0\tPL:DP\t"
            f"{p0},{p1},{p2}:{dp}\n"
        )

    for line in lines:
        if line.startswith("#"):
            yield line
            continue
        cols = line.rstrip("\n").split("\t")
        chrom, pos, ref, info = cols[0], int(cols[1]), cols[3], cols[7]
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


def joint_records(path: str) -> list[str]:
    return subprocess.run(
        ["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


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
