"""refcohort.qc.structure (who is fitted, the outlier rule, the table) and
scripts/structure_pca.sh with plink2 on small simulated cohorts."""

import math
import shutil
import subprocess

import numpy as np
import pytest
from conftest import ROOT

from refcohort.commands import structure as commands
from refcohort.io import read_tsv
from refcohort.qc import structure as st

GATE = [
    {"sample": "A", "status": "PASS", "joint_calling": "included"},
    {"sample": "B", "status": "WARN", "joint_calling": "included"},
    {"sample": "C", "status": "FAIL", "joint_calling": "excluded"},
    {"sample": "D", "status": "FAIL", "joint_calling": "included"},  # an override
    {"sample": "E", "status": "PASS", "joint_calling": "included"},
]


def test_eligible_are_pass_or_warn_and_joint_called():
    assert st.eligible_samples(GATE) == ["A", "B", "E"]


def test_unrelated_drop_one_of_each_close_pair_as_the_release_does():
    pairs = [
        {"sample_1": "A", "sample_2": "E", "kinship": "0.25"},  # first degree
        {"sample_1": "A", "sample_2": "D", "kinship": "0.5"},  # D is not eligible
        {"sample_1": "B", "sample_2": "E", "kinship": "0.05"},  # third degree: kept
    ]
    fit, dropped = st.unrelated_samples(["A", "B", "E"], pairs, 0.0884, GATE)
    assert fit == ["A", "B"] and list(dropped) == ["E"]  # E: larger ID at a tie
    fit, dropped = st.unrelated_samples(["A", "B", "E"], pairs, 0.0442, GATE)
    assert fit == ["A", "B"]  # E, in two close pairs, goes first; that is enough
    assert dropped == {"E": [("A", 0.25), ("B", 0.05)]}


def clusters(rng, n_per=30, k=4, centres=((0, 0), (10, 0), (0, 10))):
    """Three Gaussian clusters (SD 1 on every PC) of n_per samples each."""
    x, pops = [], []
    for pop, (cx, cy) in zip(("FI", "EE", "NL"), centres):
        centre = np.array([cx, cy] + [0] * (k - 2), dtype=float)
        x.append(centre + rng.normal(0, 1, (n_per, k)))
        pops += [pop] * n_per
    return np.vstack(x), pops


def test_assess_flags_a_planted_mislabel_and_nobody_else():
    rng = np.random.default_rng(17)
    x, pops = clusters(rng)
    pops[5] = "EE"  # an FI genome declared EE
    fitted = np.ones(len(pops), bool)
    results, basis = st.assess(x, pops, fitted, min_cluster_size=10, max_distance=6)
    flagged = [i for i, r in enumerate(results) if r["structure_status"] == st.WARN]
    assert flagged == [5]
    assert results[5]["nearest_population"] == "FI" and results[5]["distance"] > 6
    assert "possible sample swap or mislabelled metadata" in results[5]["reason"]
    assert "declared population EE" in results[5]["reason"]
    assert all(r["structure_status"] == st.PASS for i, r in enumerate(results) if i != 5)
    assert basis["clusters"]["EE"][0] == pytest.approx(10, abs=0.6)  # the median holds


def test_the_pooled_pairwise_scale_recovers_the_clusters_sd_despite_strays():
    rng = np.random.default_rng(5)
    x, pops = clusters(rng, n_per=200)
    for i in range(0, 40, 4):
        pops[i] = "NL"  # 10 FI genomes declared NL
    _, basis = st.assess(x, pops, np.ones(len(pops), bool))
    assert basis["scale"] == pytest.approx([1, 1, 1, 1], abs=0.1)


def test_a_projected_sample_is_judged_but_does_not_shape_the_clusters():
    rng = np.random.default_rng(2)
    x, pops = clusters(rng, n_per=12, k=2)
    x = np.vstack([x, [[0.5, 0.5]], [[10, 10]]])  # a relative of FI, a swap into FI
    pops += ["FI", "FI"]
    fitted = np.array([True] * 36 + [False, False])
    results, _ = st.assess(x, pops, fitted, min_cluster_size=10, max_distance=6)
    assert [r["structure_status"] for r in results[-2:]] == [st.PASS, st.WARN]


