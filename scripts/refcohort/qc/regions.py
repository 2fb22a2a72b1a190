"""Regions cut from the reference: the length-balanced calling shards, the QC regions and a
male's diploid and haploid calling regions.

* Calling shards (rule make_intervals): contiguous runs of the genome in FASTA order that
  leave out N gaps, so per-shard VCFs concatenate in sorted order. Each shard holds about
  the same number of non-N bases; shard boundaries may fall inside a contig.
* QC regions (rule make_qc_regions): non-N sequence of the autosomes and of chrX and chrY
  outside the PARs, each interval labelled with its class for coverage QC.
* Ploidy regions (rule make_ploidy_regions, the GATK, DeepVariant and Parabricks engines):
  a male is haploid on chrX and chrY outside the pseudo-autosomal regions (PARs) and
  diploid everywhere else; a female (and a sample of unknown sex) is diploid everywhere,
  as DeepVariant's ``--haploid_contigs`` convention has it. Per shard and for the whole
  callable genome: the regions a male is called on with ploidy 2 (``diploid_male``) and
  with ploidy 1 (``haploid_male``), and the names of the X/Y contigs (comma-separated,
  for ``--haploid_contigs``).

Intervals are BED (0-based, half-open). Pure functions; the ``*_main`` adapters map
Snakemake's input/output/params onto them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pysam

from ..contigs import contig_class, sex_contig_pattern
from ..intervals import acgt_runs, balance, intersect_interval, subtract, subtract_interval
from ..io import Interval, read_bed, read_bed_by_contig, write_bed


def callable_intervals(fasta: str, exclude: str = "") -> list[Interval]:
    """Non-N intervals of every contig whose name does not match ``exclude``."""
    pattern = re.compile(exclude) if exclude else None
    out: list[Interval] = []
    with pysam.FastaFile(fasta) as fa:
        for contig in fa.references:
            if pattern and pattern.search(contig):
                continue
            out += [(contig, s, e) for s, e in acgt_runs(fa.fetch(contig))]
    return out


def qc_regions(
    fasta: str, par_bed: str | None, autosomes: str, x: str, y: str
) -> list[tuple[str, int, int, str]]:
    """Non-N sequence of the autosomes and of chrX and chrY outside the PARs, each
    interval labelled with its class (autosome, chrX, chrY) for coverage QC."""
    pars = read_bed_by_contig(par_bed)
    out = []
    with pysam.FastaFile(fasta) as fa:
        for contig in fa.references:
            cls = contig_class(contig, autosomes, x, y)
            if cls is None:
                continue
            runs = subtract(acgt_runs(fa.fetch(contig)), pars.get(contig, []))
            out += [(contig, s, e, cls) for s, e in runs]
    return out


def split_by_ploidy(
    intervals: list[Interval], x_pattern: str, y_pattern: str, par: list[Interval]
) -> tuple[list[Interval], list[Interval]]:
    """(diploid, haploid) regions of a male: X/Y contigs (full-match patterns) minus the
    PARs are haploid, the rest diploid. Order follows ``intervals``."""
    sex_contig = sex_contig_pattern(x_pattern, y_pattern)
    diploid: list[Interval] = []
    haploid: list[Interval] = []
    for interval in intervals:
        if sex_contig.fullmatch(interval[0]):
            haploid += subtract_interval(interval, par)
            diploid += intersect_interval(interval, par)
        else:
            diploid.append(interval)
    return diploid, haploid


def sex_contigs(intervals: list[Interval], x_pattern: str, y_pattern: str) -> list[str]:
    """Names of the X/Y contigs that occur in ``intervals``, in order of appearance."""
    sex_contig = sex_contig_pattern(x_pattern, y_pattern)
    names: list[str] = []
    for chrom, _, _ in intervals:
        if sex_contig.fullmatch(chrom) and chrom not in names:
            names.append(chrom)
    return names


def intervals_main(smk) -> None:
    """Rule make_intervals: input fasta; output the shard BEDs; params exclude; log."""
    sys.stderr = open(smk.log[0], "w")
    intervals = callable_intervals(smk.input.fasta, smk.params.exclude)
    shards = balance(intervals, len(smk.output))
    for path, shard in zip(smk.output, shards):
        write_bed(path, shard)
        bases = sum(e - s for _, s, e in shard)
        print(f"{path}: {bases:,} bp in {len(shard)} intervals", file=sys.stderr)


def qc_regions_main(smk) -> None:
    """Rule make_qc_regions: input fasta, par (optional); output bed, autosomes; params
    patterns (autosomes, chrX, chrY); log."""
    sys.stderr = open(smk.log[0], "w")
    par = smk.input.get("par") or None  # a one-item list when qc.par is set
    if par is not None and not isinstance(par, str):
        par = par[0] if len(par) else None
    rows = qc_regions(smk.input.fasta, par, *smk.params.patterns)
    if not any(k == "autosome" for *_, k in rows):
        raise SystemExit(f"no contig matches qc.autosomes '{smk.params.patterns[0]}'")
    write_bed(smk.output.bed, rows)
    write_bed(smk.output.autosomes, [(c, s, e) for c, s, e, k in rows if k == "autosome"])


def ploidy_main(smk) -> None:
    """Rule make_ploidy_regions: input shards, par (optional); output diploid, haploid
    (per shard), genome, genome_diploid, genome_haploid, contigs; params chrX, chrY; log."""
    sys.stderr = open(smk.log[0], "w")
    par = read_bed(smk.input.par[0]) if smk.input.par else []
    x_pattern, y_pattern = smk.params.chrX, smk.params.chrY
    genome: list[Interval] = []
    for shard, diploid_out, haploid_out in zip(
        smk.input.shards, smk.output.diploid, smk.output.haploid
    ):
        intervals = read_bed(shard)
        genome += intervals
        diploid, haploid = split_by_ploidy(intervals, x_pattern, y_pattern, par)
        write_bed(diploid_out, diploid)
        write_bed(haploid_out, haploid)
    write_bed(smk.output.genome, genome)
    diploid, haploid = split_by_ploidy(genome, x_pattern, y_pattern, par)
    write_bed(smk.output.genome_diploid, diploid)
    write_bed(smk.output.genome_haploid, haploid)
    Path(smk.output.contigs).write_text(",".join(sex_contigs(genome, x_pattern, y_pattern)))
    print(
        f"haploid (male) bases: {sum(e - s for _, s, e in haploid)}; "
        f"diploid (male) bases: {sum(e - s for _, s, e in diploid)}",
        file=sys.stderr,
    )
