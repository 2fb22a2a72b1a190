#!/usr/bin/env python3
"""Scaling with cohort size, in one run: joint genotyping of N = 4, 8, 16, 32 and 128
generated samples by each path (bcftools on the full gVCFs, as before; bcftools on the
compact gVCFs, the pipeline now; the hail cohort store), adding 1 and 8 samples to a
cohort of 32 and of 128 against rebuilding it, and the gVCF's size in its three forms.

The cohort (``scaling_data.py``), seeded: a random 200 kb genome (two autosomes), shared
(U-shaped frequency spectrum) and private SNVs and 1-6 bp indels for 136 distinct diploid
genomes (every sample its own haplotypes, alternately female and male), 2 x 150 bp reads
at 30x with the demo generator's error model (``refcohort.demo.reads``), aligned with the
pipeline's bwa | fixmate | sort chain, then per sample, timed: the full gVCF
(``call.BCFTOOLS_MPILEUP_FULL``), the compact gVCF (rule bcftools_mpileup:
``call.BCFTOOLS_MPILEUP``) and the Hail-ready gVCF made from it (rule bcftools_call_gvcf).
Samples are made ``--cores`` at a time (~3.5 s of CPU each). Joint genotyping runs on the
gVCFs repeated ``--tile`` (12) times as renamed contigs (2.4 Mb, the demo's size), with
4 interval shards, ``--cores`` shard jobs at a time; every command is the workflow's own
template (``scaling_jobs.py``):

* bcftools (full, compact): rule bcftools_call_cohort per shard + bcftools_concat_cohort;
* hail: rule hail_update_cohort from an empty store with the N samples (the combine),
  then per shard hail_export_shard + bcftools_filter_hail_shard (1 Spark thread each;
  the rule declares 2) + the concat (the export).

Measured for each: wall, CPU (the kernel's for the process tree, or the sampled CPU of
its processes where larger: pyspark's JVM is never waited for), peak memory (summed RSS
of a job's process tree, every 50 ms: per shard job and for the combine), bytes in/out.
Per-sample cost = cost / N; its ratio largest N / smallest N is the target (<= 1.2 on the
better path); each path's cost is also fitted as fixed + per-sample x N.

Adding k samples to a cohort of N (``--add-to 32,128 --adds 1,8``): hail = ``update`` of
a copy of the N-sample store with the N+k samples (one new batch; old batches untouched),
timed, with the bytes it writes into the store (new or changed files) against the store's
size, then the shards exported from the now two-batch store; against a rebuild = a fresh
update of all N+k. bcftools (compact) = the re-joint-call of all N+k (adding is
rebuilding there).

The gVCF forms: bytes and records per Mb per sample, CPU to make, scaled to a 2,900 Mb
genome; the joint calls of each path at N=16 against the full-gVCF path's (records,
genotypes) and against the generated truth (refcohort.compare, scoring.py); the full
gVCF's anatomy.

Prints the tables; appends rows to ``benchmarks/results/scaling.tsv`` (per path and N),
``scaling_summary.tsv`` (per path), ``scaling_adds.tsv`` (per path, N and k),
``gvcf_size.tsv`` (per form). Asserts nothing.

    python benchmarks/bench_scaling.py [--max-n 128] [--quick] [--paths full,compact,hail]

Default: ~30 min on 2 otherwise idle cores, estimated from its parts' measured times
(generation ~4 min; bcftools full ~5 min, most of it N=128; bcftools compact ~1 min; hail
~20 min: every Spark start costs ~20-30 s of CPU, 13 updates and 36 shard exports).
``--quick``: N = 4, 8 on a 60 kb genome x 2, one sample added to the cohort of 4 (~5 min,
measured). Needs ``make hail`` for the hail path (or ``--paths full,compact``).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import benchlib as bl
import gvcf_forms as gf
import numpy as np
import scaling_calc as calc
import scaling_data as sd
import scaling_jobs as jobs
import scaling_paths as paths
import scaling_report as report
from floor import joint_params
from scoring import f1_by_type

from refcohort.commands import call
from refcohort.demo.genome import write_fasta

SHARDS = 4
PATHS = ("full", "compact", "hail")
FORMS = (("full", "gvcfs"), ("compact", "compact"), ("hail-ready", "hail"))
OUT = ("gvcf", "compact", "hail")  # the folders of the three forms


# ------------------------------------------------------------------ the cohort
def make_cohort(a, work: Path, n_total: int, mp: dict, bands: str) -> SimpleNamespace:
    """Genome, variants, truth, shards over the tiled genome; each sample's reads,
    alignment and three gVCF forms, timed, and their tiled copies."""
    c = SimpleNamespace(work=work)
    for sub in ("reads", "bam", *OUT, *(f"tiled/{f}" for f in OUT)):
        (work / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    c.genome = genome = sd.make_genome(rng, a.genome_kb * 1000)
    c.ref = str(work / "genome.fa")
    write_fasta(Path(c.ref), genome, index=False)
    subprocess.run(
        f"samtools faidx {c.ref} && bwa index {c.ref} 2>/dev/null", shell=True, check=True
    )
    c.sites = sd.make_variants(rng, genome, n_total)
    c.names = [f"G{i + 1:03d}" for i in range(n_total)]
    c.sexes = [calc.sex_of(i) for i in range(n_total)]
    truth = work / "truth.vcf.gz"
    sd.write_truth(truth, genome, c.sites, c.names)
    genome_bed = work / "genome.bed"
    genome_bed.write_text("".join(f"{k}\t0\t{s.size}\n" for k, s in genome.items()))
    c.mb = sum(s.size for s in genome.values()) / 1e6
    c.tiled_ref = str(work / "tiled" / "genome.fa")
    sd.tile_reference(genome, a.tile, Path(c.tiled_ref))
    tiled_genome = {sd.tile_name(k, g): seq for k in range(a.tile) for g, seq in genome.items()}
    c.shards = sd.shard_beds(tiled_genome, work / "shards", SHARDS)
    c.first_copy = work / "tiled" / "copy1.bed"
    c.first_copy.write_text(
        "".join(f"{sd.tile_name(0, g)}\t0\t{s.size}\n" for g, s in genome.items())
    )
    c.tiled_truth = str(work / "tiled" / "truth.vcf.gz")
    sd.tile_vcf(str(truth), c.tiled_truth, genome, 1)
    c.freeze_line = work / "freeze.header"
    c.freeze_line.write_text(jobs.FREEZE_LINE + "\n")

    def make_sample(i: int) -> dict:
        name, sex = c.names[i], c.sexes[i]
        r = np.random.default_rng(a.seed * 1000 + i)
        haps = [
            sd.haplotype(genome[g], [s for s in c.sites if s["contig"] == g], i, k)
            for g in genome
            for k in (0, 1)
        ]
        fq1, fq2 = work / "reads" / f"{name}_R1.fastq.gz", work / "reads" / f"{name}_R2.fastq.gz"
        sd.write_reads(fq1, fq2, haps, a.coverage, r, name)
        bam = str(work / "bam" / f"{name}.bam")
        log = work / "gvcf" / f"{name}.log"
        bl.run_timed(jobs.align_command(name, fq1, fq2, c.ref, bam), log=log)
        out = {f: str(work / f / f"{name}.g.vcf.gz") for f in OUT}
        regions = str(genome_bed)
        t = {
            "full": bl.run_timed(
                jobs.mpileup_command(
                    call.BCFTOOLS_MPILEUP_FULL, bam, c.ref, regions, mp, out["gvcf"]
                ),
                log=log,
            ),
            "compact": bl.run_timed(
                jobs.mpileup_command(
                    call.BCFTOOLS_MPILEUP, bam, c.ref, regions, mp, out["compact"]
                ),
                log=log,
            ),
        }
        hail_cmd = jobs.hail_gvcf_command(name, sex, out["compact"], out["hail"], bands)
        t["hail-ready"] = bl.run_timed(hail_cmd, log=log)
        for form, path in out.items():
            sd.tile_vcf(path, str(work / "tiled" / form / f"{name}.g.vcf.gz"), genome, a.tile)
        if not a.keep:
            for path in (fq1, fq2, Path(bam), Path(bam + ".bai")):
                path.unlink(missing_ok=True)
        return {
            "full": t["full"].cpu,
            "compact": t["compact"].cpu,
            "hail-ready": t["compact"].cpu + t["hail-ready"].cpu,
        }

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.cores) as pool:
        c.make_cpu = list(pool.map(make_sample, range(n_total)))
    c.gvcfs, c.compact, c.hail = ([str(work / f / f"{n}.g.vcf.gz") for n in c.names] for f in OUT)
    c.tiled_gvcf, c.tiled_compact, c.tiled_hail = (
        [str(work / "tiled" / f / f"{n}.g.vcf.gz") for n in c.names] for f in OUT
    )
    print(
        f"generated {n_total} distinct samples ({len(c.sites)} variant sites), aligned, three "
        f"gVCF forms each, tiled: {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return c


# ------------------------------------------------------------------ the gVCF forms
def forms(a, c, rows: dict[str, list[dict]], compare_n: int) -> tuple[list[dict], list[str]]:
    """Size, records and make-CPU of each gVCF form over all samples; the joint calls of
    each path at compare_n against the full path's and the truth."""
    n_all = len(c.names)
    joint = {p: next((r for r in rs if r["n"] == compare_n), None) for p, rs in rows.items()}
    base = joint.get("full")
    base_records = gf.joint_records(base["cohort"]) if base else None
    out, notes = [], []
    for (form, attr), path in zip(FORMS, PATHS):
        files = getattr(c, attr)
        size = sum(os.path.getsize(f) for f in files) / n_all
        starts = c.starts.get(path) or {
            n: gf.record_starts(Path(f)) for n, f in zip(c.names, files)
        }
        records = sum(len(s) for s in starts.values()) / n_all
        cpu = sum(m[form] for m in c.make_cpu) / n_all
        row = {
            "form": form,
            "samples": n_all,
            "mb_per_mb_per_sample": size / 1e6 / c.mb,
            "records_per_mb": records / c.mb,
            "gb_per_genome": calc.per_genome(size, c.mb),
            "make_cpu_s_per_mb": cpu / c.mb,
            "joint_path": path,
            "joint_n": compare_n,
        }
        r = joint.get(path)
        if r:
            records_j = gf.joint_records(r["cohort"])
            row["joint_cpu_s"] = r["cpu_s"]
            row["joint_records"] = len(records_j)
            if base_records is not None:
                row["joint_records_differ"] = len(set(records_j) ^ set(base_records))
                if path != "full":
                    notes.append(report.change_note(path, records_j, base_records, compare_n))
            f1 = first_copy_f1(c, r["cohort"], compare_n)
            row.update(snv_f1=f1.get("SNV", math.nan), indel_f1=f1.get("INDEL", math.nan))
        out.append(row)
    return out, notes


