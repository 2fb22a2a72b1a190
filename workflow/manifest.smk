# Integrity of the deliverables: a SHA-256 file beside each large deliverable (CRAM,
# gVCF, cohort VCF) and the QC table, computed once, and at the end of the DAG
# results/manifest.tsv: every deliverable of final_outputs() with its size and SHA-256,
# the tool versions and the reference's checksum. `make verify` (scripts/verify_manifest.py)
# checks a results tree against it.


rule sha256sum_deliverable:
    """The SHA-256 of a large deliverable, computed once, beside it."""
    input:
        file="{deliverable}",
    output:
        sha256="{deliverable}.sha256",
    log:
        "logs/sha256sum_deliverable/{deliverable}.log",
    benchmark:
        "logs/benchmarks/sha256sum_deliverable/{deliverable}.tsv"
    wildcard_constraints:
        deliverable=SHA256_SIDECARS,
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=200,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        commands.report.SHA256SUM_RULE


rule write_manifest:
    """results/manifest.tsv: every deliverable's size and SHA-256, tool versions."""
    input:
        files=manifest_files(),
        sha256=manifest_sidecars(),
        reference=config["reference"]["fasta"],
    output:
        manifest=MANIFEST,
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
    script:
        "../scripts/write_manifest.py"
