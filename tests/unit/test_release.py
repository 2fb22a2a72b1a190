"""Tests for scripts/release.py (the national allele-frequency release).

Synthetic cohorts are written as plain-text VCFs; the release is compared with an
independent computation (``bcftools +fill-tags`` with the same groups, on the released
samples) and its privacy rules are checked by linear algebra over the population x sex
cells, independently of the graph method the script uses.
"""

import gzip
import hashlib
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import pytest

import release as rl

FILL_TAGS = ["-t", "AN,AC,AF,AC_Hom,AC_Het,AC_Hemi"]
PAR = [("chrX", 0, 1000), ("chrX", 9000, 10000)]  # 0-based half-open


# --------------------------------------------------------------------------- #
# Synthetic cohorts
# --------------------------------------------------------------------------- #
def make_cohort(n_per_cell: Dict[Tuple[str, str], int]) -> List[Tuple[str, str, str]]:
    """(sample, sex word, population) rows; IDs are >= 3 characters (fill-tags needs that)."""
    words = {"F": "female", "M": "male", "U": "unknown"}
    rows = []
    for (pop, sex), n in sorted(n_per_cell.items()):
        rows += [(f"{pop}{sex}{i:03d}", words[sex], pop) for i in range(n)]
    return rows


def gt_text(ploidy: int, alleles: Sequence[int]) -> str:
    if ploidy == 0:
        return "."
    return "/".join("." if a < 0 else str(a) for a in alleles[:ploidy])


def random_genotypes(rng: np.random.Generator, cohort, chrom: str, pos: int, p: float,
                     missing: float = 0.02) -> List[str]:
    """Genotypes as bcftools call writes them with sex-aware ploidy."""
    out = []
    for _, sex, _ in cohort:
        hemi = sex == "male" and (chrom == "chrY" or (chrom == "chrX" and not in_par(chrom, pos)))
        ploidy = 0 if (chrom == "chrY" and sex != "male") else (1 if hemi else 2)
        if ploidy and rng.random() < missing:
            out.append("." if ploidy == 1 else "./.")
            continue
        out.append(gt_text(ploidy, list((rng.random(2) < p).astype(int))))
    return out


def in_par(chrom: str, pos: int) -> bool:
    return any(c == chrom and s < pos <= e for c, s, e in PAR)


def write_vcf(path: Path, cohort, records: List[Tuple[str, int, str, str, List[str]]],
              extra_header: Sequence[str] = (), filters: Dict[int, str] = None) -> Path:
    filters = filters or {}
    names = [s for s, _, _ in cohort]
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="low">',
             "##contig=<ID=chr1,length=100000>", "##contig=<ID=chrX,length=10000>",
             "##contig=<ID=chrY,length=10000>", "##contig=<ID=chrM,length=16569>",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">', *extra_header,
             "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *names])]
    for i, (chrom, pos, ref, alt, gts) in enumerate(records):
        lines.append("\t".join([chrom, str(pos), ".", ref, alt, "50", filters.get(i, "PASS"), ".", "GT", *gts]))
    path.write_text("\n".join(lines) + "\n")
    return path


def write_sheet(path: Path, cohort) -> Path:
    path.write_text("sample\tsex\tpopulation\n" + "".join(f"{s}\t{x}\t{p}\n" for s, x, p in cohort))
    return path


def write_par(path: Path) -> Path:
    path.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in PAR))
    return path


def random_records(rng, cohort, n_auto=120, n_x=60, n_y=20):
    recs = []
    for chrom, n, span in (("chr1", n_auto, 100000), ("chrX", n_x, 10000), ("chrY", n_y, 10000)):
        positions = sorted(rng.choice(np.arange(1, span), n, replace=False))
        for pos in positions:
            p = float(rng.choice([0.01, 0.05, 0.2, 0.5, 0.9]))
            recs.append((chrom, int(pos), "A", "G", random_genotypes(rng, cohort, chrom, int(pos), p)))
    return recs


def run_release(tmp_path: Path, cohort, records, name="out", **kw) -> Tuple[Dict, Path]:
    vcf = write_vcf(tmp_path / f"{name}.in.vcf", cohort, records, kw.pop("extra_header", ()), kw.pop("filters", None))
    sheet = write_sheet(tmp_path / f"{name}.samples.tsv", cohort)
    out = tmp_path / f"{name}.vcf.gz"
    kw.setdefault("par_bed", str(write_par(tmp_path / "par.bed")))
    summary = rl.release(str(vcf), str(sheet), str(out), **kw)
    return summary, out


