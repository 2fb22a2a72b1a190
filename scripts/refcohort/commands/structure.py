"""Cohort structure (docs/structure.md): plink2 on the joint calls of the release-eligible
samples, run by ``scripts/structure_pca.sh`` (QC sites, LD pruning and PCA fitted on
the unrelated samples, every eligible sample projected onto the PCs).

The site filters and the LD-pruning options are built here from config; the script
decides what depends on the sample count (plink2 cannot estimate LD from fewer than 50
samples, and recommends its randomized ``--pca approx`` above a few thousand).
"""

from __future__ import annotations

# plink2 estimates LD and allele frequencies only from at least 50 samples (it stops
# with an error below that, unless overridden); the script skips LD pruning then.
LD_MIN_SAMPLES = 50


def site_options(min_qual: float, min_site_call_rate: float) -> str:
    """plink2 filters of the PCA sites: PASS, QUAL, biallelic A/C/G/T SNVs and site call
    rate (plink2 --geno takes the missing share) among the eligible samples. Autosomes
    come from the QC regions (--extract bed0); the minor-allele frequency is taken among
    the unrelated samples the PCA is fitted on (the script's MIN_MAF)."""
    missing = round(1.0 - float(min_site_call_rate), 6)
    return (
        f"--var-filter --var-min-qual {min_qual:g} --snps-only just-acgt --max-alleles 2"
        f" --geno {missing:g}"
    )


def ld_options(window_kb: int, r2: float) -> str:
    """plink2 --indep-pairwise over a window in kb (the step is then unused)."""
    return f"--indep-pairwise {int(window_kb)}kb {r2:g}"


STRUCTURE_PCA = (
    "bash {params.scripts:q}/structure_pca.sh {input.vcf:q} {input.eligible:q}"
    " {input.unrelated:q} {input.autosomes:q} {params.prefix:q} {threads} {resources.mem_mb}"
    " {params.pcs:q} {params.approx_above:q} {params.min_maf:q} {params.sites:q} {params.ld:q}"
)
STRUCTURE_PCA_RULE = f"({STRUCTURE_PCA}) > {{log:q}} 2>&1"
