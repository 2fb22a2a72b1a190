#!/usr/bin/env python3
"""Verify a results tree against its manifest (results/manifest.tsv from rule
write_manifest): every listed file must exist with the listed size and SHA-256.

    python scripts/verify_manifest.py results/manifest.tsv [--root DIR] [--sizes-only]

Paths in the manifest are relative to the directory that holds results/ (the run's
working directory); --root points elsewhere, e.g. at an archive copy. Prints "N files OK"
and exits 0, or prints each MISSING or CHANGED file and exits 1. Standard library only,
so it runs wherever the results are copied to.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

COLUMNS = ["path", "size", "sha256"]


def sha256_file(path: str | Path, block: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: str | Path) -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    """(metadata: '# key<TAB>values' lines, rows of path/size/sha256)."""
    meta: dict[str, list[str]] = {}
    rows: list[dict[str, str]] = []
    header = None
    for line in Path(path).read_text().splitlines():
        if not line:
            continue
        if line.startswith("#"):
            fields = line[1:].strip().split("\t")
            if len(fields) > 1:
                meta.setdefault(fields[0], []).append("\t".join(fields[1:]))
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            if header[:3] != COLUMNS:
                raise ValueError(f"{path}: expected the columns {', '.join(COLUMNS)}, found {', '.join(header)}")
            continue
        rows.append(dict(zip(header, fields)))
    if header is None:
        raise ValueError(f"{path}: no 'path size sha256' header; is it a manifest?")
    return meta, rows


def verify(rows: list[dict[str, str]], root: Path, sizes_only: bool = False) -> list[str]:
    """One line per file that is missing or differs from the manifest."""
    problems = []
    for row in rows:
        path = root / row["path"]
        if not path.is_file():
            problems.append(f"MISSING {row['path']}")
            continue
        size = path.stat().st_size
        if size != int(row["size"]):
            problems.append(f"CHANGED {row['path']} (size {row['size']} in the manifest, {size} now)")
        elif not sizes_only and sha256_file(path) != row["sha256"]:
            problems.append(f"CHANGED {row['path']} (same size, different SHA-256)")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("manifest", help="results/manifest.tsv")
    ap.add_argument("--root", help="directory the manifest's paths are relative to [the folder holding results/]")
    ap.add_argument("--sizes-only", action="store_true", help="compare sizes only (fast; no checksums)")
    args = ap.parse_args(argv)
    manifest = Path(args.manifest)
    if not manifest.is_file():
        print(f"no manifest at {manifest}", file=sys.stderr)
        return 2
    root = Path(args.root) if args.root else manifest.resolve().parent.parent
    try:
        _, rows = read_manifest(manifest)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    problems = verify(rows, root, args.sizes_only)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} of {len(rows)} files missing or changed (manifest {manifest})")
        return 1
    print(f"{len(rows)} files OK{' (sizes only)' if args.sizes_only else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
