"""CHARR-style contamination: estimator on simulated reads, hom-alt selection, the
resource/gVCF join and the bcftools I/O on tiny hand-written files."""

import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pysam
import pytest

from refcohort.qc import contamination as ec


def simulate(
    c: float,
    n_sites: int,
    seed: int,
    mean_depth: float = 30.0,
    error: float = 0.0005,
    genotypes: str = "homalt",
) -> np.ndarray:
    """(ref, alt, AF) rows for a sample contaminated at fraction ``c``.

    AF ~ Beta(2, 1.5) kept inside [0.05, 0.95]. ``genotypes='homalt'`` makes every site
    hom-alt; ``'hwe'`` draws the sample genotype from Hardy-Weinberg. The contaminant is
    a diploid drawn from HWE at each site; each read comes from it with probability c;
    a read shows the other allele by sequencing error with probability ``error / 3``.
    """
    rng = np.random.default_rng(seed)
    af = rng.beta(2.0, 1.5, size=4 * n_sites)
    af = af[(af >= 0.05) & (af <= 0.95)][:n_sites]
    depth = rng.negative_binomial(20, 20 / (20 + mean_depth), size=af.size)
    own = 2 if genotypes == "homalt" else rng.binomial(2, af)
    cont = rng.binomial(2, af)
    p_alt = (1 - c) * own / 2 + c * cont / 2
    p_alt = p_alt * (1 - error / 3) + (1 - p_alt) * error / 3
    alt = rng.binomial(depth, p_alt)
    return np.column_stack([depth - alt, alt, af]).astype(float)


@pytest.mark.parametrize("c", [0.0, 0.01, 0.03, 0.05, 0.10])
def test_simulated_hom_alt_sites_recover_c(c):
    sites = simulate(c, 6000, seed=int(c * 1000) + 11)
    mask = ec.hom_alt_mask(sites[:, 0], sites[:, 1])
    result = ec.estimate(sites[mask])
    est = result["cross_contamination_rate"]
    assert result["n_sites"] == mask.sum() > 5000
    if c == 0:
        assert est < 0.005
    else:
        assert est == pytest.approx(c, rel=0.15)
        assert result["charr_site_mean"] == pytest.approx(c, rel=0.15)


@pytest.mark.parametrize("c", [0.0, 0.05])
def test_all_genotypes_at_30x_only_hom_alt_sites_count(c):
    """Hets and hom-refs are in the pile too: selection must keep them out."""
    sites = simulate(c, 20000, seed=5, genotypes="hwe")
    est = ec.estimate(sites[ec.hom_alt_mask(sites[:, 0], sites[:, 1])])["cross_contamination_rate"]
    assert est < 0.005 if c == 0 else est == pytest.approx(c, rel=0.15)


def test_het_guard_stops_low_coverage_het_leak():
    """At ~10x, hets with 8/10 ALT reads pass the 0.8 cut alone and inflate c."""
    sites = simulate(0.0, 40000, seed=3, mean_depth=10, genotypes="hwe")
    loose = ec.hom_alt_mask(sites[:, 0], sites[:, 1], max_het_pvalue=1.0)
    guarded = ec.hom_alt_mask(sites[:, 0], sites[:, 1])
    assert ec.estimate(sites[loose])["cross_contamination_rate"] > 0.01
    assert ec.estimate(sites[guarded])["cross_contamination_rate"] < 0.005


def test_het_upper_tail_exact():
    tail = ec.het_upper_tail(np.array([8, 10, 0, 24, 3]), np.array([10, 10, 10, 30, 2]))
    assert tail[0] == pytest.approx(56 / 1024)
    assert tail[1] == pytest.approx(1 / 1024)
    assert tail[2] == pytest.approx(1.0)
    assert tail[3] == pytest.approx(sum(math.comb(30, k) for k in range(24, 31)) / 2**30)
    assert tail[4] == 0.0  # more ALT reads than depth cannot happen


