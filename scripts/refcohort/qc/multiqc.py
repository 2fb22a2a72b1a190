"""MultiQC custom content for QA staff: the gate's verdicts with the GA4GH metrics and
thresholds, the samples left out of joint genotyping and why, a sex-check plot and the
relatedness table. Writes ``*_mqc.yaml`` files that MultiQC picks up as sections.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from ..io import read_tsv

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


def verdicts_section(rows: list[dict], thresholds: dict[str, dict]) -> dict:
    metrics = [c for c in rows[0] if c not in TEXT_COLUMNS] if rows else []
    headers = {
        "status": {
            "title": "Status",
            "description": "Gate verdict",
            "cond_formatting_rules": STATUS_RULES,
            "cond_formatting_colours": STATUS_COLOURS,
        },
        "joint_calling": {
            "title": "Joint calling",
            "description": "Whether the sample entered joint genotyping",
        },
        "reasons": {"title": "Reasons", "description": "Every threshold the sample broke"},
        "override": {
            "title": "Override",
            "description": "Justification of a forced inclusion (qc.overrides)",
        },
        "source": {
            "title": "Source",
            "description": (
                "Where the reads came from: FASTQ, or the CRAM/BAM/uBAM that was realigned"
            ),
        },
        "karyotype": {
            "title": "Karyotype",
            "description": "Inferred from X/Y depth and X heterozygosity",
        },
        "sex_check": {"title": "Sex check", "description": "Declared sex vs inferred karyotype"},
    }
    for metric in metrics:
        rule = thresholds.get(metric)
        headers[metric] = {
            "title": metric,
            "description": f"GA4GH {metric}" + (f"; gate: {rule_text(rule)}" if rule else ""),
            "format": "{:,.4g}",
        }
    data = {}
    for row in rows:
        data[row["sample"]] = {
            k: (number(v) if k in metrics else v) for k, v in row.items() if k != "sample"
        }
    policy = "; ".join(f"{m}: {rule_text(r)}" for m, r in thresholds.items())
    return {
        "id": "sample_qc_verdicts",
        "section_name": "Sample QC verdicts",
        "description": (
            "PASS, WARN or FAIL per sample from the GA4GH WGS QC metrics. FAIL samples are "
            f"left out of joint genotyping unless overridden. Thresholds applied: {policy}."
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "sample_qc_verdicts_table",
            "title": "Sample QC verdicts",
            "col1_header": "Sample",
            "scale": False,
        },
        "headers": headers,
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


def sex_section(sex: dict[str, dict]) -> dict:
    data = {}
    for sample, s in sex.items():
        x, y = s.get("x_autosome_ratio"), s.get("y_autosome_ratio")
        if x is None:
            continue
        colour = {"match": "#5cb85c", "mismatch": "#d9534f"}.get(s.get("sex_check"), "#f0ad4e")
        data[sample] = {"x": round(x, 4), "y": round(y or 0.0, 4), "color": colour}
    return {
        "id": "sex_check",
        "section_name": "Sex check",
        "description": (
            "chrX and chrY depth (outside the PARs) relative to the autosomes: XX near (1, 0), "
            "XY near (0.5, 0.5). Green: matches the declared sex; red: mismatch; orange: "
            "aneuploidy, ambiguous or undeclared."
        ),
        "plot_type": "scatter",
        "pconfig": {
            "id": "sex_check_scatter",
            "title": "Sex check: X vs Y depth",
            "xlab": "chrX / autosome depth",
            "ylab": "chrY / autosome depth",
            "xmin": 0,
            "ymin": 0,
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


def general_stats(rows: list[dict]) -> dict:
    return {
        "id": "qc_gate",
        "plot_type": "generalstats",
        "pconfig": [
            {
                "qc_status": {
                    "title": "QC",
                    "description": "Sample QC gate verdict",
                    "cond_formatting_rules": STATUS_RULES,
                    "cond_formatting_colours": STATUS_COLOURS,
                }
            },
            {"joint_calling": {"title": "Joint", "description": "Included in joint genotyping"}},
        ],
        "data": {
            r["sample"]: {"qc_status": r["status"], "joint_calling": r["joint_calling"]}
            for r in rows
        },
    }


def write_yaml(path: str, content: dict) -> None:
    Path(path).write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True))


def main(smk) -> None:
    """Rule qc_report: input table, sex (JSONs), relatedness, cohort; output verdicts,
    excluded, sex, relatedness, general (the *_mqc.yaml sections); params thresholds,
    min_outlier_samples; log."""
    sys.stderr = open(smk.log[0], "w")
    rows = read_tsv(smk.input.table)
    sex = {
        Path(p).name.removesuffix(".json"): json.loads(Path(p).read_text()) for p in smk.input.sex
    }
    write_yaml(smk.output.verdicts, verdicts_section(rows, dict(smk.params.thresholds)))
    write_yaml(smk.output.excluded, excluded_section(rows))
    write_yaml(smk.output.sex, sex_section(sex))
    write_yaml(
        smk.output.relatedness,
        relatedness_section(
            read_tsv(smk.input.relatedness),
            read_tsv(smk.input.cohort),
            int(smk.params.min_outlier_samples),
        ),
    )
    write_yaml(smk.output.general, general_stats(rows))
