"""Structural variants planted in the demo cohort, and their truth.

Deletions of 600 bp to 20 kb, tandem duplications of 3 and 10 kb and a 5 kb inversion on
the autosomes, a deletion and a duplication on chrX outside the PARs; some shared across
samples (one homozygous), some private. They are written into the individuals'
haplotypes after the small variants (positions are reference coordinates, moved to each
haplotype's own by the small indels carried before them), so the reads show them.
``truth/sv.vcf.gz`` holds every sample's genotype (haploid on a male's chrX);
``callable.bed`` leaves out each SV's region and 1 kb around it (the small-variant truth
of a deleted or duplicated stretch is not what the reads show).

S08 is S02 (the same individual) and S04 the son of S03: their genotypes follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .genome import COMPLEMENT
from .variants import Site

MARGIN = 1_000  # bp around an SV left out of the small-variant callable regions


@dataclass(frozen=True)
class PlantedSV:
    id: str
    contig: str
    start: int  # 0-based, first affected base
    end: int  # 0-based, exclusive
    svtype: str  # DEL, DUP (tandem), INV
    copies: tuple[tuple[str, int], ...]  # (sample, copies carrying it: 1 or 2)

    def genotype(self, sample: str, haploid: bool) -> str:
        n = dict(self.copies).get(sample, 0)
        if haploid:
            return "1" if n else "0"
        return {0: "0/0", 1: "0/1", 2: "1/1"}[n]


PLANTED = (
    PlantedSV("DEL1", "chr1", 300_000, 300_600, "DEL",
              (("S01", 1), ("S02", 1), ("S03", 2), ("S04", 1), ("S06", 1), ("S08", 1))),
    PlantedSV("DEL2", "chr1", 420_000, 425_000, "DEL", (("S02", 1), ("S05", 1), ("S08", 1))),
    PlantedSV("DEL3", "chr2", 300_000, 320_000, "DEL", (("S01", 1), ("S09", 1))),
    PlantedSV("DEL4", "chr1", 700_000, 701_500, "DEL",
              (("S03", 1), ("S04", 1), ("S07", 1), ("S11", 1))),
    PlantedSV("DUP1", "chr2", 500_000, 503_000, "DUP",
              (("S03", 1), ("S06", 1), ("S10", 1))),
    PlantedSV("DUP2", "chr1", 1_050_000, 1_060_000, "DUP",
              (("S01", 1), ("S02", 1), ("S08", 1))),
    PlantedSV("INV1", "chr2", 700_000, 705_000, "INV", (("S02", 1), ("S04", 1), ("S08", 1))),
    PlantedSV("DELX", "chrX", 150_000, 152_000, "DEL",
              (("S01", 1), ("S02", 1), ("S07", 1), ("S08", 1), ("S12", 1))),
    PlantedSV("DUPX", "chrX", 320_000, 322_500, "DUP", (("S03", 1), ("S04", 1))),
)  # fmt: skip


def carried(sample: str, contig: str, copy: int) -> list[PlantedSV]:
    """The planted SVs on one contig copy of a sample: a heterozygous SV on copy 0, a
    homozygous one on both (a male's chrX copy 0 is his X)."""
    return [sv for sv in PLANTED if sv.contig == contig and dict(sv.copies).get(sample, 0) > copy]


def to_haplotype(pos: int, sites: list[Site], alleles: np.ndarray) -> int:
    """A reference position on a haplotype that carries ``alleles`` at ``sites``: moved
    by the length change of every ALT carried wholly before it."""
    shift = 0
    for site, allele in zip(sites, alleles.tolist()):
        if site.pos + len(site.ref) > pos:
            break
        if allele:
            shift += len(site.alts[allele - 1]) - len(site.ref)
    return pos + shift


def apply(
    hap: np.ndarray, svs: list[PlantedSV], sites: list[Site], alleles: np.ndarray
) -> np.ndarray:
    """``hap`` (a haplotype with its small variants) with ``svs`` written in, last first
    so that each one's coordinates stay those of the haplotype before it."""
    for sv in sorted(svs, key=lambda v: v.start, reverse=True):
        s, e = to_haplotype(sv.start, sites, alleles), to_haplotype(sv.end, sites, alleles)
        if sv.svtype == "DEL":
            hap = np.concatenate([hap[:s], hap[e:]])
        elif sv.svtype == "DUP":
            hap = np.concatenate([hap[:e], hap[s:e], hap[e:]])
        elif sv.svtype == "INV":
            hap = np.concatenate([hap[:s], COMPLEMENT[hap[s:e][::-1]], hap[e:]])
        else:
            raise ValueError(f"unknown SV type {sv.svtype}")
    return hap


def excluded_regions() -> dict[str, list[tuple[int, int]]]:
    """Per contig, each SV's region with MARGIN around it (left out of callable.bed)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for sv in PLANTED:
        out.setdefault(sv.contig, []).append((max(0, sv.start - MARGIN), sv.end + MARGIN))
    return out


def write_sv_truth(
    path: Path, genome: dict[str, np.ndarray], samples: list[str], males: set[str]
) -> int:
    """truth/sv.vcf (bgzipped and indexed by the caller's bgzip_index): one record per
    planted SV, every sample's genotype; returns the number of records."""
    from .genome import decode

    lines = []
    for sv in sorted(PLANTED, key=lambda v: (list(genome).index(v.contig), v.start)):
        pos = sv.start  # VCF: the base before the event (1-based = 0-based start)
        ref = decode(genome[sv.contig][pos - 1 : pos])
        svlen = (-1 if sv.svtype == "DEL" else 1) * (sv.end - sv.start)
        info = f"SVTYPE={sv.svtype};END={sv.end};SVLEN={svlen}"
        gts = [sv.genotype(s, sv.contig == "chrX" and s in males) for s in samples]
        lines.append(
            "\t".join(
                [sv.contig, str(pos), sv.id, ref, f"<{sv.svtype}>", ".", "PASS", info, "GT", *gts]
            )  # fmt: skip
        )
    header = [
        "##fileformat=VCFv4.2",
        "##source=make_demo_data.py (planted structural variants)",
        *[f"##contig=<ID={c},length={s.size}>" for c, s in genome.items()],
        '##ALT=<ID=DEL,Description="Deletion">',
        '##ALT=<ID=DUP,Description="Tandem duplication">',
        '##ALT=<ID=INV,Description="Inversion">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the variant">',
        '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length of the variant">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]
        ),  # fmt: skip
    ]
    path.write_text("\n".join(header + lines) + "\n")
    return len(lines)