def test_hom_alt_mask_boundaries():
    ref = np.array([0, 0, 0, 2, 6, 7, 0, 1, 0])
    alt = np.array([9, 10, 200, 8, 24, 23, 201, 9, 0])
    # depth 9 < 10; 10/10 ok; 200 ok; 8/10 fraction ok but het p = 0.055; 24/30 ok;
    # 23/30 < 0.8; 201 > max depth; 9/10 het p = 0.0107 > 0.01; empty
    assert ec.hom_alt_mask(ref, alt).tolist() == [
        False,
        True,
        True,
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert ec.hom_alt_mask(ref, alt, max_het_pvalue=1.0).tolist() == [
        False,
        True,
        True,
        True,
        True,
        False,
        False,
        True,
        False,
    ]


def test_estimate_formula_and_min_sites():
    sites = [(1, 9, 0.5), (0, 20, 0.8), (3, 27, 0.0)]
    # sum ref = 4; sum depth * (1 - AF) = 10*0.5 + 20*0.2 + 30*1 = 39
    r = ec.estimate(sites, min_sites=3)
    assert r["cross_contamination_rate"] == pytest.approx(4 / 39)
    assert r["charr_site_mean"] == pytest.approx((0.1 / 0.5 + 0 + 0.1) / 3)
    assert (r["n_sites"], r["ref_reads"], r["total_reads"]) == (3, 4, 60)
    assert "CHARR" in r["method"]
    none = ec.estimate(sites, min_sites=4)
    assert none["cross_contamination_rate"] is None and none["n_sites"] == 3
    assert ec.estimate([], min_sites=0)["cross_contamination_rate"] is None


def test_join_sites_matching_rules():
    resource = [
        (100, "A", "C", 0.5),
        (150, "G", "T", 0.4),  # absent from the gVCF
        (200, "G", "T", 0.3),  # multi-allelic gVCF record
        (300, "C", "A", 0.4),
        (300, "C", "G", 0.3),  # listed twice: dropped
        (400, "T", "G", 0.5),  # REF differs in the gVCF
        (500, "C", "A", 0.5),  # indel record first at the same position
    ]
    gvcf = [
        (50, "A", ["G", "<*>"], [5, 5, 0]),
        (100, "A", ["C", "<*>"], [1, 29, 0]),
        (200, "G", ["A", "T", "<*>"], [2, 1, 27, 0]),
        (300, "C", ["G", "<*>"], [0, 30, 0]),
        (400, "G", ["T", "<*>"], [0, 30, 0]),
        (500, "C", ["CA"], [20, 5]),
        (500, "C", ["A", "<*>"], [1, 24, 0]),
        (500, "C", ["A", "<*>"], [9, 9, 0]),  # a second match at one position is ignored
        (600, "T", ["C", "<*>"], [0, 30, 0]),
    ]
    assert list(ec.join_sites(resource, gvcf)) == [(1, 29, 0.5), (2, 27, 0.3), (1, 24, 0.5)]


# --- I/O on tiny files -------------------------------------------------------------

GVCF_HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=10000>
##contig=<ID=chr2,length=10000>
##ALT=<ID=*,Description="Represents allele(s) other than observed.">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position">
##INFO=<ID=MinDP,Number=1,Type=Integer,Description="Minimum per-sample depth in this gVCF block">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="List of Phred-scaled genotype likelihoods">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Number of high-quality bases">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1
"""

# (chrom, pos, ref, alt, info, AD); PL filled with zeros of the right length
GVCF_RECORDS = [
    ("chr1", 100, "A", "C,<*>", ".", "1,29,0"),  # hom-alt, AF 0.6: 1 / 30*0.4
    ("chr1", 200, "G", "A,T,<*>", ".", "2,1,27,0"),  # multi-allelic, resource ALT T
    ("chr1", 290, "C", "<*>", "END=310;MinDP=30", "30,0"),  # block over resource site 300
    ("chr1", 400, "T", "<*>", "MinDP=30", "30,0"),  # single-base ref block at a site
    ("chr1", 500, "A", "G,<*>", ".", "3,27,0"),  # AF 0.99: out of range
    ("chr1", 600, "C", "T,<*>", ".", "0,30,0"),  # AF 0.02: out of range
    ("chr1", 700, "AC", "A", ".", "0,30"),  # indel in the resource: not an SNV
    ("chr1", 800, "A", "C,<*>", ".", "15,15,0"),  # het: candidate, not hom-alt
    ("chr1", 900, "G", "A,<*>", ".", "2,28,0"),  # resource lists 900 twice
    ("chr1", 1000, "C", "CA", ".", "20,5"),  # indel record at the same POS
    ("chr1", 1000, "C", "A,<*>", ".", "1,24,0"),  # the SNV record: AF 0.5
    ("chr1", 1100, "G", "C,<*>", ".", "0,40,0"),  # not in the resource
    ("chr2", 100, "A", "G,<*>", ".", "2,20,0"),  # AF 0.8, outside a chr1-only BED
]

RESOURCE = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=10000>
##contig=<ID=chr2,length=10000>
##INFO=<ID=AF,Number=A,Type=Float,Description="AF">
##INFO=<ID=AF_NL,Number=A,Type=Float,Description="AF NL">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
chr1\t100\t.\tA\tC\t.\tPASS\tAF=0.6;AF_NL=0.9
chr1\t200\t.\tG\tT\t.\tPASS\tAF=0.3;AF_NL=0.3
chr1\t300\t.\tC\tG\t.\tPASS\tAF=0.5;AF_NL=0.5
chr1\t400\t.\tT\tA\t.\tPASS\tAF=0.5;AF_NL=0.5
chr1\t500\t.\tA\tG\t.\tPASS\tAF=0.99;AF_NL=0.5
chr1\t600\t.\tC\tT\t.\tPASS\tAF=0.02;AF_NL=0.5
chr1\t700\t.\tAC\tA\t.\tPASS\tAF=0.5;AF_NL=0.5
chr1\t800\t.\tA\tC\t.\tPASS\tAF=0.5;AF_NL=0.5
chr1\t900\t.\tG\tA\t.\tPASS\tAF=0.4;AF_NL=0.4
chr1\t900\t.\tG\tC\t.\tPASS\tAF=0.3;AF_NL=0.3
chr1\t1000\t.\tC\tA\t.\tPASS\tAF=0.5;AF_NL=0.5
chr1\t1200\t.\tT\tG\t.\tPASS\tAF=0.5;AF_NL=0.5
chr2\t100\t.\tA\tG\t.\tPASS\tAF=0.8;AF_NL=0.8
"""


def _bgzip_vcf(text: str, path: Path) -> str:
    path.write_text(text)
    return pysam.tabix_index(str(path), preset="vcf", force=True)


@pytest.fixture()
def tiny(tmp_path):
    lines = []
    for chrom, pos, ref, alt, info, ad in GVCF_RECORDS:
        n_all = len(alt.split(",")) + 1
        pl = ",".join(["0"] * (n_all * (n_all + 1) // 2))
        dp = sum(int(v) for v in ad.split(","))
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t0\t.\t{info}\tPL:DP:AD\t{pl}:{dp}:{ad}\n")
    gvcf = _bgzip_vcf(GVCF_HEADER + "".join(lines), tmp_path / "S1.g.vcf")
    resource = _bgzip_vcf(RESOURCE, tmp_path / "pop.vcf")
    bed = tmp_path / "autosomes.bed"
    bed.write_text("chr1\t0\t10000\n")
    return SimpleNamespace(gvcf=gvcf, resource=resource, bed=str(bed), tmp=tmp_path)


def test_candidate_sites_io(tiny):
    rows = ec.candidate_sites(tiny.gvcf, tiny.resource, tiny.bed)
    assert rows.tolist() == [
        [1, 29, pytest.approx(0.6)],
        [2, 27, pytest.approx(0.3)],
        [15, 15, pytest.approx(0.5)],
        [1, 24, pytest.approx(0.5)],
    ]
    everywhere = ec.candidate_sites(tiny.gvcf, tiny.resource)
    assert everywhere[-1].tolist() == [2, 20, pytest.approx(0.8)]
    wider = ec.candidate_sites(tiny.gvcf, tiny.resource, tiny.bed, min_af=0.01, max_af=0.995)
    assert {tuple(r[:2]) for r in wider} >= {(3, 27), (0, 30)}  # AF 0.99 and 0.02 now in


def test_informative_sites_exact_estimate(tiny):
    sites = ec.informative_sites(tiny.gvcf, tiny.resource, tiny.bed)
    r = ec.estimate(sites, min_sites=3)
    expected = (1 + 2 + 1) / (30 * 0.4 + 29 * 0.7 + 25 * 0.5)
    assert (r["n_sites"], r["ref_reads"], r["total_reads"]) == (3, 4, 84)
    assert r["cross_contamination_rate"] == pytest.approx(expected, rel=1e-6)
    r_all = ec.estimate(ec.informative_sites(tiny.gvcf, tiny.resource), min_sites=3)
    assert r_all["cross_contamination_rate"] == pytest.approx(
        6 / (30 * 0.4 + 29 * 0.7 + 25 * 0.5 + 22 * 0.2), rel=1e-6
    )
    # another AF field: site 100 has AF_NL 0.9 and sites 500/600 (AF_NL 0.5) come in range
    r_nl = ec.estimate(
        ec.informative_sites(tiny.gvcf, tiny.resource, tiny.bed, af_field="AF_NL"), min_sites=3
    )
    assert (r_nl["n_sites"], r_nl["ref_reads"]) == (5, 7)
    assert r_nl["cross_contamination_rate"] == pytest.approx(
        7 / (30 * 0.1 + 29 * 0.7 + 30 * 0.5 + 30 * 0.5 + 25 * 0.5), rel=1e-6
    )


def test_main_writes_json(tiny, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # main() points stderr at the log
    out = tiny.tmp / "S1.contamination.json"
    log = tiny.tmp / "S1.log"
    smk = SimpleNamespace(
        input=SimpleNamespace(gvcf=tiny.gvcf, population=tiny.resource, regions=tiny.bed),
        output=SimpleNamespace(json=str(out)),
        log=[str(log)],
        params=SimpleNamespace(
            min_af=0.05,
            max_af=0.95,
            min_depth=10,
            max_depth=200,
            min_alt_fraction=0.8,
            af_field="AF",
            min_sites=3,
        ),
    )
    ec.main(smk)
    data = json.loads(out.read_text())
    assert data["cross_contamination_rate"] == pytest.approx(4 / 44.8, rel=1e-6)
    assert {
        "cross_contamination_rate",
        "n_sites",
        "ref_reads",
        "total_reads",
        "method",
    } <= data.keys()
    # default min_sites (100) with only three sites: null, counts still reported
    smk.params = SimpleNamespace()
    ec.main(smk)
    sys.stderr.flush()
    data = json.loads(out.read_text())
    assert data["cross_contamination_rate"] is None and data["n_sites"] == 3
    assert "c=None" in log.read_text()
