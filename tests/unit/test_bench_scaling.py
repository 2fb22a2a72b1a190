"""The scaling harness's helpers (benchmarks/bench_scaling.py, scaling_data.py,
gvcf_forms.py): the generated cohort, interval shards, tiling, the gVCF anatomy and the
leaner-gVCF prototype (fold_noise), the joint-genotyping command. No tools run except
bgzip/tabix on a few lines. (benchmarks/ is on pytest's pythonpath.)"""

import gzip
from pathlib import Path

import bench_scaling
import benchlib as bl
import gvcf_forms
import numpy as np
import scaling_data

from refcohort import commands
from refcohort.commands import call

HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"


def rec(pos, alt, info, fmt, values, ref="A", chrom="chr1"):
    qual = "." if "END=" in info else "0"  # as mpileup writes blocks and sites
    return f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t{qual}\t.\t{info}\t{fmt}\t{values}\n"


SITE = "PL:DP:SP:AD:QS"  # the FORMAT of mpileup's single-site records
BLOCK1 = rec(10, "<*>", "END=19;MinDP=27;QS=1,0", "PL:DP", "0,81,255:27")
NOISE_PL = "0,55,255,84,255,255:29:0:28,1,0:900,30,0"  # 0/0 likeliest, one read shows G
NOISE = rec(20, "G,<*>", "DP=29;AD=28,1,0;I16=1;QS=0.97,0.03,0", SITE, NOISE_PL)
BLOCK2 = rec(21, "<*>", "END=40;MinDP=20;QS=1,0", "PL:DP", "0,60,255:20")
HET_PL = "200,0,200,255,255,255:30:0:15,15,0:500,500,0"
HET = rec(41, "C,<*>", "DP=30;AD=15,15,0;QS=0.5,0.5,0", SITE, HET_PL)
INDEL = rec(42, "AT", "INDEL;IDV=2;DP=30;AD=29,1", SITE, "0,60,255:30:0:29,1:900,30")
LOWDP = rec(43, "T,<*>", "DP=3;AD=2,1,0;QS=0.6,0.4,0", SITE, "0,3,40,6,40,40:3:0:2,1,0:60,30,0")


def test_fold_noise_joins_single_read_sites_into_blocks():
    out = list(gvcf_forms.fold_noise([HEADER, BLOCK1, NOISE, BLOCK2, HET, INDEL, LOWDP], [5, 15]))
    assert out[0] == HEADER
    # 10-19 (DP 27), the single-read site at 20 (DP 29) and 21-40 (DP 20): one depth band
    assert out[1] == "chr1\t10\t.\tA\t<*>\t.\t.\tEND=40;MinDP=20;QS=1,0\tPL:DP\t0,55,255:20\n"
    # a heterozygous site, an indel and a low-depth site stay as mpileup wrote them
    assert out[2:] == [HET, INDEL, LOWDP]


def test_fold_noise_keeps_bands_contigs_and_gaps_apart():
    shallow = rec(20, "<*>", "END=25;MinDP=8;QS=1,0", "PL:DP", "0,24,200:8")
    other = rec(26, "<*>", "END=30;MinDP=27;QS=1,0", "PL:DP", "0,81,255:27", chrom="chr2")
    gap = rec(40, "<*>", "END=45;MinDP=27;QS=1,0", "PL:DP", "0,81,255:27", chrom="chr2")
    out = list(gvcf_forms.fold_noise([BLOCK1, shallow, other, gap], [5, 15]))
    assert out == [BLOCK1, shallow, other, gap]
    two_reads = NOISE.replace("AD=28,1,0", "AD=27,2,0").replace("28,1,0:", "27,2,0:")
    assert list(gvcf_forms.fold_noise([two_reads], [5, 15])) == [two_reads]


def test_block_pl_and_bands():
    assert gvcf_forms.block_pl({"PL": "0,55,255,84,255,255"}) == (0, 55, 255)
    assert gvcf_forms.block_pl({"PL": "0,30,90,10,95,80"}) == (0, 10, 80)
    assert gvcf_forms.block_pl({"PL": "200,0,200,255,255,255"}) is None
    assert [gvcf_forms.band_of(d, [5, 15]) for d in (0, 4, 5, 14, 15, 90)] == [0, 0, 1, 1, 2, 2]


def test_record_kinds_and_anatomy(tmp_path):
    assert gvcf_forms.record_kind("<*>", "END=19;MinDP=27") == "block"
    assert gvcf_forms.record_kind("<*>", "DP=2;AD=1,0") == "ref site"
    assert gvcf_forms.record_kind("G,<*>", "DP=29") == "other allele seen"
    path = tmp_path / "s.g.vcf.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(HEADER + BLOCK1 + NOISE + BLOCK2)
    count, raw, packed, total = gvcf_forms.anatomy(path)
    assert count == {"block": 2, "other allele seen": 1, "snv site": 1, "snv site, one read": 1}
    assert total == len(BLOCK1) + len(NOISE) + len(BLOCK2) and raw["other allele seen"] == len(
        NOISE
    )
    assert {"INFO/END", "INFO/I16", "FORMAT/PL", "FORMAT/AD", "CHROM+POS+ID"} <= set(
        packed["fields"]
    )


