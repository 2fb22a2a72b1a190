"""Sex check: karyotype rules at their boundaries, declared-vs-inferred comparison,
allele-depth zygosity, and the I/O on a tiny thresholds file and gVCF."""

import gzip
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest

from refcohort.qc import sex as cs

# --- karyotype rules -----------------------------------------------------------------


@pytest.mark.parametrize(
    "x, y, expected",
    [
        (1.0, 0.0, "XX"),
        (0.75, 0.0999, "XX"),  # both XX bounds inclusive/exclusive as documented
        (0.7499, 0.0, "ambiguous"),  # between one-X and two-X windows
        (0.65, 0.0, "ambiguous"),  # one-X window is [0.35, 0.65)
        (0.6499, 0.3, "XY"),
        (0.35, 0.25, "XY"),  # both XY bounds inclusive
        (0.3499, 0.5, "ambiguous"),
        (0.5, 0.2499, "ambiguous"),  # Y neither present nor absent
        (0.5, 0.1, "ambiguous"),  # y_absent is strict (< 0.1)
        (0.5, 0.0999, "X0"),
        (0.5, 0.0, "X0"),
        (1.0, 0.1, "ambiguous"),
        (1.0, 0.25, "XXY"),
        (0.8, 0.5, "XXY"),
        (1.6, 0.0, "XX"),  # XXX is not separated from XX by these rules
    ],
)
def test_karyotype_windows(x, y, expected):
    call, note = cs.karyotype(x, y)
    assert call == expected
    assert bool(note) == (expected == "ambiguous")


def test_karyotype_custom_thresholds():
    assert cs.karyotype(0.7, 0.0, xx_min_x=0.7)[0] == "XX"
    assert cs.karyotype(0.3, 0.5, xy_x_range=(0.3, 0.6))[0] == "XY"
    assert cs.karyotype(0.5, 0.2, y_present_min=0.2)[0] == "XY"
    assert cs.karyotype(0.5, 0.12, y_absent_max=0.15)[0] == "X0"


def test_karyotype_without_chry_or_depth():
    assert cs.karyotype(1.0, None) == ("XX", cs.karyotype(1.0, None)[1])
    call, note = cs.karyotype(0.5, None)
    assert call == "XY" and "no chrY" in note
    assert cs.karyotype(0.7, None)[0] == "ambiguous"
    assert cs.karyotype(None, None)[0] == "ambiguous"
    assert cs.karyotype(None, 0.5)[0] == "ambiguous"


@pytest.mark.parametrize("call", ["XY", "X0"])
def test_het_ratio_downgrades_single_x_calls(call):
    y = 0.5 if call == "XY" else 0.0
    downgraded, note = cs.karyotype(0.5, y, het_ratio=0.31, het_sites=50)
    assert downgraded == "ambiguous" and "het ratio 0.310" in note and call in note
    assert cs.karyotype(0.5, y, het_ratio=0.31, het_sites=49)[0] == call  # too few sites
    assert cs.karyotype(0.5, y, het_ratio=0.30, het_sites=500)[0] == call  # strictly above 0.3
    assert cs.karyotype(0.5, y, het_ratio=None, het_sites=0)[0] == call
    assert cs.karyotype(0.5, y, het_ratio=0.31, het_sites=20, min_het_sites=20)[0] == "ambiguous"
    assert cs.karyotype(0.5, y, het_ratio=0.31, het_sites=60, max_single_x_het_ratio=0.4)[0] == call


def test_het_ratio_does_not_touch_two_x_calls():
    assert cs.karyotype(1.0, 0.0, het_ratio=0.6, het_sites=500) == ("XX", "")
    assert cs.karyotype(1.0, 0.5, het_ratio=0.0, het_sites=500)[0] == "XXY"


@pytest.mark.parametrize(
    "declared", ["female", "male", "unknown", "", None, float("nan"), "Female", " male ", "other"]
)
@pytest.mark.parametrize("inferred", ["XX", "XY", "X0", "XXY", "ambiguous"])
def test_compare_sex_every_combination(declared, inferred):
    d = declared.strip().lower() if isinstance(declared, str) else ""
    if inferred in ("X0", "XXY"):
        expected = "aneuploidy"
    elif inferred == "ambiguous":
        expected = "ambiguous"
    elif d not in ("female", "male"):
        expected = "undeclared"
    elif (d, inferred) in (("female", "XX"), ("male", "XY")):
        expected = "match"
    else:
        expected = "mismatch"
    assert cs.compare_sex(declared, inferred) == expected


def test_compare_sex_explicit():
    assert cs.compare_sex("female", "XY") == "mismatch"
    assert cs.compare_sex("male", "XX") == "mismatch"
    assert cs.compare_sex("female", "XX") == "match"
    assert cs.compare_sex("unknown", "XY") == "undeclared"