def read_release(path: Path) -> Tuple[List[str], List[Dict[str, str]]]:
    """Header lines and records (CHROM..FILTER plus INFO as text) of a release VCF."""
    header, records = [], []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header.append(line)
                continue
            f = line.split("\t")
            assert len(f) == 8, f"not sites-only: {len(f)} columns"
            info = dict(kv.split("=", 1) for kv in f[7].split(";"))
            records.append({"key": f"{f[0]}:{f[1]}:{f[3]}:{f[4]}", "chrom": f[0], "pos": int(f[1]), **info})
    return header, records


def fill_tags(tmp_path: Path, vcf: Path, samples: Sequence[str], groups: Dict[str, List[str]]) -> Dict[str, Dict[str, str]]:
    """bcftools +fill-tags on the given samples with the given groups: {key: {field: text}}."""
    membership: Dict[str, List[str]] = {s: [] for s in samples}
    for group, members in groups.items():
        for s in members:
            membership[s].append(group)
    gfile = tmp_path / "groups.txt"
    gfile.write_text("".join(f"{s}\t{','.join(g)}\n" for s, g in membership.items() if g))
    cmd = (f"bcftools view -f PASS -s {','.join(samples)} -Ou {vcf} | "
           f"bcftools +fill-tags -Ov -- -S {gfile} {' '.join(FILL_TAGS)}")
    text = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, check=True).stdout
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        out[f"{f[0]}:{f[1]}:{f[3]}:{f[4]}"] = dict(kv.split("=", 1) for kv in f[7].split(";"))
    return out


def groups_of(cohort, released: Sequence[str], published: Sequence[str]) -> Dict[str, List[str]]:
    """Members of each published group (by name), for fill-tags."""
    info = {s: (x, p) for s, x, p in cohort}
    code = {"female": "F", "male": "M", "unknown": "U"}
    out: Dict[str, List[str]] = {}
    for g in published:
        if g == "all":
            continue
        members = []
        for s in released:
            sex, pop = code[info[s][0]], info[s][1]
            if g in (pop, sex, f"{pop}_{sex}"):
                members.append(s)
        out[g] = members
    return out


def released_names(cohort, summary) -> List[str]:
    gone = {r["sample"] for r in summary["excluded"]}
    return [s for s, _, _ in cohort if s not in gone]


def assert_agrees_with_fill_tags(tmp_path, cohort, records, summary, out, expect_all_published=False):
    released = released_names(cohort, summary)
    published = [g["group"] for g in summary["groups"] if g["status"] == "published"]
    theirs = fill_tags(tmp_path, tmp_path / "out.in.vcf", released, groups_of(cohort, released, published))
    _, ours = read_release(out)
    compared = suppressed = 0
    for rec in ours:
        ref = theirs[rec["key"]]
        for key, value in rec.items():
            if key in ("key", "chrom", "pos"):
                continue
            if value == ".":
                suppressed += 1
                if key.startswith("AF") and ref[key] == ".":
                    continue
                assert not expect_all_published, (rec["key"], key)
                continue
            compared += 1
            if key.startswith("AF"):
                assert float(value) == pytest.approx(float(ref[key]), rel=1e-5), (rec["key"], key, value, ref[key])
            else:
                assert value == ref[key], (rec["key"], key, value, ref[key])
    # records fill-tags sees with ALT among the released samples are all in the release
    assert {k for k, v in theirs.items() if v["AC"] != "0"} == {r["key"] for r in ours}
    return compared, suppressed


COHORT = make_cohort({("FI", "F"): 6, ("FI", "M"): 5, ("EE", "F"): 4, ("EE", "M"): 4})


# --------------------------------------------------------------------------- #
# Counting: agreement with bcftools +fill-tags, AF = AC/AN, ploidy
# --------------------------------------------------------------------------- #
def test_every_group_agrees_with_fill_tags_when_nothing_is_suppressed(tmp_path):
    rng = np.random.default_rng(1)
    records = random_records(rng, COHORT)
    summary, out = run_release(tmp_path, COHORT, records, min_allele_count=1, min_group_size=1)
    published = {g["group"] for g in summary["groups"] if g["status"] == "published"}
    assert published == {"all", "FI", "EE", "F", "M", "FI_F", "FI_M", "EE_F", "EE_M"}
    compared, suppressed = assert_agrees_with_fill_tags(tmp_path, COHORT, records, summary, out, expect_all_published=True)
    assert compared > 100 * 9 * 5
    header, recs = read_release(out)
    assert {r["chrom"] for r in recs} == {"chr1", "chrX", "chrY"}


