# Sample QC before joint genotyping: GA4GH WGS QC metrics per sample (samtools stats,
# duplicate-marking stats, mosdepth over autosomes minus gaps, the sample's own calls),
# contamination and a sex check, then the gate (a checkpoint: FAIL samples are left out
# of joint genotyping). Cohort QC after it: bcftools stats and KING-robust relatedness
# (plink2).


rule samtools_stats:
    """Alignment statistics of a sample's CRAM (samtools stats)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
    output:
        stats="results/qc/samtools_stats/{sample}.stats.txt",
    log:
        "logs/samtools_stats/{sample}.log",
    benchmark:
        "logs/benchmarks/samtools_stats/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.qc.SAMTOOLS_STATS_RULE


rule make_qc_regions:
    """The QC regions: N-free autosomes, and chrX/chrY outside the PARs."""
    input:
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        par=qc_par_bed(),
    output:
        bed="results/qc/regions.bed",
        autosomes="results/qc/autosomes.bed",
    log:
        "logs/make_qc_regions.log",
    benchmark:
        "logs/benchmarks/make_qc_regions/genome.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        patterns=[config["qc"]["autosomes"], config["qc"]["chrX"], config["qc"]["chrY"]],
    script:
        "../scripts/make_qc_regions.py"


rule mosdepth:
    """Coverage of a sample over the QC regions (GA4GH read and depth filters)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        regions="results/qc/regions.bed",
    output:
        summary="results/qc/mosdepth/{sample}.mosdepth.summary.txt",
        dist="results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
        region_dist="results/qc/mosdepth/{sample}.mosdepth.region.dist.txt",
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
    log:
        "logs/mosdepth/{sample}.log",
    benchmark:
        "logs/benchmarks/mosdepth/{sample}.tsv"
    conda:
        "../envs/mosdepth.yaml"
    container:
        image("mosdepth")
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        prefix=lambda wc, output: output.summary.removesuffix(".mosdepth.summary.txt"),
        min_mapq=config["qc"]["min_mapq"],
        thresholds=commands.qc.MOSDEPTH_THRESHOLDS,
    shell:
        commands.qc.MOSDEPTH_RULE


rule bcftools_call_sample:
    """The sample's own calls from its gVCF, for the per-sample QC metrics."""
    input:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        ploidy=ploidy_input(),
    output:
        vcf="results/qc/variants/{sample}.vcf.gz",
        tbi="results/qc/variants/{sample}.vcf.gz.tbi",
    log:
        "logs/bcftools_call_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/bcftools_call_sample/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        ploidy=ploidy_option(),
        sex=lambda wc: sample_sex_code(wc.sample),
    shell:
        commands.qc.CALL_SAMPLE_RULE


rule bcftools_stats_sample:
    """SNV and indel statistics of the sample's own autosomal calls."""
    input:
        vcf="results/qc/variants/{sample}.vcf.gz",
        autosomes="results/qc/autosomes.bed",
    output:
        snps="results/qc/bcftools_stats/{sample}.snps.txt",
        indels="results/qc/bcftools_stats/{sample}.indels.txt",
    log:
        "logs/bcftools_stats_sample/{sample}.log",
    benchmark:
        "logs/benchmarks/bcftools_stats_sample/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        scripts=SCRIPTS,
        min_qual=config["qc"]["min_variant_qual"],
    shell:
        commands.qc.STATS_SAMPLE_RULE


rule estimate_contamination:
    """Estimate a sample's contamination from its gVCF (CHARR-style)."""
    input:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        # the rule runs only with a population-frequency VCF (contamination_json)
        population=config["qc"]["population_af"] or [],
        regions="results/qc/autosomes.bed",
    output:
        json="results/qc/contamination/{sample}.json",
    log:
        "logs/estimate_contamination/{sample}.log",
    benchmark:
        "logs/benchmarks/estimate_contamination/{sample}.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        **config["qc"]["contamination"],
    script:
        "../scripts/estimate_contamination.py"


rule check_sex:
    """Infer a sample's karyotype from X/Y depth and X heterozygosity."""
    input:
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        regions="results/qc/regions.bed",
    output:
        json="results/qc/sex/{sample}.json",
    log:
        "logs/check_sex/{sample}.log",
    benchmark:
        "logs/benchmarks/check_sex/{sample}.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        declared_sex=lambda wc: samples.loc[wc.sample, "sex"],
    script:
        "../scripts/check_sex.py"


