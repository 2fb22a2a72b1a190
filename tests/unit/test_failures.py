"""refcohort.failures: the failed-job list and stale temporary files."""

from types import SimpleNamespace

from refcohort import failures as f


def test_error_line_prefers_our_check_then_errors_then_the_last_line():
    assert (
        f.error_line(
            "fastp says hi\nERROR: igzip: bad\nERROR: FASTQ check: read pair 3 has R1 a but R2 b\n"
        )
        == "ERROR: FASTQ check: read pair 3 has R1 a but R2 b"
    )
    assert f.error_line(
        "ERROR: igzip: encountered while decompressing file: r1.fq.gz\n"
        "ERROR: FASTQ check: no reads came out of fastp (see its messages above)\n"
    ) == (
        "ERROR: igzip: encountered while decompressing file: r1.fq.gz -> "
        "ERROR: FASTQ check: no reads came out of fastp (see its messages above)"
    )
    assert (
        f.error_line(
            "reads failed due to low quality: 3\n[M::bwa] ok\n"
            "[E::sam_parse1] invalid QUAL character\nmore\n"
        )
        == "[E::sam_parse1] invalid QUAL character"
    )
    assert (
        f.error_line("reads failed due to low quality: 3\nall good\n")
        == "reads failed due to low quality: 3"
    )
    assert (
        f.error_line(
            "Traceback (most recent call last):\n  File x\n"
            "ModuleNotFoundError: No module named 'cyvcf2'\n"
        )
        == "ModuleNotFoundError: No module named 'cyvcf2'"
    )
    assert f.error_line("a\nb\n\n") == "b"
    assert f.error_line("") == ""


def test_sample_of_a_log_path_takes_the_longest_matching_id():
    samples = ["S1", "S1.b", "S10"]
    assert f.sample_of("logs/bwa_mem/S1.b.L1.log", samples) == "S1.b"
    assert f.sample_of("logs/samtools_markdup/S10.log", samples) == "S10"
    assert f.sample_of("logs/bcftools_call/1-of-4.log", samples) == ""


def test_failed_jobs_from_the_scheduler_and_rows_with_their_log_line(tmp_path):
    log = tmp_path / "S2.L1.log"
    log.write_text("Streaming...\nERROR: FASTQ check: reads/S2_R2.fq.gz ends after 9 reads\n")
    job = SimpleNamespace(
        rule=SimpleNamespace(name="bwa_mem"),
        wildcards_dict={"sample": "S2", "unit": "L1"},
        log=[str(log)],
    )
    cohort = SimpleNamespace(
        rule=SimpleNamespace(name="bcftools_call"),
        wildcards_dict={"scatteritem": "1-of-2"},
        log=[str(tmp_path / "gone.log")],
    )
    workflow = SimpleNamespace(scheduler=SimpleNamespace(failed=[job, cohort]))
    rows = f.failed_rows(f.failed_jobs(workflow, None, ["S1", "S2"]))
    assert rows == [
        {
            "sample": "(cohort)",
            "unit": "",
            "rule": "bcftools_call",
            "log": str(tmp_path / "gone.log"),
            "error": "",
        },
        {
            "sample": "S2",
            "unit": "L1",
            "rule": "bwa_mem",
            "log": str(log),
            "error": "ERROR: FASTQ check: reads/S2_R2.fq.gz ends after 9 reads",
        },
    ]
    out = tmp_path / "results" / "failed_samples.tsv"
    f.write_failed_samples(str(out), rows)
    lines = out.read_text().splitlines()
    assert lines[0] == "sample\tunit\trule\tlog\terror" and lines[2].startswith("S2\tL1\tbwa_mem\t")


def test_failed_jobs_fall_back_to_the_snakemake_log(tmp_path):
    log = tmp_path / "run.log"
    log.write_text(
        "[Sat Nov 21]\nError in rule bwa_mem:\n    message: None\n    jobid: 5\n"
        "    log: logs/bwa_mem/S2.L1.log (check log file(s) for error details)\n"
        "    shell:\n        x\n\n"
        "[Sat Nov 21]\nError in rule gate_samples:\n    jobid: 9\n"
        "    log: logs/gate_samples.log (check log file(s) for error details)\n"
    )
    jobs = f.failed_jobs(SimpleNamespace(), str(log), ["S1", "S2"])
    assert [(j.rule, j.wildcards, j.logs) for j in jobs] == [
        ("bwa_mem", {"sample": "S2"}, ["logs/bwa_mem/S2.L1.log"]),
        ("gate_samples", {}, ["logs/gate_samples.log"]),
    ]


def test_stale_temp_files_are_only_samtools_temporaries(tmp_path):
    align = tmp_path / "results" / "align"
    (align / "units" / "S1").mkdir(parents=True)
    stale = [
        align / "units" / "S1" / "L1.bam.tmp.0000.bam",
        align / "units" / "S1" / "L1.bam.tmp.0001.bam",
        align / "S1.cram.tmp.samtools.4242.0.tmp",
    ]
    kept = [
        align / "S1.cram",
        align / "S1.cram.crai",
        align / "S1.cram.md5",
        align / "units" / "S1" / "L1.bam",
        align / "notes.tmp.txt",
    ]
    for p in stale + kept:
        p.write_text("x")
    assert f.stale_temp_files(str(align)) == sorted(stale)
    assert f.stale_temp_files(str(tmp_path / "nothing")) == []