def test_unsuppressed_fields_agree_with_fill_tags_under_the_default_policy(tmp_path):
    rng = np.random.default_rng(2)
    cohort = make_cohort({("FI", "F"): 14, ("FI", "M"): 12, ("EE", "F"): 11, ("EE", "M"): 3})
    records = random_records(rng, cohort)
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=5, min_group_size=10)
    compared, suppressed = assert_agrees_with_fill_tags(tmp_path, cohort, records, summary, out)
    assert compared > 500 and suppressed > 100


def test_af_is_ac_over_an_exactly(tmp_path):
    rng = np.random.default_rng(3)
    cohort = make_cohort({("FI", "F"): 7, ("FI", "M"): 7, ("EE", "F"): 3})  # odd ANs: 1/3, 1/7, ...
    summary, out = run_release(tmp_path, cohort, random_records(rng, cohort), min_allele_count=1, min_group_size=1)
    _, recs = read_release(out)
    checked = inexact = 0
    for rec in recs:
        for key, value in rec.items():
            if not key.startswith("AF") or value == ".":
                continue
            suffix = key[2:]
            ac, an = int(rec["AC" + suffix]), int(rec["AN" + suffix])
            assert float(value) == ac / an, (key, value, ac, an)  # the same IEEE double
            assert value == rl.format_af(ac, an)
            checked += 1
            inexact += len(value) > 8
    assert checked > 1000 and inexact > 100  # many frequencies need all 17 digits


@pytest.mark.parametrize("ac, an, text", [(0, 10, "0"), (10, 10, "1"), (1, 3, "0.3333333333333333"),
                                          (1, 4, "0.25"), (1, 20000, "5e-05")])
def test_format_af(ac, an, text):
    assert rl.format_af(ac, an) == text
    assert float(text) == ac / an


def test_males_are_hemizygous_outside_the_pars_and_on_chrY(tmp_path):
    cohort = make_cohort({("FI", "F"): 2, ("FI", "M"): 2})  # FIF000 FIF001 FIM000 FIM001
    records = [
        ("chr1", 100, "A", "G", ["0/1", "1/1", "1/1", "0/0"]),
        ("chrX", 500, "A", "G", ["0/1", "1/1", "1/1", "0/1"]),   # PAR: diploid males
        ("chrX", 5000, "A", "G", ["0/1", "1/1", "1", "0"]),      # haploid male calls
        ("chrX", 5100, "A", "G", ["0/0", "0/1", "1/1", "0/0"]),  # diploid male calls (GATK-like)
        ("chrX", 5200, "A", "G", ["0/0", "0/0", "0/1", "1"]),    # het male: missing
        ("chrY", 300, "A", "G", [".", ".", "1", "0"]),
        ("chrY", 400, "A", "G", ["./.", "0/1", "1", "."]),       # female calls ignored
    ]
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=1, min_group_size=1)
    _, recs = read_release(out)
    got = {r["pos"]: r for r in recs}
    want = {  # position: (AN, AC, AC_Hom, AC_Het, AC_Hemi, AN_M, AC_Hemi_M, AN_F)
        100: (8, 5, 4, 1, 0, 4, 0, 4),
        500: (8, 6, 4, 2, 0, 4, 0, 4),
        5000: (6, 4, 2, 1, 1, 2, 1, 4),
        5100: (6, 2, 0, 1, 1, 2, 1, 4),
        5200: (5, 1, 0, 0, 1, 1, 1, 4),
        300: (2, 1, 0, 0, 1, 2, 1, 0),
        400: (1, 1, 0, 0, 1, 1, 1, 0),
    }
    for pos, (an, ac, hom, het, hemi, an_m, hemi_m, an_f) in want.items():
        r = got[pos]
        assert (int(r["AN"]), int(r["AC"]), int(r["AC_Hom"]), int(r["AC_Het"]), int(r["AC_Hemi"])) == (an, ac, hom, het, hemi), pos
        assert (int(r["AN_M"]), int(r["AC_Hemi_M"]), int(r["AN_F"])) == (an_m, hemi_m, an_f), pos
    assert got[300]["AF_F"] == "."  # no female alleles on chrY
    assert summary["calls_set_missing"]["het_where_hemizygous"] == 1


