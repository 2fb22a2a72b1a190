"""scripts/check_pairs.awk, the guard between fastp and bwa mem -p in rule bwa_mem."""

import subprocess

import pytest
from conftest import ROOT

AWK = ROOT / "scripts" / "check_pairs.awk"


def record(name, seq="ACGT", qual="IIII", plus="+"):
    return f"@{name}\n{seq}\n{plus}\n{qual}\n"


def run(text):
    return subprocess.run(["awk", "-f", str(AWK)], input=text, capture_output=True, text=True)


def test_good_pairs_pass_through_unchanged():
    text = record("r1 1:N:0:1") + record("r1 2:N:0:1") + record("r2/1") + record("r2/2")
    proc = run(text)
    assert proc.returncode == 0 and proc.stdout == text
    assert "FASTQ check: 2 read pairs passed to bwa mem" in proc.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        (
            record("r1 1:N") + record("r2 2:N"),
            "read pair 1 has R1 r1 but R2 r2: the R1 and R2 files are not mates",
        ),
        (record("r1") + record("r1", qual="III"), "read 2 (r1): 4 bases but 3 quality characters"),
        (
            record("r1") + record("r1", qual="II I"),
            "read 2 (r1): quality characters outside '!'..'~'",
        ),
        (
            record("r1") + record("r1", qual="II\x7fI"),
            "read 2 (r1): quality characters outside '!'..'~'",
        ),
        (record("r1") + "r1\nACGT\n+\nIIII\n", "read 2 does not start with '@'"),
        (
            record("r1") + record("r1", plus="-"),
            "read 2 (r1): the third line does not start with '+'",
        ),
        (record("r1") + record("r1") + record("r2"), "the stream ended inside a read pair"),
        ("", "no reads came out of fastp"),
    ],
)
def test_broken_streams_stop_with_one_clear_line(text, message):
    proc = run(text)
    assert proc.returncode == 1
    assert f"ERROR: FASTQ check: {message}" in proc.stderr
