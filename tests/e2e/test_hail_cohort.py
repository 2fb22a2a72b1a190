"""The hail joint engine end to end on a tiny cohort (tiny_cohort.py, docs/joint-calling.md):
the cohort store grows by a batch without reading the old genomes (N+1), a withdrawn
sample is removed without rebuilding, bad inputs stop before any work with the store left
intact, and a killed update leaves the previous freeze usable."""

import json
import os
import shutil
import signal
import subprocess
import time

import pytest
import tiny_cohort
from conftest import ROOT, run
from test_reliability import REGENOTYPED, snakemake, vcf_records

HAIL_PYTHON = ROOT / ".venv-hail" / "bin" / "python"
CLI = ROOT / "scripts" / "hail_cohort.py"
SAMPLES = [("S01", "female"), ("S02", "male"), ("S03", "female")]

pytestmark = pytest.mark.skipif(
    not HAIL_PYTHON.exists() and os.environ.get("CI") != "true",
    reason="the Hail environment is not installed (make hail)",
)


def hail_config(folder, samples):
    tiny_cohort.write_sheets(folder, samples)
    tiny_cohort.write_config(folder, [s for s, _ in samples])
    with open(folder / "config.yaml", "a") as fh:
        fh.write("joint:\n  engine: hail\n")


def add_sample(folder, index, sample, sex):
    seqs = tiny_cohort.genome()
    tiny_cohort.write_reads(
        folder / "reads" / sample, tiny_cohort.haplotypes(seqs, index, sex), sample, seed=index
    )