# --- allele depths --------------------------------------------------------------------


@pytest.mark.parametrize(
    "ad, expected",
    [
        ([5, 5], "het"),
        ([15, 5], "het"),  # 0.25 inclusive
        ([5, 15], "het"),  # 0.75 inclusive
        ([76, 24], None),  # just below 0.25
        ([24, 76], None),  # between het and hom-alt
        ([1, 9], "homalt"),  # 0.9 inclusive
        ([0, 9], None),  # depth 9 < 10
        ([0, 10], "homalt"),
        ([2, 3, 5], "het"),  # best ALT 5/10 of three alleles
        ([0, 5, 5], "het"),  # two ALTs at 0.5 each: het by the best-ALT rule
    ],
)
def test_classify_allele_depths(ad, expected):
    assert cs.classify_allele_depths(ad) == expected


def test_count_het_homalt_ignores_gvcf_placeholder_allele():
    records = [
        (["C", "<*>"], [5, 1, 10]),  # <*> would be 0.625 "het"; the real ALT is 1/16
        (["<*>"], [0, 30]),  # no real ALT
        (["C", "<*>"], [0, 20, 0]),
        (["C", "T", "<*>"], [10, 10, 0, 0]),
        (["CA"], [1, 1]),  # too shallow
    ]
    assert cs.count_het_homalt(records) == (1, 1)


# --- I/O --------------------------------------------------------------------------------

REGIONS = "chr1\t0\t4000\tautosome\nchrX\t100\t3000\tchrX\nchrY\t100\t1000\tchrY\n"


def write_thresholds(path: Path, depths: dict[str, int], regions: str = REGIONS) -> str:
    """mosdepth-style thresholds.bed.gz where every base of a class has the given depth."""
    header = "#chrom\tstart\tend\tregion\t" + "\t".join(f"{d}X" for d in range(1, 251))
    lines = [header]
    for row in regions.splitlines():
        chrom, start, end, cls = row.split("\t")
        length, depth = int(end) - int(start), depths.get(cls, 0)
        lines.append(
            "\t".join(
                [chrom, start, end, cls] + [str(length if d <= depth else 0) for d in range(1, 251)]
            )
        )
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    return str(path)


GVCF_HEADER = """##fileformat=VCFv4.2
##contig=<ID=chr1,length=5000>
##contig=<ID=chrX,length=5000>
##contig=<ID=chrY,length=5000>
##ALT=<ID=*,Description="Represents allele(s) other than observed.">
##INFO=<ID=END,Number=1,Type=Integer,Description="End position">
##FORMAT=<ID=PL,Number=G,Type=Integer,Description="PL">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1
"""


