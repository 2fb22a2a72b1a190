"""`make validate` project: the NA12878 slice as a one-sample cohort, any engine."""

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from snakemake.utils import validate

from refcohort import giab as mvc

SCHEMA = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")


@pytest.fixture
def data(tmp_path):
    """Stand-ins for the shared NA12878 files (only their presence matters here)."""
    folder = tmp_path / "na12878_chr20"
    folder.mkdir()
    for name in (mvc.FASTA, mvc.R1, mvc.R2, mvc.TRUTH, mvc.CONFIDENT):
        (folder / name).touch()
    return folder


@pytest.mark.parametrize(
    "engine, calling",
    [
        ("bcftools", {"engine": "bcftools"}),
        ("gatk", {"engine": "gatk"}),
        ("deepvariant", {"engine": "deepvariant"}),
        ("parabricks", {"engine": "parabricks"}),
        (
            "parabricks:deepvariant",
            {"engine": "parabricks", "parabricks": {"caller": "deepvariant"}},
        ),
    ],
)
def test_config_is_valid_for_every_engine(tmp_path, data, engine, calling):
    out = tmp_path / "validation"
    assert mvc.cli([str(out), "--data", str(data), "--engine", engine]) == 0
    config = yaml.safe_load((out / "config.yaml").read_text())
    assert config["calling"] == calling
    validate(config, SCHEMA)  # the workflow's own schema accepts it
    assert config["reference"]["fasta"] == str(data / mvc.FASTA)
    assert config["qc"]["overrides"][0]["sample"] == "NA12878"


def test_sheets_point_at_the_data_with_absolute_paths(tmp_path, data):
    files = mvc.validation_files(data, "gatk")
    for name in ("samples.tsv", "units.tsv", "truth.tsv"):
        (tmp_path / name).write_text(files[name])
    units = pd.read_csv(tmp_path / "units.tsv", sep="\t")
    assert units.loc[0, "fq1"] == str(data / mvc.R1) and units.loc[0, "fq2"] == str(data / mvc.R2)
    truth = pd.read_csv(tmp_path / "truth.tsv", sep="\t")
    assert truth.loc[0, "truth_sample"] == "INTEGRATION" and truth.loc[0, "bed"] == str(
        data / mvc.CONFIDENT
    )
    assert pd.read_csv(tmp_path / "samples.tsv", sep="\t").loc[0, "sex"] == "female"


def test_unknown_engine_and_missing_data_fail_clearly(tmp_path, data, capsys):
    assert mvc.cli([str(tmp_path / "x"), "--data", str(data), "--engine", "dragen"]) == 1
    assert "unknown engine 'dragen'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="only parabricks takes a caller"):
        mvc.engine_settings("gatk:deepvariant")
    (data / mvc.R2).unlink()
    with pytest.raises(FileNotFoundError, match=mvc.R2):
        mvc.validation_files(data, "bcftools")
