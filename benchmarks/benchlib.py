"""Helpers shared by the pipeline harnesses (overhead.py, scaling.py, accuracy.py).

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
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BIN = ROOT / ".venv" / "bin"


@dataclass
class Timed:
    """Wall seconds, CPU seconds (user + system of the command and every descendant it
    waited for, from the kernel) and, when sampled, the peak summed resident memory of
    the command's process tree (MiB). (The kernel's own max-RSS of a child is no use
    here: it counts the forking Python process's pages before exec.)"""

    wall: float
    cpu: float
    peak_rss_mb: float
    returncode: int


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
    parts = [f"{cores()} cores", model, mem, f"{platform.system()} {platform.release().split('-')[0]}"]
    return ", ".join(p for p in parts if p)


def now() -> str:
    return datetime.datetime.now().isoformat(timespec="seconds")


def run_timed(cmd: str | Sequence[str], *, cwd: Path | str | None = None, log: Path | None = None,
              env: dict | None = None, check: bool = True, sample_memory: bool = False) -> Timed:
    """Run a command (a string runs under ``bash -o pipefail -c``), its output to ``log``
    (or discarded), and measure it; ``sample_memory`` polls the process tree's summed
    RSS every 50 ms (psutil). Raises RuntimeError with the log's tail on failure."""
    argv = ["bash", "-o", "pipefail", "-c", cmd] if isinstance(cmd, str) else list(cmd)
    out = open(log, "ab") if log else subprocess.DEVNULL
    peak = [0.0]
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                                env=env)
        done = threading.Event()
        sampler = None
        if sample_memory:
            sampler = threading.Thread(target=_sample_rss, args=(proc.pid, done, peak), daemon=True)
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
    timed = Timed(wall, usage.ru_utime + usage.ru_stime, peak[0], proc.returncode)
    if check and proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        shown = cmd if isinstance(cmd, str) else shlex.join(argv)
        raise RuntimeError(f"command failed (exit {proc.returncode}): {shown}\n{tail}")
    return timed


def _sample_rss(pid: int, done: threading.Event, peak: list) -> None:
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
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total / 2**20)
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
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align)).rstrip()

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
    the harnesses need to rebuild the rules' options)."""
    config = yaml.safe_load((workflow / "config" / "config.yaml").read_text()) or {}
    for path in configfiles:
        config = deep_merge(config, yaml.safe_load(Path(path).read_text()) or {})
    return config


def mpileup_options(config: dict) -> str:
    """workflow/common.smk mpileup_options(): the gVCF genotype-likelihood options."""
    c = config["calling"]
    depths = ",".join(str(d) for d in c.get("gvcf_depth_bands", [5, 15]))
    extra = " ".join(shlex.quote(w) for w in shlex.split(c.get("mpileup_extra", "") or ""))
    return (f"--min-MQ {c.get('min_mapq', 20)} --min-BQ {c.get('min_baseq', 13)} "
            f"--max-depth {c.get('max_depth', 250)} --gvcf {depths} {extra}").rstrip()


MPILEUP_ANNOTATE = "FORMAT/AD,FORMAT/DP,FORMAT/QS,FORMAT/SP,INFO/AD"


def filter_chain(config: dict) -> str:
    """workflow/common.smk site_filter_chain(): soft filters, piped as BCF."""
    steps = [f"bcftools filter --mode + --soft-filter {shlex.quote(f['name'])} "
             f"--exclude {shlex.quote(f['expression'])} -Ou -" for f in config["joint"].get("filters", [])]
    return " | ".join(steps) if steps else "bcftools view -Ou -"


def ploidy_option(config: dict, cwd: Path) -> str:
    """--ploidy NAME or --ploidy-file PATH (a path is taken relative to ``cwd``)."""
    ploidy = str(config["reference"].get("ploidy", "GRCh38"))
    if ploidy in ("GRCh37", "GRCh38", "X", "Y", "1"):
        return f"--ploidy {ploidy}"
    path = Path(ploidy) if Path(ploidy).is_absolute() else Path(cwd) / ploidy
    return f"--ploidy-file {shlex.quote(str(path))}"


def joint_call_command(gvcfs: Sequence[str], regions: str, fasta: str, sexes: str, ploidy: str,
                       filters: str, out: str, call_extra: str = "") -> str:
    """workflow/joint.smk rule bcftools_call, for one shard."""
    q = shlex.quote
    files = " ".join(q(g) for g in gvcfs)
    return (f"bcftools merge --gvcf {q(fasta)} --regions-file {q(regions)} -Ou"
            f" --file-list <(printf '%s\\n' {files})"
            f" | bcftools call --multiallelic-caller --variants-only --annotate GQ"
            f" {ploidy} --samples-file {q(sexes)} {call_extra} -Ou"
            f" | bcftools view --targets-file {q(regions)} --targets-overlap 0 -Ou"
            f" | bcftools norm --fasta-ref {q(fasta)} -Ou"
            f" | bcftools view --trim-alt-alleles -Ou"
            f" | bcftools view --exclude 'ALT=\"<*>\"' -Ou"
            f" | {filters}"
            f" | bcftools view -Oz -o {q(out)}"
            f" && tabix -p vcf {q(out)}")


def mpileup_command(cram: str, fasta: str, regions: str, options: str, out: str) -> str:
    """workflow/call.smk rule bcftools_mpileup, for one sample and shard."""
    q = shlex.quote
    return (f"bcftools mpileup --fasta-ref {q(fasta)} --regions-file {q(regions)}"
            f" --annotate {MPILEUP_ANNOTATE} {options}"
            f" -Oz -o {q(out)} {q(cram)} && tabix -p vcf {q(out)}")


# ------------------------------------------------------------------ drift checks
TOOLS = ("bcftools", "samtools", "bwa", "fastp", "mosdepth", "tabix", "freebayes")


def rule_shell(smk_text: str, rule: str) -> str:
    """The shell: command of a rule in a .smk file, its string literals joined (the
    {placeholders} are left as they are)."""
    import ast

    lines = smk_text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"(rule|checkpoint) {re.escape(rule)}:", line))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\S", lines[i])), len(lines))
    body = lines[start + 1:end]
    at = next(i for i, line in enumerate(body) if line.strip() == "shell:")
    literal = []
    for line in body[at + 1:]:
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= 4:
            break
        if stripped and not stripped.startswith("#"):
            literal.append(stripped)
    return ast.literal_eval("(" + "\n".join(literal) + ")")


def command_signature(command: str) -> dict[tuple[str, str], set[str]]:
    """{(tool, subcommand): option flags} of every known tool invoked in a command line
    (pipes, &&, ;, subshells); placeholders and file names are ignored."""
    out: dict[tuple[str, str], set[str]] = {}
    for segment in re.split(r"\|\||&&|\||;|\(|\)|\bthen\b|\bfi\b", command):
        words = segment.split()
        if not words or words[0] not in TOOLS:
            continue
        tool = words[0]
        sub = words[1] if len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]) and tool in ("bcftools", "samtools", "bwa") else ""
        flags = {w.split("=", 1)[0] for w in words[1:] if re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", w)}
        out.setdefault((tool, sub), set()).update(flags)
    return out
