"""Structural variants (refcohort.sv): the regions Delly leaves out, a sample's counts,
the scoring against truth, the report section, and the check of a user's exclusion file
(refcohort.validation.reference.sv_exclude_problems)."""

import pysam
import pytest

from refcohort import sv
from refcohort.validation.reference import sv_exclude_problems

CONTIGS = {"chr1": {"length": 10_000}, "chr2": {"length": 5_000}, "chrX": {"length": 8_000}}


def test_n_runs_are_excluded_with_padding(tmp_path):
    fasta = tmp_path / "ref.fa"
    seq1 = "A" * 100 + "N" * 50 + "C" * 200 + "N" * 10
    fasta.write_text(f">c1\n{seq1}\n>c2\n{'G' * 80}\n")
    pysam.faidx(str(fasta))
    assert sv.excluded_regions(str(fasta), pad=20) == [("c1", 80, 170), ("c1", 330, 360)]
    assert sv.excluded_regions(str(fasta), pad=0) == [("c1", 100, 150), ("c1", 350, 360)]


def test_given_regions_keep_the_references_contigs(tmp_path):
    given = tmp_path / "excl.tsv"
    given.write_text("chr1\t0\t100\ttelomere\nchrUn_KI270302v1\t0\t50\tx\nchr2 10 20\n")
    assert sv.given_regions(str(given), set(CONTIGS)) == [("chr1", 0, 100), ("chr2", 10, 20)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chr1\t0\t100\ttelomere\nchrUn_KI270302v1\t0\t50\tcentromere\n", None),
        ("1\t0\t100\ttelomere\n2\t10\t20\tcentromere\n", "which the reference calls chr1, chr2"),
        ("scaffold_1\t0\t100\n", "names none of the reference's contigs"),
        ("chr1\t0\t248956422\ttelomere\n", "past the end of their contig"),
        ("chr1\tstart\tend\n", "is not an interval"),
        ("chr1\t500\t100\n", "is not an interval"),
    ],
)
def test_a_users_exclusion_file_is_checked_against_the_reference(tmp_path, text, expected):
    path = tmp_path / "excl.tsv"
    path.write_text(text)
    problems = sv_exclude_problems(str(path), CONTIGS)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1 and expected in problems[0], problems


def test_a_missing_exclusion_file_is_reported(tmp_path):
    (problem,) = sv_exclude_problems(str(tmp_path / "nope.bed"), CONTIGS)
    assert "does not exist" in problem and "human.hg38.excl.tsv" in problem


def write_vcf(path, samples, records):
    """A VCF of symbolic SVs: records (contig, pos, end, svtype, filter, {sample: GT})."""
    lines = [
        "##fileformat=VCFv4.2",
        *(f"##contig=<ID={c},length={v['length']}>" for c, v in CONTIGS.items()),
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
        '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(samples),
    ]
    for i, (contig, pos, end, svtype, filt, gts) in enumerate(records):
        lines.append(
            "\t".join(
                [
                    contig,
                    str(pos),
                    f"sv{i}",
                    "N",
                    f"<{svtype}>",
                    ".",
                    filt,
                    f"SVTYPE={svtype};END={end}",
                    "GT",
                    *(gts.get(s, "0/0") for s in samples),
                ]
            )  # fmt: skip
        )
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_counts_take_pass_calls_the_sample_carries(tmp_path):
    vcf = write_vcf(
        tmp_path / "s.vcf",
        ["S1"],
        [
            ("chr1", 100, 700, "DEL", "PASS", {"S1": "0/1"}),
            ("chr1", 1000, 3000, "DEL", "PASS", {"S1": "1/1"}),
            ("chr1", 4000, 4500, "DEL", "LowQual", {"S1": "0/1"}),
            ("chr2", 100, 900, "DUP", "PASS", {"S1": "0/0"}),
            ("chr2", 1000, 2000, "INV", "PASS", {"S1": "0/1"}),
        ],
    )
    assert sv.sv_counts(vcf) == {
        "count_sv_del": 2,
        "count_sv_dup": 0,
        "count_sv_inv": 1,
        "count_sv_ins": 0,
        "count_sv_bnd": 0,
    }


