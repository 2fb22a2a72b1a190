"""National reference release: privacy-safe allele frequencies per population and sex.

Reads the joint-called cohort (PASS records already split to biallelic by ``bcftools
norm -m -any`` upstream) and writes a sites-only, bgzipped and indexed VCF with allele
counts and frequencies for the whole cohort, each population, each sex and each
population x sex group, with no sample IDs and no genotypes anywhere in it.

1. :mod:`.samples`: who is released -- QC PASS/WARN samples of the joint call with a
   known sex (``unknown_sex``), one of each pair related closer than ``max_kinship``
   (:func:`prune_related`).  Everyone else is listed, with the reason, in a separate,
   non-public table.
2. :mod:`.privacy`: :class:`Design`, the groups and their place in the population x sex
   table, which groups are withheld (fewer than ``min_group_size`` individuals, or
   needed to stop a small group being recovered by subtraction: :func:`protect`), and
   the small counts: a group's AC is suppressed ('.') when the rarer allele is seen
   fewer than ``min_allele_count`` times (0 < AC < min or 0 < AN - AC < min), with its
   AF, AC_Hom, AC_Het and AC_Hemi, and further counts wherever the suppressed one could
   be recovered by adding and subtracting published counts (cached per pattern).
3. :mod:`.counts`: per chunk of records, the genotype matrix (cyvcf2
   ``genotype.array()``) becomes per-call AN/AC/hom/het/hemi contributions under the
   expected ploidy (:func:`contribution`: males hemizygous on chrX outside the PARs and
   on chrY, females absent on chrY), looked up from a table and summed per group.
4. :mod:`.vcf`: the text, written straight to ``bgzip``; AF is ``AC/AN`` as the
   shortest decimal that reads back as the same IEEE double (:func:`format_af`).
5. :mod:`.run`: :func:`release` (the whole run) and :func:`write_outputs` (the tables);
   :mod:`.multiqc`: the MultiQC section.
"""

from .counts import (
    ANOMALIES,
    DIPLOID,
    NOT_RELEASED,
    PLOIDY,
    STATES,
    X_HEMI,
    Y_HEMI,
    Y_PAR,
    call_states,
    contig_code,
    contribution,
    group_counts,
    site_classes,
)
from .multiqc import mqc_section
from .privacy import (
    DEFAULT_MIN_ALLELE_COUNT,
    DEFAULT_MIN_GROUP_SIZE,
    GROUP_COLUMNS,
    Design,
    Group,
    protect,
)
from .run import release, write_outputs
from .samples import (
    DEFAULT_MAX_KINSHIP,
    EXCLUDED_COLUMNS,
    UNKNOWN_SEX_POLICIES,
    Sample,
    prune_related,
    select_samples,
)
from .vcf import FIELDS, Formatter, format_af, header_lines, policy_lines

__all__ = [
    "ANOMALIES",
    "DEFAULT_MAX_KINSHIP",
    "DEFAULT_MIN_ALLELE_COUNT",
    "DEFAULT_MIN_GROUP_SIZE",
    "DIPLOID",
    "EXCLUDED_COLUMNS",
    "FIELDS",
    "GROUP_COLUMNS",
    "NOT_RELEASED",
    "PLOIDY",
    "STATES",
    "UNKNOWN_SEX_POLICIES",
    "X_HEMI",
    "Y_HEMI",
    "Y_PAR",
    "Design",
    "Formatter",
    "Group",
    "Sample",
    "call_states",
    "contig_code",
    "contribution",
    "format_af",
    "group_counts",
    "header_lines",
    "mqc_section",
    "policy_lines",
    "protect",
    "prune_related",
    "release",
    "select_samples",
    "site_classes",
    "write_outputs",
]
