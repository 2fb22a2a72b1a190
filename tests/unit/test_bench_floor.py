"""The overhead harness's floor (benchmarks/floor.py, demo_run.py): unit kinds, the
options it renders, every job the rule's template from refcohort.commands rendered for
the floor's files (a command written into the harness by hand fails here), the bare
chains the ones inside the rules' templates, and the floor script runs and times each
job. (benchmarks/ is on pytest's pythonpath.)"""

import subprocess

import benchlib as bl
import floor
import pytest
from demo_run import checked_kind

from refcohort import commands
from refcohort.commands import align, call, qc, reference, report

ROOT = bl.ROOT
CONFIG = bl.pipeline_config(ROOT / "config" / "demo.yaml")
FASTQ_ROW = {
    "sample": "S01",
    "unit": "L001",
    "platform": "ILLUMINA",
    "library": "S01-lib1",
    "fq1": "reads/S01_R1.fq.gz",
    "fq2": "reads/S01_R2.fq.gz",
}
CRAM_ROW = {
    "sample": "S03",
    "unit": "L001",
    "platform": "ILLUMINA",
    "library": "",
    "fq1": "",
    "fq2": "",
    "cram": "external/S03.cram",
    "input_reference": "external/ref.fa",
}
UBAM_ROW = {
    "sample": "S04",
    "unit": "L001",
    "platform": "ILLUMINA",
    "library": "",
    "ubam": "external/S04.bam",
}


def words(command: str) -> str:
    """A command with its runs of spaces as one (an empty option leaves two)."""
    return " ".join(command.split())


def test_unit_kinds():
    assert checked_kind(FASTQ_ROW) == "fastq"
    assert checked_kind(CRAM_ROW) == "cram"
    assert checked_kind(UBAM_ROW) == "ubam"
    for bad in (
        {**FASTQ_ROW, "cram": "x.cram"},
        {**CRAM_ROW, "bam": "y.bam"},
        {"sample": "A", "unit": "B"},
        {**FASTQ_ROW, "fq2": ""},
    ):
        with pytest.raises(ValueError):
            checked_kind(bad)


def test_mpileup_options_follow_config():
    options = call.mpileup_options(CONFIG["calling"])
    assert options.strip() == "--min-MQ 20 --min-BQ 13 --max-depth 250 --gvcf 5,15"
    changed = bl.deep_merge(CONFIG, {"calling": {"gvcf_depth_bands": [10], "mpileup_extra": "-B"}})
    assert call.mpileup_options(changed["calling"]).endswith("--gvcf 10 -B")
    assert CONFIG["markdup"]["optical_distance"] == 100 and CONFIG["calling"]["min_mapq"] == 20


def test_align_commands_by_kind(tmp_path):
    rule, cmd = floor.align_command(FASTQ_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG)
    assert rule == "bwa_mem"
    assert cmd.startswith(f"fastp --in1 {tmp_path / 'reads/S01_R1.fq.gz'} --in2 ")
    assert "--detect_adapter_for_pe" in cmd and "@RG\\tID:S01.L001\\tSM:S01" in cmd
    assert "-t 2" in cmd
    rule, cmd = floor.align_command(CRAM_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG)
    assert rule == "bwa_mem_realign"
    assert cmd.startswith(
        f"samtools collate -u -O --no-PG --reference {tmp_path / 'external/ref.fa'} "
        f"{tmp_path / 'external/S03.cram'} /w/u.bam.tmp.collate | samtools fastq "
    )
    # rule bwa_mem_realign streams every cram/bam/ubam unit through fastp
    assert "| fastp --stdin --interleaved_in --stdout" in cmd
    assert "-R '@RG\\tID:S03.L001\\tSM:S03\\tPL:ILLUMINA\\tLB:S03-lib" in cmd
    rule, cmd = floor.align_command(UBAM_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG)
    assert rule == "bwa_mem_realign" and "--reference" not in cmd
    assert (
        "| samtools fastq -s /dev/null -0 /dev/null - | fastp --stdin --interleaved_in --stdout"
        in words(cmd)
    )


