"""Sex-aware calling regions: a male's X/Y outside the PARs is haploid, the rest diploid."""

from types import SimpleNamespace

import pytest

from refcohort.intervals import intersect_interval, subtract_interval
from refcohort.io import read_bed
from refcohort.qc import regions as mpr

X, Y = "(chr)?X", "(chr)?Y"
# the demo genome's PARs (resources/demo/par.bed)
PAR = [
    ("chrX", 5000, 60000),
    ("chrX", 370000, 395000),
    ("chrY", 5000, 60000),
    ("chrY", 120000, 145000),
]


def test_subtract_and_intersect():
    assert subtract_interval(("c", 0, 100), [("c", 10, 20), ("c", 50, 150), ("d", 0, 100)]) == [
        ("c", 0, 10),
        ("c", 20, 50),
    ]
    assert subtract_interval(("c", 0, 100), []) == [("c", 0, 100)]
    assert subtract_interval(("c", 10, 20), [("c", 0, 100)]) == []
    assert intersect_interval(("c", 0, 100), [("c", 90, 200), ("c", 10, 20), ("d", 0, 5)]) == [
        ("c", 10, 20),
        ("c", 90, 100),
    ]


def test_split_by_ploidy_on_the_demo_shard_with_x_and_y():
    shard = [
        ("chr2", 684929, 845000),
        ("chrX", 5000, 395000),
        ("chrY", 60000, 90000),
        ("chrM", 0, 16569),
    ]
    diploid, haploid = mpr.split_by_ploidy(shard, X, Y, PAR)
    assert haploid == [("chrX", 60000, 370000), ("chrY", 60000, 90000)]
    assert diploid == [
        ("chr2", 684929, 845000),
        ("chrX", 5000, 60000),
        ("chrX", 370000, 395000),
        ("chrM", 0, 16569),
    ]

    # every base of the shard is in exactly one pass
    def bases(ivs):
        return {(c, p) for c, s, e in ivs for p in range(s, e)}

    assert bases(diploid) | bases(haploid) == bases(shard)
    assert not bases(diploid) & bases(haploid)


def test_without_pars_all_of_x_and_y_is_haploid_and_names_match_fully():
    diploid, haploid = mpr.split_by_ploidy(
        [("chrX", 0, 10), ("chrXY_decoy", 0, 5), ("Y", 0, 3)], X, Y, []
    )
    assert haploid == [("chrX", 0, 10), ("Y", 0, 3)]
    assert diploid == [("chrXY_decoy", 0, 5)]


def test_sex_contigs_in_order_once():
    assert mpr.sex_contigs(
        [("chr1", 0, 1), ("chrX", 0, 1), ("chrX", 5, 6), ("chrY", 0, 1)], X, Y
    ) == ["chrX", "chrY"]
    assert mpr.sex_contigs([("chr20", 0, 1)], X, Y) == []


def test_main_writes_shards_genome_and_contigs(tmp_path):
    shards = []
    for i, rows in enumerate([[("chr1", 0, 100)], [("chr1", 100, 200), ("chrX", 0, 300)]], 1):
        path = tmp_path / f"{i}-of-2.bed"
        path.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in rows))
        shards.append(str(path))
    par = tmp_path / "par.bed"
    par.write_text("chrX\t0\t50\tPAR1\n")

    def out(name):
        return str(tmp_path / name)

    smk = SimpleNamespace(
        input=SimpleNamespace(shards=shards, par=[str(par)]),
        output=SimpleNamespace(
            diploid=[out("1.d.bed"), out("2.d.bed")],
            haploid=[out("1.h.bed"), out("2.h.bed")],
            genome=out("g.bed"),
            genome_diploid=out("gd.bed"),
            genome_haploid=out("gh.bed"),
            contigs=out("c.txt"),
        ),
        params=SimpleNamespace(chrX=X, chrY=Y),
        log=[out("log")],
    )
    mpr.ploidy_main(smk)

    def read(name):
        return (tmp_path / name).read_text()

    assert read("1.h.bed") == ""  # a shard without X/Y: empty haploid pass
    assert read("2.h.bed") == "chrX\t50\t300\n"
    assert read("2.d.bed") == "chr1\t100\t200\nchrX\t0\t50\n"
    assert read("gh.bed") == "chrX\t50\t300\n"
    assert read("g.bed").count("\n") == 3
    assert read("c.txt") == "chrX"


@pytest.mark.parametrize("line", ["#comment\n", "track name=x\n", "\n"])
def test_read_bed_skips_headers(tmp_path, line):
    path = tmp_path / "x.bed"
    path.write_text(line + "chr1\t1\t5\textra\n")
    assert read_bed(path) == [("chr1", 1, 5)]
