"""The Beacon's reading of the release, its look-ups, query checks and settings (no server).

Also holds the test release: :func:`write_release` writes a small sites-only VCF with the
header of the pipeline's own writer (refcohort.release.vcf: ##release_group,
##release_policy, the INFO lines of each published group), bgzipped and indexed, whose
records cover the coordinate edge cases (first base, split multi-allelic sites, indels
with their anchor base, a group with AN 0, every count suppressed, a '*' allele, INFO
that no published group owns). test_beacon_api.py serves it.
"""

import random

import pysam
import pytest

from refcohort.beacon import (
    BeaconError,
    Site,
    SqliteStore,
    TabixStore,
    interpret,
    load_settings,
    read_header,
    trim,
    variant_type,
)
from refcohort.beacon.references import contig_table
from refcohort.beacon.settings import TOKEN_ENV
from refcohort.release import Design, Sample
from refcohort.release.vcf import format_af, header_lines, policy_lines

CONTIGS = [("chr1", 248_956_422), ("chr2", 242_193_529), ("chrX", 156_040_895)]
# FI: 3 females, 3 males; EE: 3 females, 1 male. min_group_size 2 withholds EE_M and, to
# protect it, every population x sex cell: published are all, EE, FI, F, M.
SAMPLES = (
    [Sample(f"S0{i}", "FI", "F") for i in range(1, 4)]
    + [Sample(f"S0{i}", "FI", "M") for i in range(4, 7)]
    + [Sample(f"S0{i}", "EE", "F") for i in range(7, 10)]
    + [Sample("S10", "EE", "M")]
)
SUPPRESSED = None
# (chrom, POS, REF, ALT, {group: (AC or SUPPRESSED, AN)}, extra INFO); groups not named
# have AC 0 and AN twice their size
SITES = [
    ("chr1", 1, "G", "A", {"all": (2, 20), "EE": (2, 8), "F": (2, 12)}, ""),
    (
        "chr1",
        100,
        "A",
        "G",
        {"all": (6, 20), "EE": (2, 8), "FI": (4, 12), "F": (3, 12), "M": (3, 8)},
        "",
    ),
    (
        "chr1",
        200,
        "A",
        "C",
        {"all": (5, 20), "EE": (SUPPRESSED, 8), "FI": (SUPPRESSED, 12), "F": (2, 12), "M": (3, 8)},
        "",
    ),
    (
        "chr1",
        200,
        "A",
        "T",
        {"all": (3, 20), "EE": (3, 8), "F": (SUPPRESSED, 12), "M": (SUPPRESSED, 8)},
        "",
    ),
    ("chr1", 300, "AT", "A", {"all": (4, 20), "FI": (4, 12), "F": (2, 12), "M": (2, 8)}, ""),
    (
        "chr1",
        400,
        "A",
        "ATT",
        {"all": (10, 20), "EE": (4, 8), "FI": (6, 12), "F": (6, 12), "M": (4, 8)},
        "",
    ),
    ("chr1", 500, "ACGT", "A", {"all": (2, 20), "FI": (2, 12), "F": (2, 12)}, ""),
    (
        "chr1",
        500,
        "A",
        "G",
        {"all": (18, 20), "EE": (8, 8), "FI": (10, 12), "F": (10, 12), "M": (8, 8)},
        "",
    ),
    ("chr1", 600, "CA", "C", {"all": (2, 20), "EE": (2, 8), "M": (2, 8)}, ""),
    ("chr1", 601, "A", "G", {"all": (4, 20), "FI": (4, 12), "F": (4, 12)}, ""),
    (
        "chr1",
        700,
        "T",
        "C",
        {g: (SUPPRESSED, n) for g, n in (("all", 20), ("EE", 8), ("FI", 12), ("F", 12), ("M", 8))},
        "",
    ),
    (
        "chr1",
        800,
        "G",
        "T",
        {"all": (2, 12), "EE": (0, 0), "FI": (2, 12), "F": (2, 12), "M": (0, 0)},
        "",
    ),
    (
        "chr1",
        900,
        "C",
        "G",
        {"all": (4, 20), "EE": (4, 8), "F": (2, 12), "M": (2, 8)},
        "AC_EE_M=2;AN_EE_M=2;AF_EE_M=1;SAMPLES=S10",
    ),
    ("chr1", 1000, "A", "*", {"all": (2, 20), "FI": (2, 12), "F": (2, 12)}, ""),
    (
        "chrX",
        2_781_480,
        "C",
        "T",
        {"all": (3, 16), "EE": (1, 7), "FI": (2, 9), "F": (2, 12), "M": (1, 4)},
        "",
    ),
]
TOKEN = "test-token-0123456789abcdef"


