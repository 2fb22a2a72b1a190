"""Sex-aware calling regions for the GATK, DeepVariant and Parabricks engines.

A male is haploid on chrX and chrY outside the pseudo-autosomal regions (PARs) and
diploid everywhere else; a female (and a sample of unknown sex) is diploid everywhere,
as DeepVariant's ``--haploid_contigs`` convention has it. From the interval shards
(``results/reference/intervals/*.bed``), the X/Y contig patterns and the PAR BED this
writes, per shard and for the whole callable genome, the regions a male is called on
with ploidy 2 (``diploid_male``) and with ploidy 1 (``haploid_male``), and the names of
the X/Y contigs (comma-separated, for ``--haploid_contigs``).

Intervals are BED (0-based, half-open). Pure functions; ``main`` maps Snakemake's
input/output/params onto them.
"""

import re
import sys
from pathlib import Path

Interval = tuple[str, int, int]


def read_bed(path: str | Path) -> list[Interval]:
    """The first three columns of a BED file (headers and blank lines skipped)."""
    out: list[Interval] = []
    with open(path) as fh:
        for line in fh:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            chrom, start, end = line.rstrip("\n").split("\t")[:3]
            out.append((chrom, int(start), int(end)))
    return out


def write_bed(path: str | Path, intervals: list[Interval]) -> None:
    with open(path, "w") as fh:
        fh.writelines(f"{c}\t{s}\t{e}\n" for c, s, e in intervals)


def subtract(interval: Interval, holes: list[Interval]) -> list[Interval]:
    """``interval`` minus every hole on its contig, as sorted half-open pieces."""
    chrom, start, end = interval
    pieces, cursor = [], start
    for _, h_start, h_end in sorted(h for h in holes if h[0] == chrom):
        if h_end <= cursor or h_start >= end:
            continue
        if h_start > cursor:
            pieces.append((chrom, cursor, h_start))
        cursor = max(cursor, h_end)
    if cursor < end:
        pieces.append((chrom, cursor, end))
    return pieces


def intersect(interval: Interval, others: list[Interval]) -> list[Interval]:
    """The parts of ``interval`` covered by ``others`` (assumed non-overlapping)."""
    chrom, start, end = interval
    return sorted(
        (chrom, max(start, s), min(end, e))
        for c, s, e in others
        if c == chrom and min(end, e) > max(start, s)
    )


def split_by_ploidy(
    intervals: list[Interval], x_pattern: str, y_pattern: str, par: list[Interval]
) -> tuple[list[Interval], list[Interval]]:
    """(diploid, haploid) regions of a male: X/Y contigs (full-match patterns) minus the
    PARs are haploid, the rest diploid. Order follows ``intervals``."""
    sex_contig = re.compile(f"(?:{x_pattern})|(?:{y_pattern})")
    diploid: list[Interval] = []
    haploid: list[Interval] = []
    for interval in intervals:
        if sex_contig.fullmatch(interval[0]):
            haploid += subtract(interval, par)
            diploid += intersect(interval, par)
        else:
            diploid.append(interval)
    return diploid, haploid


def sex_contigs(intervals: list[Interval], x_pattern: str, y_pattern: str) -> list[str]:
    """Names of the X/Y contigs that occur in ``intervals``, in order of appearance."""
    sex_contig = re.compile(f"(?:{x_pattern})|(?:{y_pattern})")
    names: list[str] = []
    for chrom, _, _ in intervals:
        if sex_contig.fullmatch(chrom) and chrom not in names:
            names.append(chrom)
    return names


def main(smk) -> None:
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


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
