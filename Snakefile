# Germline WGS for population reference cohorts: FASTQ -> CRAM -> gVCF -> joint VCF.
# Thin entry point: stages live in workflow/*.smk in the order data flows.
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


# The defaults always come from the workflow's own config/config.yaml, also when the run
# is in another directory (--directory); --configfile/--config are applied on top. (A
# relative path here would be looked up in the working directory, and Snakemake skips a
# missing one silently when --configfile is given.)
configfile: Path(workflow.basedir, "config", "config.yaml")


report: "workflow/report/workflow.rst"


# Interval shards for per-sample gVCFs and joint genotyping; change the count at run
# time with `--set-scatter shard=N` (a performance choice, so it is not in config).
scattergather:
    shard=4,


# Steps that read a few small text files run in the controlling Snakemake process, not as
# cluster jobs (a scheduler round trip costs more than the work).
localrules:
    gate_samples,
    qc_report,
    summarise_accuracy,
    sv_report,
    select_structure_samples,
    assess_structure,
    count_recruitment,


include: "workflow/common.smk"
include: "workflow/functions.smk"
include: "workflow/run_events.smk"
include: "workflow/reference.smk"


# The calling engine (config calling.engine, docs/engines.md) picks the stages from
# alignment to the cohort VCF (workflow/engines/); every engine delivers the same files to
# the engine-independent stages that follow.
if ENGINE == "bcftools":

    include: "workflow/align.smk"
    include: "workflow/engines/bcftools.smk"

    if JOINT_ENGINE == "hail":

        include: "workflow/engines/hail.smk"

else:

    include: "workflow/engines/common.smk"
    include: "workflow/engines/sex_aware.smk"

    if ENGINE == "parabricks":

        include: "workflow/engines/parabricks.smk"

    else:

        include: "workflow/align.smk"

    if ENGINE == "gatk":

        include: "workflow/engines/gatk.smk"

    elif ENGINE == "deepvariant":

        include: "workflow/engines/deepvariant.smk"

    if GATK_ROUTE:

        include: "workflow/engines/gatk_joint.smk"

    else:

        include: "workflow/engines/glnexus.smk"


include: "workflow/cohort.smk"
include: "workflow/qc.smk"
include: "workflow/structure.smk"
include: "workflow/release.smk"


if SV_ENABLED:

    include: "workflow/sv.smk"


include: "workflow/report.smk"
include: "workflow/eval.smk"
include: "workflow/integrity.smk"


rule all:
    """Every deliverable of the run (final_outputs in workflow/functions.smk)."""
    default_target: True
    input:
        gate_and_sample_outputs(),
        cohort_outputs_after_gate,


# A resumed run first removes the temporary files of jobs that a kill left behind; a run
# with failed jobs lists them, with the line of their log that says why, in
# results/failed_samples.tsv (docs/reliability.md).
onstart:
    start_run()


onsuccess:
    finish_run()


onerror:
    report_failed_jobs(log)