def test_small_populations_are_not_judged():
    rng = np.random.default_rng(3)
    x, pops = clusters(rng, n_per=12, k=2)
    x = np.vstack([x, [[30, 30]], [[31, 30]]])
    pops += ["GB", "GB"]
    results, basis = st.assess(x, pops, np.ones(len(pops), bool), min_cluster_size=10)
    assert [r["structure_status"] for r in results[-2:]] == [st.NOT_JUDGED] * 2
    assert "GB has fewer than 10 unrelated samples" in results[-1]["reason"]
    assert set(basis["clusters"]) == {"FI", "EE", "NL"}
    results, _ = st.assess(x, pops, np.ones(len(pops), bool), min_cluster_size=20)
    assert {r["structure_status"] for r in results} == {st.NOT_JUDGED}
    results, _ = st.assess(np.empty((3, 0)), ["FI"] * 3, np.ones(3, bool))
    assert {r["reason"] for r in results} == {"no PCA"}


def test_pooled_scale_is_the_pairwise_median_over_clusters():
    x = np.array([[0.0], [2.0], [10.0], [11.0], [50.0]])
    pops = ["A", "A", "B", "B", "C"]
    centres = st.cluster_centres(x, pops, np.ones(5, bool), 2)
    assert set(centres) == {"A", "B"}  # C has one member
    # pairs: |0-2| = 2, |10-11| = 1 -> median 1.5
    assert st.pooled_scale(x, pops, np.ones(5, bool), centres)[0] == pytest.approx(
        1.5 / (0.6744898 * math.sqrt(2))
    )


def test_read_scores_and_the_table(tmp_path):
    sscore = tmp_path / "x.sscore"
    sscore.write_text(
        "#IID\tALLELE_CT\tNAMED_ALLELE_DOSAGE_SUM\tPC1_AVG\tPC2_AVG\nA\t10\t5\t0.5\t-1\n"
    )
    names, scores = st.read_scores(sscore)
    assert names == ["A"] and scores.tolist() == [[0.5, -1.0]]
    (tmp_path / "empty.sscore").write_text("#IID\n")
    names, scores = st.read_scores(tmp_path / "empty.sscore")
    assert names == [] and scores.shape == (0, 0)
    columns, rows = st.structure_table(
        ["A", "B"],
        {"A": {"population": "FI", "sex": "female", "minority": ""}},
        {"A"},
        {"A": scores[0] if len(scores) else np.array([0.5, -1.0])},
        2,
        [{"distance": 1.0, "nearest_population": "FI", "structure_status": "PASS", "reason": ""}]
        * 2,
    )
    assert columns[:5] == st.FIXED_COLUMNS and "PC2" in columns
    assert rows[0]["in_fit"] == "yes" and rows[1]["in_fit"] == "no (projected)"
    assert rows[1]["PC1"] == "NA"


def test_plink2_options():
    assert commands.site_options(30, 0.95) == (
        "--var-filter --var-min-qual 30 --snps-only just-acgt --max-alleles 2 --geno 0.05"
    )
    assert commands.ld_options(500, 0.1) == "--indep-pairwise 500kb 0.1"


# ------------------------------------------------------------------ plink2 end to end
def write_vcf(path, dosage, names):
    """A bgzipped VCF of biallelic SNVs on chr1 (dosage: sites x samples, -1 missing)."""
    gt = np.array(["./.", "0/0", "0/1", "1/1"])[dosage + 1]
    lines = [
        "##fileformat=VCFv4.2",
        "##contig=<ID=chr1,length=100000000>",
        "##contig=<ID=chrX,length=1000000>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(names),
    ]
    for k, row in enumerate(gt):
        qual, filt = ("10", "PASS") if k % 50 == 7 else ("50", "PASS" if k % 50 else "LowQual")
        lines.append(f"chr1\t{1000 * (k + 1)}\t.\tA\tG\t{qual}\t{filt}\t.\tGT\t" + "\t".join(row))
    lines.append("chrX\t5000\t.\tA\tG\t50\tPASS\t.\tGT\t" + "\t".join(["0/1"] * len(names)))
    path.with_suffix("").write_text("\n".join(lines) + "\n")
    subprocess.run(["bgzip", "-f", str(path.with_suffix(""))], check=True)


