"""Unit tests for the parsers and per-tool metrics of refcohort.qc.metrics
(scripts/sample_metrics.py) on small hand-written tool outputs: samtools stats, markdup,
coverage, bcftools stats."""

import math
import shutil
import subprocess

import numpy as np
import pytest
from sample_metrics_inputs import MARKDUP, SAMTOOLS_STATS, bcftools_stats_text, write_thresholds

from refcohort.qc import metrics as sm
from refcohort.qc.coverage import MAX_DEPTH, read_thresholds

# --------------------------------------------------------------------------- samtools stats


def test_parse_samtools_stats_sn_and_q30(tmp_path):
    path = tmp_path / "s.stats.txt"
    path.write_text(SAMTOOLS_STATS)
    sn = sm.parse_samtools_stats(path)
    assert sn["raw total sequences"] == 1000 and isinstance(sn["raw total sequences"], int)
    assert sn["error rate"] == pytest.approx(2.387042e-03)
    assert sn["insert size average"] == pytest.approx(407.7)
    assert sn["bases_q30"] == 4 + 6 + 1 + 2  # Q >= 30 in FFQ and LFQ only
    assert sm.parse_samtools_stats(path, min_quality=20)["bases_q30"] == 3 + 4 + 6 + 1 + 2


def test_alignment_metrics(tmp_path):
    path = tmp_path / "s.stats.txt"
    path.write_text(SAMTOOLS_STATS)
    m = sm.alignment_metrics(sm.parse_samtools_stats(path))
    assert m["pct_reads_mapped"] == pytest.approx(99.0)
    assert m["pct_reads_properly_paired"] == pytest.approx(95.0)
    assert m["mean_insert_size"] == pytest.approx(407.7)
    assert m["insert_size_std"] == pytest.approx(101.3)
    assert m["pct_chimeras"] == pytest.approx(7 / (980 / 2) * 100)
    assert m["bases_q30"] == 13


def test_alignment_metrics_zero_denominators_are_none():
    sn = {
        "raw total sequences": 0,
        "sequences": 0,
        "reads mapped": 0,
        "reads paired": 0,
        "reads properly paired": 0,
        "reads mapped and paired": 0,
        "insert size average": 0,
        "insert size standard deviation": 0,
        "inward oriented pairs": 0,
        "outward oriented pairs": 0,
        "pairs with other orientation": 0,
        "pairs on different chromosomes": 0,
        "bases_q30": 0,
    }
    m = sm.alignment_metrics(sn)
    assert m == {
        "bases_q30": 0,
        "pct_reads_mapped": None,
        "pct_reads_properly_paired": None,
        "mean_insert_size": None,
        "insert_size_std": None,
        "pct_chimeras": None,
    }


