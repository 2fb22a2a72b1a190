"""Deployment: every rule declares a pinned conda environment and standard resources."""

import re

import pytest
import yaml

from conftest import ROOT

RULE = re.compile(r"^(?:rule|checkpoint) (\w+):\n(.*?)(?=^(?:rule|checkpoint) |\Z)", re.S | re.M)
# the one env with several tools: fastp | bwa mem | samtools stream in one rule
MULTI_TOOL_ENVS = {"align.yaml": {"fastp", "bwa", "samtools"}}


def rules():
    out = {}
    for smk in sorted((ROOT / "workflow").glob("*.smk")):
        for name, body in RULE.findall(smk.read_text()):
            out[name] = body
    return out


def test_workflow_has_rules():
    assert {"bwa_mem", "samtools_markdup", "bcftools_mpileup", "bcftools_call", "gate_samples", "multiqc"} <= set(rules())


@pytest.mark.parametrize("name", sorted(rules()))
def test_rule_declares_env_and_resources(name):
    body = rules()[name]
    env = re.search(r'conda:\n\s+"\.\./envs/([\w.-]+\.yaml)"', body)
    assert env, f"{name} has no conda: env"
    assert (ROOT / "envs" / env.group(1)).is_file(), f"{name}: envs/{env.group(1)} missing"
    assert re.search(r"\n    threads: ", body), f"{name} declares no threads"
    for resource in ("mem_mb=", "runtime="):
        assert resource in body, f"{name} declares no {resource[:-1]}"
    assert not re.search(r"partition|account|mem_gb|walltime", body), f"{name}: cluster settings belong in profiles/"


ENVS = sorted(p.name for p in (ROOT / "envs").glob("*.yaml"))


@pytest.mark.parametrize("env", ENVS)
def test_env_file_parses_pins_and_uses_the_channels(env):
    spec = yaml.safe_load((ROOT / "envs" / env).read_text())
    assert spec["channels"] == ["conda-forge", "bioconda", "nodefaults"]
    deps = spec["dependencies"]
    assert deps and all(isinstance(d, str) for d in deps)
    for dep in deps:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+=\d[\w.]*", dep), f"{env}: '{dep}' is not an exact pin"
    names = {d.split("=")[0] for d in deps}
    if env in MULTI_TOOL_ENVS:
        assert names == MULTI_TOOL_ENVS[env]
    elif env != "python.yaml":  # our scripts' runtime: python + its libraries
        assert len(names - {"htslib"}) == 1, f"{env}: one tool per env"


def test_every_env_is_used():
    used = {re.search(r'conda:\n\s+"\.\./envs/([\w.-]+\.yaml)"', body).group(1) for body in rules().values()}
    assert used == set(ENVS)
