"""refcohort.validation's sheet and unit-file checks (sheets, files) and how problems are
worded (messages): what stops a run before any job."""

import gzip
import os
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from refcohort.validation import files, messages
from refcohort.validation import sheets as vs

SCHEMAS = ROOT / "workflow" / "schemas"


def schema(name):
    return yaml.safe_load((SCHEMAS / name).read_text())


def sheet(tmp_path, text, name="samples.tsv", key="samples"):
    path = tmp_path / name
    path.write_text(text)
    return vs.read_sheet(str(path), key)


# ------------------------------------------------------------------ sheets
def test_read_sheet_keeps_real_line_numbers_past_comments_blank_lines_and_crlf(tmp_path):
    s, problems = sheet(
        tmp_path,
        "# my cohort\nsample\tsex\tpopulation\r\n\nA\tfemale\tFI\r\n# B left out\nC\tmale\tEE\n",
    )
    assert problems == []
    assert s.columns == ["sample", "sex", "population"]
    assert [r["sample"] for r in s.rows] == ["A", "C"] and s.lines == [4, 6]
    assert s.rows[0]["population"] == "FI"  # the \r is not part of the value


def test_read_sheet_reports_missing_empty_and_ragged_sheets(tmp_path):
    _, problems = vs.read_sheet(str(tmp_path / "nope.tsv"), "samples")
    assert "nope.tsv (config key 'samples') does not exist" in problems[0]
    _, problems = sheet(tmp_path, "# nothing\n")
    assert "is empty" in problems[0]
    _, problems = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\n")
    assert problems == [
        f"{tmp_path / 'samples.tsv'}, line 2: 2 tab-separated fields but the header has 3 "
        "(sample, sex, population); add the missing or remove the extra tabs."
    ]
    _, problems = sheet(tmp_path, "sample sex population\nA female FI\n")
    assert "separate columns with tabs" in problems[0]


