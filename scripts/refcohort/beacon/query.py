"""A ``/g_variants`` request, from GET parameters or a POST body, checked and interpreted.

Beacon's coordinates are 0-based: ``start`` inclusive, ``end`` exclusive; a release record
at VCF ``POS`` (1-based) starts at ``POS - 1``. Three kinds of query:

* sequence: one ``start``, no ``end``, ``alternateBases`` (``referenceBases`` optional):
  the alleles as the VCF writes them (``start = POS - 1``, anchor base included), or
  trimmed as VRS writes them (shared bases removed: an insertion's ``referenceBases`` is
  empty and its ``start`` is after the anchor, a deletion's ``alternateBases`` is empty);
  ``N`` matches any base;
* range: one ``start`` and one ``end``: every record whose REF overlaps ``[start, end)``
  (``referenceBases``, ``alternateBases`` and ``variantType`` narrow it down);
* bracket: two of each: records starting in ``[start[0], start[1])`` and ending in
  ``[end[0], end[1])``.

Anything else is a :class:`BeaconError` (HTTP 400, or 401 for a bad token) with a message
that names the parameter but never echoes what was sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .release import Site
from .settings import GRANULARITIES, Settings

QUERY_PARAMETERS = (
    "referenceName",
    "start",
    "end",
    "referenceBases",
    "alternateBases",
    "assemblyId",
    "variantType",
)
UNSUPPORTED = (
    "geneId",
    "geneid",
    "aminoacidChange",
    "genomicAlleleShortForm",
    "allele",
    "mateName",
    "variantMinLength",
    "variantMaxLength",
)
OPTIONS = (
    "requestedGranularity",
    "skip",
    "limit",
    "includeResultsetResponses",
    "testMode",
    "filters",
    "requestedSchema",
    "apiVersion",
)
INCLUDE = ("HIT", "ALL", "MISS", "NONE")
VARIANT_TYPES = {
    "SNP": {"SNP"},
    "SNV": {"SNP"},
    "MNP": {"MNP"},
    "DEL": {"DEL"},
    "INS": {"INS"},
    "INDEL": {"DEL", "INS"},
}
MAX_TEXT = 1000
_INT = re.compile(r"\d{1,12}")
_BASES = re.compile(r"[ACGTN]*")
_PLAIN = re.compile(r"[ACGTN]+")


class BeaconError(Exception):
    """A request the Beacon refuses: HTTP ``status`` and a message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def bad(message: str) -> BeaconError:
    return BeaconError(400, message)


@dataclass(frozen=True)
class VariantQuery:
    chrom: str
    start: tuple[int, ...]
    end: tuple[int, ...] = ()
    ref: str | None = None
    alt: str | None = None
    variant_type: str | None = None

    @property
    def kind(self) -> str:
        if not self.end:
            return "sequence"
        return "range" if len(self.start) == 1 else "bracket"

    def window(self) -> tuple[int, int]:
        """The 0-based, half-open region to fetch (REF overlap) to find every match."""
        if self.kind == "sequence":  # a trimmed insertion starts after its anchor base
            return max(0, self.start[0] - 1), self.start[0] + 1
        return self.start[0], self.end[-1]

    def matches(self, site: Site) -> bool:
        if not (_PLAIN.fullmatch(site.ref) and _PLAIN.fullmatch(site.alt)):
            return False  # '*' and symbolic alleles are not served
        if self.variant_type and site.variant_type not in VARIANT_TYPES[self.variant_type]:
            return False
        kind = self.kind
        if kind == "bracket":
            s, e = self.start, self.end
            if not (s[0] <= site.start0 < s[1] and e[0] <= site.end0 < e[1]):
                return False
        elif kind == "range":
            if not (site.start0 < self.end[0] and site.end0 > self.start[0]):
                return False
        if kind != "sequence":
            return _alleles(self.ref, self.alt, site.ref, site.alt)
        if site.start0 == self.start[0] and _alleles(self.ref, self.alt, site.ref, site.alt):
            return True
        t0, tref, talt = site.trimmed
        return t0 == self.start[0] and _alleles(self.ref, self.alt, tref, talt)


def _same(query: str, bases: str) -> bool:
    return len(query) == len(bases) and all(q == b or q == "N" for q, b in zip(query, bases))


def _alleles(qref: str | None, qalt: str | None, ref: str, alt: str) -> bool:
    return (qref is None or _same(qref, ref)) and (qalt is None or _same(qalt, alt))


@dataclass
class BeaconRequest:
    """The interpreted request: what it asks and how the response should look."""

    granularity: str
    skip: int = 0
    limit: int = 10
    include: str = "HIT"
    test_mode: bool = False
    api_version: str = "v2.0.0"
    query: VariantQuery | None = None
    parameters: dict = field(default_factory=dict)  # as interpreted, for the summary


