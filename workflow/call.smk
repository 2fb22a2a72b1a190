# Per sample and interval shard: the bcftools genotype-likelihood gVCF (mpileup -g)
# that `bcftools merge --gvcf` + `call -m` jointly genotype. It keeps PL, AD, DP, QS
# and SP at every site, which `call -g` blocks would drop. Shards are concatenated into
# the per-sample deliverable results/gvcf/{sample}.g.vcf.gz.


rule bcftools_mpileup:
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        regions="results/reference/intervals/{scatteritem}.bed",
    output:
        gvcf=temp("results/call/shards/{sample}/{scatteritem}.g.vcf.gz"),
        tbi=temp("results/call/shards/{sample}/{scatteritem}.g.vcf.gz.tbi"),
    log:
        "logs/bcftools_mpileup/{sample}.{scatteritem}.log",
    benchmark:
        "benchmarks/bcftools_mpileup/{sample}.{scatteritem}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 2000 * attempt,
        runtime=lambda wc, attempt: 240 * attempt,
    params:
        options=mpileup_options(),
    shell:
        "(bcftools mpileup --fasta-ref {input.fasta:q} --regions-file {input.regions:q}"
        " --annotate FORMAT/AD,FORMAT/DP,FORMAT/QS,FORMAT/SP,INFO/AD {params.options}"
        " -Oz -o {output.gvcf:q} {input.cram:q}"
        " && tabix -p vcf {output.gvcf:q}) 2> {log:q}"


rule bcftools_concat_gvcf:
    input:
        gvcfs=sample_shard_gvcfs,
    output:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        tbi="results/gvcf/{sample}.g.vcf.gz.tbi",
        md5="results/gvcf/{sample}.g.vcf.gz.md5",
    log:
        "logs/bcftools_concat_gvcf/{sample}.log",
    benchmark:
        "benchmarks/bcftools_concat_gvcf/{sample}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=lambda wc, attempt: 60 * attempt,
    shell:
        "(bcftools concat --naive -Oz -o {output.gvcf:q} {input.gvcfs:q}"
        " && tabix -p vcf {output.gvcf:q}"
        " && md5sum {output.gvcf:q} > {output.md5:q}) 2> {log:q}"
