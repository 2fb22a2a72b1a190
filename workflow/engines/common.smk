# The gatk, deepvariant and parabricks engines' input and parameter functions (included
# only for those engines; the option builders are in refcohort.commands.gatk/parabricks).

GATK_ROUTE = ENGINE == "gatk" or (
    ENGINE == "parabricks" and PARABRICKS_CALLER == "haplotypecaller"
)
GATK = config["calling"]["gatk"]
SAMPLE_PLOIDY = {"diploid": 2, "haploid": 1}
HAPLOID_CONTIGS = "results/reference/ploidy/haploid_contigs.txt"

if GATK_ROUTE and GATK["filter"] == "vqsr":
    for mode in ("snp", "indel"):
        if not GATK["vqsr"][f"{mode}_resources"]:
            fail(
                f"calling.gatk.filter is vqsr but calling.gatk.vqsr.{mode}_resources is empty; "
                "list the training/truth resources (or use filter: hard)."
            )


def is_male(sample):
    return samples.loc[sample, "sex"] == "male"


def ploidy_parts(sample):
    """Calling passes of a sample: males are also called haploid on X/Y outside the PARs."""
    return ["diploid", "haploid"] if is_male(sample) else ["diploid"]


def java_options(wildcards, resources):
    """JVM heap a little below the job's memory (GATK tools)."""
    return commands.gatk.java_options(resources.mem_mb)


def known_sites():
    """BQSR known-sites VCFs (calling.gatk.known_sites); empty: no BQSR."""
    return list(GATK["known_sites"])


def known_sites_indexes():
    return [f"{path}.tbi" for path in known_sites()]


def gatk_reads(wildcards):
    """HaplotypeCaller input: the shard's BQSR-recalibrated BAM, or the CRAM without BQSR."""
    if known_sites():
        prefix = f"results/call/bqsr/{wildcards.sample}/{wildcards.scatteritem}"
        return {"reads": f"{prefix}.bam", "index": f"{prefix}.bai"}
    cram = f"results/align/{wildcards.sample}.cram"
    return {"reads": cram, "index": f"{cram}.crai"}


def ploidy_bed(wildcards):
    """Regions of one calling pass of a sample in a shard (results/reference/ploidy/)."""
    if wildcards.ploidy == "haploid":
        return f"results/reference/ploidy/{wildcards.scatteritem}.haploid_male.bed"
    if is_male(wildcards.sample):
        return f"results/reference/ploidy/{wildcards.scatteritem}.diploid_male.bed"
    return f"results/reference/intervals/{wildcards.scatteritem}.bed"


def genome_ploidy_bed(wildcards):
    """Regions of one whole-genome calling pass of a sample (Parabricks callers)."""
    if wildcards.ploidy == "haploid":
        return "results/reference/ploidy/genome.haploid_male.bed"
    if is_male(wildcards.sample):
        return "results/reference/ploidy/genome.diploid_male.bed"
    return "results/reference/ploidy/genome.bed"


def gvcf_parts(wildcards):
    """The per-pass gVCFs that make a sample's gVCF (gatk: shard x pass; parabricks: pass)."""
    passes = ploidy_parts(wildcards.sample)
    if ENGINE == "gatk":
        return [
            path
            for p in passes
            for path in gather.shard(
                f"results/call/gatk/{wildcards.sample}/{{scatteritem}}.{p}.g.vcf.gz"
            )
        ]
    return [
        f"results/call/parabricks/{PARABRICKS_CALLER}/{wildcards.sample}.{p}.g.vcf.gz"
        for p in passes
    ]


def parabricks_recal_table(wildcards):
    """pbrun haplotypecaller's BQSR table (pbrun bqsr), when known sites are configured."""
    return (
        [f"results/call/parabricks/{wildcards.sample}.recal.txt"]
        if known_sites()
        else []
    )


def parabricks_haploid_contigs(wildcards):
    """pbrun deepvariant's haploid pass holds only X/Y outside the PARs: all haploid."""
    return [HAPLOID_CONTIGS] if wildcards.ploidy == "haploid" else []


def gatk_filtered_shards(wildcards):
    """Filtered joint shards: hard filters or VQSR (calling.gatk.filter)."""
    folder = "shards" if GATK["filter"] == "hard" else "vqsr"
    return gather.shard(f"results/joint/{folder}/{{scatteritem}}.vcf.gz")


def vqsr_resource_files(mode):
    paths = [r["vcf"] for r in GATK["vqsr"][f"{mode}_resources"]]
    return paths + [f"{p}.tbi" for p in paths]


def deepvariant_haploid_contigs(wildcards):
    """DeepVariant >= 1.6: a male's X/Y contigs are haploid outside the PARs."""
    return [HAPLOID_CONTIGS] if is_male(wildcards.sample) else []


def deepvariant_par_options(wildcards):
    if not is_male(wildcards.sample):
        return ""
    return commands.repeated_option("--par_regions_bed", qc_par_bed())


def sample_calls_vcf(wildcards):
    """The sample's own calls for the QC metrics under DeepVariant: its VCF (deepvariant)
    or the variant records of its gVCF (Parabricks deepvariant writes only the gVCF)."""
    if ENGINE == "deepvariant":
        return f"results/call/deepvariant/{wildcards.sample}.vcf.gz"
    return f"results/gvcf/{wildcards.sample}.g.vcf.gz"


def trimmed_fastqs(wildcards):
    """fastp-trimmed FASTQs of every unit of a sample (Parabricks fq2bam input)."""
    return [
        f"results/align/trimmed/{wildcards.sample}/{unit}.{read}.fastq.gz"
        for unit in units.loc[wildcards.sample, "unit"]
        for read in ("R1", "R2")
    ]


def parabricks_in_fq(wildcards):
    """One `--in-fq R1 R2 '@RG...'` per unit (read groups from units.tsv)."""
    rows = []
    for unit in units.loc[wildcards.sample, "unit"]:
        prefix = f"results/align/trimmed/{wildcards.sample}/{unit}"
        row = units.loc[(wildcards.sample, unit)]
        rg = commands.align.read_group(
            wildcards.sample, unit, row["platform"], row["library"]
        )
        rows.append((f"{prefix}.R1.fastq.gz", f"{prefix}.R2.fastq.gz", rg))
    return commands.parabricks.in_fq_options(rows)