def test_cohort_generator():
    rng = np.random.default_rng(1)
    genome = scaling_data.make_genome(rng, 20_000)
    assert {c: s.size for c, s in genome.items()} == {"chr1": 12_000, "chr2": 8_000}
    sites = scaling_data.make_variants(rng, genome, 6)
    assert sites and all(s["gt"].shape == (6, 2) and s["gt"].any() for s in sites)
    for contig in genome:  # sorted, no overlapping alleles
        mine = [s for s in sites if s["contig"] == contig]
        assert all(b["pos"] > a["pos"] + a["ref"].size for a, b in zip(mine, mine[1:]))
    hap = scaling_data.haplotype(genome["chr1"], [s for s in sites if s["contig"] == "chr1"], 0, 0)
    delta = sum(
        s["alt"].size - s["ref"].size for s in sites if s["contig"] == "chr1" and s["gt"][0, 0]
    )
    assert hap.size == genome["chr1"].size + delta


def test_reads_and_shards(tmp_path):
    rng = np.random.default_rng(2)
    genome = scaling_data.make_genome(rng, 10_000)
    n = scaling_data.write_reads(
        tmp_path / "r1.fq.gz",
        tmp_path / "r2.fq.gz",
        [genome["chr1"], genome["chr1"]],
        10.0,
        rng,
        "x",
    )
    assert n == 2 * int(6000 * 10 / 2 / 300)
    lines = gzip.open(tmp_path / "r1.fq.gz", "rt").read().splitlines()
    assert (
        len(lines) == 4 * n and lines[0] == "@x:0 1:N:0:1" and len(lines[1]) == len(lines[3]) == 150
    )
    beds = scaling_data.shard_beds(genome, tmp_path / "shards", 4)
    covered = []
    for bed in beds:
        for line in Path(bed).read_text().splitlines():
            c, s, e = line.split("\t")
            covered.append((c, int(s), int(e)))
    assert sum(e - s for _, s, e in covered) == 10_000 and covered[0] == ("chr1", 0, 2500)


def test_tile_vcf(tmp_path):
    genome = {"chr1": np.zeros(100, np.uint8), "chr2": np.zeros(50, np.uint8)}
    src = tmp_path / "a.g.vcf.gz"
    with gzip.open(src, "wt") as fh:
        fh.write(
            "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=100>\n##contig=<ID=chr2,length=50>\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
            + rec(5, "<*>", "END=9", "PL:DP", "0,3,9:1")
            + rec(7, "<*>", "END=8", "PL:DP", "0,3,9:1", chrom="chr2")
        )
    out = tmp_path / "t.g.vcf.gz"
    scaling_data.tile_vcf(str(src), str(out), genome, 2)
    text = gzip.open(out, "rt").read()
    assert "##contig=<ID=t02_chr2,length=50>" in text
    body = [line.split("\t")[:2] for line in text.splitlines() if not line.startswith("#")]
    assert body == [["t01_chr1", "5"], ["t01_chr2", "7"], ["t02_chr1", "5"], ["t02_chr2", "7"]]


def test_genotype_changes():
    base = [
        "c\t10\tA\tG\tPASS\t0/1\t0/0",
        "c\t20\tAT\tA\tPASS\t./.\t0/1",
        "c\t30\tC\tT\tPASS\t0/1\t0/1",
    ]
    other = [
        "c\t10\tA\tG\tLowQual\t0/1\t0/0",
        "c\t20\tAT\tA\tPASS\t0/0\t0/1",
        "c\t40\tG\tC\tPASS\t0/1\t0/0",
    ]
    sites, refiltered, changes = gvcf_forms.genotype_changes(base, other)
    assert (sites, refiltered) == (2, 1) and changes == {("./.", "0/0", "indel"): 1}


def test_joint_command_renders_the_rules_templates(tmp_path):
    config = bl.pipeline_config()
    params = {
        "ploidy": "--ploidy GRCh38",
        "call_extra": "",
        "soft_filters": str(bl.ROOT / "scripts" / "soft_filters.sh"),
        "filters": call.soft_filter_options(config["joint"]["filters"]),
    }
    gvcfs = ["/g/A.g.vcf.gz", "/g/B.g.vcf.gz"]
    cmd, cohort = bench_scaling.joint_command(
        gvcfs, ["/s/1-of-2.bed", "/s/2-of-2.bed"], "/r.fa", "/sexes.txt", params, tmp_path, 2
    )
    assert cohort == str(tmp_path / "cohort.vcf.gz")
    shard = (tmp_path / "1-of-2.sh").read_text()
    expected = commands.render(
        call.JOINT_CALL,
        input={"gvcfs": gvcfs, "regions": "/s/1-of-2.bed", "fasta": "/r.fa", "sexes": "/sexes.txt"},
        output={"vcf": str(tmp_path / "1-of-2.vcf.gz")},
        params=params,
    )
    assert shard == f"set -eo pipefail\n{expected}\n"
    parts = [str(tmp_path / "1-of-2.vcf.gz"), str(tmp_path / "2-of-2.vcf.gz")]
    concat = commands.render(call.CONCAT_COHORT, input={"vcfs": parts}, output={"vcf": cohort})
    assert cmd.endswith(f"xargs -P 2 -n 1 bash && {concat}")
    assert bench_scaling.joint_params(config, "--ploidy GRCh38") == params
