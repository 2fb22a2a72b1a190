# Sample QC before joint genotyping: GA4GH WGS QC metrics per sample (samtools stats,
# duplicate-marking stats, mosdepth over autosomes minus gaps, the sample's own calls),
# contamination and a sex check, then the gate (a checkpoint: FAIL samples are left out
# of joint genotyping). Cohort QC after it: bcftools stats and KING-robust relatedness.


rule samtools_stats:
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
    output:
        stats="results/qc/samtools_stats/{sample}.stats.txt",
    log:
        "logs/samtools_stats/{sample}.log",
    benchmark:
        "benchmarks/samtools_stats/{sample}.tsv"
    conda:
        "../envs/samtools.yaml"
    container:
        image("samtools")
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        "samtools stats --threads {threads} --reference {input.fasta:q} {input.cram:q}"
        " > {output.stats:q} 2> {log:q}"


rule make_qc_regions:
    input:
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        par=qc_par_bed(),
    output:
        bed="results/qc/regions.bed",
        autosomes="results/qc/autosomes.bed",
    log:
        "logs/make_qc_regions.log",
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
        "../scripts/make_intervals.py"


rule mosdepth:
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
        "benchmarks/mosdepth/{sample}.tsv"
    conda:
        "../envs/mosdepth.yaml"
    container:
        image("mosdepth")
    threads: 2
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        prefix=lambda wc, output: output.summary.removesuffix(".mosdepth.summary.txt"),
        min_mapq=config["qc"]["min_mapq"],
        # GA4GH: primary, non-duplicate reads (exclude unmapped, secondary, QC-fail,
        # duplicate, supplementary = 3844); depth counted up to 250
        thresholds=",".join(str(d) for d in range(1, 251)),
    shell:
        "mosdepth --threads {threads} --no-per-base --by {input.regions:q}"
        " --mapq {params.min_mapq} --flag 3844 --thresholds {params.thresholds}"
        " --fasta {input.fasta:q} {params.prefix:q} {input.cram:q} 2> {log:q}"


rule bcftools_call_sample:
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
        "benchmarks/bcftools_call_sample/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        ploidy=ploidy_option(),
        sex=lambda wc: sample_sex_code(wc.sample),
    shell:
        "(bcftools call --multiallelic-caller --variants-only {params.ploidy}"
        " --samples-file <(printf '%s\\t%s\\n' {wildcards.sample:q} {params.sex})"
        " -Oz -o {output.vcf:q} {input.gvcf:q} && tabix -p vcf {output.vcf:q}) 2> {log:q}"


rule bcftools_stats_sample:
    input:
        vcf="results/qc/variants/{sample}.vcf.gz",
        autosomes="results/qc/autosomes.bed",
    output:
        snps="results/qc/bcftools_stats/{sample}.snps.txt",
        indels="results/qc/bcftools_stats/{sample}.indels.txt",
    log:
        "logs/bcftools_stats_sample/{sample}.log",
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    params:
        min_qual=config["qc"]["min_variant_qual"],
    shell:
        "(bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"snp\"' -T {input.autosomes:q}"
        " -Ou {input.vcf:q} | bcftools stats -s - > {output.snps:q}"
        " && bcftools view -i 'QUAL>={params.min_qual} && TYPE=\"indel\"' -T {input.autosomes:q}"
        " -Ou {input.vcf:q} | bcftools stats -s - > {output.indels:q}) 2> {log:q}"


rule estimate_contamination:
    input:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        population=config["qc"]["population_af"],
        regions="results/qc/autosomes.bed",
    output:
        json="results/qc/contamination/{sample}.json",
    log:
        "logs/estimate_contamination/{sample}.log",
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
    input:
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        regions="results/qc/regions.bed",
    output:
        json="results/qc/sex/{sample}.json",
    log:
        "logs/check_sex/{sample}.log",
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
    input:
        samtools_stats="results/qc/samtools_stats/{sample}.stats.txt",
        markdup="results/qc/markdup/{sample}.markdup.txt",
        thresholds="results/qc/mosdepth/{sample}.thresholds.bed.gz",
        snps="results/qc/bcftools_stats/{sample}.snps.txt",
        indels="results/qc/bcftools_stats/{sample}.indels.txt",
        contamination=contamination_json,
        sex="results/qc/sex/{sample}.json",
    output:
        json="results/qc/{sample}.qc.json",
    log:
        "logs/sample_metrics/{sample}.log",
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
    input:
        qc=expand("results/qc/{sample}.qc.json", sample=SAMPLES),
    output:
        table="results/qc/sample_qc.tsv",
        sexes="results/joint/sample_sexes.txt",
    log:
        "logs/gate_samples.log",
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
    script:
        "../scripts/gate_samples.py"


rule relatedness:
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
    output:
        relatedness="results/qc/relatedness.tsv",
        samples="results/qc/cohort_samples.tsv",
        json="results/qc/relatedness.json",
    log:
        "logs/relatedness.log",
    benchmark:
        "benchmarks/relatedness/cohort.tsv"
    conda:
        "../envs/python.yaml"
    container:
        image("python")
    threads: 2
    resources:
        mem_mb=lambda wc, attempt: 8000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        **config["qc"]["relatedness"],
        autosomes=config["qc"]["autosomes"],
    script:
        "../scripts/relatedness.py"


rule bcftools_stats:
    input:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        fasta=REFERENCE,
    output:
        stats="results/qc/bcftools_stats/cohort.stats.txt",
    log:
        "logs/bcftools_stats.log",
    benchmark:
        "benchmarks/bcftools_stats/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        "bcftools stats --samples - --fasta-ref {input.fasta:q} {input.vcf:q}"
        " > {output.stats:q} 2> {log:q}"
