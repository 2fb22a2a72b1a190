"""What the Beacon reads from the release VCF: its header and its records.

The release (:mod:`refcohort.release`) is a sites-only, bgzipped and indexed VCF: one
biallelic record per line, INFO ``AC``/``AN``/``AF`` (and ``AC_Hom``, ``AC_Het``,
``AC_Hemi``) per published group (no suffix for the whole cohort, ``_FI``, ``_F``,
``_FI_F``...), ``.`` where a count is suppressed; ``##release_group`` lines name every
group (``Individuals=N`` when published, ``Status=withheld`` otherwise) and
``##release_policy`` lines the policy. Only AC, AN and AF of the published groups ever
leave this module: other INFO keys, the ID column and withheld groups are never read.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

SEX_WORDS = {"F": "females", "M": "males"}
_ATTRS = re.compile(r'([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|[^,>]*)')


@dataclass(frozen=True)
class Group:
    """One ``##release_group``: published (``individuals`` set) or withheld."""

    id: str
    population: str  # a code or "all"
    sex: str  # F, M or "all"
    individuals: int | None  # None when withheld

    @property
    def published(self) -> bool:
        return self.individuals is not None

    @property
    def suffix(self) -> str:
        return "" if self.id == "all" else f"_{self.id}"

    @property
    def label(self) -> str:
        """A population name for Beacon's ``frequencies``: 'all released individuals',
        'FI', 'females', 'FI females'."""
        sex = SEX_WORDS.get(self.sex, self.sex)
        if self.population == "all":
            return "all released individuals" if self.sex == "all" else sex
        return self.population if self.sex == "all" else f"{self.population} {sex}"


@dataclass(frozen=True)
class Header:
    """The release header, as far as the Beacon needs it."""

    contigs: dict[str, int | None]
    groups: tuple[Group, ...]
    policy: dict[str, str]
    info_ids: frozenset[str]

    @property
    def published(self) -> tuple[Group, ...]:
        """Published groups that also have their AC, AN and AF INFO fields."""
        need = ("AC", "AN", "AF")
        return tuple(
            g
            for g in self.groups
            if g.published and all(f + g.suffix in self.info_ids for f in need)
        )


def _attributes(body: str) -> dict[str, str]:
    """``<ID=x,Description="y">`` → {'ID': 'x', 'Description': 'y'}."""
    out = {}
    for key, value in _ATTRS.findall(body.strip().removeprefix("<").removesuffix(">")):
        if value.startswith('"') and value.endswith('"'):
            value = value[1:-1].replace('\\"', '"')
        out[key] = value
    return out


def parse_header(lines: list[str]) -> Header:
    """The header of a release from its ``##`` lines."""
    contigs: dict[str, int | None] = {}
    groups: list[Group] = []
    policy: dict[str, str] = {}
    info: set[str] = set()
    for line in lines:
        key, _, body = line.removeprefix("##").partition("=")
        if not body.startswith("<"):
            continue
        attrs = _attributes(body)
        if key == "contig" and "ID" in attrs:
            length = attrs.get("length", "")
            contigs[attrs["ID"]] = int(length) if length.isdigit() else None
        elif key == "INFO" and "ID" in attrs:
            info.add(attrs["ID"])
        elif key == "release_policy" and "ID" in attrs:
            policy[attrs["ID"]] = attrs.get("Description", "")
        elif key == "release_group" and "ID" in attrs:
            n = attrs.get("Individuals", "")
            groups.append(
                Group(
                    id=attrs["ID"],
                    population=attrs.get("Population", "all"),
                    sex=attrs.get("Sex", "all"),
                    individuals=int(n) if n.isdigit() else None,
                )
            )
    return Header(contigs, tuple(groups), policy, frozenset(info))


def read_header(path: str | Path) -> Header:
    """Read the ``##`` lines of a bgzipped (or plain) VCF up to ``#CHROM``."""
    lines = []
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as fh:
        for line in fh:
            if not line.startswith("##"):
                break
            lines.append(line.rstrip("\n"))
    if not lines or not lines[0].startswith("##fileformat=VCF"):
        raise ValueError(f"{path}: not a VCF (no ##fileformat line)")
    return parse_header(lines)


@dataclass(frozen=True, slots=True)
class Site:
    """One release record: 1-based ``pos``, REF, ALT and the raw INFO text."""

    chrom: str
    pos: int
    ref: str
    alt: str
    info: str

    @property
    def start0(self) -> int:
        """0-based start of REF (Beacon's and VRS's coordinate)."""
        return self.pos - 1

    @property
    def end0(self) -> int:
        """0-based, exclusive end of REF."""
        return self.pos - 1 + len(self.ref)

    @property
    def trimmed(self) -> tuple[int, str, str]:
        """(start0, ref, alt) with the shared leading then trailing bases removed: the
        VRS-style form (an insertion has ref '', a deletion alt '')."""
        return trim(self.start0, self.ref, self.alt)

    @property
    def variant_type(self) -> str:
        return variant_type(self.ref, self.alt)

    def counts(self, groups: tuple[Group, ...]) -> list[tuple[Group, str, str, str]]:
        """(group, AC, AN, AF) text for each of ``groups``, '.' where the release has '.',
        read from INFO by key (nothing else of INFO is looked at)."""
        values = dict(item.partition("=")[::2] for item in self.info.split(";"))
        out = []
        for g in groups:
            s = g.suffix
            out.append(
                (g, values.get(f"AC{s}", "."), values.get(f"AN{s}", "."), values.get(f"AF{s}", "."))
            )
        return out


def parse_line(line: str) -> Site:
    """A Site from a VCF data line (sites-only: 8 columns)."""
    chrom, pos, _id, ref, alt, _qual, _filter, info = line.rstrip("\n").split("\t", 8)[:8]
    return Site(chrom, int(pos), ref, alt, info)


def trim(start0: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Remove the bases REF and ALT share at the start, then at the end."""
    k = 0
    while k < len(ref) and k < len(alt) and ref[k] == alt[k]:
        k += 1
    ref, alt = ref[k:], alt[k:]
    j = 0
    while j < len(ref) and j < len(alt) and ref[-1 - j] == alt[-1 - j]:
        j += 1
    if j:
        ref, alt = ref[:-j], alt[:-j]
    return start0 + k, ref, alt


def variant_type(ref: str, alt: str) -> str:
    """SNP, MNP, DEL or INS (Beacon's ``variantType`` words) of a biallelic record, from
    its trimmed alleles (ACT>AGT is an SNP)."""
    _, ref, alt = trim(0, ref, alt)
    if len(ref) == len(alt):
        return "SNP" if len(ref) == 1 else "MNP"
    return "DEL" if len(alt) < len(ref) else "INS"
