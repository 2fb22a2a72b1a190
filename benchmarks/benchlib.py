"""Helpers shared by the harnesses (bench_overhead.py, bench_scaling.py, bench_accuracy.py,
bench_release.py, bench_kinship.py).

Timing (wall clock and the exact CPU time of a command's whole process tree, from the
kernel's accounting of the reaped child, ``os.wait4``), the machine description, the
results TSVs (one row appended per run), plain-text tables, Snakemake's per-rule
``benchmark:`` files and the pipeline's config (``config/config.yaml`` under an
override file, as Snakemake merges them). Standard library (+ PyYAML) only.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BIN = ROOT / ".venv" / "bin"


@dataclass
class Timed:
    """Wall seconds, CPU seconds (user + system of the command and every descendant it
    waited for, from the kernel) and, when sampled, the peak summed resident memory of
    the command's process tree (MiB). (The kernel's own max-RSS of a child is no use
    here: it counts the forking Python process's pages before exec.)

    A descendant nobody waits for (the JVM that pyspark starts: it exits after its Python
    parent) is missing from the kernel's figure; so when the tree is sampled, ``cpu`` is
    the larger of the kernel's figure and the sum of every sampled process's own CPU at
    its last sighting (which misses processes shorter than a sampling interval and at
    most one interval of each), and ``written_mb`` is the sum of their ``write_bytes``
    (/proc/PID/io: bytes sent to storage, scratch files included)."""

    wall: float
    cpu: float
    peak_rss_mb: float
    returncode: int
    written_mb: float = 0.0


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> str:
    """'2 cores, AMD EPYC, 23 GiB, Linux 6.1' (what the README tables name)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    parts = [
        f"{cores()} cores",
        model,
        mem,
        f"{platform.system()} {platform.release().split('-')[0]}",
    ]
    return ", ".join(p for p in parts if p)


def now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


def run_timed(
    cmd: str | Sequence[str],
    *,
    cwd: Path | str | None = None,
    log: Path | None = None,
    env: dict | None = None,
    check: bool = True,
    sample_memory: bool = False,
    started: Callable[[int], None] | None = None,
) -> Timed:
    """Run a command (a string runs under ``bash -o pipefail -c``), its output to ``log``
    (or discarded), and measure it; ``sample_memory`` polls the process tree's summed
    RSS every 50 ms (psutil); ``started`` is called with the process ID once it runs.
    Raises RuntimeError with the log's tail on failure."""
    argv = ["bash", "-o", "pipefail", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    out = open(log, "ab") if log else subprocess.DEVNULL
    tree = _TreeSample()
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            env=env,
        )
        if started:
            started(proc.pid)
        done = threading.Event()
        sampler = None
        if sample_memory:
            sampler = threading.Thread(
                target=_sample_tree, args=(proc.pid, done, tree), daemon=True
            )
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sampler:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    kernel_cpu = usage.ru_utime + usage.ru_stime
    cpu = max(kernel_cpu, sum(tree.cpu.values()))
    timed = Timed(wall, cpu, tree.peak_mb, proc.returncode, sum(tree.written.values()) / 2**20)
    if check and proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        shown = cmd if isinstance(cmd, str) else shlex.join(argv)
        raise RuntimeError(f"command failed (exit {proc.returncode}): {shown}\n{tail}")
    return timed


@dataclass
class _TreeSample:
    peak_mb: float = 0.0
    cpu: dict = field(default_factory=dict)  # (pid, start time) -> own CPU s, last seen
    written: dict = field(default_factory=dict)  # (pid, start time) -> write_bytes


