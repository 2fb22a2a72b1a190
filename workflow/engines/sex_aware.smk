# Sex-aware calling for the gatk, deepvariant and parabricks engines: the regions a male
# is called on with ploidy 2 and 1 (chrX/chrY outside the PARs; qc.chrX, qc.chrY, qc.par),
# per interval shard and for the whole callable genome, and the gather of a sample's
# per-pass gVCFs into its deliverable gVCF. Females (and unknown sex) are diploid
# everywhere, as DeepVariant's --haploid_contigs convention has it.


rule make_ploidy_regions:
    """Regions a male is called on as diploid and as haploid (X/Y outside PARs)."""
    input:
        shards=gather.shard("results/reference/intervals/{scatteritem}.bed"),
        par=qc_par_bed(),
    output:
        diploid=scatter.shard("results/reference/ploidy/{scatteritem}.diploid_male.bed"),
        haploid=scatter.shard("results/reference/ploidy/{scatteritem}.haploid_male.bed"),
        genome="results/reference/ploidy/genome.bed",
        genome_diploid="results/reference/ploidy/genome.diploid_male.bed",
        genome_haploid="results/reference/ploidy/genome.haploid_male.bed",
        contigs="results/reference/ploidy/haploid_contigs.txt",
    log:
        "logs/make_ploidy_regions.log",
    benchmark:
        "logs/benchmarks/make_ploidy_regions/genome.tsv"
    conda:
        "../../envs/python.yaml"
    container:
        image("python")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        chrX=config["qc"]["chrX"],
        chrY=config["qc"]["chrY"],
    script:
        "../../scripts/make_ploidy_regions.py"


rule gatk_mergevcfs_gvcf:
    """Gather a sample's per-pass gVCFs into its deliverable gVCF (GATK)."""
    input:
        parts=gvcf_parts,
        dict="results/reference/genome.dict",
    output:
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        sha256="results/gvcf/{sample}.g.vcf.gz.sha256",
    log:
        "logs/gatk_mergevcfs_gvcf/{sample}.log",
    benchmark:
        "logs/benchmarks/gatk_mergevcfs_gvcf/{sample}.tsv"
    conda:
        "../../envs/gatk4.yaml"
    container:
        image("gatk4")
    threads: 1
    resources:
        mem_mb=lambda wc, attempt: 4000 * attempt,
        runtime=lambda wc, attempt: 120 * attempt,
    params:
        scripts=SCRIPTS,
        java=java_options,
    shell:
        commands.gatk.GATK_MERGEVCFS_GVCF_RULE
