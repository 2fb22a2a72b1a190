# The MultiQC report over every QC input, the gate's own sections and the release
# summary (scoring against truth is in eval.smk).


rule qc_report:
    """The gate's own MultiQC sections: verdicts, plots, structure, recruitment, versions."""
    input:
        table="results/qc/sample_qc.tsv",
        sex=expand("results/qc/sex/{sample}.json", sample=PROCESSED),
        thresholds=expand(
            "results/qc/mosdepth/{sample}.thresholds.bed.gz", sample=PROCESSED
        ),
        # cohort QC exists only when some sample passed the gate
        relatedness=lambda wc: ["results/qc/relatedness.tsv"] if cohort_called() else [],
        cohort=lambda wc: ["results/qc/cohort_samples.tsv"] if cohort_called() else [],
        relatedness_json=lambda wc: (
            ["results/qc/relatedness.json"] if cohort_called() else []
        ),
        structure=lambda wc: ["results/qc/structure.tsv"] if cohort_called() else [],
        structure_json=lambda wc: (
            ["results/qc/structure.json"] if cohort_called() else []
        ),
        recruitment="results/qc/recruitment.tsv",
    output:
        verdicts="results/qc/multiqc/sample_qc_verdicts_mqc.yaml",
        excluded="results/qc/multiqc/excluded_samples_mqc.yaml",
        sex="results/qc/multiqc/sex_check_mqc.yaml",
        relatedness="results/qc/multiqc/relatedness_mqc.yaml",
        general="results/qc/multiqc/qc_gate_mqc.yaml",
        contamination="results/qc/multiqc/contamination_mqc.yaml",
        coverage="results/qc/multiqc/autosomal_coverage_mqc.yaml",
        kinship="results/qc/multiqc/kinship_mqc.yaml",
        outliers="results/qc/multiqc/outliers_mqc.yaml",
        pca="results/qc/multiqc/structure_pca_mqc.yaml",
        recruitment="results/qc/multiqc/recruitment_mqc.yaml",
        versions="results/qc/multiqc/software_mqc_versions.yaml",
    log:
        "logs/qc_report.log",
    benchmark:
        "logs/benchmarks/qc_report/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        thresholds=config["qc"]["thresholds"],
        min_outlier_samples=config["qc"]["relatedness"]["min_outlier_samples"],
        mad_k=config["qc"]["relatedness"]["mad_k"],
        min_group_size=config["release"]["min_group_size"],
        envs=Path(workflow.basedir, "envs"),
        deployment=deployment_methods(),
        snakemake_version=SNAKEMAKE_VERSION,
    script:
        "../scripts/qc_report.py"


rule multiqc:
    """The MultiQC report of the run (results/report/multiqc.html)."""
    input:
        fastp=fastp_reports(),
        markdup=expand("results/qc/markdup/{sample}.markdup.txt", sample=PROCESSED),
        samtools=expand(
            "results/qc/samtools_stats/{sample}.stats.txt", sample=PROCESSED
        ),
        mosdepth=expand(
            "results/qc/mosdepth/{sample}.mosdepth.{kind}.txt",
            sample=PROCESSED,
            kind=["summary", "global.dist"],
        ),
        custom=rules.qc_report.output,
        release=lambda wc: (
            [rules.release_allele_frequencies.output.mqc] if cohort_called() else []
        ),
        sv=sv_report_sections,
        config=Path(workflow.basedir, "workflow", "report", "multiqc_config.yaml"),
    output:
        html=report(
            "results/report/multiqc.html", caption="report/multiqc.rst", category="QC"
        ),
    log:
        "logs/multiqc.log",
    benchmark:
        "logs/benchmarks/multiqc/cohort.tsv"
    conda:
        "../envs/multiqc.yaml"
    container:
        image("multiqc")
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        outdir=lambda wc, output: str(Path(output.html).parent),
    shell:
        commands.report.MULTIQC_RULE
