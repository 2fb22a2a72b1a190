# The deepvariant engine, per sample: run_deepvariant on the duplicate-marked CRAM writes
# the deliverable gVCF and the sample's VCF (its PASS calls feed the QC metrics, see
# glnexus.smk). Males: --haploid_contigs (X/Y) with --par_regions_bed (qc.par), which
# needs DeepVariant >= 1.6. Joint genotyping is GLnexus (glnexus.smk).


rule deepvariant_call:
    """DeepVariant VCF and gVCF of a sample (haploid X/Y outside PARs in males)."""
    input:
        cram="results/align/{sample}.cram",
        crai="results/align/{sample}.cram.crai",
        fasta=REFERENCE,
        fai=f"{REFERENCE}.fai",
        regions="results/reference/ploidy/genome.bed",
        haploid_contigs=deepvariant_haploid_contigs,
        par=qc_par_bed(),
    output:
        vcf="results/call/deepvariant/{sample}.vcf.gz",
        vcf_tbi="results/call/deepvariant/{sample}.vcf.gz.tbi",
        gvcf="results/gvcf/{sample}.g.vcf.gz",
        sha256="results/gvcf/{sample}.g.vcf.gz.sha256",
    log:
        "logs/deepvariant_call/{sample}.log",
    benchmark:
        "logs/benchmarks/deepvariant_call/{sample}.tsv"
    conda:
        "../../envs/deepvariant.yaml"
    container:
        image("deepvariant")
    threads: 16
    resources:
        mem_mb=lambda wc, attempt: 32000 * attempt,
        runtime=lambda wc, attempt: 1440 * attempt,
    params:
        scripts=SCRIPTS,
        model=config["calling"]["deepvariant"]["model_type"],
        par=deepvariant_par_options,
        extra=tool_extra("calling.deepvariant"),
        tmp=lambda wc: f"results/call/deepvariant/{wc.sample}.tmp",
    shell:
        commands.deepvariant.DEEPVARIANT_CALL_RULE
