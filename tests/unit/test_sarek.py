"""scripts/convert_samplesheet.py (refcohort.sarek): an nf-core/sarek samplesheet as the
two sheets, which then pass the pipeline's own checks."""

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from refcohort import sarek
from refcohort.validation import sheets as vs

SHEET = (
    "patient,sex,status,sample,lane,fastq_1,fastq_2\n"
    "P1,XX,0,S1,L001,r/S1_L1_R1.fq.gz,r/S1_L1_R2.fq.gz\n"
    "P1,XX,0,S1,L002,r/S1_L2_R1.fq.gz,r/S1_L2_R2.fq.gz\n"
    "P2,XY,0,S2,L001,r/S2_R1.fq.gz,r/S2_R2.fq.gz\n"
)


def test_sarek_sheet_becomes_two_valid_sheets(tmp_path):
    (tmp_path / "sarek.csv").write_text(SHEET)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/convert_samplesheet.py"), str(tmp_path / "sarek.csv"),
         "--population", "FI", "--outdir", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "samples.tsv" in proc.stdout
    assert (tmp_path / "samples.tsv").read_text() == (
        "sample\tsex\tpopulation\nS1\tfemale\tFI\nS2\tmale\tFI\n"
    )
    units = (tmp_path / "units.tsv").read_text().splitlines()
    assert units[0] == "sample\tunit\tplatform\tlibrary\tfq1\tfq2"
    assert units[2] == "S1\tL002\tILLUMINA\t\tr/S1_L2_R1.fq.gz\tr/S1_L2_R2.fq.gz"
    for name, schema in (("samples", "samples"), ("units", "units")):
        sheet, problems = vs.read_sheet(str(tmp_path / f"{name}.tsv"), name)
        schema = yaml.safe_load((ROOT / f"workflow/schemas/{schema}.schema.yaml").read_text())
        assert problems + vs.schema_problems(sheet, schema) == []


@pytest.mark.parametrize(
    "text, message",
    [
        (SHEET.replace("P2,XY,0", "P2,XY,1"), "tumour sample"),
        (SHEET.replace("P2,XY,", "P2,M,"), "is not XX, XY or NA"),
        ("patient,sex,status,sample\nP1,XX,0,S1\n", "no column lane, fastq_1, fastq_2"),
    ],
)
def test_what_a_germline_cohort_cannot_take_is_refused(tmp_path, text, message):
    (tmp_path / "sarek.csv").write_text(text)
    with pytest.raises(sarek.SarekError, match=message):
        sarek.convert_file(str(tmp_path / "sarek.csv"), str(tmp_path), "FI", "ILLUMINA")
    assert not (tmp_path / "samples.tsv").exists()
