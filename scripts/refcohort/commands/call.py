"""Small-variant calling with bcftools (the default engine): the per-sample
genotype-likelihood gVCF and the joint genotyping of the gated samples."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..contigs import BCFTOOLS_PLOIDY_NAMES
from . import extra_options

# ------------------------------------------------------------------ options
MPILEUP_ANNOTATE = "FORMAT/AD,FORMAT/DP,FORMAT/QS,FORMAT/SP,INFO/AD"


def mpileup_options(calling: dict) -> str:
    """bcftools mpileup options from config `calling`: quality floors, depth cap, gVCF
    depth bands and the free-text extras."""
    c = calling
    depths = ",".join(str(d) for d in c["gvcf_depth_bands"])
    return (
        f"--min-MQ {c['min_mapq']} --min-BQ {c['min_baseq']} --max-depth {c['max_depth']}"
        f" --gvcf {depths} {extra_options(c.get('mpileup_extra'))}"
    )


def ploidy_file(ploidy: str) -> str | None:
    """The configured ploidy file, or None for a bcftools built-in ploidy name."""
    return None if ploidy in BCFTOOLS_PLOIDY_NAMES else ploidy


def ploidy_option(ploidy: str, base: str | Path | None = None) -> str:
    """``--ploidy NAME`` or ``--ploidy-file PATH`` (a relative path taken from ``base``
    when given)."""
    path = ploidy_file(ploidy)
    if path is None:
        return f"--ploidy {ploidy}"
    if base is not None and not Path(path).is_absolute():
        path = str(Path(base) / path)
    return f"--ploidy-file {shlex.quote(path)}"


def soft_filter_options(filters: list[dict]) -> str:
    """The NAME EXPRESSION pairs of the configured soft filters, for
    scripts/soft_filters.sh (one `bcftools filter -m+ -s NAME -e EXPR` each)."""
    return " ".join(f"{shlex.quote(f['name'])} {shlex.quote(f['expression'])}" for f in filters)


# ------------------------------------------------------------------ per sample
BCFTOOLS_MPILEUP = (
    "bcftools mpileup --fasta-ref {input.fasta:q} --regions-file {input.regions:q}"
    f" --annotate {MPILEUP_ANNOTATE} {{params.options}}"
    " -Oz -o {output.gvcf:q} {input.cram:q}"
    " && tabix -p vcf {output.gvcf:q}"
)
BCFTOOLS_MPILEUP_RULE = f"({BCFTOOLS_MPILEUP}) 2> {{log:q}}"
BCFTOOLS_CONCAT_GVCF = (
    "bcftools concat --naive -Oz -o {output.gvcf:q} {input.gvcfs:q} && tabix -p vcf {output.gvcf:q}"
)
BCFTOOLS_CONCAT_GVCF_RULE = (
    f"({BCFTOOLS_CONCAT_GVCF} && md5sum {{output.gvcf:q}} > {{output.md5:q}}) 2> {{log:q}}"
)

# ------------------------------------------------------------------ joint genotyping
# Per shard: merge the gated samples' gVCFs over the shard, call with sex-aware ploidy,
# keep calls whose POS lies in the shard (before left-alignment), left-align
# (multi-allelic sites stay one record), drop unused alleles and <*>, soft filters.
JOINT_CALL = (
    "bcftools merge --gvcf {input.fasta:q} --regions-file {input.regions:q} -Ou"
    " --file-list <(printf '%s\\n' {input.gvcfs:q})"
    " | bcftools call --multiallelic-caller --variants-only --annotate GQ"
    " {params.ploidy} --samples-file {input.sexes:q} {params.call_extra} -Ou"
    " | bcftools view --targets-file {input.regions:q} --targets-overlap 0 -Ou"
    " | bcftools norm --fasta-ref {input.fasta:q} -Ou"
    " | bcftools view --trim-alt-alleles -Ou"
    " | bcftools view --exclude 'ALT=\"<*>\"' -Ou"
    " | bash {params.soft_filters:q} {params.filters}"
    " | bcftools view -Oz -o {output.vcf:q}"
    " && tabix -p vcf {output.vcf:q}"
)
JOINT_CALL_RULE = f"({JOINT_CALL}) 2> {{log:q}}"
# --allow-overlaps: left-alignment can move an indel before its shard's start
CONCAT_COHORT = (
    "bcftools concat --allow-overlaps -Oz -o {output.vcf:q} {input.vcfs:q}"
    " && tabix -p vcf {output.vcf:q}"
)
CONCAT_COHORT_RULE = f"({CONCAT_COHORT} && md5sum {{output.vcf:q}} > {{output.md5:q}}) 2> {{log:q}}"
