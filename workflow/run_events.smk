# The run's event handlers (the Snakefile's onstart, onsuccess and onerror): temporary
# files of a killed run, the kept deliverables, the failed-jobs table, the second pass
# and the run's summary (refcohort.failures, integrity, summary). No rules.


# ------------------------------------------------------------------ run events
def metadata_records(paths):
    """Where Snakemake keeps its record of each file (.snakemake/metadata), for
    refcohort.integrity to keep and restore with the file; {} where the records are not
    files (another persistence backend: files are then restored without them)."""
    persistence = workflow.persistence
    record_path = getattr(persistence, "_record_path", None)
    base = getattr(persistence, "_metadata_path", None)
    if record_path is None or base is None or not Path(base).is_dir():
        return {}
    return {str(p): Path(record_path(base, str(p))) for p in paths}


def start_run():
    """onstart: remove the samtools sort/markdup temporary files that a killed run left
    in results/align (a failed job's own are removed by samtools) and the failed-sample
    list of the previous run; keep the deliverables (hard links) in case this run deletes
    one to remake it and then fails."""
    for path in failures.stale_temp_files("results/align"):
        path.unlink(missing_ok=True)
    if not os.environ.get(SECOND_PASS_ENV):
        Path(FAILED_SAMPLES).unlink(missing_ok=True)
    family = integrity.deliverable_family("results")
    integrity.keep_deliverables(family, VALIDATION_CACHE, metadata_records(family))


def print_summary(succeeded):
    """The run's summary: verdicts with reasons, failed samples and where the outputs are
    (refcohort.summary)."""
    failed = failures.read_failed_samples(FAILED_SAMPLES)
    sys.stderr.write(
        summary.run_summary(
            "results/qc/sample_qc.tsv", failed, SAMPLES, succeeded, STRUCTURE_TABLE
        )
    )


def finish_run():
    """onsuccess: the kept copies are no longer needed; the summary."""
    integrity.forget_kept(VALIDATION_CACHE)
    print_summary(succeeded=True)


def finish_cohort_without(rows):
    """onerror: when some samples' processing failed and others' did not, run the
    workflow again (a second pass, the same command) with the failed samples marked as
    such: they get a FAIL row with their error in the QC table and the others go on to
    joint calling, the release and the report. The run still ends with exit status 1.
    Returns whether a second pass ran."""
    failed = sorted({r["sample"] for r in rows if r["sample"] in SAMPLES})
    cohort_step = any(r["sample"] not in SAMPLES for r in rows)
    if os.environ.get(SECOND_PASS_ENV) or not failed or cohort_step:
        return False
    if not set(SAMPLES) - set(failed) - set(FAILED_EARLIER):
        return False
    first_pass = Path(VALIDATION_CACHE, "first-pass-failures.tsv")
    first_pass.parent.mkdir(parents=True, exist_ok=True)
    first_pass.write_text(Path(FAILED_SAMPLES).read_text())
    sys.stderr.write(
        f"\nFinishing the cohort without {', '.join(failed)} (their processing failed; "
        "they are FAIL in the QC table with the failed step and its log line) ...\n\n"
    )
    sys.stderr.flush()
    subprocess.run(
        [sys.executable, "-m", "snakemake", *sys.argv[1:], "--nolock"],
        env=dict(os.environ, **{SECOND_PASS_ENV: str(first_pass)}),
    )
    sys.stderr.write(
        f"\nThe run ends with an error: {', '.join(failed)} could not be processed "
        f"({FAILED_SAMPLES}); the other samples' results are above.\n"
    )
    return True


def restore_deliverables():
    """onerror: put back the deliverables that a failed job deleted before failing."""
    kept = Path(VALIDATION_CACHE, integrity.KEPT)
    paths = [Path(p.relative_to(kept)) for p in kept.rglob("*") if p.is_file()]
    restored = integrity.restore_deliverables(VALIDATION_CACHE, metadata_records(paths))
    integrity.forget_kept(VALIDATION_CACHE)
    if restored:
        sys.stderr.write(
            f"\n{len(restored)} deliverable file(s) that failed jobs had deleted to remake "
            "them are back as the previous run left them (the next run tries again): "
            + ", ".join(restored[:6])
            + (" ..." if len(restored) > 6 else "")
            + "\n"
        )


def report_failed_jobs(log):
    """onerror: write results/failed_samples.tsv (sample, unit, rule, log, error line)."""
    restore_deliverables()
    rows = failures.failed_rows(failures.failed_jobs(workflow, log, SAMPLES))
    failures.write_failed_samples(FAILED_SAMPLES, rows)
    failed = sorted({row["sample"] for row in rows})
    if not rows:
        sys.stderr.write(
            "\nThe run stopped before it finished (interrupted; no job failed). Run the "
            "same command again to go on from where it stopped.\n\n"
        )
        return
    sys.stderr.write(
        f"\n{len(rows)} job(s) failed ({', '.join(failed)}); the other samples went on. "
        f"Each failure and its log line: {FAILED_SAMPLES}\n"
    )
    if not finish_cohort_without(rows):
        print_summary(succeeded=False)
