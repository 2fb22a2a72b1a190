"""Text of the release VCF: AF formatting, the record formatter, header and policy lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from .privacy import Design

FIELDS = ("AC", "AN", "AF", "AC_Hom", "AC_Het", "AC_Hemi")
SOURCE = "##source=germline-wgs national release (scripts/release_allele_frequencies.py)"


def format_af(ac: int, an: int) -> str:
    """AC/AN as the shortest decimal that reads back as the same double ('0', '1' exact)."""
    if ac == 0:
        return "0"
    if ac == an:
        return "1"
    return repr(ac / an)


class Formatter:
    """Builds sites-only VCF lines for the published groups, a chunk at a time."""

    def __init__(self, design: Design, structural: bool = False):
        """``structural``: each record also carries its SV's own INFO (SVTYPE, END,
        SVLEN) as a sixth meta column, before the counts."""
        self.design = design
        info = ["%s"] if structural else []
        for g in design.published:
            info += [f"{f}{g.suffix}=%s" for f in FIELDS]
        self.template = "%s\t%s\t%s\t%s\t%s\t.\tPASS\t" + (";".join(info) or ".") + "\n"
        self.ints = np.array(
            [str(i) for i in range(2 * max(1, len(design.samples)) + 2)] + ["."], dtype=object
        )
        self.dot = len(self.ints) - 1
        self.af_cache: dict[int, str] = {}

    def _ints(self, values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        return self.ints[np.where(hidden, self.dot, values)]

    def _afs(self, ac: np.ndarray, an: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        base = 2 * len(self.design.samples) + 2
        keys = np.where(hidden | (an == 0), -1, an * base + ac)
        uniq, inverse = np.unique(keys, return_inverse=True)
        strings = np.empty(uniq.size, dtype=object)
        for i, key in enumerate(uniq.tolist()):
            if key < 0:
                strings[i] = "."
                continue
            text = self.af_cache.get(key)
            if text is None:
                text = self.af_cache[key] = format_af(key % base, key // base)
            strings[i] = text
        return strings[inverse.reshape(-1)]

    def lines(self, meta: Sequence[np.ndarray], sums: np.ndarray, hidden: np.ndarray) -> str:
        """VCF text for the records: meta = (chrom, pos, id, ref, alt) object arrays."""
        columns = list(meta)
        an_all = sums[0]
        for gi in self.design.published_index:
            an, ac = an_all[:, gi], sums[1, :, gi]
            h = hidden[:, gi]
            columns += [
                self._ints(ac, h),
                self.ints[an],
                self._afs(ac, an, h),
                self._ints(sums[2, :, gi], h),
                self._ints(sums[3, :, gi], h),
                self._ints(sums[4, :, gi], h),
            ]
        template = self.template
        return "".join([template % row for row in zip(*columns)])


def header_contigs(raw_header: str, keep: Callable[[str], bool]) -> list[tuple[str, int | None]]:
    """(name, length or None) of the header's contigs that ``keep`` accepts."""
    out = []
    for line in raw_header.splitlines():
        if line.startswith("##contig=<"):
            name = re.search(r"[<,]ID=([^,>]+)", line)
            length = re.search(r"[<,]length=(\d+)", line)
            if name and keep(name.group(1)):
                out.append((name.group(1), int(length.group(1)) if length else None))
    return out


# The six ##INFO lines of a published group ({s}: its suffix, {who}: its label).
INFO_LINES = (
    '##INFO=<ID=AC{s},Number=A,Type=Integer,Description="Alternate allele count in {who} '
    '(hemizygous calls count 1); . = suppressed (see release_policy small_counts)">',
    '##INFO=<ID=AN{s},Number=1,Type=Integer,Description="Total number of called alleles in '
    '{who} (males 1 on chrX outside the PARs and on chrY, females 0 on chrY)">',
    '##INFO=<ID=AF{s},Number=A,Type=Float,Description="Alternate allele frequency AC{s}/AN{s} '
    "in {who}, the shortest decimal that reads back as the same double; . when AN is 0 or the "
    'count is suppressed">',
    '##INFO=<ID=AC_Hom{s},Number=A,Type=Integer,Description="Alternate alleles in homozygous '
    'genotypes in {who} (2 per homozygous individual); . = suppressed">',
    '##INFO=<ID=AC_Het{s},Number=A,Type=Integer,Description="Alternate alleles in heterozygous '
    'genotypes in {who}; . = suppressed">',
    '##INFO=<ID=AC_Hemi{s},Number=A,Type=Integer,Description="Alternate alleles in hemizygous '
    'genotypes in {who} (males on chrX outside the PARs and on chrY); . = suppressed">',
)


