# Structural variants with Delly's germline workflow (config sv, docs/structural-variants.md):
# every processed sample's own discovery calls (counted by type into the QC table), the
# sites of the gated samples merged, every gated sample genotyped at them, one cohort BCF
# (Delly's germline filter from sv.min_samples_germline_filter samples on), and the SV
# allele-frequency release under the small-variant release's policy. Adding samples
# runs discovery for the new ones only, then the merge and every sample's genotyping.


rule make_sv_exclude:
    """The regions Delly leaves out: the reference's N runs (padded) and sv.exclude."""
    input:
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        given=sv_exclude_input(),
    output:
        bed="results/sv/exclude.bed",
    log:
        "logs/make_sv_exclude.log",
    benchmark:
        "logs/benchmarks/make_sv_exclude/reference.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        pad=config["sv"]["exclude_pad"],
    script:
        "../scripts/sv_exclude.py"


rule delly_call_sample:
    """A sample's own SV calls (Delly discovery on its CRAM)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        exclude="results/sv/exclude.bed",
    output:
        bcf="results/sv/discovery/{sample}.bcf",
        csi="results/sv/discovery/{sample}.bcf.csi",
    log:
        "logs/delly_call_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/delly_call_sample/{sample}.tsv"
    conda:
        "../envs/delly.yaml"
    container:
        image("delly")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 480 * attempt,
    params:
        extra=tool_extra("sv"),
        scripts=SCRIPTS,
    shell:
        commands.sv.DELLY_CALL_RULE


rule count_svs:
    """A sample's PASS discovery calls by SV type (for the QC table)."""
    input:
        bcf="results/sv/discovery/{sample}.bcf",
    output:
        json="results/qc/sv/{sample}.json",
    log:
        "logs/count_svs/{sample}.log",
    benchmark:
        "logs/benchmarks/count_svs/{sample}.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/count_svs.py"


rule delly_merge_sites:
    """The cohort's SV sites: every gated sample's discovery calls, merged."""
    input:
        bcfs=lambda wc: joint_sv_files("discovery", ""),
        csis=lambda wc: joint_sv_files("discovery", ".csi"),
    output:
        bcf=temp("results/sv/work/sites.bcf"),
        csi=temp("results/sv/work/sites.bcf.csi"),
    log:
        "logs/delly_merge_sites.log",
    benchmark:
        "logs/benchmarks/delly_merge_sites/cohort.tsv"
    conda:
        "../envs/delly.yaml"
    container:
        image("delly")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        commands.sv.DELLY_MERGE_RULE


