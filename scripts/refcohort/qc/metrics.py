"""GA4GH WGS QC Standards v1.0 metrics for one sample, from fast tools' outputs.

Definitions follow the GA4GH metric definitions
(https://github.com/ga4gh/quality-control-wgs, metrics_definitions.md) and the
NPM-sample-QC reference implementation (Picard CollectWgsMetrics, samtools stats,
bcftools). Each metric comes from one small parser of one tool's output
(:mod:`refcohort.qc.parsers`, :mod:`refcohort.qc.coverage`):

* ``samtools stats --reference REF sample.cram`` (SN lines, FFQ/LFQ quality
  histograms): reads mapped, properly paired, insert size, chimeric pairs, Q30 bases.
* ``samtools markdup -S -f stats.txt``: duplication.
* ``mosdepth -n --by regions.bed --mapq 20 --flag 3844 --thresholds 1,...,250``
  (4-column BED, class ``autosome`` = autosomes minus N gaps): coverage metrics.
  Deviation from GA4GH: mosdepth has no base-quality filter, so bases with BQ < 20
  are counted (Picard CollectWgsMetrics drops them). Everything else matches Picard:
  primary, non-duplicate, non-QC-fail reads with MAPQ >= 20, mate overlaps counted
  once, deletions not counted, depth capped at 250. The e2e brute-force test
  (tests/e2e/test_qc_metrics_bruteforce.py) measures the BQ effect on real data.
* ``bcftools view -i 'QUAL>=30 && TYPE="snp"' -T autosomes.bed sample.vcf.gz -Ou |
  bcftools stats -s -`` and the same for ``TYPE="indel"`` on the sample's own
  ``bcftools call -m -v`` calls: variant counts and ratios (PSC, PSI and IDD rows).
  ``bcftools stats -i ... -s -`` prints no PSC rows in 1.16, hence the view pipe; a
  stats file without a PSC row is rejected rather than read as zero variants.
* The contamination and sex-check JSONs of other rules: copied fields.

Undefined values (a zero or missing denominator, a missing input) are None (JSON null).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

from .coverage import MAX_DEPTH, capped_mean_depth, depth_histogram, read_thresholds
from .definitions import DEFINITIONS, METRICS, SEX_FIELDS, SV_FIELDS
from .parsers import parse_bcftools_stats, parse_markdup, parse_samtools_stats

# --------------------------------------------------------------------------- helpers


def ratio(num: float | None, den: float | None, scale: float = 1.0) -> float | None:
    """``scale * num / den``; None when either is None/NaN or ``den`` is 0."""
    if num is None or den is None or _is_nan(num) or _is_nan(den) or den == 0:
        return None
    return scale * num / den


def _is_nan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _round(x, ndigits: int):
    """Round floats (NaN -> None); leave ints, strings and None alone."""
    if isinstance(x, (bool, str)) or x is None:
        return x
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else round(x, ndigits)


# --------------------------------------------------------------------------- samtools stats


def alignment_metrics(sn: dict[str, int | float]) -> dict[str, int | float | None]:
    """Read-level metrics from parsed ``samtools stats`` SN values.

    * ``pct_reads_mapped`` = reads mapped / sequences x 100 (sequences = raw total
      sequences minus reads filtered by samtools stats options; both primary only).
    * ``pct_reads_properly_paired`` = reads properly paired / reads paired x 100
      (the samtools flagstat convention).
    * ``mean_insert_size``, ``insert_size_std``: samtools stats insert size average and
      standard deviation (None when no pairs).
    * ``pct_chimeras`` = pairs on different chromosomes / (reads mapped and paired / 2)
      x 100. Picard's PCT_CHIMERAS also counts pairs with inserts > 100 kb, FF/RR
      orientations and split (SA-tagged) reads, over MAPQ >= 20 pairs only, so it
      reads higher than this.
    * ``bases_q30`` passed through.
    """
    sequences = sn.get("sequences", sn.get("raw total sequences"))
    paired_mapped = sn.get("reads mapped and paired")
    has_pairs = bool(
        sn.get("inward oriented pairs", 0)
        or sn.get("outward oriented pairs", 0)
        or sn.get("pairs with other orientation", 0)
    )
    return {
        "bases_q30": sn.get("bases_q30"),
        "pct_reads_mapped": ratio(sn.get("reads mapped"), sequences, 100),
        "pct_reads_properly_paired": ratio(
            sn.get("reads properly paired"), sn.get("reads paired"), 100
        ),
        "mean_insert_size": float(sn["insert size average"]) if has_pairs else None,
        "insert_size_std": float(sn["insert size standard deviation"]) if has_pairs else None,
        "pct_chimeras": ratio(
            sn.get("pairs on different chromosomes"),
            None if paired_mapped is None else paired_mapped / 2,
            100,
        ),
    }


# --------------------------------------------------------------------------- markdup


def duplication_metrics(md: dict[str, int]) -> dict[str, float | None]:
    """``pct_duplication`` = (DUPLICATE PAIR + DUPLICATE SINGLE) / EXAMINED x 100.
    Pair duplicates are counted in reads by samtools markdup, so this is Picard's
    PERCENT_DUPLICATION; optical duplicates are a subset of both counts."""
    dups = md.get("DUPLICATE PAIR", 0) + md.get("DUPLICATE SINGLE", 0)
    return {"pct_duplication": ratio(dups, md.get("EXAMINED"), 100)}


# --------------------------------------------------------------------------- coverage


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` repeated ``weights`` times, Picard ``Histogram.getMedian``
    convention: for an even total, the mean of the two middle values. NaN if empty."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=np.int64)
    keep = weights > 0
    values, weights = values[keep], weights[keep]
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    total = int(weights.sum())
    if total == 0:
        return float("nan")
    cum = np.cumsum(weights)
    if total % 2:
        low = high = (total + 1) // 2
    else:
        low, high = total // 2, total // 2 + 1
    v_low = values[np.searchsorted(cum, low)]
    v_high = values[np.searchsorted(cum, high)]
    return float((v_low + v_high) / 2)


def median_absolute_deviation(hist: np.ndarray) -> float:
    """MAD of a depth histogram (``hist[d]`` = bases at depth d): m = median depth, then
    the median of |d - m| over all bases (Picard ``Histogram.getMedianAbsoluteDeviation``)."""
    depths = np.arange(len(hist), dtype=float)
    m = weighted_median(depths, hist)
    if math.isnan(m):
        return m
    return weighted_median(np.abs(depths - m), hist)


def coverage_metrics(counts: np.ndarray | None) -> dict[str, float | None]:
    """Autosomal coverage metrics from ``read_thresholds`` counts of the
    ``autosome`` class (``counts[d]`` = bases at depth >= d, ``counts[0]`` = length):

    * ``mean_autosome_coverage``: mean of min(depth, 250).
    * ``pct_autosomes_15x``: counts[15] / counts[0] x 100.
    * ``genome_coverage_uniformity``: median absolute deviation of the capped depth.

    mosdepth cannot filter on base quality, so unlike Picard CollectWgsMetrics (GA4GH
    reference) bases with BQ < 20 are counted; see the module docstring.
    """
    if counts is None or counts[0] == 0:
        return {
            "mean_autosome_coverage": None,
            "pct_autosomes_15x": None,
            "genome_coverage_uniformity": None,
        }
    if len(counts) != MAX_DEPTH + 1:
        raise ValueError(f"expected depth counts for 0..{MAX_DEPTH}, got {len(counts)}")
    return {
        "mean_autosome_coverage": capped_mean_depth(counts),
        "pct_autosomes_15x": ratio(int(counts[15]), int(counts[0]), 100),
        "genome_coverage_uniformity": median_absolute_deviation(depth_histogram(counts)),
    }


# --------------------------------------------------------------------------- bcftools stats


def _require_psc(stats: dict, what: str) -> dict:
    if stats["PSC"] is None:
        raise ValueError(
            f"{what}: no PSC (per-sample) row; make it with "
            "'bcftools view -i ... -Ou | bcftools stats -s -' "
            "(bcftools stats -i ... -s - writes no PSC rows in 1.16)"
        )
    return stats["PSC"]


def snv_metrics(stats: dict) -> dict[str, int | float | None]:
    """SNV metrics from ``parse_bcftools_stats`` of the SNV-only (TYPE="snp") file:

    * ``count_snvs`` = nNonRefHom + nHets + nHapAlt: non-reference SNV genotypes of the
      sample (= records, for a single-sample ``call -v`` VCF).
    * ``ratio_het_hom_snv`` = nHets / nNonRefHom. bcftools counts 1/2 as het and 2/2 as
      hom-alt; haploid genotypes go to nHapRef/nHapAlt only (none on autosomes).
    * ``ratio_ti_tv`` = nTransitions / nTransversions: per non-reference diploid
      genotype, classified by its lowest ALT allele (a 1/2 counts once, by ALT 1).
    """
    psc = _require_psc(stats, "SNV stats")
    return {
        "count_snvs": psc["nNonRefHom"] + psc["nHets"] + psc.get("nHapAlt", 0),
        "ratio_het_hom_snv": ratio(psc["nHets"], psc["nNonRefHom"]),
        "ratio_ti_tv": ratio(psc["nTransitions"], psc["nTransversions"]),
    }


def indel_metrics(stats: dict) -> dict[str, int | float | None]:
    """Indel metrics from ``parse_bcftools_stats`` of the indel-only (TYPE="indel") file:

    * ``count_insertions`` / ``count_deletions``: IDD sites with length > 0 / < 0. IDD
      counts each ALT allele, so a multi-allelic site counts once per ALT allele.
    * ``ratio_ins_del`` = insertions / deletions.
    * ``ratio_het_hom_indel`` = het / hom with hom = PSI nInsAltHoms + nDelAltHoms
      (each hom-alt genotype counted once) and het = PSC nIndels - hom (nIndels counts
      every non-reference diploid indel genotype once; PSI nInsHets + nDelHets would
      count a 1/2 with one insertion and one deletion twice). PSC nHets/nNonRefHom
      cover SNVs only.
    """
    psc = _require_psc(stats, "indel stats")
    psi = stats["PSI"] or {}
    insertions = sum(n for length, n in stats["IDD"].items() if length > 0)
    deletions = sum(n for length, n in stats["IDD"].items() if length < 0)
    hom = psi.get("nInsAltHoms", 0) + psi.get("nDelAltHoms", 0)
    het = psc["nIndels"] - hom
    return {
        "count_insertions": insertions,
        "count_deletions": deletions,
        "ratio_ins_del": ratio(insertions, deletions),
        "ratio_het_hom_indel": ratio(het, hom),
    }


# --------------------------------------------------------------------------- JSON inputs


def read_json_fields(path: str | Path | None, fields: tuple[str, ...] | list[str]) -> dict:
    """``{field: value}`` for ``fields`` of a JSON object file; None for absent fields
    or when ``path`` is None."""
    if path is None:
        return {f: None for f in fields}
    data = json.loads(Path(path).read_text())
    return {f: data.get(f) for f in fields}


# --------------------------------------------------------------------------- assembly


def sample_metrics(
    samtools_stats: str | Path,
    markdup: str | Path,
    thresholds: str | Path,
    snps: str | Path,
    indels: str | Path,
    contamination: str | Path | None,
    sex: str | Path | None,
    sv: str | Path | None = None,
) -> dict:
    """All metrics in ``METRICS`` order from the tools' output files; floats rounded
    (percentages, depths and ratios to 4 decimals, rates to 6), NaN -> None."""
    values: dict = {}
    values.update(alignment_metrics(parse_samtools_stats(samtools_stats)))
    values.update(duplication_metrics(parse_markdup(markdup)))
    values.update(coverage_metrics(read_thresholds(thresholds).get("autosome")))
    values.update(snv_metrics(parse_bcftools_stats(snps)))
    values.update(indel_metrics(parse_bcftools_stats(indels)))
    values.update(read_json_fields(contamination, ("cross_contamination_rate",)))
    values.update(read_json_fields(sex, SEX_FIELDS))
    values.update(read_json_fields(sv, SV_FIELDS))
    six = {"cross_contamination_rate", "x_autosome_ratio", "y_autosome_ratio", "x_het_ratio"}
    return {m: _round(values.get(m), 6 if m in six else 4) for m in METRICS}


def qc_record(sample: str, metrics: dict) -> dict:
    """The ``results/qc/{sample}.qc.json`` object."""
    return {
        "sample": sample,
        "metrics": metrics,
        "definitions": {m: DEFINITIONS[m] for m in metrics},
    }


def _optional(path) -> str | None:
    """A Snakemake input that may be an empty list (optional input) -> path or None."""
    if path is None or isinstance(path, (list, tuple)) and not path:
        return None
    if isinstance(path, (list, tuple)):
        return str(path[0])
    return str(path)


def main(smk) -> None:
    """Snakemake adapter: input samtools_stats, markdup, thresholds, snps, indels,
    contamination (optional), sex, sv (optional); output json; params sample; log."""
    sys.stderr = open(smk.log[0], "w")
    contamination = _optional(smk.input.get("contamination"))
    metrics = sample_metrics(
        smk.input.samtools_stats,
        smk.input.markdup,
        smk.input.thresholds,
        smk.input.snps,
        smk.input.indels,
        contamination,
        _optional(smk.input.get("sex")),
        _optional(smk.input.get("sv")),
    )
    if contamination is None:
        print(
            "no contamination estimate (qc.population_af unset): cross_contamination_rate is null",
            file=sys.stderr,
        )
    Path(smk.output.json).write_text(
        json.dumps(qc_record(smk.params.sample, metrics), indent=2, allow_nan=False) + "\n"
    )
    for name in METRICS:
        print(f"{name}\t{metrics[name]}", file=sys.stderr)