def test_schema_problems_name_line_column_value_and_fix(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tman\tEstonia\n")
    problems = vs.schema_problems(s, schema("samples.schema.yaml"))
    path = tmp_path / "samples.tsv"
    assert (
        f"{path}, line 3, column 'sex': 'man' is not allowed; use one of: female, male, unknown."
        in problems
    )
    assert any(
        p.startswith(
            f"{path}, line 3, column 'population': 'Estonia' is not a two-letter country code"
        )
        for p in problems
    )
    assert len(problems) == 2


def test_missing_column_is_reported_once_for_the_header(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\nA\tfemale\nB\tmale\n")
    problems = vs.schema_problems(s, schema("samples.schema.yaml"))
    assert len(problems) == 1 and "line 1 (header): column 'population' missing" in problems[0]


@pytest.mark.parametrize(
    "value, why",
    [
        ("A B", "a space"),
        ("A/B", "path separator"),
        ("A;rm", "shell character ;"),
        ("$(id)", "shell characters $ ( )"),
        ("`id`", "shell character `"),
        (".A", "starts with '.'"),
        ("", "empty"),
        ("Ä1", "'Ä'"),
    ],
)
def test_ids_say_why_they_are_invalid(value, why):
    assert why in messages.id_fault(value)
    assert messages.id_fault("S-01_a.b") == ""


def test_id_pattern_errors_come_out_in_words(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA;rm -rf ~\tfemale\tFI\n")
    (problem,) = vs.schema_problems(s, schema("samples.schema.yaml"))
    assert "line 2, column 'sample': 'A;rm -rf ~' is not a valid ID (it contains a space" in problem
    assert "use only letters, digits, '_', '.' and '-'" in problem


def test_duplicates_point_at_both_lines(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tFI\nA\tmale\tEE\n")
    (problem,) = vs.duplicate_problems(s, ["sample"])
    assert "line 4, column 'sample': duplicate sample 'A', already on line 2" in problem


def test_population_must_be_an_assigned_iso_code(tmp_path):
    assert len(vs.ISO_3166_ALPHA2) == 249
    tab = Path("/usr/share/zoneinfo/iso3166.tab")
    if tab.is_file():  # tzdata's copy of the ISO list
        codes = {
            line.split("\t")[0]
            for line in tab.read_text().splitlines()
            if line and not line.startswith("#")
        }
        assert codes == vs.ISO_3166_ALPHA2
    s, _ = sheet(
        tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tXX\nC\tmale\tUK\nD\tmale\tGB\n"
    )
    problems = vs.population_problems(s)
    assert len(problems) == 2
    assert (
        "line 3, column 'population': 'XX' is not an assigned ISO 3166-1 alpha-2 country code"
        in problems[0]
    )
    assert "line 4" in problems[1] and problems[1].endswith("use GB.")


def test_units_of_unknown_samples_and_samples_without_units(tmp_path):
    samples, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tFI\n")
    units, _ = sheet(
        tmp_path,
        "sample\tunit\tplatform\tlibrary\tfq1\tfq2\nA\tL1\tILLUMINA\t\ta\tb\nC\tL1\tILLUMINA\t\tc\td\n",
        "units.tsv",
        "units",
    )
    problems = vs.sheet_link_problems(samples, units)
    assert any("units.tsv, line 3, column 'sample': 'C' is not in" in p for p in problems)
    assert any("samples.tsv, line 3, column 'sample': 'B' has no unit in" in p for p in problems)


def units_sheet(tmp_path, rows):
    text = "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n" + "".join(
        f"{s}\t{u}\tILLUMINA\t\t{a}\t{b}\n" for s, u, a, b in rows
    )
    return sheet(tmp_path, text, "units.tsv", "units")[0]


def fastq(path, text="@r\nACGT\n+\nIIII\n"):
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    return path.name


def test_fastq_paths_are_checked_before_any_job(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a1, a2, b1 = (
        fastq(tmp_path / "a1.fq.gz"),
        fastq(tmp_path / "a2.fq.gz"),
        fastq(tmp_path / "b1.fq.gz"),
    )
    (tmp_path / "empty.fq.gz").write_bytes(b"")
    os.symlink("a1.fq.gz", tmp_path / "link.fq.gz")
    units = units_sheet(
        tmp_path,
        [
            ("A", "L1", a1, a2),  # fine
            ("B", "L1", b1, "missing.fq.gz"),
            ("B", "L2", "empty.fq.gz", "empty.fq.gz"),
            ("C", "L1", "reads/$(touch pwned).fq.gz", "x`id`;.fq.gz"),
            ("D", "L1", "link.fq.gz", "dir"),
        ],
    )
    (tmp_path / "dir").mkdir()
    problems = files.fastq_problems(units)
    text = "\n".join(problems)
    assert "line 2," not in text
    assert "units.tsv, line 3, column 'fq2': FASTQ 'missing.fq.gz' does not exist" in text
    assert "units.tsv, line 4, column 'fq1': FASTQ 'empty.fq.gz' is empty (0 bytes)" in text
    assert "units.tsv, line 4, columns 'fq1' and 'fq2': R1 and R2 are the same file" in text
    assert (
        "line 5, column 'fq1': the path 'reads/$(touch pwned).fq.gz' contains the shell "
        "characters $ ( )" in text
    )
    assert "line 5, column 'fq2': the path 'x`id`;.fq.gz' contains the shell characters ; `" in text
    assert "line 6, column 'fq1': 'link.fq.gz' is also used on line 2" in text  # a link to A's R1
    assert "line 6, column 'fq2': 'dir' is not a file" in text
    assert not (tmp_path / "pwned").exists()


def test_unreadable_fastq(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    units = units_sheet(
        tmp_path, [("A", "L1", fastq(tmp_path / "a1.fq.gz"), fastq(tmp_path / "a2.fq.gz"))]
    )
    monkeypatch.setattr(files.os, "access", lambda path, mode: not str(path).endswith("a2.fq.gz"))
    (problem,) = files.fastq_problems(units)
    assert (
        "line 2, column 'fq2': FASTQ 'a2.fq.gz' is not readable by user" in problem
        and "chmod" in problem
    )


def test_aligned_samples_need_no_fastqs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    units = units_sheet(tmp_path, [("A", "L1", "gone_1.fq.gz", "gone_2.fq.gz")])
    assert len(files.fastq_problems(units)) == 2
    assert files.fastq_problems(units, aligned={"A"}) == []


def test_spaces_in_fastq_paths_are_allowed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run 1").mkdir()
    units = units_sheet(
        tmp_path,
        [
            (
                "A",
                "L1",
                "run 1/" + fastq(tmp_path / "run 1" / "a1.fq.gz"),
                "run 1/" + fastq(tmp_path / "run 1" / "a2.fq.gz"),
            )
        ],
    )
    assert files.fastq_problems(units) == []


def test_format_problems_counts_and_caps():
    text = messages.format_problems([f"p{i}" for i in range(messages.MAX_LISTED + 3)])
    assert text.startswith(f"{messages.MAX_LISTED + 3} problems found before any job ran")
    assert (
        "  - p0\n" in text
        and f"p{messages.MAX_LISTED}\n" not in text
        and text.endswith("... and 3 more")
    )


def test_read_sheet_drops_a_byte_order_mark_and_names_repeated_columns(tmp_path):
    path = tmp_path / "samples.tsv"
    path.write_bytes("\ufeffsample\tsex\tsex\nA\tfemale\tmale\n".encode())
    s, problems = vs.read_sheet(str(path), "samples")
    assert s.columns == ["sample", "sex", "sex"]
    assert problems == [f"{path}, line 1: the header names column 'sex' twice; keep one."]
    path.write_bytes(b"sample\nA\xff\n")
    assert vs.read_sheet(str(path), "samples") == (
        None,
        [f"{path}, line 2: not UTF-8 text; save the sheet as UTF-8 tab-separated text."],
    )


def unit_rows(tmp_path, header, rows):
    text = "\t".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    return sheet(tmp_path, text, "units.tsv", "units")[0]


def test_each_unit_names_one_kind_of_input(tmp_path):
    units = unit_rows(
        tmp_path,
        ["sample", "unit", "fq1", "fq2", "cram", "bam", "input_reference"],
        [
            ("A", "L1", "a1", "a2", "", "", ""),  # fine
            ("A", "L2", "", "", "", "", ""),
            ("A", "L3", "a1", "", "", "x.bam", ""),
            ("A", "L4", "a1", "", "", "", ""),
            ("A", "L5", "", "", "x.cram", "", ""),
            ("A", "L6", "", "", "", "x.bam", "ref.fa"),
            ("A", "L7", "", "", "x.cram", "", "ref.fa"),  # fine
        ],
    )
    problems = vs.unit_kind_problems(units)
    assert [p.split(":")[0] for p in problems] == [
        f"{units.path}, line {n}" + column
        for n, column in [
            (3, ""),
            (4, ""),
            (5, ", column 'fq2'"),
            (6, ", column 'input_reference'"),
            (7, ", column 'input_reference'"),
        ]
    ]
    assert "more than one kind of input ('fq1', 'bam')" in problems[1]
    parabricks = vs.parabricks_unit_problems(units)
    assert len(parabricks) == 4 and parabricks[0].startswith(f"{units.path}, line 4: a bam unit")


def test_truth_sets_must_name_samples_of_the_sheet(tmp_path):
    truth, _ = sheet(tmp_path, "sample\tvcf\tbed\nA\ta.vcf.gz\ta.bed\nZ\tz.vcf.gz\tz.bed\n")
    assert vs.truth_sample_problems(truth, {"A"}, "config/samples.tsv") == [
        f"{truth.path}, line 3, column 'sample': 'Z' is not in config/samples.tsv; correct the "
        "ID or remove the line (truth for samples not in the sample sheet)."
    ]


def test_file_format_from_the_first_bytes(tmp_path):
    (tmp_path / "x.cram").write_bytes(b"CRAM\x03\x00")
    with gzip.open(tmp_path / "x.bam", "wb") as fh:
        fh.write(b"BAM\x01rest")
    fastq(tmp_path / "x.fq.gz")
    (tmp_path / "x.txt").write_text("hello")
    assert [
        files.file_format(str(tmp_path / n)) for n in ("x.cram", "x.bam", "x.fq.gz", "x.txt")
    ] == [
        "CRAM",
        "BAM",
        "gzip",
        "other",
    ]


def test_the_optional_minority_column_is_checked_like_the_others(tmp_path):
    s, _ = sheet(
        tmp_path,
        "sample\tsex\tpopulation\tminority\nA\tfemale\tFI\tSAMI\nB\tmale\tFI\t\n"
        "C\tmale\tFI\tSami people\n",
    )
    problems = vs.schema_problems(s, schema("samples.schema.yaml"))
    assert len(problems) == 1 and "line 4, column 'minority'" in problems[0], problems
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\tminorty\nA\tfemale\tFI\tSAMI\n")
    problems = vs.schema_problems(s, schema("samples.schema.yaml"))
    assert "unknown column 'minorty'" in problems[0] and "did you mean 'minority'" in problems[0]
