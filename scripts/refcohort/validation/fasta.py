"""The reference FASTA itself: compression, contig names, lengths and SAM M5 checksums (a
fast scan, cached, or the .fai when it is current), and the .fai checked against the FASTA
it indexes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

from .messages import show

GZIP_MAGIC = b"\x1f\x8b"
UPPER_DROP = bytes(range(256)).upper()
NON_SEQUENCE = bytes(c for c in range(256) if not 33 <= c <= 126)


def compression(path: str) -> str:
    """'bgzf', 'gzip' or 'plain' from the first bytes of a file."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] != GZIP_MAGIC:
        return "plain"
    if len(head) >= 16 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def _header_name(header: bytes) -> str:
    """The sequence name of a FASTA header line (without its '>')."""
    return header[1:].decode().split()[0] if header[1:].split() else ""


def scan_fasta(path: str, block: int = 1 << 24) -> dict[str, dict]:
    """Contig names, lengths and SAM M5 checksums (MD5 of the upper-case sequence) of a
    plain, gzip or bgzip FASTA, read in large blocks."""
    opener = gzip.open if compression(path) != "plain" else open
    contigs: dict[str, dict] = {}
    name, digest, length = None, None, 0
    header = None  # bytes of a header line being read
    line_start = True

    def finish():
        if name is not None:
            if name in contigs:  # samtools faidx keeps the first and ignores the rest
                contigs[name]["duplicate"] = True
                return
            contigs[name] = {"length": length, "md5": digest.hexdigest()}

    with opener(path, "rb") as fh:
        while chunk := fh.read(block):
            pos = 0
            while pos < len(chunk):
                if header is not None:
                    end = chunk.find(b"\n", pos)
                    if end < 0:
                        header += chunk[pos:]
                        pos = len(chunk)
                        continue
                    header += chunk[pos:end]
                    finish()
                    name = _header_name(header)
                    digest, length, header = hashlib.md5(), 0, None
                    pos = end + 1
                    line_start = True
                    continue
                if line_start and chunk[pos : pos + 1] == b">":
                    header = b""
                    continue
                nxt = chunk.find(b"\n>", pos)
                end = nxt + 1 if nxt >= 0 else len(chunk)
                if digest is not None:
                    seq = chunk[pos:end].translate(UPPER_DROP, NON_SEQUENCE)
                    digest.update(seq)
                    length += len(seq)
                line_start = end > 0 and chunk[end - 1 : end] == b"\n"
                pos = end
            line_start = chunk.endswith(b"\n")
    if header is not None:
        finish()
        name = _header_name(header)
        digest, length = hashlib.md5(), 0
    finish()
    return contigs


def fasta_contigs(path: str, cache_dir: str | None = None, md5: bool = False) -> dict[str, dict]:
    """Contigs of a FASTA: from its .fai when that is current and no checksums are
    needed, else a scan (cached under cache_dir by path, size and mtime)."""
    fai = Path(f"{path}.fai")
    st = Path(path).stat()
    if not md5 and fai.is_file() and fai.stat().st_mtime >= st.st_mtime:
        contigs = {}
        for line in fai.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) >= 2:
                contigs[fields[0]] = {"length": int(fields[1])}
        return contigs
    cache = None
    if cache_dir:
        identity = f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}"
        key = hashlib.sha1(identity.encode()).hexdigest()
        cache = Path(cache_dir, f"fasta-{key}.json")
        if cache.is_file():
            try:
                return json.loads(cache.read_text())
            except ValueError:
                pass
    contigs = scan_fasta(path)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(contigs))
        except OSError:
            pass
    return contigs


def fai_problems(fasta: str) -> list[str]:
    """A plain FASTA's .fai must describe it: not older than the FASTA, and each contig's
    header line exactly where the index puts it, with nothing unindexed between or after
    (a stale index, or a duplicated contig name, which samtools faidx skips with a
    warning). Reads one header line per contig, not the sequence."""
    fai = Path(f"{fasta}.fai")
    if not fai.is_file() or compression(fasta) != "plain":
        return []
    where = f"reference.fasta {show(fasta)}"
    redo = f"re-index it with `samtools faidx {fasta}` (or remove {fai})"
    if fai.stat().st_mtime < Path(fasta).stat().st_mtime:
        return [f"{where} changed after its index {fai} was made; {redo}."]
    size = Path(fasta).stat().st_size
    seen: set[str] = set()
    pos = 0
    with open(fasta, "rb") as fh:
        for number, line in enumerate(fai.read_text().splitlines(), start=1):
            fields = line.split("\t")
            try:
                name, length, offset, bases, width = (fields[0], *(int(f) for f in fields[1:5]))
            except (ValueError, IndexError):
                return [f"{fai}, line {number}: not a FASTA index line; {redo}."]
            if offset < pos or offset - pos > 65536:
                found = _unindexed(fh, pos, seen)
                return [
                    f"{where} does not match its index {fai} at contig {name} ({found}); {redo}."
                ]
            fh.seek(pos)
            header = fh.read(offset - pos)
            words = header[1:].split()
            if not (
                header.startswith(b">")
                and header.endswith(b"\n")
                and header.count(b"\n") == 1
                and words
                and words[0].decode(errors="replace") == name
            ):
                found = _unindexed(fh, pos, seen)
                return [
                    f"{where} does not match its index {fai} at contig {name} ({found}); {redo}."
                ]
            seen.add(name)
            lines = -(-length // bases) if length and bases else 0
            pos = offset + length + lines * (width - bases)
        fh.seek(pos)
        rest = fh.read(4096)
    if rest.strip():
        found = _describe_unindexed(rest, seen)
        return [f"{where} goes on after the last contig of its index {fai} ({found}); {redo}."]
    return [] if pos <= size else [f"{where} is shorter than its index {fai} says; {redo}."]


def _unindexed(fh, pos: int, seen: set[str]) -> str:
    fh.seek(pos)
    return _describe_unindexed(fh.read(4096), seen)


def _describe_unindexed(data: bytes, seen: set[str]) -> str:
    """What stands in the FASTA where its index expects something else."""
    first = data.split(b"\n", 1)[0]
    if first.startswith(b">"):
        name = _header_name(first)
        if name in seen:
            return f"a second contig named {show(name)}: contig names must be unique"
        return f"the FASTA has {show(first.decode(errors='replace')[:60])} there"
    return "the FASTA has other bytes there"


def contig_sample(names, n=6) -> str:
    """The first n names, and how many there are in all when there are more."""
    names = list(names)
    return ", ".join(names[:n]) + (f", ... ({len(names)} in all)" if len(names) > n else "")