SV_LINES = (
    '##ALT=<ID=DEL,Description="Deletion">',
    '##ALT=<ID=DUP,Description="Duplication">',
    '##ALT=<ID=INV,Description="Inversion">',
    '##ALT=<ID=INS,Description="Insertion">',
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position of the structural variant">',
    '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length of the structural variant">',
)


def header_lines(
    design: Design,
    contigs: Sequence[tuple[str, int | None]],
    policy: dict[str, object],
    structural: bool = False,
) -> list[str]:
    """The release header: no command lines, no paths, no sample IDs."""
    out = [
        "##fileformat=VCFv4.2",
        SOURCE,
        '##FILTER=<ID=PASS,Description="All filters passed">',
    ]
    for name, length in contigs:
        out.append(f"##contig=<ID={name}" + (f",length={length}>" if length else ">"))
    if structural:
        out += SV_LINES
    for g in design.published:
        out += [line.format(s=g.suffix, who=g.label) for line in INFO_LINES]
    for key, text in policy.items():
        out.append(f'##release_policy=<ID={key},Description="{text}">')
    for g in design.groups:
        if g.publishable:
            status = f"Individuals={g.size}" if g.published else "Status=withheld"
            out.append(
                f"##release_group=<ID={g.name},Population={g.population},Sex={g.sex},{status}>"
            )
    out.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    return out


def policy_lines(
    design: Design, max_kinship: float, unknown_sex: str, structural: bool = False
) -> dict[str, str]:
    """The ##release_policy lines (key: description) of a release."""
    n, m = design.min_group_size, design.min_allele_count
    published = ", ".join(f"{g.name}={g.size}" for g in design.published) or "none"
    withheld = (
        ", ".join(g.name for g in design.groups if g.publishable and not g.published) or "none"
    )
    unknown = (
        "samples of unknown sex are not released"
        if unknown_sex == "exclude"
        else "samples of unknown sex count in the whole cohort and their population only "
        "(diploid on chrX as the joint caller genotypes them, nothing on chrY)"
    )
    return {
        "samples": "QC PASS or WARN samples of the joint call (FAIL samples forced in by an "
        "override are not released); " + unknown,
        "relatedness": f"KING-robust kinship > {max_kinship:g}: one sample of each such pair "
        "is left out, greedily the one in most such pairs, ties against a WARN verdict then "
        "lower mean autosomal coverage then the larger sample ID",
        "sites": (
            "deletions, duplications, inversions and insertions of the cohort SV call set "
            "(Delly, genotyped at the cohort's merged sites) that PASS or are unfiltered; "
            "records with no alternate allele among the released samples are dropped; "
            "autosomes, chrX and chrY only (the chrY PARs are not released); of the caller's "
            "INFO only SVTYPE, END and SVLEN are carried over"
            if structural
            else "PASS records of the joint call split to biallelic and left-aligned "
            "(bcftools norm -m -any -f reference); records with no alternate allele among "
            "the released samples are dropped; autosomes, chrX and chrY only (the chrY PARs "
            "are not released); QUAL and the caller's INFO are not carried over"
        ),
        "ploidy": "males 1 allele on chrX outside the PARs and on chrY (a homozygous diploid "
        "call counts as one allele, a heterozygous one as missing), females 0 alleles on "
        "chrY, 2 elsewhere; half-missing calls count as missing",
        "small_counts": f"a group's AC, AF, AC_Hom, AC_Het and AC_Hemi are '.' when "
        f"0 < AC < {m} or 0 < AN-AC < {m} (min_allele_count={m}), and further counts are "
        "suppressed wherever a suppressed one could otherwise be recovered by adding and "
        "subtracting published counts; AN is always published",
        "small_groups": f"groups with fewer than {n} individuals are not published "
        f"(min_group_size={n}), nor are groups that would let such a group be recovered by "
        "subtraction",
        "groups": f"published (individuals): {published}; withheld: {withheld}",
        "AF": "AF = AC/AN computed in double precision and written as the shortest decimal "
        "that reads back as the same double (0 and 1 exactly)",
    }
