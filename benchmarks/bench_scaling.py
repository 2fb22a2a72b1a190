#!/usr/bin/env python3
"""Scaling with cohort size: joint genotyping of N = 4, 8, 16, 32 generated samples on
the same genome, and what the per-sample gVCF (the joint caller's input) is made of.

Generates, seeded, a random 250 kb genome (two autosomes), a cohort of 32 diploid
samples with shared (allele frequencies from a U-shaped spectrum) and private SNVs and
1-6 bp indels, and 2 x 150 bp reads at ~30x with the demo generator's error model
(per-cycle Illumina-like qualities falling to the 3' end, worse on R2, 4% of reads with
a Q2 tail; substitutions drawn from the qualities: ``refcohort.demo.reads``;
``benchmarks/scaling_data.py``). Each sample is aligned with the pipeline's BWA-MEM,
fixmate and sort chain (``refcohort.commands.align.BWA_SORT``, on the pairs interleaved;
no fastp; no duplicates are simulated, so no markdup) and gets its gVCF from the
pipeline's own ``bcftools mpileup`` command and options (rule bcftools_mpileup;
config/config.yaml). Then, for each N, the first N samples are joint-genotyped exactly
as rule bcftools_call_cohort does it (``refcohort.commands.call.JOINT_CALL``: ``bcftools
merge --gvcf | call -m | view | norm | view | view | soft filters | view``, per interval
shard, 4 shards, as many at once as there are cores) + ``bcftools concat``, measured:
wall, CPU (kernel, whole tree), peak memory (summed RSS of the process tree, sampled
every 50 ms), bytes on disk (the N gVCFs in, the cohort VCF out), and the records the
merge has to walk (positions where any of the N gVCFs starts a record).

``per-sample cost`` is time / N; the target is N=32's <= 1.2 x N=4's.

The gVCF table (``benchmarks/gvcf_forms.py``): bytes per Mb per sample, records per Mb,
what the bytes are (record kinds: reference blocks, single-site records with no other
allele seen, sites where reads show another allele -- noise or variant; and by field,
each column compressed alone, an approximation of its share of the bgzip size), the size
of a 30x GRCh38-sized genome (x 2,900 Mb of non-N sequence) against GATK's ~5-8 GB gVCF,
and leaner forms measured on the first ``--lean-n`` samples: (1) the same gVCF without
the per-site annotations that neither ``merge --gvcf`` nor ``call -m`` nor the QC reads
(``bcftools annotate -x``); (2) that, with the sites where a single read shows another
base (sequencing errors, nearly half the records at 30x) folded into the surrounding
reference blocks (``fold_noise``, a Python prototype of what mpileup could do itself):
size, records, time to make, joint-genotyping time, and whether the joint calls change
(records and genotypes against the pipeline's form; precision and recall against the
generated truth, scored with the pipeline's refcohort.compare).

Prints the tables, appends one row per N to ``benchmarks/results/scaling.tsv`` and one
row per gVCF form to ``benchmarks/results/gvcf_size.tsv``. It asserts nothing.

    python benchmarks/bench_scaling.py [--sizes 4,8,16,32] [--genome-kb 250] [--quick] ...

``--quick``: N = 2, 4 on a 60 kb genome x 2, lean forms on 4 samples (seconds).
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
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
import scaling_data as sd
import scaling_report as report
from floor import SORT_MEM, joint_params
from scoring import f1_by_type

from refcohort import commands
from refcohort.commands import align, call
from refcohort.demo.genome import write_fasta

SHARDS = 4
q = shlex.quote


# ------------------------------------------------------------------ the commands
def per_sample_command(
    name: str, fq1: Path, fq2: Path, ref: str, bam: str, gvcf: str, genome_bed: str, options: str
) -> str:
    """The pairs interleaved into rule bwa_mem's bwa | fixmate | sort chain, then rule
    bcftools_mpileup's command over the whole genome."""
    pairs = (
        f"paste <(gzip -dc {q(str(fq1))} | paste - - - -) <(gzip -dc {q(str(fq2))} | paste - - - -)"
        " | tr '\\t' '\\n'"
    )
    params = {
        "read_groups": f"-R {align.read_group(name, 'L001', 'ILLUMINA', '')}",
        "bwa_extra": "",
        "sort_mem": SORT_MEM,
    }
    aligned = commands.render(
        align.BWA_SORT, input={"fasta": ref}, output={"bam": bam}, params=params, threads=1
    )
    called = mpileup(bam, ref, genome_bed, options, gvcf)
    return f"{pairs} | {aligned} && samtools index {q(bam)} && {called}"


