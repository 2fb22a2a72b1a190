"""What a run leaves when jobs fail or the run is killed: the list of failed jobs with
the line of their log that says why (results/failed_samples.tsv, written by the Snakefile's
onerror handler), and the temporary files of jobs killed mid-way (removed by onstart).

No Snakemake imports: the scheduler's job objects are read duck-typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .io import write_tsv

COLUMNS = ["sample", "unit", "rule", "log", "error"]
STRONG = re.compile(r"^(ERROR|\[E::)|\berror\b", re.I)
WEAK = re.compile(r"abort|exception|fail|no such file|truncated|not found|killed", re.I)
TOOL_COMPLAINT = re.compile(r"^(ERROR|WARN|\[E::)", re.I)  # fastp, htslib
# samtools sort (-T out.bam.tmp -> out.bam.tmp.NNNN.bam) and markdup (-T out.cram.tmp)
TEMP_NAME = re.compile(r".+\.(bam|cram)\.tmp(\..*)?$")


@dataclass
class FailedJob:
    rule: str
    wildcards: dict[str, str] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)


def error_line(text: str) -> str:
    """The log line that says what went wrong: our own 'ERROR: FASTQ check' line (with the
    tool's complaint before it when it refers to one), the exception of a traceback, the
    first error line, a line that reads like a failure, or else the last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if line.startswith("ERROR: FASTQ check"):
            before = [x for x in lines[:i] if TOOL_COMPLAINT.match(x)]
            return f"{before[-1]} -> {line}" if before and "above" in line else line
    if any(line.startswith("Traceback") for line in lines):
        raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b", line)]
        return raised[-1] if raised else lines[-1]
    for pattern in (STRONG, WEAK):
        for line in lines:
            if pattern.search(line):
                return line
    return lines[-1] if lines else ""


def sample_of(path: str, samples: list[str]) -> str:
    """The sample a job log belongs to, from its file name (logs/<rule>/<sample>[.x].log)."""
    name = Path(path).name
    matches = [s for s in samples if name == f"{s}.log" or name.startswith(f"{s}.")]
    return max(matches, key=len) if matches else ""


def parse_snakemake_log(text: str, samples: list[str]) -> list[FailedJob]:
    """Failed jobs from the "Error in rule X:" blocks of a Snakemake log (the fallback
    when the scheduler cannot be asked)."""
    jobs = []
    for block in re.split(r"\n(?=Error in rule )", text):
        m = re.match(r"Error in rule (\w+)", block)
        if not m:
            continue
        logs = []
        lm = re.search(r"^\s+log: (.+?) \(check log file", block, flags=re.M)
        if lm:
            logs = [p.strip() for p in lm.group(1).split(",")]
        sample = next((s for s in (sample_of(p, samples) for p in logs) if s), "")
        jobs.append(FailedJob(m.group(1), {"sample": sample} if sample else {}, logs))
    return jobs


def log_paths(log) -> list[Path]:
    """The run's log file(s) as the onerror handler gets them: a path, a list of paths
    (Snakemake >= 9.27), or nothing."""
    if not log:
        return []
    if isinstance(log, (str, Path)):
        return [Path(log)]
    return [Path(p) for p in log if p]


def failed_jobs(workflow, log, samples: list[str]) -> list[FailedJob]:
    """The jobs that failed in this run: from the scheduler, else from the run's log."""
    scheduler = getattr(workflow, "scheduler", None)
    failed = getattr(scheduler, "failed", None)
    if failed:
        jobs = []
        for job in failed:
            for sub in getattr(job, "jobs", None) or [job]:  # group jobs hold several
                rule = getattr(getattr(sub, "rule", None), "name", str(sub))
                wildcards = dict(getattr(sub, "wildcards_dict", {}) or {})
                logs = [str(p) for p in (getattr(sub, "log", None) or [])]
                jobs.append(FailedJob(rule, {k: str(v) for k, v in wildcards.items()}, logs))
        return jobs
    for path in log_paths(log):
        if path.is_file():
            return parse_snakemake_log(path.read_text(errors="replace"), samples)
    return []


def failed_rows(jobs: list[FailedJob]) -> list[dict[str, str]]:
    rows = []
    for job in jobs:
        message = ""
        for log in job.logs:
            try:
                message = error_line(Path(log).read_text(errors="replace"))
            except OSError:
                continue
            if message:
                break
        rows.append(
            {
                "sample": job.wildcards.get("sample", "") or "(cohort)",
                "unit": job.wildcards.get("unit", ""),
                "rule": job.rule,
                "log": ",".join(job.logs),
                "error": " ".join(message.split())[:500],
            }
        )
    return sorted(rows, key=lambda r: (r["sample"], r["unit"], r["rule"]))


def read_failed_samples(path: str) -> list[dict[str, str]]:
    """The rows of a failed-jobs table ([] when there is none)."""
    from .io import read_tsv

    return read_tsv(path) if Path(path).is_file() else []


def failure_text(row: dict[str, str]) -> str:
    """'rule bwa_mem (unit L1): <error line> (log: logs/...)'."""
    unit = f" (unit {row['unit']})" if row.get("unit") else ""
    log = row.get("log", "").split(",")[0]
    error = row.get("error") or "see its log"
    return f"rule {row.get('rule', '?')}{unit}: {error}" + (f" (log: {log})" if log else "")


def write_failed_samples(path: str, rows: list[dict[str, str]]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_tsv(path, COLUMNS, rows)


def processing_failures(path: str, samples: list[str]) -> dict[str, str]:
    """{sample: 'rule X: error line (log: ...)'} for the samples of a failed-jobs table
    (a first pass's results/failed_samples.tsv) whose own jobs failed; '' or no file:
    none."""
    if not path or not Path(path).is_file():
        return {}
    from .io import read_tsv

    out: dict[str, str] = {}
    for row in read_tsv(path):
        sample = row.get("sample", "")
        if sample in samples and sample not in out:
            out[sample] = failure_text(row)
    return out


def stale_temp_files(folder: str) -> list[Path]:
    """samtools sort/markdup temporary files under a folder (left only by killed jobs)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*.tmp*") if p.is_file() and TEMP_NAME.fullmatch(p.name))