def _floor(tmp_path):
    units = [FASTQ_ROW, {**FASTQ_ROW, "unit": "L002"}, {**FASTQ_ROW, "sample": "S02"}]
    samples = [{"sample": "S01", "sex": "female"}, {"sample": "S02", "sex": "male"}]
    shards = ["/i/1-of-2.bed", "/i/2-of-2.bed"]
    return floor.floor_jobs(
        units,
        samples,
        ["S01", "S02"],
        shards,
        CONFIG,
        tmp_path,
        "/demo/reference.fa",
        "/qc/regions.bed",
        "/qc/autosomes.bed",
        tmp_path / "floor",
        2,
    )


def test_floor_commands_are_the_rendered_templates(tmp_path):
    """Each floor job is the rule's template from refcohort.commands rendered for the
    floor's files, so a command written into the harness by hand fails here."""
    jobs = _floor(tmp_path)
    f = tmp_path / "floor"
    ref = str(f / "ref" / "genome.fa")
    ploidy = call.ploidy_option(CONFIG["reference"]["ploidy"], tmp_path)
    extra = commands.extra_options
    log = {rule: str(f / "logs" / f"{rule}.log") for rule in floor.CORE_STAGES}
    rg = align.read_group("S01", "L001", "ILLUMINA", "S01-lib1")
    unit = str(f / "units" / "S01.L001")
    cram, gvcf = str(f / "align" / "S01.cram"), str(f / "gvcf" / "S01.g.vcf.gz")
    shard_gvcfs = [str(f / "gvcf" / "shards" / f"S01.{i}-of-2.g.vcf.gz") for i in (1, 2)]
    joint_parts = [str(f / "joint" / "shards" / f"{i}-of-2.vcf.gz") for i in (1, 2)]
    cohort = str(f / "joint" / "cohort.vcf.gz")
    variants = str(f / "qc" / "S01.vcf.gz")
    expected = {
        "stage_reference": commands.render(
            reference.STAGE_REFERENCE,
            output={"fasta": ref},
            params={"source": "/demo/reference.fa"},
            log=log["stage_reference"],
        ),
        "samtools_faidx": commands.render(
            reference.SAMTOOLS_FAIDX, input={"fasta": ref}, log=log["samtools_faidx"]
        ),
        "samtools_dict": commands.render(
            reference.SAMTOOLS_DICT,
            input={"fasta": ref},
            output={"dict": str(f / "ref" / "genome.dict")},
            log=log["samtools_dict"],
        ),
        "bwa_index": commands.render(
            reference.BWA_INDEX, input={"fasta": ref}, log=log["bwa_index"]
        ),
        "bwa_mem": commands.render(
            align.FASTP_PAIRS + " | " + align.BWA_SORT,
            input={
                "fq1": str(tmp_path / "reads/S01_R1.fq.gz"),
                "fq2": str(tmp_path / "reads/S01_R2.fq.gz"),
                "fasta": ref,
            },
            output={
                "bam": f"{unit}.bam",
                "fastp_json": f"{unit}.fastp.json",
                "fastp_html": f"{unit}.fastp.html",
            },
            params={
                "read_groups": f"-R {rg}",
                "fastp_extra": extra(CONFIG["trimming"]["fastp_extra"]),
                "bwa_extra": extra(CONFIG["alignment"]["bwa_extra"]),
                "sort_mem": "768M",
            },
            threads=2,
        ),
        "samtools_markdup": commands.render(
            f"{align.MARKDUP} && {align.SAMTOOLS_INDEX_CRAM}",
            input={
                "bams": [f"{unit}.bam", str(f / "units" / "S01.L002.bam")],
                "fasta": ref,
                "cram": cram,
            },
            output={
                "cram": cram,
                "crai": f"{cram}.crai",
                "stats": str(f / "qc" / "S01.markdup.txt"),
            },
            params={
                "optical_distance": CONFIG["markdup"]["optical_distance"],
                "extra": extra(CONFIG["markdup"]["extra"]),
            },
            threads=2,
        ),
        "bcftools_mpileup": commands.render(
            call.BCFTOOLS_MPILEUP,
            input={"fasta": ref, "regions": "/i/1-of-2.bed", "cram": cram},
            output={"gvcf": shard_gvcfs[0]},
            params=call.mpileup_params(CONFIG["calling"]),
        ),
        "bcftools_concat_gvcf": commands.render(
            f"{call.BCFTOOLS_CONCAT_GVCF} && {report.TABIX}",
            input={"gvcfs": shard_gvcfs, "vcf": gvcf},
            output={"gvcf": gvcf},
        ),
        "bcftools_call_cohort": commands.render(
            call.JOINT_CALL,
            input={
                "fasta": ref,
                "regions": "/i/1-of-2.bed",
                "gvcfs": [gvcf, str(f / "gvcf" / "S02.g.vcf.gz")],
                "sexes": str(f / "joint" / "sample_sexes.txt"),
            },
            output={"vcf": joint_parts[0]},
            params={
                "ploidy": ploidy,
                "call_extra": extra(CONFIG["joint"]["call_extra"]),
                "soft_filters": str(ROOT / "scripts" / "soft_filters.sh"),
                "filters": call.soft_filter_options(CONFIG["joint"]["filters"]),
            },
        ),
        "bcftools_concat_cohort": commands.render(
            f"{call.CONCAT_COHORT} && {report.TABIX}",
            input={
                "vcfs": joint_parts,
                "freeze": str(f / "joint" / "freeze.header"),
                "vcf": cohort,
            },
            output={"vcf": cohort},
        ),
        "samtools_stats": commands.render(
            f"{qc.SAMTOOLS_STATS} > {{output.stats:q}}",
            input={"fasta": ref, "cram": cram},
            output={"stats": str(f / "qc" / "S01.stats.txt")},
            threads=2,
        ),
        "mosdepth": commands.render(
            qc.MOSDEPTH,
            input={"regions": "/qc/regions.bed", "fasta": ref, "cram": cram},
            params={
                "min_mapq": CONFIG["qc"]["min_mapq"],
                "thresholds": qc.MOSDEPTH_THRESHOLDS,
                "prefix": str(f / "qc" / "mosdepth" / "S01"),
            },
            threads=2,
        ),
        "bcftools_call_sample": commands.render(
            qc.CALL_SAMPLE,
            input={"gvcf": gvcf},
            output={"vcf": variants},
            params={"ploidy": ploidy, "sex": "F"},
            wildcards={"sample": "S01"},
        ),
        "bcftools_stats_sample": commands.render(
            f"{qc.STATS_SNPS} > {{output.snps:q}} && {qc.STATS_INDELS} > {{output.indels:q}}",
            input={"vcf": variants, "autosomes": "/qc/autosomes.bed"},
            output={
                "snps": str(f / "qc" / "S01.snps.txt"),
                "indels": str(f / "qc" / "S01.indels.txt"),
            },
            params={"min_qual": CONFIG["qc"]["min_variant_qual"]},
        ),
        "bcftools_stats_cohort": commands.render(
            f"{qc.STATS_COHORT} > {{output.stats:q}}",
            input={"fasta": ref, "vcf": cohort},
            output={"stats": str(f / "qc" / "cohort.stats.txt")},
        ),
    }
    assert set(expected) == set(floor.CORE_STAGES + floor.QC_STAGES) - {"bwa_mem_realign"}
    for step, command in expected.items():
        assert jobs[step][0][1] == command, step
    # the joint shards take every joint sample's gVCF, with the demo's ploidy file and filters
    joint = jobs["bcftools_call_cohort"][0][1]
    assert "S01.g.vcf.gz" in joint and "S02.g.vcf.gz" in joint and "--ploidy-file" in joint
    assert "soft_filters.sh LowQual" in joint and "LowMQ" in joint
    assert jobs["_sexes"][0][0] == "S01\tF\nS02\tM"
    assert len(jobs["bwa_mem"]) == 3 and len(jobs["samtools_markdup"]) == 2
    assert len(jobs["bcftools_mpileup"]) == 4


