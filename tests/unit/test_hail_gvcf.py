"""scripts/hail_gvcf.awk: a `bcftools call -g` gVCF as Hail's VDS combiner reads it, and
refcohort.joint_diff's genotype normalisation."""

import subprocess

from conftest import ROOT

from refcohort.joint_diff import normal_gt

CONVERT = ROOT / "scripts" / "hail_gvcf.awk"
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"


def convert(*records):
    out = subprocess.run(
        ["awk", "-f", str(CONVERT)],
        input=HEADER + "".join(r + "\n" for r in records),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0] == "##fileformat=VCFv4.2" and out[1].startswith("##INFO=<ID=QUALapprox,")
    assert out[2].startswith("#CHROM")
    return out[3:]


def test_reference_records_all_get_an_end_and_lose_qual():
    block = "chr1\t100\t.\tA\t.\t.\t.\tEND=200;MinDP=15\tGT:DP\t0/0:15"
    one_bp = "chr1\t201\t.\tC\t.\t.\t.\tMinDP=15\tGT:DP\t0/0:15"
    below_band = "chr1\t202\t.\tG\t.\t69.6\t.\tDP=1;MinDP=1\tGT:DP\t0/0:1"
    no_info = "chr1\t203\t.\tT\t.\t.\t.\t.\tGT:DP\t0/0:1"
    assert convert(block, one_bp, below_band, no_info) == [
        block,
        "chr1\t201\t.\tC\t.\t.\t.\tEND=201;MinDP=15\tGT:DP\t0/0:15",
        "chr1\t202\t.\tG\t.\t.\t.\tEND=202;DP=1;MinDP=1\tGT:DP\t0/0:1",
        "chr1\t203\t.\tT\t.\t.\t.\tEND=203\tGT:DP\t0/0:1",
    ]


def test_variant_records_carry_their_qual_as_qualapprox():
    snv = "chr1\t300\t.\tA\tG\t225.4\t.\tDP=29;MQ=60\tGT:PL:DP:AD:GQ\t1/1:255,84,0:28:0,28:127"
    got = convert(snv)
    assert got == [snv.replace("DP=29;MQ=60", "DP=29;MQ=60;QUALapprox=225.4")]


def test_genotypes_compare_as_allele_sets():
    assert normal_gt("1/0") == normal_gt("0|1") == "0/1"
    assert normal_gt(".") == normal_gt("./.") == "./."
    assert normal_gt("0") == "0" and normal_gt("2/1") == "1/2"


def test_of_two_variant_records_at_one_position_the_more_confident_is_kept():
    # as on the demo's chr1:1104639: a confident hom-alt SNV and a weak indel over a
    # repeat; Hail's combiner would keep the later one's genotype
    snv = "chr1\t300\t.\tT\tG\t225.4\t.\tDP=21\tGT:PL:DP:AD:GQ\t1/1:255,57,0:19:0,19:127"
    indel = "chr1\t300\t.\tTTA\tTTATA\t12.8\t.\tINDEL;DP=21\tGT:PL:DP:AD:GQ\t0/1:47,0,201:11:9,2:44"
    block = "chr1\t301\t.\tT\t.\t.\t.\tEND=400\tGT:DP\t0/0:19"
    next_snv = "chr1\t401\t.\tA\tC\t30\t.\tDP=9\tGT:PL:DP:AD:GQ\t0/1:60,0,90:9:5,4:60"
    kept = [snv.replace("DP=21", "DP=21;QUALapprox=225.4"), block]
    assert convert(snv, indel, block, next_snv) == [
        *kept,
        next_snv.replace("DP=9", "DP=9;QUALapprox=30"),
    ]
    # the order does not matter, nor does a last record of the file being held
    assert convert(indel, snv) == kept[:1]
