# The cohort freeze: which genomes (gVCF and SHA-256) the joint call set is made of, with
# the pipeline version, reference and date (refcohort.freeze; docs/joint-calling.md). The
# joint VCF, the release and the report name it. Under joint.engine hail the cohort store
# writes it (engines/hail.smk: hail_update_cohort takes precedence over this rule).


rule record_cohort_freeze:
    """Record the cohort freeze: the gated samples' gVCFs and their SHA-256."""
    input:
        gvcfs=joint_gvcfs,
        sha256=joint_gvcf_checksums,
        fai=f"{REFERENCE}.fai",
    output:
        freeze="results/cohort/freeze.json",
        header="results/cohort/freeze.header",
    log:
        "logs/record_cohort_freeze.log",
    benchmark:
        "logs/benchmarks/record_cohort_freeze/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        samples=lambda wc: joint_samples(),
        history="results/cohort/freezes",
        engine=ENGINE,
    script:
        "../scripts/record_cohort_freeze.py"
