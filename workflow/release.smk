# The national reference release: sites-only allele counts and frequencies of the
# QC-passing, unrelated samples, per population, sex and population x sex, with small
# counts and small groups withheld (docs/release.md). PASS records of the cohort VCF,
# genotypes only, are split to biallelic and left-aligned by bcftools (a temporary BCF),
# then scripts/release_allele_frequencies.py (refcohort.release) writes the VCF (+ .tbi,
# .sha256), the public group table and summary, a non-public table of the samples left
# out and why, and the MultiQC section.


rule bcftools_view_release:
    """The release's input: PASS genotypes of the cohort VCF, biallelic, left-aligned."""
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        bcf=temp("results/release/work/cohort.pass.biallelic.bcf"),
    log:
        "logs/bcftools_view_release.log",
    benchmark:
        "logs/benchmarks/bcftools_view_release/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    shell:
        commands.report.RELEASE_INPUT_RULE


rule release_allele_frequencies:
    """Privacy-safe allele frequencies per population and sex of the released samples."""
    input:
        vcf="results/release/work/cohort.pass.biallelic.bcf",
        samples=config["samples"],
        qc="results/qc/sample_qc.tsv",
        relatedness="results/qc/relatedness.tsv",
        par=qc_par_bed(),
    output:
        vcf="results/release/allele_frequencies.vcf.gz",
        tbi="results/release/allele_frequencies.vcf.gz.tbi",
        sha256="results/release/allele_frequencies.vcf.gz.sha256",
        groups=report(
            "results/release/groups.tsv",
            caption="report/release.rst",
            category="Release",
        ),
        summary=report(
            "results/release/summary.json",
            caption="report/release.rst",
            category="Release",
        ),
        # the node's own record of who was left out and why: never share it
        excluded="results/release/excluded_samples.NOT_PUBLIC.tsv",
        mqc="results/qc/multiqc/release_mqc.yaml",
    log:
        "logs/release_allele_frequencies.log",
    benchmark:
        "logs/benchmarks/release_allele_frequencies/release.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        autosomes=config["qc"]["autosomes"],
        chrx=config["qc"]["chrX"],
        chry=config["qc"]["chrY"],
        max_kinship=config["release"]["max_kinship"],
        min_allele_count=config["release"]["min_allele_count"],
        min_group_size=config["release"]["min_group_size"],
        unknown_sex=config["release"]["unknown_sex"],
    script:
        "../scripts/release_allele_frequencies.py"
