#!/usr/bin/env python3
"""Accuracy per caller: every caller that runs here, on the same alignments, scored with
the pipeline's own scoring (refcohort.compare, as scripts/compare_calls.py).

* **bcftools** (the pipeline's engine): the pipeline's joint VCF.
* **freebayes** (``/usr/bin/freebayes``, a comparison, not part of the pipeline): run on
  the pipeline's own CRAMs (so only the caller differs), jointly over the same samples,
  default settings with the demo's sex-aware ploidy (``--cnv-map`` from the ploidy
  file: males haploid on chrX outside the PARs and on chrY; females 0 copies of chrY),
  restricted to the scored regions (``--targets``), per interval shard, as many at once
  as there are cores; records with ``QUAL < 20`` get FILTER ``LowQual`` (the threshold
  freebayes' documentation suggests), complex and MNP alleles are split into primitives
  (``bcftools norm --atomize``) before scoring.

Data:

1. **NA12878** (real HiSeq reads, GIAB truth: ``../shared/data/na12878_chr20``, see
   its README): the pipeline as ``make validate ENGINE=bcftools`` runs it
   (``scripts/make_validation_config.py``, a one-sample cohort in a scratch directory),
   then freebayes on its CRAM. Scored inside the GIAB confident BED (49 truth variants:
   small, a single error moves SNV recall by 0.02), and over the 100 kb window the reads
   cover (not all confident sequence: precision there is pessimistic).
2. **demo** (generated truth, ``resources/demo/truth.tsv`` and ``callable.bed``): the
   samples the QC gate let into joint calling, from the demo run of
   ``benchmarks/bench_overhead.py`` in the same ``make bench`` (or, if it is not there, a run
   of the pipeline on the demo made here); TP/FP/FN summed over the samples.

Prints the table, appends one row per data set x region x caller x type to
``benchmarks/results/accuracy.tsv``. It prints figures; it asserts nothing.

    python benchmarks/bench_accuracy.py [--shared ../shared/data] [--demo-run DIR] [--quick]
                                        [--workdir DIR] [--no-write]

``--quick``: NA12878 as above (it is small), and the demo from ``bench_overhead.py --quick``'s
run (4 samples, 8% of the reads) or one made here the same way.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import benchlib as bl
from demo_run import absolute, describe_run, read_run
from scoring import pooled, score

from refcohort.intervals import intersect_interval
from refcohort.io import Interval, read_bed, read_tsv, write_bed
from refcohort.sheets import CALL_SEX_CODE

RESULTS = bl.RESULTS / "accuracy.tsv"
COLUMNS = (
    "date machine data region caller type samples truth tp fp fn precision recall f1"
    " genotype_concordance caller_cpu_s"
).split()
NA12878 = "na12878_chr20"
FREEBAYES_MIN_QUAL = 20
q = shlex.quote


def cnv_map(ploidy_file: Path, sexes: dict[str, str], lengths: dict[str, int]) -> str:
    """freebayes --cnv-map lines (seq start end sample copies, 0-based) from a bcftools
    ploidy file (CHROM FROM TO SEX PLOIDY, 1-based; '*' lines are the default, 2)."""
    lines = []
    for raw in ploidy_file.read_text().splitlines():
        fields = raw.split()
        if not fields or raw.startswith("#") or fields[0] == "*" or len(fields) != 5:
            continue
        chrom, start, end, sex, copies = fields
        if chrom not in lengths:
            continue
        stop = min(int(end), lengths[chrom])
        for sample, s in sexes.items():
            if s == sex and int(copies) != 2:
                lines.append(f"{chrom}\t{int(start) - 1}\t{stop}\t{sample}\t{copies}")
    return "\n".join(lines) + ("\n" if lines else "")


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Intervals covered by both BEDs (0-based, half-open), in a's order (freebayes writes
    its calls in the order of its targets)."""
    return [piece for interval in a for piece in intersect_interval(interval, b)]


