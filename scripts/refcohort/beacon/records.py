"""A release record as a Beacon ``genomicVariation`` (the default model's schema).

Only what the release publishes for the site: REF, ALT, position and, per published
group, AC, AN and AF exactly as the file has them. ``frequencyInPopulations`` lists the
groups whose AF is published (the schema wants a number there); the groups whose AF is
``.`` in the file (a suppressed count, or no called allele) are in ``info.unpublishedFrequencies``
with their AN and ``null`` wherever the file has ``.``. Withheld groups have no fields in
the file and appear nowhere; nothing individual-level exists to be served.
"""

from __future__ import annotations

import math

from .release import Group, Site


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else None


def variant_id(site: Site) -> str:
    """``<contig>:<POS>:<REF>:<ALT>``, POS 1-based as in the release VCF."""
    return f"{site.chrom}:{site.pos}:{site.ref}:{site.alt}"


def frequencies(site: Site, groups: tuple[Group, ...]) -> tuple[list[dict], list[dict]]:
    """(published, unpublished) frequency entries of the site's published groups."""
    published, unpublished = [], []
    for g, ac, an, af in site.counts(groups):
        entry = {
            "population": g.label,
            "groupId": g.id,
            "alleleCount": _int(ac),
            "alleleNumber": _int(an),
            "alleleFrequency": _float(af),
        }
        (unpublished if entry["alleleFrequency"] is None else published).append(entry)
    return published, unpublished


def genomic_variation(
    site: Site,
    groups: tuple[Group, ...],
    sequence_id: str,
    source: dict[str, str],
) -> dict:
    """The record: ``variantInternalId``, ``variation`` (VCF-style alleles with their 0-based
    interbase interval on ``sequence_id``) and the frequencies. ``source`` gives the
    ``source``, ``sourceReference`` and ``version`` of ``frequencyInPopulations``."""
    published, unpublished = frequencies(site, groups)
    record: dict = {
        "variantInternalId": variant_id(site),
        "variation": {
            "variantType": site.variant_type,
            "referenceBases": site.ref,
            "alternateBases": site.alt,
            "location": {
                "type": "SequenceLocation",
                "sequence_id": sequence_id,
                "interval": {
                    "type": "SequenceInterval",
                    "start": {"type": "Number", "value": site.start0},
                    "end": {"type": "Number", "value": site.end0},
                },
            },
        },
    }
    if published:
        record["frequencyInPopulations"] = [{**source, "frequencies": published}]
    if unpublished:
        record["info"] = {
            "unpublishedFrequencies": unpublished,
            "note": "'.' in the release (null here): a count suppressed by the release policy "
            "(see /configuration, releasePolicy small_counts), or no called allele (AN 0)",
        }
    return record
