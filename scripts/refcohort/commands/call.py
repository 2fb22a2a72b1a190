"""Small-variant calling with bcftools (the default engine): the per-sample
genotype-likelihood gVCF and the joint genotyping of the gated samples."""

from __future__ import annotations

import shlex
from pathlib import Path

from ..contigs import BCFTOOLS_PLOIDY_NAMES
from . import extra_options
from .align import HTS_LOG_CHECK

SEAL_GVCF = "bash {params.scripts:q}/seal_deliverable.sh {output.gvcf:q}"

# ------------------------------------------------------------------ options
# The annotations the gVCF keeps beyond mpileup's PL and INFO/I16, QS, DP (what `call -m`
# reads): AD and DP per sample (the QC's contamination and sex checks read FORMAT/AD).
MPILEUP_ANNOTATE = "FORMAT/AD,FORMAT/DP"
# mpileup's default annotations that nothing downstream reads (neither call -m, nor the
# soft filters, QC or release): dropped from the compact gVCF
UNUSED_ANNOTATIONS = (
    "INFO/VDB,INFO/SGB,INFO/RPBZ,INFO/MQBZ,INFO/MQSBZ,INFO/BQBZ,INFO/NMBZ,INFO/SCBZ,INFO/FS,"
    "INFO/MQ0F"
)
# The full gVCF as mpileup writes it (before the compact form; for comparisons)
FULL_ANNOTATE = "FORMAT/AD,FORMAT/DP,FORMAT/QS,FORMAT/SP,INFO/AD"


# Genotype-quality bands of the compact gVCF's reference blocks: a site less than 99% sure
# to be 0/0 (GQ < 20, GATK's lowest reblocking band) never shares a block with confident
# ones. Measured on the demo (docs/joint-calling.md): GQ bands 20 / 20,40 / 20,30,40 give
# the same joint genotypes, and the finer bands 7% larger gVCFs.
GQ_BANDS = "20"


def gvcf_bands(calling: dict) -> str:
    """The gVCF depth bands (mpileup --gvcf thresholds) as a comma-separated list."""
    return ",".join(str(d) for d in calling["gvcf_depth_bands"])


def mpileup_options(calling: dict) -> str:
    """bcftools mpileup options from config `calling`: quality floors, depth cap, gVCF
    depth bands and the free-text extras."""
    c = calling
    return (
        f"--min-MQ {c['min_mapq']} --min-BQ {c['min_baseq']} --max-depth {c['max_depth']}"
        f" --gvcf {gvcf_bands(c)} {extra_options(c.get('mpileup_extra'))}"
    )


def mpileup_params(calling: dict) -> dict[str, str]:
    """Rule bcftools_mpileup's params (the benchmarks' too): the mpileup options and the
    depth and GQ bands of scripts/fold_gvcf.awk."""
    return {
        "options": mpileup_options(calling),
        "bands": gvcf_bands(calling),
        "gq_bands": GQ_BANDS,
    }


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
# The compact gVCF, streamed: mpileup's genotype likelihoods, the unused annotations
# dropped, single-read noise folded into the reference blocks around it
# (scripts/fold_gvcf.awk; docs/joint-calling.md), bgzip.
BCFTOOLS_MPILEUP = (
    "bcftools mpileup --fasta-ref {input.fasta:q} --regions-file {input.regions:q}"
    f" --annotate {MPILEUP_ANNOTATE} {{params.options}} -Ou {{input.cram:q}}"
    f" | bcftools annotate --remove {UNUSED_ANNOTATIONS} -Ov"
    " | awk -v bands={params.bands} -v gq_bands={params.gq_bands}"
    " -f {params.scripts:q}/fold_gvcf.awk"
    " | bgzip --compress-level 9 -c > {output.gvcf:q}"
    " && tabix -p vcf {output.gvcf:q}"
)
BCFTOOLS_MPILEUP_RULE = f"({BCFTOOLS_MPILEUP}) 2> {{log:q}}" + HTS_LOG_CHECK
# mpileup's gVCF as it comes (what the pipeline wrote before the compact form)
BCFTOOLS_MPILEUP_FULL = (
    "bcftools mpileup --fasta-ref {input.fasta:q} --regions-file {input.regions:q}"
    f" --annotate {FULL_ANNOTATE} {{params.options}}"
    " -Oz -o {output.gvcf:q} {input.cram:q}"
    " && tabix -p vcf {output.gvcf:q}"
)
BCFTOOLS_CONCAT_GVCF = "bcftools concat --naive -Oz -o {output.gvcf:q} {input.gvcfs:q}"
# the deliverable: its index and MD5 come from rules of their own (workflow/integrity.smk)
BCFTOOLS_CONCAT_GVCF_RULE = f"({BCFTOOLS_CONCAT_GVCF} && {SEAL_GVCF}) 2> {{log:q}}" + HTS_LOG_CHECK

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
    " | bash {params.scripts:q}/soft_filters.sh {params.filters}"
    " | bcftools view -Oz -o {output.vcf:q}"
    " && tabix -p vcf {output.vcf:q}"
)
JOINT_CALL_RULE = f"({JOINT_CALL}) 2> {{log:q}}" + HTS_LOG_CHECK
# --allow-overlaps: left-alignment can move an indel before its shard's start; the
# header names the cohort freeze (refcohort.freeze)
CONCAT_COHORT = (
    "bcftools concat --allow-overlaps -Ou {input.vcfs:q}"
    " | bcftools annotate --header-lines {input.freeze:q} -Oz -o {output.vcf:q}"
)
CONCAT_COHORT_RULE = (
    f"({CONCAT_COHORT} && bash {{params.scripts:q}}/seal_deliverable.sh {{output.vcf:q}})"
    " 2> {log:q}" + HTS_LOG_CHECK
)
