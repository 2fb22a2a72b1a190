"""Structural variants with Delly's germline workflow (docs/structural-variants.md):
per-sample discovery on the CRAM, the cohort's sites merged, every joint-called sample
genotyped at them, the genotypes merged into the cohort BCF and, from
``sv.min_samples_germline_filter`` samples on, Delly's germline filter.

Delly writes its progress to standard output: it goes to the log with its errors."""

from . import logged
from .align import HTS_LOG_CHECK

# Delly refuses an empty exclusion file ("Exclude file is missing"): a reference with no
# N runs and no sv.exclude (a slice of a chromosome) runs without --exclude
EXCLUDE = "excl=(); if [ -s {input.exclude:q} ]; then excl=(--exclude {input.exclude:q}); fi; "
# per sample: discovery (a BCF and its .csi index, written by delly)
DELLY_CALL = EXCLUDE + (
    'delly call --genome {input.fasta:q} "${{excl[@]}}" {params.extra}'
    " --outfile {output.bcf:q} {input.cram:q}"
)
DELLY_CALL_RULE = (
    f"({DELLY_CALL}) > {{log:q}} 2>&1"
    # a sample with no discordant pairs (very short inserts) gets no deletion call: say so
    " && if grep -q 'UniqueDiscordantPairs=0' {log:q}; then"
    " echo 'WARNING: no discordant read pairs in this sample: Delly can find no SV from"
    " pairs (inserts shorter than twice the read length?); split reads only' >> {log:q}; fi"
) + HTS_LOG_CHECK
# the cohort's sites: every gated sample's discovery calls
DELLY_MERGE = "delly merge --outfile {output.bcf:q} {input.bcfs:q}"
DELLY_MERGE_RULE = f"({DELLY_MERGE}) > {{log:q}} 2>&1"
# per joint-called sample: genotypes at the merged sites
DELLY_GENOTYPE = EXCLUDE + (
    'delly call --genome {input.fasta:q} "${{excl[@]}}" --vcffile {input.sites:q}'
    " --outfile {output.bcf:q} {input.cram:q}"
)
DELLY_GENOTYPE_RULE = f"({DELLY_GENOTYPE}) > {{log:q}} 2>&1" + HTS_LOG_CHECK
# the cohort: the genotypes merged by ID (bcftools), then Delly's germline filter with
# enough samples, or the merged records as they are
# (bcftools merge wants two files or more: a one-sample cohort's BCF is copied as BCF)
MERGE_GENOTYPES = (
    "set -- {input.bcfs:q}; if [ $# -gt 1 ]; then"
    ' bcftools merge --merge id -Ob -o {output.bcf:q} "$@";'
    ' else bcftools view -Ob -o {output.bcf:q} "$1"; fi'
)
MERGE_GENOTYPES_RULE = logged(f"{MERGE_GENOTYPES} && bcftools index -f {{output.bcf:q}}")
GERMLINE_FILTER = "delly filter --filter germline --outfile {output.bcf:q} {input.bcf:q}"
NO_FILTER = "cp {input.bcf:q} {output.bcf:q} && cp {input.csi:q} {output.csi:q}"
# the gated samples, counted from the gate's table (its joint_calling column)
GATED_COUNT = (
    "awk -F'\\t' 'NR == 1 {{ for (i = 1; i <= NF; i++) if ($i == \"joint_calling\") c = i }}"
    ' NR > 1 && $c == "included" {{ n++ }} END {{ print n + 0 }}\' {input.qc:q}'
)
COHORT_SV_RULE = (
    f'(n=$({GATED_COUNT}) && echo "$n gated samples"'
    f" && if [ $n -ge {{params.min_samples:q}} ]; then {GERMLINE_FILTER};"
    " else echo 'fewer than sv.min_samples_germline_filter: no germline filter';"
    f" {NO_FILTER}; fi"
    " && bash {params.scripts:q}/seal_deliverable.sh {output.bcf:q}) > {log:q} 2>&1"
) + HTS_LOG_CHECK
# the release's input: PASS (or unfiltered) records, genotypes and the SV's extent only
# (INFO and FORMAT in two steps: one `--remove ^...` list keeps one kind or the other)
RELEASE_SV_INPUT = (
    "(bcftools view --apply-filters .,PASS -Ou {input.bcf:q}"
    " | bcftools annotate --remove '^INFO/SVTYPE,INFO/END,INFO/SVLEN' -Ou"
    " | bcftools annotate --remove '^FORMAT/GT' -Ob -o {output.bcf:q}) 2> {log:q}"
)
