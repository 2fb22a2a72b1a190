# Cohort structure on the joint calls (docs/structure.md): who the PCA is fitted on, plink2
# (QC sites, LD pruning, PCA of the unrelated samples, every eligible sample projected),
# the samples far from their declared population's cluster; and recruitment coverage
# against the targets in config.


rule select_structure_samples:
    """The release-eligible samples, and the unrelated ones the PCA is fitted on."""
    input:
        table="results/qc/sample_qc.tsv",
        relatedness="results/qc/relatedness.tsv",
    output:
        eligible="results/qc/structure/eligible.txt",
        unrelated="results/qc/structure/unrelated.txt",
    log:
        "logs/select_structure_samples.log",
    benchmark:
        "logs/benchmarks/select_structure_samples/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        max_kinship=config["qc"]["structure"]["max_kinship"],
    script:
        "../scripts/select_structure_samples.py"


rule plink2_pca:
    """PCA of the unrelated samples' LD-pruned common SNVs; every eligible one projected."""
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        eligible="results/qc/structure/eligible.txt",
        unrelated="results/qc/structure/unrelated.txt",
        autosomes="results/qc/autosomes.bed",
    output:
        sscore="results/qc/structure/pca.projected.sscore",
        eigenval="results/qc/structure/pca.fit.eigenval",
        summary="results/qc/structure/pca.summary.tsv",
    log:
        "logs/plink2_pca.log",
    benchmark:
        "logs/benchmarks/plink2_pca/cohort.tsv"
    conda:
        "../envs/plink2.yaml"
    container:
        image("plink2")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        scripts=SCRIPTS,
        prefix=lambda wc, output: output.summary.removesuffix(".summary.tsv"),
        pcs=config["qc"]["structure"]["pcs"],
        approx_above=config["qc"]["structure"]["approx_above"],
        min_maf=config["qc"]["structure"]["min_maf"],
        sites=commands.structure.site_options(
            config["qc"]["structure"]["min_qual"],
            config["qc"]["structure"]["min_site_call_rate"],
        ),
        ld=commands.structure.ld_options(
            config["qc"]["structure"]["ld_window_kb"],
            config["qc"]["structure"]["ld_r2"],
        ),
    shell:
        commands.structure.STRUCTURE_PCA_RULE


rule assess_structure:
    """Each eligible sample's PCs; WARN where it is far from its population's cluster."""
    input:
        sscore="results/qc/structure/pca.projected.sscore",
        eigenval="results/qc/structure/pca.fit.eigenval",
        summary="results/qc/structure/pca.summary.tsv",
        eligible="results/qc/structure/eligible.txt",
        unrelated="results/qc/structure/unrelated.txt",
    output:
        table=report(
            "results/qc/structure.tsv", caption="report/structure.rst", category="QC"
        ),
        json="results/qc/structure.json",
    log:
        "logs/assess_structure.log",
    benchmark:
        "logs/benchmarks/assess_structure/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        sheet=SAMPLE_INFO,
        outlier_pcs=config["qc"]["structure"]["outlier_pcs"],
        min_cluster_size=config["qc"]["structure"]["min_cluster_size"],
        max_distance=config["qc"]["structure"]["max_distance"],
    script:
        "../scripts/assess_structure.py"


rule count_recruitment:
    """Individuals after QC per population and minority group x sex against the targets."""
    input:
        table="results/qc/sample_qc.tsv",
        # duplicates count once; no relatedness when nothing was joint-called
        relatedness=lambda wc: ["results/qc/relatedness.tsv"] if cohort_called() else [],
    output:
        table="results/qc/recruitment.tsv",
    log:
        "logs/count_recruitment.log",
    benchmark:
        "logs/benchmarks/count_recruitment/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        sheet=SAMPLE_INFO,
        order=SAMPLES,
        targets=config["recruitment"]["targets"],
        minority_targets=config["recruitment"]["minority_targets"],
        min_group_size=config["release"]["min_group_size"],
    script:
        "../scripts/count_recruitment.py"
