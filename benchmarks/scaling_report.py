"""The scaling harness's report (bench_scaling.py): the joint-genotyping table per path
and N, the per-path summary (ratios, fixed and per-sample cost), adding samples against
rebuilding, the gVCF anatomy and forms, and the rows appended to
``benchmarks/results/scaling.tsv``, ``scaling_summary.tsv``, ``scaling_adds.tsv`` and
``gvcf_size.tsv``."""

from __future__ import annotations

import math
import os
from pathlib import Path

import benchlib as bl
import gvcf_forms as gf
import scaling_calc as calc

RESULTS = bl.RESULTS / "scaling.tsv"
SUMMARY_RESULTS = bl.RESULTS / "scaling_summary.tsv"
ADD_RESULTS = bl.RESULTS / "scaling_adds.tsv"
GVCF_RESULTS = bl.RESULTS / "gvcf_size.tsv"
RUN = "date machine cores genome_kb tile coverage".split()
COLUMNS = (
    RUN
    + (
        "path n wall_s cpu_s combine_cpu_s combine_wall_s combine_peak_mb export_cpu_s"
        " shards_cpu_s shards_wall_s shard_peak_mb store_bytes gvcf_bytes vcf_bytes"
        " merged_records wall_per_sample_s cpu_per_sample_s ratio_cpu_per_sample_vs_first"
        " ratio_wall_per_sample_vs_first load"
    ).split()
)
SUMMARY_COLUMNS = (
    RUN
    + (
        "path n_first n_last cpu_per_sample_first_s cpu_per_sample_last_s ratio_cpu_per_sample"
        " ratio_wall_per_sample fixed_cpu_s cpu_per_sample_fit_s growth_of_per_sample_cost"
        " peak_shard_mb_first peak_shard_mb_last target_met load"
    ).split()
)
ADD_COLUMNS = (
    RUN
    + (
        "path n k add_cpu_s add_wall_s add_peak_mb add_written add_store add_io_mb"
        " add_export_cpu_s add_export_wall_s add_export_error rebuild_cpu_s rebuild_wall_s"
        " rebuild_peak_mb"
        " rebuild_written rebuild_store rebuild_io_mb rebuild_export_cpu_s"
        " add_cpu_per_added_sample_s ratio_add_vs_rebuild_cpu ratio_add_vs_rebuild_wall"
        " ratio_written_vs_store ratio_written_vs_rebuild ratio_export_vs_single_batch_cpu load"
    ).split()
)
GVCF_COLUMNS = (
    "date machine genome_kb coverage".split()
    + (
        "form samples mb_per_mb_per_sample records_per_mb gb_per_genome make_cpu_s_per_mb"
        " joint_path joint_n joint_cpu_s joint_records joint_records_differ snv_f1 indel_f1"
    ).split()
)
KINDS = ("block", "ref site", "other allele seen")
PATH_LABELS = {
    "full": "bcftools, full gVCFs (before)",
    "compact": "bcftools, compact gVCFs (pipeline)",
    "hail": "hail cohort store",
}


