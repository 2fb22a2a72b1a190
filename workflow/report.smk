# MultiQC over every QC input, and (when truth is configured) accuracy of the joint
# calls against per-sample truth VCFs inside a BED of confident regions.


rule multiqc:
    input:
        fastp=expand(
            "results/qc/fastp/{u.sample}.{u.unit}.fastp.json",
            u=units.itertuples(),
        ),
        markdup=expand("results/qc/markdup/{sample}.markdup.txt", sample=SAMPLES),
        samtools=expand("results/qc/samtools_stats/{sample}.stats.txt", sample=SAMPLES),
        mosdepth=expand(
            "results/qc/mosdepth/{sample}.mosdepth.{kind}.txt",
            sample=SAMPLES,
            kind=["summary", "global.dist"],
        ),
        bcftools="results/qc/bcftools_stats/cohort.stats.txt",
        config=Path(workflow.basedir, "workflow", "report", "multiqc_config.yaml"),
    output:
        html="results/report/multiqc.html",
    log:
        "logs/multiqc.log",
    conda:
        "../envs/multiqc.yaml"
    resources:
        mem_mb=4000,
        runtime=60,
    params:
        outdir=lambda wc, output: str(Path(output.html).parent),
    shell:
        "multiqc --force --config {input.config:q} --outdir {params.outdir:q}"
        " --filename multiqc.html"
        " {input.fastp:q} {input.markdup:q} {input.samtools:q} {input.mosdepth:q}"
        " {input.bcftools:q} 2> {log:q}"


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
        tsvs=expand("results/eval/{sample}.accuracy.tsv", sample=TRUTH_SAMPLES),
    output:
        tsv="results/eval/summary.tsv",
    log:
        "logs/summarise_accuracy.log",
    conda:
        "../envs/python.yaml"
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "awk 'FNR > 1 || NR == 1' {input.tsvs:q} > {output.tsv:q} 2> {log:q}"