# ---------------------------------------------------------------- value parsers
def _text(name: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(f"{name}: expected a string")
    value = str(value).strip()
    if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        raise bad(f"{name}: malformed value")
    return value


def _ints(name: str, value, lo: int = 0) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    if len(items) == 1 and isinstance(items[0], str) and "," in items[0]:
        items = items[0].split(",")
    out = []
    for item in items:
        if isinstance(item, bool):
            raise bad(f"{name}: expected an integer")
        if isinstance(item, int):
            n = item
        elif isinstance(item, str) and _INT.fullmatch(item.strip()):
            n = int(item.strip())
        else:
            raise bad(f"{name}: expected a non-negative integer (0-based coordinate)")
        if n < lo:
            raise bad(f"{name}: must be at least {lo}")
        out.append(n)
    if not 1 <= len(out) <= 2:
        raise bad(f"{name}: one or two values")
    return tuple(out)


def _bases(name: str, value) -> str:
    text = _text(name, value).upper()
    text = "" if text in ("-", ".") else text
    if not _BASES.fullmatch(text):
        raise bad(f"{name}: only the bases A, C, G, T and N are accepted")
    return text


def _bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad(f"{name}: expected true or false")


# ---------------------------------------------------------------- the request
def interpret(
    params: Mapping[str, object], options: Mapping[str, object], settings: Settings, contigs
) -> BeaconRequest:
    """Check and interpret the request parameters (``referenceName``...) and the
    options (granularity, pagination, filters...) of a GET or POST."""
    granularity = options.get("requestedGranularity") or settings.default_granularity
    if granularity not in GRANULARITIES:
        raise bad(f"requestedGranularity: one of {', '.join(GRANULARITIES)}")
    include = options.get("includeResultsetResponses") or "HIT"
    if include not in INCLUDE:
        raise bad(f"includeResultsetResponses: one of {', '.join(INCLUDE)}")
    filters = options.get("filters")
    if filters not in (None, "", []):
        raise bad("filters: this beacon has no filtering terms (see /filtering_terms)")
    skip = _ints("skip", options["skip"])[0] if options.get("skip") not in (None, "") else 0
    limit = settings.default_limit
    if options.get("limit") not in (None, ""):
        limit = _ints("limit", options["limit"])[0] or settings.max_limit
    request = BeaconRequest(
        granularity=granularity,
        skip=min(skip, 10**6),
        limit=min(limit, settings.max_limit),
        include=include,
        test_mode=_bool("testMode", options["testMode"])
        if options.get("testMode") is not None
        else False,
    )
    if options.get("apiVersion"):
        request.api_version = _text("apiVersion", options["apiVersion"])[:20] or "v2.0.0"
    for name in params:
        if name in UNSUPPORTED:
            raise bad(f"{name}: not supported by this beacon")
        if name not in QUERY_PARAMETERS:
            raise bad("unknown request parameter (supported: " + ", ".join(QUERY_PARAMETERS) + ")")
    request.query, request.parameters = _variant_query(params, settings, contigs)
    return request


def _variant_query(params: Mapping[str, object], settings: Settings, contigs):
    if params.get("assemblyId") not in (None, ""):
        assembly = _text("assemblyId", params["assemblyId"])
        if not settings_accepts_assembly(settings, assembly):
            raise bad(f"assemblyId: this beacon serves {settings.assembly} only")
    if params.get("referenceName") in (None, ""):
        raise bad(
            "referenceName is required (and start): queries over the whole release are not allowed"
        )
    chrom = contigs.resolve(_text("referenceName", params["referenceName"]))
    if params.get("start") in (None, "", []):
        raise bad("start is required (0-based)")
    start = _ints("start", params["start"])
    end = _ints("end", params["end"], lo=1) if params.get("end") not in (None, "", []) else ()
    ref = _bases("referenceBases", params["referenceBases"]) if "referenceBases" in params else None
    alt = _bases("alternateBases", params["alternateBases"]) if "alternateBases" in params else None
    vtype = None
    if params.get("variantType") not in (None, ""):
        vtype = _text("variantType", params["variantType"]).upper()
        if vtype not in VARIANT_TYPES:
            raise bad("variantType: one of " + ", ".join(VARIANT_TYPES))
    length = contigs.lengths.get(chrom)
    if end and len(start) != len(end):
        raise bad("start and end: one value each (a range) or two each (a bracket)")
    if not end:
        if len(start) != 1:
            raise bad("start: two values (a bracket) need two end values")
        if alt is None and vtype is None:
            raise bad(
                "a sequence query needs alternateBases (or variantType); a range query needs end"
            )
        if alt == "" and not ref:
            raise bad("alternateBases is empty: give the deleted referenceBases")
    elif len(start) == 1:
        if start[0] >= end[0]:
            raise bad("start must be less than end (0-based, end exclusive)")
    else:
        if start[0] >= start[1] or end[0] >= end[1] or start[0] >= end[1]:
            raise bad("bracket: start[0] < start[1], end[0] < end[1] and start[0] < end[1]")
    span = (end[-1] if end else start[0] + 1) - start[0]
    if span > settings.max_range:
        raise bad(
            f"the range is {span:,} bases; this beacon answers at most "
            f"{settings.max_range:,} per query"
        )
    if length is not None and (start[-1] >= length or (end and end[-1] > length)):
        raise bad(f"coordinates beyond the end of {chrom} ({length:,} bases)")
    query = VariantQuery(chrom, start, end, ref, alt, vtype)
    echo: dict[str, object] = {"referenceName": chrom, "start": list(start)}
    for key, value in (
        ("end", list(end)),
        ("referenceBases", ref),
        ("alternateBases", alt),
        ("variantType", vtype),
    ):
        if value not in (None, []):
            echo[key] = value
    echo["assemblyId"] = settings.assembly
    return query, {"g_variant": echo}


def settings_accepts_assembly(settings: Settings, assembly: str) -> bool:
    names = {settings.assembly.lower(), *(a.lower() for a in settings.assembly_aliases)}
    a = assembly.lower()
    if a in names:
        return True
    # GRCh38.p14 and the like: patches of the same assembly share its coordinates
    return bool(re.fullmatch(re.escape(settings.assembly.lower()) + r"\.p\d{1,2}", a))
