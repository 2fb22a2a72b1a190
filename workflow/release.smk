# The national reference release: sites-only allele counts and frequencies of the
# QC-passing, unrelated samples, per population, sex and population x sex, with small
# counts and small groups withheld (README "National release"). PASS records of the
# cohort VCF, genotypes only, are split to biallelic and left-aligned by bcftools
# upstream of scripts/release.py, which writes the VCF (+ .tbi, .sha256), the public
# group table and summary, a non-public table of the samples left out and why, and the
# MultiQC section.


rule release_allele_frequencies:
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        samples=config["samples"],
        qc="results/qc/sample_qc.tsv",
        relatedness="results/qc/relatedness.tsv",
        par=qc_par_bed(),
    output:
        vcf="results/release/allele_frequencies.vcf.gz",
        tbi="results/release/allele_frequencies.vcf.gz.tbi",
        sha256="results/release/allele_frequencies.vcf.gz.sha256",
        groups="results/release/groups.tsv",
        summary="results/release/summary.json",
        # the node's own record of who was left out and why: never share it
        excluded="results/release/excluded_samples.NOT_PUBLIC.tsv",
        mqc="results/qc/multiqc/release_mqc.yaml",
    log:
        "logs/release_allele_frequencies.log",
    benchmark:
        "benchmarks/release_allele_frequencies/release.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        script=Path(workflow.basedir, "scripts", "release.py"),
        options=release_options(),
    shell:
        "(bcftools view --apply-filters .,PASS -Ou {input.vcf:q}"
        " | bcftools annotate --remove 'INFO,^FORMAT/GT' -Ou"
        " | bcftools norm --multiallelics -any --fasta-ref {input.fasta:q} -Ou"
        " | python {params.script:q} --vcf - --samples {input.samples:q}"
        " --qc {input.qc:q} --relatedness {input.relatedness:q} {params.options}"
        " --threads {threads} --output {output.vcf:q} --groups {output.groups:q}"
        " --excluded {output.excluded:q} --summary {output.summary:q}"
        " --mqc {output.mqc:q}) 2> {log:q}"
