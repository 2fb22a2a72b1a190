# Germline WGS for population reference cohorts: FASTQ -> CRAM -> gVCF -> joint VCF.
# Thin entry point: stages live in workflow/*.smk in the order data flows.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


# Interval shards for per-sample gVCFs and joint genotyping; change the count at run
# time with `--set-scatter shard=N` (a performance choice, so it is not in config).
scattergather:
    shard=4,


include: "workflow/common.smk"
include: "workflow/reference.smk"
include: "workflow/align.smk"
include: "workflow/call.smk"
include: "workflow/joint.smk"
include: "workflow/qc.smk"
include: "workflow/report.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