def test_contribution_rules():
    assert rl.contribution(2, 0, 1) == ((2, 1, 0, 1, 0), "")
    assert rl.contribution(2, 1, 1) == ((2, 2, 2, 0, 0), "")
    assert rl.contribution(2, -1, 1) == ((0, 0, 0, 0, 0), "")             # ./1 is missing
    assert rl.contribution(2, 1, -2) == ((0, 0, 0, 0, 0), "haploid_where_diploid")
    assert rl.contribution(1, 1, -2) == ((1, 1, 0, 0, 1), "")
    assert rl.contribution(1, 1, 1) == ((1, 1, 0, 0, 1), "")
    assert rl.contribution(1, 0, 1) == ((0, 0, 0, 0, 0), "het_where_hemizygous")
    assert rl.contribution(0, 1, -2) == ((0, 0, 0, 0, 0), "")


def test_chunking_does_not_change_the_output(tmp_path):
    rng = np.random.default_rng(4)
    records = random_records(rng, COHORT)
    _, a = run_release(tmp_path, COHORT, records, name="a", min_allele_count=3, min_group_size=3, chunk_size=7)
    _, b = run_release(tmp_path, COHORT, records, name="b", min_allele_count=3, min_group_size=3)
    assert gzip.open(a).read() == gzip.open(b).read()


# --------------------------------------------------------------------------- #
# Sites and samples
# --------------------------------------------------------------------------- #
def test_only_pass_released_contigs_and_polymorphic_records(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 1})
    records = [
        ("chr1", 10, "A", "G", ["0/1", "0/0", "0/0", "0/0"]),
        ("chr1", 20, "A", "G", ["0/1", "0/0", "0/0", "0/0"]),      # LowQual
        ("chr1", 30, "A", "G", ["0/0", "0/0", "0/0", "./."]),      # no ALT
        ("chr1", 40, "A", "G,T", ["0/1", "0/2", "0/0", "0/0"]),   # not split: skipped
        ("chrM", 50, "A", "G", ["1", "1", "0", "0"]),               # not released
    ]
    summary, out = run_release(tmp_path, cohort, records, filters={1: "LowQual"}, min_allele_count=1, min_group_size=1)
    _, recs = read_release(out)
    assert [r["pos"] for r in recs] == [10]
    assert (summary["not_pass"], summary["monomorphic_in_released"], summary["not_biallelic"], summary["other_contigs"]) == (1, 1, 1, 1)
    assert summary["sites_written"] == 1


def test_no_sample_ids_or_genotypes_anywhere(tmp_path):
    rng = np.random.default_rng(5)
    leaky = ["##bcftools_viewCommand=view -s FIF000,EEM001 results/gvcf/FIF000.g.vcf.gz; Date=x",
             "##bcftools_mergeCommand=merge results/gvcf/EEF002.g.vcf.gz",
             "##reference=file://results/reference/genome.fa", "##sample_note=FIM003"]
    summary, out = run_release(tmp_path, COHORT, random_records(rng, COHORT), extra_header=leaky,
                               min_allele_count=2, min_group_size=2)
    text = gzip.open(out, "rt").read()
    for sample, _, _ in COHORT:
        assert sample not in text
    header, recs = read_release(out)  # asserts 8 columns on every record
    assert header[-1] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    assert not any(h.startswith("##FORMAT") or "Command" in h or "results/" in h for h in header)
    assert "GT" not in {k for r in recs for k in r} and recs
    assert not any("/" in v or "|" in v for r in recs for v in map(str, r.values()))


