"""Bad input files (docs/reliability.md): an unreadable FASTQ, CRAMs or a CRAM unit made
against another reference stop `snakemake -n` on the two-sample project of
test_workflow.py before any job; FASTQ paths with spaces reach the commands quoted."""

import os
import re
import subprocess

import pytest
from bad_input_cases import cram_unit_with, edit, set_unit
from conftest import dry_run


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads every file; tests/unit covers unreadable FASTQs"
)
def test_unreadable_fastq_stops_before_any_job(mini):
    (mini / "reads" / "B_L1_R1.fastq.gz").chmod(0)
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert (
        "units.tsv, line 4, column 'fq1': FASTQ 'reads/B_L1_R1.fastq.gz' is not readable"
        in proc.stderr
    )
    assert not (mini / "results").exists()


def test_reference_changed_since_the_crams_were_written(mini):
    """A CRAM in results/align made against another chr1 stops the run; nothing is added."""
    other = mini / "other.fa"
    other.write_text(">chr1\n" + "TTGA" * 100 + "\n>chrX\n" + "ACGT" * 50 + "\n")
    (mini / "results" / "align").mkdir(parents=True)
    sam = mini / "A.sam"
    sam.write_text(
        "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:400\n@SQ\tSN:chrX\tLN:200\n"
        "r1\t0\tchr1\t1\t60\t4M\t*\t0\t0\tTTGA\tIIII\n"
    )
    subprocess.run(
        ["samtools", "view", "-C", "-T", other, "-o", mini / "results/align/A.cram", sam],
        check=True,
    )
    before = sorted(p for p in (mini / "results").rglob("*"))
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert (
        "reference.fasta 'ref.fa' is not the reference the existing CRAMs were written with "
        "(1 of 1 differ: results/align/A.cram); in results/align/A.cram: contig chr1 has M5"
    ) in proc.stderr
    assert "Restore the original reference, or start a new results directory" in proc.stderr
    assert sorted(p for p in (mini / "results").rglob("*")) == before
    # the same CRAM made against the configured reference is accepted
    subprocess.run(
        ["samtools", "view", "-C", "-T", mini / "ref.fa", "-o", mini / "results/align/A.cram", sam],
        check=True,
    )
    assert dry_run(mini).returncode == 0


def test_fastq_paths_with_spaces_reach_the_commands_quoted(mini):
    (mini / "reads" / "run 1").mkdir()
    for name in ("B_L1_R1", "B_L1_R2"):
        os.rename(
            mini / "reads" / f"{name}.fastq.gz", mini / "reads" / "run 1" / f"{name}.fastq.gz"
        )
    edit(mini / "units.tsv", "reads/B_L1", "reads/run 1/B_L1")
    out = dry_run(mini).stdout
    assert "fastp --in1 'reads/run 1/B_L1_R1.fastq.gz' --in2 'reads/run 1/B_L1_R2.fastq.gz'" in out


def test_cram_with_the_wrong_input_reference_stops_the_run(mini):
    """The CRAM was written against ref.fa; a FASTA with another chr1 (and GRCh37-style
    names) is refused with the contig, both checksums and the CRAM's own UR; the right
    FASTA is accepted and reaches samtools collate quoted."""
    other = mini / "other.fa"
    other.write_text(">chr1\n" + "TTGA" * 100 + "\n>chrX\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", other], check=True)
    cram_unit_with(mini, "other.fa")
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert (
        "units.tsv, line 4, column 'input_reference': 'other.fa' is not the reference 'B.cram' was "
        "written with"
    ) in proc.stderr
    assert re.search(
        r"contig chr1 has M5 [0-9a-f]{32} in the CRAM but [0-9a-f]{32} in the FASTA", proc.stderr
    )
    assert "Give the FASTA the CRAM was made with" in proc.stderr
    assert not (mini / "results").exists()

    renamed = mini / "b37.fa"
    renamed.write_text(">1\n" + "ACGT" * 100 + "\n>X\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", renamed], check=True)
    set_unit(mini, 4, input_reference="b37.fa")
    proc = dry_run(mini, check=False)
    assert "contig chr1 is in the CRAM but not in the FASTA" in proc.stderr

    set_unit(mini, 4, input_reference="ref.fa")  # samtools indexed it when writing the CRAM
    out = dry_run(mini).stdout
    assert (
        "samtools collate -u -O --no-PG --reference ref.fa B.cram "
        "results/align/realigned/B/L1.bam.tmp.collate" in out
    )
    # the original read group (SM replaced by ours) and @PG chain reach bwa; our bwa
    # @PG follows the file's last step
    assert r"-R '@RG\tID:FC1.3\tSM:B\tPL:ILLUMINA\tLB:EXT-LIB\tPU:FC1.3.ACGT'" in out
    assert (
        r"-H '@PG\tID:L1.bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem ref.fa r1.fq "
        r"r2.fq\n@PG\tID:L1.MarkDuplicates" in out
    )
    assert "link_pg.sh L1.MarkDuplicates | samtools fixmate" in out
    assert (
        "fastp --in1 reads/A_L1_R1.fastq.gz --in2 reads/A_L1_R2.fastq.gz" in out
    )  # FASTQ units unchanged
    assert (
        "| fastp --stdin --interleaved_in --stdout --thread 1 --json "
        "results/qc/fastp/realigned/B.L1.fastp.json" in out
    )
