"""A demo run directory for the harnesses (bench_overhead.py makes it, bench_accuracy.py
reads it): the demo's sheets, or with ``--quick`` a subset of them (the first samples,
a fraction of their reads), and ``bench_run.json``, the record of what the run used
(configfiles, sheets) that the other harnesses read back.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from refcohort.io import read_tsv, write_tsv
from refcohort.sheets import ALIGNED_KINDS, unit_kind, unit_kinds

QUICK_SAMPLES = 4
QUICK_FRACTION = 0.08
q = shlex.quote


def checked_kind(row: dict) -> str:
    """'fastq' for an fq1+fq2 row, else the one of cram/bam/ubam it names; ValueError
    for a row that is neither (the harness stops there, before anything runs)."""
    kinds = unit_kinds(row)
    if len(kinds) != 1 or (kinds == ["fastq"] and not (row.get("fq1") and row.get("fq2"))):
        raise ValueError(
            f"unit {row.get('sample')}.{row.get('unit')}: give fq1+fq2 or exactly one of "
            f"{', '.join(ALIGNED_KINDS)}"
        )
    return unit_kind(row)


def absolute(path: str, base: Path) -> str:
    """A sheet's path as an absolute one (relative paths are taken from ``base``)."""
    return path if not path or os.path.isabs(path) else str((base / path).resolve())


def _subsample(row: dict, base: Path, stem: Path, fraction: float) -> None:
    """Point a unit row at ``fraction`` of its reads, written beside ``stem`` (FASTQ: the
    first records; cram/bam/ubam: samtools view --subsample, pairs kept together)."""
    kind = checked_kind(row)
    if kind == "fastq":
        r1, r2 = absolute(row["fq1"], base), absolute(row["fq2"], base)
        lines = subprocess.run(
            f"gzip -dc {q(r1)} | wc -l", shell=True, capture_output=True, text=True, check=True
        ).stdout
        keep_lines = max(4, int(int(lines) // 4 * fraction) * 4)
        for col, path in (("fq1", r1), ("fq2", r2)):
            dest = f"{stem}.{col}.fastq.gz"
            subprocess.run(
                f"gzip -dc {q(path)} | head -n {keep_lines} | gzip -1 > {q(dest)}",
                shell=True,
                check=True,
                executable="/bin/bash",
            )
            row[col] = dest
        return
    src = absolute(row[kind], base)
    ext = {"cram": "cram", "bam": "bam", "ubam": "bam"}[kind]
    dest = f"{stem}.{kind}.{ext}"
    fmt = "-C" if kind == "cram" else "-b"
    ref = f"--reference {q(absolute(row['input_reference'], base))}" if kind == "cram" else ""
    subprocess.run(
        f"samtools view {fmt} {ref} --subsample {fraction} --subsample-seed 1 -o {q(dest)} "
        f"{q(src)}",
        shell=True,
        check=True,
    )
    row[kind] = dest
    if kind == "cram" and row.get("input_reference"):
        row["input_reference"] = absolute(row["input_reference"], base)


def make_quick_demo(
    demo: Path, base: Path, out: Path, n_samples: int, fraction: float
) -> tuple[Path, Path, Path]:
    """samples/units/truth sheets of the first n samples with `fraction` of their reads,
    and the config override that names them (every sample forced through the gate)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "reads").mkdir(parents=True)
    samples = read_tsv(demo / "samples.tsv")[:n_samples]
    keep = {s["sample"] for s in samples}
    all_units = read_tsv(demo / "units.tsv")
    header = list(all_units[0].keys())
    units = [u for u in all_units if u["sample"] in keep]
    for u in units:
        _subsample(u, base, out / "reads" / f"{u['sample']}.{u['unit']}", fraction)
    write_tsv(out / "samples.tsv", list(samples[0].keys()), samples)
    write_tsv(out / "units.tsv", header, units)
    truth_rows = [t for t in read_tsv(demo / "truth.tsv") if t["sample"] in keep]
    for t in truth_rows:
        t.update({c: absolute(t[c], base) for c in ("vcf", "bed") if c in t})
    write_tsv(out / "truth.tsv", list(truth_rows[0].keys()), truth_rows)
    extra = out / "quick.yaml"
    overrides = "".join(
        f"    - {{sample: {s['sample']}, justification: 'benchmark --quick: "
        f"{fraction:.0%} of the reads'}}\n"
        for s in samples
    )
    extra.write_text(
        f"samples: {out / 'samples.tsv'}\nunits: {out / 'units.tsv'}\n"
        f"evaluation:\n  truth: {out / 'truth.tsv'}\nqc:\n  overrides:\n{overrides}"
    )
    return out / "samples.tsv", out / "units.tsv", extra


def describe_run(run: Path, demo: Path, workflow: Path, quick_dir: Path | None) -> list[Path]:
    """Prepare a demo run directory (resources/demo -> the demo folder; with ``quick_dir``
    the --quick subset) and record what it uses in run/bench_run.json (configfiles,
    sheets) for the other harnesses; returns the configfiles to give Snakemake."""
    if run.exists():
        shutil.rmtree(run)
    (run / "resources").mkdir(parents=True)
    (run / "resources" / "demo").symlink_to(demo)
    configfiles = [workflow / "config" / "demo.yaml"]
    sheets = {
        "samples": demo / "samples.tsv",
        "units": demo / "units.tsv",
        "truth": demo / "truth.tsv",
    }
    if quick_dir is not None:
        samples, units, extra = make_quick_demo(demo, run, quick_dir, QUICK_SAMPLES, QUICK_FRACTION)
        configfiles.append(extra)
        sheets = {"samples": samples, "units": units, "truth": quick_dir / "truth.tsv"}
    described = {
        "configfiles": [str(c) for c in configfiles],
        "quick": quick_dir is not None,
        **{k: str(v) for k, v in sheets.items()},
    }
    (run / "bench_run.json").write_text(json.dumps(described, indent=1))
    return configfiles


def read_run(run: Path) -> dict:
    """What describe_run recorded (paths as strings; configfiles as Paths)."""
    described = json.loads((run / "bench_run.json").read_text())
    described["configfiles"] = [Path(c) for c in described["configfiles"]]
    return described
