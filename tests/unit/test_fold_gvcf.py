"""scripts/fold_gvcf.awk, the compact gVCF: single-read noise folded into the reference
blocks around it, blocks joined per depth band and GQ band with the lowest PLs."""

import subprocess

from conftest import ROOT

FOLD = ROOT / "scripts" / "fold_gvcf.awk"
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
SITE = "DP=30;I16=1;QS=0.97,0.03,0\tPL:DP:AD"


def block(pos, end, pl="0,90,255", dp=30, chrom="chr1", ref="A"):
    return f"{chrom}\t{pos}\t.\t{ref}\t<*>\t.\t.\tEND={end};MinDP={dp};QS=1,0\tPL:DP\t{pl}:{dp}"


def snv(pos, alt_reads, pl="0,40,255,90,255,255", dp=30, chrom="chr1"):
    """A site where `alt_reads` reads show C (alleles A, C, <*>)."""
    ad = f"{dp - alt_reads},{alt_reads},0"
    return f"{chrom}\t{pos}\t.\tA\tC,<*>\t0\t.\t{SITE}\t{pl}:{dp}:{ad}"


def fold(*records, bands="5,15", gq_bands="20"):
    text = HEADER + "".join(r + "\n" for r in records)
    out = subprocess.run(
        ["awk", "-v", f"bands={bands}", "-v", f"gq_bands={gq_bands}", "-f", str(FOLD)],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith(HEADER)
    return out[len(HEADER) :].splitlines()


def test_a_single_read_error_joins_the_blocks_around_it_with_the_lowest_pls():
    got = fold(block(100, 199, "0,90,255"), snv(200, 1), block(201, 300, "0,84,250", dp=28))
    # 0/x: lowest of 90, 84 and the site's (0,1)=40 and (0,2)=90; x/x: of 255, 250, 255
    assert got == [block(100, 300, "0,40,250", dp=28)]


def test_real_evidence_indels_and_low_depth_pass_unchanged():
    two_reads = snv(200, 2)
    indel = "chr1\t300\t.\tAT\tA,<*>\t0\t.\tINDEL;" + SITE + "\t0,20,255,90,255,255:30:29,1,0"
    shallow = snv(400, 1, dp=4)  # below the first depth band: mpileup's own single sites
    not_ref = snv(500, 1, pl="10,0,255,90,255,255")  # 0/0 not the most likely
    assert fold(two_reads, indel, shallow, not_ref) == [two_reads, indel, shallow, not_ref]


def test_blocks_of_other_depth_or_gq_bands_or_contigs_stay_apart():
    records = [
        block(100, 199, dp=30),
        block(200, 299, dp=10),  # depth band 5-14, not >= 15
        block(300, 399, "0,12,120", dp=10),  # GQ < 20
        block(400, 499, dp=10, chrom="chr2"),
    ]
    assert fold(*records) == records


def test_without_gq_bands_weak_sites_lower_the_whole_block():
    records = (block(100, 199), snv(200, 1, pl="0,7,250,90,255,255"), block(201, 300))
    assert fold(*records, gq_bands="") == [block(100, 300, "0,7,250")]
    assert fold(*records) == [block(100, 199), block(200, 200, "0,7,250"), block(201, 300)]


def test_one_bp_blocks_and_only_adjacent_records_join():
    one_bp = "chr1\t200\t.\tG\t<*>\t.\t.\tMinDP=30;QS=1,0\tPL:DP\t0,90,255:30"
    got = fold(block(100, 199), one_bp, block(202, 300))
    assert got == [block(100, 200), block(202, 300)]  # 201 has no record: a gap


def test_folding_twice_changes_nothing():
    once = fold(block(100, 199), snv(200, 1), snv(201, 2), block(202, 300), snv(301, 0))
    assert fold(*once) == once
