"""The workflow's relatedness route (rule plink2_king: scripts/king_table.sh, plink2
--make-king-table and --sample-counts; rule estimate_relatedness: from_plink2) writes what
the package's own KING-robust route (refcohort.qc.relatedness.run) writes, on the same
VCF: the switch to plink2 changes the speed, not the tables."""

import shutil
import subprocess

import numpy as np
import pytest
from conftest import ROOT
from kinship_sim import child, dosage, founder
from test_relatedness import LOAD_RECORDS, _gt, write_vcf

from refcohort.commands import qc as commands
from refcohort.io import read_tsv
from refcohort.qc import relatedness as rel

pytestmark = pytest.mark.skipif(
    not (shutil.which("plink2") and shutil.which("bgzip")), reason="plink2 and bgzip required"
)
BED = "chr1\t0\t1000000\n2\t0\t1000000\n"  # the autosomes of test_relatedness's VCF header


def both_routes(tmp_path, vcf, min_site_call_rate, min_maf=0.01, pairs=None):
    (tmp_path / "autosomes.bed").write_text(BED)
    prefix = tmp_path / "king" / "king"
    sites = commands.king_site_options(30, min_site_call_rate, min_maf)
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "king_table.sh"), str(vcf), "autosomes.bed"]
        # Snakemake renders an empty {params.pairs:q} as nothing: no 7th argument
        + [str(prefix), "1", "1000", sites]
        + ([pairs] if pairs is not None else []),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = {}
    for route in ("plink2", "own"):
        paths = [str(tmp_path / f"{route}.{n}") for n in ("pairs.tsv", "samples.tsv", "json")]
        if route == "plink2":
            summary = rel.from_plink2(
                f"{prefix}.kin0", f"{prefix}.scount", f"{prefix}.note", *paths
            )
        else:
            summary = rel.run(
                str(vcf),
                *paths,
                autosomes=r"(chr)?([1-9]|1[0-9]|2[0-2])",
                min_site_call_rate=min_site_call_rate,
                min_maf=min_maf,
            )
        out[route] = (read_tsv(paths[0]), read_tsv(paths[1]), summary)
    return out


def test_same_pairs_degrees_and_sample_stats_as_the_own_route(tmp_path):
    rng = np.random.default_rng(5)
    m = 3000
    p = rng.uniform(0.05, 0.95, m)
    haps = {f"S{k}": founder(rng, p) for k in range(8)}
    haps["S8"] = child(rng, haps["S0"], haps["S1"])
    haps["S9"] = haps["S3"].copy()
    g = np.stack([dosage(h) for h in haps.values()])
    g[5, rng.random(m) < 0.5] = 1  # a het excess
    g[rng.random(g.shape) < 0.005] = -1
    records = [("chr1", k + 1, "A", "G", 60, "PASS", [_gt(d) for d in g[:, k]]) for k in range(m)]
    vcf = write_vcf(tmp_path / "cohort.vcf.gz", list(haps), records)
    out = both_routes(tmp_path, vcf, 0.9)
    assert out["plink2"][0] == out["own"][0]  # pairs, kinship and IBS0 to 6 decimals, degree
    assert {(r["sample_1"], r["sample_2"]) for r in out["plink2"][0]} >= {
        ("S3", "S9"),
        ("S0", "S8"),
        ("S1", "S8"),
    }
    assert out["plink2"][1] == out["own"][1]  # calls, call rate, hets, outliers
    plink2, own = out["plink2"][2], out["own"][2]
    for key in ("n_samples", "n_sites", "pairs_per_degree", "het_outliers"):
        assert plink2[key] == own[key], key
    # every pair for the plot; plink2 prints 6 significant digits, the own route 6 decimals
    assert len(plink2["plot_pairs"]) == len(own["plot_pairs"]) == 45
    for theirs, mine in zip(plink2["plot_pairs"], own["plot_pairs"]):
        assert (theirs["sample_1"], theirs["sample_2"]) == (mine["sample_1"], mine["sample_2"])
        assert theirs["kinship"] == pytest.approx(mine["kinship"], abs=2e-6)
        assert theirs["ibs0"] == pytest.approx(mine["ibs0"], abs=2e-6)
    assert plink2["het_outliers"] == ["S5"]  # the planted het excess


def test_the_same_sites_are_left_out(tmp_path):
    """PASS or '.', QUAL >= 30 (missing fails), biallelic A/C/G/T SNVs, call rate, MAF,
    half and haploid calls missing, autosomes only: the own loader's filters."""
    vcf = write_vcf(tmp_path / "edge.vcf.gz", ["s1", "s2", "s3", "s4"], LOAD_RECORDS)
    out = both_routes(tmp_path, vcf, 0.7)
    assert out["plink2"][2]["n_sites"] == out["own"][2]["n_sites"] == 3
    assert out["plink2"][1] == out["own"][1]
    assert out["plink2"][0] == out["own"][0]


def test_large_cohorts_list_only_close_pairs_and_small_ones_every_pair(tmp_path):
    assert commands.king_pair_filter(64) == ""
    assert commands.king_pair_filter(65) == "--king-table-filter 0.0442"
    rng = np.random.default_rng(1)
    p = rng.uniform(0.1, 0.9, 500)
    haps = {f"S{k}": founder(rng, p) for k in range(5)} | {"D": None}
    haps["D"] = haps["S2"].copy()
    g = np.stack([dosage(h) for h in haps.values()])
    records = [("chr1", k + 1, "A", "G", 60, "PASS", [_gt(d) for d in g[:, k]]) for k in range(500)]
    vcf = write_vcf(tmp_path / "c.vcf.gz", list(haps), records)
    close = both_routes(tmp_path, vcf, 0.9, pairs=commands.king_pair_filter(65))
    assert [(p["sample_1"], p["sample_2"]) for p in close["plink2"][2]["plot_pairs"]] == [
        ("S2", "D")
    ]
    assert close["plink2"][2]["pairs_per_degree"]["unrelated"] == 14  # counted, not listed
    every = both_routes(tmp_path, vcf, 0.9, pairs=commands.king_pair_filter(6))
    assert len(every["plink2"][2]["plot_pairs"]) == 15


def test_one_sample_or_no_site_gives_empty_tables(tmp_path):
    vcf = write_vcf(tmp_path / "one.vcf.gz", ["s1"], [("chr1", 1, "A", "G", 60, "PASS", ["0/1"])])
    out = both_routes(tmp_path, vcf, 0.9)
    assert out["plink2"][0] == [] and out["plink2"][2]["note"].startswith("fewer than 2")
    assert out["plink2"][1] == []
    vcf = write_vcf(
        tmp_path / "none.vcf.gz", ["a", "b"], [("chr1", 1, "A", "G", 5, "PASS", ["0/1"] * 2)]
    )
    out = both_routes(tmp_path, vcf, 0.9)
    assert out["plink2"][0] == [] and out["plink2"][2]["note"] == "no site passed the filters"