def mpileup(bam: str, ref: str, regions: str, options: str, gvcf: str) -> str:
    """mpileup's full gVCF (before the pipeline's compact form), which the harness measures
    and derives the leaner forms from."""
    return commands.render(
        call.BCFTOOLS_MPILEUP_FULL,
        input={"fasta": ref, "regions": regions, "cram": bam},
        output={"gvcf": gvcf},
        params={"options": options},
    )


def joint_command(
    gvcfs: list[str],
    shards: list[str],
    ref: str,
    sexes: str,
    params: dict,
    outdir: Path,
    cores: int,
) -> tuple[str, str]:
    """The shard jobs of rule bcftools_call_cohort, `cores` at a time, then
    bcftools_concat_cohort."""
    outdir.mkdir(parents=True, exist_ok=True)
    parts = []
    for shard in shards:
        out = str(outdir / f"{Path(shard).stem}.vcf.gz")
        parts.append(out)
        command = commands.render(
            call.JOINT_CALL,
            input={"gvcfs": gvcfs, "regions": shard, "fasta": ref, "sexes": sexes},
            output={"vcf": out},
            params=params,
        )
        (outdir / f"{Path(shard).stem}.sh").write_text(f"set -eo pipefail\n{command}\n")
    cohort = str(outdir / "cohort.vcf.gz")
    concat = commands.render(call.CONCAT_COHORT, input={"vcfs": parts}, output={"vcf": cohort})
    return f"ls {q(str(outdir))}/*.sh | xargs -P {cores} -n 1 bash && {concat}", cohort


def size_bytes(paths) -> int:
    """Bytes on disk of the files."""
    return sum(os.path.getsize(p) for p in paths)


