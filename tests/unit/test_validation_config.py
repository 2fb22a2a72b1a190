"""refcohort.validation.config: the config's schema and values, located at file and line."""

import yaml
from conftest import ROOT

from refcohort.validation import config as vc


def schema(name):
    return yaml.safe_load((ROOT / "workflow" / "schemas" / name).read_text())


# ------------------------------------------------------------------ config
def test_config_errors_name_file_line_and_key(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("samples: s.tsv\nunits: u.tsv\nreference:\n  fasta: ref.fa\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "threads: 4\nmarkdup:\n  optical_distanc: 100\ncalling:\n  min_mapq: ten\n"
        "qc:\n  contamination:\n    min_af: 1.5\n  thresholds:\n    pct_chimera: {fail_above: 5}\n"
    )
    config = {**yaml.safe_load(base.read_text()), **yaml.safe_load(mine.read_text())}
    problems = vc.config_problems(config, schema("config.schema.yaml"), [str(base), str(mine)])
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert f"{mine}, line 1, key threads: unknown key 'threads' under the top level" in text
    assert (
        f"{mine}, line 3, key markdup.optical_distanc: unknown key 'optical_distanc' under "
        "markdup (did you mean 'optical_distance'?)" in text
    )
    assert f"{mine}, line 5, key calling.min_mapq: 'ten' is text; write a whole number" in text
    assert (
        f"{mine}, line 8, key qc.contamination.min_af: 1.5 is above the maximum 1; "
        "use a value of at most 1" in text
    )
    assert (
        f"{mine}, line 10, key qc.thresholds.pct_chimera: unknown name 'pct_chimera' "
        "(did you mean 'pct_chimeras'?)" in text
    )


def test_config_value_ranges_and_order(tmp_path):
    config = {
        "reference": {"exclude_contigs": "chrUn_("},
        "calling": {"gvcf_depth_bands": [15, 5]},
        "qc": {
            "autosomes": "(chr)?[0-9]+",
            "chrX": "X",
            "chrY": "Y",
            "contamination": {"min_af": 0.5, "max_af": 0.4, "min_depth": 20, "max_depth": 10},
            "thresholds": {
                "pct_duplication": {"fail_above": 130},
                "cross_contamination_rate": {"fail_above": 0.02, "warn_above": 0.05},
                "mean_autosome_coverage": {"fail_below": 30, "fail_above": 20, "warn_below": 25},
            },
        },
    }
    problems = vc.config_value_problems(config, [])
    text = "\n".join(problems)
    assert (
        "key qc.thresholds.pct_duplication.fail_above: 130 is outside the range of "
        "pct_duplication (0-100)" in text
    )
    assert "warn_above 0.05 must be below fail_above 0.02" in text
    assert "fail_below 30 is not below fail_above 20, so every sample would fail" in text
    assert "warn_below 25 must be above fail_below 30" in text
    assert (
        "min_af 0.5 must be below max_af 0.4" in text
        and "min_depth 20 must not exceed max_depth 10" in text
    )
    assert "[15, 5] must increase" in text
    assert "key reference.exclude_contigs: 'chrUn_(' is not a valid regular expression" in text
    assert len(problems) == 8


def test_overrides_must_name_samples_of_the_sheet():
    config = {
        "qc": {
            "overrides": [
                {"sample": "A", "justification": "x" * 10},
                {"sample": "Z", "justification": "y" * 10},
            ]
        }
    }
    (problem,) = vc.override_problems(config, {"A"}, [])
    assert problem.startswith("config key qc.overrides.1.sample: 'Z' is not in the sample sheet")


def test_yaml_key_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(
        "# comment\nqc:\n  overrides:\n    - {sample: A, justification: j}\n"
        "    - sample: B\n      justification: k\n"
    )
    assert vc.yaml_key_line(str(path), ["qc"]) == 2
    assert vc.yaml_key_line(str(path), ["qc", "overrides", 1, "sample"]) == 5
    assert vc.yaml_key_line(str(path), ["qc", "thresholds"]) is None


def test_recruitment_targets_are_checked(tmp_path):
    """Targets per population code and minority group: whole numbers per sex or in all."""
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "samples: s.tsv\nunits: u.tsv\nreference:\n  fasta: ref.fa\nrecruitment:\n"
        "  targets:\n    FI: {female: 500, male: 500}\n    Finland: {all: 10}\n"
        "    EE: {females: 3}\n    NL: {all: -1}\n  minority_targets:\n    SAMI: {all: 40}\n"
    )
    config = yaml.safe_load(mine.read_text())
    problems = vc.config_problems(config, schema("config.schema.yaml"), [str(mine)])
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "recruitment.targets.Finland" in text and "recruitment.targets.EE" in text
    assert "recruitment.targets.NL.all" in text
    config["recruitment"]["targets"] = {"FI": {"female": 500}}
    assert vc.config_problems(config, schema("config.schema.yaml"), [str(mine)]) == []
