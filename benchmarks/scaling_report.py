"""The scaling harness's report (bench_scaling.py): the scaling table, the gVCF anatomy,
the gVCF forms, and the rows appended to ``benchmarks/results/scaling.tsv`` and
``gvcf_size.tsv``."""

from __future__ import annotations

import os
from pathlib import Path

import benchlib as bl
import gvcf_forms as gf

RESULTS = bl.RESULTS / "scaling.tsv"
GVCF_RESULTS = bl.RESULTS / "gvcf_size.tsv"
COLUMNS = (
    "date machine cores genome_kb tile coverage n wall_s cpu_s peak_rss_mb gvcf_bytes"
    " vcf_bytes merged_records wall_per_sample_s cpu_per_sample_s"
    " gvcf_mb_per_mb_per_sample ratio_cpu_per_sample_vs_first"
    " ratio_wall_per_sample_vs_first load"
).split()
GVCF_COLUMNS = (
    "date machine form samples genome_kb coverage mb_per_mb_per_sample records_per_mb"
    " gb_per_30x_genome make_cpu_s_per_sample joint_n joint_wall_s joint_cpu_s"
    " joint_records_differ snv_f1 indel_f1"
).split()
GENOME_MB = 2900  # GRCh38 non-N sequence, Mb: per-Mb sizes scaled to a whole genome
KINDS = ("block", "ref site", "other allele seen")


def print_scaling(a, c, rows: list[dict], load: float) -> None:
    """The joint-genotyping table, one line per N."""
    joint_mb = c.mb * a.tile
    first, last = rows[0], rows[-1]
    print()
    print(
        f"Scaling: joint genotyping (rule bcftools_call_cohort x {len(c.shards)} shards, "
        f"{a.cores} at a time, + concat) of N generated samples, {joint_mb:g} Mb "
        f"({a.genome_kb} kb x {a.tile}), {a.coverage:g}x, {a.cores} cores"
    )
    headers = ["N", "wall s", "CPU s", "peak MB", "gVCFs in MB", "VCF out MB", "merged rec./kb"]
    headers += ["wall/sample s", "CPU/sample s", f"CPU/sample vs N={first['n']}"]
    headers += [f"wall/sample vs N={first['n']}"]
    shown = [
        [
            r["n"],
            f"{r['wall_s']:.1f}",
            f"{r['cpu_s']:.1f}",
            f"{r['peak_rss_mb']:.0f}",
            f"{r['gvcf_bytes'] / 1e6:.1f}",
            f"{r['vcf_bytes'] / 1e6:.2f}",
            f"{r['merged_records'] / (joint_mb * 1000):.0f}",
            f"{r['wall_per_sample_s']:.2f}",
            f"{r['cpu_per_sample_s']:.2f}",
            f"{r['ratio_cpu_per_sample_vs_first']:.2f}",
            f"{r['ratio_wall_per_sample_vs_first']:.2f}",
        ]
        for r in rows
    ]
    print(bl.table(headers, shown))
    print(
        f"per-sample cost, N={last['n']} vs N={first['n']}: CPU "
        f"{last['ratio_cpu_per_sample_vs_first']:.2f}x, wall "
        f"{last['ratio_wall_per_sample_vs_first']:.2f}x (target <= 1.2). bcftools merge --gvcf "
        f"writes a record, with all N samples, at every position where any of the N gVCFs "
        f"starts one: {first['merged_records'] / (joint_mb * 1000):.0f}/kb at N={first['n']}, "
        f"{last['merged_records'] / (joint_mb * 1000):.0f}/kb at N={last['n']} (one gVCF alone: "
        f"{len(c.starts[c.gvcfs[0]]) / (c.mb * 1000):.0f}/kb)."
    )
    print(
        f"load average: {load:.2f} before, {bl.load_average():.2f} after (above {a.cores}, wall "
        f"times include waiting for other processes)"
    )


def print_anatomy(a, c) -> None:
    """What the first sample's gVCF is made of: record kinds and fields."""
    count, raw, packed, total = gf.anatomy(Path(c.gvcfs[0]))
    n_records = sum(count[k] for k in KINDS)
    size0 = os.path.getsize(c.gvcfs[0])
    print()
    print(
        f"gVCF anatomy ({c.names[0]}, {a.coverage:g}x, {c.mb * 1000:.0f} kb): {size0 / 1e6:.2f} "
        f"MB bgzipped = {size0 / 1e6 / c.mb:.2f} MB per Mb, {n_records / c.mb:,.0f} records/Mb, "
        f"{total / n_records:.0f} bytes a record before compression"
    )
    kinds_total = sum(packed["kinds"].values())
    headers = ["record kind", "records %", "bytes % (plain)", "bytes % (compressed alone)"]
    shown = [
        [
            k,
            f"{count[k] / n_records:.1%}",
            f"{raw[k] / total:.1%}",
            f"{packed['kinds'].get(k, 0) / kinds_total:.1%}",
            f"{raw[k] / count[k]:.0f}",
        ]
        for k in KINDS
        if count[k]
    ]
    print(bl.table(headers + ["bytes/record (plain)"], shown, "lrrrr"))
    if count["snv site"]:
        print(
            f"of the SNV records where another base is seen, "
            f"{count['snv site, one read'] / count['snv site']:.1%} have it in one read only "
            f"(at {a.coverage:g}x: sequencing errors)"
        )
    fields_total = sum(packed["fields"].values())
    top = sorted(packed["fields"].items(), key=lambda kv: -kv[1])
    shown = [[k, f"{v / fields_total:.1%}"] for k, v in top[:10]]
    shown.append(
        ["the other " + str(len(top) - 10), f"{sum(v for _, v in top[10:]) / fields_total:.1%}"]
    )
    print(bl.table(["field (each compressed alone)", "share"], shown, "lr"))


