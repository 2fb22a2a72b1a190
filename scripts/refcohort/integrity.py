"""Deliverables that cannot be silently wrong: checked against their SHA-256 before any
job reads them, and kept when a run that would remake them fails.

* The rule that makes a deliverable (CRAM, gVCF, cohort VCF, QC table, release) writes its
  ``.sha256`` itself (scripts/seal_deliverable.sh, or :func:`seal` from Python), with a
  receipt of the file's size and modification time under ``.snakemake/validation/receipts``.
  Nothing else ever writes a ``.sha256``: a damaged file is never vouched for.
* Before any job runs, :func:`deliverable_problems` checks every deliverable that has a
  ``.sha256``: a file whose size and modification time match its receipt is trusted (no
  re-reading of terabytes on each run); any other is read and hashed, and the run stops
  when the hash differs from the one its rule wrote. A file that matches gets a new
  receipt (restored from a backup, its content is what the rule made).
* :func:`keep_deliverables` hard-links the deliverables aside when a run starts;
  :func:`restore_deliverables`, when the run fails, puts back those that a job deleted
  before failing (Snakemake removes a job's old outputs before it runs).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SIDECAR = ".sha256"
# the deliverables, by the small sidecars made from them (workflow/integrity.smk)
CRAMS = r"results/align/[^/]+\.cram"
INDEXED_VCFS = r"results/(?:gvcf/[^/]+\.g\.vcf\.gz|joint/cohort\.vcf\.gz)"
WITH_MD5 = rf"(?:{CRAMS}|{INDEXED_VCFS})"
SEALED = (
    rf"(?:{CRAMS}|{INDEXED_VCFS}|results/qc/sample_qc\.tsv|results/sv/cohort\.bcf"
    r"|results/release/(?:sv_)?allele_frequencies\.vcf\.gz)"
)
DEFAULT_CACHE = ".snakemake/validation"  # workflow/common.smk VALIDATION_CACHE
RECEIPTS = "receipts"
KEPT = "kept-deliverables"
BLOCK = 1 << 22


@dataclass
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(BLOCK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_hash(sidecar: str | Path) -> str:
    """The hex digest in a ``sha256sum`` line (``<hex>  <path>``); '' when unreadable."""
    try:
        words = Path(sidecar).read_text().split()
    except (OSError, UnicodeDecodeError):
        return ""
    return words[0].lower() if words and len(words[0]) == 64 else ""


def receipt_path(path: str | Path, cache: str | Path) -> Path:
    return Path(cache, RECEIPTS, Path(path).as_posix().lstrip("/") + ".receipt")


def write_receipt(path: str | Path, digest: str, cache: str | Path) -> None:
    st = Path(path).stat()
    receipt = receipt_path(path, cache)
    receipt.parent.mkdir(parents=True, exist_ok=True)
    receipt.write_text(f"{st.st_size}\t{int(st.st_mtime)}\t{digest}\n")


def receipt_matches(path: str | Path, digest: str, cache: str | Path) -> bool:
    """The file's size and modification time (in whole seconds, as the shell's
    ``stat -c %Y`` writes it) are those recorded when it was hashed with this digest."""
    try:
        size, mtime, recorded = receipt_path(path, cache).read_text().split()
    except (OSError, ValueError):
        return False
    st = Path(path).stat()
    return (int(size), int(mtime), recorded) == (st.st_size, int(st.st_mtime), digest)


def seal(path: str | Path, cache: str | Path) -> str:
    """Write ``path.sha256`` (``sha256sum`` format, the path as given) and its receipt;
    the sidecar is replaced in one rename, so it is never half-written."""
    digest = sha256_file(path)
    sidecar = Path(f"{path}{SIDECAR}")
    tmp = sidecar.with_name(sidecar.name + ".tmp")
    tmp.write_text(f"{digest}  {path}\n")
    tmp.replace(sidecar)
    write_receipt(path, digest, cache)
    return digest


def sealed_files(results: str | Path) -> list[Path]:
    """Every file under ``results`` that has a ``.sha256`` beside it."""
    root = Path(results)
    if not root.is_dir():
        return []
    return sorted(
        p.with_name(p.name[: -len(SIDECAR)])
        for p in root.rglob(f"*{SIDECAR}")
        if p.is_file() and p.with_name(p.name[: -len(SIDECAR)]).is_file()
    )


def _describe(path: Path) -> str:
    st = path.stat()
    when = datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"now {st.st_size:,} bytes, last modified {when}"


def deliverable_problems(results: str | Path, cache: str | Path, progress=None) -> list[Problem]:
    """Every deliverable under ``results`` whose content no longer matches the SHA-256
    its rule wrote. Files unchanged since their receipt are not read again."""
    problems = []
    unchecked = []
    for path in sealed_files(results):
        digest = sidecar_hash(f"{path}{SIDECAR}")
        if digest and receipt_matches(path, digest, cache):
            continue
        unchecked.append((path, digest))
    if unchecked and progress:
        size = sum(p.stat().st_size for p, _ in unchecked)
        progress(
            f"Checking {len(unchecked)} deliverable(s) changed or copied since they were last "
            f"checked against their SHA-256 ({size / 1e9:.2f} GB to read)..."
        )
    for path, digest in unchecked:
        sidecar = f"{path}{SIDECAR}"
        if not digest:
            problems.append(
                Problem(
                    sidecar,
                    f"is not a SHA-256 line ('<64 hex digits>  <path>'), so {path} cannot be "
                    f"checked. Restore {sidecar} from a backup, or delete {path} and {sidecar} "
                    "to make the file again.",
                )
            )
            continue
        if sha256_file(path) == digest:
            write_receipt(path, digest, cache)
            continue
        problems.append(
            Problem(
                str(path),
                f"its content differs from the SHA-256 in {sidecar}, written by the rule that "
                f"made it ({_describe(path)}): it was changed or damaged since. Nothing was "
                f"run. Restore {path} from a backup, or delete it and its {SIDECAR} to make it "
                "again (what was made from it is then made again too).",
            )
        )
    return problems


def rebuild_sidecars(results: str | Path) -> list[str]:
    """Make again the small sidecars of checked deliverables that are missing: the ``.md5``
    of a CRAM, gVCF or the cohort VCF, the ``.crai`` of a CRAM, the ``.tbi`` of a gVCF or
    the cohort VCF. Each gets its deliverable's modification time, so that nothing made
    from the deliverable looks out of date (a deleted index must not mean remaking a gVCF,
    nor aligning again). Run after :func:`deliverable_problems` found nothing. Returns the
    paths made."""
    import re

    made = []
    for path in sealed_files(results):
        name = path.as_posix()
        wanted = []
        if re.fullmatch(WITH_MD5, name):
            wanted.append(Path(f"{path}.md5"))
        if re.fullmatch(CRAMS, name):
            wanted.append(Path(f"{path}.crai"))
        elif re.fullmatch(INDEXED_VCFS, name):
            wanted.append(Path(f"{path}.tbi"))
        for sidecar in wanted:
            if sidecar.exists():
                continue
            if sidecar.suffix == ".md5":
                digest = hashlib.md5(usedforsecurity=False)
                with open(path, "rb") as fh:
                    while chunk := fh.read(BLOCK):
                        digest.update(chunk)
                sidecar.write_text(f"{digest.hexdigest()}  {path}\n")
            else:
                import pysam

                if sidecar.suffix == ".crai":
                    pysam.index(str(path), str(sidecar))
                else:
                    pysam.tabix_index(str(path), preset="vcf", force=True)
            st = path.stat()
            os.utime(sidecar, ns=(st.st_atime_ns, st.st_mtime_ns))
            made.append(str(sidecar))
    return made


def file_fingerprint(path: str | Path, cache: str | Path) -> str:
    """A file's SHA-256, cached under ``cache`` by its real path, size and modification
    time (a reference FASTA is hashed once, not on every run)."""
    import json

    st = Path(path).stat()
    key = f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}"
    store = Path(cache, "fingerprints.json")
    try:
        known = json.loads(store.read_text())
    except (OSError, ValueError):
        known = {}
    if key not in known:
        known = {k: v for k, v in known.items() if not k.startswith(f"{os.path.realpath(path)}|")}
        known[key] = sha256_file(path)
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_name(store.name + ".tmp")
        tmp.write_text(json.dumps(known, indent=1))
        tmp.replace(store)
    return known[key]


def format_problems(problems: list[Problem]) -> str:
    lines = [f"{len(problems)} deliverable(s) failed their checksum check:"]
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)


# ------------------------------------------------------------------ keep on failure
SIDECARS = (SIDECAR, ".md5", ".tbi", ".crai")
RECORDS = ".records"  # under KEPT: Snakemake's metadata records of the kept files


def deliverable_family(results: str | Path) -> list[Path]:
    """The sealed deliverables under ``results`` with their sidecars (index, MD5, SHA-256)."""
    paths = []
    for path in sealed_files(results):
        paths.append(path)
        paths += [p for p in (Path(f"{path}{ext}") for ext in SIDECARS) if p.is_file()]
    return paths


def keep_deliverables(
    paths: list[Path], cache: str | Path, records: dict[str, Path] | None = None
) -> int:
    """Hard-link each existing deliverable under ``cache``/kept-deliverables, with a copy
    of Snakemake's metadata record of it (``records``: path -> record file): a job that
    remakes a deliverable deletes the old file first, and if the run then fails it comes
    back as it was, still known to Snakemake as what its rule made (so that the next run
    remakes it if the reason to is still there). Returns the number of files kept;
    without hard links (another file system) nothing is kept."""
    kept = Path(cache, KEPT)
    shutil.rmtree(kept, ignore_errors=True)
    count = 0
    for path in paths:
        if not path.is_file():
            continue
        target = kept / path.as_posix().lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            continue
        count += 1
        record = (records or {}).get(str(path))
        if record is not None and record.is_file():
            copy = kept / RECORDS / path.as_posix().lstrip("/")
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(record, copy)
    return count


def restore_deliverables(cache: str | Path, records: dict[str, Path] | None = None) -> list[str]:
    """Put back every kept deliverable that is missing now (deleted by a job that then
    failed, or whose run was stopped) as the previous run left it, with its metadata
    record (``records``: path -> where Snakemake keeps it); return their paths. Files
    that exist now (made again by this run) are left as they are."""
    kept = Path(cache, KEPT)
    restored: list[str] = []
    if not kept.is_dir():
        return restored
    for source in sorted(p for p in kept.rglob("*") if p.is_file()):
        relative = source.relative_to(kept)
        if relative.parts[0] == RECORDS:
            continue
        path = Path(relative)
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, path)
        restored.append(str(path))
        copy = kept / RECORDS / relative
        target = (records or {}).get(str(path))
        if target is not None and copy.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(copy, target)
    return restored


def forget_kept(cache: str | Path) -> None:
    shutil.rmtree(Path(cache, KEPT), ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m refcohort.integrity seal FILE... [--cache DIR]`` (for rules in Python
    environments; shell rules use scripts/seal_deliverable.sh, which writes the same)."""
    import argparse

    parser = argparse.ArgumentParser(prog="refcohort.integrity")
    parser.add_argument("action", choices=["seal", "check"])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--cache", default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    if args.action == "seal":
        for path in args.files:
            seal(path, args.cache)
        return 0
    problems = []
    for results in args.files:
        problems += deliverable_problems(results, args.cache, progress=print)
    if problems:
        print(format_problems(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