def test_parse_samtools_stats_rejects_other_files(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello\n")
    with pytest.raises(ValueError, match="samtools stats"):
        sm.parse_samtools_stats(path)


# --------------------------------------------------------------------------- markdup


def test_markdup(tmp_path):
    path = tmp_path / "md.txt"
    path.write_text(MARKDUP)
    md = sm.parse_markdup(path)
    assert md["DUPLICATE PAIR"] == 40 and md["EXAMINED"] == 1000 and "COMMAND" not in md
    # primary duplicates (pairs are counted in reads) over examined reads; optical are a subset
    assert sm.duplication_metrics(md)["pct_duplication"] == pytest.approx(5.0)
    assert sm.duplication_metrics({"EXAMINED": 0})["pct_duplication"] is None


# --------------------------------------------------------------------------- coverage


def test_weighted_median_picard_convention():
    assert sm.weighted_median(np.array([1, 2, 3]), np.array([1, 1, 1])) == 2
    assert (
        sm.weighted_median(np.array([1, 2, 3, 4]), np.array([1, 1, 1, 1])) == 2.5
    )  # even: mean of middles
    assert sm.weighted_median(np.array([0, 10]), np.array([3, 1])) == 0
    assert sm.weighted_median(np.array([5.0, 1.0]), np.array([2, 2])) == 3.0  # unsorted values
    assert math.isnan(sm.weighted_median(np.array([1, 2]), np.array([0, 0])))


def test_median_absolute_deviation_from_histogram():
    depths = np.array([0, 1, 2, 2, 3, 5, 8, 20, 250, 250])
    hist = np.bincount(depths, minlength=MAX_DEPTH + 1)
    # median (3 + 5) / 2 = 4; |d - 4| = 4 3 2 2 1 1 4 16 246 246 -> median (3 + 4) / 2
    assert sm.median_absolute_deviation(hist) == 3.5
    assert sm.median_absolute_deviation(hist) == np.median(np.abs(depths - np.median(depths)))


def test_coverage_metrics_capped_mean_15x_and_mad(tmp_path):
    path = tmp_path / "s.thresholds.bed.gz"
    write_thresholds(
        path,
        [
            ("chr1", 0, "autosome", [0, 1, 2, 2, 3]),
            ("chr2", 100, "autosome", [5, 8, 300, 1000, 20]),  # 300 and 1000 count as 250
            ("chrX", 0, "chrX", [100] * 10),  # other classes are ignored
        ],
    )
    counts = read_thresholds(path)["autosome"]
    m = sm.coverage_metrics(counts)
    assert m["mean_autosome_coverage"] == pytest.approx(
        (0 + 1 + 2 + 2 + 3 + 5 + 8 + 250 + 250 + 20) / 10
    )
    assert m["pct_autosomes_15x"] == pytest.approx(30.0)
    assert m["genome_coverage_uniformity"] == 3.5


def test_coverage_metrics_uniform_and_empty():
    counts = np.zeros(MAX_DEPTH + 1, dtype=np.int64)
    counts[:31] = 1000  # 1000 bases, all at exactly 30x
    assert sm.coverage_metrics(counts) == {
        "mean_autosome_coverage": 30.0,
        "pct_autosomes_15x": 100.0,
        "genome_coverage_uniformity": 0.0,
    }
    empty = {
        "mean_autosome_coverage": None,
        "pct_autosomes_15x": None,
        "genome_coverage_uniformity": None,
    }
    assert sm.coverage_metrics(None) == empty
    assert sm.coverage_metrics(np.zeros(MAX_DEPTH + 1, dtype=np.int64)) == empty


# --------------------------------------------------------------------------- bcftools stats


def test_snv_metrics(tmp_path):
    path = tmp_path / "snps.txt"
    path.write_text(bcftools_stats_text("PSC\t0\tS1\t0\t30\t60\t50\t25\t0\t28.7\t90\t0\t2\t0"))
    stats = sm.parse_bcftools_stats(path)
    assert stats["PSC"]["sample"] == "S1" and stats["PSC"]["average depth"] == pytest.approx(28.7)
    m = sm.snv_metrics(stats)
    assert m == {"count_snvs": 30 + 60 + 2, "ratio_het_hom_snv": 2.0, "ratio_ti_tv": 2.0}


def test_indel_metrics_het_hom_and_ins_del(tmp_path):
    path = tmp_path / "indels.txt"
    # 20 non-ref indel genotypes, 3 + 2 hom-alt; PSI hets 8 + 8 = 16 count a 1/2 ins/del twice
    path.write_text(
        bcftools_stats_text(
            "PSC\t0\tS1\t0\t0\t0\t0\t0\t20\t27.5\t20\t0\t0\t0",
            "PSI\t0\tS1\t0\t0\t0\t0.00\t8\t8\t3\t2",
            [
                "IDD\t0\t-2\t3\t0\t.",
                "IDD\t0\t-1\t5\t0\t.",
                "IDD\t0\t1\t6\t0\t.",
                "IDD\t0\t3\t2\t0\t.",
                "IDD\t0\t5\t2\t0\t.",
            ],
        )
    )
    m = sm.indel_metrics(sm.parse_bcftools_stats(path))
    assert m == {
        "count_insertions": 10,
        "count_deletions": 8,
        "ratio_ins_del": 1.25,
        "ratio_het_hom_indel": (20 - 5) / 5,
    }


def test_variant_zero_denominators_are_none(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(
        bcftools_stats_text(
            "PSC\t0\tS1\t0\t0\t0\t0\t0\t0\t0.0\t0\t0\t0\t0", "PSI\t0\tS1\t0\t0\t0\t0.00\t0\t0\t0\t0"
        )
    )
    stats = sm.parse_bcftools_stats(path)
    assert sm.snv_metrics(stats) == {
        "count_snvs": 0,
        "ratio_het_hom_snv": None,
        "ratio_ti_tv": None,
    }
    assert sm.indel_metrics(stats) == {
        "count_insertions": 0,
        "count_deletions": 0,
        "ratio_ins_del": None,
        "ratio_het_hom_indel": None,
    }


def test_missing_psc_row_is_an_error_not_zero(tmp_path):
    path = tmp_path / "nopsc.txt"  # what `bcftools stats -i ... -s -` writes in 1.16
    path.write_text(bcftools_stats_text(None))
    with pytest.raises(ValueError, match="no PSC"):
        sm.snv_metrics(sm.parse_bcftools_stats(path))


def test_multisample_stats_rejected(tmp_path):
    path = tmp_path / "two.txt"
    text = bcftools_stats_text("PSC\t0\tS1\t0\t1\t1\t1\t1\t0\t1.0\t1\t0\t0\t0")
    path.write_text(text + "PSC\t0\tS2\t0\t1\t1\t1\t1\t0\t1.0\t1\t0\t0\t0\n")
    with pytest.raises(ValueError, match="one sample"):
        sm.parse_bcftools_stats(path)


VCF = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=1000>
##contig=<ID=chr2,length=1000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1
chr1\t10\t.\tA\tG\t50\t.\t.\tGT\t0/1
chr1\t20\t.\tC\tA\t50\t.\t.\tGT\t1/1
chr1\t30\t.\tT\tA,C\t50\t.\t.\tGT\t1/2
chr1\t40\t.\tG\tA\t10\t.\t.\tGT\t0/1
chr1\t50\t.\tC\tT\t50\t.\t.\tGT\t1
chr1\t60\t.\tA\tAT\t50\t.\t.\tGT\t0/1
chr1\t70\t.\tAT\tA\t50\t.\t.\tGT\t1/1
chr1\t80\t.\tATT\tA,ATTT\t50\t.\t.\tGT\t1/2
chr1\t90\t.\tAC\tA\t50\t.\t.\tGT\t0/1
chr1\t100\t.\tA\tG,AT\t50\t.\t.\tGT\t1/2
chr2\t10\t.\tA\tG\t50\t.\t.\tGT\t1/1
"""


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="needs bcftools")
def test_bcftools_psc_semantics_end_to_end(tmp_path):
    """The pipeline's view | stats -s - commands on a tiny VCF pin down what the PSC, PSI
    and IDD counts mean: 1/2 is het, haploid calls stay out of het/hom and Ti/Tv, a 1/2
    SNV is classified by its lowest ALT, IDD counts ALT alleles, mixed SNV+indel records
    and low-QUAL records are dropped, -T keeps the targets (autosomes) only."""
    vcf = tmp_path / "s.vcf"
    vcf.write_text(VCF)
    targets = tmp_path / "auto.bed"
    targets.write_text("chr1\t0\t1000\n")
    out = {}
    for kind in ("snp", "indel"):
        out[kind] = tmp_path / f"{kind}.txt"
        subprocess.run(
            [
                "bash",
                "-c",
                'set -o pipefail; bcftools view -i "$1" -T "$2" -Ou "$3" | '
                'bcftools stats -s - > "$4"',
                "_",
                f'QUAL>=30 && TYPE="{kind}"',
                str(targets),
                str(vcf),
                str(out[kind]),
            ],
            check=True,
            capture_output=True,
        )
    snv = sm.snv_metrics(sm.parse_bcftools_stats(out["snp"]))
    # het: pos 10 (0/1), 30 (1/2); hom: 20; haploid alt: 50; ts: 10 (A>G);
    # tv: 20 (C>A), 30 (T>A, lowest ALT)
    assert snv == {"count_snvs": 4, "ratio_het_hom_snv": 2.0, "ratio_ti_tv": 0.5}
    indel = sm.indel_metrics(sm.parse_bcftools_stats(out["indel"]))
    # het: 60, 80 (ins+del 1/2, once), 90; hom: 70; IDD: ins 60, 80(+1); del 70, 80(-2), 90
    assert indel == {
        "count_insertions": 2,
        "count_deletions": 3,
        "ratio_ins_del": 2 / 3,
        "ratio_het_hom_indel": 3.0,
    }
