"""The release's MultiQC section: sites, groups and suppressed counts (custom content)."""

from __future__ import annotations

HEADERS = {
    "status": {
        "title": "Status",
        "cond_formatting_rules": {"pass": [{"s_eq": "published"}], "warn": [{"s_eq": "withheld"}]},
        "cond_formatting_colours": [{"pass": "#5cb85c"}, {"warn": "#f0ad4e"}],
    },
    "individuals": {"title": "Individuals", "format": "{:,.0f}"},
    "records_published": {
        "title": "Sites with AC",
        "description": "Sites where the group's AC is published",
        "format": "{:,.0f}",
    },
    "suppressed_small_count": {
        "title": "Suppressed (small)",
        "description": "Sites where the group's AC is suppressed as a small count",
        "format": "{:,.0f}",
    },
    "suppressed_to_protect": {
        "title": "Suppressed (protect)",
        "description": "Sites where the group's AC is suppressed so that a small count "
        "cannot be recovered by subtraction",
        "format": "{:,.0f}",
    },
    "reason": {"title": "Why withheld"},
}
GROUP_KEYS = (
    "status",
    "individuals",
    "records_published",
    "suppressed_small_count",
    "suppressed_to_protect",
    "reason",
)


def mqc_section(summary: dict[str, object]) -> dict[str, object]:
    """MultiQC custom content: the release's sites, groups and suppressed counts."""
    groups = summary["groups"]
    published = [g for g in groups if g["status"] == "published"]
    withheld = [g for g in groups if g["status"] == "withheld"]
    policy = summary["policy"]
    primary = sum(g["suppressed_small_count"] for g in published)
    secondary = sum(g["suppressed_to_protect"] for g in published)
    structural = summary.get("kind") == "structural variants"
    output = summary.get("output", "results/release/allele_frequencies.vcf.gz")
    records = "SV records" if structural else "PASS biallelic records"
    text = (
        f"{output}: {summary['sites_written']:,} sites "
        f"({summary['records_read']:,} {records} read, "
        f"{summary['monomorphic_in_released']:,} without an alternate allele among the "
        "released samples dropped); "
        f"{summary['samples_released']} of {summary['samples_in_vcf']} joint-called samples "
        "released; "
        f"{len(published)} groups published, {len(withheld)} withheld "
        f"(fewer than {policy['min_group_size']} individuals, or protecting one); "
        f"{primary:,} group counts suppressed as small (rarer allele seen fewer than "
        f"{policy['min_allele_count']} times) "
        f"and {secondary:,} more so that they cannot be recovered by subtraction."
    )
    if summary.get("cohort_freeze"):
        # the header value is '<Number=1,Engine=...>': without the brackets, which the
        # report's HTML would take for a tag and not show
        freeze = summary["cohort_freeze"].strip("<>").replace(",", ", ")
        text += f" Joint calls from cohort freeze {freeze}."
    data = {g["group"]: {k: g[k] for k in GROUP_KEYS} for g in groups}
    if not data:
        data = {"(none)": {"status": "no sample released"}}
    return {
        "id": "sv_release_summary" if structural else "release_summary",
        "section_name": "National release (structural variants)"
        if structural
        else "National release (allele frequencies)",
        "description": text,
        "plot_type": "table",
        "pconfig": {
            "id": "sv_release_summary_table" if structural else "release_summary_table",
            "title": "Release groups",
            "col1_header": "Group",
            "scale": False,
        },
        "headers": HEADERS,
        "data": data,
    }