def test_realigned_units_render_the_realign_chain(tmp_path):
    jobs = floor.floor_jobs(
        [CRAM_ROW],
        [{"sample": "S03", "sex": "female"}],
        ["S03"],
        ["/i/1.bed"],
        CONFIG,
        tmp_path,
        "/demo/reference.fa",
        "/qc/r.bed",
        "/qc/a.bed",
        tmp_path / "f",
        2,
    )
    bam = str(tmp_path / "f" / "units" / "S03.L001.bam")
    expected = commands.render(
        align.REALIGN_READS + " | " + align.BWA_SORT,
        input={
            "reads": str(tmp_path / "external/S03.cram"),
            "fasta": str(tmp_path / "f/ref/genome.fa"),
        },
        output={
            "bam": bam,
            "fastp_json": bam.removesuffix(".bam") + ".fastp.json",
            "fastp_html": bam.removesuffix(".bam") + ".fastp.html",
        },
        params={
            "collate": align.collate_options("cram", str(tmp_path / "external/ref.fa")),
            "fastq": align.fastq_options(False),
            "read_groups": "-R " + align.read_group("S03", "L001", "ILLUMINA", ""),
            "fastp_extra": commands.extra_options(CONFIG["trimming"]["fastp_extra"]),
            "bwa_extra": commands.extra_options(CONFIG["alignment"]["bwa_extra"]),
            "sort_mem": "768M",
        },
        threads=2,
    )
    assert jobs["bwa_mem_realign"] == [("S03.L001", expected)]


