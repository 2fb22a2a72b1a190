"""results/manifest.tsv: every deliverable with its size and SHA-256, the versions of the
tools that made them and the reference's checksum, and the check of a results tree
against it.

Written by rule write_manifest (:func:`main`): large files' SHA-256 come from the .sha256
files beside them (rule sha256sum_deliverable, computed once); the rest are hashed here.
Checked by ``make verify`` (scripts/verify_manifest.py, :func:`verify_cli`). Standard
library only, so the check runs wherever the results (and scripts/) are copied to.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

# the description of `python scripts/verify_manifest.py --help`
VERIFY_USAGE = (
    "Verify a results tree against its manifest (results/manifest.tsv from rule\n"
    "write_manifest): every listed file must exist with the listed size and SHA-256."
)
COLUMNS = ["path", "size", "sha256"]


def sha256_file(path: str | Path, block: int = 1 << 22) -> str:
    """Hex SHA-256 of a file, read in blocks."""
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
                raise ValueError(
                    f"{path}: expected the columns {', '.join(COLUMNS)}, found {', '.join(header)}"
                )
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
            problems.append(
                f"CHANGED {row['path']} (size {row['size']} in the manifest, {size} now)"
            )
        elif not sizes_only and sha256_file(path) != row["sha256"]:
            problems.append(f"CHANGED {row['path']} (same size, different SHA-256)")
    return problems


# tool: (command, pattern of its version in the output, conda env that pins it)
TOOLS = {
    "bwa": (["bwa"], r"Version: (\S+)", "bwa.yaml"),
    "samtools": (["samtools", "--version"], r"samtools (\S+)", "samtools.yaml"),
    "bcftools": (["bcftools", "--version"], r"bcftools (\S+)", "bcftools.yaml"),
    "fastp": (["fastp", "--version"], r"fastp (\S+)", "fastp.yaml"),
    "mosdepth": (["mosdepth", "--version"], r"mosdepth (\S+)", "mosdepth.yaml"),
    "plink2": (["plink2", "--version"], r"PLINK v(\S+)", "plink2.yaml"),
}


def tool_version(command: list[str], pattern: str) -> str | None:
    """The version a tool on PATH reports (bwa prints it on stderr, without options)."""
    try:
        out = subprocess.run(command, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(pattern, (out.stdout + out.stderr).decode(errors="replace"))
    return m.group(1) if m else None


def pinned_version(env_file: Path, tool: str) -> str | None:
    """The exact version a conda env file pins (`- tool=1.2.3`)."""
    if not env_file.is_file():
        return None
    m = re.search(rf"^\s*-\s*{re.escape(tool)}\s*=+\s*([^\s=#]+)", env_file.read_text(), flags=re.M)
    return m.group(1) if m else None


def tool_versions(envs: Path, deployment: list[str]) -> dict[str, str]:
    """Versions as the jobs saw them: the pinned envs under --sdm conda/apptainer, the
    tools on PATH otherwise."""
    versions = {}
    for tool, (command, pattern, env) in TOOLS.items():
        if {"conda", "apptainer"} & set(deployment):
            pinned = pinned_version(envs / env, tool)
            versions[tool] = f"{pinned} (envs/{env})" if pinned else "unknown"
        else:
            versions[tool] = tool_version(command, pattern) or "not found on PATH"
    return versions


def manifest_rows(files: list[str], sidecars: dict[str, str]) -> list[dict[str, str]]:
    """path, size, sha256 per file; the SHA-256 from its .sha256 file when there is one."""
    rows = []
    for path in files:
        sidecar = sidecars.get(path)
        digest = Path(sidecar).read_text().split()[0] if sidecar else sha256_file(path)
        rows.append({"path": path, "size": str(Path(path).stat().st_size), "sha256": digest})
    return rows


def write_manifest(path: str, rows: list[dict[str, str]], meta: list[tuple[str, ...]]) -> None:
    """The manifest: a pointer to the verifier, the metadata lines, the header, the rows."""
    with open(path, "w") as fh:
        fh.write(f"# Deliverables of this run; check them with scripts/verify_manifest.py {path}\n")
        for fields in meta:
            fh.write("# " + "\t".join(fields) + "\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(row[c] for c in COLUMNS) + "\n")


def main(smk) -> None:
    """Rule write_manifest: input files, sha256 (sidecars), reference; output manifest;
    params envs, deployment, snakemake_version; log."""
    sys.stderr = open(smk.log[0], "w")
    reference = smk.input.reference
    meta = [
        ("created", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        (
            "reference",
            reference,
            f"sha256:{sha256_file(reference)}",
            f"size:{Path(reference).stat().st_size}",
        ),
    ]
    from .freeze import pipeline_version

    versions = tool_versions(Path(smk.params.envs), list(smk.params.deployment))
    meta.append(("pipeline", pipeline_version()))
    meta += [("tool", tool, version) for tool, version in versions.items()]
    meta.append(("tool", "snakemake", smk.params.snakemake_version))
    meta.append(("config", smk.output.config))
    import yaml

    Path(smk.output.config).write_text(
        "# The run's resolved configuration: the workflow's defaults, the config files and\n"
        "# --config, as the jobs saw them (results/manifest.tsv names this file)\n"
        + yaml.safe_dump(dict(smk.params.config), sort_keys=False)
    )
    sidecars = {s.removesuffix(".sha256"): s for s in smk.input.sha256}
    rows = manifest_rows(list(smk.input.files), sidecars)
    write_manifest(smk.output.manifest, rows, meta)
    print(f"{len(rows)} files in {smk.output.manifest}", file=sys.stderr)


def verify_cli(argv: list[str] | None = None) -> int:
    """``python scripts/verify_manifest.py MANIFEST [--root DIR] [--sizes-only]``; returns
    the exit status (0 all OK, 1 missing or changed files, 2 no readable manifest)."""
    ap = argparse.ArgumentParser(description=VERIFY_USAGE)
    ap.add_argument("manifest", help="results/manifest.tsv")
    ap.add_argument(
        "--root",
        help="directory the manifest's paths are relative to [the folder holding results/]",
    )
    ap.add_argument(
        "--sizes-only", action="store_true", help="compare sizes only (fast; no checksums)"
    )
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
