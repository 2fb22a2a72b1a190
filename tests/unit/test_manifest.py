"""scripts/write_manifest.py and scripts/verify_manifest.py."""

import hashlib
from pathlib import Path

import pytest

import verify_manifest as vm
import write_manifest as wm


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A results tree with a manifest written by write_manifest's functions."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results" / "align").mkdir(parents=True)
    files = {"results/align/S1.cram": b"cram bytes", "results/align/S1.cram.md5": b"abc  results/align/S1.cram\n", "results/qc/sample_qc.tsv": b"sample\tstatus\nS1\tPASS\n"}
    for path, data in files.items():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    Path("results/align/S1.cram.sha256").write_text(hashlib.sha256(b"cram bytes").hexdigest() + "  results/align/S1.cram\n")
    rows = wm.manifest_rows(list(files), {"results/align/S1.cram": "results/align/S1.cram.sha256"})
    wm.write_manifest("results/manifest.tsv", rows, [("reference", "ref.fa", "sha256:00", "size:1"), ("tool", "bwa", "0.7.17")])
    return tmp_path


def test_manifest_lists_size_and_sha256_and_metadata(tree):
    meta, rows = vm.read_manifest(tree / "results" / "manifest.tsv")
    assert meta == {"reference": ["ref.fa\tsha256:00\tsize:1"], "tool": ["bwa\t0.7.17"]}
    assert [r["path"] for r in rows] == ["results/align/S1.cram", "results/align/S1.cram.md5", "results/qc/sample_qc.tsv"]
    assert rows[0] == {"path": "results/align/S1.cram", "size": "10", "sha256": hashlib.sha256(b"cram bytes").hexdigest()}
    assert rows[2]["sha256"] == hashlib.sha256(b"sample\tstatus\nS1\tPASS\n").hexdigest()


def test_verify_passes_then_names_each_missing_or_changed_file(tree, capsys):
    manifest = str(tree / "results" / "manifest.tsv")
    assert vm.main([manifest]) == 0
    assert capsys.readouterr().out.strip() == "3 files OK"
    (tree / "results/align/S1.cram").write_bytes(b"cram bytez")  # same size
    (tree / "results/qc/sample_qc.tsv").write_text("sample\tstatus\nS1\tFAIL\n!")
    (tree / "results/align/S1.cram.md5").unlink()
    assert vm.main([manifest]) == 1
    out = capsys.readouterr().out
    assert "CHANGED results/align/S1.cram (same size, different SHA-256)" in out
    assert "MISSING results/align/S1.cram.md5" in out
    assert "CHANGED results/qc/sample_qc.tsv (size 22 in the manifest, 23 now)" in out
    assert "3 of 3 files missing or changed" in out
    assert vm.main([manifest, "--sizes-only"]) == 1  # the size change and the missing file
    assert "S1.cram " not in capsys.readouterr().out.replace("S1.cram.md5", "")


def test_verify_against_a_copy_with_root(tree, tmp_path_factory, capsys):
    archive = tmp_path_factory.mktemp("archive")
    for p in (tree / "results").rglob("*"):
        if p.is_file():
            dest = archive / p.relative_to(tree)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(p.read_bytes())
    assert vm.main([str(tree / "results" / "manifest.tsv"), "--root", str(archive)]) == 0
    assert vm.main([str(tree / "nope.tsv")]) == 2
    capsys.readouterr()


def test_pinned_and_reported_versions(tmp_path):
    env = tmp_path / "samtools.yaml"
    env.write_text("channels:\n  - conda-forge\ndependencies:\n  - samtools=1.16.1\n  - htslib==1.16\n")
    assert wm.pinned_version(env, "samtools") == "1.16.1"
    assert wm.pinned_version(env, "htslib") == "1.16"
    assert wm.pinned_version(env, "bwa") is None
    versions = wm.tool_versions(Path(__file__).resolve().parents[2] / "envs", ["conda"])
    assert versions["bwa"] == "0.7.17 (envs/bwa.yaml)"
    assert wm.tool_version(["samtools", "--version"], r"samtools (\S+)")  # on PATH in the test environment
    assert wm.tool_version(["no-such-tool-xyz"], r"(\S+)") is None
