"""The GA4GH WGS QC metrics of a sample: report order, GA4GH metric IDs and the definition
written beside each value in ``results/qc/{sample}.qc.json``."""

# The fields copied from the sex-check JSON.
SEX_FIELDS = (
    "declared_sex",
    "karyotype",
    "sex_check",
    "x_autosome_ratio",
    "y_autosome_ratio",
    "x_het_ratio",
)

# The fields copied from the SV counts JSON (refcohort.sv; null when sv.enabled is false).
SV_FIELDS = ("count_sv_del", "count_sv_dup", "count_sv_inv", "count_sv_ins", "count_sv_bnd")

# Report order; the gate and the report import this list.
METRICS = [
    # alignment and coverage (GA4GH alignment metrics)
    "bases_q30",
    "mean_autosome_coverage",
    "pct_autosomes_15x",
    "genome_coverage_uniformity",
    "pct_reads_mapped",
    "pct_reads_properly_paired",
    "mean_insert_size",
    "insert_size_std",
    "pct_duplication",
    "pct_chimeras",
    "cross_contamination_rate",
    # variants (GA4GH variant calling metrics), autosomes, QUAL >= 30
    "count_snvs",
    "count_insertions",
    "count_deletions",
    "ratio_ins_del",
    "ratio_het_hom_snv",
    "ratio_het_hom_indel",
    "ratio_ti_tv",
    # sex check (copied from the sex-check JSON)
    *SEX_FIELDS,
    # structural variants (the sample's own Delly calls)
    *SV_FIELDS,
]

# Our metric name -> GA4GH WGS QC Standards v1.0 metric ID (None: not a GA4GH metric).
GA4GH_IDS = {
    "bases_q30": "yield_bp_q30",
    "mean_autosome_coverage": "mean_autosome_coverage",
    "pct_autosomes_15x": "pct_autosomes_15x",
    "genome_coverage_uniformity": "mad_autosome_coverage",
    "pct_reads_mapped": "pct_reads_mapped",
    "pct_reads_properly_paired": "pct_reads_properly_paired",
    "mean_insert_size": "mean_insert_size",
    "insert_size_std": "insert_size_std_deviation",
    "cross_contamination_rate": "cross_contamination_rate",
    "count_snvs": "count_snvs",
    "count_insertions": "count_insertions",
    "count_deletions": "count_deletions",
    "ratio_ins_del": "ratio_insertion_deletion",
    "ratio_het_hom_snv": "ratio_heterozygous_homzygous_snv",
    "ratio_het_hom_indel": "ratio_heterozygous_homzygous_indel",
    "ratio_ti_tv": "ratio_transitions_transversions_snv",
}