def write_gvcf(path: Path, n_homalt: int, n_het: int) -> str:
    """chrX records inside the chrX class (POS 201...), plus decoys that must not count."""
    recs = []
    pos = 200
    for i in range(n_homalt + n_het):
        pos += 10
        ad = "0,20,0" if i < n_homalt else "10,10,0"
        recs.append(("chrX", pos, "A", "C,<*>", ".", ad))
    recs += [
        ("chr1", 500, "A", "C,<*>", ".", "10,10,0"),  # autosomal het
        ("chrX", 50, "A", "C,<*>", ".", "10,10,0"),  # PAR (outside the chrX class)
        ("chrX", 3001, "A", "C,<*>", ".", "10,10,0"),  # after the class end
        ("chrX", 99, "ACG", "A", ".", "10,10"),  # starts before the class, overlaps it
        ("chrX", 2990, "G", "<*>", "END=2999", "30,0"),  # reference block
        ("chrX", 2995, "G", "T,<*>", ".", "4,5,0"),  # depth 9
        ("chrY", 500, "A", "C,<*>", ".", "0,10,0"),
    ]
    lines = []
    for chrom, p, ref, alt, info, ad in sorted(recs, key=lambda r: (r[0], r[1])):
        n = len(alt.split(",")) + 1
        pl = ",".join(["0"] * (n * (n + 1) // 2))
        lines.append(f"{chrom}\t{p}\t.\t{ref}\t{alt}\t0\t.\t{info}\tPL:AD\t{pl}:{ad}\n")
    path.write_text(GVCF_HEADER + "".join(lines))
    return pysam.tabix_index(str(path), preset="vcf", force=True)


@pytest.fixture()
def files(tmp_path):
    regions = tmp_path / "regions.bed"
    regions.write_text(REGIONS)
    return SimpleNamespace(
        tmp=tmp_path,
        regions=str(regions),
        male=write_thresholds(
            tmp_path / "male.thresholds.bed.gz", {"autosome": 30, "chrX": 15, "chrY": 15}
        ),
        female=write_thresholds(
            tmp_path / "female.thresholds.bed.gz", {"autosome": 30, "chrX": 30, "chrY": 1}
        ),
        x0=write_thresholds(tmp_path / "x0.thresholds.bed.gz", {"autosome": 30, "chrX": 15}),
        no_y=write_thresholds(
            tmp_path / "noy.thresholds.bed.gz",
            {"autosome": 30, "chrX": 15},
            regions="\n".join(REGIONS.splitlines()[:2]),
        ),
        hemizygous=write_gvcf(tmp_path / "hemi.g.vcf", n_homalt=60, n_het=3),
        mixed=write_gvcf(tmp_path / "mixed.g.vcf", n_homalt=30, n_het=30),
    )


def test_depth_ratios(files):
    r = cs.depth_ratios(files.male)
    assert (r["autosome_depth"], r["x_depth"], r["y_depth"]) == (30, 15, 15)
    assert (r["x_autosome_ratio"], r["y_autosome_ratio"]) == (0.5, 0.5)
    assert cs.depth_ratios(files.x0)["y_autosome_ratio"] == 0.0  # chrY class, no reads
    assert cs.depth_ratios(files.no_y)["y_autosome_ratio"] is None  # no chrY class at all
    empty = write_thresholds(files.tmp / "empty.thresholds.bed.gz", {})
    assert cs.depth_ratios(empty)["x_autosome_ratio"] is None


def test_x_heterozygosity_counts_only_chrx_class(files):
    assert cs.x_heterozygosity(files.hemizygous, files.regions) == (3, 60)
    assert cs.x_heterozygosity(files.mixed, files.regions) == (30, 30)
    assert cs.x_heterozygosity(files.mixed, files.regions, min_depth=21) == (0, 0)


def test_check_sex_end_to_end(files):
    male = cs.check_sex(files.male, files.hemizygous, files.regions, "male")
    assert (male["karyotype"], male["sex_check"], male["note"]) == ("XY", "match", "")
    assert (male["x_het_sites"], male["x_homalt_sites"]) == (3, 60)
    assert male["x_het_ratio"] == pytest.approx(3 / 63)
    assert (
        cs.check_sex(files.male, files.hemizygous, files.regions, "female")["sex_check"]
        == "mismatch"
    )
    undeclared = cs.check_sex(files.male, files.hemizygous, files.regions, float("nan"))
    assert (undeclared["declared_sex"], undeclared["sex_check"]) == ("unknown", "undeclared")
    female = cs.check_sex(files.female, files.mixed, files.regions, "female")
    assert (female["karyotype"], female["sex_check"]) == ("XX", "match")
    assert female["y_autosome_ratio"] == pytest.approx(1 / 30)
    x0 = cs.check_sex(files.x0, files.hemizygous, files.regions, "female")
    assert (x0["karyotype"], x0["sex_check"]) == ("X0", "aneuploidy")
    no_y = cs.check_sex(files.no_y, files.hemizygous, files.regions, "male")
    assert (no_y["karyotype"], no_y["y_autosome_ratio"], no_y["sex_check"]) == ("XY", None, "match")
    assert "no chrY" in no_y["note"]


def test_check_sex_min_het_sites(files):
    """Male depths but half the chrX sites het: ambiguous only with enough sites."""
    mixed = cs.check_sex(files.male, files.mixed, files.regions, "male")
    assert (mixed["karyotype"], mixed["sex_check"]) == ("ambiguous", "ambiguous")
    assert "het ratio 0.500 over 60 sites" in mixed["note"]
    few = cs.check_sex(files.male, files.mixed, files.regions, "male", min_het_sites=61)
    assert (few["karyotype"], few["sex_check"], few["note"]) == ("XY", "match", "")


def test_main_writes_json(files, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # main() points stderr at the log
    out, log = files.tmp / "S1.sex.json", files.tmp / "S1.log"
    smk = SimpleNamespace(
        input=SimpleNamespace(thresholds=files.male, gvcf=files.hemizygous, regions=files.regions),
        output=SimpleNamespace(json=str(out)),
        log=[str(log)],
        params=SimpleNamespace(
            declared_sex="female",
            xx_min_x=0.75,
            xy_x_range=[0.35, 0.65],
            y_present_min=0.25,
            y_absent_max=0.1,
        ),
    )
    cs.main(smk)
    sys.stderr.flush()
    data = json.loads(out.read_text())
    for key in (
        "declared_sex",
        "x_autosome_ratio",
        "y_autosome_ratio",
        "x_het_ratio",
        "x_het_sites",
        "x_homalt_sites",
        "karyotype",
        "sex_check",
        "note",
    ):
        assert key in data
    assert (data["declared_sex"], data["karyotype"], data["sex_check"]) == (
        "female",
        "XY",
        "mismatch",
    )
    assert (
        data["thresholds"]["xy_x_range"] == [0.35, 0.65]
        and data["thresholds"]["min_het_sites"] == 50
    )
    assert "XY (mismatch)" in Path(log).read_text()
