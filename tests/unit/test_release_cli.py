"""Tests for scripts/release_allele_frequencies.py (the command line: outputs, checksum,
public and non-public tables, MultiQC section) and the config schema's release settings.
"""

import gzip
import hashlib
import json
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from release_cohort import (
    COHORT,
    random_records,
    write_par,
    write_sheet,
    write_vcf,
)

import refcohort.release as rl

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "release_allele_frequencies.py"


# --------------------------------------------------------------------------- #
# The command line: outputs, checksum, public and non-public tables
# --------------------------------------------------------------------------- #
def test_cli_writes_checksum_tables_and_multiqc_section(tmp_path):
    rng = np.random.default_rng(7)
    vcf = write_vcf(tmp_path / "in.vcf", COHORT, random_records(rng, COHORT))
    sheet = write_sheet(tmp_path / "samples.tsv", COHORT)
    out = tmp_path / "rel" / "af.vcf.gz"
    args = [
        "--vcf",
        str(vcf),
        "--samples",
        str(sheet),
        "--par",
        str(write_par(tmp_path / "par.bed")),
        "--output",
        str(out),
        "--groups",
        str(tmp_path / "groups.tsv"),
        "--excluded",
        str(tmp_path / "excl.tsv"),
        "--summary",
        str(tmp_path / "summary.json"),
        "--mqc",
        str(tmp_path / "mqc" / "release_mqc.yaml"),
        "--min-allele-count",
        "2",
        "--min-group-size",
        "3",
    ]
    assert runpy.run_path(str(SCRIPT))["cli"](args) == 0
    digest, name = Path(f"{out}.sha256").read_text().split()
    assert name == "af.vcf.gz" and digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert Path(f"{out}.tbi").stat().st_size > 0
    subprocess.run(["tabix", str(out), "chrX:1-10000"], check=True, capture_output=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "excluded" not in summary and summary["sites_written"] > 0
    groups = (tmp_path / "groups.tsv").read_text().splitlines()
    assert groups[0].split("\t") == rl.GROUP_COLUMNS and len(groups) == 1 + 9
    assert (tmp_path / "excl.tsv").read_text().splitlines() == ["\t".join(rl.EXCLUDED_COLUMNS)]
    import yaml

    mqc = yaml.safe_load((tmp_path / "mqc" / "release_mqc.yaml").read_text())
    assert mqc["id"] == "release_summary" and mqc["plot_type"] == "table"
    assert set(mqc["data"]) == {"all", "FI", "EE", "F", "M", "FI_F", "FI_M", "EE_F", "EE_M"}
    assert f"{summary['sites_written']:,} sites" in mqc["description"]
    # reading uncompressed BCF from stdin, as the rule does
    out2 = tmp_path / "stdin.vcf.gz"
    cmd = (
        f"bcftools view -Ou {vcf} | {sys.executable} {SCRIPT} --vcf - --samples {sheet} "
        f"--par {tmp_path / 'par.bed'} --output {out2} --groups {tmp_path / 'g2.tsv'} "
        f"--excluded {tmp_path / 'e2.tsv'} --min-allele-count 2 --min-group-size 3"
    )
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True, capture_output=True)
    assert gzip.open(out2).read() == gzip.open(out).read()


# --------------------------------------------------------------------------- #
# Config: the schema's defaults are the script's, and bad values are rejected
# --------------------------------------------------------------------------- #
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def release_config(release):
    from snakemake.utils import validate

    config = {
        "samples": "s.tsv",
        "units": "u.tsv",
        "reference": {"fasta": "r.fa"},
        "release": release,
    }
    validate(config, str(SCHEMA))
    return config["release"]


def test_schema_defaults_match_the_script():
    assert release_config({}) == {
        "max_kinship": rl.DEFAULT_MAX_KINSHIP,
        "min_allele_count": rl.DEFAULT_MIN_ALLELE_COUNT,
        "min_group_size": rl.DEFAULT_MIN_GROUP_SIZE,
        "unknown_sex": "exclude",
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"min_group_size": 0},
        {"min_allele_count": 2.5},
        {"max_kinship": 0.01},
        {"unknown_sex": "female"},
        {"min_count": 10},
    ],
)
def test_schema_rejects_bad_release_settings(bad):
    from snakemake.exceptions import WorkflowError

    with pytest.raises(WorkflowError):
        release_config(bad)
