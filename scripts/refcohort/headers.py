"""Alignment-file headers: the SAM header text of a CRAM (read from its binary container
directly, no samtools for the usual CRAM 3.x layouts) or a BAM, and what validation and
the realignment plan read from it (the @SQ M5 checksums, records of one type, tags).
"""

from __future__ import annotations

import gzip
import struct
import subprocess
import zlib

# What reading a header can raise: an unreadable, truncated or mislabelled file.
HEADER_ERRORS = (
    OSError,
    ValueError,
    zlib.error,
    struct.error,
    IndexError,
    subprocess.CalledProcessError,
)


# ------------------------------------------------------------------ CRAM
def _itf8(buf: bytes, pos: int) -> tuple[int, int]:
    """A CRAM ITF-8 integer at pos: (value, position after it)."""
    b0 = buf[pos]
    if b0 < 0x80:
        return b0, pos + 1
    if b0 < 0xC0:
        return ((b0 & 0x3F) << 8) | buf[pos + 1], pos + 2
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 16) | (buf[pos + 1] << 8) | buf[pos + 2], pos + 3
    if b0 < 0xF0:
        return ((b0 & 0x0F) << 24) | int.from_bytes(buf[pos + 1 : pos + 4], "big"), pos + 4
    value = ((b0 & 0x0F) << 28) | (buf[pos + 1] << 20) | (buf[pos + 2] << 12) | (buf[pos + 3] << 4)
    return value | (buf[pos + 4] & 0x0F), pos + 5


def _ltf8(buf: bytes, pos: int) -> tuple[int, int]:
    """A CRAM LTF-8 integer at pos: (value, position after it)."""
    b0, n = buf[pos], 0
    while n < 8 and b0 & (0x80 >> n):
        n += 1
    value = b0 & (0xFF >> (n + 1)) if n < 7 else 0
    for i in range(n):
        value = (value << 8) | buf[pos + 1 + i]
    return value, pos + 1 + n


def cram_header_text(path: str) -> str:
    """The SAM header of a CRAM 3.x file (raw or gzip header block), read directly;
    other layouts go through `samtools view -H`."""
    with open(path, "rb") as fh:
        buf = fh.read(26 + 65536)
        if buf[:4] != b"CRAM":
            raise ValueError(f"{path} is not a CRAM file")
        if buf[4] == 3:
            pos = 26
            length = struct.unpack_from("<i", buf, pos)[0]
            pos += 4
            for _ in range(4):
                _, pos = _itf8(buf, pos)
            for _ in range(2):
                _, pos = _ltf8(buf, pos)
            _, pos = _itf8(buf, pos)  # number of blocks
            landmarks, pos = _itf8(buf, pos)
            for _ in range(landmarks):
                _, pos = _itf8(buf, pos)
            pos += 4  # CRC32
            if len(buf) < pos + length:
                buf += fh.read(pos + length - len(buf))
            method, content_type = buf[pos], buf[pos + 1]
            _, p = _itf8(buf, pos + 2)
            size, p = _itf8(buf, p)
            _, p = _itf8(buf, p)
            if content_type == 0 and method in (0, 1):
                data = buf[p : p + size]
                if method == 1:
                    data = zlib.decompress(data, 47)
                n = struct.unpack_from("<i", data, 0)[0]
                return data[4 : 4 + n].decode(errors="replace")
    out = subprocess.run(
        ["samtools", "view", "-H", path], capture_output=True, text=True, check=True
    )
    return out.stdout


# ------------------------------------------------------------------ BAM
def bam_header_text(path: str) -> str:
    """The SAM header text of a BAM (BGZF) file."""
    with gzip.open(path, "rb") as fh:
        magic = fh.read(4)
        if magic != b"BAM\x01":
            raise ValueError(f"{path} is not a BAM file")
        (length,) = struct.unpack("<i", fh.read(4))
        return fh.read(length).split(b"\0", 1)[0].decode(errors="replace")


def alignment_header_text(path: str, kind: str) -> str:
    """The SAM header of a unit's file: kind 'cram', or 'bam'/'ubam' (both BAM)."""
    return cram_header_text(path) if kind == "cram" else bam_header_text(path)


# ------------------------------------------------------------------ header records
def header_md5s(text: str) -> dict[str, str | None]:
    """@SQ name -> M5 (None when the line has no M5)."""
    found = {}
    for line in text.splitlines():
        if line.startswith("@SQ"):
            tags = dict(f.split(":", 1) for f in line.split("\t")[1:] if ":" in f)
            if "SN" in tags:
                found[tags["SN"]] = tags.get("M5")
    return found


def header_records(text: str, kind: str) -> list[list[str]]:
    """Header lines of one record type ('RG', 'PG', 'SQ'), each split into its fields."""
    return [line.split("\t") for line in text.splitlines() if line.startswith(f"@{kind}\t")]


def field(record: list[str], tag: str) -> str | None:
    """The value of a tag in a header record (None when the record has no such tag)."""
    for item in record[1:]:
        if item.startswith(f"{tag}:"):
            return item[len(tag) + 1 :]
    return None


def with_field(record: list[str], tag: str, value: str) -> list[str]:
    """The record with tag set to value (replaced in place, or appended)."""
    out, done = [], False
    for item in record:
        if item.startswith(f"{tag}:"):
            if not done:
                out.append(f"{tag}:{value}")
                done = True
            continue
        out.append(item)
    return out if done else out + [f"{tag}:{value}"]
