"""The plots of the QC report that QA staff look at instead of reading tables, each with the
gate's own threshold drawn on it (MultiQC custom content, ``*_mqc.yaml``):

* contamination per sample, with the FAIL and WARN limits;
* autosomal coverage (the gate's definition: autosomes minus N gaps, MAPQ >= 20, no
  duplicates, capped at 250x) as the share of bases at each depth, with 15x and 95%;
* the sex check, X and Y depth against the autosomes, with the karyotype regions;
* KING kinship against IBS0 for the cohort's pairs, with the degree bands;
* heterozygosity against call rate, with the outlier limits (median +- k scaled MADs);
* the software versions (the tools that made the results and the pipeline's own).
"""

from __future__ import annotations

import numpy as np

from .coverage import read_thresholds

RED, ORANGE, GREEN, GREY = "#d9534f", "#f0ad4e", "#5cb85c", "#999999"
STATUS_COLOUR = {"PASS": GREEN, "WARN": ORANGE, "FAIL": RED}
KING_CUTOFFS = (
    (0.354, "duplicate / MZ"),
    (0.177, "first degree"),
    (0.0884, "second"),
    (0.0442, "third"),
)


def _line(value: float, colour: str, label: str) -> dict:
    return {"value": value, "color": colour, "dash": "dash", "width": 2, "label": label}


def _number(value) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def contamination_section(rows: list[dict], rule: dict | None) -> dict:
    """Contamination (%) per sample, with the gate's limits."""
    data = {}
    for r in rows:
        value = _number(r.get("cross_contamination_rate"))
        if value is not None:
            data[r["sample"]] = {"contamination": round(100 * value, 4)}
    lines = []
    for key, colour, word in (("fail_above", RED, "FAIL"), ("warn_above", ORANGE, "WARN")):
        if rule and key in rule:
            lines.append(_line(100 * rule[key], colour, f"{word} above {100 * rule[key]:g}%"))
    missing = [r["sample"] for r in rows if _number(r.get("cross_contamination_rate")) is None]
    note = (
        f" No estimate for {', '.join(missing)} (no population allele frequencies, "
        "qc.population_af, or too few informative sites)."
        if missing
        else ""
    )
    return {
        "id": "contamination_plot",
        "section_name": "Contamination",
        "description": (
            "Cross-sample contamination estimated from the sample's own reads at common "
            "population SNVs (CHARR-style; docs/qc.md), with the gate's limits." + note
        ),
        "plot_type": "bargraph",
        "pconfig": {
            "id": "contamination_bargraph",
            "title": "Contamination per sample",
            "ylab": "Contamination (%)",
            "cpswitch": False,
            "tt_decimals": 3,
            # the bars are horizontal: their values run along x
            "x_lines": lines,
        },
        "categories": {"contamination": {"name": "Contamination", "color": "#7cb5ec"}},
        "data": data,
    }


def coverage_curves(thresholds: dict[str, str], max_depth: int = 60) -> dict[str, dict]:
    """{sample: {depth: % of autosomal bases at >= depth}} from the mosdepth thresholds
    files the gate reads (its pct_autosomes_15x is the value at 15)."""
    curves = {}
    for sample, path in thresholds.items():
        counts = read_thresholds(path).get("autosome")
        if counts is None or not counts[0]:
            continue
        pct = 100.0 * counts[: max_depth + 1] / counts[0]
        curves[sample] = {d: round(float(pct[d]), 3) for d in range(1, max_depth + 1)}
    return curves


