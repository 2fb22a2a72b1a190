"""Calling engines other than bcftools, by dry-run: GATK, DeepVariant and Parabricks cannot
be installed here, so these tests check the DAG (rule names and job counts) and the
rendered commands (`snakemake -n -p`) carry each engine's key options, on the two-sample
project of test_workflow.py (sample A female with two lanes, B male).

Joint genotyping depends on the QC-gate checkpoint, which a dry-run cannot evaluate on a
fresh directory, so the joint steps are rendered separately with a fabricated gate table
(`gated` below) in which B failed QC: only A's gVCF may enter joint genotyping.
"""

import re

import pytest
from conftest import BIN, ROOT, dry_run, run, write_config

from refcohort import integrity


def jobs(out):
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", out, flags=re.M)}


def job_blocks(out):
    """[(rule, text of its job block incl. resources and shell command)] of a dry-run."""
    return re.findall(
        r"^(?:rule|checkpoint|localrule) (\w+):\n(.*?)(?=\n\n|\Z)", out, flags=re.M | re.S
    )


def commands(out, rule):
    return [
        m.group(1)
        for name, block in job_blocks(out)
        if name == rule
        for m in [re.search(r"^Shell command: (.*)$", block, flags=re.M)]
        if m
    ]


def engine(project, settings):
    write_config(project, f"calling:\n  {settings}\n")


def gated(project, allowed, target="results/joint/cohort.vcf.gz", both=False):
    """Fabricate the QC gate's output (A included, B excluded; both included with
    ``both``) and what joint genotyping reads, then dry-run ``target`` (the cohort VCF)
    with only the joint rules allowed."""
    for path in [
        "results/reference/genome.fa",
        "results/reference/genome.fa.fai",
        "results/reference/genome.dict",
        *[f"results/reference/intervals/{i}-of-4.bed" for i in range(1, 5)],
        *[f"results/gvcf/{s}.g.vcf.gz{ext}" for s in "AB" for ext in ("", ".tbi")],
        "results/qc/sample_qc.tsv",
        "results/joint/sample_sexes.txt",
    ]:
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).touch()
    b_row = (
        "B\tPASS\t\t\tincluded\n"
        if both
        else "B\tFAIL\tFAIL: pct_reads_mapped 50 < 90\t\texcluded\n"
    )
    (project / "results/qc/sample_qc.tsv").write_text(
        "sample\tstatus\treasons\toverride\tjoint_calling\nA\tPASS\t\t\tincluded\n" + b_row
    )
    (project / "results/joint/sample_sexes.txt").write_text("A\tF\n" + ("B\tM\n" if both else ""))
    # the gate and the gVCF rules seal what they write (checked before any job runs)
    for path in ["results/qc/sample_qc.tsv", *[f"results/gvcf/{s}.g.vcf.gz" for s in "AB"]]:
        integrity.seal(project / path, project / ".snakemake" / "validation")
    return dry_run(project, target, "--allowed-rules", *allowed).stdout


# The default engine's DAG on the mini project, as it was before the other engines existed.
BCFTOOLS_JOBS = {
    "stage_reference": 1,
    "samtools_faidx": 1,
    "samtools_dict": 1,
    "bwa_index": 1,
    "make_intervals": 1,
    "make_qc_regions": 1,
    "bwa_mem": 3,
    "samtools_markdup": 2,
    "bcftools_mpileup": 8,
    "bcftools_concat_gvcf": 2,
    "samtools_stats": 2,
    "mosdepth": 2,
    "bcftools_call_sample": 2,
    "bcftools_stats_sample": 2,
    "check_sex": 2,
    "sample_metrics": 2,
    "gate_samples": 1,
    "bcftools_call_cohort": 4,
    "bcftools_concat_cohort": 1,
    "plink2_king": 1,
    "estimate_relatedness": 1,
    "bcftools_stats_cohort": 1,
    "qc_report": 1,
    "multiqc": 1,
    "all": 1,
    # engine-independent stages downstream: release and the manifest
    "bcftools_view_release": 1,
    "release_allele_frequencies": 1,
    "write_manifest": 1,
    # each deliverable is sealed (SHA-256) by the rule that makes it; indexes and MD5s
    # are made from the files (2 CRAMs, 2 gVCFs, the cohort VCF)
    "samtools_index_cram": 2,
    "tabix_index_deliverable": 3,
    "md5sum_deliverable": 5,
    # the cohort freeze (the gated gVCFs and their checksums)
    "record_cohort_freeze": 1,
    # structural variants (sv.enabled): each sample's discovery and counts, the report's
    # section, the cohort BCF and its release; the merge of the sites and the genotyping
    # of the gated samples are planned once the gate has run (tests/workflow/test_sv.py)
    "make_sv_exclude": 1,
    "delly_call_sample": 2,
    "count_svs": 2,
    "sv_report": 1,
    "bcftools_merge_sv_genotypes": 1,
    "delly_filter_cohort_svs": 1,
    "bcftools_view_sv_release": 1,
    "release_sv_allele_frequencies": 1,
    # cohort structure and recruitment coverage (workflow/structure.smk)
    "select_structure_samples": 1,
    "plink2_pca": 1,
    "assess_structure": 1,
    "count_recruitment": 1,
    "total": 73,
}


