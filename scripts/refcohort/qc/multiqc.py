"""MultiQC custom content for QA staff: the gate's verdicts with the GA4GH metrics and
thresholds, the samples left out of joint genotyping and why, a sex-check plot and the
relatedness table. Writes ``*_mqc.yaml`` files that MultiQC picks up as sections.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .definitions import DEFINITIONS

STATUS_RULES = {"pass": [{"s_eq": "PASS"}], "warn": [{"s_eq": "WARN"}], "fail": [{"s_eq": "FAIL"}]}
STATUS_COLOURS = [{"pass": "#5cb85c"}, {"warn": "#f0ad4e"}, {"fail": "#d9534f"}]
TEXT_COLUMNS = {
    "sample",
    "status",
    "reasons",
    "override",
    "joint_calling",
    "source",
    "declared_sex",
    "karyotype",
    "sex_check",
    "structure",
}


def number(value: str):
    """A float for numeric table cells, None for NA, the text otherwise."""
    if value in ("", "NA", None):
        return None
    try:
        return float(value)
    except ValueError:
        return value


def rule_text(rule: dict) -> str:
    parts = []
    for key, word in (
        ("fail_below", "FAIL below"),
        ("fail_above", "FAIL above"),
        ("warn_below", "WARN below"),
        ("warn_above", "WARN above"),
    ):
        if key in rule:
            parts.append(f"{word} {rule[key]:g}")
    return ", ".join(parts)


# The verdict table's metric columns: title, format, shown by default (the others are one
# click away under "Configure columns"). Titles say the unit; descriptions (on hover) give
# the GA4GH definition and the gate's rule.
METRIC_COLUMNS = {
    "mean_autosome_coverage": ("Mean cov. autosomes (x)", "{:,.1f}", True),
    "pct_autosomes_15x": ("Autosomes >= 15x (%)", "{:,.2f}", True),
    "cross_contamination_rate": ("Contamination (%)", "{:,.3f}", True),
    "pct_duplication": ("Duplicates (%)", "{:,.2f}", True),
    "pct_reads_mapped": ("Mapped (%)", "{:,.2f}", True),
    "pct_reads_properly_paired": ("Properly paired (%)", "{:,.2f}", True),
    "pct_chimeras": ("Chimeras (%)", "{:,.2f}", True),
    "bases_q30": ("Q30 bases (Gb)", "{:,.2f}", True),
    "ratio_het_hom_snv": ("Het/hom SNV", "{:,.2f}", True),
    "ratio_ti_tv": ("Ti/Tv", "{:,.2f}", True),
    "count_snvs": ("SNVs", "{:,.0f}", False),
    "count_insertions": ("Insertions", "{:,.0f}", False),
    "count_deletions": ("Deletions", "{:,.0f}", False),
    "ratio_ins_del": ("Ins/del", "{:,.2f}", False),
    "ratio_het_hom_indel": ("Het/hom indel", "{:,.2f}", False),
    "genome_coverage_uniformity": ("Coverage MAD (x)", "{:,.1f}", False),
    "mean_insert_size": ("Insert size (bp)", "{:,.0f}", False),
    "insert_size_std": ("Insert size SD (bp)", "{:,.0f}", False),
    "x_autosome_ratio": ("X / autosomes", "{:,.3f}", False),
    "y_autosome_ratio": ("Y / autosomes", "{:,.3f}", False),
    "x_het_ratio": ("X het ratio", "{:,.2f}", False),
    "count_sv_del": ("SV deletions", "{:,.0f}", False),
    "count_sv_dup": ("SV duplications", "{:,.0f}", False),
    "count_sv_inv": ("SV inversions", "{:,.0f}", False),
    "count_sv_ins": ("SV insertions", "{:,.0f}", False),
    "count_sv_bnd": ("SV breakends", "{:,.0f}", False),
}
# display scale of a metric's value (and of its thresholds) in the table
SCALE = {"cross_contamination_rate": 100.0, "bases_q30": 1e-9}
TEXT_HEADERS = {
    "status": ("Status", "Gate verdict"),
    "joint_calling": ("Joint calling", "Whether the sample entered joint genotyping"),
    "reasons": ("Reasons", "Every threshold the sample broke, FAIL first"),
    "override": ("Override", "Justification of a forced inclusion (qc.overrides)"),
    "karyotype": ("Karyotype", "Inferred from X/Y depth and X heterozygosity"),
    "sex_check": ("Sex check", "Declared sex vs inferred karyotype"),
    "declared_sex": ("Declared sex", "From samples.tsv"),
    "source": ("Source", "Where the reads came from: FASTQ, or the CRAM/BAM/uBAM realigned"),
    "structure": (
        "Ancestry",
        "Cohort structure on the joint calls: WARN when far from the declared population's "
        "cluster on the PCs (docs/structure.md)",
    ),
}


def scaled(metric: str, value):
    """A table value in its display unit (contamination in %, Q30 bases in Gb)."""
    x = number(value) if isinstance(value, str) else value
    return x * SCALE.get(metric, 1.0) if isinstance(x, float) else x


def threshold_colours(metric: str, rule: dict | None) -> dict:
    """MultiQC cond_formatting for a metric cell: red where the gate FAILs it, orange
    where it WARNs (the gate's own rule, in the table's unit)."""
    if not rule:
        return {}
    scale = SCALE.get(metric, 1.0)
    rules: dict[str, list] = {"fail": [], "warn": []}
    for key, level, op in (
        ("fail_below", "fail", "lt"),
        ("fail_above", "fail", "gt"),
        ("warn_below", "warn", "lt"),
        ("warn_above", "warn", "gt"),
    ):
        if key in rule:
            rules[level].append({op: rule[key] * scale})
    rules = {k: v for k, v in rules.items() if v}
    return {
        "cond_formatting_rules": rules,
        "cond_formatting_colours": [{"fail": "#d9534f"}, {"warn": "#f0ad4e"}],
    }


def verdicts_section(rows: list[dict], thresholds: dict[str, dict]) -> dict:
    metrics = [c for c in rows[0] if c not in TEXT_COLUMNS] if rows else []
    headers: dict[str, dict] = {}
    for column in ("status", "joint_calling", "reasons", "override"):
        title, description = TEXT_HEADERS[column]
        headers[column] = {"title": title, "description": description}
    headers["status"].update(
        {"cond_formatting_rules": STATUS_RULES, "cond_formatting_colours": STATUS_COLOURS}
    )
    ordered = [m for m in METRIC_COLUMNS if m in metrics] + [
        m for m in metrics if m not in METRIC_COLUMNS
    ]
    for metric in ordered:
        title, fmt, shown = METRIC_COLUMNS.get(metric, (metric, "{:,.4g}", False))
        rule = thresholds.get(metric)
        headers[metric] = {
            "title": title,
            "description": DEFINITIONS.get(metric, metric)
            + (f" Gate: {rule_text(rule)}." if rule else ""),
            "format": fmt,
            "hidden": not shown,
            "scale": False,
            **threshold_colours(metric, rule),
        }
    for column in ("structure", "karyotype", "sex_check", "declared_sex", "source"):
        if column not in (rows[0] if rows else {}) and column == "structure":
            continue
        title, description = TEXT_HEADERS[column]
        headers[column] = {"title": title, "description": description}
    if "structure" in headers:
        headers["structure"].update(
            {"cond_formatting_rules": STATUS_RULES, "cond_formatting_colours": STATUS_COLOURS}
        )
    headers["sex_check"].update(
        {
            "cond_formatting_rules": {"pass": [{"s_eq": "match"}], "fail": [{"s_eq": "mismatch"}]},
            "cond_formatting_colours": STATUS_COLOURS,
        }
    )
    data = {}
    for row in rows:
        data[row["sample"]] = {
            k: (scaled(k, v) if k in metrics else v)
            for k, v in row.items()
            if k != "sample" and k in headers
        }
    policy = "; ".join(f"{m}: {rule_text(r)}" for m, r in thresholds.items())
    return {
        "id": "sample_qc_verdicts",
        "section_name": "Sample QC verdicts",
        "description": (
            "PASS, WARN or FAIL per sample from the GA4GH WGS QC metrics, each value as the "
            "gate computed it (red: breaks a FAIL rule, orange: a WARN rule). FAIL samples "
            "are left out of joint genotyping unless overridden; a sample whose processing "
            "failed is FAIL with the step and its log line. Ancestry: the cohort-structure "
            "check after joint calling, whose WARN is added here (results/qc/structure.tsv; "
            "results/qc/sample_qc.tsv keeps the gate's own verdict). More metrics: Configure "
            f"columns. Thresholds applied: {policy}."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "sample_qc_verdicts_table",
            "title": "Sample QC verdicts",
            "col1_header": "Sample",
            "scale": False,
            "no_violin": True,
        },
        "headers": {k: headers[k] for k in headers},
        "data": data,
    }


def excluded_section(rows: list[dict]) -> dict:
    excluded = [r for r in rows if r["joint_calling"] == "excluded"]
    forced = [r for r in rows if r["override"]]
    text = (
        f"{len(excluded)} of {len(rows)} samples were left out of joint genotyping."
        if excluded
        else "No sample was left out of joint genotyping."
    )
    if forced:
        text += (
            " Forced in by override: "
            + ", ".join(f"{r['sample']} ({r['override']})" for r in forced)
            + "."
        )
    data = {r["sample"]: {"status": r["status"], "reasons": r["reasons"]} for r in excluded}
    if not data:
        data = {"(none)": {"status": "", "reasons": "no sample excluded"}}
    return {
        "id": "excluded_samples",
        "section_name": "Samples left out of joint genotyping",
        "description": text,
        "plot_type": "table",
        "pconfig": {
            "id": "excluded_samples_table",
            "title": "Excluded samples",
            "col1_header": "Sample",
            "scale": False,
        },
        "headers": {
            "status": {
                "title": "Status",
                "cond_formatting_rules": STATUS_RULES,
                "cond_formatting_colours": STATUS_COLOURS,
            },
            "reasons": {"title": "Reasons"},
        },
        "data": data,
    }


def relatedness_section(
    pairs: list[dict], cohort: list[dict], min_outlier_samples: int = 10
) -> dict:
    outliers = [
        r["sample"]
        for r in cohort
        if r.get("het_outlier") == "true" or r.get("call_rate_outlier") == "true"
    ]
    judged = len(cohort) >= min_outlier_samples
    data = {
        f"{p['sample_1']} & {p['sample_2']}": {
            "degree": p["degree"],
            "kinship": float(p["kinship"]),
            "ibs0": float(p["ibs0"]),
            "n_sites": int(p["n_sites"]),
        }
        for p in pairs
    }
    if not data:
        data = {"(none)": {"degree": "no pair third-degree or closer"}}
    return {
        "id": "relatedness",
        "section_name": "Relatedness",
        "description": (
            "KING-robust kinship on the joint-called cohort (good-quality biallelic autosomal "
            "SNVs): pairs third-degree or closer. Cut-offs: > 0.354 duplicate/MZ, > 0.177 "
            "first, > 0.0884 second, > 0.0442 third. "
        )
        + (
            f"Heterozygosity or call-rate outliers (MAD): {', '.join(outliers)}."
            if outliers
            else "No heterozygosity or call-rate outlier (MAD)."
            if judged
            else f"Outliers are not judged below {min_outlier_samples} joint-called samples."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "relatedness_table",
            "title": "Related pairs",
            "col1_header": "Pair",
            "scale": False,
        },
        "headers": {
            "degree": {"title": "Degree"},
            "kinship": {"title": "Kinship", "format": "{:.4f}"},
            "ibs0": {"title": "IBS0", "format": "{:.4f}"},
            "n_sites": {"title": "Sites", "format": "{:,.0f}"},
        },
        "data": data,
    }


# The gate's own values in General Statistics, where QA staff compare samples (the tools'
# columns that use other definitions are hidden in workflow/report/multiqc_config.yaml).
GENERAL_COLUMNS = (
    "mean_autosome_coverage",
    "pct_autosomes_15x",
    "cross_contamination_rate",
    "pct_duplication",
    "pct_reads_properly_paired",
    "ratio_ti_tv",
)


def general_stats(rows: list[dict], thresholds: dict[str, dict] | None = None) -> dict:
    thresholds = thresholds or {}
    columns: list[dict] = [
        {
            "qc_status": {
                "title": "QC",
                "description": "Sample QC gate verdict",
                "cond_formatting_rules": STATUS_RULES,
                "cond_formatting_colours": STATUS_COLOURS,
            }
        },
        {"joint_calling": {"title": "Joint", "description": "Included in joint genotyping"}},
    ]
    for metric in GENERAL_COLUMNS:
        title, fmt, _ = METRIC_COLUMNS[metric]
        rule = thresholds.get(metric)
        columns.append(
            {
                metric: {
                    "title": title,
                    "description": "The QC gate's value: "
                    + DEFINITIONS[metric]
                    + (f" Gate: {rule_text(rule)}." if rule else ""),
                    "format": fmt,
                    "scale": False,
                    **threshold_colours(metric, rule),
                }
            }
        )
    return {
        "id": "qc_gate",
        "plot_type": "generalstats",
        "pconfig": columns,
        "data": {
            r["sample"]: {
                "qc_status": r["status"],
                "joint_calling": r["joint_calling"],
                **{m: scaled(m, r.get(m)) for m in GENERAL_COLUMNS},
            }
            for r in rows
        },
    }


def write_yaml(path: str, content: dict) -> None:
    Path(path).write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))


def first(paths) -> str | None:
    """The one file of an optional input (a list of none or one), or None."""
    return paths[0] if len(paths) else None
