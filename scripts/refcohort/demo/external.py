"""Genomes of the demo sequenced elsewhere, so the demo runs with mixed inputs.

* ``S03`` arrives as a CRAM from another centre: its reads aligned with plain
  ``bwa mem`` (no ``-Y``), sorted and duplicate-marked by samtools, against
  ``external/reference_b37names.fa``, the same sequence with GRCh37-style contig names
  (``1``, ``2``, ``X``, ``Y``, ``MT``); the centre's own read group (ID, PU, LB, CN and its
  own sample name) and @PG chain are in the header;
* ``S04`` arrives as an unaligned BAM (``samtools import``, one read group).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np

from .genome import write_fasta

B37_NAMES = {"chr1": "1", "chr2": "2", "chrX": "X", "chrY": "Y", "chrM": "MT"}
EXTERNAL_CRAM_SAMPLE, EXTERNAL_UBAM_SAMPLE = "S03", "S04"
CENTRE_READ_GROUP = (
    "@RG\\tID:HDEMOXXS03.1\\tSM:EE-0003\\tPL:ILLUMINA\\tLB:EEGC-LIB-0003"
    "\\tPU:HDEMOXXS03.1.ACGTACGT\\tCN:EEGC"
)


def run_pipe(command: str, log: Path) -> None:
    """Run a shell pipeline (bash, pipefail); stop with its log on failure."""
    with open(log, "a") as fh:
        done = subprocess.run(["bash", "-o", "pipefail", "-c", command], stdout=fh, stderr=fh)
    if done.returncode:
        sys.exit(f"[demo] failed ({done.returncode}): {command}\nsee {log}")


def write_external(
    out: Path, genome: dict[str, np.ndarray], fastqs: dict[str, tuple[str, str]], threads: int
) -> dict[str, dict]:
    """S03 as another centre's CRAM (GRCh37-style contig names, its own read group and
    @PG chain), S04 as an unaligned BAM; returns their units.tsv cells."""
    ext = out / "external"
    ext.mkdir(exist_ok=True)
    log = ext / "make_external.log"
    log.write_text("")
    ref = ext / "reference_b37names.fa"
    write_fasta(ref, {B37_NAMES[c]: s for c, s in genome.items()})
    q = shlex.quote
    index = q(str(ext / "bwa_index"))
    run_pipe(f"bwa index -p {index} {q(str(ref))}", log)
    r1, r2 = fastqs[EXTERNAL_CRAM_SAMPLE]
    cram = ext / f"{EXTERNAL_CRAM_SAMPLE}.cram"
    run_pipe(
        f"bwa mem -t {threads} -R {q(CENTRE_READ_GROUP)} {index} {q(r1)} {q(r2)}"
        f" | samtools fixmate -m -u - - | samtools sort -u -T {q(str(cram))}.tmp -"
        f" | samtools markdup --reference {q(str(ref))} -O cram --write-index - {q(str(cram))}",
        log,
    )
    for suffix in (".amb", ".ann", ".bwt", ".pac", ".sa"):
        (ext / f"bwa_index{suffix}").unlink()
    r1, r2 = fastqs[EXTERNAL_UBAM_SAMPLE]
    ubam = ext / f"{EXTERNAL_UBAM_SAMPLE}.unaligned.bam"
    run_pipe(
        f"samtools import -1 {q(r1)} -2 {q(r2)} -r ID:HDEMOXXS04.1 -r SM:{EXTERNAL_UBAM_SAMPLE}"
        f" -r PL:ILLUMINA -r LB:{EXTERNAL_UBAM_SAMPLE}-lib1 -r PU:HDEMOXXS04.1 -o {q(str(ubam))}",
        log,
    )
    return {
        EXTERNAL_CRAM_SAMPLE: {"cram": str(cram), "input_reference": str(ref)},
        EXTERNAL_UBAM_SAMPLE: {"ubam": str(ubam)},
    }