def test_bcftools_default_dag_is_unchanged(mini):
    engine(mini, "engine: bcftools")
    assert jobs(dry_run(mini).stdout) == BCFTOOLS_JOBS


def test_unknown_engine_is_rejected_by_the_schema(mini):
    engine(mini, "engine: dragen")
    proc = dry_run(mini, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "'dragen' is not one of ['bcftools', 'gatk', 'deepvariant', 'parabricks']" in text
    assert not (mini / "results").exists()


def test_gatk_per_sample_calling(mini):
    engine(mini, "engine: gatk")
    out = dry_run(mini).stdout
    n = jobs(out)
    # 2 samples x 4 shards diploid + the male's 4 haploid passes; no BQSR without known sites
    assert n["gatk_haplotypecaller"] == 12 and n["gatk_mergevcfs_gvcf"] == 2
    assert n["bwa_mem"] == 3 and n["samtools_markdup"] == 2 and n["make_ploidy_regions"] == 1
    assert n["gatk_genotypegvcfs_sample"] == 2  # the QC's per-sample calls
    assert not {
        "bcftools_mpileup",
        "bcftools_call_cohort",
        "bcftools_call_sample",
        "gatk_baserecalibrator",
    } & set(n)
    hc = commands(out, "gatk_haplotypecaller")
    assert all("-ERC GVCF" in c and "-I results/align/" in c for c in hc)
    haploid = [c for c in hc if "--sample-ploidy 1" in c]
    assert len(haploid) == 4 and all("-I results/align/B.cram" in c for c in haploid)
    assert all(
        re.search(r"-L results/reference/ploidy/\d-of-4\.haploid_male\.bed --sample-ploidy 1", c)
        for c in haploid
    )
    assert any(
        "-I results/align/A.cram -L results/reference/intervals/1-of-4.bed --sample-ploidy 2" in c
        for c in hc
    )
    assert any(
        "-I results/align/B.cram -L results/reference/ploidy/1-of-4.diploid_male.bed "
        "--sample-ploidy 2" in c
        for c in hc
    )
    merge = " ".join(commands(out, "gatk_mergevcfs_gvcf"))
    assert (
        "results/call/gatk/B/4-of-4.haploid.g.vcf.gz" in merge
        and "results/call/gatk/A/4-of-4.haploid" not in merge
    )
    assert "-O results/gvcf/A.g.vcf.gz" in merge
    assert any(
        "GenotypeGVCFs -R results/reference/genome.fa -V results/gvcf/B.g.vcf.gz" in c
        for c in commands(out, "gatk_genotypegvcfs_sample")
    )


def test_gatk_bqsr_with_known_sites(mini):
    for name in ("dbsnp.vcf.gz", "dbsnp.vcf.gz.tbi", "mills.vcf.gz", "mills.vcf.gz.tbi"):
        (mini / name).touch()
    engine(mini, "engine: gatk\n  gatk:\n    known_sites: [dbsnp.vcf.gz, mills.vcf.gz]")
    out = dry_run(mini).stdout
    n = jobs(out)
    assert n["gatk_baserecalibrator"] == 2 and n["gatk_applybqsr"] == 8
    assert all(
        "--known-sites dbsnp.vcf.gz --known-sites mills.vcf.gz" in c
        for c in commands(out, "gatk_baserecalibrator")
    )
    assert all("--bqsr-recal-file results/call/bqsr/" in c for c in commands(out, "gatk_applybqsr"))
    assert all(
        re.search(r"-I results/call/bqsr/[AB]/\d-of-4\.bam", c)
        for c in commands(out, "gatk_haplotypecaller")
    )


def test_gatk_joint_genotyping_of_gated_samples_with_hard_filters(mini):
    engine(mini, "engine: gatk")
    out = gated(
        mini,
        [
            "gatk_genomicsdbimport",
            "gatk_genotypegvcfs",
            "gatk_variantfiltration",
            "gatk_mergevcfs_cohort",
        ],
    )
    assert jobs(out) == {
        "gatk_genomicsdbimport": 4,
        "gatk_genotypegvcfs": 4,
        "gatk_variantfiltration": 4,
        "gatk_mergevcfs_cohort": 1,
        "total": 13,
    }
    for c in commands(out, "gatk_genomicsdbimport"):
        assert "for f in results/gvcf/A.g.vcf.gz;" in c  # B failed the gate
        for flag in (
            "--genomicsdb-shared-posixfs-optimizations",
            "--bypass-feature-reader",
            "--merge-input-intervals",
            "--sample-name-map",
            "--batch-size 50",
        ):
            assert flag in c
    assert all(
        "-V gendb://results/joint/genomicsdb/" in c
        and "--only-output-calls-starting-in-intervals" in c
        for c in commands(out, "gatk_genotypegvcfs")
    )
    vf = commands(out, "gatk_variantfiltration")[0]
    assert "--select-type-to-include SNP" in vf and "--select-type-to-exclude SNP" in vf
    assert "--filter-name QD2 --filter-expression 'QD < 2.0'" in vf
    assert "--filter-name FS60 --filter-expression 'FS > 60.0'" in vf  # SNPs
    assert "--filter-name FS200 --filter-expression 'FS > 200.0'" in vf  # indels
    assert "-O results/joint/cohort.vcf.gz" in commands(out, "gatk_mergevcfs_cohort")[0]


def test_gatk_vqsr_needs_resources_then_recalibrates(mini):
    engine(mini, "engine: gatk\n  gatk:\n    filter: vqsr")
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0 and "calling.gatk.vqsr.snp_resources is empty" in proc.stderr
    for name in ("hapmap.vcf.gz", "hapmap.vcf.gz.tbi", "mills.vcf.gz", "mills.vcf.gz.tbi"):
        (mini / name).touch()
    engine(
        mini,
        "engine: gatk\n  gatk:\n    filter: vqsr\n    vqsr:\n"
        "      snp_resources: [{name: hapmap, vcf: hapmap.vcf.gz, training: true, truth: true, "
        "prior: 15}]\n"
        "      indel_resources: [{name: mills, vcf: mills.vcf.gz, training: true, truth: true, "
        "prior: 12}]",
    )
    out = gated(
        mini,
        [
            "gatk_genomicsdbimport",
            "gatk_genotypegvcfs",
            "gatk_variantrecalibrator",
            "gatk_applyvqsr",
            "gatk_mergevcfs_cohort",
        ],
    )
    n = jobs(out)
    assert (
        n["gatk_variantrecalibrator"] == 2
        and n["gatk_applyvqsr"] == 4
        and "gatk_variantfiltration" not in n
    )
    vr = " ".join(commands(out, "gatk_variantrecalibrator"))
    assert "--resource:hapmap,known=false,training=true,truth=true,prior=15.0 hapmap.vcf.gz" in vr
    assert "-mode SNP" in vr and "-mode INDEL" in vr and "--max-gaussians 4" in vr
    assert "--truth-sensitivity-filter-level 99.7" in commands(out, "gatk_applyvqsr")[0]
    assert "-I results/joint/vqsr/1-of-4.vcf.gz" in commands(out, "gatk_mergevcfs_cohort")[0]


def test_deepvariant_and_glnexus(mini):
    (mini / "par.bed").write_text("chrX\t0\t50\tPAR1\n")
    write_config(mini, "calling:\n  engine: deepvariant\nqc:\n  par: par.bed\n")
    out = dry_run(mini).stdout
    n = jobs(out)
    assert n["deepvariant_call"] == 2 and n["bcftools_view_sample"] == 2 and n["bwa_mem"] == 3
    assert not {"bcftools_mpileup", "bcftools_call_sample", "gatk_haplotypecaller"} & set(n)
    dv = {
        re.search(r"--reads results/align/(\w+)\.cram", c).group(1): c
        for c in commands(out, "deepvariant_call")
    }
    assert all(
        "run_deepvariant --model_type WGS" in c and "--output_gvcf results/gvcf/" in c
        for c in dv.values()
    )
    # males: the option line from the haploid contigs file (refcohort.commands.deepvariant),
    # the PARs; females: neither
    assert (
        "$(sed 's/^/--haploid_contigs /' results/reference/ploidy/haploid_contigs.txt /dev/null)"
        in dv["B"]
    )
    assert "--par_regions_bed" in dv["B"]
    assert "haploid_contigs.txt" not in dv["A"] and "--par_regions_bed" not in dv["A"]
    joint = gated(mini, ["glnexus_call", "bcftools_view_glnexus", "bcftools_concat_glnexus"])
    gl = commands(joint, "glnexus_call")
    assert len(gl) == 4
    assert all(
        "glnexus_cli --config DeepVariantWGS --bed results/reference/intervals/" in c for c in gl
    )
    assert all("results/gvcf/A.g.vcf.gz >" in c and "B.g.vcf.gz" not in c for c in gl)
    assert "bcftools concat --allow-overlaps" in commands(joint, "bcftools_concat_glnexus")[0]


def gpu_resources(out, rule):
    return [
        re.search(r"resources: (.*)", block).group(1)
        for name, block in job_blocks(out)
        if name == rule
    ]


@pytest.mark.parametrize("caller", ["haplotypecaller", "deepvariant"])
def test_parabricks(mini, caller):
    engine(mini, f"engine: parabricks\n  parabricks:\n    caller: {caller}")
    out = dry_run(mini).stdout
    n = jobs(out)
    # fastp per unit, then fq2bam per sample on the GPU; no CPU aligner or markdup
    assert n["fastp_trim"] == 3 and n["pbrun_fq2bam"] == 2 and n["convert_duplicate_metrics"] == 2
    assert not {"bwa_mem", "samtools_markdup", "bcftools_mpileup"} & set(n)
    fq2bam = {
        c.split("--out-bam results/align/")[1].split(".cram")[0]: c
        for c in commands(out, "pbrun_fq2bam")
    }
    assert fq2bam["A"].count("--in-fq ") == 2  # one per lane, each with its read group
    assert (
        "--in-fq results/align/trimmed/A/L2.R1.fastq.gz results/align/trimmed/A/L2.R2.fastq.gz "
        "'@RG\\tID:A.L2\\tSM:A\\tPL:ILLUMINA\\tLB:A-lib\\tPU:L2'"
    ) in fq2bam["A"]
    assert all(
        "pbrun fq2bam --ref results/reference/genome.fa" in c
        and "--bwa-options '-K 100000000 -Y'" in c
        and "--num-gpus 1" in c
        and "--out-duplicate-metrics" in c
        for c in fq2bam.values()
    )
    rule = f"pbrun_{caller}"
    calls = commands(out, rule)
    assert n[rule] == 3 and n["gatk_mergevcfs_gvcf"] == 2  # A diploid; B diploid + haploid
    assert all(
        f"pbrun {caller} --ref" in c and "--gvcf" in c and "--num-gpus 1" in c for c in calls
    )
    haploid = [c for c in calls if "genome.haploid_male.bed" in c]
    assert len(haploid) == 1 and "--in-bam results/align/B.cram" in haploid[0]
    if caller == "haplotypecaller":
        assert (
            "--ploidy 1" in haploid[0]
            and n["gatk_genotypegvcfs_sample"] == 2
            and "glnexus_call" not in n
        )
    else:
        assert (
            "--haploid-contigs " in haploid[0]
            and n["bcftools_view_sample"] == 2
            and "gatk_genomicsdbimport" not in n
        )
        # only the haploid pass reads the haploid contigs
        assert "haploid_contigs.txt /dev/null" in haploid[0]
        assert not any("haploid_contigs.txt" in c for c in calls if c not in haploid)
    for gpu_rule in ("pbrun_fq2bam", rule):
        assert all("gpu=1" in r for r in gpu_resources(out, gpu_rule))
    assert all("gpu=" not in r for r in gpu_resources(out, "fastp_trim"))


def test_gpu_profile_plans_parabricks_on_gpu_nodes(mini):
    """profiles/gpu parses and sizes the GPU jobs (--sdm env-modules only because a dry-run
    with the profile's apptainer needs the apptainer binary, which CI lacks)."""

    engine(mini, "engine: parabricks")
    out = run(
        [
            str(BIN / "snakemake"),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--workflow-profile",
            str(ROOT / "profiles" / "gpu"),
            "--sdm",
            "env-modules",
            "--directory",
            str(mini),
            "--configfile",
            str(mini / "config.yaml"),
            "-n",
        ]
    ).stdout
    fq2bam = gpu_resources(out, "pbrun_fq2bam")
    assert len(fq2bam) == 2 and all("mem_mb=100000" in r and "gpu=1" in r for r in fq2bam)
    assert all(
        "gpu=1" in r and "mem_mb=64000" in r for r in gpu_resources(out, "pbrun_haplotypecaller")
    )
    assert all("gpu=" not in r for r in gpu_resources(out, "samtools_stats"))
