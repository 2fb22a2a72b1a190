"""The report's cohort-structure and recruitment sections (MultiQC custom content), the
verdicts as the report shows them (the gate's, with the cohort-structure WARN added),
and the rule that writes every custom section (:func:`main`, rule qc_report).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..io import read_tsv
from . import multiqc, report_plots
from .recruitment import TOTAL
from .structure import NOT_JUDGED, WARN, combined_rows

# declared populations' colours in the PCA plot (sorted codes take them in turn)
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
    "#7f7f7f", "#d62728",
)  # fmt: skip


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def pca_section(rows: list[dict], summary: dict) -> dict:
    """PC1 against PC2 for every release-eligible sample, coloured by declared population
    (one legend entry each), the samples far from their population's cluster named."""
    populations = sorted({r["population"] for r in rows})
    colour = {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(populations)}
    data = {}
    for r in rows:
        x, y = _number(r.get("PC1")), _number(r.get("PC2", "0"))
        if x is None or y is None:
            continue
        point = {"x": round(x, 6), "y": round(y, 6), "color": colour[r["population"]]}
        if r["structure_status"] == WARN:
            point.update(
                group=f"{r['population']}, far from its cluster (WARN)",
                marker_size=14,
                marker_line_width=3,
            )
        else:
            point["group"] = r["population"]
        data[r["sample"]] = point
    tool = summary.get("tool", {})
    limit = f"{summary['max_distance']:g}" if "max_distance" in summary else "?"
    flagged = [r for r in rows if r["structure_status"] == WARN]
    judged = [r for r in rows if r["structure_status"] != NOT_JUDGED]
    text = (
        f"Principal components of {tool.get('pca_sites', '?')} common biallelic autosomal "
        f"SNVs of the joint calls (plink2 --pca, {tool.get('method', '?')}; LD-pruned: "
        f"{tool.get('ld_pruned', '?')}), fitted on {tool.get('fit_samples', '?')} unrelated "
        f"release-eligible samples; their relatives projected onto the PCs. Colour: declared "
        f"population. A sample further than {limit} robust SDs "
        f"from its population's cluster on PC1-PC{summary.get('outlier_pcs', '?')} is WARN "
        "(docs/structure.md). "
    )
    if tool.get("note"):
        text += f"No PCA: {tool['note']}. "
    if flagged:
        text += "Far from their declared population: " + "; ".join(
            f"{r['sample']} (declared {r['population']}, nearest cluster "
            f"{r['nearest_population']}, distance {float(r['distance']):.1f})"
            for r in flagged
        )
        text += ": a possible sample swap or mislabelled metadata."
    elif judged:
        text += f"All {len(judged)} judged samples are within their population's cluster."
    else:
        text += "No sample could be judged (no cluster large enough)."
    if not data:  # no PCA (nothing joint-called, or too few samples): the text alone
        return {
            "id": "structure_pca",
            "section_name": "Cohort structure (PCA)",
            "plot_type": "html",
            "data": f"<p>{text}</p>",
        }
    return {
        "id": "structure_pca",
        "section_name": "Cohort structure (PCA)",
        "description": text,
        "plot_type": "scatter",
        "pconfig": {
            "id": "structure_pca_scatter",
            "showlegend": True,  # the legend names each declared population
            "title": "Cohort structure: PC1 vs PC2",
            "xlab": "PC1",
            "ylab": "PC2",
        },
        "data": data,
    }


