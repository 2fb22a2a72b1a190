#!/usr/bin/env bash
# king_table.sh VCF AUTOSOMES_BED PREFIX THREADS MEMORY_MB SITE_OPTIONS [PAIR_FILTER]
# KING-robust kinship of the joint calls with plink2 (rule plink2_king, docs/qc.md):
# the QC sites (SITE_OPTIONS, on the autosomes of AUTOSOMES_BED), then in one pass
#   PREFIX.kin0     plink2 --make-king-table (IID1, IID2, NSNP, IBS0, KINSHIP): every pair,
#                   or the pairs PAIR_FILTER keeps (--king-table-filter, large cohorts; an
#                   empty PAIR_FILTER may be left out: Snakemake renders '' as nothing);
#   PREFIX.scount   plink2 --sample-counts: each sample's hom-ref, hom-alt, het and
#                   missing calls over the same sites (heterozygosity, call rate).
# With fewer than 2 samples or no site left, both are written with their header only and
# PREFIX.note says why (a one-sample cohort has no pairs: no error).
set -euo pipefail
if [[ $# -lt 6 || $# -gt 7 ]]; then
    echo "king_table.sh: 6 or 7 arguments expected, got $#" >&2
    exit 2
fi
vcf=$1 autosomes=$2 prefix=$3 threads=$4 memory=$5 sites=$6 filter=${7:-}
mkdir -p "$(dirname "$prefix")"
rm -f "$prefix".*
empty() { # empty REASON
    printf '#IID1\tIID2\tNSNP\tIBS0\tKINSHIP\n' > "$prefix.kin0"
    printf '#IID\tHOM_REF_CT\tHOM_ALT_SNP_CT\tHET_SNP_CT\tMISSING_INCL_FEMALE_Y_CT\n' \
        > "$prefix.scount"
    echo "$1" > "$prefix.note"
    exit 0
}
n=$( (gzip -dc "$vcf" || true) | awk '/^#CHROM/ { print NF - 9; exit }')
if (( n < 2 )); then
    empty "fewer than 2 joint-called samples: no pairs"
fi
# shellcheck disable=SC2086  # the option strings are lists of options
if ! plink2 --threads "$threads" --memory "$memory" --vcf "$vcf" --vcf-half-call m \
    --allow-extra-chr --extract bed0 "$autosomes" $sites \
    --make-king-table cols=id,nsnp,ibs0,kinship $filter --sample-counts --out "$prefix"; then
    if grep -Eq "No variants (remaining|loaded)" "$prefix.log" 2>/dev/null; then
        empty "no site passed the filters"
    fi
    exit 1
fi
: > "$prefix.note"