def change_note(label: str, records: list[str], base_records: list[str], lean_n: int) -> str:
    """How a leaner form's joint calls differ from the pipeline form's."""
    sites, refiltered, changes = gf.genotype_changes(base_records, records)
    top = ", ".join(f"{x} -> {y} at {k}s: {n}" for (x, y, k), n in changes.most_common(4))
    return (
        f"{label}: {len(records):,} joint records ({len(base_records):,} in the pipeline "
        f"form's); {sites} sites in only one, {refiltered} with another FILTER; "
        f"{sum(changes.values())} of {len(base_records) * lean_n:,} genotypes differ"
        f"{' (' + top + ')' if top else ''}"
    )


def demo_note(demo: Path) -> str:
    """The size of the pipeline's own demo gVCFs, when a demo run left them in ``demo``."""
    demo_files = sorted(demo.glob("*.g.vcf.gz")) if demo.is_dir() else []
    fai = demo.parent / "reference" / "genome.fa.fai"
    if not (demo_files and fai.exists()):
        return ""
    called_mb = sum(int(line.split("\t")[1]) for line in fai.read_text().splitlines()) / 1e6
    per = sorted(os.path.getsize(f) / 1e6 / called_mb for f in demo_files)
    return (
        f"the demo's gVCFs from the pipeline ({len(demo_files)} samples, {demo}): "
        f"{per[0]:.2f}-{per[-1]:.2f} MB per Mb of reference (N gaps and chrM included), "
        f"median {per[len(per) // 2]:.2f}"
    )


def print_forms(a, c, lean_n: int, form_rows: list[dict], notes: list[str], demo: str) -> None:
    """The gVCF forms table and its notes."""
    joint_mb = c.mb * a.tile
    print()
    print(
        f"gVCF forms ({lean_n} samples; per sample per Mb; x {GENOME_MB:,} Mb for a GRCh38-sized "
        f"genome; GATK HaplotypeCaller gVCF: ~5-8 GB per 30x genome; joint genotyping on "
        f"{joint_mb:g} Mb)"
    )
    headers = ["form", "MB/Mb", "records/Mb", "GB per 30x genome", "make CPU s/sample"]
    headers += [f"joint N={lean_n} wall s", "joint CPU s", "joint records differ", "SNV F1"]
    shown = [
        [
            r["form"],
            f"{r['mb_per_mb_per_sample']:.3f}",
            f"{r['records_per_mb']:,.0f}",
            f"{r['gb_per_30x_genome']:.2f}",
            f"{r['make_cpu_s_per_sample']:.2f}",
            f"{r['joint_wall_s']:.1f}",
            f"{r['joint_cpu_s']:.1f}",
            r["joint_records_differ"],
            f"{r['snv_f1']:.4f}",
            f"{r['indel_f1']:.4f}",
        ]
        for r in form_rows
    ]
    print(bl.table(headers + ["indel F1"], shown, "lrrrrrrrrr"))
    for note in notes:
        print(note)
    if demo:
        print(demo)
    print(
        f"('make CPU': mpileup on one sample's BAM, plus bcftools annotate and the Python fold "
        f"for the leaner forms; 'joint records differ': cohort VCF records (site, alleles, "
        f"FILTER, genotypes) in only one of this form's and the pipeline form's; F1 against the "
        f"generated truth on the first copy, pooled over the {lean_n} samples, "
        f"scripts/compare_calls.py.)"
    )


def write_results(a, rows: list[dict], form_rows: list[dict], load: float) -> None:
    """Append one row per N to scaling.tsv and one per gVCF form to gvcf_size.tsv."""
    date, mach = bl.now(), bl.machine()

    def rounded(r: dict) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}

    run = {"date": date, "machine": mach, "genome_kb": a.genome_kb, "coverage": a.coverage}
    for r in rows:
        row = {**run, "cores": a.cores, "tile": a.tile, "load": round(load, 2), **rounded(r)}
        bl.append_row(RESULTS, COLUMNS, row)
    for r in form_rows:
        bl.append_row(GVCF_RESULTS, GVCF_COLUMNS, {**run, **rounded(r)})
    print(f"appended to {RESULTS.relative_to(bl.ROOT)} and {GVCF_RESULTS.relative_to(bl.ROOT)}")