def design() -> Design:
    return Design(SAMPLES, min_group_size=2, min_allele_count=2)


def info_text(d: Design, values: dict, extra: str = "") -> str:
    """INFO of a record in the release's layout: six fields per published group."""
    parts = []
    for g in d.published:
        ac, an = values.get(g.name, (0, 2 * g.size))
        hidden = ac is SUPPRESSED
        af = "." if hidden or an == 0 else format_af(ac, an)
        c = "." if hidden else str(ac)
        het = "." if hidden else str(ac)
        zero = "." if hidden else "0"
        s = g.suffix
        parts += [f"AC{s}={c}", f"AN{s}={an}", f"AF{s}={af}"]
        parts += [f"AC_Hom{s}={zero}", f"AC_Het{s}={het}", f"AC_Hemi{s}={zero}"]
    return ";".join(parts + ([extra] if extra else []))


def write_release(folder, sites=SITES, contigs=CONTIGS):
    """The test release (bgzipped, tabix-indexed) in ``folder``; returns its path."""
    d = design()
    header = header_lines(d, contigs, policy_lines(d, 0.177, "exclude"))
    lines = [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\t{info_text(d, v, x)}" for c, p, r, a, v, x in sites]
    text = folder / "allele_frequencies.vcf"
    text.write_text("\n".join(header + lines) + "\n")
    return pysam.tabix_index(str(text), preset="vcf", force=True)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return write_release(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def settings(release):
    return load_settings(release, env={})


def ask(settings, contigs=None, **params):
    contigs = contigs or contig_table(dict(CONTIGS), "GRCh38")
    options = {k: params.pop(k) for k in list(params) if k in ("requestedGranularity", "skip")}
    return interpret(params, options, settings, contigs)


def test_header_reads_back_what_the_release_writer_writes(release):
    d = design()
    h = read_header(release)
    assert h.contigs == dict(CONTIGS)
    assert [g.id for g in h.published] == [g.name for g in d.published]
    assert {g.id: g.individuals for g in h.published} == {g.name: g.size for g in d.published}
    withheld = {g.id for g in h.groups if not g.published}
    assert withheld == {"EE_F", "EE_M", "FI_F", "FI_M"}
    assert h.policy == policy_lines(d, 0.177, "exclude")
    assert [g.label for g in h.published] == [
        "all released individuals",
        "EE",
        "FI",
        "females",
        "males",
    ]


def test_counts_read_only_the_published_groups_fields(release):
    h = read_header(release)
    site = next(s for s in TabixStore(release).fetch("chr1", 899, 900))
    assert "SAMPLES=S10" in site.info and "AC_EE_M=2" in site.info
    counts = {g.id: (ac, an, af) for g, ac, an, af in site.counts(h.published)}
    assert counts == {
        "all": ("4", "20", "0.2"),
        "EE": ("4", "8", "0.5"),
        "FI": ("0", "12", "0"),
        "F": ("2", "12", "0.16666666666666666"),
        "M": ("2", "8", "0.25"),
    }


@pytest.mark.parametrize(
    "pos0, ref, alt, trimmed, kind",
    [
        (99, "A", "G", (99, "A", "G"), "SNP"),
        (299, "AT", "A", (300, "T", ""), "DEL"),
        (399, "A", "ATT", (400, "", "TT"), "INS"),
        (499, "ACGT", "A", (500, "CGT", ""), "DEL"),
        (9, "AC", "GT", (9, "AC", "GT"), "MNP"),
        (9, "ACT", "AGT", (10, "C", "G"), "SNP"),
    ],
)
def test_trim_and_variant_type(pos0, ref, alt, trimmed, kind):
    assert trim(pos0, ref, alt) == trimmed
    assert variant_type(ref, alt) == kind


def test_tabix_and_sqlite_return_the_same_records(release, tmp_path):
    tabix, sqlite = TabixStore(release), SqliteStore(release, tmp_path / "r.sqlite")
    rng = random.Random(7)
    windows = [(0, 1), (0, 100), (99, 100), (100, 101), (299, 300), (300, 301), (598, 600)]
    windows += [(s, s + rng.randint(1, 300)) for s in (rng.randint(0, 1100) for _ in range(200))]
    for start, end in windows:
        a = list(tabix.fetch("chr1", start, end))
        assert a == list(sqlite.fetch("chr1", start, end)), (start, end)
        # tabix's rule: REF overlaps [start, end)
        expected = [
            s
            for s in map(lambda t: Site(t[0], t[1], t[2], t[3], ""), SITES)
            if s.chrom == "chr1" and s.start0 < end and s.end0 > start
        ]
        assert [(s.pos, s.ref, s.alt) for s in a] == [(s.pos, s.ref, s.alt) for s in expected]
    assert list(tabix.fetch("chr2", 0, 1000)) == list(sqlite.fetch("chr2", 0, 1000)) == []


def test_sqlite_copy_is_rebuilt_when_the_release_changes(tmp_path):
    first = write_release(tmp_path, SITES[:3])
    db = tmp_path / "copy.sqlite"
    assert len(list(SqliteStore(first, db).fetch("chr1", 0, 10_000))) == 3
    write_release(tmp_path, SITES[:5])
    assert len(list(SqliteStore(first, db).fetch("chr1", 0, 10_000))) == 5


def matches(settings, **params):
    req = ask(settings, **params)
    start, end = req.query.window()
    return [
        (s.pos, s.ref, s.alt)
        for s in TabixStore(settings.release).fetch("chr1", start, end)
        if req.query.matches(s)
    ]


def test_sequence_queries_vcf_style_and_trimmed(settings):
    m = lambda **p: matches(settings, referenceName="chr1", **p)  # noqa: E731
    # the first base of the contig: POS 1 is start 0
    assert m(start="0", alternateBases="A") == [(1, "G", "A")]
    assert m(start="1", alternateBases="A") == []
    # the two ALT alleles of a split multi-allelic site, one at a time
    assert m(start="199", referenceBases="A", alternateBases="C") == [(200, "A", "C")]
    assert m(start="199", alternateBases="T") == [(200, "A", "T")]
    assert m(start="199", alternateBases="N") == [(200, "A", "C"), (200, "A", "T")]
    # deletion AT>A at POS 300: as the VCF writes it, and trimmed (T deleted at 300)
    assert m(start="299", referenceBases="AT", alternateBases="A") == [(300, "AT", "A")]
    assert m(start="300", referenceBases="T", alternateBases="") == [(300, "AT", "A")]
    assert m(start="300", referenceBases="T", alternateBases="-") == [(300, "AT", "A")]
    assert m(start="300", alternateBases="A") == []
    # insertion A>ATT at POS 400: VCF-style at 399, trimmed (empty REF) at 400
    assert m(start="399", referenceBases="A", alternateBases="ATT") == [(400, "A", "ATT")]
    assert m(start="400", referenceBases="", alternateBases="TT") == [(400, "A", "ATT")]
    assert m(start="399", alternateBases="AT") == []
    # a deletion and an SNV that share POS 500
    assert m(start="499", alternateBases="G") == [(500, "A", "G")]
    assert m(start="499", referenceBases="ACGT", alternateBases="A") == [(500, "ACGT", "A")]
    assert m(start="499", variantType="DEL") == [(500, "ACGT", "A")]
    # a '*' allele is not served
    assert m(start="999", alternateBases="N") == []


def test_range_and_bracket_queries(settings):
    m = lambda **p: matches(settings, referenceName="chr1", **p)  # noqa: E731
    assert m(start="0", end="99") == [(1, "G", "A")]  # end is exclusive: POS 100 is 99
    assert m(start="99", end="100") == [(100, "A", "G")]
    assert m(start="199", end="200") == [(200, "A", "C"), (200, "A", "T")]
    # REF overlap: the deletion CA>C at POS 600 spans 599-600 (0-based)
    assert m(start="600", end="601") == [(600, "CA", "C"), (601, "A", "G")]
    assert m(start="599", end="600") == [(600, "CA", "C")]
    assert m(start="0", end="1000", variantType="INS") == [(400, "A", "ATT")]
    assert m(start="0", end="1000", alternateBases="TT") == []
    # bracket: start in [499, 500), end in [500, 510): the 3-base deletion ends at 503
    assert m(start="499,500", end="501,510") == [(500, "ACGT", "A")]
    assert m(start=["499", "500"], end=["500", "501"]) == [(500, "A", "G")]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "5", "alternateBases": "A"}, "referenceName is required"),
        ({"referenceName": "chr1", "alternateBases": "A"}, "start is required"),
        ({"referenceName": "chrM", "start": "5", "alternateBases": "A"}, "referenceName"),
        ({"referenceName": "chr1", "start": "-5", "alternateBases": "A"}, "non-negative"),
        ({"referenceName": "chr1", "start": "1e5", "alternateBases": "A"}, "non-negative"),
        ({"referenceName": "chr1", "start": "5"}, "needs alternateBases"),
        ({"referenceName": "chr1", "start": "9", "end": "5"}, "less than end"),
        ({"referenceName": "chr1", "start": "5", "end": "5"}, "less than end"),
        ({"referenceName": "chr1", "start": "0", "end": "1000001"}, "at most 1,000,000"),
        ({"referenceName": "chr1", "start": "248956422", "alternateBases": "A"}, "beyond"),
        (
            {"referenceName": "chr1", "start": "5", "alternateBases": "A", "assemblyId": "GRCh37"},
            "GRCh38 only",
        ),
        (
            {"referenceName": "chr1", "start": "5", "alternateBases": "A'; DROP TABLE sites;--"},
            "bases",
        ),
        (
            {"referenceName": "chr1' OR '1'='1", "start": "5", "alternateBases": "A"},
            "referenceName",
        ),
        (
            {"referenceName": "chr1", "start": "5", "alternateBases": "A", "geneId": "BRCA2"},
            "not supported",
        ),
        ({"referenceName": "chr1", "start": "1,2,3", "end": "4"}, "one or two"),
        ({"referenceName": "chr1", "start": "1,2", "end": "4"}, "one value each"),
        (
            {
                "referenceName": "chr1",
                "start": "5",
                "alternateBases": "A",
                "requestedGranularity": "all",
            },
            "requestedGranularity",
        ),
    ],
)
def test_malformed_requests_are_refused_without_echoing_them(settings, params, message):
    with pytest.raises(BeaconError) as err:
        ask(settings, **params)
    assert err.value.status == 400
    assert message in err.value.message
    assert "DROP" not in err.value.message and "'1'='1" not in err.value.message