def test_the_floor_chains_are_the_rules_commands_without_guards():
    """The bare chains the floor renders are the ones inside the rules' own templates."""
    assert align.FASTP_PAIRS in align.BWA_MEM_RULE and align.BWA_SORT in align.BWA_MEM_RULE
    assert align.REALIGN_READS in align.BWA_MEM_REALIGN_RULE
    assert align.BWA_MEM in align.BWA_MEM_REALIGN_RULE
    assert align.FIXMATE_SORT in align.BWA_MEM_REALIGN_RULE
    assert align.MARKDUP in align.SAMTOOLS_MARKDUP_RULE
    assert align.SAMTOOLS_INDEX_CRAM in align.SAMTOOLS_INDEX_CRAM_RULE
    for bare, rule in (
        (call.BCFTOOLS_MPILEUP, call.BCFTOOLS_MPILEUP_RULE),
        (call.BCFTOOLS_CONCAT_GVCF, call.BCFTOOLS_CONCAT_GVCF_RULE),
        (call.JOINT_CALL, call.JOINT_CALL_RULE),
        (call.CONCAT_COHORT, call.CONCAT_COHORT_RULE),
        (qc.SAMTOOLS_STATS, qc.SAMTOOLS_STATS_RULE),
        (qc.MOSDEPTH, qc.MOSDEPTH_RULE),
        (qc.CALL_SAMPLE, qc.CALL_SAMPLE_RULE),
        (qc.STATS_SNPS, qc.STATS_SAMPLE_RULE),
        (qc.STATS_INDELS, qc.STATS_SAMPLE_RULE),
        (qc.STATS_COHORT, qc.STATS_COHORT_RULE),
    ):
        assert bare in rule
    for guard in ("check_pairs", "quickcheck", "md5sum", "link_pg"):
        assert all(guard not in command for command in floor.UNIT_CHAINS.values())
        assert guard not in align.MARKDUP


def test_floor_script_runs_and_times_each_job(tmp_path):
    out = tmp_path / "floor"
    jobs = {step: [] for step in floor.CORE_STAGES + floor.QC_STAGES}
    jobs["bwa_mem"] = [("A.L1", "echo a > a.txt"), ("B.L1", "echo b > b.txt")]
    jobs["bcftools_mpileup"] = [("A.1", "cat a.txt > c.txt")]
    jobs["_sexes"] = [("A\tF", "")]
    script = floor.write_floor(out, jobs, 2)
    subprocess.run(["bash", str(script)], check=True)
    times = floor.read_times(out / "times.tsv")
    assert sorted((t["rule"], t["job"]) for t in times) == [
        ("bcftools_mpileup", "A.1"),
        ("bwa_mem", "A.L1"),
        ("bwa_mem", "B.L1"),
    ]
    assert all(t["wall"] >= 0 and t["cpu"] >= 0 for t in times)
    assert set(floor.read_stages(out / "stages.tsv")) == set(floor.CORE_STAGES + floor.QC_STAGES)
    assert (out / "c.txt").read_text() == "a\n"
    jobs["bwa_mem"] = [("A.L1", "false")]
    script = floor.write_floor(out, jobs, 2)
    assert subprocess.run(["bash", str(script)]).returncode != 0  # a failed job stops the floor