def coverage_section(curves: dict[str, dict], rules: dict) -> dict:
    """The share of autosomal bases at >= each depth, with the gate's 15x and 95%."""
    x_lines, y_lines = [], []
    mean_rule = rules.get("mean_autosome_coverage", {})
    if "fail_below" in mean_rule:
        x_lines.append(_line(mean_rule["fail_below"], GREY, f"mean {mean_rule['fail_below']:g}x"))
    pct_rule = rules.get("pct_autosomes_15x", {})
    x_lines.append(_line(15, RED, "15x"))
    if "fail_below" in pct_rule:
        y_lines.append(_line(pct_rule["fail_below"], RED, f"{pct_rule['fail_below']:g}% at 15x"))
    return {
        "id": "autosomal_coverage",
        "section_name": "Autosomal coverage",
        "description": (
            "Share of autosomal bases (N gaps excluded) covered at least N times, counting "
            "primary, non-duplicate reads with MAPQ >= 20, mate overlaps once, depth capped "
            "at 250x: the gate's definition (GA4GH), so the value at 15x is the verdict "
            "table's pct_autosomes_15x. (mosdepth's own plot covers every contig and is not "
            "shown)."
        ),
        "plot_type": "linegraph",
        "pconfig": {
            "id": "autosomal_coverage_plot",
            "title": "Autosomal coverage (the gate's definition)",
            "xlab": "Depth (x)",
            "ylab": "Autosomal bases at >= depth (%)",
            "ymin": 0,
            "ymax": 100,
            "xmin": 0,
            "x_lines": x_lines,
            "y_lines": y_lines,
        },
        "data": curves,
    }


def sex_section(sex: dict[str, dict]) -> dict:
    """X against Y depth (relative to the autosomes) with the karyotype regions the sex
    check uses; points labelled by sample, coloured by outcome."""
    data = {}
    thresholds: dict = {}
    outcome_colour = {"match": GREEN, "mismatch": RED}
    for sample, s in sex.items():
        x, y = s.get("x_autosome_ratio"), s.get("y_autosome_ratio")
        if x is None:
            continue
        thresholds = s.get("thresholds") or thresholds
        outcome = s.get("sex_check") or "not available"
        # matches share one legend entry; each other sample is named in the legend
        group = (
            "match"
            if outcome == "match"
            else f"{outcome}: {sample} (declared {s.get('declared_sex')}, {s.get('karyotype')})"
        )
        data[sample] = {
            "x": round(x, 4),
            "y": round(y or 0.0, 4),
            "color": outcome_colour.get(outcome, ORANGE),
            "group": group,
        }
    x_lines, y_lines, x_bands = [], [], []
    if thresholds:
        lo, hi = thresholds.get("xy_x_range", [None, None])
        if lo is not None:
            x_bands.append({"from_": lo, "to": hi, "color": "#d9edf7", "opacity": 0.6})
        if thresholds.get("xx_min_x") is not None:
            x_lines.append(_line(thresholds["xx_min_x"], GREY, "XX above"))
        if thresholds.get("y_present_min") is not None:
            y_lines.append(_line(thresholds["y_present_min"], GREY, "Y present above"))
        if thresholds.get("y_absent_max") is not None:
            y_lines.append(_line(thresholds["y_absent_max"], GREY, "no Y below"))
    return {
        "id": "sex_check",
        "section_name": "Sex check",
        "description": (
            "chrX and chrY depth outside the PARs relative to the autosomes. XX: X above the "
            "XX line and no Y; XY: X in the blue band and Y above the Y line (X "
            "heterozygosity decides between them where depth cannot). Green: the inferred "
            "karyotype matches the declared sex; red: it does not; orange: aneuploidy, "
            "ambiguous or undeclared."
        ),
        "plot_type": "scatter",
        "pconfig": {
            "id": "sex_check_scatter",
            "showlegend": True,  # the legend names the samples that stand out
            "title": "Sex check: X vs Y depth",
            "xlab": "chrX / autosome depth",
            "ylab": "chrY / autosome depth",
            "xmin": 0,
            "ymin": 0,
            "x_lines": x_lines,
            "y_lines": y_lines,
            "x_bands": x_bands,
        },
        "data": data,
    }


