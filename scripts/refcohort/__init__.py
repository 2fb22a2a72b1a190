"""refcohort: the Python of the germline WGS pipeline for national reference cohorts.

Pure, typed, tested modules by concern; the workflow (workflow/*.smk), the thin scripts in
scripts/ and the benchmarks import them. Nothing here imports Snakemake.

    io, intervals, contigs, sheets      shared readers and vocabulary
    headers, realign                    alignment-file headers, the realignment plan
    validation/                         checks that run before any job
    commands/                           every tool invocation of the workflow
    qc/                                 per-sample metrics, sex, contamination, gate,
                                        kinship, MultiQC sections
    compare                             calls against truth
    release/                            the national allele-frequency release
    demo/                               the simulated demo cohort
    manifest, failures                  integrity of the deliverables, failed-job table
"""

__version__ = "0.15.0"
