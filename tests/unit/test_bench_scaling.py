"""The scaling harness's helpers (benchmarks/bench_scaling.py, scaling_data.py,
gvcf_forms.py, scaling_jobs.py): the generated cohort, interval shards, tiling, the gVCF
anatomy and the leaner-gVCF prototype (fold_noise), the commands of the three joint paths.
No tools run except bgzip/tabix on a few lines (and `true`/`echo` for the job runner).
(benchmarks/ is on pytest's pythonpath.)"""

import gzip
from pathlib import Path

import bench_scaling
import benchlib as bl
import gvcf_forms
import numpy as np
import pytest
import scaling_data
import scaling_jobs

from refcohort import commands
from refcohort.commands import call, report

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


def test_joint_commands_render_the_rules_templates(tmp_path):
    config = bl.pipeline_config()
    params = {
        "ploidy": "--ploidy GRCh38",
        "call_extra": "",
        "soft_filters": str(bl.ROOT / "scripts" / "soft_filters.sh"),
        "filters": call.soft_filter_options(config["joint"]["filters"]),
    }
    gvcfs = ["/g/A.g.vcf.gz", "/g/B.g.vcf.gz"]
    cmds, parts = scaling_jobs.bcftools_shards(
        gvcfs, ["/s/1-of-2.bed", "/s/2-of-2.bed"], "/r.fa", "/sexes.txt", params, tmp_path
    )
    assert parts == [str(tmp_path / "1-of-2.vcf.gz"), str(tmp_path / "2-of-2.vcf.gz")]
    expected = commands.render(
        call.JOINT_CALL,
        input={"gvcfs": gvcfs, "regions": "/s/1-of-2.bed", "fasta": "/r.fa", "sexes": "/sexes.txt"},
        output={"vcf": str(tmp_path / "1-of-2.vcf.gz")},
        params=params,
    )
    assert cmds[0] == expected and len(cmds) == 2
    cohort = str(tmp_path / "cohort.vcf.gz")
    concat = commands.render(
        f"{call.CONCAT_COHORT} && {report.TABIX}",
        input={"vcfs": parts, "freeze": "/f.header", "vcf": cohort},
        output={"vcf": cohort},
    )
    assert scaling_jobs.concat_command(parts, "/f.header", cohort) == concat
    assert bench_scaling.joint_params(config, "--ploidy GRCh38") == params


def test_per_sample_commands_render_the_rules_templates():
    mp = call.mpileup_params(bl.pipeline_config()["calling"])
    compact = scaling_jobs.mpileup_command(
        call.BCFTOOLS_MPILEUP, "/b.bam", "/r.fa", "/g.bed", mp, "/c.g.vcf.gz"
    )
    assert compact == commands.render(
        call.BCFTOOLS_MPILEUP,
        input={"fasta": "/r.fa", "regions": "/g.bed", "cram": "/b.bam"},
        output={"gvcf": "/c.g.vcf.gz"},
        params=mp,
    )
    assert "fold_gvcf.awk" in compact and "--annotate FORMAT/AD,FORMAT/DP" in compact
    hail_cmd = scaling_jobs.hail_gvcf_command("G002", "M", "/c.g.vcf.gz", "/h.g.vcf.gz", "5,15")
    assert hail_cmd.startswith("bcftools call --multiallelic-caller --gvcf 5,15 --annotate GQ")
    assert "printf '%s\\t%s\\n' G002 M" in hail_cmd and "hail_gvcf.awk" in hail_cmd
    aligned = scaling_jobs.align_command(
        "G001", Path("/r1.fq.gz"), Path("/r2.fq.gz"), "/r.fa", "/b.bam"
    )
    assert aligned.endswith("samtools index /b.bam") and "bwa mem" in aligned