def store_files(folder):
    """{path: (size, mtime)} of every file of the store's batches."""
    batches = folder / "results" / "cohort" / "store" / "batches"
    return {
        str(p.relative_to(batches)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in batches.rglob("*")
        if p.is_file()
    }


def freeze(folder):
    return json.loads((folder / "results" / "cohort" / "freeze.json").read_text())


def cohort_samples(folder):
    out = run(["bcftools", "query", "-l", str(folder / "results/joint/cohort.vcf.gz")])
    return out.stdout.split()


def update_args(folder, *extra):
    r = folder / "results"
    return [
        str(HAIL_PYTHON), str(CLI), "update", "--store", str(r / "cohort/store"),
        "--freeze", str(folder / "freeze.json"), "--header", str(folder / "freeze.header"),
        "--fai", str(r / "reference/genome.fa.fai"), "--cores", "2", "--memory-mb", "2000",
        "--hail-log", str(folder / "hail.log"), *extra,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Three samples through the pipeline with the hail engine (freeze 1), then a fourth
    added (freeze 2); returns the folder and what each step left."""
    work = tiny_cohort.make_cohort(tmp_path_factory.mktemp("hail"), SAMPLES)
    hail_config(work, SAMPLES)
    first = snakemake(work, timeout=1200)
    one = {"freeze": freeze(work), "files": store_files(work), "samples": cohort_samples(work)}
    four = SAMPLES + [("S04", "male")]
    add_sample(work, 3, "S04", "male")
    hail_config(work, four)
    second = snakemake(work, timeout=1200)
    two = {"freeze": freeze(work), "files": store_files(work), "samples": cohort_samples(work)}
    return work, {"first": first, "one": one, "second": second, "two": two}


def test_first_run_makes_freeze_one_and_the_joint_vcf_names_it(cohort):
    work, runs = cohort
    one = runs["one"]["freeze"]
    assert one["number"] == 1 and one["engine"] == "hail" and sorted(one["members"]) == [
        "S01", "S02", "S03",
    ]  # fmt: skip
    assert [b["id"] for b in one["batches"]] == ["b0001"]
    assert runs["one"]["samples"] == ["S01", "S02", "S03"]
    header = run(["bcftools", "view", "-h", str(work / "results/joint/cohort.vcf.gz")]).stdout
    assert "##cohort_freeze=<Number=2,Engine=hail," in header  # the cohort VCF after N+1
    assert vcf_records(work / "results/joint/cohort.vcf.gz")


def test_adding_a_sample_combines_only_it_and_leaves_the_old_batch_untouched(cohort):
    work, runs = cohort
    two = runs["two"]["freeze"]
    assert two["number"] == 2 and two["added"] == ["S04"] and two["removed"] == []
    assert [(b["id"], b["samples"]) for b in two["batches"]] == [
        ("b0001", ["S01", "S02", "S03"]),
        ("b0002", ["S04"]),
    ]
    old = {k: v for k, v in runs["two"]["files"].items() if k.startswith("b0001.vds/")}
    assert old == runs["one"]["files"]  # not one byte of the old batch rewritten
    assert runs["two"]["samples"] == ["S01", "S02", "S03", "S04"]
    log = (work / "logs" / "hail_update_cohort.log").read_text()
    assert "batch b0002: 1 new genome(s) combined (S04)" in log
    # their genomes were not processed again (but for the SV genotyping at the cohort's
    # merged sites, which is every gated sample's by design: docs/structural-variants.md)
    jobs = tiny_cohort.job_blocks(runs["second"].stdout + runs["second"].stderr)
    assert any(r == "hail_update_cohort" for r, _ in jobs)  # the jobs were parsed
    for sample in ("S01", "S02", "S03"):
        redone = [r for r, wc in jobs if f"sample={sample}" in wc and r not in REGENOTYPED]
        assert redone == [], (sample, redone)


def test_a_withdrawn_sample_is_removed_without_rebuilding(cohort):
    work, runs = cohort
    remaining = [s for s in SAMPLES + [("S04", "male")] if s[0] != "S02"]
    hail_config(work, remaining)
    snakemake(work, timeout=1200)
    three = freeze(work)
    assert three["number"] == 3 and three["removed"] == ["S02"]
    batches = {b["id"]: b["samples"] for b in three["batches"]}
    assert batches == {"b0002": ["S04"], "b0003": ["S01", "S03"]}
    # the batch that held S02 is gone from disk, S04's is as it was
    files = store_files(work)
    assert not any(k.startswith("b0001.vds/") for k in files)
    assert {k: v for k, v in files.items() if k.startswith("b0002.vds/")} == {
        k: v for k, v in runs["two"]["files"].items() if k.startswith("b0002.vds/")
    }
    assert cohort_samples(work) == ["S01", "S03", "S04"]
    log = (work / "logs" / "hail_update_cohort.log").read_text()
    assert "batch b0001 rewritten as b0003 without S02" in log


def bad_update(work, tmp_path, table_rows, **kw):
    table = tmp_path / "gvcfs.tsv"
    table.write_text("sample\tgvcf\n" + "".join(f"{s}\t{g}\n" for s, g in table_rows))
    return run(update_args(work, "--gvcfs", str(table)), check=False, **kw)


def test_bad_inputs_stop_before_any_work_and_leave_the_store_intact(cohort, tmp_path):
    work, _ = cohort
    store = work / "results" / "cohort" / "store"
    before = store_files(work)
    current = (store / "CURRENT").read_text()
    gvcfs = {s: str(work / f"results/cohort/gvcf/{s}.g.vcf.gz") for s in ("S01", "S03", "S04")}
    rows = list(gvcfs.items())
    # a gVCF from another build (other contig lengths)
    other = tmp_path / "S09.g.vcf.gz"
    text = run(["bcftools", "view", gvcfs["S01"]]).stdout.replace("S01", "S09")
    text = text.replace("##contig=<ID=chr1,length=120000>", "##contig=<ID=chr1,length=248956422>")
    subprocess.run(["bgzip", "-c"], input=text.encode(), stdout=open(other, "wb"), check=True)
    proc = bad_update(work, tmp_path, rows + [("S09", str(other))])
    assert proc.returncode == 1
    assert "not made on this run's reference (contigs of other lengths: chr1)" in proc.stderr
    # a sample already in the store whose gVCF is another one now (or was re-made)
    changed = tmp_path / "S01.g.vcf.gz"
    shutil.copy(gvcfs["S03"], changed)
    proc = bad_update(work, tmp_path, [("S01", str(changed))] + rows[1:])
    assert proc.returncode == 1 and "no longer match the checksums" in proc.stderr
    assert "S01: recorded" in proc.stderr
    # a store written by another pipeline version
    meta = json.loads((store / "STORE.json").read_text())
    (store / "STORE.json").write_text(json.dumps({**meta, "store_format": 0}))
    try:
        proc = bad_update(work, tmp_path, rows)
        assert proc.returncode == 1 and "store format 0" in proc.stderr
    finally:
        (store / "STORE.json").write_text(json.dumps(meta, indent=1) + "\n")
    assert "Error summary" not in proc.stderr and "Traceback" not in proc.stderr
    assert store_files(work) == before and (store / "CURRENT").read_text() == current


def test_a_killed_update_leaves_the_previous_freeze_usable(cohort, tmp_path):
    work, _ = cohort
    store = work / "results" / "cohort" / "store"
    current = (store / "CURRENT").read_text()
    before = store_files(work)
    add_sample(work, 4, "S05", "female")
    hail_config(work, [("S01", "female"), ("S03", "female"), ("S04", "male"), ("S05", "female")])
    rows = [(s, str(work / f"results/cohort/gvcf/{s}.g.vcf.gz")) for s in ("S01", "S03", "S04")]
    snakemake(work, targets=["results/cohort/gvcf/S05.g.vcf.gz"])
    rows.append(("S05", str(work / "results/cohort/gvcf/S05.g.vcf.gz")))
    table = tmp_path / "gvcfs.tsv"
    table.write_text("sample\tgvcf\n" + "".join(f"{s}\t{g}\n" for s, g in rows))
    proc = subprocess.Popen(update_args(work, "--gvcfs", str(table)), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 240
    while not list((store / "batches").glob("*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list((store / "batches").glob("*.tmp")), "the update never started writing"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (store / "CURRENT").read_text() == current
    assert {k: v for k, v in store_files(work).items() if ".tmp" not in k} == before
    # the next run cleans up and goes on from the previous freeze
    done = run(update_args(work, "--gvcfs", str(table)))
    assert "removed what an interrupted update left" in done.stderr
    assert json.loads((work / "freeze.json").read_text())["added"] == ["S05"]
