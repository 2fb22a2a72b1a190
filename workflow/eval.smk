# Scoring, when truth is configured (evaluation.truth): the joint calls of each sample
# with truth against its truth VCF inside a BED of confident regions
# (refcohort.compare), and one summary table.


rule compare_calls:
    """Precision, recall and F1 of a sample's joint calls against its truth."""
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
    benchmark:
        "logs/benchmarks/compare_calls/{sample}.tsv"
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
        query_sample=lambda wc: wc.sample,
        label=lambda wc: wc.sample,
    script:
        "../scripts/compare_calls.py"


rule summarise_accuracy:
    """One table of every scored sample's accuracy."""
    input:
        tsvs=evaluated_samples,
    output:
        tsv=report(
            "results/eval/summary.tsv",
            caption="report/accuracy.rst",
            category="Accuracy",
        ),
    log:
        "logs/summarise_accuracy.log",
    benchmark:
        "logs/benchmarks/summarise_accuracy/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        commands.report.SUMMARISE_ACCURACY_RULE
