"""Contig classes (autosome, chrX, chrY) by the config's full-match patterns."""

from __future__ import annotations

import re

CLASSES = ("autosome", "chrX", "chrY")
DEFAULT_AUTOSOMES = r"(chr)?([1-9]|1[0-9]|2[0-2])"
DEFAULT_CHRX = r"(chr)?X"
DEFAULT_CHRY = r"(chr)?Y"
# bcftools call --ploidy built-in names; anything else is a ploidy file
BCFTOOLS_PLOIDY_NAMES = ("GRCh37", "GRCh38", "X", "Y", "1")


def contig_class(contig: str, autosomes: str, chrx: str, chry: str) -> str | None:
    """'autosome', 'chrX', 'chrY' or None for a contig name (patterns match the whole
    name; the first that matches wins)."""
    for name, pattern in zip(CLASSES, (autosomes, chrx, chry)):
        if re.fullmatch(pattern, contig):
            return name
    return None


def sex_contig_pattern(chrx: str, chry: str) -> re.Pattern:
    """A pattern that matches the whole name of an X or Y contig."""
    return re.compile(f"(?:{chrx})|(?:{chry})")