def kinship_section(pairs: list[dict]) -> dict:
    """KING kinship against IBS0 for the pairs of the joint call set, with the degree
    cut-offs."""
    data = {}
    for p in pairs:
        name = f"{p['sample_1']} & {p['sample_2']}"
        kinship, ibs0 = _number(p.get("kinship")), _number(p.get("ibs0"))
        if kinship is None or ibs0 is None:
            continue
        degree = next((d for cut, d in KING_CUTOFFS if kinship > cut), "")
        data[name] = {
            "x": round(ibs0, 5),
            "y": round(kinship, 5),
            "color": RED if degree else GREY,
            # each related pair is named in the legend; the others share one entry
            "group": f"{degree}: {name}" if degree else "unrelated",
        }
    return {
        "id": "kinship_plot",
        "section_name": "Kinship",
        "description": (
            "KING-robust kinship against the share of sites where the two share no allele "
            "(IBS0), for the cohort's pairs (every pair in a cohort of up to 64 samples; "
            "beyond, the pairs third-degree or closer). Cut-offs: > 0.354 duplicate/MZ, "
            "> 0.177 first degree (parent-child: IBS0 near 0; siblings: above), > 0.0884 "
            "second, > 0.0442 third."
        ),
        "plot_type": "scatter",
        "pconfig": {
            "id": "kinship_scatter",
            "showlegend": True,  # the legend names the samples that stand out
            "title": "Kinship vs IBS0",
            "xlab": "IBS0",
            "ylab": "KING kinship",
            "xmin": 0,
            "y_lines": [
                _line(cut, RED if cut > 0.1 else ORANGE, name) for cut, name in KING_CUTOFFS
            ],
        },
        "data": data,
    }


def mad_bounds(values: list[float], k: float) -> tuple[float, float] | None:
    """median -+ k scaled MADs (the limits refcohort.qc.relatedness.mad_outliers uses)."""
    x = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if len(x) < 3:
        return None
    median = float(np.median(x))
    mad = float(np.median(np.abs(x - median)))
    return (median - k * 1.4826 * mad, median + k * 1.4826 * mad) if mad else None


def outliers_section(cohort: list[dict], mad_k: float, min_samples: int) -> dict:
    """Heterozygosity against call rate per joint-called sample, with the outlier limits."""
    data = {}
    het = [_number(r.get("het_rate")) for r in cohort]
    call = [_number(r.get("call_rate")) for r in cohort]
    for r, h, c in zip(cohort, het, call):
        if h is None or c is None:
            continue
        flagged = r.get("het_outlier") == "true" or r.get("call_rate_outlier") == "true"
        data[r["sample"]] = {
            "x": round(c, 5),
            "y": round(h, 5),
            "color": RED if flagged else GREEN,
            "group": f"outlier: {r['sample']}" if flagged else "within the limits",
        }
    judged = len(cohort) >= min_samples
    x_lines, y_lines = [], []
    if judged:
        hb, cb = mad_bounds(het, mad_k), mad_bounds(call, mad_k)
        if hb:
            y_lines += [_line(hb[0], RED, "het low"), _line(hb[1], RED, "het high")]
        if cb:
            x_lines.append(_line(cb[0], RED, "call rate low"))
    return {
        "id": "outliers_plot",
        "section_name": "Heterozygosity and call rate",
        "description": (
            "Per joint-called sample: the share of its called good-quality autosomal SNVs "
            "that are heterozygous, and its call rate, with the outlier limits (median +- "
            f"{mad_k:g} scaled MADs; red: an outlier, e.g. contamination or a low-quality "
            "sample). "
            + ("" if judged else f"Outliers are not judged below {min_samples} samples.")
        ),
        "plot_type": "scatter",
        "pconfig": {
            "id": "outliers_scatter",
            "showlegend": True,  # the legend names the samples that stand out
            "title": "Heterozygosity vs call rate",
            "xlab": "Call rate",
            "ylab": "Heterozygous share of called SNVs",
            "x_lines": x_lines,
            "y_lines": y_lines,
        },
        "data": data,
    }


def versions_file(versions: dict[str, str]) -> dict:
    """MultiQC's software-versions file (``*_mqc_versions.yaml``): {tool: version}."""
    return {tool: str(version) for tool, version in versions.items()}
