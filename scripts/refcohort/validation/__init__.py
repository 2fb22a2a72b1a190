"""Checks that run before any job: the sample and unit sheets (sheets), the files they
name (files), the config values (config), and the reference against the QC contig
classes, the PAR BED, the population-frequency resource and the CRAMs already written
(reference); how the problems are worded (messages).

Every check returns a list of problems, each a sentence that names the file, the line
and the column (or the config key) and says how to fix it; workflow/common.smk stops the
run with all of them when there is any. No Snakemake: the unit tests call each check.
"""

from .config import config_problems, config_value_problems, hail_problems, override_problems
from .files import fastq_problems, input_cram_problems
from .messages import format_problems
from .reference import cram_reference_problems, reference_problems
from .sheets import (
    duplicate_problems,
    parabricks_unit_problems,
    population_problems,
    read_sheet,
    schema_problems,
    sheet_link_problems,
    truth_sample_problems,
    unit_kind_problems,
)

__all__ = [
    "config_problems",
    "config_value_problems",
    "cram_reference_problems",
    "duplicate_problems",
    "fastq_problems",
    "format_problems",
    "hail_problems",
    "input_cram_problems",
    "override_problems",
    "parabricks_unit_problems",
    "population_problems",
    "read_sheet",
    "reference_problems",
    "schema_problems",
    "sheet_link_problems",
    "truth_sample_problems",
    "unit_kind_problems",
]