def test_qc_fail_unknown_sex_and_related_samples_are_left_out(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 2, ("FI", "U"): 1})
    # FIF000 FIF001 FIF002 FIM000 FIM001 FIU000
    qc = tmp_path / "qc.tsv"
    qc.write_text("sample\tstatus\treasons\toverride\tjoint_calling\tmean_autosome_coverage\n"
                  "FIF000\tPASS\t\t\tincluded\t30\n"
                  "FIF001\tFAIL\tFAIL: coverage\tkept for QA\tincluded\t10\n"
                  "FIF002\tWARN\tWARN: x\t\tincluded\t31\n"
                  "FIM000\tPASS\t\t\tincluded\t30\n"
                  "FIM001\tPASS\t\t\tincluded\t29\n"
                  "FIU000\tPASS\t\t\tincluded\t30\n"
                  "FIM009\tFAIL\tFAIL: contamination\t\texcluded\t30\n")
    rel = tmp_path / "rel.tsv"
    rel.write_text("sample_1\tsample_2\tkinship\tibs0\tn_sites\tdegree\n"
                   "FIM000\tFIM001\t0.25\t0.001\t100\tfirst\n"
                   "FIF000\tFIF002\t0.10\t0.01\t100\tsecond\n")
    records = [("chr1", 10, "A", "G", ["0/1"] * 6)]
    sheet_rows = cohort + [("FIM009", "male", "FI")]
    write_sheet(tmp_path / "sheet.tsv", sheet_rows)
    vcf = write_vcf(tmp_path / "in.vcf", cohort, records)
    summary = rl.release(str(vcf), str(tmp_path / "sheet.tsv"), str(tmp_path / "o.vcf.gz"), qc_tsv=str(qc),
                         relatedness_tsv=str(rel), min_allele_count=1, min_group_size=1)
    why = {r["sample"]: r["reason"] for r in summary["excluded"]}
    assert why == {"FIF001": "QC FAIL", "FIU000": "sex unknown", "FIM001": "related", "FIM009": "not joint-called"}
    assert summary["samples_released"] == 3  # FIF000, FIF002 (second degree kept), FIM000
    _, recs = read_release(tmp_path / "o.vcf.gz")
    assert recs[0]["AN"] == "6"
    # counting unknown sex: in the whole cohort and the population, not in a sex group
    summary = rl.release(str(vcf), str(tmp_path / "sheet.tsv"), str(tmp_path / "u.vcf.gz"), qc_tsv=str(qc),
                         relatedness_tsv=str(rel), min_allele_count=1, min_group_size=1, unknown_sex="count")
    _, recs = read_release(tmp_path / "u.vcf.gz")
    assert (recs[0]["AN"], recs[0]["AN_FI"], recs[0]["AN_F"], recs[0]["AN_M"]) == ("8", "8", "4", "2")
    assert "AN_U" not in recs[0] and "AN_FI_U" not in recs[0]


# --------------------------------------------------------------------------- #
# Relatedness policy
# --------------------------------------------------------------------------- #
def test_prune_related_drops_the_most_connected_then_breaks_ties_deterministically():
    qc = {"A01": {"status": "PASS", "mean_autosome_coverage": "30"},
          "B01": {"status": "PASS", "mean_autosome_coverage": "31"},
          "C01": {"status": "WARN", "mean_autosome_coverage": "35"},
          "D01": {"status": "PASS", "mean_autosome_coverage": "30"},
          "E01": {"status": "PASS", "mean_autosome_coverage": "30"},
          "F01": {"status": "PASS", "mean_autosome_coverage": "30"}}
    pairs = [("A01", "B01", 0.25), ("B01", "C01", 0.25), ("A01", "C01", 0.5),  # triangle
             ("D01", "E01", 0.25), ("E01", "F01", 0.1)]                      # F01 second degree
    candidates = sorted(qc)
    dropped = rl.prune_related(pairs, candidates, 0.177, qc)
    # triangle: all in 2 pairs; C01 is WARN -> dropped, then A01-B01 left: A01 lower coverage
    # D01-E01: same pairs, status, coverage -> the larger ID E01
    assert set(dropped) == {"C01", "A01", "E01"}
    for _ in range(5):  # input order does not matter
        shuffled = random.Random(_).sample(pairs, len(pairs))
        swapped = [(b, a, k) if random.Random(_ + 9).random() < 0.5 else (a, b, k) for a, b, k in shuffled]
        assert set(rl.prune_related(swapped, list(reversed(candidates)), 0.177, qc)) == set(dropped)
    assert rl.prune_related(pairs, candidates, 0.3, qc) == {"C01": [("A01", 0.5)]}
    assert rl.prune_related(pairs, ["A01", "B01"], 0.6, qc) == {}
    # a pair with a sample that is not a candidate (e.g. QC FAIL) costs nobody their place
    assert set(rl.prune_related(pairs, ["B01", "C01", "D01"], 0.177, qc)) == {"C01"}


def test_hub_relative_is_dropped_first():
    qc = {s: {"status": "PASS", "mean_autosome_coverage": "30"} for s in ("KID", "MUM", "DAD", "SIB")}
    pairs = [("KID", "MUM", 0.25), ("KID", "DAD", 0.25), ("KID", "SIB", 0.25)]
    assert set(rl.prune_related(pairs, list(qc), 0.177, qc)) == {"KID"}


