"""refcohort.manifest: writing the manifest (scripts/write_manifest.py) and verifying a
results tree against it (scripts/verify_manifest.py)."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from refcohort import manifest as mf


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A results tree with a manifest written by write_manifest's functions."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results" / "align").mkdir(parents=True)
    files = {
        "results/align/S1.cram": b"cram bytes",
        "results/align/S1.cram.md5": b"abc  results/align/S1.cram\n",
        "results/qc/sample_qc.tsv": b"sample\tstatus\nS1\tPASS\n",
    }
    for path, data in files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    Path("results/align/S1.cram.sha256").write_text(
        hashlib.sha256(b"cram bytes").hexdigest() + "  results/align/S1.cram\n"
    )
    rows = mf.manifest_rows(list(files), {"results/align/S1.cram": "results/align/S1.cram.sha256"})
    mf.write_manifest(
        "results/manifest.tsv",
        rows,
        [("reference", "ref.fa", "sha256:00", "size:1"), ("tool", "bwa", "0.7.17")],
    )
    return tmp_path


def test_manifest_lists_size_and_sha256_and_metadata(tree):
    meta, rows = mf.read_manifest(tree / "results" / "manifest.tsv")
    assert meta == {"reference": ["ref.fa\tsha256:00\tsize:1"], "tool": ["bwa\t0.7.17"]}
    assert [r["path"] for r in rows] == [
        "results/align/S1.cram",
        "results/align/S1.cram.md5",
        "results/qc/sample_qc.tsv",
    ]
    assert rows[0] == {
        "path": "results/align/S1.cram",
        "size": "10",
        "sha256": hashlib.sha256(b"cram bytes").hexdigest(),
    }
    assert rows[2]["sha256"] == hashlib.sha256(b"sample\tstatus\nS1\tPASS\n").hexdigest()


def test_verify_passes_then_names_each_missing_or_changed_file(tree, capsys):
    manifest = str(tree / "results" / "manifest.tsv")
    assert mf.verify_cli([manifest]) == 0
    assert capsys.readouterr().out.strip() == "3 files OK"
    (tree / "results/align/S1.cram").write_bytes(b"cram bytez")  # same size
    (tree / "results/qc/sample_qc.tsv").write_text("sample\tstatus\nS1\tFAIL\n!")
    (tree / "results/align/S1.cram.md5").unlink()
    assert mf.verify_cli([manifest]) == 1
    out = capsys.readouterr().out
    assert "CHANGED results/align/S1.cram (same size, different SHA-256)" in out
    assert "MISSING results/align/S1.cram.md5" in out
    assert "CHANGED results/qc/sample_qc.tsv (size 22 in the manifest, 23 now)" in out
    assert "3 of 3 files missing or changed" in out
    assert mf.verify_cli([manifest, "--sizes-only"]) == 1  # the size change and the missing file
    assert "S1.cram " not in capsys.readouterr().out.replace("S1.cram.md5", "")


def test_verify_against_a_copy_with_root(tree, tmp_path_factory, capsys):
    archive = tmp_path_factory.mktemp("archive")
    for p in (tree / "results").rglob("*"):
        if p.is_file():
            dest = archive / p.relative_to(tree)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(p.read_bytes())
    assert mf.verify_cli([str(tree / "results" / "manifest.tsv"), "--root", str(archive)]) == 0
    assert mf.verify_cli([str(tree / "nope.tsv")]) == 2
    capsys.readouterr()


def test_pinned_and_reported_versions(tmp_path):
    env = tmp_path / "samtools.yaml"
    env.write_text(
        "channels:\n  - conda-forge\ndependencies:\n  - samtools=1.16.1\n  - htslib==1.16\n"
    )
    assert mf.pinned_version(env, "samtools") == "1.16.1"
    assert mf.pinned_version(env, "htslib") == "1.16"
    assert mf.pinned_version(env, "bwa") is None
    versions = mf.tool_versions(Path(__file__).resolve().parents[2] / "envs", ["conda"])
    assert versions["bwa"] == "0.7.17 (envs/bwa.yaml)"
    assert mf.tool_version(
        ["samtools", "--version"], r"samtools (\S+)"
    )  # on PATH in the test environment
    assert mf.tool_version(["no-such-tool-xyz"], r"(\S+)") is None


def test_verify_script_runs_as_a_plain_command(tree):
    """`make verify` runs scripts/verify_manifest.py with any python: the package is found
    beside the script, no install needed."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "verify_manifest.py"
    proc = subprocess.run(
        [sys.executable, "-S", str(script), "results/manifest.tsv", "--sizes-only"],
        capture_output=True,
        text=True,
        cwd=tree,
    )
    assert (proc.returncode, proc.stdout.strip()) == (0, "3 files OK (sizes only)"), proc.stderr