def test_hail_commands_render_the_rules_templates(tmp_path):
    store = tmp_path / "store"
    cmd, freeze, header = scaling_jobs.hail_update(
        store, "/t.tsv", "/r.fa.fai", tmp_path, 2, 4000, 16
    )
    assert (freeze, header) == (str(tmp_path / "freeze.json"), str(tmp_path / "freeze.header"))
    assert cmd.startswith(
        f"{scaling_jobs.HAIL_PYTHON} {bl.ROOT / 'scripts' / 'hail_cohort.py'} update "
    )
    for part in (f"--store {store}", "--gvcfs /t.tsv", "--fai /r.fa.fai", "--max-batches 16"):
        assert part in cmd
    assert "--master local --cores 2 --memory-mb 4000" in cmd
    params = {"soft_filters": "/sf.sh", "filters": "LowQual 'QUAL<30'"}
    cmds, parts = scaling_jobs.hail_shards(
        store, freeze, ["/s/1-of-2.bed"], "/sexes.txt", "/r.fa", params, tmp_path, 1, 3000
    )
    assert parts == [str(tmp_path / "1-of-2.vcf.gz")]
    export, filtered = cmds[0].split(" && bcftools norm", 1)
    assert " export " in export and f"--out {tmp_path / '1-of-2.vcf.bgz'}" in export
    assert f"--tmp {tmp_path / '1-of-2.tmp'}" in export and "--cores 1 --memory-mb 3000" in export
    assert "--regions /s/1-of-2.bed --sexes /sexes.txt" in export
    assert filtered.startswith(f" --fasta-ref /r.fa -Ou {tmp_path / '1-of-2.vcf.bgz'}")


def test_tables_are_what_the_pipeline_reads(tmp_path):
    from refcohort.cohort_update import read_tsv_noheader, wanted_gvcfs

    table = scaling_jobs.write_gvcf_table(tmp_path / "g.tsv", ["A", "B"], ["/a.g.vcf.gz", "/b"])
    assert wanted_gvcfs(table) == {"A": "/a.g.vcf.gz", "B": "/b"}
    sexes = scaling_jobs.write_sexes(tmp_path / "s.txt", ["A", "B"], ["F", "M"])
    assert read_tsv_noheader(sexes) == [{"sample": "A", "sex": "F"}, {"sample": "B", "sex": "M"}]


def test_run_jobs_times_each_job(tmp_path):
    done = scaling_jobs.run_jobs(["true", "echo x"], 2, tmp_path, "j")
    assert len(done.timings) == 2 and done.wall > 0 and done.cpu >= 0
    assert (tmp_path / "j.1.sh").read_text() == "set -eo pipefail\necho x\n"
    assert (tmp_path / "j.1.log").read_text() == "x\n"
    jobs = scaling_jobs.Jobs(3.0, [bl.Timed(1, 2.0, 50.0, 0, 1.0), bl.Timed(1, 0.5, 80.0, 0)])
    assert (jobs.cpu, jobs.peak_mb, jobs.written_mb) == (2.5, 80.0, 1.0)


def test_hail_jobs_have_a_time_limit(tmp_path):
    assert scaling_jobs.limited("python x.py", 900) == "timeout -k 10 900 python x.py"
    assert scaling_jobs.limited("python x.py", 0) == "python x.py"
    cmd, _, _ = scaling_jobs.hail_update(tmp_path, "/t.tsv", "/r.fai", tmp_path, 2, 4000, 16, 60)
    assert cmd.startswith(f"timeout -k 10 60 {scaling_jobs.HAIL_PYTHON} ")
    params = {"soft_filters": "/sf.sh", "filters": ""}
    cmds, _ = scaling_jobs.hail_shards(
        tmp_path, "/f.json", ["/s/1.bed"], "/x.txt", "/r.fa", params, tmp_path, 1, 3000, 60
    )
    assert cmds[0].startswith("timeout -k 10 60 ") and " && bcftools norm " in cmds[0]


def test_run_jobs_kills_a_job_that_cannot_end_and_starts_no_more(tmp_path, monkeypatch):
    monkeypatch.setattr(scaling_jobs, "WATCH_S", 0.05)
    cmds = ["echo '# JVM DIED'; sleep 30", "echo second"]
    with pytest.raises(RuntimeError, match="JVM DIED"):
        scaling_jobs.run_jobs(cmds, 1, tmp_path, "w", fatal="JVM DIED")
    assert not (tmp_path / "w.1.log").exists()  # not started after the failure
    with pytest.raises(RuntimeError, match="exit 3"):
        scaling_jobs.run_jobs(["exit 3"], 1, tmp_path, "x")