# --------------------------------------------------------------------------- #
# Privacy: small counts, small groups, recovery by subtraction
# --------------------------------------------------------------------------- #
def atoms_and_rows(design: rl.Design) -> np.ndarray:
    """(groups, atoms) 0/1: which population x sex cells each group sums, from the groups'
    names and members only (independent of the graph the script uses)."""
    cells = sorted({(s.population, s.sex) for s in design.samples})
    rows = np.zeros((len(design.groups), len(cells)))
    for i, g in enumerate(design.groups):
        for j, (pop, sex) in enumerate(cells):
            if g.population in ("all", pop) and g.sex in ("all", sex):
                rows[i, j] = 1
    return rows


def recoverable(rows: np.ndarray, published: np.ndarray, target: int) -> bool:
    """Whether group ``target``'s value is a linear combination of published groups'."""
    known = rows[published]
    if not known.size:
        return False
    base = np.linalg.matrix_rank(known)
    return np.linalg.matrix_rank(np.vstack([known, rows[target]])) == base


def test_small_groups_are_withheld_and_cannot_be_recovered():
    samples = ([rl.Sample(f"a{i}", "FI", "F") for i in range(30)] + [rl.Sample(f"b{i}", "FI", "M") for i in range(25)]
               + [rl.Sample(f"c{i}", "EE", "F") for i in range(25)] + [rl.Sample(f"d{i}", "EE", "M") for i in range(3)])
    design = rl.Design(samples, min_group_size=20, min_allele_count=10)
    status = {g.name: g.published for g in design.groups}
    assert status == {"all": True, "FI": True, "EE": True, "F": True, "M": True,
                      "FI_F": False, "FI_M": False, "EE_F": False, "EE_M": False}
    reasons = {g.name: g.reason for g in design.groups}
    assert reasons["EE_M"] == "fewer than 20 individuals" and "recovered" in reasons["FI_F"]
    rows = atoms_and_rows(design)
    published = np.array([g.published for g in design.groups])
    small = [i for i, g in enumerate(design.groups) if g.size < 20]
    assert small and not any(recoverable(rows, published, i) for i in small)
    # without the protection EE_M would be EE - EE_F
    naive = np.array([g.size >= 20 for g in design.groups])
    assert any(recoverable(rows, naive, i) for i in small)


def test_a_small_population_is_not_recoverable_from_the_whole_cohort():
    samples = ([rl.Sample(f"a{i}", "FI", "F") for i in range(40)] + [rl.Sample(f"b{i}", "FI", "M") for i in range(40)]
               + [rl.Sample(f"c{i}", "EE", "F") for i in range(30)] + [rl.Sample(f"d{i}", "EE", "M") for i in range(30)]
               + [rl.Sample(f"e{i}", "NL", "F") for i in range(4)])
    design = rl.Design(samples, min_group_size=20)
    rows = atoms_and_rows(design)
    published = np.array([g.published for g in design.groups])
    for i, g in enumerate(design.groups):
        if g.size < 20:
            assert not g.published and not recoverable(rows, published, i), g.name
    assert {g.name for g in design.published} >= {"all"}


def random_design(rng, pops=3, unknown=False):
    samples = []
    for p in ["FI", "EE", "NL", "SE"][:pops]:
        for sex in ("F", "M", "U") if unknown else ("F", "M"):
            for i in range(int(rng.integers(0, 30))):
                samples.append(rl.Sample(f"{p}{sex}{i}", p, sex))
    return samples


@pytest.mark.parametrize("seed", range(12))
def test_no_suppressed_count_can_be_recovered_by_subtraction(seed):
    """Random tables and counts: after suppression, no sensitive hidden value (small count
    or withheld small group) is a linear combination of the published values."""
    rng = np.random.default_rng(seed)
    design = rl.Design(random_design(rng, pops=2 + seed % 3, unknown=seed % 2 == 1), min_group_size=8, min_allele_count=5)
    rows = atoms_and_rows(design)
    n_atoms = rows.shape[1]
    records = 60
    atom_an = rng.integers(0, 40, (records, n_atoms))
    atom_ac = (atom_an * rng.choice([0, 0.02, 0.1, 0.5, 0.97, 1.0], (records, n_atoms))).astype(int)
    ac, an = atom_ac @ rows.T, atom_an @ rows.T
    primary = design.sensitive(ac, an)
    hidden = design.suppress(primary)
    assert (hidden | ~primary).all() and (hidden[:, ~np.array([g.published for g in design.groups])]).all()
    small = np.array([g.size < design.min_group_size for g in design.groups])
    for r in range(records):
        sensitive = primary[r] | small
        for i in np.nonzero(sensitive & hidden[r])[0]:
            assert not recoverable(rows, ~hidden[r], i), (seed, r, design.groups[i].name)
    # and the protection is not everything: some counts stay published
    if design.published:
        assert (~hidden).sum() > 0


