# The Snakemake-facing glue, first part: config, sample sheets and reference loaded and
# checked through the package (scripts/refcohort) before any job, wildcard constraints.
# The rules' input and parameter functions are in functions.smk (the engines' own in
# engines/common.smk). No rules, and no logic that could live in the package
# (docs/development.md).
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from snakemake import __version__ as SNAKEMAKE_VERSION
from snakemake.exceptions import IncompleteCheckpointException
from snakemake.utils import validate

# The package, for this process; jobs find it beside their script (scripts/).
sys.path.insert(0, str(Path(workflow.basedir, "scripts")))
from refcohort import (
    commands,
    console,
    failures,
    headers,
    integrity,
    realign,
    sheets,
    summary,
    validation,
)

ID_PATTERN = sheets.ID_PATTERN
REFERENCE = "results/reference/genome.fa"
SCHEMAS = Path(workflow.basedir, "workflow", "schemas")
SCRIPTS = Path(workflow.basedir, "scripts")
# Checks that read files (FASTQs, reference, CRAM headers) run once, in the controlling
# process; cluster jobs re-read the Snakefile but need not repeat them.
CHECK_FILES = workflow.is_main_process
VALIDATION_CACHE = ".snakemake/validation"
FAILED_SAMPLES = "results/failed_samples.tsv"
STRUCTURE_TABLE = (
    "results/qc/structure.tsv"  # the cohort-structure verdicts (structure.smk)
)
SECOND_PASS_ENV = "REFCOHORT_FAILED_SAMPLES"

# The concise console (--logger rich; refcohort.console): no line per temporary file
if workflow.is_main_process:
    from snakemake.logging import logger as _snakemake_logger

    console.quiet_plugin_console(_snakemake_logger)

# Jobs run the tools and Python of the environment Snakemake runs in (the .venv), also
# when it was started as .venv/bin/snakemake without activating the venv; under --sdm
# conda/apptainer each job gets its own environment instead.
if not workflow.deployment_settings.deployment_method:
    console.put_first_on_path(Path(sys.executable).parent)
MANIFEST = "results/manifest.tsv"


def fail(message, heading="Configuration error"):
    """Stop before any job runs, with a message that says what to fix."""
    sys.stderr.write(f"\n{heading}: {message}\n\n")
    raise SystemExit(1)


def fail_on(problems):
    """Stop with every problem found, each naming its file, line and column or key."""
    if problems:
        fail(validation.format_problems(problems))


def load_schema(name):
    return yaml.safe_load((SCHEMAS / name).read_text())


def config_files():
    """The config files in the order they were loaded (the last one wins)."""
    given = [str(f) for f in workflow.overwrite_configfiles or []]
    return [str(f) for f in workflow.configfiles if str(f) not in given] + given


fail_on(
    validation.config_problems(
        config, load_schema("config.schema.yaml"), config_files()
    )
)
validate(config, schema="schemas/config.schema.yaml")  # fills in the defaults
problems = validation.config_value_problems(config, config_files())


def read_sheet(key, path, schema, index):
    """A TSV sheet (refcohort.sheets.Sheet) and its problems: schema, duplicate IDs."""
    sheet, problems = validation.read_sheet(path, key)
    if sheet:
        problems += validation.schema_problems(sheet, load_schema(schema))
        problems += validation.duplicate_problems(sheet, index)
    return sheet, problems


def indexed(sheet, index):
    """A checked sheet as a data frame of strings indexed by its IDs."""
    frame = pd.DataFrame(sheet.rows, columns=sheet.columns, dtype=str)
    return frame.set_index(index, drop=False).sort_index()


def aligned_samples(ids):
    """Samples whose CRAM exists: their FASTQs may be gone (archived after alignment)."""
    return {s for s in ids if Path(f"results/align/{s}.cram").is_file()}


sample_sheet, sheet_problems = read_sheet(
    "samples", config["samples"], "samples.schema.yaml", ["sample"]
)
problems += sheet_problems
unit_sheet, sheet_problems = read_sheet(
    "units", config["units"], "units.schema.yaml", ["sample", "unit"]
)
problems += sheet_problems
if sample_sheet and unit_sheet:
    sample_ids = {row.get("sample") for row in sample_sheet.rows}
    problems += validation.population_problems(sample_sheet)
    problems += validation.sheet_link_problems(sample_sheet, unit_sheet)
    problems += validation.unit_kind_problems(unit_sheet)
    problems += validation.override_problems(config, sample_ids, config_files())
    if CHECK_FILES:
        done = aligned_samples(sample_ids)
        problems += validation.fastq_problems(unit_sheet, done)
        problems += validation.input_cram_problems(unit_sheet, done, VALIDATION_CACHE)
    if config["calling"]["engine"] == "parabricks":
        problems += validation.parabricks_unit_problems(unit_sheet)
fail_on(problems)

samples = indexed(sample_sheet, ["sample"])
units = indexed(unit_sheet, ["sample", "unit"])
for column in sheets.FILE_COLUMNS + ("library", "input_reference"):
    if column not in units:
        units[column] = ""  # optional columns left out of the header
units["kind"] = [sheets.unit_kind(row) for _, row in units.iterrows()]
if "minority" not in samples:
    samples["minority"] = ""  # the optional column left out of the header
