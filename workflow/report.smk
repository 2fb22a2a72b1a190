# The MultiQC report over every QC input, the gate's own sections and the release
# summary (scoring against truth is in eval.smk).


rule qc_report:
    """The gate's own MultiQC sections: verdicts, exclusions, sex check, relatedness."""
    input:
        table="results/qc/sample_qc.tsv",
        sex=expand("results/qc/sex/{sample}.json", sample=SAMPLES),
        relatedness="results/qc/relatedness.tsv",
        cohort="results/qc/cohort_samples.tsv",
    output:
        verdicts="results/qc/multiqc/sample_qc_verdicts_mqc.yaml",
        excluded="results/qc/multiqc/excluded_samples_mqc.yaml",
        sex="results/qc/multiqc/sex_check_mqc.yaml",
        relatedness="results/qc/multiqc/relatedness_mqc.yaml",
        general="results/qc/multiqc/qc_gate_mqc.yaml",
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
    script:
        "../scripts/qc_report.py"


rule multiqc:
    """The MultiQC report of the run (results/report/multiqc.html)."""
    input:
        fastp=fastp_reports(),
        markdup=expand("results/qc/markdup/{sample}.markdup.txt", sample=SAMPLES),
        samtools=expand("results/qc/samtools_stats/{sample}.stats.txt", sample=SAMPLES),
        mosdepth=expand(
            "results/qc/mosdepth/{sample}.mosdepth.{kind}.txt",
            sample=SAMPLES,
            kind=["summary", "global.dist"],
        ),
        bcftools="results/qc/bcftools_stats/cohort.stats.txt",
        custom=rules.qc_report.output,
        release=rules.release_allele_frequencies.output.mqc,
        config=Path(workflow.basedir, "workflow", "report", "multiqc_config.yaml"),
    output:
        html="results/report/multiqc.html",
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
