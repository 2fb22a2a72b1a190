"""Infer the sex-chromosome karyotype of a sample and compare it with the declared sex.

Evidence (all outside the pseudo-autosomal regions, which the QC regions BED already
leaves out of its ``chrX``/``chrY`` classes, together with N gaps):

* Depth. Capped (250x) mean depth per QC region class from the mosdepth thresholds
  file (``coverage.read_thresholds`` + ``coverage.capped_mean_depth``), normalised to the
  autosomes: ``x = depth(chrX) / depth(autosome)``, ``y = depth(chrY) / depth(autosome)``.
  Expected: XX x ~ 1.0, y ~ 0; XY x ~ 0.5, y ~ 0.5 (one copy each vs two autosomal
  copies); X0 x ~ 0.5, y ~ 0; XXY x ~ 1.0, y ~ 0.5. In a female, reads from
  X-transposed and ampliconic sequence still map to chrY at a few % (hence y < 0.1 for
  "absent", not 0); in males the mappable male-specific chrY (MAPQ >= 20) reaches
  ~0.4-0.5, so 0.25 leaves room for MAPQ loss and library GC effects.
  When the regions BED has no ``chrY`` class (a reference without chrY), ``y`` is null
  and the call rests on ``x`` alone (XX or XY, with a note that XXY/X0 cannot be told
  apart); a chrY class with no reads gives ``y = 0``.
* chrX heterozygosity. At variant-bearing gVCF records inside the ``chrX`` class
  regions with depth (sum of AD) >= ``het_min_depth``: het when the best ALT's read
  fraction is in ``het_fraction_range`` (default [0.25, 0.75]), hom-alt when >=
  ``homalt_min_fraction`` (0.9). ``x_het_ratio = het / (het + hom-alt)``: a single X
  (XY, X0) has no true hets outside the PARs, so only mapping artefacts and
  contamination put it above ~0.1; an XX genome sits near the autosomal het/(het+hom)
  ratio (~0.6). It is supporting evidence: an XY/X0 depth call with
  ``x_het_ratio > max_single_x_het_ratio`` (0.3) over at least ``min_het_sites`` (50)
  sites is downgraded to ``ambiguous`` (e.g. XX/XY mixture or contamination) with a
  ``note`` saying why.

Karyotype rules (defaults; gaps between the windows are deliberate "ambiguous" zones
for mosaics, mixtures and odd libraries):

    XX   x >= xx_min_x (0.75)                  and y <  y_absent_max (0.1)
    XY   xy_x_range[0] (0.35) <= x < xy_x_range[1] (0.65) and y >= y_present_min (0.25)
    X0   xy_x_range[0] <= x < xy_x_range[1]    and y <  y_absent_max
    XXY  x >= xx_min_x                          and y >= y_present_min
    otherwise ambiguous

Comparison with the declared sex (``female``/``male``/``unknown``): female-XX and
male-XY ``match``; female-XY and male-XX ``mismatch``; X0 or XXY ``aneuploidy``;
``ambiguous`` karyotype ``ambiguous``; declared ``unknown`` (or empty) ``undeclared``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..io import bed_records, write_bed
from .coverage import capped_mean_depth, read_thresholds

DEFAULTS = {
    "xx_min_x": 0.75,
    "xy_x_range": (0.35, 0.65),
    "y_present_min": 0.25,
    "y_absent_max": 0.1,
    "het_min_depth": 10,
    "het_fraction_range": (0.25, 0.75),
    "homalt_min_fraction": 0.9,
    "max_single_x_het_ratio": 0.3,
    "min_het_sites": 50,
}


def depth_ratios(thresholds: str | Path) -> dict[str, float | None]:
    """Capped mean depths per class and chrX/chrY over autosome ratios from a mosdepth
    thresholds file. ``y`` is None when there is no chrY class; ratios are None when the
    autosomal depth is 0 or missing."""
    counts = read_thresholds(thresholds)
    depth = {cls: capped_mean_depth(c) for cls, c in counts.items()}
    auto = depth.get("autosome")
    usable = auto is not None and auto == auto and auto > 0

    def ratio(cls: str) -> float | None:
        if not usable or cls not in depth or depth[cls] != depth[cls]:
            return None
        return depth[cls] / auto

    return {
        "autosome_depth": auto,
        "x_depth": depth.get("chrX"),
        "y_depth": depth.get("chrY"),
        "x_autosome_ratio": ratio("chrX"),
        "y_autosome_ratio": ratio("chrY"),
    }


def classify_allele_depths(
    ad: list[int],
    alt_alleles: list[int] | None = None,
    min_depth: int = 10,
    het_range: tuple[float, float] = (0.25, 0.75),
    homalt_min: float = 0.9,
) -> str | None:
    """'het', 'homalt' or None for one record's AD (REF first). ``alt_alleles`` are the
    AD indices of the real ALTs (default all but REF) that compete for best ALT; depth
    is the sum of all AD, so reads of other alleles dilute the fraction."""
    depth = sum(ad)
    idx = alt_alleles if alt_alleles is not None else list(range(1, len(ad)))
    idx = [i for i in idx if 0 < i < len(ad)]
    if depth < min_depth or not idx:
        return None
    frac = max(ad[i] for i in idx) / depth
    if frac >= homalt_min:
        return "homalt"
    if het_range[0] <= frac <= het_range[1]:
        return "het"
    return None


def count_het_homalt(
    records: Iterable[tuple[list[str], list[int]]],
    min_depth: int = 10,
    het_range: tuple[float, float] = (0.25, 0.75),
    homalt_min: float = 0.9,
) -> tuple[int, int]:
    """(het, hom-alt) counts over ``(alts, ad)`` records; ``<*>`` ALTs never count as the
    best ALT and records without a real ALT are skipped."""
    het = hom = 0
    for alts, ad in records:
        real = [i + 1 for i, a in enumerate(alts) if a != "<*>"]
        kind = classify_allele_depths(ad, real, min_depth, het_range, homalt_min) if real else None
        het += kind == "het"
        hom += kind == "homalt"
    return het, hom


def x_heterozygosity(
    gvcf: str,
    regions_bed: str,
    x_class: str = "chrX",
    min_depth: int = 10,
    het_range: tuple[float, float] = (0.25, 0.75),
    homalt_min: float = 0.9,
) -> tuple[int, int]:
    """(het, hom-alt) counts at variant-bearing gVCF records whose POS lies in the
    ``x_class`` rows of a 4-column QC regions BED (bcftools does the region jump and
    drops reference blocks)."""
    rows = [f[:3] for f in bed_records(regions_bed) if len(f) > 3 and f[3].strip() == x_class]
    if not rows:
        return 0, 0
    with tempfile.TemporaryDirectory(prefix="sexcheck.") as tmp:
        bed = os.path.join(tmp, "x.bed")
        write_bed(bed, rows)
        cmd = ["bcftools", "query", "-R", bed, "--regions-overlap", "0", "-i", 'ALT!="<*>"']
        cmd += ["-f", "%ALT\t[%AD]\n", gvcf]
        with tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
            assert proc.stdout is not None

            def records():
                for line in proc.stdout:
                    alts, ad = line.rstrip("\n").split("\t")
                    yield (
                        alts.split(","),
                        [int(v) if v not in (".", "") else 0 for v in ad.split(",")],
                    )

            counts = count_het_homalt(records(), min_depth, het_range, homalt_min)
            if proc.wait() != 0:
                err.seek(0)
                raise RuntimeError(
                    f"{' '.join(cmd)} failed ({proc.returncode}): {err.read().strip()}"
                )
    return counts


def karyotype(
    x: float | None,
    y: float | None,
    het_ratio: float | None = None,
    het_sites: int = 0,
    xx_min_x: float = 0.75,
    xy_x_range: tuple[float, float] = (0.35, 0.65),
    y_present_min: float = 0.25,
    y_absent_max: float = 0.1,
    max_single_x_het_ratio: float = 0.3,
    min_het_sites: int = 50,
) -> tuple[str, str]:
    """(karyotype, note) from the X and Y depth ratios and chrX heterozygosity, by the
    rules in the module docstring. ``y`` None means the reference has no chrY."""
    if x is None:
        return "ambiguous", "no autosomal or chrX depth"
    one_x = xy_x_range[0] <= x < xy_x_range[1]
    two_x = x >= xx_min_x
    note = ""
    if y is None:
        call = "XX" if two_x else "XY" if one_x else "ambiguous"
        note = "no chrY in the reference: called from chrX depth alone (XXY/X0 not excluded)"
    elif two_x and y < y_absent_max:
        call = "XX"
    elif two_x and y >= y_present_min:
        call = "XXY"
    elif one_x and y >= y_present_min:
        call = "XY"
    elif one_x and y < y_absent_max:
        call = "X0"
    else:
        call = "ambiguous"
        note = f"x={x:.3f}, y={y:.3f} outside every karyotype window"
    if call == "ambiguous" and not note:
        note = (
            f"x={x:.3f} outside the one-X [{xy_x_range[0]}, {xy_x_range[1]}) "
            f"and two-X [>= {xx_min_x}) windows"
        )
    if (
        call in ("XY", "X0")
        and het_ratio is not None
        and het_sites >= min_het_sites
        and het_ratio > max_single_x_het_ratio
    ):
        note = (
            f"depth says {call} but chrX het ratio {het_ratio:.3f} over {het_sites} sites exceeds "
            f"{max_single_x_het_ratio} for a single X (mosaic, XX/XY mixture or contamination?)"
        )
        call = "ambiguous"
    return call, note


def normalise_declared(declared: object) -> str:
    """'female', 'male' or 'unknown' from a sample-sheet value (None, NaN, '' and any
    other value are 'unknown'; case and surrounding space ignored)."""
    value = declared.strip().lower() if isinstance(declared, str) else ""
    return value if value in ("female", "male") else "unknown"


def compare_sex(declared: object, inferred: str) -> str:
    """'match', 'mismatch', 'aneuploidy', 'ambiguous' or 'undeclared'."""
    declared = normalise_declared(declared)
    if inferred in ("X0", "XXY"):
        return "aneuploidy"
    if inferred not in ("XX", "XY"):
        return "ambiguous"
    if declared not in ("female", "male"):
        return "undeclared"
    return "match" if (declared, inferred) in (("female", "XX"), ("male", "XY")) else "mismatch"


def check_sex(thresholds: str, gvcf: str, regions_bed: str, declared_sex: object, **params) -> dict:
    """Full check for one sample: depth ratios, chrX heterozygosity, karyotype, comparison."""
    p = {**DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    ratios = depth_ratios(thresholds)
    het, hom = x_heterozygosity(
        gvcf,
        regions_bed,
        min_depth=int(p["het_min_depth"]),
        het_range=tuple(p["het_fraction_range"]),
        homalt_min=float(p["homalt_min_fraction"]),
    )
    het_ratio = het / (het + hom) if het + hom else None
    call, note = karyotype(
        ratios["x_autosome_ratio"],
        ratios["y_autosome_ratio"],
        het_ratio,
        het + hom,
        xx_min_x=float(p["xx_min_x"]),
        xy_x_range=tuple(p["xy_x_range"]),
        y_present_min=float(p["y_present_min"]),
        y_absent_max=float(p["y_absent_max"]),
        max_single_x_het_ratio=float(p["max_single_x_het_ratio"]),
        min_het_sites=int(p["min_het_sites"]),
    )
    return {
        "declared_sex": normalise_declared(declared_sex),
        **ratios,
        "x_het_ratio": het_ratio,
        "x_het_sites": het,
        "x_homalt_sites": hom,
        "karyotype": call,
        "sex_check": compare_sex(declared_sex, call),
        "note": note,
        "thresholds": {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
    }


def main(smk) -> None:
    """Snakemake adapter: input thresholds, gvcf, regions; output json; params
    declared_sex and optionally any key of ``DEFAULTS``."""
    sys.stderr = open(smk.log[0], "w")
    params = {k: getattr(smk.params, k, None) for k in DEFAULTS}
    result = check_sex(
        smk.input.thresholds,
        smk.input.gvcf,
        smk.input.regions,
        getattr(smk.params, "declared_sex", None),
        **params,
    )
    Path(smk.output.json).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"[check_sex] x={result['x_autosome_ratio']} y={result['y_autosome_ratio']} "
        f"het={result['x_het_ratio']} -> {result['karyotype']} ({result['sex_check']}) "
        f"{result['note']}",
        file=sys.stderr,
    )
