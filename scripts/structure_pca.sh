#!/usr/bin/env bash
# structure_pca.sh VCF ELIGIBLE UNRELATED AUTOSOMES_BED PREFIX THREADS MEMORY_MB N_PCS
#                  APPROX_ABOVE MIN_MAF SITE_OPTIONS LD_OPTIONS
# Cohort structure with plink2 (rule plink2_pca, docs/structure.md):
#   1. PREFIX.sites.{pgen,pvar,psam}: the QC sites (SITE_OPTIONS, on the autosomes of
#      AUTOSOMES_BED) of the joint calls of the samples in ELIGIBLE (one ID a line);
#   2. PREFIX.fit.afreq: allele frequencies of the unrelated samples (UNRELATED) at the
#      sites common among them (MIN_MAF), which every later step reads (so fitting and
#      projecting standardise alike);
#   3. PREFIX.prune.in: the common sites left by LD pruning (LD_OPTIONS) of the unrelated
#      samples, or every common site when there are fewer than 50 of them (plink2 cannot
#      estimate LD from fewer and stops);
#   4. PREFIX.fit.eigenvec(.allele), .eigenval: PCA of the unrelated samples (plink2
#      --pca, or --pca approx above APPROX_ABOVE samples), at most N_PCS and fewer than
#      the samples;
#   5. PREFIX.projected.sscore: every eligible sample (relatives too) projected onto the
#      PCs with the allele weights (plink2 --score ... variance-standardize).
# PREFIX.summary.tsv (key, value: what ran, and why not), .projected.sscore and
# .fit.eigenval are always written (the last two empty when no PCA ran); the genotypes
# of step 1 are removed at the end; plink2's own logs are PREFIX.*.log.
set -euo pipefail
if [[ $# -ne 12 ]]; then
    echo "structure_pca.sh: 12 arguments expected, got $#" >&2
    exit 2
fi
vcf=$1 eligible=$2 unrelated=$3 autosomes=$4 prefix=$5 threads=$6 memory=$7 pcs=$8
approx_above=$9 min_maf=${10} sites=${11} ld=${12}
summary="$prefix.summary.tsv"
mkdir -p "$(dirname "$prefix")"
rm -f "$prefix".*

n_eligible=$(grep -c . "$eligible" || true)
n_fit=$(grep -c . "$unrelated" || true)
finish() { # finish REASON: the summary, then exit 0 (a cohort too small is no error)
    rm -f "$prefix".sites.{pgen,pvar,psam}  # the genotypes (large); the logs stay
    # the rule's outputs exist also when there was no PCA to run
    [[ -e "$prefix.projected.sscore" ]] || printf '#IID\n' > "$prefix.projected.sscore"
    [[ -e "$prefix.fit.eigenval" ]] || : > "$prefix.fit.eigenval"
    {
        printf 'eligible_samples\t%s\nfit_samples\t%s\n' "$n_eligible" "$n_fit"
        printf 'sites\t%s\ncommon_sites\t%s\n' "${n_sites:-0}" "${n_common:-0}"
        printf 'pca_sites\t%s\n' "${n_pca_sites:-0}"
        printf 'ld_pruned\t%s\nmethod\t%s\npcs\t%s\n' "${ld_pruned:-no}" "${method:-none}" "${k:-0}"
        printf 'note\t%s\n' "$1"
    } > "$summary"
    exit 0
}
# plink2 needs at least two samples to compute anything, and a PC needs three
if (( n_fit < 3 )); then
    finish "fewer than 3 unrelated release-eligible samples: no PCA"
fi

plink=(plink2 --threads "$threads" --memory "$memory")
# shellcheck disable=SC2086  # the option strings are lists of options
if ! "${plink[@]}" --vcf "$vcf" --vcf-half-call m --allow-extra-chr --keep "$eligible" \
    --extract bed0 "$autosomes" $sites --set-all-var-ids '@:#:$r:$a' \
    --make-pgen --out "$prefix.sites"; then
    if grep -q "No variants remaining" "$prefix.sites.log" 2>/dev/null; then
        finish "no site passed the filters"
    fi
    exit 1
fi
n_sites=$(grep -vc '^#' "$prefix.sites.pvar" || true)
"${plink[@]}" --pfile "$prefix.sites" --keep "$unrelated" --freq --out "$prefix.fit"
# the common sites among them (plink2 writes --freq before its --maf filter would apply);
# ALT_FREQS is the 5th column of a biallelic site's .afreq line
awk -v min="$min_maf" '!/^#/ { f = $5 > 0.5 ? 1 - $5 : $5; if (f >= min) print $2 }' \
    "$prefix.fit.afreq" > "$prefix.common.txt"
n_common=$(grep -c . "$prefix.common.txt" || true)
if (( n_common == 0 )); then
    finish "no site common among the unrelated samples"
fi
freq=(--read-freq "$prefix.fit.afreq" --extract "$prefix.common.txt")
if (( n_fit >= 50 )); then
    # shellcheck disable=SC2086
    "${plink[@]}" --pfile "$prefix.sites" --keep "$unrelated" "${freq[@]}" $ld --out "$prefix"
    ld_pruned=yes
else
    cp "$prefix.common.txt" "$prefix.prune.in"
    ld_pruned="no (fewer than 50 unrelated samples: plink2 cannot estimate LD)"
fi
n_pca_sites=$(grep -c . "$prefix.prune.in" || true)
k=$(( pcs < n_fit - 1 ? pcs : n_fit - 1 ))
if (( n_pca_sites < k + 1 )); then
    finish "too few sites for a PCA"
fi
method=exact
approx=()
if (( n_fit > approx_above )); then
    method=approx
    approx=(approx)
fi
"${plink[@]}" --pfile "$prefix.sites" --keep "$unrelated" --extract "$prefix.prune.in" \
    --read-freq "$prefix.fit.afreq" --pca "${approx[@]}" "$k" allele-wts --out "$prefix.fit"
# the allele-weight columns by name (plink2 versions differ in the columns before PC1)
header=$(head -1 "$prefix.fit.eigenvec.allele" | tr -d '#')
column() { tr '\t' '\n' <<< "$header" | grep -nx "$1" | cut -d: -f1; }
id=$(column ID) allele=$(column A1) first=$(column PC1)
"${plink[@]}" --pfile "$prefix.sites" --extract "$prefix.prune.in" \
    --read-freq "$prefix.fit.afreq" --score "$prefix.fit.eigenvec.allele" "$id" "$allele" header-read no-mean-imputation \
    variance-standardize --score-col-nums "$first-$(( first + k - 1 ))" --out "$prefix.projected"
finish ""
