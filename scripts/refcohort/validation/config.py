"""The config: its schema, and the checks across keys that a schema cannot express, each
problem located at the file and line that set the key (the last config file wins).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from .messages import explain, show


def yaml_key_line(path: str, keys: list) -> int | None:
    """Line (1-based) of a key path in a YAML file, or None when the file does not set it."""
    try:
        node = yaml.compose(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return None
    return line


def locate(keys: list, config_files: list[str]) -> str:
    """'file, line N, key a.b.c' for the file that sets the key (the last one wins)."""
    dotted = ".".join(str(k) for k in keys) or "(top level)"
    for path in reversed(config_files):
        line = yaml_key_line(path, keys)
        if line is not None:
            return f"{path}, line {line}, key {dotted}"
    return f"config key {dotted}"


def did_you_mean(name: str, allowed: list[str]) -> str:
    """' (did you mean 'x'?)' for the closest allowed name, or ''."""
    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _DuplicateKeyLoader(yaml.SafeLoader):
    """A YAML loader that records keys given twice in one mapping (PyYAML, and so
    Snakemake, keep the last silently: a second `qc:` replaces the whole first block)."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append((str(key), seen[key], line))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def duplicate_key_problems(config_files: list[str]) -> list[str]:
    """Keys given twice in the same block of a config file."""
    problems = []
    for path in config_files:
        try:
            text = Path(path).read_text()
        except (OSError, UnicodeDecodeError):
            continue
        loader = _DuplicateKeyLoader(text)
        loader.duplicates = []
        try:
            loader.get_single_data()
        except yaml.YAMLError:
            continue  # Snakemake reports a file it cannot parse
        finally:
            loader.dispose()
        for key, first, again in loader.duplicates:
            problems.append(
                f"{path}, line {again}, key {key}: given twice in the same block (first on line "
                f"{first}); YAML keeps only the last, so everything under line {first} would be "
                "lost. Merge the two into one."
            )
    return problems


def config_problems(config: dict, schema: dict, config_files: list[str]) -> list[str]:
    """The config against its schema, each error with the file and line that set it.
    `config_files` lists the files in the order they were loaded (last wins)."""
    problems = duplicate_key_problems(config_files)
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        keys = list(error.absolute_path)
        if error.validator == "additionalProperties":
            subschema = error.schema
            allowed = sorted(subschema.get("properties", {}))
            for extra in sorted(set(error.instance) - set(allowed)):
                hint = did_you_mean(str(extra), allowed)
                where = ".".join(str(k) for k in keys) or "the top level"
                problems.append(
                    f"{locate(keys + [extra], config_files)}: unknown key '{extra}' under "
                    f"{where}{hint}; allowed keys there: {', '.join(allowed)}. Remove or rename "
                    "it (threads, memory and cluster settings belong in a profile). "
                    f"[{error.message}]"
                )
        elif error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            for key in missing:
                where = ".".join(str(k) for k in keys) or "the top level"
                problems.append(
                    f"{locate(keys, config_files)}: the key '{key}' is required under "
                    f"{where}; add it. [{error.message}]"
                )
        elif "propertyNames" in list(error.relative_schema_path):
            # an unknown key of a map with fixed key names (qc.thresholds metrics)
            allowed = error.validator_value if error.validator == "enum" else []
            hint = did_you_mean(str(error.instance), [str(a) for a in allowed])
            problems.append(
                f"{locate(keys + [error.instance], config_files)}: unknown name "
                f"{show(error.instance)}{hint}; use one of: {', '.join(str(a) for a in allowed)}."
            )
        else:
            problems.append(f"{locate(keys, config_files)}: {explain(error)}. [{error.message}]")
    return problems


def metric_range(metric: str) -> tuple[float, float | None]:
    """The range a gate metric can take (percentages, rates, counts/ratios)."""
    if metric.startswith("pct_"):
        return 0.0, 100.0
    if metric in ("cross_contamination_rate",):
        return 0.0, 1.0
    return 0.0, None