# ------------------------------------------------------------------ the steps
def make_cohort(a, work: Path, n_max: int, options: str) -> SimpleNamespace:
    """Genome, variants, truth, shards over the tiled genome; each sample's reads,
    alignment, gVCF and tiled gVCF (``cores`` samples at a time)."""
    c = SimpleNamespace(work=work)
    rng = np.random.default_rng(a.seed)
    c.genome = genome = sd.make_genome(rng, a.genome_kb * 1000)
    c.ref = str(work / "genome.fa")
    write_fasta(Path(c.ref), genome, index=False)
    subprocess.run(
        f"samtools faidx {q(c.ref)} && bwa index {q(c.ref)} 2>/dev/null", shell=True, check=True
    )
    c.sites = sd.make_variants(rng, genome, n_max)
    c.names = [f"G{i + 1:03d}" for i in range(n_max)]
    truth = work / "truth.vcf.gz"
    sd.write_truth(truth, genome, c.sites, c.names)
    c.genome_bed = work / "genome.bed"
    c.genome_bed.write_text("".join(f"{k}\t0\t{s.size}\n" for k, s in genome.items()))
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

    def make_sample(i: int) -> tuple[str, bl.Timed]:
        name = c.names[i]
        r = np.random.default_rng(a.seed * 1000 + i)
        haps = [
            sd.haplotype(genome[g], [s for s in c.sites if s["contig"] == g], i, k)
            for g in genome
            for k in (0, 1)
        ]
        fq1, fq2 = work / "reads" / f"{name}_R1.fastq.gz", work / "reads" / f"{name}_R2.fastq.gz"
        sd.write_reads(fq1, fq2, haps, a.coverage, r, name)
        gvcf = str(work / "gvcf" / f"{name}.g.vcf.gz")
        bam = str(work / "bam" / f"{name}.bam")
        cmd = per_sample_command(name, fq1, fq2, c.ref, bam, gvcf, str(c.genome_bed), options)
        timed = bl.run_timed(cmd, log=work / "gvcf" / f"{name}.log")
        sd.tile_vcf(gvcf, str(work / "tiled" / f"{name}.g.vcf.gz"), genome, a.tile)
        return name, timed

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=a.cores) as pool:
        list(pool.map(make_sample, range(n_max)))
    c.gvcfs = [str(work / "gvcf" / f"{n}.g.vcf.gz") for n in c.names]
    c.tiled = [str(work / "tiled" / f"{n}.g.vcf.gz") for n in c.names]
    print(
        f"generated {n_max} samples ({len(c.sites)} variant sites), aligned, called and tiled in "
        f"{time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return c


def sexes_file(c, n: int) -> Path:
    """The first n samples as females (the generated genome has no sex chromosomes)."""
    path = c.work / f"sexes.{n}.txt"
    path.write_text("".join(f"{s}\tF\n" for s in c.names[:n]))
    return path


def joint_scaling(a, c, sizes: list[int], params: dict) -> list[dict]:
    """Joint genotyping of the first N samples' tiled gVCFs, for each N."""
    rows = []
    for n in sizes:
        cmd, cohort = joint_command(
            c.tiled[:n],
            c.shards,
            c.tiled_ref,
            str(sexes_file(c, n)),
            params,
            c.work / f"joint{n}",
            a.cores,
        )
        t = bl.run_timed(cmd, log=c.work / f"joint{n}.log", sample_memory=True)
        merged = len(set().union(*(c.starts[g] for g in c.gvcfs[:n])))
        rows.append(
            {
                "n": n,
                "wall_s": t.wall,
                "cpu_s": t.cpu,
                "peak_rss_mb": t.peak_rss_mb,
                "gvcf_bytes": size_bytes(c.tiled[:n]),
                "vcf_bytes": os.path.getsize(cohort),
                "merged_records": merged * a.tile,
                "wall_per_sample_s": t.wall / n,
                "cpu_per_sample_s": t.cpu / n,
                "gvcf_mb_per_mb_per_sample": size_bytes(c.gvcfs[:n]) / n / 1e6 / c.mb,
            }
        )
        print(
            f"  N={n}: {t.wall:.1f} s wall, {t.cpu:.1f} s CPU, peak {t.peak_rss_mb:.0f} MB",
            flush=True,
        )
    first = rows[0]
    for r in rows:
        r["ratio_cpu_per_sample_vs_first"] = r["cpu_per_sample_s"] / first["cpu_per_sample_s"]
        r["ratio_wall_per_sample_vs_first"] = r["wall_per_sample_s"] / first["wall_per_sample_s"]
    return rows


def lean_forms(a, c, lean_n: int, options: str, bands: list[int], params: dict):
    """The pipeline's gVCF and the two leaner forms of the first lean_n samples: their
    sizes, records and joint calls. Returns (form rows, notes on the changed calls)."""
    work, names = c.work, c.names[:lean_n]
    # the mpileup CPU of the pipeline's form (without the alignment), re-timed on one sample
    bam = str(work / "bam" / f"{names[0]}.bam")
    t_mp = bl.run_timed(
        mpileup(bam, c.ref, str(c.genome_bed), options, str(work / "mp_timing.g.vcf.gz"))
    )
    lean_dir, fold_dir = work / "lean", work / "folded"
    lean_dir.mkdir()
    fold_dir.mkdir()
    lean = [str(lean_dir / f"{n}.g.vcf.gz") for n in names]
    t_lean = [
        bl.run_timed(
            f"bcftools annotate -x {gf.LEAN_DROP} -Oz -o {q(out)} {q(g)} && tabix -p vcf {q(out)}"
        )
        for g, out in zip(c.gvcfs[:lean_n], lean)
    ]
    folded = [str(fold_dir / f"{n}.g.vcf.gz") for n in names]
    t_fold = []
    for g, out in zip(lean, folded):
        c0 = time.process_time()
        gf.fold_file(g, out, bands)
        t_fold.append(time.process_time() - c0)
    lean_cpu = sum(t.cpu for t in t_lean) / lean_n
    forms = [
        ("pipeline (mpileup -g 5,15)", c.gvcfs[:lean_n], 0.0),
        ("without unused annotations", lean, lean_cpu),
        ("... and single-read sites folded into blocks", folded, lean_cpu + sum(t_fold) / lean_n),
    ]
    sexes = sexes_file(c, lean_n)
    base_records = None
    form_rows, change_notes = [], []
    for i, (label, files, extra_cpu) in enumerate(forms):
        tiled_files = []
        for f in files:
            out = str(Path(f).parent / ("tiled." + Path(f).name))
            sd.tile_vcf(f, out, c.genome, a.tile)
            tiled_files.append(out)
        outdir = work / f"lean_joint{i}"
        cmd, cohort = joint_command(
            tiled_files, c.shards, c.tiled_ref, str(sexes), params, outdir, a.cores
        )
        t = bl.run_timed(cmd, log=work / f"lean_joint{i}.log")
        records = gf.joint_records(cohort)
        if base_records is None:
            base_records = records
        differ = len(set(records) ^ set(base_records))
        if i:
            change_notes.append(report.change_note(label, records, base_records, lean_n))
        first_copy_vcf = str(outdir / "copy1.vcf.gz")
        subprocess.run(
            f"bcftools view -R {q(str(c.first_copy))} -Oz -o {q(first_copy_vcf)} {q(cohort)} && "
            f"tabix -p vcf {q(first_copy_vcf)}",
            shell=True,
            check=True,
        )
        f1 = f1_by_type(first_copy_vcf, c.tiled_truth, c.tiled_ref, names)
        n_rec = sum(len(gf.record_starts(Path(f))) for f in files) / lean_n
        size = size_bytes(files) / lean_n
        form_rows.append(
            {
                "form": label,
                "samples": lean_n,
                "mb_per_mb_per_sample": size / 1e6 / c.mb,
                "records_per_mb": n_rec / c.mb,
                "gb_per_30x_genome": size / c.mb * report.GENOME_MB / 1e9,
                "make_cpu_s_per_sample": t_mp.cpu + extra_cpu,
                "joint_n": lean_n,
                "joint_wall_s": t.wall,
                "joint_cpu_s": t.cpu,
                "joint_records_differ": differ,
                "snv_f1": f1.get("SNV", math.nan),
                "indel_f1": f1.get("INDEL", math.nan),
            }
        )
    return form_rows, change_notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="4,8,16,32", help="cohort sizes N")
    ap.add_argument(
        "--genome-kb", type=int, default=200, help="the generated genome (reads, alignment, gVCFs)"
    )
    ap.add_argument(
        "--tile",
        type=int,
        default=12,
        help="joint genotyping runs on the gVCFs repeated this many times as renamed contigs",
    )
    ap.add_argument("--coverage", type=float, default=30.0)
    ap.add_argument("--lean-n", type=int, default=16, help="samples for the leaner gVCF forms")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cores", type=int, default=bl.cores())
    ap.add_argument("--workdir", default=str(bl.RESULTS / "work" / "scaling"))
    ap.add_argument(
        "--demo-gvcf",
        default=str(bl.RESULTS / "work" / "overhead" / "pipeline" / "results" / "gvcf"),
        help="a folder of the pipeline's demo gVCFs to measure too, if present "
        "(bench_overhead.py writes it)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="N = 2, 4 on 60 kb x 2; lean forms on 4 samples"
    )
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the generated reads and BAMs")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.genome_kb, a.lean_n, a.tile = "2,4", 60, 4, 2
    sizes = sorted({int(x) for x in a.sizes.split(",")})
    n_max = max(sizes)
    lean_n = min(a.lean_n, n_max)
    work = Path(a.workdir).resolve()
    if work.exists():
        shutil.rmtree(work)
    for sub in ("reads", "bam", "gvcf", "tiled"):
        (work / sub).mkdir(parents=True)
    os.environ["PATH"] = f"{bl.BIN}:{os.environ['PATH']}"
    config = bl.pipeline_config()
    options = call.mpileup_options(config["calling"])
    params = joint_params(config, call.ploidy_option("GRCh38"))
    bands = [int(b) for b in config["calling"]["gvcf_depth_bands"]]
    print(
        f"scaling: N = {', '.join(map(str, sizes))}; {a.genome_kb} kb generated genome at "
        f"{a.coverage:g}x, joint genotyping on it x {a.tile} ({a.genome_kb * a.tile / 1000:g} Mb); "
        f"--cores {a.cores} on {bl.machine()}; {bl.tool_versions(['bwa', 'samtools', 'bcftools'])}",
        flush=True,
    )

    # 1. the cohort: genome, variants, reads; alignment and gVCFs with the pipeline's commands
    c = make_cohort(a, work, n_max, options)
    # 2. joint genotyping for each N
    c.starts = {g: gf.record_starts(Path(g)) for g in c.gvcfs}
    load = bl.load_average()
    rows = joint_scaling(a, c, sizes, params)
    report.print_scaling(a, c, rows, load)
    # 3. the gVCF: what it is made of, and leaner forms
    report.print_anatomy(a, c)
    form_rows, change_notes = lean_forms(a, c, lean_n, options, bands, params)
    report.print_forms(a, c, lean_n, form_rows, change_notes, report.demo_note(Path(a.demo_gvcf)))
    if not a.no_write:
        report.write_results(a, rows, form_rows, load)
    if not a.keep:
        for sub in ("reads", "bam"):
            shutil.rmtree(work / sub, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