def first_copy_f1(c, cohort: str, n: int) -> dict[str, float]:
    """F1 per type of the first n samples' calls on the first copy of the tiled genome."""
    first = cohort.replace(".vcf.gz", ".copy1.vcf.gz")
    subprocess.run(
        f"bcftools view -R {c.first_copy} -Oz -o {first} {cohort} && tabix -f -p vcf {first}",
        shell=True,
        check=True,
    )
    return f1_by_type(first, c.tiled_truth, c.tiled_ref, c.names[:n])


# ------------------------------------------------------------------ main
def parse(argv: list[str] | None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=128, help="the largest cohort")
    ap.add_argument("--sizes", default=None, help="cohort sizes (default 4,8,16,32 + --max-n)")
    ap.add_argument("--add-to", default="32,128", help="cohorts that samples are added to")
    ap.add_argument("--adds", default="1,8", help="samples added")
    ap.add_argument("--paths", default=",".join(PATHS), help="of full, compact, hail")
    ap.add_argument("--genome-kb", type=int, default=200, help="the generated genome")
    ap.add_argument("--tile", type=int, default=12, help="joint genotyping on the gVCFs x this")
    ap.add_argument("--coverage", type=float, default=30.0)
    ap.add_argument("--compare-n", type=int, default=16, help="N of the joint-call comparison")
    ap.add_argument("--hail-mem-mb", type=int, default=4000, help="per Hail job (resources)")
    ap.add_argument("--hail-threads", type=int, default=1, help="Spark threads per export")
    ap.add_argument("--max-batches", type=int, default=None, help="default: config's")
    ap.add_argument("--hail-timeout", type=int, default=600, help="s per Hail job (0: none)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "scaling"))
    ap.add_argument(
        "--demo-gvcf",
        default=str(bl.RESULTS / "work" / "overhead" / "pipeline" / "results" / "gvcf"),
        help="the pipeline's demo gVCFs, measured too if present (bench_overhead.py)",
    )
    ap.add_argument("--quick", action="store_true", help="N = 4, 8 on 60 kb x 2; +1 to 4")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the reads and BAMs")
    a = ap.parse_args(argv)
    if a.quick:
        a.max_n, a.sizes, a.add_to, a.adds, a.genome_kb, a.tile = 8, "4", "4", "1", 60, 2
    a.paths = [p for p in PATHS if p in a.paths.split(",")]
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse(argv)
    sizes = calc.cohort_sizes(a.sizes, a.max_n)
    plan = calc.add_plan(a.add_to, a.adds, sizes)
    n_total = calc.samples_needed(sizes, plan)
    compare_n = max([n for n in sizes if n <= a.compare_n] or sizes[:1])
    if "hail" in a.paths and not jobs.HAIL_PYTHON.exists():
        sys.exit(f"{jobs.HAIL_PYTHON} is missing: run `make hail`, or --paths full,compact")
    work = Path(a.workdir).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ["PATH"] = f"{bl.BIN}:{os.environ['PATH']}"
    config = bl.pipeline_config()
    if a.max_batches is None:
        a.max_batches = int(config["joint"]["hail"]["max_batches"])
    mp = call.mpileup_params(config["calling"])
    params = joint_params(config, call.ploidy_option("GRCh38"))
    print(
        f"scaling: N = {', '.join(map(str, sizes))}; adds {plan}; paths {', '.join(a.paths)}; "
        f"{a.genome_kb} kb generated genome at {a.coverage:g}x, joint genotyping on it x "
        f"{a.tile} ({a.genome_kb * a.tile / 1000:g} Mb); --cores {a.cores} on {bl.machine()}; "
        f"{bl.tool_versions(['bwa', 'samtools', 'bcftools'])}",
        flush=True,
    )
    c = make_cohort(a, work, n_total, mp, call.gvcf_bands(config["calling"]))
    c.starts = {
        p: {n: gf.record_starts(Path(f)) for n, f in zip(c.names, getattr(c, attr))}
        for p, attr in (("full", "gvcfs"), ("compact", "compact"))
    }
    load = bl.load_average()
    started = time.perf_counter()
    rows = {p: paths.scale(a, c, p, sizes, params) for p in a.paths}
    summaries = [calc.path_summary(p, rs) for p, rs in rows.items()]
    add_rows = [
        r for p in a.paths if p != "full" for r in paths.adds(a, c, p, plan, rows[p], params)
    ]
    report.print_scaling(a, c, rows, load)
    report.print_summary(summaries)
    report.print_adds(add_rows)
    report.print_anatomy(a, c)
    form_rows, notes = forms(a, c, rows, compare_n)
    report.print_forms(a, c, form_rows, notes, report.demo_note(Path(a.demo_gvcf)))
    print(f"joint genotyping, adds and rebuilds: {bl.seconds(time.perf_counter() - started)}")
    if not a.no_write:
        report.write_results(a, rows, summaries, add_rows, form_rows, load)
    return 0


if __name__ == "__main__":
    sys.exit(main())
