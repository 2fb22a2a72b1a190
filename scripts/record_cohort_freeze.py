"""Rule record_cohort_freeze: the freeze record of the cohort the joint call set is made
from (the gated samples' gVCFs and their SHA-256), and its VCF header line
(refcohort.freeze)."""

import sys
from pathlib import Path

from refcohort.freeze import record, reference_fingerprint, write_atomic


def main(smk) -> None:
    sys.stderr = open(smk.log[0], "w")
    wanted = dict(zip(smk.params.samples, smk.input.gvcfs))
    checksums = {
        sample: Path(sidecar).read_text().split()[0]
        for sample, sidecar in zip(smk.params.samples, smk.input.sha256)
    }
    freeze = record(
        smk.params.history,
        wanted,
        checksums,
        smk.params.engine,
        reference_fingerprint(smk.input.fai),
    )
    write_atomic(smk.output.freeze, freeze.to_json())
    write_atomic(smk.output.header, freeze.header_line() + "\n")
    print(f"cohort freeze {freeze.number}: {len(freeze.members)} samples", file=sys.stderr)


if "snakemake" in globals():
    main(snakemake)  # noqa: F821