def f(value, digits: int = 1) -> str:
    """A number for a table; '-' for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def print_scaling(a, c, rows: dict[str, list[dict]], load: float) -> None:
    """The joint-genotyping table: one line per path and N."""
    joint_mb = c.mb * a.tile
    print()
    print(
        f"Scaling: joint genotyping of N generated samples, {joint_mb:g} Mb ({a.genome_kb} kb "
        f"x {a.tile}), {a.coverage:g}x, {len(c.shards)} shards, {a.cores} cores"
    )
    headers = ["path", "N", "wall s", "CPU s", "combine CPU s", "shards CPU s", "peak MB/shard"]
    headers += ["combine peak MB", "gVCFs in MB", "VCF out MB", "merged rec./kb"]
    headers += ["CPU/sample s", "wall/sample s", "CPU/sample vs first", "wall/sample vs first"]
    shown = []
    for path, rs in rows.items():
        for r in rs:
            merged = r.get("merged_records")
            shown.append(
                [
                    path,
                    r["n"],
                    f(r["wall_s"]),
                    f(r["cpu_s"]),
                    f(r.get("combine_cpu_s")),
                    f(r["shards_cpu_s"]),
                    f(r["shard_peak_mb"], 0),
                    f(r.get("combine_peak_mb"), 0),
                    f(r["gvcf_bytes"] / 1e6, 2),
                    f(r["vcf_bytes"] / 1e6, 2),
                    f(merged / (joint_mb * 1000), 0) if merged else "-",
                    f(r["cpu_per_sample_s"], 3),
                    f(r["wall_per_sample_s"], 3),
                    f(r["ratio_cpu_per_sample_vs_first"], 2),
                    f(r["ratio_wall_per_sample_vs_first"], 2),
                ]
            )
    print(bl.table(headers, shown, "lr" + "r" * (len(headers) - 2)))
    print(
        "(hail: 'combine' = rule hail_update_cohort from an empty store, 'shards' = per shard "
        "hail_export_shard + bcftools_filter_hail_shard; CPU s = combine + shards + concat. "
        "bcftools: per shard bcftools_call_cohort, + concat. 'merged rec./kb': positions where "
        "any of the N gVCFs starts a record, each one a record of all N in merge --gvcf.)"
    )
    print(
        f"load average: {load:.2f} before, {bl.load_average():.2f} after (above {a.cores}, wall "
        f"times include waiting for other processes)"
    )


def print_summary(summaries: list[dict]) -> None:
    """Per path: the per-sample ratio (the target) and the fitted fixed and per-sample cost."""
    if not summaries:
        return
    print()
    s0 = summaries[0]
    print(
        f"Per-sample cost, N={s0['n_last']} over N={s0['n_first']} (target <= {calc.TARGET} "
        "on the better path), and the cost fitted as fixed + per-sample x N"
    )
    headers = ["path", "CPU/sample first s", "CPU/sample last s", "ratio CPU", "ratio wall"]
    headers += ["fixed CPU s", "CPU s per sample (fit)", "growth of per-sample", "peak MB/shard"]
    headers += ["target met"]
    shown = [
        [
            PATH_LABELS.get(s["path"], s["path"]),
            f(s["cpu_per_sample_first_s"], 3),
            f(s["cpu_per_sample_last_s"], 3),
            f(s["ratio_cpu_per_sample"], 2),
            f(s["ratio_wall_per_sample"], 2),
            f(s["fixed_cpu_s"]),
            f(s["cpu_per_sample_fit_s"], 3),
            f(s["growth_of_per_sample_cost"], 2),
            f"{f(s['peak_shard_mb_first'], 0)} -> {f(s['peak_shard_mb_last'], 0)}",
            s["target_met"],
        ]
        for s in summaries
    ]
    print(bl.table(headers, shown, "l" + "r" * (len(headers) - 1)))
    best = calc.better_path(summaries)
    print(
        f"better path at N={best['n_last']}: {PATH_LABELS.get(best['path'], best['path'])}, "
        f"{best['cpu_per_sample_last_s']:.3f} s CPU per sample, "
        f"{best['ratio_cpu_per_sample']:.2f}x its N={best['n_first']} figure: target "
        f"{'met' if best['target_met'] == 'yes' else 'NOT met'}. ('growth of per-sample': the "
        "last step's CPU per added sample over the per-sample slope fitted to the smaller N; "
        "1 = linear, above 1 = per-sample cost grows with N. A large fixed cost makes the "
        "per-sample ratio fall with N without any saving per sample.)"
    )


def print_adds(rows: list[dict]) -> None:
    """Adding k samples to a cohort of N, against rebuilding it."""
    if not rows:
        return
    print()
    print("Adding k samples to a cohort of N, against rebuilding the cohort of N+k")
    headers = ["path", "N", "+k", "add CPU s", "add wall s", "rebuild CPU s", "rebuild wall s"]
    headers += ["add/rebuild CPU", "add/rebuild wall", "store MB written", "store MB after"]
    headers += ["written/store", "written/rebuild", "I/O MB add", "I/O MB rebuild"]
    headers += ["peak MB add", "export CPU s after add", "export vs 1-batch"]
    shown = [
        [
            PATH_LABELS.get(r["path"], r["path"]),
            r["n"],
            r["k"],
            f(r["add_cpu_s"]),
            f(r["add_wall_s"]),
            f(r["rebuild_cpu_s"]),
            f(r["rebuild_wall_s"]),
            f(r["ratio_add_vs_rebuild_cpu"], 2),
            f(r["ratio_add_vs_rebuild_wall"], 2),
            f(r["add_written"] / 1e6, 3),
            f(r["add_store"] / 1e6, 3),
            f(r["ratio_written_vs_store"], 3),
            f(r["ratio_written_vs_rebuild"], 3),
            f(r["add_io_mb"]),
            f(r["rebuild_io_mb"]),
            f(r["add_peak_mb"], 0),
            "FAILED" if r.get("add_export_error") else f(r["add_export_cpu_s"]),
            f(r["ratio_export_vs_single_batch_cpu"], 2),
        ]
        for r in rows
    ]
    print(bl.table(headers, shown, "l" + "r" * (len(headers) - 1)))
    for r in rows:
        if r.get("add_export_error"):
            print(f"export after +{r['k']} to N={r['n']} FAILED: {r['add_export_error']}")
    print(
        "(hail: 'add' = hail_update_cohort on a copy of the N-sample store with the N+k samples "
        "(a new batch of k), 'rebuild' = the same update from an empty store; 'store MB "
        "written': files new or changed in the store (batch + freeze record), Spark scratch "
        "left out; 'I/O MB': bytes the job's processes wrote (/proc/PID/io write_bytes: "
        "scratch, logs and store); 'export CPU s after add': every shard exported from the "
        "two-batch store, 'export vs 1-batch': that over the N-sample one-batch store's "
        "export. bcftools: adding re-joint-calls all N+k, so add = rebuild and the cohort VCF "
        "is rewritten.)"
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


def change_note(label: str, records: list[str], base_records: list[str], n: int) -> str:
    """How a path's joint calls differ from the full-gVCF path's (``base_records``)."""
    sites, refiltered, changes = gf.genotype_changes(base_records, records)
    top = ", ".join(f"{x} -> {y} at {k}s: {c}" for (x, y, k), c in changes.most_common(4))
    return (
        f"{label}: {len(records):,} joint records ({len(base_records):,} from the full "
        f"gVCFs); {sites} sites in only one, {refiltered} with another FILTER; "
        f"{sum(changes.values())} of {len(base_records) * n:,} genotypes differ"
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


def print_forms(a, c, rows: list[dict], notes: list[str], demo: str) -> None:
    """The gVCF forms: size, records, CPU to make, scaled to a whole genome; joint calls."""
    print()
    n = rows[0]["joint_n"] if rows else 0
    print(
        f"gVCF forms ({rows[0]['samples'] if rows else 0} samples, {a.coverage:g}x; per sample "
        f"per Mb; x {calc.GENOME_MB:,} Mb for a GRCh38-sized genome; GATK HaplotypeCaller "
        f"gVCF: ~5-8 GB per 30x genome; joint calls of each form's path at N={n})"
    )
    headers = ["form", "MB/Mb", "records/Mb", f"GB per {calc.GENOME_MB / 1000:g} Gb genome"]
    headers += ["make CPU s/Mb", "joint path", "joint CPU s", "joint records", "differ vs full"]
    headers += ["SNV F1", "indel F1"]
    shown = [
        [
            r["form"],
            f(r["mb_per_mb_per_sample"], 3),
            f(r["records_per_mb"], 0),
            f(r["gb_per_genome"], 3),
            f(r["make_cpu_s_per_mb"], 2),
            r["joint_path"],
            f(r.get("joint_cpu_s")),
            r.get("joint_records", "-"),
            r.get("joint_records_differ", "-"),
            f(r.get("snv_f1"), 4),
            f(r.get("indel_f1"), 4),
        ]
        for r in rows
    ]
    print(bl.table(headers, shown, "lrrrrlrrrrr"))
    for note in notes:
        print(note)
    if demo:
        print(demo)
    print(
        "('make CPU': full = mpileup's full gVCF; compact = rule bcftools_mpileup's stream "
        "(mpileup | annotate | fold | bgzip); hail-ready = compact + rule bcftools_call_gvcf. "
        "'differ vs full': joint records (site, alleles, FILTER, genotypes) in only one of this "
        "path's and the full-gVCF path's cohort VCF; F1 against the generated truth on the "
        "first copy of the tiled genome, pooled over the samples, refcohort.compare.)"
    )


def write_results(a, rows, summaries, add_rows, form_rows, load: float) -> None:
    """Append the run's rows to the four results TSVs."""
    run = {
        "date": bl.now(),
        "machine": bl.machine(),
        "cores": a.cores,
        "genome_kb": a.genome_kb,
        "tile": a.tile,
        "coverage": a.coverage,
        "load": round(load, 2),
    }

    def rounded(r: dict) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()}

    for path, rs in rows.items():
        for r in rs:
            bl.append_row(RESULTS, COLUMNS, {**run, **rounded(r), "path": path})
    for s in summaries:
        bl.append_row(SUMMARY_RESULTS, SUMMARY_COLUMNS, {**run, **rounded(s)})
    for r in add_rows:
        bl.append_row(ADD_RESULTS, ADD_COLUMNS, {**run, **rounded(r)})
    for r in form_rows:
        bl.append_row(GVCF_RESULTS, GVCF_COLUMNS, {**run, **rounded(r)})
    names = ", ".join(p.name for p in (RESULTS, SUMMARY_RESULTS, ADD_RESULTS, GVCF_RESULTS))
    print(f"appended to {bl.RESULTS.relative_to(bl.ROOT)}/: {names}")
