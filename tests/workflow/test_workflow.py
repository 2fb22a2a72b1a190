"""Workflow-level checks without running tools: format, lint, dry-runs, sheet validation."""

import re

import pytest
from conftest import BIN, ROOT, SNAKEMAKE, dry_run, run, write_config


def test_snakefmt_check_passes():
    run([str(BIN / "snakefmt"), "--check", "Snakefile", "workflow"])


def test_ruff_format_and_check_have_zero_findings():
    """Every .py file in the repository is formatted and lint-clean (pinned ruff, settings
    in pyproject.toml); --no-cache: nothing written into the checkout."""
    run([str(BIN / "ruff"), "format", "--check", "--no-cache", "."])
    run([str(BIN / "ruff"), "check", "--no-cache", "."])


def test_lint_has_zero_findings(mini):
    proc = run(
        SNAKEMAKE + ["--lint", "--directory", str(mini), "--configfile", str(mini / "config.yaml")]
    )
    text = proc.stdout + proc.stderr
    assert "Lints for" not in text, text
    assert "Congratulations, your workflow is in a good condition" in text


def test_dry_run_dag_and_commands(mini):
    out = dry_run(mini).stdout
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out, flags=re.M))
    assert jobs["bwa_mem"] == "3"  # one per unit
    assert jobs["samtools_markdup"] == "2"  # one per sample, merging its units
    assert jobs["bcftools_mpileup"] == "8"  # 2 samples x 4 shards
    assert jobs["bcftools_call_cohort"] == "4"  # one per shard
    # the production settings are in the rendered commands
    assert "bwa mem -p -K 100000000 -Y" in out
    assert "@RG\\tID:A.L2\\tSM:A\\tPL:ILLUMINA\\tLB:A-lib\\tPU:L2" in out
    assert "samtools fixmate -m" in out and "samtools markdup -S -d 2500" in out
    assert "-O cram - results/align/A.cram" in out and "samtools quickcheck" in out
    # the deliverable is sealed by its own rule; index and MD5 come from the file
    assert "seal_deliverable.sh results/align/A.cram" in out
    assert jobs["samtools_index_cram"] == "2"
    assert jobs["md5sum_deliverable"] == "5"  # 2 CRAMs, 2 gVCFs, the cohort VCF
    assert re.search(r"bcftools mpileup .*--gvcf 5,15", out)
    assert "--annotate FORMAT/AD,FORMAT/DP " in out and "fold_gvcf.awk" in out
    assert "bcftools merge --gvcf" in out and "--multiallelic-caller" in out
    assert "--ploidy GRCh38" in out and "--samples-file results/joint/sample_sexes.txt" in out
    assert "soft_filters.sh LowQual 'QUAL<30'" in out


def test_set_scatter_changes_shard_count(mini):
    out = dry_run(mini, "--set-scatter", "shard=2").stdout
    assert re.search(r"^bcftools_call_cohort\s+2$", out, flags=re.M)
    assert re.search(r"^bcftools_mpileup\s+4$", out, flags=re.M)


def test_ploidy_file_and_filters_come_from_config(mini):
    (mini / "ploidy.txt").write_text("* * * M 2\n* * * F 2\n")
    write_config(
        mini,
        "reference:\n  ploidy: ploidy.txt\njoint:\n  filters:\n"
        "    - {name: Shallow, expression: 'INFO/DP<3'}\n",
    )
    out = dry_run(mini).stdout
    assert "--ploidy-file ploidy.txt" in out
    assert "soft_filters.sh Shallow 'INFO/DP<3' |" in out
    assert "LowQual" not in out


@pytest.mark.parametrize(
    "edit, message",
    [
        (("samples.tsv", "B\tmale\tEE", "B\tmale\tEE\nB\tfemale\tFI"), "duplicate sample"),
        (("samples.tsv", "B\tmale\tEE", "B\tman\tEE"), "man"),
        (("samples.tsv", "B\tmale\tEE", "B\tmale\tEstonia"), "Estonia"),
        (("units.tsv", "B\tL1", "C\tL1"), "units for samples missing from"),
        (("units.tsv", "A\tL2", "A\tL1"), "duplicate sample/unit"),
        (("samples.tsv", "A\tfemale", "A;rm\tfemale"), "A;rm"),
        (
            ("config.yaml", "units: units.tsv", "units: units.tsv\nthreads: 4"),
            "Additional properties",
        ),
        (
            ("config.yaml", "fasta: ref.fa", "fasta: ref.fa\n  ploidy: hg19"),
            "neither a bcftools built-in",
        ),
    ],
)
def test_bad_sheets_and_config_stop_before_any_job(mini, edit, message):
    name, old, new = edit
    path = mini / name
    path.write_text(path.read_text().replace(old, new))
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr
    assert not (mini / "results").exists()


def test_slurm_profile_dry_run(mini):
    """profiles/slurm parses and plans the run (a real cluster run is not tested yet)."""
    cmd = [
        str(BIN / "snakemake"),
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--workflow-profile",
        str(ROOT / "profiles" / "slurm"),
        "--directory",
        str(mini),
        "--configfile",
        str(mini / "config.yaml"),
        "-n",
    ]
    out = run(cmd).stdout
    assert re.search(r"^bwa_mem\s+3$", out, flags=re.M)
    # the profile's default-resources reached the jobs (the local profile sets no disk)
    assert "disk_mb=10000" in out
    assert "disk_mb=10000" not in dry_run(mini).stdout


def test_workflow_defaults_apply_in_another_directory(mini):
    """config/config.yaml (the production thresholds) is the base also when the run is in
    another directory; a relative `configfile:` would be skipped there silently, and the
    gate would fall back to the schema's bare defaults (found by the SLURM test)."""
    proc = dry_run(mini)
    assert f"Config file {ROOT / 'config' / 'config.yaml'} is extended" in proc.stdout + proc.stderr


@pytest.mark.parametrize("engine", ["bcftools", "gatk", "deepvariant", "parabricks"])
def test_every_rule_explains_itself_in_list_rules(mini, engine):
    """`snakemake --list-rules` gives every rule's one-line docstring."""
    write_config(mini, f"calling:\n  engine: {engine}\n")
    proc = run(
        SNAKEMAKE
        + ["--list-rules", "--directory", str(mini), "--configfile", str(mini / "config.yaml")]
    )
    listed = [line for line in proc.stdout.splitlines() if re.fullmatch(r"\w+( \(.*\))?", line)]
    assert len(listed) > 20
    undocumented = [line for line in listed if " (" not in line]
    assert undocumented == [], f"rules without a docstring: {undocumented}"
