"""scripts/install_deps.sh: installs only what is missing; without root it explains the
conda route and fails."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "install_deps.sh"
BASICS = ["bash", "dpkg-query", "grep", "sort", "printf", "cat", "id"]
TOOLS = [
    "bwa",
    "samtools",
    "bcftools",
    "tabix",
    "bgzip",
    "fastp",
    "mosdepth",
    "freebayes",
    "plink2",
    "delly",
]


def shim(tmp_path, names, fake=None):
    """A bin dir holding only links to `names`, plus fake scripts {name: body}."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in names:
        target = shutil.which(name)
        assert target, f"{name} is needed for this test"
        (bin_dir / name).symlink_to(target)
    (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())  # the real interpreter
    for name, body in (fake or {}).items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return bin_dir


@pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS), reason="tools not installed yet")
def test_second_run_installs_nothing(tmp_path):
    calls = tmp_path / "apt-calls"
    bin_dir = shim(tmp_path, BASICS + TOOLS, {"apt-get": f'echo "$@" >> {calls}'})
    proc = subprocess.run(
        ["bash", str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert not calls.exists(), "apt-get must not run when everything is installed"


def test_without_root_explains_the_conda_route(tmp_path):
    calls = tmp_path / "apt-calls"
    present = [t for t in TOOLS if t != "fastp"]
    bin_dir = shim(
        tmp_path,
        [n for n in BASICS if n != "id"] + [t for t in present if shutil.which(t)],
        {"id": "echo 1000", "apt-get": f'echo "$@" >> {calls}'},
    )
    proc = subprocess.run(
        ["bash", str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert "fastp" in proc.stderr
    assert "--sdm conda" in proc.stderr and "envs/" in proc.stderr
    assert not calls.exists()


def test_as_root_installs_only_the_missing_packages(tmp_path):
    calls = tmp_path / "apt-calls"
    present = [t for t in TOOLS if t not in ("mosdepth",) and shutil.which(t)]
    bin_dir = shim(
        tmp_path,
        [n for n in BASICS if n != "id"] + present,
        {"id": "echo 0", "apt-get": f'echo "$@" >> {calls}'},
    )
    proc = subprocess.run(
        ["bash", str(SCRIPT)], env={"PATH": str(bin_dir)}, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    lines = calls.read_text().splitlines()
    install = [line for line in lines if line.startswith("install")]
    assert len(install) == 1 and install[0].split()[-1] == "mosdepth"
    if os.geteuid() == 0 and all(shutil.which(t) for t in TOOLS):
        assert "tabix" not in install[0] and "bwa" not in install[0]


def test_test_flag_adds_chromium_and_slurm(tmp_path):
    calls = tmp_path / "apt-calls"
    present = [t for t in TOOLS if shutil.which(t)]
    bin_dir = shim(
        tmp_path,
        [n for n in BASICS if n != "id"] + present,
        {"id": "echo 0", "apt-get": f'echo "$@" >> {calls}'},
    )
    env = {"PATH": str(bin_dir)}
    assert subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True).returncode == 0
    if len(present) == len(TOOLS):
        assert not calls.exists()  # chromium is only for the tests
    proc = subprocess.run(["bash", str(SCRIPT), "--test"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    install = [line for line in calls.read_text().splitlines() if line.startswith("install")]
    assert install and "chromium" in install[-1].split()
    # the SLURM daemons are found in /usr/sbin even off PATH; missing ones are installed
    daemons = {"slurmctld": "slurmctld", "slurmd": "slurmd", "munged": "munge"}
    for command, package in daemons.items():
        assert (package in install[-1].split()) == (not Path("/usr/sbin", command).exists()), (
            package
        )
