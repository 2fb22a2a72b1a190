# MultiQC over every QC input and the release summary, and (when truth is configured)
# accuracy of the joint calls against per-sample truth VCFs inside a BED of confident
# regions.


rule qc_report:
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
        "multiqc --force --config {input.config:q} --outdir {params.outdir:q}"
        " --filename multiqc.html"
        " {input.fastp:q} {input.markdup:q} {input.samtools:q} {input.mosdepth:q}"
        " {input.bcftools:q} {input.custom:q} {input.release:q} 2> {log:q}"


rule compare_calls:
    input:
        query="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        truth=lambda wc: truth.loc[wc.sample, "vcf"],
        bed=lambda wc: truth.loc[wc.sample, "bed"],
    output:
        tsv="results/eval/{sample}.accuracy.tsv",
    log:
        "logs/compare_calls/{sample}.log",
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        truth_sample=lambda wc: truth.loc[wc.sample, "truth_sample"] or wc.sample,
        script=Path(workflow.basedir, "scripts", "compare_calls.py"),
    shell:
        "python {params.script:q} --truth {input.truth:q}"
        " --truth-sample {params.truth_sample:q} --query {input.query:q}"
        " --query-sample {wildcards.sample:q} --reference {input.fasta:q}"
        " --bed {input.bed:q} --label {wildcards.sample:q} --output {output.tsv:q}"
        " 2> {log:q}"


rule summarise_accuracy:
    input:
        tsvs=evaluated_samples,
    output:
        tsv="results/eval/summary.tsv",
    log:
        "logs/summarise_accuracy.log",
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "awk 'FNR > 1 || NR == 1' {input.tsvs:q} > {output.tsv:q} 2> {log:q}"