def population_dosage(rng, n_per, n_sites, fst=0.1):
    anc = rng.uniform(0.1, 0.9, n_sites)
    freqs = rng.beta(anc * (1 - fst) / fst, (1 - anc) * (1 - fst) / fst, (3, n_sites))
    p = np.repeat(freqs, n_per, axis=0)  # samples x sites
    return (rng.random(p.shape) < p).astype(int) + (rng.random(p.shape) < p)


@pytest.mark.skipif(shutil.which("plink2") is None, reason="plink2 not installed")
@pytest.mark.parametrize("n_per", [20, 8])  # 60 unrelated: LD pruning; 24: too few for it
def test_structure_pca_separates_populations_and_flags_the_swap(tmp_path, n_per):
    rng = np.random.default_rng(n_per)
    g = population_dosage(rng, n_per, 3000)
    names = [f"S{i:03d}" for i in range(3 * n_per)]
    pops = ["FI"] * n_per + ["EE"] * n_per + ["NL"] * n_per
    g = np.vstack([g, g[:1]])  # a duplicate of S000: projected, not fitted
    names.append("DUP")
    pops.append("FI")
    pops[n_per] = "FI"  # an EE genome declared FI
    vcf = tmp_path / "cohort.vcf.gz"
    write_vcf(vcf, g.T, names)
    (tmp_path / "eligible.txt").write_text("\n".join(names) + "\n")
    (tmp_path / "unrelated.txt").write_text("\n".join(names[:-1]) + "\n")
    (tmp_path / "autosomes.bed").write_text("chr1\t0\t100000000\n")
    prefix = tmp_path / "out" / "pca"
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "structure_pca.sh"), str(vcf)]
        + [str(tmp_path / f) for f in ("eligible.txt", "unrelated.txt", "autosomes.bed")]
        + [str(prefix), "1", "2000", "4", "5000", "0.05"]
        + [commands.site_options(30, 0.95), commands.ld_options(500, 0.5)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = st.read_summary(f"{prefix}.summary.tsv")
    assert summary["fit_samples"] == str(3 * n_per) and summary["method"] == "exact"
    assert summary["ld_pruned"].startswith("yes" if n_per == 20 else "no (fewer than 50")
    # the LowQual and QUAL 10 sites and chrX are left out
    assert int(summary["sites"]) == 3000 - 2 * 60
    assert not (tmp_path / "out" / "pca.sites.pgen").exists()  # the genotypes are removed
    sheet = {n: {"population": p, "sex": "female", "minority": ""} for n, p in zip(names, pops)}
    out = st.run(
        f"{prefix}.projected.sscore",
        f"{prefix}.fit.eigenval",
        f"{prefix}.summary.tsv",
        str(tmp_path / "unrelated.txt"),
        str(tmp_path / "eligible.txt"),
        sheet,
        str(tmp_path / "structure.tsv"),
        str(tmp_path / "structure.json"),
        outlier_pcs=2,
        min_cluster_size=5,
    )
    rows = {r["sample"]: r for r in read_tsv(tmp_path / "structure.tsv")}
    assert out["flagged"] == [names[n_per]]
    assert rows[names[n_per]]["nearest_population"] == "EE"
    assert rows["DUP"]["in_fit"] == "no (projected)"
    # a duplicate projects where its twin was fitted
    assert float(rows["DUP"]["PC1"]) == pytest.approx(float(rows["S000"]["PC1"]), abs=1e-6)
    assert len(out["eigenvalues"]) == 4


@pytest.mark.skipif(shutil.which("plink2") is None, reason="plink2 not installed")
def test_structure_pca_with_too_few_samples_writes_why(tmp_path):
    (tmp_path / "eligible.txt").write_text("A\nB\n")
    (tmp_path / "unrelated.txt").write_text("A\nB\n")
    prefix = tmp_path / "pca"
    args = ["x.vcf.gz", "eligible.txt", "unrelated.txt", "a.bed", str(prefix), "1", "1000"]
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "structure_pca.sh"), *args, "4", "5000", "0.05", "", ""],
        cwd=tmp_path,
        check=True,
    )
    summary = st.read_summary(f"{prefix}.summary.tsv")
    assert summary["note"].startswith("fewer than 3 unrelated") and summary["method"] == "none"
    assert st.read_scores(f"{prefix}.projected.sscore")[0] == []


