"""Every tool invocation of the workflow, in one place.

Each stage module holds the rules' commands as Snakemake shell templates (the text a
rule's ``shell:`` would hold: ``{input.fasta:q}``, ``{params.options}``, ``{threads}``,
``{log:q}``), built from named pieces, and the pure functions that turn config values
into tool options. The workflow's rules use the templates as their ``shell:``; the
benchmarks render the same templates (or the same pieces without the pipeline's own
guards) with :func:`render`, so a harness always runs what the workflow runs.

A template refers to the rule's *named* inputs, outputs and params; a rule that uses a
template declares those names (the dry-run tests render every rule's command).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace

from snakemake.utils import format as _snakemake_format

# The workflow's scripts folder (the Snakefile's SCRIPTS), which templates name as
# {params.scripts}: this package lives in it. Rules pass it as a pathlib.Path, a value
# Snakemake does not record among a job's params, so that moving the checkout does not
# make every job look changed (tests/e2e/test_integrity.py moves one).
SCRIPTS = Path(__file__).resolve().parents[2]


def logged(command: str) -> str:
    """A command whose standard error, from every step, goes to the rule's log."""
    return f"({command}) 2> {{log:q}}"


def extra_options(text: str | None) -> str:
    """Free-text extra options from config, as one shell-safe string."""
    return " ".join(shlex.quote(word) for word in shlex.split(text or ""))


def repeated_option(flag: str, values: Iterable[object]) -> str:
    """``flag v1 flag v2 ...``, shell-quoted."""
    return " ".join(f"{flag} {shlex.quote(str(v))}" for v in values)


def _namespace(values: Mapping[str, object] | None) -> SimpleNamespace:
    return SimpleNamespace(**dict(values or {}))


def render(
    template: str,
    *,
    input: Mapping[str, object] | None = None,  # noqa: A002 - Snakemake's own name
    output: Mapping[str, object] | None = None,
    params: Mapping[str, object] | None = None,
    wildcards: Mapping[str, object] | None = None,
    resources: Mapping[str, object] | None = None,
    threads: int = 1,
    log: str = "/dev/null",
    scripts: Path = SCRIPTS,
) -> str:
    """A template as the bash command Snakemake would run for a job with these files
    (Snakemake's own formatter: ``:q`` quotes, lists become space-separated words);
    ``params.scripts`` is the workflow's scripts folder unless given."""
    params = {"scripts": scripts, **dict(params or {})}
    return _snakemake_format(
        template,
        input=_namespace(input),
        output=_namespace(output),
        params=_namespace(params),
        wildcards=_namespace(wildcards),
        resources=_namespace(resources),
        threads=threads,
        log=log,
    )


# the stage modules (after the helpers above, which they import)
from . import (  # noqa: E402
    align,
    call,
    deepvariant,
    gatk,
    hail,
    parabricks,
    qc,
    reference,
    report,
    structure,
    sv,
)

__all__ = [
    "align",
    "call",
    "deepvariant",
    "extra_options",
    "gatk",
    "hail",
    "logged",
    "parabricks",
    "qc",
    "reference",
    "render",
    "repeated_option",
    "report",
    "structure",
    "sv",
]