def freebayes(
    crams: list[str],
    fasta: str,
    regions: list[str],
    targets: str,
    out: Path,
    cores: int,
    cnv: str | None = None,
) -> bl.Timed:
    """freebayes per region BED (intersected with ``targets``), ``cores`` at a time, then
    concat, LowQual soft filter and atomised alleles; returns the time of the whole step."""
    work = out.parent / (out.name + ".parts")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cnv_opt = ""
    if cnv:
        (work / "cnv.bed").write_text(cnv)
        cnv_opt = f"--cnv-map {q(str(work / 'cnv.bed'))}"
    parts = []
    for i, region in enumerate(regions):
        bed = work / f"{i}.bed"
        write_bed(bed, intersect(read_bed(region), read_bed(targets)))
        part = work / f"{i}.vcf"
        parts.append(str(part))
        (work / f"{i}.sh").write_text(
            f"set -eo pipefail\nfreebayes -f {q(fasta)} --targets {q(str(bed))} {cnv_opt} "
            f"{' '.join(q(c) for c in crams)} > {q(str(part))}\n"
        )
    low_qual = f"--soft-filter LowQual --exclude 'QUAL<{FREEBAYES_MIN_QUAL}'"
    cmd = (
        f"ls {q(str(work))}/*.sh | xargs -P {cores} -n 1 bash"
        f" && bcftools concat {' '.join(q(p) for p in parts)} -Ou"
        f" | bcftools sort -Ou -T {q(str(work / 'sort'))}"
        f" | bcftools filter --mode + {low_qual} -Ou"
        f" | bcftools norm --fasta-ref {q(fasta)} --atomize -Oz -o {q(str(out))}"
        f" && tabix -p vcf {q(str(out))}"
    )
    return bl.run_timed(cmd, log=out.parent / (out.name + ".log"))


def snakemake_cmd(workflow: Path, directory: Path, configfiles: list[Path], cores: int) -> list:
    """The pipeline in ``directory`` (plain Snakemake, the default workflow profile)."""
    return [
        str(bl.BIN / "snakemake"),
        "--snakefile",
        str(workflow / "Snakefile"),
        "--directory",
        str(directory),
        "--cores",
        str(cores),
        "--workflow-profile",
        str(workflow / "profiles" / "default"),
        "--configfile",
        *[str(c) for c in configfiles],
    ]


def na12878(a, data: Path, workflow: Path, work: Path, env: dict) -> list[tuple]:
    """The pipeline as `make validate ENGINE=bcftools` runs it, then freebayes on its
    CRAM; both scored in the confident BED and over the read window."""
    run = work / "na12878"
    shutil.rmtree(run, ignore_errors=True)
    config = [str(bl.BIN / "python"), str(workflow / "scripts" / "make_validation_config.py")]
    config += [str(run), "--data", str(data), "--engine", "bcftools"]
    subprocess.run(config, check=True, env=env)
    cmd = snakemake_cmd(workflow, run, [run / "config.yaml"], a.cores)
    t = bl.run_timed(cmd, log=work / "na12878.log", env=env)
    print(f"NA12878 through the pipeline: {bl.seconds(t.wall)}", flush=True)
    fasta = str(run / "results" / "reference" / "genome.fa")
    stem = "test_nist.b37_chr20_100kbp_at_10mb.chr20_9995001_11095000"
    truth, confident = str(data / f"{stem}.vcf.gz"), str(data / f"{stem}.bed")
    window = str(data / "reads_region.chr20_10.0-10.1Mb.chr20_9995001_11095000.bed")
    cram = str(run / "results" / "align" / "NA12878.cram")
    fb_out = work / "na12878.freebayes.vcf.gz"
    fb = freebayes([cram], fasta, [window], window, fb_out, 1)
    calls = {
        "bcftools": (str(run / "results" / "joint" / "cohort.vcf.gz"), None),
        "freebayes": (str(fb_out), fb.cpu),
    }
    results = []
    for region, bed in (("confident BED", confident), ("100 kb read window", window)):
        for caller, (vcf, cpu) in calls.items():
            rows = score(truth, vcf, fasta, bed, "INTEGRATION", "NA12878")
            results.append(("NA12878", region, caller, 1, pooled([rows]), cpu))
    pipeline_tsv = run / "results" / "eval" / "NA12878.accuracy.tsv"
    if pipeline_tsv.exists():  # the pipeline's own scoring, for the record
        print(
            f"(the pipeline's own results/eval/NA12878.accuracy.tsv agrees: "
            f"{_agrees(pipeline_tsv, results[0][4])})"
        )
    return results


