"""Adding a batch to the SV cohort against calling it again from scratch
(docs/structural-variants.md, docs/benchmarks.md).

The workflow's own Delly and bcftools commands (refcohort.commands.sv, rendered as the
rules run them) on a finished demo's CRAMs, in one of two modes:

* ``full``: every gated sample's discovery, the merge of their sites, every sample's
  genotyping, the genotypes merged: what a cohort called from scratch runs;
* ``add``: what adding the last sample runs when the others' discovery calls exist:
  its discovery, the merge, every sample's genotyping (the sites changed), the merge.

Time the two with the project's timer, e.g.::

    farm-bench --vs '.venv/bin/python benchmarks/bench_sv_batch.py DEMO full' \\
        -- .venv/bin/python benchmarks/bench_sv_batch.py DEMO add

DEMO is a finished demo folder (`make demo DEMO_DIR=...`); the work happens in a
temporary folder, the demo is not changed.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from refcohort.commands import render, sv


def run(command: str) -> None:
    subprocess.run(["bash", "-euo", "pipefail", "-c", command], check=True)


def gated_samples(demo: Path) -> list[str]:
    with open(demo / "results/qc/sample_qc.tsv") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return [r["sample"] for r in rows if r["joint_calling"] == "included"]


def main(demo: Path, mode: str) -> None:
    samples = gated_samples(demo)
    fasta = demo / "results/reference/genome.fa"
    exclude = demo / "results/sv/exclude.bed"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        discover = samples if mode == "full" else samples[-1:]
        for s in samples:
            if s not in discover:  # the earlier batch's discovery calls, kept
                for ext in ("", ".csi"):
                    shutil.copy(demo / f"results/sv/discovery/{s}.bcf{ext}", work / f"{s}.bcf{ext}")
        cram = {s: demo / f"results/align/{s}.cram" for s in samples}
        for s in discover:
            run(
                render(
                    sv.DELLY_CALL,
                    input={"fasta": fasta, "exclude": exclude, "cram": cram[s]},
                    output={"bcf": work / f"{s}.bcf"},
                    params={"extra": ""},
                )
                + " > /dev/null 2>&1"
            )
        sites = work / "sites.bcf"
        run(
            render(
                sv.DELLY_MERGE,
                input={"bcfs": [work / f"{s}.bcf" for s in samples]},
                output={"bcf": sites},
            )
            + " > /dev/null 2>&1"
        )
        for s in samples:
            run(
                render(
                    sv.DELLY_GENOTYPE,
                    input={"fasta": fasta, "exclude": exclude, "sites": sites, "cram": cram[s]},
                    output={"bcf": work / f"{s}.geno.bcf"},
                )
                + " > /dev/null 2>&1"
            )
        run(
            render(
                sv.MERGE_GENOTYPES,
                input={"bcfs": [work / f"{s}.geno.bcf" for s in samples]},
                output={"bcf": work / "cohort.bcf"},
            )
        )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in ("full", "add"):
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2])
