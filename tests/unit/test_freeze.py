"""refcohort.freeze (cohort freezes, the change plan) and refcohort.cohort_store (the
hail engine's store layout and checks), without Hail."""

import gzip
import json
import os

import pytest

from refcohort import cohort_store, freeze
from refcohort.cohort_store import Store, contig_problems, rewrite_plan
from refcohort.freeze import Batch, Freeze, FreezeError


def gvcf(tmp_path, name, contigs=(("chr1", 1000),), body="x"):
    path = tmp_path / f"{name}.g.vcf.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("##fileformat=VCFv4.2\n")
        for contig, length in contigs:
            fh.write(f"##contig=<ID={contig},length={length}>\n")
        fh.write(f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{name}\n{body}\n")
    return str(path)


def sums(paths):
    return {s: freeze.sha256_file(p) for s, p in paths.items()}


REF = {"contigs": 1, "names_lengths_md5": "abc"}


def test_plan_adds_removes_and_keeps(tmp_path):
    paths = {s: gvcf(tmp_path, s) for s in ("A", "B")}
    first = freeze.next_freeze(
        None, freeze.plan(None, paths, sums(paths)), paths, sums(paths), "hail", REF
    )
    assert first.number == 1 and first.samples == ["A", "B"] and first.added == ["A", "B"]
    paths["C"] = gvcf(tmp_path, "C")
    del paths["A"]
    needed = freeze.checksums_needed(first, paths)
    assert needed == ["C"]  # A is gone, B unchanged on disk: only C is read
    the_plan = freeze.plan(first, paths, {s: freeze.sha256_file(paths[s]) for s in needed})
    assert (the_plan.add, the_plan.remove, the_plan.keep) == (["C"], ["A"], ["B"])
    second = freeze.next_freeze(first, the_plan, paths, sums(paths), "hail", REF)
    assert second.number == 2 and second.samples == ["B", "C"]
    assert second.members["B"].sha256 == first.members["B"].sha256
    assert Freeze.from_json(second.to_json()) == second


def test_a_member_whose_gvcf_changed_stops_the_store_but_not_bcftools(tmp_path):
    paths = {"A": gvcf(tmp_path, "A")}
    first = freeze.next_freeze(
        None, freeze.plan(None, paths, sums(paths)), paths, sums(paths), "hail", REF
    )
    gvcf(tmp_path, "A", body="another genome")  # same path, other content
    os.utime(paths["A"], (1, 1))
    assert freeze.checksums_needed(first, paths) == ["A"]  # size or mtime differ
    with pytest.raises(FreezeError, match="no longer match the checksums") as e:
        freeze.plan(first, paths, sums(paths))
    assert "withdraw the sample first" in str(e.value)
    lenient = freeze.plan(first, paths, sums(paths), strict=False)
    assert lenient.changed == ["A"] and lenient.changes


def test_record_keeps_the_number_until_the_cohort_changes(tmp_path):
    history = tmp_path / "freezes"
    paths = {s: gvcf(tmp_path, s) for s in ("A", "B")}
    one = freeze.record(history, paths, sums(paths), "bcftools", REF)
    again = freeze.record(history, paths, sums(paths), "bcftools", REF)
    assert one.number == again.number == 1
    paths.pop("B")
    two = freeze.record(history, paths, sums(paths), "bcftools", REF)
    assert two.number == 2 and two.removed == ["B"]
    assert sorted(p.name for p in history.iterdir()) == ["freeze-0001.json", "freeze-0002.json"]
    line = two.header_line()
    assert line.startswith("##cohort_freeze=<Number=2,Engine=bcftools,") and "Samples=1," in line


def test_a_record_of_another_format_is_refused():
    text = json.dumps({"format": 99, "pipeline": "refcohort 9"})
    with pytest.raises(FreezeError, match="format 99.*another pipeline version"):
        Freeze.from_json(text, "freeze-0001.json")
    with pytest.raises(FreezeError, match="not a readable freeze record"):
        Freeze.from_json(json.dumps({"format": 1, "number": 1}), "x")


def test_reference_fingerprint_changes_with_names_or_lengths(tmp_path):
    fai = tmp_path / "a.fai"
    fai.write_text("chr1\t1000\t6\t60\t61\nchr2\t500\t1030\t60\t61\n")
    one = freeze.reference_fingerprint(fai)
    fai.write_text("chr1\t1000\t6\t60\t61\nchr2\t501\t1030\t60\t61\n")
    assert one["contigs"] == 2 and freeze.reference_fingerprint(fai) != one


def test_store_refuses_another_format_another_reference_and_stray_folders(tmp_path):
    store = Store(tmp_path / "store")
    assert store.open(REF) is None  # a new store
    (store.root / "junk").mkdir(parents=True)
    (store.root / "junk" / "file").write_text("x")
    with pytest.raises(FreezeError, match="not a cohort store"):
        store.open(REF)
    (store.root / "junk" / "file").unlink()
    paths = {"A": gvcf(tmp_path, "A")}
    batch = Batch("b0001", "batches/b0001.vds", ["A"], 1)
    store.batch_path("b0001").mkdir(parents=True)
    first = freeze.next_freeze(
        None, freeze.plan(None, paths, sums(paths)), paths, sums(paths), "hail", REF, [batch]
    )
    store.commit(first, REF)
    assert store.open(REF).members["A"].batch == "b0001"
    with pytest.raises(FreezeError, match="another reference"):
        store.open({"contigs": 2, "names_lengths_md5": "other"})
    meta = json.loads(store.meta_path.read_text())
    store.meta_path.write_text(json.dumps({**meta, "store_format": 0}))
    with pytest.raises(FreezeError, match="store format 0"):
        store.open(REF)


def test_commit_switches_current_and_deletes_the_batches_no_longer_named(tmp_path):
    store = Store(tmp_path / "store")
    for b in ("b0001", "b0002"):
        store.batch_path(b).mkdir(parents=True)
    (store.root / "batches" / "b0003.vds.tmp").mkdir()
    store.tmp.mkdir()
    assert [p.name for p in store.clean_interrupted()] == ["b0003.vds.tmp"]
    assert not store.tmp.exists()
    paths = {"B": gvcf(tmp_path, "B")}
    keep = Batch("b0002", "batches/b0002.vds", ["B"], 1)
    f = freeze.next_freeze(
        None, freeze.plan(None, paths, sums(paths)), paths, sums(paths), "hail", REF, [keep]
    )
    gone = store.commit(f, REF)
    assert [p.name for p in gone] == ["b0001.vds"] and store.batch_path("b0002").exists()
    assert (store.root / "CURRENT").read_text().strip() == "freeze-0001.json"
    used = {"b0002"}
    assert store.next_batch_id(used) == "b0001" and store.next_batch_id(used) == "b0003"


def test_rewrite_plan_names_the_batches_holding_a_removed_sample():
    batches = [Batch("b1", "", ["A", "B"], 1), Batch("b2", "", ["C"], 2)]
    current = Freeze(2, "hail", "d", "p", REF, {}, batches)
    keep, touched = rewrite_plan(current, ["B"])
    assert [b.id for b in keep] == ["b2"] and [b.id for b in touched] == ["b1"]
    assert rewrite_plan(None, ["B"]) == ([], [])


def test_gvcfs_of_another_reference_are_named(tmp_path):
    fai = tmp_path / "ref.fa.fai"
    fai.write_text("chr1\t1000\t6\t60\t61\n")
    ok = gvcf(tmp_path, "A")
    other_length = gvcf(tmp_path, "B", (("chr1", 999),))
    other_names = gvcf(tmp_path, "C", (("1", 1000),))
    problems = contig_problems({"A": ok, "B": other_length, "C": other_names}, fai)
    assert len(problems) == 2
    assert "sample B" in problems[0] and "other lengths: chr1" in problems[0]
    assert "sample C" in problems[1] and "not in the reference: 1" in problems[1]
    assert cohort_store.vcf_contigs(ok) == {"chr1": 1000}