rule sample_metrics:
    """Gather a sample's GA4GH QC metrics into one JSON."""
    input:
        samtools_stats="results/qc/samtools_stats/{sample}.stats.txt",
        markdup="results/qc/markdup/{sample}.markdup.txt",
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
        snps="results/qc/bcftools_stats/{sample}.snps.txt",
        indels="results/qc/bcftools_stats/{sample}.indels.txt",
        contamination=contamination_json,
        sex="results/qc/sex/{sample}.json",
        sv=sv_metrics_input,
    output:
        json="results/qc/{sample}.qc.json",
    log:
        "logs/sample_metrics/{sample}.log",
    benchmark:
        "logs/benchmarks/sample_metrics/{sample}.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        sample=lambda wc: wc.sample,
    script:
        "../scripts/sample_metrics.py"


checkpoint gate_samples:
    """The QC gate: PASS/WARN/FAIL per sample; who enters joint genotyping."""
    input:
        qc=expand("results/qc/{sample}.qc.json", sample=PROCESSED),
    output:
        table=report(
            "results/qc/sample_qc.tsv", caption="report/verdicts.rst", category="QC"
        ),
        sha256="results/qc/sample_qc.tsv.sha256",
        sexes="results/joint/sample_sexes.txt",
    log:
        "logs/gate_samples.log",
    benchmark:
        "logs/benchmarks/gate_samples/cohort.tsv"
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
        sex_policy=config["qc"]["sex_check"],
        overrides={o["sample"]: o["justification"] for o in config["qc"]["overrides"]},
        sexes=dict(zip(samples["sample"], samples["sex"])),
        sources={sample: sample_source(sample) for sample in SAMPLES},
        # samples whose processing failed in this run's first pass (docs/reliability.md)
        failed=FAILED_EARLIER,
        order=SAMPLES,
    script:
        "../scripts/gate_samples.py"


rule plink2_king:
    """KING-robust kinship of the joint calls (plink2) and per-sample genotype counts."""
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        autosomes="results/qc/autosomes.bed",
    output:
        kin0="results/qc/relatedness/king.kin0",
        counts="results/qc/relatedness/king.scount",
        note="results/qc/relatedness/king.note",
    log:
        "logs/plink2_king.log",
    benchmark:
        "logs/benchmarks/plink2_king/cohort.tsv"
    conda:
        "../envs/plink2.yaml"
    container:
        image("plink2")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        prefix=lambda wc, output: output.kin0.removesuffix(".kin0"),
        sites=commands.qc.king_site_options(
            config["qc"]["relatedness"]["min_qual"],
            config["qc"]["relatedness"]["min_site_call_rate"],
            config["qc"]["relatedness"]["min_maf"],
        ),
        # every pair for the report's plot in a small cohort (the sheet's size bounds it)
        pairs=commands.qc.king_pair_filter(len(SAMPLES)),
    shell:
        commands.qc.KING_RULE


rule estimate_relatedness:
    """Related pairs with their degree, heterozygosity and call-rate outliers."""
    input:
        kin0="results/qc/relatedness/king.kin0",
        counts="results/qc/relatedness/king.scount",
        note="results/qc/relatedness/king.note",
    output:
        relatedness="results/qc/relatedness.tsv",
        samples="results/qc/cohort_samples.tsv",
        json="results/qc/relatedness.json",
    log:
        "logs/estimate_relatedness.log",
    benchmark:
        "logs/benchmarks/estimate_relatedness/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 30 * attempt,
    params:
        **config["qc"]["relatedness"],
    script:
        "../scripts/estimate_relatedness.py"


rule bcftools_stats_cohort:
    """Per-sample statistics of the cohort VCF (bcftools stats)."""
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
    output:
        stats="results/qc/bcftools_stats/cohort.stats.txt",
    log:
        "logs/bcftools_stats_cohort.log",
    benchmark:
        "logs/benchmarks/bcftools_stats_cohort/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        scripts=SCRIPTS,
    shell:
        commands.qc.STATS_COHORT_RULE