def test_random_tables_need_and_get_protective_suppression():
    extra = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        design = rl.Design(random_design(rng, pops=3), min_group_size=8, min_allele_count=5)
        rows = atoms_and_rows(design)
        atom_an = rng.integers(0, 40, (60, rows.shape[1]))
        atom_ac = (atom_an * rng.choice([0, 0.02, 0.1, 0.5], atom_an.shape)).astype(int)
        primary = design.sensitive(atom_ac @ rows.T, atom_an @ rows.T)
        extra += (design.suppress(primary) & ~primary).sum()
    assert extra > 0


def test_protect_puts_a_lone_hidden_cell_on_a_cycle():
    # 2 x 2 table with margins: nodes 0,1 rows, 2 row total, 3,4 columns, 5 column total
    edges = [(0, 3), (0, 4), (1, 3), (1, 4), (0, 5), (1, 5), (2, 3), (2, 4), (2, 5)]
    weights = [5, 6, 7, 8, 11, 15, 12, 14, 26]
    hidden = rl.protect(1, 1, edges, weights, 6)
    assert hidden == 0b1111  # the four inner cells: the cheapest cycle through cell 0
    assert rl.protect(0, 0, edges, weights, 6) == 0
    assert rl.protect(0b1111, 0b0001, edges, weights, 6) == 0b1111


def test_suppression_in_the_vcf_and_the_summary(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 3, ("EE", "F"): 3, ("EE", "M"): 3})
    # sample order: EE_F x3, EE_M x3, FI_F x3, FI_M x3
    records = [
        ("chr1", 10, "A", "G", ["0/1"] + ["0/0"] * 11),           # a singleton
        ("chr1", 20, "A", "G", ["1/1"] * 3 + ["0/1"] * 3 + ["0/0"] * 6),
        ("chr1", 30, "A", "G", ["1/1"] * 11 + ["0/1"]),            # one REF allele: also rare
        ("chr1", 40, "A", "G", ["0/0"] * 6 + ["0/1"] * 2 + ["0/0"] + ["0/1"] * 3),
    ]
    summary, out = run_release(tmp_path, cohort, records, min_allele_count=3, min_group_size=3)
    _, recs = read_release(out)
    r10, r20, r30, r40 = recs
    assert r10["AN"] == "24" and r10["AC"] == "." and r10["AF"] == "." and r10["AC_Het"] == "."
    assert r10["AC_EE"] == "." and r10["AC_FI"] == "0" and r10["AN_EE"] == "12"
    assert r20["AC"] == "9" and r20["AC_EE"] == "9" and r20["AC_FI"] == "0"
    assert r20["AC_EE_F"] == "6" and r20["AC_EE_M"] == "3" and r20["AF_EE_M"] == "0.5"
    assert r30["AC"] == "." and r30["AN"] == "24"
    # FI_F has AC 2 (small); FI_M 3, FI 5, the whole cohort 5 are not small, but FI_M
    # = FI - FI_F would give FI_F away: something more is suppressed
    assert r40["AC_FI_F"] == "." and r40["AC"] == "5"
    assert [r40[k] for k in ("AC_FI", "AC_FI_M", "AC_F", "AC_EE_F")].count(".") >= 2
    groups = {g["group"]: g for g in summary["groups"]}
    assert groups["all"]["suppressed_small_count"] == 2
    assert sum(g["suppressed_to_protect"] for g in groups.values()) > 0
    for g in groups.values():
        assert g["records_published"] + g["suppressed_small_count"] + g["suppressed_to_protect"] == 4
    header, _ = read_release(out)
    policy = [h for h in header if h.startswith("##release_policy")]
    assert any("min_allele_count=3" in h for h in policy) and any("min_group_size=3" in h for h in policy)
    assert any("kinship > 0.177" in h for h in policy)
    assert "##release_group=<ID=FI_F,Population=FI,Sex=F,Individuals=3>" in header


def test_small_groups_are_absent_from_the_vcf(tmp_path):
    cohort = make_cohort({("FI", "F"): 5, ("FI", "M"): 5, ("EE", "F"): 2})
    rng = np.random.default_rng(6)
    summary, out = run_release(tmp_path, cohort, random_records(rng, cohort), min_allele_count=1, min_group_size=4)
    status = {g["group"]: g["status"] for g in summary["groups"]}
    assert status["EE"] == "withheld" and status["EE_F"] == "withheld"
    header, recs = read_release(out)
    keys = {k for r in recs for k in r}
    assert not any(k.endswith("_EE") or "_EE_" in k for k in keys)
    assert "##release_group=<ID=EE,Population=EE,Sex=all,Status=withheld>" in header
    # EE is withheld and would be all - FI: so FI (or the whole cohort) is withheld too
    assert status["FI"] == "withheld" or status["all"] == "withheld"


