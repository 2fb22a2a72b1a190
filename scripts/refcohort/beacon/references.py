"""Reference sequence names: what a client may call a released contig, and its VRS id.

A query's ``referenceName`` may be the release's own contig name (``chr1``), the name
without ``chr`` (``1``), or, on GRCh38 when the contig's length in the release header is
GRCh38's, its RefSeq accession (``NC_000001.11``, ``refseq:NC_000001.11``). Contigs the
release does not hold (``chrM``, alternate contigs) are refused. Records give the RefSeq
CURIE as the VRS ``sequence_id`` where it applies, else ``<assembly>:<contig>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .query import bad

# GRCh38 primary assembly: RefSeq accession and length of each chromosome
GRCH38 = {
    "chr1": ("NC_000001.11", 248_956_422),
    "chr2": ("NC_000002.12", 242_193_529),
    "chr3": ("NC_000003.12", 198_295_559),
    "chr4": ("NC_000004.12", 190_214_555),
    "chr5": ("NC_000005.10", 181_538_259),
    "chr6": ("NC_000006.12", 170_805_979),
    "chr7": ("NC_000007.14", 159_345_973),
    "chr8": ("NC_000008.11", 145_138_636),
    "chr9": ("NC_000009.12", 138_394_717),
    "chr10": ("NC_000010.11", 133_797_422),
    "chr11": ("NC_000011.10", 135_086_622),
    "chr12": ("NC_000012.12", 133_275_309),
    "chr13": ("NC_000013.11", 114_364_328),
    "chr14": ("NC_000014.9", 107_043_718),
    "chr15": ("NC_000015.10", 101_991_189),
    "chr16": ("NC_000016.10", 90_338_345),
    "chr17": ("NC_000017.11", 83_257_441),
    "chr18": ("NC_000018.10", 80_373_285),
    "chr19": ("NC_000019.10", 58_617_616),
    "chr20": ("NC_000020.11", 64_444_167),
    "chr21": ("NC_000021.9", 46_709_983),
    "chr22": ("NC_000022.11", 50_818_468),
    "chrX": ("NC_000023.11", 156_040_895),
    "chrY": ("NC_000024.10", 57_227_415),
}


@dataclass(frozen=True)
class Contigs:
    aliases: dict[str, str]  # lower-case name a client may use -> release contig
    lengths: dict[str, int | None]
    sequence_ids: dict[str, str]  # release contig -> VRS sequence_id CURIE

    def resolve(self, name: str) -> str:
        contig = self.aliases.get(name.lower())
        if contig is None:
            raise bad(
                "referenceName: not a reference sequence of this release (served: "
                + ", ".join(self.lengths)
                + ")"
            )
        return contig


def contig_table(lengths: dict[str, int | None], assembly: str) -> Contigs:
    """The names and VRS ids of the release's contigs (``lengths`` from its header)."""
    aliases: dict[str, str] = {}
    ids: dict[str, str] = {}
    grch38 = assembly.lower() in ("grch38", "hg38") or assembly.lower().startswith("grch38.p")
    for contig, length in lengths.items():
        short = contig[3:] if contig.lower().startswith("chr") else contig
        for name in (contig, short, f"chr{short}"):
            aliases.setdefault(name.lower(), contig)
        ids[contig] = f"{assembly}:{contig}"
        known = GRCH38.get(f"chr{short}") if grch38 else None
        if known and length in (None, known[1]):
            accession = known[0]
            ids[contig] = f"refseq:{accession}"
            for name in (accession, f"refseq:{accession}"):
                aliases[name.lower()] = contig
    return Contigs(aliases, dict(lengths), ids)
