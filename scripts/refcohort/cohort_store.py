"""The cohort store of the hail joint engine: a folder of Hail Variant Datasets (VDS), one
per batch of genomes, and the freeze records that say which batches make the cohort.

    store/
      STORE.json            store format, pipeline, reference fingerprint
      CURRENT               the file name of the current freeze (swapped atomically)
      freezes/freeze-0001.json ...
      batches/b0001.vds/ ...  each batch's VDS, written once
      tmp/                  Spark's scratch space

Adding a batch writes one new VDS of the batch's genomes only: the old batches are not
read or rewritten (I/O proportional to the batch, not the cohort; docs/joint-calling.md
says what that costs at export). Removing samples rewrites the batches that hold them,
without them, and deletes the old copies once the new freeze is in place (a consent
withdrawal must remove the data). Every step writes beside the current state and
switches CURRENT last, so a killed update leaves the previous freeze usable.

This module is plain Python (the layout, the checks, the bookkeeping); the Hail calls are
in refcohort.hail_vds.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

from .freeze import Batch, Freeze, FreezeError, pipeline_version, write_atomic

STORE_FORMAT = 1


class Store:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    # ---------------------------------------------------------------- layout
    @property
    def meta_path(self) -> Path:
        return self.root / "STORE.json"

    def batch_path(self, batch_id: str) -> Path:
        return self.root / "batches" / f"{batch_id}.vds"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def exists(self) -> bool:
        return self.meta_path.is_file()

    # ---------------------------------------------------------------- reading
    def open(self, reference: dict) -> Freeze | None:
        """The current freeze (None for a new store), after checking that the store was
        written by this store format and on this reference."""
        if not self.exists():
            if self.root.exists() and any(p.is_file() for p in self.root.rglob("*")):
                raise FreezeError(
                    f"{self.root} holds files but no STORE.json: it is not a cohort store "
                    "(or an interrupted first combine left it). Move it aside and run again."
                )
            return None
        meta = json.loads(self.meta_path.read_text())
        if meta.get("store_format") != STORE_FORMAT:
            raise FreezeError(
                f"the cohort store {self.root} has store format {meta.get('store_format')!r} "
                f"(written by {meta.get('pipeline', 'an unknown pipeline')}); this pipeline "
                f"({pipeline_version()}) reads format {STORE_FORMAT}. Run the version that "
                "wrote it, or rebuild the store from the gVCFs in a new results folder."
            )
        if meta.get("reference") != reference:
            raise FreezeError(
                f"the cohort store {self.root} was built on another reference "
                f"({meta.get('reference')}) than this run's ({reference}); a store holds one "
                "reference build: use a new results folder for this one."
            )
        current = self.root / "CURRENT"
        if not current.is_file():
            return None
        name = current.read_text().strip()
        return Freeze.from_json((self.root / "freezes" / name).read_text(), str(name))

    def clean_interrupted(self) -> list[Path]:
        """Remove what a killed update left: half-written batch VDSs (*.tmp) and scratch."""
        left = sorted((self.root / "batches").glob("*.tmp")) if self.root.exists() else []
        for path in left:
            shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return left

    # ---------------------------------------------------------------- writing
    def next_batch_id(self, used: set[str]) -> str:
        """A batch ID neither in ``used`` (which it joins) nor on disk."""
        n = 1
        while f"b{n:04d}" in used or self.batch_path(f"b{n:04d}").exists():
            n += 1
        used.add(f"b{n:04d}")
        return f"b{n:04d}"

    def commit(self, freeze: Freeze, reference: dict) -> list[Path]:
        """Make ``freeze`` current; then delete the batch VDSs it no longer names (samples
        removed). Returns the deleted paths."""
        if not self.exists():
            meta = {
                "store_format": STORE_FORMAT,
                "pipeline": pipeline_version(),
                "reference": reference,
                "created": freeze.date,
            }
            write_atomic(self.meta_path, json.dumps(meta, indent=1) + "\n")
        name = f"freeze-{freeze.number:04d}.json"
        write_atomic(self.root / "freezes" / name, freeze.to_json())
        write_atomic(self.root / "CURRENT", name + "\n")
        named = {self.batch_path(b.id).name for b in freeze.batches}
        gone = [p for p in sorted((self.root / "batches").glob("*.vds")) if p.name not in named]
        for path in gone:
            shutil.rmtree(path)
        return gone


def rewrite_plan(current: Freeze | None, remove: list[str]) -> tuple[list[Batch], list[Batch]]:
    """(batches kept as they are, batches that hold a removed sample) of the current
    freeze."""
    if not current:
        return [], []
    drop = set(remove)
    keep = [b for b in current.batches if not drop & set(b.samples)]
    touched = [b for b in current.batches if drop & set(b.samples)]
    return keep, touched


def vcf_contigs(path: str | Path) -> dict[str, int | None]:
    """##contig names and lengths of a (b)gzipped VCF's header."""
    out: dict[str, int | None] = {}
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if not line.startswith("##"):
                break
            if line.startswith("##contig=<"):
                fields = dict(
                    item.split("=", 1) for item in line[10:].rstrip(">\n").split(",") if "=" in item
                )
                length = fields.get("length")
                out[fields["ID"]] = int(length) if length and length.isdigit() else None
    return out


def contig_problems(gvcfs: dict[str, str], fai: str | Path) -> list[str]:
    """gVCFs made on another reference or build: a ##contig the reference lacks, or one of
    another length."""
    lengths = {}
    for line in Path(fai).read_text().splitlines():
        if line:
            name, length = line.split("\t")[:2]
            lengths[name] = int(length)
    problems = []
    for sample, path in sorted(gvcfs.items()):
        contigs = vcf_contigs(path)
        missing = [c for c in contigs if c not in lengths]
        other = [
            c for c, n in contigs.items() if c in lengths and n is not None and n != lengths[c]
        ]
        if missing or other or not contigs:
            detail = (
                f"contigs not in the reference: {', '.join(missing[:5])}"
                if missing
                else f"contigs of other lengths: {', '.join(other[:5])}"
                if other
                else "no ##contig lines"
            )
            problems.append(
                f"{path} (sample {sample}) was not made on this run's reference ({detail}); "
                "a gVCF from another reference or build cannot join the cohort: realign the "
                "sample on this reference."
            )
    return problems
