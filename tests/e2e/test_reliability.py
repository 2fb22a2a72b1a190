"""Reliability end to end on tiny cohorts (tiny_cohort.py, 300 kb genome) in temporary
directories (docs/reliability.md):

* bad FASTQ content at run time fails that sample's job with a clear log line, leaves no
  partial output, lets the other samples go on, and is listed in results/failed_samples.tsv;
* a run killed with SIGKILL mid-way and resumed gives the same CRAM, gVCF and cohort VCF
  records as an uninterrupted run, without recomputing finished samples;
* adding a sample re-runs only that sample's jobs and the cohort steps;
* results/manifest.tsv verifies the results tree and names what changed.
"""

import gzip
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time

import pytest
import tiny_cohort
from conftest import ROOT, run
from tiny_cohort import ENV, SNAKEMAKE, cram_records, job_blocks, snakemake, vcf_records


# ------------------------------------------------------------------ bad data at run time
def rewrite(path, transform):
    with gzip.open(path, "rt") as fh:
        lines = fh.read().splitlines()
    with gzip.open(path, "wt") as fh:
        fh.write("".join(f"{line}\n" for line in transform(lines)))


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupt(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    path.write_bytes(bytes(data))


def bad_quality(lines):
    lines[4 * 50 + 3] = lines[4 * 50 + 3][:10] + " " + lines[4 * 50 + 3][11:]
    return lines


# sample: (how its reads are broken, phrase expected in its log)
BAD = {
    "TRUNC": (
        lambda r1, r2: truncate(r1),
        "fastp reported the problem above (R1 and R2 of different lengths",
    ),
    "CORRUPT": (lambda r1, r2: corrupt(r1), "ERROR: igzip"),
    "SHORT": (
        lambda r1, r2: rewrite(r2, lambda lines: lines[:-400]),
        "fastp reported the problem above (R1 and R2 of different lengths",
    ),
    "SWAP": (
        lambda r1, r2: rewrite(r2, lambda lines: lines[4:] + lines[:4]),
        "read pair 1 has R1 SWAP:1:0 but R2 SWAP:1:1: the R1 and R2 files are not mates",
    ),
    "BADQUAL": (
        lambda r1, r2: rewrite(r1, bad_quality),
        "read 101 (BADQUAL:1:50 1:N:0:1): quality characters outside '!'..'~'",
    ),
    "EMPTY": (
        lambda r1, r2: (rewrite(r1, lambda lines: []), rewrite(r2, lambda lines: [])),
        "no reads came out of fastp",
    ),
    # input that cannot be what a sequencer wrote (issue 20, class 6)
    "COPY": (lambda r1, r2: shutil.copyfile(r1, r2), "the fq2 file is a copy of fq1"),
    "SWAPPED": (
        lambda r1, r2: (
            os.replace(r1, f"{r1}.tmp"),
            os.replace(r2, r1),
            os.replace(f"{r1}.tmp", r2),
        ),
        "R1 and R2 are swapped",
    ),
    "LOWER": (
        lambda r1, r2: rewrite(
            r1, lambda lines: [x.lower() if i % 4 == 1 else x for i, x in enumerate(lines)]
        ),
        "lower-case bases",
    ),
    "ALLN": (
        lambda r1, r2: [
            rewrite(
                r, lambda lines: ["N" * len(x) if i % 4 == 1 else x for i, x in enumerate(lines)]
            )
            for r in (r1, r2)
        ],
        "fastp removed every read (reads of N only",
    ),
}


def test_bad_fastq_content_fails_only_its_sample_and_leaves_nothing(tmp_path):
    work = tiny_cohort.make_cohort(
        tmp_path, [("GOOD", "female")] + [(s, "female") for s in BAD], coverage=3
    )
    for sample, (spoil, _) in BAD.items():
        spoil(work / "reads" / f"{sample}_R1.fastq.gz", work / "reads" / f"{sample}_R2.fastq.gz")
    targets = [f"results/align/{s}.cram" for s in ["GOOD", *BAD]]
    proc = snakemake(work, targets=targets, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    # the good sample went on (keep-going in profiles/default) and its CRAM is intact
    assert run(["samtools", "quickcheck", str(work / "results/align/GOOD.cram")]).returncode == 0
    assert (work / "results/align/GOOD.cram.sha256").is_file()
    failed = {
        row.split("\t")[0]: row.split("\t")
        for row in (work / "results/failed_samples.tsv").read_text().splitlines()[1:]
    }
    assert set(failed) == set(BAD), out[-3000:]
    for sample, (_, phrase) in BAD.items():
        log = (work / f"logs/bwa_mem/{sample}.L1.log").read_text()
        assert phrase in log, (sample, log[-2000:])
        assert failed[sample][2] == "bwa_mem" and failed[sample][4], failed[sample]
        # nothing of the failed job survives: no BAM, no sort temporaries, no fastp report, no CRAM
        units = work / "results/align/units" / sample
        assert not units.exists() or [p for p in units.rglob("*") if p.is_file()] == []
        assert list((work / "results/qc/fastp").glob(f"{sample}.*")) == []
        assert list((work / "results/align").glob(f"{sample}.cram*")) == []
    assert list((work / "results").rglob("*.tmp*")) == []
    assert "job(s) failed" in out and "results/failed_samples.tsv" in out


# ------------------------------------------------------------------ kill, resume, add a sample
SAMPLES = [("S01", "female"), ("S02", "male")]
COHORT_RULES = {
    "gate_samples",
    "record_cohort_freeze",
    "bcftools_call_cohort",
    "bcftools_concat_cohort",
    "plink2_king",
    "estimate_relatedness",
    "select_structure_samples",
    "plink2_pca",
    "assess_structure",
    "count_recruitment",
    "bcftools_stats_cohort",
    "qc_report",
    "bcftools_view_release",
    "multiqc",
    "release_allele_frequencies",
    "write_manifest",
    # the cohort VCF's index and MD5 (a new sample's own are its jobs)
    "tabix_index_deliverable",
    "md5sum_deliverable",
    # the structural variants' cohort steps (sites merged, the cohort BCF, its release)
    "delly_merge_sites",
    "bcftools_merge_sv_genotypes",
    "delly_filter_cohort_svs",
    "bcftools_view_sv_release",
    "release_sv_allele_frequencies",
    "sv_report",
    "all",
}
# by design every gated sample is genotyped again at the cohort's merged SV sites
# (docs/structural-variants.md): the one per-sample job of the old samples that may run
REGENOTYPED = {"delly_genotype_sample"}


def kill_when(workdir, ready, timeout=180):
    """Start a run in its own process group, SIGKILL the whole group once `ready()`."""
    cmd = SNAKEMAKE + ["--directory", str(workdir), "--configfile", str(workdir / "config.yaml")]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + timeout
    try:
        while not ready():
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.time() < deadline, "nothing finished in time"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    a = tiny_cohort.make_cohort(tmp_path_factory.mktemp("uninterrupted"), SAMPLES)
    b = tiny_cohort.make_cohort(tmp_path_factory.mktemp("killed"), SAMPLES)
    snakemake(a)

    def sample_done():
        """A sample whose CRAM job has finished: its per-shard calling has started."""
        done = [
            s
            for s, _ in SAMPLES
            if (b / "results/call/shards" / s).is_dir()
            and any((b / "results/call/shards" / s).iterdir())
        ]
        return done[0] if done else None

    kill_when(b, sample_done)
    finished = sample_done()
    killed = {
        "finished": finished,
        "mtimes": {
            p: (b / p).stat().st_mtime_ns
            for p in (f"results/align/{finished}.cram", f"results/align/{finished}.cram.sha256")
        },
        "incomplete": len([p for p in (b / ".snakemake/incomplete").rglob("*") if p.is_file()]),
        "lock": any((b / ".snakemake/locks").glob("*")),
    }
    # what a killed samtools sort leaves: spill files next to the unit BAM
    stale = b / "results/align/units/S02/L1.bam.tmp.0000.bam"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"partial")
    snakemake(b, "--unlock")
    resumed = snakemake(b)
    return {"a": a, "b": b, "killed": killed, "resumed": resumed.stdout + resumed.stderr}


def test_killed_run_was_interrupted_mid_way(runs):
    killed = runs["killed"]
    assert killed["finished"] in {"S01", "S02"}
    assert killed["lock"]  # a SIGKILL leaves the lock that `snakemake --unlock` removes
    print("jobs marked incomplete at the kill:", killed["incomplete"])


def test_resumed_run_gives_the_same_records_as_an_uninterrupted_one(runs):
    a, b = runs["a"], runs["b"]
    for sample, _ in SAMPLES:
        ra, rb = cram_records(a, sample), cram_records(b, sample)
        assert len(ra) > 1000 and ra == rb, sample
        ga, gb = (
            vcf_records(a / f"results/gvcf/{sample}.g.vcf.gz"),
            vcf_records(b / f"results/gvcf/{sample}.g.vcf.gz"),
        )
        assert len(ga) > 1000 and ga == gb, sample
    ca, cb = (
        vcf_records(a / "results/joint/cohort.vcf.gz"),
        vcf_records(b / "results/joint/cohort.vcf.gz"),
    )
    assert len(ca) > 50 and ca == cb


def test_finished_sample_is_not_recomputed_on_resume(runs):
    b, killed = runs["b"], runs["killed"]
    finished = killed["finished"]
    for path, mtime in killed["mtimes"].items():
        assert (b / path).stat().st_mtime_ns == mtime, path
    redone = [
        (rule, wc)
        for rule, wc in job_blocks(runs["resumed"])
        if rule in ("bwa_mem", "samtools_markdup") and f"sample={finished}" in wc
    ]
    assert redone == []
    # the stale sort temporaries were removed when the resumed run started
    assert list((b / "results").rglob("*.tmp*")) == []


def test_adding_a_sample_reruns_only_its_jobs_and_the_cohort_steps(runs):
    b = runs["b"]
    seqs = tiny_cohort.genome()
    tiny_cohort.write_reads(
        b / "reads" / "S03", tiny_cohort.haplotypes(seqs, 2, "female"), "S03", seed=2
    )
    cohort = SAMPLES + [("S03", "female")]
    tiny_cohort.write_sheets(b, cohort)
    tiny_cohort.write_config(b, [s for s, _ in cohort])
    jobs = job_blocks(snakemake(b, "-n").stdout)
    assert jobs
    old = [
        (rule, wc) for rule, wc in jobs if re.search(r"\bS0[12]\b", wc) and rule not in REGENOTYPED
    ]
    assert old == [], "finished samples would be recomputed"
    others = sorted({rule for rule, wc in jobs if "S03" not in wc} - COHORT_RULES - REGENOTYPED)
    assert others == [], f"jobs that are neither S03's nor cohort steps: {others}"
    new = {rule for rule, wc in jobs if "sample=S03" in wc}
    assert {
        "bwa_mem",
        "samtools_markdup",
        "bcftools_mpileup",
        "bcftools_concat_gvcf",
        "sample_metrics",
    } <= new
    assert "gate_samples" in {rule for rule, _ in jobs}


def test_manifest_verifies_the_tree_and_names_changes(runs, tmp_path):
    a = runs["a"]
    manifest = a / "results/manifest.tsv"
    text = manifest.read_text()
    for tool in ("bwa", "samtools", "bcftools", "fastp", "mosdepth", "snakemake"):
        assert re.search(rf"^# tool\t{tool}\t\d", text, flags=re.M), tool
    assert f"sha256:{hashlib.sha256((a / 'ref.fa').read_bytes()).hexdigest()}" in text
    rows = {
        line.split("\t")[0]: line.split("\t")
        for line in text.splitlines()
        if line.startswith("results/")
    }
    cram = rows["results/align/S01.cram"]
    assert cram[1] == str((a / "results/align/S01.cram").stat().st_size)
    assert cram[2] == hashlib.sha256((a / "results/align/S01.cram").read_bytes()).hexdigest()
    assert (a / "results/align/S01.cram.sha256").read_text().split()[0] == cram[2]
    assert {
        "results/qc/sample_qc.tsv",
        "results/joint/cohort.vcf.gz",
        "results/gvcf/S02.g.vcf.gz.tbi",
    } <= set(rows)
    proc = run(["make", "-s", "verify", f"RESULTS={a / 'results'}"])
    assert proc.stdout.strip() == f"{len(rows)} files OK"
    # a copy with one file changed and one missing fails and names both
    copy = tmp_path / "copy"
    shutil.copytree(a / "results", copy / "results")
    with open(copy / "results/qc/sample_qc.tsv", "a") as fh:
        fh.write("tampered\n")
    (copy / "results/gvcf/S01.g.vcf.gz.md5").unlink()
    proc = run(["make", "-s", "verify", f"RESULTS={copy / 'results'}"], check=False)
    assert proc.returncode != 0
    assert (
        "CHANGED results/qc/sample_qc.tsv" in proc.stdout
        and "MISSING results/gvcf/S01.g.vcf.gz.md5" in proc.stdout
    )
    assert f"2 of {len(rows)} files missing or changed" in proc.stdout
