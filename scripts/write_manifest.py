"""results/manifest.tsv: every deliverable with its size and SHA-256, the versions of the
tools that made them and the reference's checksum. Large files' SHA-256 come from the
.sha256 files beside them (rule sha256sum_deliverable, computed once); the rest are
hashed here. scripts/verify_manifest.py checks a results tree against it.
"""

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from verify_manifest import COLUMNS, sha256_file

# tool: (command, pattern of its version in the output, conda env that pins it)
TOOLS = {
    "bwa": (["bwa"], r"Version: (\S+)", "bwa.yaml"),
    "samtools": (["samtools", "--version"], r"samtools (\S+)", "samtools.yaml"),
    "bcftools": (["bcftools", "--version"], r"bcftools (\S+)", "bcftools.yaml"),
    "fastp": (["fastp", "--version"], r"fastp (\S+)", "fastp.yaml"),
    "mosdepth": (["mosdepth", "--version"], r"mosdepth (\S+)", "mosdepth.yaml"),
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
    with open(path, "w") as fh:
        fh.write(f"# Deliverables of this run; check them with scripts/verify_manifest.py {path}\n")
        for fields in meta:
            fh.write("# " + "\t".join(fields) + "\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(row[c] for c in COLUMNS) + "\n")


def main(smk):
    sys.stderr = open(smk.log[0], "w")
    reference = smk.input.reference
    meta = [
        ("created", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("reference", reference, f"sha256:{sha256_file(reference)}", f"size:{Path(reference).stat().st_size}"),
    ]
    versions = tool_versions(Path(smk.params.envs), list(smk.params.deployment))
    meta += [("tool", tool, version) for tool, version in versions.items()]
    meta.append(("tool", "snakemake", smk.params.snakemake_version))
    sidecars = {s.removesuffix(".sha256"): s for s in smk.input.sha256}
    rows = manifest_rows(list(smk.input.files), sidecars)
    write_manifest(smk.output.manifest, rows, meta)
    print(f"{len(rows)} files in {smk.output.manifest}", file=sys.stderr)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