def demo_run(a, workflow: Path, work: Path, env: dict) -> Path:
    """A pipeline run of the demo: --demo-run's, else one made here (kept for reruns)."""
    run = Path(a.demo_run).resolve()
    if (run / "results" / "joint" / "cohort.vcf.gz").exists():
        return run
    run = work / "demo"
    if not (run / "results" / "joint" / "cohort.vcf.gz").exists():
        demo = Path(a.demo) if Path(a.demo).is_absolute() else bl.ROOT / a.demo
        quick = work / "quick_demo" if a.quick else None
        configs = describe_run(run, demo.resolve(), workflow, quick)
        print(f"demo: no pipeline run found; running the pipeline in {run}", flush=True)
        cmd = snakemake_cmd(workflow, run, configs, a.cores)
        bl.run_timed(cmd, log=work / "demo.log", env=env)
    return run


def demo(a, run: Path, workflow: Path, work: Path) -> tuple[list[tuple], list[str]]:
    """freebayes on the demo run's CRAMs of the samples in its joint calls; both callers
    scored per sample against the generated truth, pooled. Returns (results, samples)."""
    described = read_run(run)
    gate = read_tsv(run / "results" / "qc" / "sample_qc.tsv")
    joint = [g["sample"] for g in gate if g.get("joint_calling") == "included"]
    truth_rows = {t["sample"]: t for t in read_tsv(described["truth"])}
    samples = {s["sample"]: s.get("sex", "") for s in read_tsv(described["samples"])}
    fasta = str(run / "results" / "reference" / "genome.fa")
    lengths = {c: int(n) for c, n, *_ in (line.split("\t") for line in read_lines(fasta + ".fai"))}
    config = bl.pipeline_config(*described["configfiles"], workflow=workflow)
    ploidy = config["reference"].get("ploidy", "GRCh38")
    cnv = None
    ploidy_path = Path(ploidy) if Path(ploidy).is_absolute() else run / ploidy
    if ploidy_path.is_file():
        sexes = {s: CALL_SEX_CODE.get(samples.get(s, ""), "F") for s in joint}
        cnv = cnv_map(ploidy_path, sexes, lengths)
    scored = [s for s in joint if s in truth_rows]
    targets = sorted({absolute(truth_rows[s]["bed"], run) for s in scored})[0]
    shards = sorted(str(p) for p in (run / "results" / "reference" / "intervals").glob("*.bed"))
    crams = [str(run / "results" / "align" / f"{s}.cram") for s in joint]
    fb_out = work / "demo.freebayes.vcf.gz"
    fb = freebayes(crams, fasta, shards, targets, fb_out, a.cores, cnv)
    print(
        f"freebayes on the demo ({len(joint)} samples): {bl.seconds(fb.wall)} wall, "
        f"{fb.cpu:.0f} s CPU",
        flush=True,
    )
    cohort = str(run / "results" / "joint" / "cohort.vcf.gz")
    results = []
    for caller, vcf, cpu in (("bcftools", cohort, None), ("freebayes", str(fb_out), fb.cpu)):
        rows = []
        for s in scored:
            t = truth_rows[s]
            truth, bed = absolute(t["vcf"], run), absolute(t["bed"], run)
            rows.append(score(truth, vcf, fasta, bed, t.get("truth_sample") or s, s))
        results.append(("demo", "callable.bed", caller, len(scored), pooled(rows), cpu))
    return results, joint


def read_lines(path: str) -> list[str]:
    return Path(path).read_text().splitlines()