def test_nobody_released_gives_an_empty_release(tmp_path):
    cohort = make_cohort({("FI", "U"): 2})
    summary, out = run_release(tmp_path, cohort, [("chr1", 10, "A", "G", ["0/1", "0/0"])])
    header, recs = read_release(out)
    assert recs == [] and summary["samples_released"] == 0 and header[-1].startswith("#CHROM")
    assert Path(f"{out}.tbi").exists()


# --------------------------------------------------------------------------- #
# The command line: outputs, checksum, public and non-public tables
# --------------------------------------------------------------------------- #
def test_cli_writes_checksum_tables_and_multiqc_section(tmp_path):
    rng = np.random.default_rng(7)
    vcf = write_vcf(tmp_path / "in.vcf", COHORT, random_records(rng, COHORT))
    sheet = write_sheet(tmp_path / "samples.tsv", COHORT)
    out = tmp_path / "rel" / "af.vcf.gz"
    args = ["--vcf", str(vcf), "--samples", str(sheet), "--par", str(write_par(tmp_path / "par.bed")),
            "--output", str(out), "--groups", str(tmp_path / "groups.tsv"), "--excluded", str(tmp_path / "excl.tsv"),
            "--summary", str(tmp_path / "summary.json"), "--mqc", str(tmp_path / "mqc" / "release_mqc.yaml"),
            "--min-allele-count", "2", "--min-group-size", "3"]
    assert rl.main(args) == 0
    digest, name = Path(f"{out}.sha256").read_text().split()
    assert name == "af.vcf.gz" and digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert Path(f"{out}.tbi").stat().st_size > 0
    subprocess.run(["tabix", str(out), "chrX:1-10000"], check=True, capture_output=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "excluded" not in summary and summary["sites_written"] > 0
    groups = (tmp_path / "groups.tsv").read_text().splitlines()
    assert groups[0].split("\t") == rl.GROUP_COLUMNS and len(groups) == 1 + 9
    assert (tmp_path / "excl.tsv").read_text().splitlines() == ["\t".join(rl.EXCLUDED_COLUMNS)]
    import yaml
    mqc = yaml.safe_load((tmp_path / "mqc" / "release_mqc.yaml").read_text())
    assert mqc["id"] == "release_summary" and mqc["plot_type"] == "table"
    assert set(mqc["data"]) == {"all", "FI", "EE", "F", "M", "FI_F", "FI_M", "EE_F", "EE_M"}
    assert f"{summary['sites_written']:,} sites" in mqc["description"]
    # reading uncompressed BCF from stdin, as the rule does
    out2 = tmp_path / "stdin.vcf.gz"
    cmd = (f"bcftools view -Ou {vcf} | {sys.executable} {Path(rl.__file__)} --vcf - --samples {sheet} "
           f"--par {tmp_path / 'par.bed'} --output {out2} --groups {tmp_path / 'g2.tsv'} "
           f"--excluded {tmp_path / 'e2.tsv'} --min-allele-count 2 --min-group-size 3")
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True, capture_output=True)
    assert gzip.open(out2).read() == gzip.open(out).read()


# --------------------------------------------------------------------------- #
# Config: the schema's defaults are the script's, and bad values are rejected
# --------------------------------------------------------------------------- #
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def release_config(release):
    from snakemake.utils import validate
    config = {"samples": "s.tsv", "units": "u.tsv", "reference": {"fasta": "r.fa"}, "release": release}
    validate(config, str(SCHEMA))
    return config["release"]


def test_schema_defaults_match_the_script():
    assert release_config({}) == {"max_kinship": rl.DEFAULT_MAX_KINSHIP, "min_allele_count": rl.DEFAULT_MIN_ALLELE_COUNT,
                                  "min_group_size": rl.DEFAULT_MIN_GROUP_SIZE, "unknown_sex": "exclude"}


@pytest.mark.parametrize("bad", [{"min_group_size": 0}, {"min_allele_count": 2.5}, {"max_kinship": 0.01},
                                 {"unknown_sex": "female"}, {"min_count": 10}])
def test_schema_rejects_bad_release_settings(bad):
    with pytest.raises(Exception):
        release_config(bad)
