"""The overhead harness's helpers (benchmarks/overhead.py, benchlib.py, snakemake_jobtimes.py):
unit kinds, the floor's commands against the rules they stand for, the floor script, and
the per-job CPU recording. Cheap: nothing runs but a tiny floor and a short subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.append(str(ROOT / "benchmarks"))  # appended: scripts/release.py stays first

import benchlib as bl  # noqa: E402
import overhead  # noqa: E402
import snakemake_jobtimes  # noqa: E402

CONFIG = bl.pipeline_config(ROOT / "config" / "demo.yaml")
FASTQ_ROW = {"sample": "S01", "unit": "L001", "platform": "ILLUMINA", "library": "S01-lib1",
             "fq1": "reads/S01_R1.fq.gz", "fq2": "reads/S01_R2.fq.gz"}
CRAM_ROW = {"sample": "S03", "unit": "L001", "platform": "ILLUMINA", "library": "", "fq1": "", "fq2": "",
            "cram": "external/S03.cram", "input_reference": "external/ref.fa"}
UBAM_ROW = {"sample": "S04", "unit": "L001", "platform": "ILLUMINA", "library": "", "ubam": "external/S04.bam"}


def test_unit_kinds():
    assert overhead.unit_kind(FASTQ_ROW) == "fastq"
    assert overhead.unit_kind(CRAM_ROW) == "cram"
    assert overhead.unit_kind(UBAM_ROW) == "ubam"
    for bad in ({**FASTQ_ROW, "cram": "x.cram"}, {**CRAM_ROW, "bam": "y.bam"}, {"sample": "A", "unit": "B"},
                {**FASTQ_ROW, "fq2": ""}):
        with pytest.raises(ValueError):
            overhead.unit_kind(bad)


def test_align_commands_by_kind(tmp_path):
    rule, cmd = overhead.align_command(FASTQ_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG)
    assert rule == "bwa_mem"
    assert cmd.startswith(f"fastp --in1 {tmp_path / 'reads/S01_R1.fq.gz'} --in2 ")
    assert "--detect_adapter_for_pe" in cmd and "@RG\\tID:S01.L001\\tSM:S01" in cmd and "-t 2" in cmd
    rule, cmd = overhead.align_command(CRAM_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG, False)
    assert rule == "bwa_mem_realign"
    assert cmd.startswith(f"samtools collate -u -O --no-PG --reference {tmp_path / 'external/ref.fa'} "
                          f"{tmp_path / 'external/S03.cram'} /w/u.bam.tmp.collate | samtools fastq ")
    assert "fastp" not in cmd and "-R '@RG\\tID:S03.L001\\tSM:S03\\tPL:ILLUMINA\\tLB:S03-lib" in cmd
    rule, cmd = overhead.align_command(UBAM_ROW, tmp_path, "/ref/genome.fa", "/w/u.bam", 2, CONFIG)
    assert rule == "bwa_mem_realign" and "--reference" not in cmd
    assert "| samtools fastq -s /dev/null -0 /dev/null - | fastp --stdin --interleaved_in --stdout" in cmd


def _rule_signature(smk, rule):
    return bl.command_signature(bl.rule_shell((ROOT / "workflow" / smk).read_text(), rule))


def _assert_same_tools(rule_sig, floor_sig, omitted=(), from_params=()):
    """Every tool step of the rule (but the ones the floor leaves out) is in the floor with
    at least the rule's literal flags (its {params} expand to more), and the floor runs
    nothing else but the steps the rule's params hold."""
    expected = {k: v for k, v in rule_sig.items() if k not in omitted}
    assert set(floor_sig) - set(from_params) == set(expected), (set(floor_sig), set(expected))
    for step, flags in expected.items():
        assert flags <= floor_sig[step], (step, flags - floor_sig[step])


