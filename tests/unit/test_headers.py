"""refcohort.headers: the SAM header of a BAM or CRAM, and its records and tags."""

import subprocess

import pysam
import pytest

from refcohort import headers

HEADER = (
    "@HD\tVN:1.6\tSO:coordinate\n"
    "@SQ\tSN:1\tLN:1000\tM5:0123456789abcdef0123456789abcdef\n"
    "@SQ\tSN:2\tLN:500\n"
    "@RG\tID:FC1.1\tSM:NAT-0001\tPL:ILLUMINA\tLB:LIB-A\tPU:FC1.1.ACGT\tCN:OTHER\n"
    "@PG\tID:bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem ref.fa a.fq b.fq\n"
    "@PG\tID:ApplyBQSR\tPN:ApplyBQSR\tPP:bwa\n"
)


def test_bam_header_text_reads_a_bam(tmp_path):
    path = tmp_path / "x.bam"
    header = pysam.AlignmentHeader.from_text(HEADER)
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    text = headers.bam_header_text(str(path))
    assert "@RG\tID:FC1.1\tSM:NAT-0001" in text and "@PG\tID:ApplyBQSR" in text
    assert headers.alignment_header_text(str(path), "ubam") == text
    with pytest.raises(ValueError, match="not a BAM"):
        plain = tmp_path / "x.gz"
        subprocess.run(f"echo hello | gzip > {plain}", shell=True, check=True)
        headers.bam_header_text(str(plain))


def test_cram_header_text_reads_a_cram_without_samtools(tmp_path):
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">1\n" + "ACGT" * 250 + "\n>2\n" + "TTGCA" * 100 + "\n")
    sam = tmp_path / "x.sam"
    sam.write_text(HEADER.replace("\tM5:0123456789abcdef0123456789abcdef", ""))
    cram = tmp_path / "x.cram"
    subprocess.run(["samtools", "view", "-C", "-T", fasta, "-o", cram, sam], check=True)
    text = headers.alignment_header_text(str(cram), "cram")
    expected = subprocess.run(
        ["samtools", "view", "-H", "--no-PG", cram], capture_output=True, text=True, check=True
    ).stdout
    assert text == expected
    with pytest.raises(ValueError, match="not a CRAM"):
        headers.cram_header_text(str(sam))


def test_header_records_and_tags():
    assert headers.header_md5s(HEADER) == {"1": "0123456789abcdef0123456789abcdef", "2": None}
    (rg,) = headers.header_records(HEADER, "RG")
    assert headers.field(rg, "SM") == "NAT-0001" and headers.field(rg, "DS") is None
    assert [headers.field(r, "ID") for r in headers.header_records(HEADER, "PG")] == [
        "bwa",
        "ApplyBQSR",
    ]
    assert headers.with_field(rg, "SM", "S1")[2] == "SM:S1"
    assert headers.with_field(["@RG", "ID:x"], "PL", "MGI") == ["@RG", "ID:x", "PL:MGI"]