DEFINITIONS = {
    "bases_q30": (
        "GA4GH yield_bp_q30: bases with BQ >= 30 in primary reads (duplicates and soft clips "
        "included, no MAPQ filter), summed from samtools stats FFQ+LFQ histograms (Picard "
        "PF_Q30_BASES equivalent)."
    ),
    "mean_autosome_coverage": (
        "GA4GH mean_autosome_coverage: mean depth over autosomes minus N gaps, each base capped "
        "at 250x; mosdepth --mapq 20 --flag 3844 (primary, non-duplicate, non-QC-fail), mate "
        "overlaps once; deviation: no BQ >= 20 filter."
    ),
    "pct_autosomes_15x": (
        "GA4GH pct_autosomes_15x: percent of autosomal non-N bases at depth >= 15 (same reads as "
        "mean_autosome_coverage; deviation: no BQ >= 20 filter)."
    ),
    "genome_coverage_uniformity": (
        "GA4GH mad_autosome_coverage: median absolute deviation of the capped autosomal depth, "
        "median(|d - median(d)|) from the mosdepth depth histogram, Picard Histogram median "
        "convention (deviation: no BQ >= 20 filter)."
    ),
    "pct_reads_mapped": (
        "GA4GH pct_reads_mapped: samtools stats reads mapped / sequences x 100 (primary reads, "
        "duplicates included, no MAPQ filter; flagstat's mapped % used by NPM-sample-QC also "
        "counts secondary/supplementary records)."
    ),
    "pct_reads_properly_paired": (
        "GA4GH pct_reads_properly_paired: samtools stats reads properly paired / reads paired x "
        "100 (primary reads, duplicates included)."
    ),
    "mean_insert_size": (
        "GA4GH mean_insert_size: samtools stats 'insert size average' (all orientations, "
        "duplicates included, main 99% bulk of the |TLEN| histogram)."
    ),
    "insert_size_std": (
        "GA4GH insert_size_std_deviation: samtools stats 'insert size standard deviation' (same "
        "reads and 99% bulk as mean_insert_size)."
    ),
    "pct_duplication": (
        "samtools markdup: (DUPLICATE PAIR + DUPLICATE SINGLE) / EXAMINED x 100, in reads "
        "(primary mapped reads; Picard PERCENT_DUPLICATION equivalent; not a GA4GH metric)."
    ),
    "pct_chimeras": (
        "samtools stats pairs on different chromosomes / (reads mapped and paired / 2) x 100; "
        "unlike Picard PCT_CHIMERAS it does not count inserts > 100 kb, FF/RR pairs or split (SA) "
        "reads, and applies no MAPQ filter (not a GA4GH metric)."
    ),
    "cross_contamination_rate": (
        "GA4GH cross_contamination_rate: copied from the contamination estimate (null when no "
        "population allele frequencies were configured)."
    ),
    "count_snvs": (
        "GA4GH count_snvs: non-reference SNV genotypes (bcftools stats PSC nNonRefHom + nHets + "
        'nHapAlt) of the sample\'s own calls, autosomes, QUAL >= 30, TYPE="snp" records.'
    ),
    "count_insertions": (
        "GA4GH count_insertions: indel ALT alleles longer than REF (bcftools stats IDD, length > "
        "0), autosomes, QUAL >= 30; a multi-allelic site counts once per ALT (NPM-sample-QC drops "
        "multi-allelic sites)."
    ),
    "count_deletions": (
        "GA4GH count_deletions: indel ALT alleles shorter than REF (bcftools stats IDD, length < "
        "0), autosomes, QUAL >= 30; a multi-allelic site counts once per ALT."
    ),
    "ratio_ins_del": ("GA4GH ratio_insertion_deletion: count_insertions / count_deletions."),
    "ratio_het_hom_snv": (
        "GA4GH ratio_heterozygous_homzygous_snv: PSC nHets / nNonRefHom of SNV records (1/2 "
        "counts as het; haploid calls excluded), autosomes, QUAL >= 30."
    ),
    "ratio_het_hom_indel": (
        "GA4GH ratio_heterozygous_homzygous_indel: het / hom-alt indel genotypes, hom = PSI "
        "nInsAltHoms + nDelAltHoms, het = PSC nIndels - hom (1/2 counts once as het; haploid "
        "calls excluded), autosomes, QUAL >= 30."
    ),
    "ratio_ti_tv": (
        "GA4GH ratio_transitions_transversions_snv: PSC nTransitions / nTransversions, one per "
        "non-reference SNV genotype classified by its lowest ALT allele, autosomes, QUAL >= 30."
    ),
    "declared_sex": (
        "Copied from the sex check: declared sex (female/male/unknown) from the sample sheet."
    ),
    "karyotype": (
        "Copied from the sex check: XX/XY/X0/XXY/ambiguous from X and Y depth ratios and chrX "
        "heterozygosity."
    ),
    "sex_check": (
        "Copied from the sex check: declared sex vs karyotype "
        "(match/mismatch/aneuploidy/ambiguous/undeclared)."
    ),
    "x_autosome_ratio": (
        "Copied from the sex check: capped mean depth of chrX (non-PAR, non-N) / autosomes (XX "
        "~1.0, XY ~0.5)."
    ),
    "y_autosome_ratio": (
        "Copied from the sex check: capped mean depth of chrY (non-PAR, non-N) / autosomes (XY "
        "~0.5, XX ~0)."
    ),
    "x_het_ratio": (
        "Copied from the sex check: het / (het + hom-alt) chrX (non-PAR) gVCF sites (single X ~0)."
    ),
    **{
        f"count_sv_{t}": (
            f"Structural variants: the sample's own Delly discovery calls of type {t.upper()} "
            "that PASS and that it carries, before the cohort's sites are merged (null when "
            "sv.enabled is false; docs/structural-variants.md)."
        )
        for t in ("del", "dup", "inv", "ins", "bnd")
    },
}