def recruitment_section(rows: list[dict], min_group_size: int) -> dict:
    """Achieved against target per population and minority group x sex, gaps red; the
    counts as they may be shared (release.min_group_size), never the exact small ones."""
    data = {}
    for r in rows:
        minority = r["kind"] == "minority"
        label = r["group"]
        if label == TOTAL:
            label = "all minority groups" if minority else "everyone"
        name = f"{label} ({r['sex']})" + (" *" if minority else "")
        shown = r["shown"]
        # a gap shows only where its count does (target - gap would give the count away)
        gap = r["gap"] if shown.isdigit() else ("withheld" if r["status"] == "gap" else "")
        data[name] = {
            "kind": r["kind"],
            "target": int(r["target"]) if r["target"] else "",
            "achieved": shown,
            "gap": gap,
            "status": r["status"],
        }
    gaps = sum(r["status"] == "gap" for r in rows)
    return {
        "id": "recruitment",
        "section_name": "Recruitment coverage",
        "description": (
            "Individuals counted after QC (gate PASS or WARN and joint-called; a duplicate "
            "counted once) per declared population and minority group (* rows: samples.tsv "
            "column minority) and sex, against the targets in config (recruitment). Counts "
            f"follow the release's small-group rule: fewer than {min_group_size} individuals "
            f"show as '< {min_group_size}', and a count that would reveal one by subtraction "
            "as 'withheld' (exact counts: results/qc/recruitment.tsv, the node's own record). "
            + (f"{gaps} target(s) not met (red)." if gaps else "Every target is met.")
        ),
        "plot_type": "table",
        "pconfig": {
            "id": "recruitment_table",
            "title": "Recruitment coverage",
            "col1_header": "Group (sex)",
            "scale": False,
            "no_violin": True,
        },
        "headers": {
            "kind": {"title": "Kind", "description": "population or minority group"},
            "target": {"title": "Target", "format": "{:,.0f}"},
            "achieved": {"title": "Achieved", "description": "Individuals after QC (as shared)"},
            "gap": {"title": "Gap", "description": "Target minus achieved, where it may show"},
            "status": {
                "title": "Status",
                "cond_formatting_rules": {
                    "pass": [{"s_eq": "met"}],
                    "fail": [{"s_eq": "gap"}],
                },
                "cond_formatting_colours": multiqc.STATUS_COLOURS,
            },
        },
        "data": data or {"(none)": {"kind": "", "status": "no sample counted"}},
    }


def main(smk) -> None:
    """Rule qc_report: input table, sex (JSONs), thresholds (mosdepth), recruitment, and
    relatedness, cohort, relatedness_json, structure, structure_json (empty when nothing
    was joint-called); output the *_mqc.yaml sections; params thresholds,
    min_outlier_samples, mad_k, min_group_size, envs, deployment, snakemake_version; log."""
    from ..freeze import pipeline_version
    from ..manifest import tool_versions

    sys.stderr = open(smk.log[0], "w")
    first, write = multiqc.first, multiqc.write_yaml
    thresholds = dict(smk.params.thresholds)
    structure = read_tsv(first(smk.input.structure))
    rows = combined_rows(read_tsv(smk.input.table), structure)
    sex = {
        Path(p).name.removesuffix(".json"): json.loads(Path(p).read_text()) for p in smk.input.sex
    }
    cohort = read_tsv(first(smk.input.cohort))
    write(smk.output.verdicts, multiqc.verdicts_section(rows, thresholds))
    write(smk.output.excluded, multiqc.excluded_section(rows))
    write(smk.output.sex, report_plots.sex_section(sex))
    write(
        smk.output.relatedness,
        multiqc.relatedness_section(
            read_tsv(first(smk.input.relatedness)), cohort, int(smk.params.min_outlier_samples)
        ),
    )
    write(smk.output.general, multiqc.general_stats(rows, thresholds))
    write(
        smk.output.contamination,
        report_plots.contamination_section(rows, thresholds.get("cross_contamination_rate")),
    )
    curves = report_plots.coverage_curves(
        {Path(p).name.removesuffix(".thresholds.bed.gz"): p for p in smk.input.thresholds}
    )
    write(smk.output.coverage, report_plots.coverage_section(curves, thresholds))
    summary_json = first(smk.input.relatedness_json)
    pairs = json.loads(Path(summary_json).read_text()).get("plot_pairs", []) if summary_json else []
    write(smk.output.kinship, report_plots.kinship_section(pairs))
    write(
        smk.output.outliers,
        report_plots.outliers_section(
            cohort, float(smk.params.mad_k), int(smk.params.min_outlier_samples)
        ),
    )
    structure_json = first(smk.input.structure_json)
    structure_summary = json.loads(Path(structure_json).read_text()) if structure_json else {}
    write(smk.output.pca, pca_section(structure, structure_summary))
    write(
        smk.output.recruitment,
        recruitment_section(read_tsv(smk.input.recruitment), int(smk.params.min_group_size)),
    )
    versions = tool_versions(Path(smk.params.envs), list(smk.params.deployment))
    versions["snakemake"] = smk.params.snakemake_version
    versions["refcohort (this pipeline)"] = pipeline_version().removeprefix("refcohort ")
    write(smk.output.versions, report_plots.versions_file(versions))
