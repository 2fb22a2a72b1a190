"""The hail joint engine's steps, run in the Hail environment (.venv-hail): `update` the
cohort store to this run's gated samples and write the freeze; `export` one shard of the
cohort as a joint VCF (refcohort.cohort_update); `counts` the release groups' AC/AN
straight from the store (a check beside the release). Rules hail_update_cohort and
hail_export_shard call the first two (refcohort.commands.hail)."""

import argparse
import os
import sys

from refcohort.cohort_update import counts, export, update
from refcohort.freeze import FreezeError


def cli(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=["update", "export", "counts"])
    ap.add_argument("--store", required=True, help="the cohort store folder")
    ap.add_argument("--freeze", required=True, help="freeze record (update: written)")
    ap.add_argument("--header", help="the freeze's VCF header line (update: written)")
    ap.add_argument("--gvcfs", help="update: TSV of sample, gvcf (the gated samples)")
    ap.add_argument("--regions", help="export: the shard's BED")
    ap.add_argument("--sexes", help="export: sample and M/F (the gate's sample_sexes.txt)")
    ap.add_argument("--out", help="export: the shard's VCF (.bgz); counts: a TSV")
    ap.add_argument("--samples", help="counts: the sample sheet")
    ap.add_argument("--groups", help="counts: the release's groups.tsv")
    ap.add_argument("--excluded", help="counts: the release's excluded-samples table")
    ap.add_argument("--fai", required=True, help="the reference's .fai")
    ap.add_argument("--par", default=None, help="BED of the pseudo-autosomal regions")
    ap.add_argument("--chrx", default=r"(chr)?X")
    ap.add_argument("--chry", default=r"(chr)?Y")
    ap.add_argument("--master", default="local", help="Spark master (local: local[cores])")
    ap.add_argument("--cores", type=int, default=1)
    ap.add_argument("--memory-mb", type=int, default=4000, help="the driver's (local: all)")
    ap.add_argument("--executor-mb", type=int, default=0, help="a cluster executor's memory")
    ap.add_argument(
        "--interval-size", type=int, default=0, help="import partitions (0: from the genome)"
    )
    ap.add_argument("--max-batches", type=int, default=16, help="update: merge beyond this")
    ap.add_argument("--tmp", help="export: Spark scratch folder")
    ap.add_argument("--hail-log", required=True)
    args = ap.parse_args(argv)
    # a cluster's executors run in folders of their own: every path Hail reads or writes
    # is made absolute here
    for name in ("store", "gvcfs", "regions", "out", "tmp", "hail_log", "fai", "par", "freeze"):
        if getattr(args, name, None):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    try:
        {"update": update, "export": export, "counts": counts}[args.step](args)
    except FreezeError as e:
        print(f"ERROR: cohort store: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli())
