"""Shared fixtures and paths for the test suite."""

import gzip
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
BIN = Path(sys.executable).parent
# The demo runs here, never in the checkout: `make demo DEMO_DIR=...` puts its generated
# data, results, logs and .snakemake in this folder (a new one for every test session).
# REFCOHORT_TEST_DEMO_DIR reuses a demo folder of an earlier `make demo` (development:
# `make demo` there has nothing left to do); CI always gets a new one.
DEMO_DIR = Path(
    os.environ.get("REFCOHORT_TEST_DEMO_DIR") or tempfile.mkdtemp(prefix="refcohort-demo-")
)
DEMO_RESULTS = DEMO_DIR / "results"
DEMO_DATA = DEMO_DIR / "resources" / "demo"


def run(cmd, cwd=ROOT, check=True, **kw):
    """Run a command with the venv first on PATH (in `env`, default os.environ); return
    the CompletedProcess."""
    base = kw.pop("env", os.environ)
    env = dict(base, PATH=f"{BIN}:{base['PATH']}")
    proc = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def demo_run():
    """Run `make demo` once per test session in DEMO_DIR and return what it printed.
    Tests then read DEMO_RESULTS."""
    proc = run(["make", "demo", "CORES=2", f"DEMO_DIR={DEMO_DIR}"], timeout=2700)
    return proc.stdout + proc.stderr  # the workflow's summary is on standard error


# ------------------------------------------------------------------ dry-run projects
SNAKEMAKE = [str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--cores", "2"]


@pytest.fixture
def mini(tmp_path):
    """A two-sample project in tmp_path (empty FASTQs suffice for a dry-run)."""
    (tmp_path / "reads").mkdir()
    for name in ("A_L1_R1", "A_L1_R2", "A_L2_R1", "A_L2_R2", "B_L1_R1", "B_L1_R2"):
        with gzip.open(tmp_path / "reads" / f"{name}.fastq.gz", "wt") as fh:
            fh.write("@r\nACGT\n+\nIIII\n")
    (tmp_path / "ref.fa").write_text(">chr1\n" + "ACGT" * 100 + "\n>chrX\n" + "ACGT" * 50 + "\n")
    (tmp_path / "samples.tsv").write_text("sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tEE\n")
    (tmp_path / "units.tsv").write_text(
        "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n"
        "A\tL1\tILLUMINA\tA-lib\treads/A_L1_R1.fastq.gz\treads/A_L1_R2.fastq.gz\n"
        "A\tL2\tILLUMINA\tA-lib\treads/A_L2_R1.fastq.gz\treads/A_L2_R2.fastq.gz\n"
        "B\tL1\tILLUMINA\tB-lib\treads/B_L1_R1.fastq.gz\treads/B_L1_R2.fastq.gz\n"
    )
    write_config(tmp_path)
    return tmp_path


def merge(base, extra):
    """``extra`` laid over ``base``, nested mappings merged key by key."""
    out = dict(base)
    for key, value in extra.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merge(out[key], value) if both else value
    return out


def write_config(path, extra=""):
    """The mini project's config with the YAML text ``extra`` merged in. Its genome is 600
    bp, so there are no PARs (the default qc.par is GRCh38's, which does not fit)."""
    import yaml

    base = {
        "samples": "samples.tsv",
        "units": "units.tsv",
        "reference": {"fasta": "ref.fa"},
        "qc": {"par": ""},
    }
    config = merge(base, yaml.safe_load(extra) or {})
    (path / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def dry_run(workdir, *args, check=True):
    cmd = SNAKEMAKE + [
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "-n",
        "-p",
        *args,
    ]
    return run(cmd, check=check)