def test_scoring_needs_the_type_both_breakpoints_and_reciprocal_overlap(tmp_path):
    truth = write_vcf(
        tmp_path / "truth.vcf",
        ["S1", "S2"],
        [
            ("chr1", 1000, 1600, "DEL", ".", {"S1": "0/1", "S2": "0/1"}),
            ("chr1", 5000, 7000, "DUP", ".", {"S1": "0/1"}),
            ("chr2", 1000, 2000, "INV", ".", {"S2": "0/1"}),
            ("chrX", 1000, 3000, "DEL", ".", {"S1": "1"}),
        ],
    )
    calls = write_vcf(
        tmp_path / "calls.vcf",
        ["S1", "S2"],
        [
            # within 500 bp at both ends, overlap 550/600
            ("chr1", 1050, 1600, "DEL", "PASS", {"S1": "0/1", "S2": "0/0"}),
            # a DEL where the truth has a DUP: wrong type
            ("chr1", 5000, 7000, "DEL", "PASS", {"S1": "0/1"}),
            # both breakpoints 400 bp off, 600 of 1,000 bp shared (0.6 >= 0.5): found
            ("chr2", 1400, 2400, "INV", "PASS", {"S2": "0/1"}),
            # a male's hemizygous deletion called diploid 1/1
            ("chrX", 1010, 2990, "DEL", "PASS", {"S1": "1/1"}),
            # filtered calls do not count
            ("chr2", 3000, 4000, "DUP", "LowQual", {"S1": "0/1"}),
        ],
    )
    s1 = sv.score(sv.read_svs(truth, "S1"), sv.read_svs(calls, "S1"))
    assert s1 == {
        "DEL": {"tp": 2, "fp": 1, "fn": 0},
        "DUP": {"tp": 0, "fp": 0, "fn": 1},
        "INV": {"tp": 0, "fp": 0, "fn": 0},
    }
    s2 = sv.score(sv.read_svs(truth, "S2"), sv.read_svs(calls, "S2"))
    assert s2["DEL"] == {"tp": 0, "fp": 0, "fn": 1}
    assert s2["INV"] == {"tp": 1, "fp": 0, "fn": 0}
    # 600 bp shared of 1000 each: under a stricter overlap it is not found
    s2_strict = sv.score(sv.read_svs(truth, "S2"), sv.read_svs(calls, "S2"), min_overlap=0.7)
    assert s2_strict["INV"] == {"tp": 0, "fp": 1, "fn": 1}
    rows = {r["type"]: r for r in sv.accuracy_rows("S1", s1)}
    assert rows["ALL"]["tp"] == 2 and rows["ALL"]["fp"] == 1 and rows["ALL"]["fn"] == 1
    assert rows["DEL"]["precision"] == f"{2 / 3:.4f}" and rows["DEL"]["recall"] == "1.0000"


def test_report_section_plots_each_samples_counts_by_type():
    rows = [
        {"sample": "S1", "count_sv_del": "3", "count_sv_dup": "1", "count_sv_inv": "0",
         "count_sv_ins": "0", "count_sv_bnd": "2"},
        {"sample": "S2", "count_sv_del": "", "count_sv_dup": ""},  # sv.enabled false
        {"sample": "S3", "count_sv_del": "NA", "count_sv_dup": "NA"},  # its processing failed
    ]  # fmt: skip
    section = sv.report_section(rows)
    assert section["plot_type"] == "bargraph"
    assert section["data"] == {"S1": {"DEL": 3, "DUP": 1, "INV": 0, "INS": 0, "BND": 2}}
    assert list(section["categories"]) == ["DEL", "DUP", "INV", "INS", "BND"]


def test_an_inversions_two_junctions_are_one_call():
    junctions = [
        sv.SV("chr2", 700000, 705000, "INV", True),  # 3to3
        sv.SV("chr2", 700001, 705001, "INV", True),  # 5to5
        sv.SV("chr2", 700000, 705000, "DEL", True),  # another type: kept
        sv.SV("chr2", 702000, 709000, "INV", True),  # 2 kb away: kept
    ]
    assert sv.collapse(junctions) == [junctions[0], junctions[2], junctions[3]]
    truth = [sv.SV("chr2", 700000, 705000, "INV", True)]
    assert sv.score(truth, sv.collapse(junctions))["INV"] == {"tp": 1, "fp": 1, "fn": 0}


def test_the_gated_samples_are_counted_from_the_gates_table(tmp_path):
    """The germline filter's sample count (commands.sv.GATED_COUNT, run by bash as the rule
    runs it): samples whose joint_calling is 'included', wherever the column is."""
    import subprocess

    from refcohort.commands import render
    from refcohort.commands import sv as sv_commands

    table = tmp_path / "sample_qc.tsv"
    table.write_text(
        "sample\tstatus\treasons\toverride\tjoint_calling\tmean_autosome_coverage\n"
        "A\tPASS\t\t\tincluded\t31\nB\tFAIL\tlow\t\texcluded\t9\n"
        "C\tWARN\tx\t\tincluded\t30\nD\tFAIL\ty\tQA ticket 1\tincluded\t29\n"
    )
    command = render(sv_commands.GATED_COUNT, input={"qc": table})
    out = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3"