SAMPLES = list(samples["sample"])
# What the cohort-structure and recruitment steps read of the sheet (docs/structure.md)
SAMPLE_INFO = {
    s: {"population": p, "sex": x, "minority": m}
    for s, p, x, m in zip(
        samples["sample"], samples["population"], samples["sex"], samples["minority"]
    )
}
# The second pass of a run in which some samples' processing failed: those samples get a
# FAIL row in the QC table with the failed step and its log line, and the others go on
# to joint calling and the report (docs/reliability.md; started by the onerror handler).
FAILED_EARLIER = failures.processing_failures(
    os.environ.get(SECOND_PASS_ENV, ""), SAMPLES
)
PROCESSED = [s for s in SAMPLES if s not in FAILED_EARLIER]


# Optional truth for scoring the calls: sample, vcf, bed[, truth_sample]
truth = pd.DataFrame(columns=["sample", "vcf", "bed", "truth_sample"]).set_index(
    "sample", drop=False
)
if config["evaluation"].get("truth"):
    truth_sheet, problems = read_sheet(
        "evaluation.truth",
        config["evaluation"]["truth"],
        "truth.schema.yaml",
        ["sample"],
    )
    if truth_sheet:
        problems += validation.truth_sample_problems(
            truth_sheet, set(SAMPLES), config["samples"]
        )
    fail_on(problems)
    truth = indexed(truth_sheet, ["sample"])
    if "truth_sample" not in truth:
        truth["truth_sample"] = ""
TRUTH_SAMPLES = list(truth["sample"])
SV_TRUTH = config["evaluation"].get("sv_truth", "")
if SV_TRUTH and CHECK_FILES and not Path(SV_TRUTH).is_file():
    fail(
        f"evaluation.sv_truth '{SV_TRUTH}' does not exist (a VCF of structural variants "
        "with the cohort's sample names); correct the path or set it to ''."
    )


wildcard_constraints:
    sample=ID_PATTERN,
    unit=ID_PATTERN,
    scatteritem=r"\d+-of-\d+",


def shipped(path):
    """A path as given, or else the copy shipped with the workflow (resources/...)."""
    if not path or Path(path).exists() or Path(path).is_absolute():
        return path
    bundled = Path(workflow.basedir, path)
    return str(bundled) if bundled.exists() else path


def qc_par_bed():
    par = shipped(config["qc"]["par"])
    if par and not Path(par).is_file():
        fail(f"qc.par '{par}' does not exist (a BED of the pseudo-autosomal regions).")
    return [par] if par else []


# The reference against the QC contig classes, the PAR BED, the population-frequency VCF
# and the CRAMs already written (their @SQ M5 checksums): before any job runs.
if CHECK_FILES:
    fail_on(
        validation.reference_problems(
            config, (qc_par_bed() or [None])[0], VALIDATION_CACHE
        )
    )
    fail_on(
        validation.cram_reference_problems(
            [f"results/align/{s}.cram" for s in sorted(aligned_samples(SAMPLES))],
            config["reference"]["fasta"],
            VALIDATION_CACHE,
        )
    )

# Every deliverable already made must still be what the step that made it wrote: the
# SHA-256 written then is checked before any job reads the file (refcohort.integrity;
# files unchanged since their last check are not read again).
if CHECK_FILES:
    damaged = integrity.deliverable_problems(
        "results", VALIDATION_CACHE, progress=lambda m: print(m, file=sys.stderr)
    )
    if damaged:
        fail(integrity.format_problems(damaged), heading="Damaged deliverable")
    # a deleted index or MD5 is made again here, from the checked file, with its time
    for made in integrity.rebuild_sidecars("results"):
        print(f"Made {made} again from the checked deliverable.", file=sys.stderr)

# --set-scatter shard=N: a count Snakemake accepts but that cannot make a run (0 shards
# would plan every gVCF and the cohort VCF away) is refused before any job is planned.
SHARDS = workflow._scatter.get("shard")
if not isinstance(SHARDS, int) or not 1 <= SHARDS <= 10000:
    fail(
        f"--set-scatter shard={SHARDS}: the number of interval shards must be a whole "
        "number from 1 to 10000 (the default is 4; docs/usage.md)."
    )

# What stage_reference is keyed on: the configured FASTA's content, not its path (computed
# once per file, cached; cluster jobs do not need it).
REFERENCE_FINGERPRINT = (
    integrity.file_fingerprint(config["reference"]["fasta"], VALIDATION_CACHE)
    if CHECK_FILES
    else ""
)

# The calling engine (config calling.engine, docs/engines.md) picks the stages from
# alignment to the cohort VCF; every engine delivers the same files to qc.smk on.
ENGINE = config["calling"]["engine"]
PARABRICKS_CALLER = config["calling"]["parabricks"]["caller"]
# How the gated gVCFs become the cohort VCF (config joint.engine; docs/joint-calling.md)
JOINT_ENGINE = config["joint"]["engine"]
if JOINT_ENGINE == "hail":
    fail_on(
        validation.hail_problems(
            ENGINE,
            Path(workflow.basedir, ".venv-hail", "bin", "python"),
            bool(workflow.deployment_settings.deployment_method),
            config_files(),
        )
    )
