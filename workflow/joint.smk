# Per shard: joint genotyping of the samples that passed the QC gate (bcftools merge
# --gvcf of their gVCFs over the shard -> call -m, with sex-aware ploidy on X/Y),
# left-alignment (multi-allelic sites stay one record), removal of unused alleles and of
# the <*> placeholder, and soft site filters written to FILTER. Calls are kept only where
# their POS lies in the shard, before left-alignment (reference blocks that start
# earlier still inform the merge; an indel shifted across the shard start is kept and
# `concat --allow-overlaps` puts it in order). Shards are concatenated into the cohort VCF.


rule bcftools_call:
    input:
        gvcfs=joint_gvcfs,
        tbis=joint_gvcf_indexes,
        regions="results/reference/intervals/{scatteritem}.bed",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        sexes="results/joint/sample_sexes.txt",
        ploidy=ploidy_input(),
    output:
        # kept (not temp): small, and without them Snakemake cannot tell that the
        # checkpoint-dependent joint calls are up to date, and would redo them
        vcf="results/joint/shards/{scatteritem}.vcf.gz",
        tbi="results/joint/shards/{scatteritem}.vcf.gz.tbi",
    log:
        "logs/bcftools_call/{scatteritem}.log",
    benchmark:
        "benchmarks/bcftools_call/{scatteritem}.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 360 * attempt,
    params:
        ploidy=ploidy_option(),
        call_extra=tool_extra("joint", "call_extra"),
        filters=site_filter_chain(),
    shell:
        "(bcftools merge --gvcf {input.fasta:q} --regions-file {input.regions:q} -Ou"
        " --file-list <(printf '%s\\n' {input.gvcfs:q})"
        " | bcftools call --multiallelic-caller --variants-only --annotate GQ"
        " {params.ploidy} --samples-file {input.sexes:q} {params.call_extra} -Ou"
        " | bcftools view --targets-file {input.regions:q} --targets-overlap 0 -Ou"
        " | bcftools norm --fasta-ref {input.fasta:q} -Ou"
        " | bcftools view --trim-alt-alleles -Ou"
        " | bcftools view --exclude 'ALT=\"<*>\"' -Ou"
        " | {params.filters}"
        " | bcftools view -Oz -o {output.vcf:q}"
        " && tabix -p vcf {output.vcf:q}) 2> {log:q}"


rule bcftools_concat_cohort:
    input:
        vcfs=gather.shard("results/joint/shards/{scatteritem}.vcf.gz"),
        tbis=gather.shard("results/joint/shards/{scatteritem}.vcf.gz.tbi"),
    output:
        vcf="results/joint/cohort.vcf.gz",
        tbi="results/joint/cohort.vcf.gz.tbi",
        md5="results/joint/cohort.vcf.gz.md5",
    log:
        "logs/bcftools_concat_cohort.log",
    benchmark:
        "benchmarks/bcftools_concat_cohort/cohort.tsv"
    conda:
        "../envs/bcftools.yaml"
    container:
        image("bcftools")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc, attempt: 120 * attempt,
    shell:
        # --allow-overlaps: left-alignment can move an indel before its shard's start
        "(bcftools concat --allow-overlaps -Oz -o {output.vcf:q} {input.vcfs:q}"
        " && tabix -p vcf {output.vcf:q}"
        " && md5sum {output.vcf:q} > {output.md5:q}) 2> {log:q}"