def test_the_rules_scripts_end_to_end(tmp_path):
    """select_structure_samples, then assess_structure and count_recruitment as Snakemake
    runs them (their smk objects), on a gate table, relatedness pairs and PCs."""
    import types

    from refcohort.io import write_tsv
    from refcohort.qc import recruitment

    gate = tmp_path / "sample_qc.tsv"
    write_tsv(gate, ["sample", "status", "reasons", "joint_calling"], GATE)
    pairs = tmp_path / "relatedness.tsv"
    write_tsv(
        pairs,
        ["sample_1", "sample_2", "kinship"],
        [{"sample_1": "A", "sample_2": "E", "kinship": "0.5"}],
    )
    ns = types.SimpleNamespace
    select = ns(
        input=ns(table=str(gate), relatedness=str(pairs)),
        output=ns(eligible=str(tmp_path / "e.txt"), unrelated=str(tmp_path / "u.txt")),
        params=ns(max_kinship=0.0884),
        log=[str(tmp_path / "select.log")],
    )
    st.select_main(select)
    assert (tmp_path / "e.txt").read_text().split() == ["A", "B", "E"]
    assert (tmp_path / "u.txt").read_text().split() == ["A", "B"]
    assert (
        "E projected, not fitted: kinship with A (0.500)" in (tmp_path / "select.log").read_text()
    )
    (tmp_path / "pca.sscore").write_text(
        "#IID\tALLELE_CT\tNAMED_ALLELE_DOSAGE_SUM\tPC1_AVG\tPC2_AVG\n"
        "A\t1\t1\t0.1\t0.2\nB\t1\t1\t0.2\t0.1\nE\t1\t1\t0.1\t0.2\n"
    )
    (tmp_path / "pca.eigenval").write_text("1.5\n1.2\n")
    (tmp_path / "pca.summary.tsv").write_text("fit_samples\t2\nmethod\texact\nnote\t\n")
    sheet = {
        "A": {"population": "FI", "sex": "female", "minority": ""},
        "B": {"population": "FI", "sex": "male", "minority": ""},
        "E": {"population": "FI", "sex": "female", "minority": ""},
    }
    assess = ns(
        input=ns(
            sscore=str(tmp_path / "pca.sscore"),
            eigenval=str(tmp_path / "pca.eigenval"),
            summary=str(tmp_path / "pca.summary.tsv"),
            eligible=str(tmp_path / "e.txt"),
            unrelated=str(tmp_path / "u.txt"),
        ),
        output=ns(table=str(tmp_path / "structure.tsv"), json=str(tmp_path / "s.json")),
        params=ns(sheet=sheet, outlier_pcs=2, min_cluster_size=2, max_distance=6),
        log=[str(tmp_path / "assess.log")],
    )
    st.assess_main(assess)
    rows = read_tsv(tmp_path / "structure.tsv")
    assert [r["structure_status"] for r in rows] == ["PASS"] * 3
    assert [r["in_fit"] for r in rows] == ["yes", "yes", "no (projected)"]
    count = ns(
        input=ns(table=str(gate), relatedness=[str(pairs)]),
        output=ns(table=str(tmp_path / "recruitment.tsv")),
        params=ns(
            sheet=sheet,
            order=["A", "B", "E"],
            targets={"FI": {"female": 2}},
            minority_targets={},
            min_group_size=1,
        ),
        log=[str(tmp_path / "count.log")],
    )
    recruitment.main(count)
    rows = {(r["group"], r["sex"]): r for r in read_tsv(tmp_path / "recruitment.tsv")}
    assert rows[("FI", "female")]["achieved"] == "1"  # E is A again
    assert rows[("FI", "female")]["status"] == "gap"