rule delly_genotype_sample:
    """A gated sample's genotypes at the cohort's SV sites."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        exclude="results/sv/exclude.bed",
        sites="results/sv/work/sites.bcf",
        sites_csi="results/sv/work/sites.bcf.csi",
    output:
        bcf=temp("results/sv/genotypes/{sample}.bcf"),
        csi=temp("results/sv/genotypes/{sample}.bcf.csi"),
    log:
        "logs/delly_genotype_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/delly_genotype_sample/{sample}.tsv"
    conda:
        "../envs/delly.yaml"
    container:
        image("delly")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 480 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.sv.DELLY_GENOTYPE_RULE


rule bcftools_merge_sv_genotypes:
    """The gated samples' SV genotypes in one BCF (records matched by Delly's site ID)."""
    input:
        bcfs=lambda wc: joint_sv_files("genotypes", ""),
        csis=lambda wc: joint_sv_files("genotypes", ".csi"),
    output:
        bcf=temp("results/sv/work/genotypes.bcf"),
        csi=temp("results/sv/work/genotypes.bcf.csi"),
    log:
        "logs/bcftools_merge_sv_genotypes.log",
    benchmark:
        "logs/benchmarks/bcftools_merge_sv_genotypes/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        commands.sv.MERGE_GENOTYPES_RULE


rule delly_filter_cohort_svs:
    """The cohort SV BCF: Delly's germline filter when enough samples were genotyped
    (sv.min_samples_germline_filter), else the merged genotypes as they are."""
    input:
        bcf="results/sv/work/genotypes.bcf",
        csi="results/sv/work/genotypes.bcf.csi",
        # the gate's table: how many samples were genotyped
        qc="results/qc/sample_qc.tsv",
    output:
        bcf="results/sv/cohort.bcf",
        csi="results/sv/cohort.bcf.csi",
        sha256="results/sv/cohort.bcf.sha256",
    log:
        "logs/delly_filter_cohort_svs.log",
    benchmark:
        "logs/benchmarks/delly_filter_cohort_svs/cohort.tsv"
    conda:
        "../envs/delly.yaml"
    container:
        image("delly")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        min_samples=config["sv"]["min_samples_germline_filter"],
        scripts=SCRIPTS,
    shell:
        commands.sv.COHORT_SV_RULE


rule bcftools_view_sv_release:
    """The SV release's input: PASS records (or all, below the germline filter's sample
    count: Delly's own site filter then), genotypes and the SV's extent only."""
    input:
        bcf="results/sv/cohort.bcf",
        csi="results/sv/cohort.bcf.csi",
    output:
        bcf=temp("results/release/work/sv.pass.bcf"),
    log:
        "logs/bcftools_view_sv_release.log",
    benchmark:
        "logs/benchmarks/bcftools_view_sv_release/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        commands.sv.RELEASE_SV_INPUT


use rule release_allele_frequencies as release_sv_allele_frequencies with:
    input:
        vcf="results/release/work/sv.pass.bcf",
        samples=config["samples"],
        qc="results/qc/sample_qc.tsv",
        relatedness="results/qc/relatedness.tsv",
        par=qc_par_bed(),
    output:
        vcf="results/release/sv_allele_frequencies.vcf.gz",
        tbi="results/release/sv_allele_frequencies.vcf.gz.tbi",
        sha256="results/release/sv_allele_frequencies.vcf.gz.sha256",
        groups="results/release/sv/groups.tsv",
        summary=report(
            "results/release/sv/summary.json",
            caption="report/release.rst",
            category="Release",
        ),
        excluded="results/release/sv/excluded_samples.NOT_PUBLIC.tsv",
        mqc="results/qc/multiqc/sv_release_mqc.yaml",
    log:
        "logs/release_sv_allele_frequencies.log",
    benchmark:
        "logs/benchmarks/release_sv_allele_frequencies/release.tsv"
    params:
        autosomes=config["qc"]["autosomes"],
        chrx=config["qc"]["chrX"],
        chry=config["qc"]["chrY"],
        max_kinship=config["release"]["max_kinship"],
        min_allele_count=config["release"]["min_allele_count"],
        min_group_size=config["release"]["min_group_size"],
        unknown_sex=config["release"]["unknown_sex"],
        structural=True,


rule sv_report:
    """The report's SV section: each sample's SV calls by type (from the QC table)."""
    input:
        table="results/qc/sample_qc.tsv",
    output:
        yaml="results/qc/multiqc/sv_counts_mqc.yaml",
    log:
        "logs/sv_report.log",
    benchmark:
        "logs/benchmarks/sv_report/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/sv_report.py"


rule compare_svs:
    """Precision and recall of the cohort's SV genotypes against the SV truth (the
    gated samples it has)."""
    input:
        calls="results/sv/cohort.bcf",
        csi="results/sv/cohort.bcf.csi",
        truth=config["evaluation"].get("sv_truth") or [],
        qc="results/qc/sample_qc.tsv",
    output:
        tsv=report(
            "results/eval/sv_accuracy.tsv",
            caption="report/accuracy.rst",
            category="Accuracy",
        ),
    log:
        "logs/compare_svs.log",
    benchmark:
        "logs/benchmarks/compare_svs/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        samples=lambda wc: joint_samples(),
        max_distance=500,
        min_overlap=0.5,
    script:
        "../scripts/compare_svs.py"