def threshold_problems(metric: str, rule: dict, at) -> list[str]:
    """One gate threshold (qc.thresholds.<metric>): in the metric's range, and its fail and
    warn bounds in an order in which each of them can apply."""
    problems = []
    low, high = metric_range(metric)
    for name, value in rule.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if value < low or (high is not None and value > high):
            span = f"{low:g}-{high:g}" if high is not None else f"at least {low:g}"
            problems.append(
                f"{at('qc', 'thresholds', metric, name)}: {value} is outside the range of "
                f"{metric} ({span}); correct the threshold."
            )
    fb, fa, wb, wa = (rule.get(k) for k in ("fail_below", "fail_above", "warn_below", "warn_above"))
    if fb is not None and fa is not None and fb >= fa:
        problems.append(
            f"{at('qc', 'thresholds', metric)}: fail_below {fb} is not below fail_above {fa}, "
            "so every sample would fail; correct one of them."
        )
    if wb is not None and fb is not None and wb <= fb:
        problems.append(
            f"{at('qc', 'thresholds', metric, 'warn_below')}: warn_below {wb} must be above "
            f"fail_below {fb} (otherwise it never applies)."
        )
    if wa is not None and fa is not None and wa >= fa:
        problems.append(
            f"{at('qc', 'thresholds', metric, 'warn_above')}: warn_above {wa} must be below "
            f"fail_above {fa} (otherwise it never applies)."
        )
    return problems


REGEX_KEYS = (("reference", "exclude_contigs"), ("qc", "autosomes"), ("qc", "chrX"), ("qc", "chrY"))


def config_value_problems(config: dict, config_files: list[str]) -> list[str]:
    """Checks across keys that a schema cannot express: ranges of gate thresholds and
    their order, contamination site bounds, regular expressions, depth bands."""
    problems = []

    def at(*keys):
        return locate(list(keys), config_files)

    qc = config.get("qc", {})
    for metric, rule in (qc.get("thresholds") or {}).items():
        problems += threshold_problems(metric, rule, at)
    c = qc.get("contamination", {})
    if "min_af" in c and "max_af" in c and c["min_af"] >= c["max_af"]:
        problems.append(
            f"{at('qc', 'contamination', 'min_af')}: min_af {c['min_af']} must be below "
            f"max_af {c['max_af']}."
        )
    if "min_depth" in c and "max_depth" in c and c["min_depth"] > c["max_depth"]:
        problems.append(
            f"{at('qc', 'contamination', 'min_depth')}: min_depth {c['min_depth']} must not "
            f"exceed max_depth {c['max_depth']}."
        )
    bands = config.get("calling", {}).get("gvcf_depth_bands", [])
    if any(a >= b for a, b in zip(bands, bands[1:])):
        problems.append(
            f"{at('calling', 'gvcf_depth_bands')}: {bands} must increase (e.g. [5, 15])."
        )
    for keys in REGEX_KEYS:
        node = config
        for k in keys:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        if isinstance(node, str):
            try:
                re.compile(node)
            except re.error as e:
                problems.append(
                    f"{at(*keys)}: {show(node)} is not a valid regular expression ({e}); "
                    "correct it."
                )
    return problems


def override_problems(config: dict, samples: set[str], config_files: list[str]) -> list[str]:
    """QC overrides (qc.overrides) for samples that are not in the sample sheet."""
    return [
        f"{locate(['qc', 'overrides', i, 'sample'], config_files)}: {show(o['sample'])} is not "
        "in the sample sheet; correct the ID or remove the override."
        for i, o in enumerate(config.get("qc", {}).get("overrides", []))
        if o.get("sample") not in samples
    ]


def hail_problems(
    engine: str, hail_python: Path, conda_or_container: bool, config_files: list[str]
) -> list[str]:
    """joint.engine hail: the calling engine must be bcftools (the store reads its
    gVCFs), and the Hail environment must exist (unless conda/apptainer provide it)."""
    where = locate(["joint", "engine"], config_files)
    problems = []
    if engine != "bcftools":
        problems.append(
            f"{where}: joint.engine hail combines the bcftools engine's gVCFs, but "
            f"calling.engine is {engine}; use joint.engine bcftools (the {engine} engine "
            "has its own joint step) or calling.engine bcftools."
        )
    if not conda_or_container and not Path(hail_python).is_file():
        problems.append(
            f"{where}: joint.engine hail needs the Hail environment, which is not installed "
            f"({hail_python} is missing); run `make hail` in the repository (installs Hail, "
            "Spark and a Java runtime from PyPI into .venv-hail), or run with --sdm conda "
            "(envs/hail.yaml)."
        )
    return problems