def test_floor_commands_match_the_rules(tmp_path):
    jobs = overhead.floor_jobs([FASTQ_ROW, {**FASTQ_ROW, "unit": "L002"}, {**FASTQ_ROW, "sample": "S02"}],
                               [{"sample": "S01", "sex": "female"}, {"sample": "S02", "sex": "male"}],
                               ["S01", "S02"], ["/i/1-of-2.bed", "/i/2-of-2.bed"], CONFIG, tmp_path,
                               "/demo/reference.fa", "/qc/regions.bed", "/qc/autosomes.bed", tmp_path / "floor", 2)
    cases = [("align.smk", "bwa_mem", "bwa_mem", (), ()),
             ("align.smk", "samtools_markdup", "samtools_markdup", {("samtools", "quickcheck")}, ()),
             ("call.smk", "bcftools_mpileup", "bcftools_mpileup", (), ()),
             ("call.smk", "bcftools_concat_gvcf", "bcftools_concat_gvcf", (), ()),
             ("joint.smk", "bcftools_call", "bcftools_call", (), {("bcftools", "filter")}),  # params.filters
             ("joint.smk", "bcftools_concat_cohort", "bcftools_concat_cohort", (), ()),
             ("qc.smk", "samtools_stats", "samtools_stats", (), ()),
             ("qc.smk", "mosdepth", "mosdepth", (), ()),
             ("qc.smk", "bcftools_call_sample", "bcftools_call_sample", (), ()),
             ("qc.smk", "bcftools_stats_sample", "bcftools_stats_sample", (), ()),
             ("qc.smk", "bcftools_stats", "bcftools_stats", (), ())]
    for smk, rule, step, omitted, from_params in cases:
        floor_sig = bl.command_signature(jobs[step][0][1])
        rule_sig = _rule_signature(smk, rule)
        if rule == "bwa_mem":  # the FASTQ units' stream (a newer rule text may build fastp's part in params)
            rule_sig = {k: v for k, v in rule_sig.items() if k[0] != "fastp"}
            floor_sig = {k: v for k, v in floor_sig.items() if k[0] != "fastp"}
        _assert_same_tools(rule_sig, floor_sig, omitted, from_params)
    align_text = (ROOT / "workflow" / "align.smk").read_text()
    if "rule bwa_mem_realign:" in align_text:  # cram/bam/ubam units: realigned without fastp
        realign = overhead.floor_jobs([CRAM_ROW], [{"sample": "S03", "sex": "female"}], ["S03"], ["/i/1.bed"], CONFIG,
                                      tmp_path, "/demo/reference.fa", "/qc/r.bed", "/qc/a.bed", tmp_path / "f", 2,
                                      overhead.realign_uses_fastp(ROOT))
        _assert_same_tools(_rule_signature("align.smk", "bwa_mem_realign"),
                           bl.command_signature(realign["bwa_mem_realign"][0][1]), (),
                           {("samtools", "collate"), ("samtools", "fastq")})  # params.reads
    # the joint shards take every joint sample's gVCF, with the demo's ploidy file and filters
    joint = jobs["bcftools_call"][0][1]
    assert "S01.g.vcf.gz" in joint and "S02.g.vcf.gz" in joint and "--ploidy-file" in joint
    assert "--soft-filter LowQual" in joint and "--soft-filter LowMQ" in joint
    assert jobs["_sexes"][0][0] == "S01\tF\nS02\tM"
    assert len(jobs["bwa_mem"]) == 3 and len(jobs["samtools_markdup"]) == 2 and len(jobs["bcftools_mpileup"]) == 4


def test_mpileup_options_follow_config():
    assert bl.mpileup_options(CONFIG) == "--min-MQ 20 --min-BQ 13 --max-depth 250 --gvcf 5,15"
    changed = bl.deep_merge(CONFIG, {"calling": {"gvcf_depth_bands": [10], "mpileup_extra": "-B"}})
    assert bl.mpileup_options(changed).endswith("--gvcf 10 -B")
    assert CONFIG["markdup"]["optical_distance"] == 100 and CONFIG["calling"]["min_mapq"] == 20


