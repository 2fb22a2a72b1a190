#!/usr/bin/env python3
"""Run Snakemake unchanged, recording the exact wall and CPU time of every job.

``python benchmarks/snakemake_jobtimes.py OUT.jsonl [snakemake arguments...]`` is
``snakemake [arguments...]`` plus one JSON line in OUT.jsonl per process that a job
started and Snakemake reaped: rule, jobid, wildcards, wall seconds, CPU seconds (user +
system of the job's shell and every descendant, from the kernel: ``os.wait4`` instead of
``os.waitpid`` where ``subprocess`` reaps the child). (Not memory: the kernel's max-RSS
of a child counts Snakemake's own pages, copied at fork; the benchmark: files have it.)

Why: the rules' ``benchmark:`` files sample CPU with psutil (every 0.5 s for 15 s, then
every 30 s), so they miss whatever a job spent after its last sample, and every process
that lived between two samples. The local executor runs shell and script jobs in threads
of this process, so the rule is found on the calling stack (Snakemake's ``run_wrapper``);
processes started outside jobs (input validation, version queries) are recorded with
rule ``(snakemake)``. Nothing else changes: same arguments, same jobs, same outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

_LOCK = threading.Lock()
_OUT = None


def _job_of_caller() -> dict:
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "run_wrapper" and "job_rule" in frame.f_locals:
            local = frame.f_locals
            wildcards = local.get("wildcards")
            try:
                wildcards = dict(wildcards.items()) if wildcards is not None else {}
            except Exception:  # noqa: BLE001 - a record without wildcards is still useful
                wildcards = {}
            return {
                "rule": local["job_rule"].name,
                "jobid": local.get("jobid"),
                "wildcards": wildcards,
            }
        frame = frame.f_back
    return {"rule": "(snakemake)", "jobid": None, "wildcards": {}}


def record(entry: dict) -> None:
    if _OUT is None:
        return
    with _LOCK, open(_OUT, "a") as fh:
        fh.write(json.dumps(entry) + "\n")


def install(out_path: str) -> None:
    """Patch subprocess.Popen so that every reaped child's rusage is recorded."""
    global _OUT
    _OUT = out_path
    original_init = subprocess.Popen.__init__

    def __init__(self, *args, **kwargs):
        self._jobtimes = {**_job_of_caller(), "start": time.perf_counter()}
        original_init(self, *args, **kwargs)

    def _try_wait(self, wait_flags):
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        info = getattr(self, "_jobtimes", None)
        if pid == self.pid and info is not None:
            record(
                {
                    "rule": info["rule"],
                    "jobid": info["jobid"],
                    "wildcards": info["wildcards"],
                    "wall": round(time.perf_counter() - info["start"], 3),
                    "cpu": round(usage.ru_utime + usage.ru_stime, 3),
                    "user": round(usage.ru_utime, 3),
                    "system": round(usage.ru_stime, 3),
                    "command": (
                        self.args if isinstance(self.args, str) else " ".join(map(str, self.args))
                    )[:300],
                }
            )
        return pid, status

    subprocess.Popen.__init__ = __init__
    subprocess.Popen._try_wait = _try_wait


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    install(os.path.abspath(sys.argv[1]))
    sys.argv = ["snakemake", *sys.argv[2:]]
    from snakemake.cli import main as snakemake_main

    return snakemake_main()


if __name__ == "__main__":
    sys.exit(main())