def report(results: list[tuple], joint: list[str]) -> list[dict]:
    """Print the table; returns its rows for accuracy.tsv."""
    print()
    print(
        "Accuracy per caller (same alignments; scripts/compare_calls.py: normalised, "
        "allele-level match; PASS records only)"
    )
    table_rows, out_rows = [], []
    for data_name, region, caller, n, by_type, cpu in results:
        for vtype in ("SNV", "INDEL"):
            r = by_type.get(vtype)
            if not r:
                continue
            figures = [r["truth"], r["tp"], r["fp"], r["fn"]]
            shown = [_f(r[k]) for k in ("precision", "recall", "f1", "genotype_concordance")]
            table_rows.append([data_name, region, caller, n, vtype.lower(), *figures, *shown])
            out_rows.append(
                {
                    "data": data_name,
                    "region": region,
                    "caller": caller,
                    "type": vtype,
                    "samples": n,
                    **{k: r[k] for k in ("truth", "tp", "fp", "fn")},
                    **{k: round(r[k], 4) for k in ("precision", "recall", "f1")},
                    "genotype_concordance": round(r["genotype_concordance"], 4),
                    "caller_cpu_s": round(cpu, 1) if cpu is not None else "",
                }
            )
    headers = ["data", "region", "caller", "samples", "type", "truth", "TP", "FP", "FN"]
    headers += ["precision", "recall", "F1", "GT conc."]
    print(bl.table(headers, table_rows, "lllrlrrrrrrrr"))
    print(
        f"freebayes: default settings, FILTER LowQual where QUAL < {FREEBAYES_MIN_QUAL}, alleles "
        f"atomised; on the demo it is given the samples the gate let in ({', '.join(joint)}), "
        f"their CRAMs and the demo's ploidy; bcftools' figures are the pipeline's joint VCF."
    )
    return out_rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(bl.ROOT.parent / "shared" / "data"))
    ap.add_argument("--demo", default="resources/demo")
    ap.add_argument(
        "--demo-run",
        default=str(bl.RESULTS / "work" / "overhead" / "pipeline"),
        help="a pipeline run of the demo (bench_overhead.py's); made here when it has none",
    )
    ap.add_argument("--workflow", default=str(bl.ROOT))
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "accuracy"))
    ap.add_argument(
        "--quick", action="store_true", help="the demo at 4 samples and 8%% of the reads"
    )
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args(argv)
    workflow = Path(a.workflow).resolve()
    work = Path(a.workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{bl.BIN}:{os.environ['PATH']}"}
    os.environ["PATH"] = env["PATH"]
    tools = bl.tool_versions(["bcftools", "freebayes", "bwa", "samtools"])
    print(f"accuracy: {bl.machine()}; {tools}", flush=True)
    results = []  # (data, region, caller, samples, pooled-by-type, cpu)
    data = Path(a.shared) / NA12878
    if data.is_dir():
        results += na12878(a, data, workflow, work, env)
    else:
        print(
            f"accuracy: {data} not found; NA12878 skipped (see ../shared/data/README.md)",
            file=sys.stderr,
        )
    demo_results, joint = demo(a, demo_run(a, workflow, work, env), workflow, work)
    out_rows = report(results + demo_results, joint)
    if not a.no_write:
        date, mach = bl.now(), bl.machine()
        for row in out_rows:
            bl.append_row(RESULTS, COLUMNS, {"date": date, "machine": mach, **row})
        print(f"appended to {RESULTS.relative_to(bl.ROOT)}")
    return 0


def _f(x: float) -> str:
    return "nan" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4f}"


def _agrees(tsv: Path, mine: dict[str, dict]) -> str:
    rows = {r["type"]: r for r in read_tsv(tsv)}
    same = all(
        int(rows[t]["tp"]) == mine[t]["tp"]
        and int(rows[t]["fp"]) == mine[t]["fp"]
        and int(rows[t]["fn"]) == mine[t]["fn"]
        for t in ("SNV", "INDEL")
        if t in rows and t in mine
    )
    return "yes" if same else "NO (see the TSV)"


if __name__ == "__main__":
    sys.exit(main())
