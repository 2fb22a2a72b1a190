"""Shared fixtures and paths for the test suite."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "scripts"))


def run(cmd, cwd=ROOT, check=True, **kw):
    """Run a command with the venv first on PATH (in `env`, default os.environ); return
    the CompletedProcess."""
    base = kw.pop("env", os.environ)
    env = dict(base, PATH=f"{BIN}:{base['PATH']}")
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def demo_run():
    """Run `make demo` once per test session (a no-op when results are up to date) and
    return what it printed. Tests then read ROOT/results."""
    proc = run(["make", "demo", "CORES=2"], timeout=2700)
    return proc.stdout
