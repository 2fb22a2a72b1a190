"""refcohort.realign (cram/bam/ubam units: read groups and @PG provenance) and
scripts/link_pg.sh (our bwa @PG line linked to the end of the original chain)."""

import shlex
import subprocess

from conftest import ROOT

from refcohort import realign
from refcohort.sheets import unit_kind, unit_kinds

HEADER = (
    "@HD\tVN:1.6\tSO:coordinate\n"
    "@SQ\tSN:1\tLN:1000\n"
    "@RG\tID:FC1.1\tSM:NAT-0001\tPL:ILLUMINA\tLB:LIB-A\tPU:FC1.1.ACGT\tCN:OTHER\n"
    "@PG\tID:bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem -R @RG\\tID:FC1.1 ref.fa a.fq b.fq\n"
    "@PG\tID:MarkDuplicates\tPN:MarkDuplicates\tPP:bwa\tVN:2.18\n"
    "@PG\tID:ApplyBQSR\tPN:ApplyBQSR\tPP:MarkDuplicates\n"
)


def test_unit_kind_and_kinds():
    assert unit_kind({"fq1": "a", "fq2": "b", "cram": ""}) == "fastq"
    assert unit_kind({"fq1": "", "fq2": "", "ubam": "x.bam"}) == "ubam"
    assert unit_kinds({"fq1": "a", "fq2": "b", "bam": "x.bam"}) == ["fastq", "bam"]
    assert unit_kinds({"cram": "x.cram"}) == ["cram"]


def test_one_read_group_is_kept_with_our_sample_name():
    plan = realign.realign_plan(HEADER, "S03", "L001", "MGI", "units-lib")
    assert plan["read_group"] == (
        "@RG\tID:FC1.1\tSM:S03\tPL:ILLUMINA\tLB:LIB-A\tPU:FC1.1.ACGT\tCN:OTHER"
    )
    assert plan["copy_rg"] is False
    assert plan["original_samples"] == ["NAT-0001"]
    assert plan["read_group_ids"] == ["FC1.1"]


def test_pg_chain_is_renamed_by_unit_and_our_bwa_follows_its_end():
    plan = realign.realign_plan(HEADER, "S03", "L001", "ILLUMINA", "lib")
    assert plan["header"] == [
        "@PG\tID:L001.bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem -R @RG\\tID:FC1.1 ref.fa a.fq b.fq",
        "@PG\tID:L001.MarkDuplicates\tPN:MarkDuplicates\tPP:L001.bwa\tVN:2.18",
        "@PG\tID:L001.ApplyBQSR\tPN:ApplyBQSR\tPP:L001.MarkDuplicates",
    ]
    assert plan["pg_parent"] == "L001.ApplyBQSR"


def test_several_read_groups_travel_with_each_read():
    text = HEADER.replace("@PG", "@RG\tID:FC1.2\tSM:NAT-0001\tPU:FC1.2\n@PG", 1)
    plan = realign.realign_plan(text, "S03", "L001", "ILLUMINA", "units-lib")
    assert plan["read_group"] is None and plan["copy_rg"] is True
    assert plan["header"][:2] == [
        "@RG\tID:FC1.1\tSM:S03\tPL:ILLUMINA\tLB:LIB-A\tPU:FC1.1.ACGT\tCN:OTHER",
        # PL, LB filled from units.tsv
        "@RG\tID:FC1.2\tSM:S03\tPU:FC1.2\tPL:ILLUMINA\tLB:units-lib",
    ]
    assert plan["read_group_ids"] == ["FC1.1", "FC1.2"]


def test_no_read_group_or_pg_falls_back_to_units_tsv():
    plan = realign.realign_plan("@HD\tVN:1.6\tSO:unsorted\n", "S04", "L2", "ILLUMINA", "S04-lib")
    assert plan["read_group"] == "@RG\tID:S04.L2\tSM:S04\tPL:ILLUMINA\tLB:S04-lib\tPU:L2"
    assert plan["header"] == [] and plan["pg_parent"] is None and plan["copy_rg"] is False


def test_bwa_header_options_give_one_read_group_or_each_reads_own():
    one = realign.realign_plan(HEADER, "S03", "L001", "ILLUMINA", "lib")
    options = shlex.split(realign.bwa_header_options(one))
    assert options[:2] == ["-R", realign.bwa_escape(one["read_group"])]
    assert options[2:] == ["-H", "\\n".join(realign.bwa_escape(h) for h in one["header"])]
    several = realign.realign_plan(
        HEADER.replace("@PG", "@RG\tID:FC1.2\tSM:x\n@PG", 1), "S03", "L001", "ILLUMINA", "lib"
    )
    assert shlex.split(realign.bwa_header_options(several))[:2] == ["-C", "-H"]
    bare = realign.realign_plan("@HD\tVN:1.6\n", "S04", "L2", "ILLUMINA", "S04-lib")
    assert realign.bwa_header_options(bare) == (
        "-R '@RG\\tID:S04.L2\\tSM:S04\\tPL:ILLUMINA\\tLB:S04-lib\\tPU:L2'"
    )


def test_bwa_escape_round_trips_through_bwa(tmp_path):
    """What bwa writes into the header is exactly the original line (tabs, backslashes)."""
    line = "@PG\tID:L1.bwa\tPN:bwa\tCL:bwa mem -R @RG\\tID:x ref.fa"
    escaped = realign.bwa_escape(line)
    assert "\t" not in escaped and escaped.count("\\\\") == 1
    ref = tmp_path / "ref.fa"
    ref.write_text(">1\n" + "ACGTTGCAAGGCTTAACCGGTATGCATGCAAATTTGGGCCCAGT" * 10 + "\n")
    subprocess.run(["bwa", "index", str(ref)], check=True, capture_output=True)
    fq = tmp_path / "r.fq"
    fq.write_text("@r\nACGTTGCAAGGCTTAACCGG\n+\nIIIIIIIIIIIIIIIIIIII\n")
    out = subprocess.run(
        ["bwa", "mem", "-H", escaped, str(ref), str(fq)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert line in out.splitlines()


def link(sam_text, parent):
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "link_pg.sh"), parent],
        input=sam_text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_link_pg_links_only_bwas_own_line_and_passes_records_through():
    records = "".join(f"r{i}\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n" for i in range(3000))
    sam = (
        "@HD\tVN:1.6\n@PG\tID:L1.bwa\tPN:bwa\tCL:x\n@PG\tID:L1.md\tPN:md\tPP:L1.bwa\n"
        "@PG\tID:bwa\tPN:bwa\tVN:0.7.17\tCL:bwa mem -p ref.fa -\n"
    ) + records
    out = link(sam, "L1.md")
    assert out.splitlines()[3] == (
        "@PG\tID:bwa\tPN:bwa\tVN:0.7.17\tCL:bwa mem -p ref.fa -\tPP:L1.md"
    )
    assert out.splitlines()[1] == "@PG\tID:L1.bwa\tPN:bwa\tCL:x"  # the original bwa untouched
    assert out.endswith(records) and len(out) == len(sam) + len("\tPP:L1.md")


def test_link_pg_without_records():
    assert link("@HD\tVN:1.6\n@PG\tID:bwa\tPN:bwa\n", "p") == (
        "@HD\tVN:1.6\n@PG\tID:bwa\tPN:bwa\tPP:p\n"
    )
