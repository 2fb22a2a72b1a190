"""The demo's known answers and genome annotations, as the pipeline reads them.

Truth: one VCF per sample (``truth/{sample}.vcf.gz``, the individual's own genotypes,
haploid GTs on male chrX non-PAR and chrY), the planted structural variants
(``truth/sv.vcf.gz``, :mod:`.structural`) and ``callable.bed``: non-N sequence minus
200 bp around gaps, minus segmental duplications, minus the planted SVs, minus chrM.
``population_af.vcf.gz`` holds the populations' true allele frequencies (a
population-frequency resource).
``ploidy.txt`` is the bcftools ploidy file for this genome, ``par.bed`` lists the PARs,
``gaps.bed`` the N runs and ``segdups.bed`` the segmental duplications.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pysam

from .genome import CONTIGS, N_CODE, PAR1, PAR2, Segdup, n_runs, y_par_intervals
from .variants import POPULATIONS, Individual, Site, truth_gt

GAP_MARGIN = 200  # bp around an N gap left out of callable.bed
AF_INFO = [
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Mean allele frequency over the demo'
    ' populations">'
] + [
    f'##INFO=<ID=AF_{p},Number=A,Type=Float,Description="Allele frequency in population {p}">'
    for p in POPULATIONS
]


def vcf_header(genome: dict[str, np.ndarray], samples: list[str], info: list[str]) -> str:
    """A VCFv4.2 header with the genome's contigs, ``info`` lines and GT."""
    lines = ["##fileformat=VCFv4.2", "##source=make_demo_data.py"]
    lines += [f"##contig=<ID={c},length={s.size}>" for c, s in genome.items()]
    lines += info
    lines.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    cols = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    if samples:
        cols += ["FORMAT", *samples]
    return "\n".join(lines + ["\t".join(cols)]) + "\n"


def bgzip_index(text_path: Path) -> None:
    """Write ``text_path``.gz and its .tbi; removes the plain text."""
    pysam.tabix_index(str(text_path), preset="vcf", force=True)


def write_vcf(path: Path, header: str, lines: list[str]) -> None:
    """``path`` (a plain .vcf name) bgzipped and indexed."""
    path.write_text(header + "\n".join(lines) + "\n")
    bgzip_index(path)


def write_truth(
    out: Path,
    genome: dict[str, np.ndarray],
    sites_by_contig: dict[str, list[Site]],
    people: dict[str, Individual],
    samples: list[str],
) -> int:
    """truth/{sample}.vcf.gz for each of ``samples`` and population_af.vcf.gz; returns
    the number of truth genotypes written."""
    pop_lines = []
    per_sample: dict[str, list[str]] = {s: [] for s in samples}
    for contig, slist in sites_by_contig.items():
        for i, site in enumerate(slist):
            alleles = f"{contig}\t{site.pos + 1}\t.\t{site.ref}\t{','.join(site.alts)}\t.\tPASS"
            for sample in samples:
                gt = truth_gt(people[sample], contig, i, site.pos)
                if gt is not None:
                    per_sample[sample].append(f"{alleles}\t.\tGT\t{gt}")
            afs = ";".join(
                f"AF_{p}=" + ",".join(f"{f:.4f}" for f in site.freqs[p]) for p in POPULATIONS
            )
            mean = np.mean([site.freqs[p] for p in POPULATIONS], axis=0)
            if mean.sum() > 0:
                pop_lines.append(f"{alleles}\tAF={','.join(f'{f:.4f}' for f in mean)};{afs}")
    write_vcf(out / "population_af.vcf", vcf_header(genome, [], AF_INFO), pop_lines)
    for sample, lines in per_sample.items():
        write_vcf(out / "truth" / f"{sample}.vcf", vcf_header(genome, [sample], []), lines)
    return sum(len(v) for v in per_sample.values())


def callable_runs(
    genome: dict[str, np.ndarray],
    gaps: dict[str, list[tuple[int, int]]],
    segdups: list[Segdup],
    excluded: dict[str, list[tuple[int, int]]] | None = None,
) -> dict[str, list[tuple[int, int]]]:
    """Per nuclear contig: non-N sequence minus GAP_MARGIN around gaps, minus segdups,
    minus the ``excluded`` regions (the planted SVs with a margin)."""
    mask = {c: np.zeros(s.size, bool) for c, s in genome.items() if c != "chrM"}
    for c in mask:
        for s, e in gaps[c]:
            mask[c][max(0, s - GAP_MARGIN) : e + GAP_MARGIN] = True
    for c, s, e, _ in segdups:
        mask[c][s:e] = True
    for c, regions in (excluded or {}).items():
        for s, e in regions:
            mask[c][s:e] = True
    return {c: n_runs(np.where(m, 0, N_CODE).astype(np.uint8)) for c, m in mask.items()}


def ploidy_text() -> str:
    """The bcftools --ploidy-file of the demo genome."""
    xlen = CONTIGS["chrX"]
    return (
        "# bcftools call --ploidy-file for the demo genome: CHROM FROM TO SEX PLOIDY (1-based)\n"
        f"chrX 1 {PAR1[0]} M 1\nchrX {PAR1[1] + 1} {PAR2[0]} M 1\nchrX {PAR2[1] + 1} {xlen} M 1\n"
        "chrY 1 2147483647 M 1\nchrY 1 2147483647 F 0\n"
        "chrM 1 2147483647 M 1\nchrM 1 2147483647 F 1\n"
        "* * * M 2\n* * * F 2\n"
    )


def write_annotations(
    out: Path,
    genome: dict[str, np.ndarray],
    segdups: list[Segdup],
    excluded: dict[str, list[tuple[int, int]]] | None = None,
) -> None:
    """gaps.bed, segdups.bed, par.bed, callable.bed (without ``excluded``) and ploidy.txt."""
    gaps = {c: n_runs(s) for c, s in genome.items()}
    with open(out / "gaps.bed", "w") as fh:
        for c, runs in gaps.items():
            fh.writelines(f"{c}\t{s}\t{e}\n" for s, e in runs)
    with open(out / "segdups.bed", "w") as fh:
        fh.writelines(f"{c}\t{s}\t{e}\t{n}\n" for c, s, e, n in sorted(segdups))
    with open(out / "par.bed", "w") as fh:
        fh.write(f"chrX\t{PAR1[0]}\t{PAR1[1]}\tPAR1\nchrX\t{PAR2[0]}\t{PAR2[1]}\tPAR2\n")
        for (s, e), name in zip(y_par_intervals(), ("PAR1", "PAR2")):
            fh.write(f"chrY\t{s}\t{e}\t{name}\n")
    with open(out / "callable.bed", "w") as fh:
        for c, runs in callable_runs(genome, gaps, segdups, excluded).items():
            fh.writelines(f"{c}\t{s}\t{e}\n" for s, e in runs)
    (out / "ploidy.txt").write_text(ploidy_text())