def test_floor_script_runs_and_times_each_job(tmp_path):
    floor = tmp_path / "floor"
    jobs = {step: [] for step in overhead.CORE_STAGES + overhead.QC_STAGES}
    jobs["bwa_mem"] = [("A.L1", "echo a > a.txt"), ("B.L1", "echo b > b.txt")]
    jobs["bcftools_mpileup"] = [("A.1", "cat a.txt > c.txt")]
    jobs["_sexes"] = [("A\tF", "")]
    script = overhead.write_floor(floor, jobs, 2)
    subprocess.run(["bash", str(script)], check=True)
    times = overhead.read_times(floor / "times.tsv")
    assert sorted((t["rule"], t["job"]) for t in times) == [("bcftools_mpileup", "A.1"), ("bwa_mem", "A.L1"),
                                                            ("bwa_mem", "B.L1")]
    assert all(t["wall"] >= 0 and t["cpu"] >= 0 for t in times)
    assert set(overhead.read_stages(floor / "stages.tsv")) == set(overhead.CORE_STAGES + overhead.QC_STAGES)
    assert (floor / "c.txt").read_text() == "a\n"
    jobs["bwa_mem"] = [("A.L1", "false")]
    script = overhead.write_floor(floor, jobs, 2)
    assert subprocess.run(["bash", str(script)]).returncode != 0  # a failed job stops the floor


def test_per_rule_sums_jobs_and_benchmark_files():
    jobtimes = [{"rule": "bwa_mem", "wall": 10.0, "cpu": 18.0}, {"rule": "bwa_mem", "wall": 5.0, "cpu": 9.0},
                {"rule": "(snakemake)", "wall": 0.1, "cpu": 0.05}]
    bench = [{"rule": "bwa_mem", "job": "S01.L001", "s": 10.0, "max_rss": 900.0, "cpu_time": 12.0}]
    rules = overhead.per_rule(jobtimes, bench)
    assert rules["bwa_mem"]["jobs"] == 2 and rules["bwa_mem"]["cpu"] == 27.0 and rules["bwa_mem"]["wall"] == 15.0
    assert rules["bwa_mem"]["bench_cpu"] == 12.0 and rules["bwa_mem"]["max_rss_mb"] == 900.0
    assert rules["(snakemake)"]["jobs"] == 0


def test_read_benchmarks(tmp_path):
    (tmp_path / "bwa_mem").mkdir()
    (tmp_path / "bwa_mem" / "S01.L001.tsv").write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        "20.65\t0:00:20\t1423.68\t1677.43\t1406.93\t1410.16\t5.91\t0.61\t86.24\t18.22\n")
    (tmp_path / "mosdepth").mkdir()
    (tmp_path / "mosdepth" / "S01.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n0.4\t0:00:00\tNA\tNA\n")
    rows = bl.read_benchmarks(tmp_path)
    assert rows[0] == {"rule": "bwa_mem", "job": "S01.L001", "s": 20.65, "max_rss": 1423.68, "cpu_time": 18.22}
    assert rows[1]["cpu_time"] == 0.0 and rows[1]["max_rss"] == 0.0


def test_jobtimes_records_a_jobs_exact_cpu(tmp_path):
    out = tmp_path / "jobs.jsonl"
    code = (
        "import subprocess, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "import snakemake_jobtimes as j\n"
        f"j.install({str(out)!r})\n"
        "class Rule: name = 'busy_rule'\n"
        "def run_wrapper(job_rule, wildcards, jobid):\n"
        "    subprocess.Popen([sys.executable, '-c', 'x = sum(range(3_000_000))']).wait()\n"
        "run_wrapper(Rule(), {'sample': 'S01'}, 7)\n"
        "subprocess.run(['true'])\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rule"] for r in records] == ["busy_rule", "(snakemake)"]
    assert records[0]["jobid"] == 7 and records[0]["wildcards"] == {"sample": "S01"}
    assert records[0]["cpu"] > 0.01 and records[0]["wall"] >= records[0]["cpu"] * 0.5
    assert snakemake_jobtimes.record is not None


def test_results_rows_and_tables(tmp_path):
    path = tmp_path / "r.tsv"
    bl.append_row(path, ["a", "b"], {"a": 1, "b": 0.5})
    bl.append_row(path, ["a", "b"], {"a": 2})
    assert path.read_text() == "a\tb\n1\t0.5\n2\t\n"
    bl.append_row(path, ["a", "c"], {"a": 3, "c": "x"})  # new columns: the old file is kept aside
    assert path.read_text() == "a\tc\n3\tx\n" and len(list(tmp_path.glob("r.*.old.tsv"))) == 1
    text = bl.table(["rule", "s"], [["bwa_mem", "1.0"], ["x", "10.25"]])
    assert text.splitlines()[0] == "rule         s" and text.splitlines()[3] == "x        10.25"
    assert bl.seconds(424) == "7 min 4 s" and bl.seconds(12.34) == "12.3 s"