def _sample_tree(pid: int, done: threading.Event, tree: _TreeSample) -> None:
    """Every 50 ms until ``done``: the summed RSS of the process tree under ``pid`` (its
    peak kept), and each process's own CPU and bytes written."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not done.is_set():
        total = 0
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            break
        for p in procs:
            try:
                with p.oneshot():
                    key = (p.pid, p.create_time())
                    total += p.memory_info().rss
                    t = p.cpu_times()
                    tree.cpu[key] = t.user + t.system
                    tree.written[key] = p.io_counters().write_bytes
            except (psutil.Error, AttributeError):
                pass
        tree.peak_mb = max(tree.peak_mb, total / 2**20)
        done.wait(0.05)


def load_average() -> float:
    return os.getloadavg()[0]


def tool_version(tool: str) -> str:
    """First version-looking token of `tool --version` (bwa: of its usage text)."""
    argv = [tool] if tool == "bwa" else [tool, "--version"]
    try:
        out = subprocess.run(argv, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout + out.stderr).decode(errors="replace")
    m = re.search(r"(?:Version:|version|^\S+)\s*v?(\d+\.\d+(?:\.\d+)?(?:-r\d+)?)", text, re.M)
    return m.group(1) if m else "?"


def tool_versions(tools: Iterable[str]) -> str:
    return ", ".join(f"{t} {tool_version(t)}" for t in tools)


# ------------------------------------------------------------------ results
def append_row(path: Path, columns: Sequence[str], row: dict) -> None:
    """Append one row to a results TSV, writing the header first when the file is new
    (or was written with other columns: then the old file is kept beside it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "\t".join(columns)
    if path.exists():
        first = path.read_text().split("\n", 1)[0]
        if first != header:
            path.rename(path.with_suffix(f".{int(time.time())}.old.tsv"))
    new = not path.exists()
    with open(path, "a") as fh:
        if new:
            fh.write(header + "\n")
        fh.write("\t".join(_cell(row.get(c, "")) for c in columns) + "\n")


def write_rows(path: Path, columns: Sequence[str], rows: Iterable[dict]) -> None:
    """Write a whole TSV (the latest run's detail table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fh.write("\t".join(columns) + "\n")
        for row in rows:
            fh.write("\t".join(_cell(row.get(c, "")) for c in columns) + "\n")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence], align: str | None = None) -> str:
    """A plain-text table; ``align`` is one 'l' or 'r' per column (default: first left)."""
    rows = [[str(c) for c in r] for r in rows]
    align = align or "l" + "r" * (len(headers) - 1)
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def fmt(cells):
        return "  ".join(
            c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align)
        ).rstrip()

    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def seconds(s: float) -> str:
    """'7 min 4 s' above a minute, '12.3 s' below."""
    if s >= 60:
        m, r = divmod(int(round(s)), 60)
        return f"{m} min {r} s"
    return f"{s:.1f} s"


# ------------------------------------------------------------------ Snakemake
BENCHMARK_COLUMNS = ("s", "max_rss", "cpu_time")


def read_benchmarks(folder: Path) -> list[dict]:
    """Every Snakemake ``benchmark:`` file under ``folder`` (``<rule>/<job>.tsv``):
    rule, job, s (wall seconds), max_rss (MB), cpu_time (seconds; 'NA' read as 0)."""
    rows = []
    for path in sorted(Path(folder).glob("*/*.tsv")):
        lines = path.read_text().splitlines()
        if len(lines) < 2:
            continue
        head = lines[0].split("\t")
        for line in lines[1:]:
            values = dict(zip(head, line.split("\t")))
            row = {"rule": path.parent.name, "job": path.stem}
            for key in BENCHMARK_COLUMNS:
                try:
                    row[key] = float(values.get(key, "nan"))
                except ValueError:
                    row[key] = 0.0
            rows.append(row)
    return rows


def deep_merge(base: dict, override: dict) -> dict:
    """Snakemake's config update: nested dicts merged key by key, other values replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def pipeline_config(*configfiles: Path, workflow: Path = ROOT) -> dict:
    """The workflow's config/config.yaml with the given files merged on top (the values
    the harnesses render the rules' commands with, refcohort.commands)."""
    config = yaml.safe_load((workflow / "config" / "config.yaml").read_text()) or {}
    for path in configfiles:
        config = deep_merge(config, yaml.safe_load(Path(path).read_text()) or {})
    return config
