# The hail joint engine (joint.engine: hail; docs/joint-calling.md): each gated sample's
# compact gVCF called once into the form Hail's VDS combiner reads (GT, reference blocks),
# the cohort store under results/cohort/store/ brought to the gated samples (new genomes
# combined into a new batch, removed ones taken out, a new freeze), then per shard the
# joint VCF exported from the store, densified over the shard only, and given the
# bcftools route's normalisation and soft filters; bcftools_concat_cohort joins the
# shards as for the bcftools engine. The Hail steps run in the Hail environment
# (.venv-hail, `make hail`; envs/hail.yaml), Spark in local mode by default or on a
# cluster (resources spark_master; docs/deployment.md). Commands: refcohort.commands.hail.


ruleorder: hail_update_cohort > record_cohort_freeze
ruleorder: bcftools_filter_hail_shard > bcftools_call_cohort


rule bcftools_call_gvcf:
    """A sample's own calls with reference blocks, as Hail's combiner reads them."""
    input:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        ploidy=ploidy_input(),
    output:
        gvcf="results/cohort/gvcf/{sample}.g.vcf.gz",
        tbi="results/cohort/gvcf/{sample}.g.vcf.gz.tbi",
    log:
        "logs/bcftools_call_gvcf/{sample}.log",
    benchmark:
        "logs/benchmarks/bcftools_call_gvcf/{sample}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        bands=commands.call.gvcf_bands(config["calling"]),
        ploidy=ploidy_option(),
        sex=lambda wc: sample_sex_code(wc.sample),
    shell:
        commands.hail.BCFTOOLS_CALL_GVCF_RULE


rule list_cohort_gvcfs:
    """The gated samples and their Hail-ready gVCFs, for the cohort store's update."""
    input:
        gvcfs=cohort_store_gvcfs,
    output:
        table="results/cohort/gvcfs.tsv",
    log:
        "logs/list_cohort_gvcfs.log",
    benchmark:
        "logs/benchmarks/list_cohort_gvcfs/cohort.tsv"
    conda:
        "../../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        samples=lambda wc: joint_samples(),
    script:
        "../../scripts/list_cohort_gvcfs.py"


rule hail_update_cohort:
    """Bring the cohort store to the gated samples; write the new cohort freeze."""
    input:
        table="results/cohort/gvcfs.tsv",
        gvcfs=cohort_store_gvcfs,
        fai=f"{REFERENCE}.fai",
        par=qc_par_bed(),
    output:
        freeze="results/cohort/freeze.json",
        header="results/cohort/freeze.header",
    log:
        "logs/hail_update_cohort.log",
    benchmark:
        "logs/benchmarks/hail_update_cohort/cohort.tsv"
    conda:
        "../../envs/hail.yaml"
    container:
        image("hail")
    threads: 4
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 720 * attempt,
        spark_master="local",
        spark_executor_mb=0,
    params:
        **hail_params(),
        max_batches=config["joint"]["hail"]["max_batches"],
    shell:
        commands.hail.HAIL_UPDATE_COHORT_RULE


rule hail_export_shard:
    """The cohort's joint calls over one shard, exported from the cohort store."""
    input:
        freeze="results/cohort/freeze.json",
        regions="results/reference/intervals/{scatteritem}.bed",
        sexes="results/joint/sample_sexes.txt",
        fai=f"{REFERENCE}.fai",
        par=qc_par_bed(),
    output:
        vcf=temp("results/joint/hail/{scatteritem}.vcf.bgz"),
    log:
        "logs/hail_export_shard/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/hail_export_shard/{scatteritem}.tsv"
    conda:
        "../../envs/hail.yaml"
    container:
        image("hail")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 6000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
        spark_master="local",
        spark_executor_mb=0,
    params:
        **hail_params(),
        tmp=lambda wc: f"results/joint/hail/{wc.scatteritem}.tmp",
    shell:
        commands.hail.HAIL_EXPORT_SHARD_RULE


rule bcftools_filter_hail_shard:
    """Left-align, trim and soft-filter one shard of the store's joint calls."""
    input:
        vcf="results/joint/hail/{scatteritem}.vcf.bgz",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
    output:
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/bcftools_filter_hail_shard/{scatteritem}.log",
    benchmark:
        "logs/benchmarks/bcftools_filter_hail_shard/{scatteritem}.tsv"
    conda:
        "../../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        filters=commands.call.soft_filter_options(config["joint"]["filters"]),
    shell:
        commands.hail.FILTER_HAIL_SHARD_RULE