def test_reference_names_and_assemblies(settings):
    contigs = contig_table(dict(CONTIGS), "GRCh38")
    for name in ("chr1", "1", "CHR1", "NC_000001.11", "refseq:NC_000001.11"):
        assert contigs.resolve(name) == "chr1"
    assert contigs.sequence_ids["chrX"] == "refseq:NC_000023.11"
    # a contig whose length is not GRCh38's gets no RefSeq accession
    demo = contig_table({"chr1": 1_150_000}, "GRCh38")
    assert demo.sequence_ids["chr1"] == "GRCh38:chr1"
    with pytest.raises(BeaconError):
        demo.resolve("NC_000001.11")
    for assembly in ("GRCh38", "hg38", "grch38.p14", "GCA_000001405.15"):
        ask(settings, referenceName="chr1", start="5", alternateBases="A", assemblyId=assembly)


def test_tokens_come_from_the_environment_and_a_file(release, tmp_path):
    s = load_settings(release, env={TOKEN_ENV: TOKEN})
    assert s.records_enabled and s.token_ok(TOKEN) and not s.token_ok(TOKEN + "x")
    assert TOKEN not in repr(s)
    tokens = tmp_path / "tokens"
    tokens.write_text("# the node's tokens\n" + "a" * 20 + "\n\n" + "b" * 24 + "\n")
    config = tmp_path / "beacon.yaml"
    config.write_text("record_token_file: tokens\nmax_range: 5000\n")
    s = load_settings(release, config, env={})
    assert s.token_ok("a" * 20) and s.token_ok("b" * 24) and not s.token_ok("")
    assert s.max_range == 5000
    assert not load_settings(release, env={}).records_enabled
    with pytest.raises(ValueError, match="at least 16"):
        load_settings(release, env={TOKEN_ENV: "short"})
    config.write_text("max_ranges: 5\n")
    with pytest.raises(ValueError, match="unknown Beacon setting"):
        load_settings(release, config, env={})
    config.write_text("record_without_token: allow\n")
    with pytest.raises(ValueError, match="record_without_token"):
        load_settings(release, config, env={})
