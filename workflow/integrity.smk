# Integrity of the deliverables (docs/reliability.md). The rule that makes a CRAM, gVCF,
# cohort VCF, QC table or release writes its SHA-256 itself (scripts/seal_deliverable.sh,
# refcohort.integrity); before any job runs, every deliverable is checked against it
# (workflow/common.smk). The small sidecars below are made from the deliverable, so that a
# deleted index or MD5 never means remaking the file. At the end of the DAG,
# results/manifest.tsv lists every deliverable of final_outputs() with its size and
# SHA-256, the tool versions and the reference's checksum; `make verify`
# (scripts/verify_manifest.py) checks a results tree against it.


rule samtools_index_cram:
    """The index of a sample's CRAM, made from the CRAM."""
    input:
        cram="results/align/{sample}.cram",
    output:
        crai="results/align/{sample}.cram.crai",
    log:
        "logs/samtools_index_cram/{sample}.log",
    benchmark:
        "logs/benchmarks/samtools_index_cram/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 2
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.align.SAMTOOLS_INDEX_CRAM_RULE


rule tabix_index_deliverable:
    """The index of a deliverable VCF (a gVCF or the cohort VCF), made from it."""
    input:
        vcf="{deliverable}",
    output:
        tbi="{deliverable}.tbi",
    log:
        "logs/tabix_index_deliverable/{deliverable}.log",
    benchmark:
        "logs/benchmarks/tabix_index_deliverable/{deliverable}.tsv"
    wildcard_constraints:
        deliverable=INDEXED_DELIVERABLES,
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=500,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        commands.report.TABIX_RULE


rule md5sum_deliverable:
    """The MD5 of a CRAM, gVCF or the cohort VCF (as EGA uploads expect), made from it."""
    input:
        file="{deliverable}",
    output:
        md5="{deliverable}.md5",
    log:
        "logs/md5sum_deliverable/{deliverable}.log",
    benchmark:
        "logs/benchmarks/md5sum_deliverable/{deliverable}.tsv"
    wildcard_constraints:
        deliverable=MD5_DELIVERABLES,
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        commands.report.MD5SUM_RULE


rule write_manifest:
    """results/manifest.tsv: every deliverable's size and SHA-256, tool versions."""
    input:
        files=manifest_files,
        sha256=manifest_sidecars,
        reference=config["reference"]["fasta"],
    output:
        manifest=report(MANIFEST, caption="report/run.rst", category="Run"),
        config=report(
            "results/run_config.yaml", caption="report/run.rst", category="Run"
        ),
    log:
        "logs/write_manifest.log",
    benchmark:
        "logs/benchmarks/write_manifest/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        envs=Path(workflow.basedir, "envs"),
        deployment=deployment_methods(),
        snakemake_version=SNAKEMAKE_VERSION,
        config=config,
    script:
        "../scripts/write_manifest.py"
