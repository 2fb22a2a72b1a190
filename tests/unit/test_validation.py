"""Unit tests of workflow/validation.py: the checks that run before any job."""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

sys.path.insert(0, str(ROOT / "workflow"))
import validation as v  # noqa: E402

SCHEMAS = ROOT / "workflow" / "schemas"


def schema(name):
    return yaml.safe_load((SCHEMAS / name).read_text())


def sheet(tmp_path, text, name="samples.tsv", key="samples"):
    path = tmp_path / name
    path.write_text(text)
    return v.read_tsv(str(path), key)


# ------------------------------------------------------------------ sheets
def test_read_tsv_keeps_real_line_numbers_past_comments_blank_lines_and_crlf(tmp_path):
    s, problems = sheet(tmp_path, "# my cohort\nsample\tsex\tpopulation\r\n\nA\tfemale\tFI\r\n# B left out\nC\tmale\tEE\n")
    assert problems == []
    assert s.columns == ["sample", "sex", "population"]
    assert [r["sample"] for r in s.rows] == ["A", "C"] and s.lines == [4, 6]
    assert s.rows[0]["population"] == "FI"  # the \r is not part of the value


def test_read_tsv_reports_missing_empty_and_ragged_sheets(tmp_path):
    _, problems = v.read_tsv(str(tmp_path / "nope.tsv"), "samples")
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
    problems = v.schema_problems(s, schema("samples.schema.yaml"))
    path = tmp_path / "samples.tsv"
    assert f"{path}, line 3, column 'sex': 'man' is not allowed; use one of: female, male, unknown." in problems
    assert any(p.startswith(f"{path}, line 3, column 'population': 'Estonia' is not a two-letter country code") for p in problems)
    assert len(problems) == 2


def test_missing_column_is_reported_once_for_the_header(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\nA\tfemale\nB\tmale\n")
    problems = v.schema_problems(s, schema("samples.schema.yaml"))
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
    assert why in v.id_fault(value)
    assert v.id_fault("S-01_a.b") == ""


def test_id_pattern_errors_come_out_in_words(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA;rm -rf ~\tfemale\tFI\n")
    (problem,) = v.schema_problems(s, schema("samples.schema.yaml"))
    assert "line 2, column 'sample': 'A;rm -rf ~' is not a valid ID (it contains a space" in problem
    assert "use only letters, digits, '_', '.' and '-'" in problem


def test_duplicates_point_at_both_lines(tmp_path):
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tFI\nA\tmale\tEE\n")
    (problem,) = v.duplicate_problems(s, ["sample"])
    assert "line 4, column 'sample': duplicate sample 'A', already on line 2" in problem


def test_population_must_be_an_assigned_iso_code(tmp_path):
    assert len(v.ISO_3166_ALPHA2) == 249
    tab = Path("/usr/share/zoneinfo/iso3166.tab")
    if tab.is_file():  # tzdata's copy of the ISO list
        codes = {line.split("\t")[0] for line in tab.read_text().splitlines() if line and not line.startswith("#")}
        assert codes == v.ISO_3166_ALPHA2
    s, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tXX\nC\tmale\tUK\nD\tmale\tGB\n")
    problems = v.population_problems(s)
    assert len(problems) == 2
    assert "line 3, column 'population': 'XX' is not an assigned ISO 3166-1 alpha-2 country code" in problems[0]
    assert "line 4" in problems[1] and problems[1].endswith("use GB.")


def test_units_of_unknown_samples_and_samples_without_units(tmp_path):
    samples, _ = sheet(tmp_path, "sample\tsex\tpopulation\nA\tfemale\tFI\nB\tmale\tFI\n")
    units, _ = sheet(tmp_path, "sample\tunit\tplatform\tlibrary\tfq1\tfq2\nA\tL1\tILLUMINA\t\ta\tb\nC\tL1\tILLUMINA\t\tc\td\n", "units.tsv", "units")
    problems = v.sheet_link_problems(samples, units)
    assert any("units.tsv, line 3, column 'sample': 'C' is not in" in p for p in problems)
    assert any("samples.tsv, line 3, column 'sample': 'B' has no unit in" in p for p in problems)


def units_sheet(tmp_path, rows):
    text = "sample\tunit\tplatform\tlibrary\tfq1\tfq2\n" + "".join(f"{s}\t{u}\tILLUMINA\t\t{a}\t{b}\n" for s, u, a, b in rows)
    return sheet(tmp_path, text, "units.tsv", "units")[0]


def fastq(path, text="@r\nACGT\n+\nIIII\n"):
    with gzip.open(path, "wt") as fh:
        fh.write(text)
    return path.name


def test_fastq_paths_are_checked_before_any_job(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a1, a2, b1 = fastq(tmp_path / "a1.fq.gz"), fastq(tmp_path / "a2.fq.gz"), fastq(tmp_path / "b1.fq.gz")
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
    problems = v.fastq_problems(units)
    text = "\n".join(problems)
    assert "line 2," not in text
    assert "units.tsv, line 3, column 'fq2': FASTQ 'missing.fq.gz' does not exist" in text
    assert "units.tsv, line 4, column 'fq1': FASTQ 'empty.fq.gz' is empty (0 bytes)" in text
    assert "units.tsv, line 4, columns 'fq1' and 'fq2': R1 and R2 are the same file" in text
    assert "line 5, column 'fq1': the path 'reads/$(touch pwned).fq.gz' contains the shell characters $ ( )" in text
    assert "line 5, column 'fq2': the path 'x`id`;.fq.gz' contains the shell characters ; `" in text
    assert "line 6, column 'fq1': 'link.fq.gz' is also used on line 2" in text  # a link to A's R1
    assert "line 6, column 'fq2': 'dir' is not a file" in text
    assert not (tmp_path / "pwned").exists()


def test_unreadable_fastq(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    units = units_sheet(tmp_path, [("A", "L1", fastq(tmp_path / "a1.fq.gz"), fastq(tmp_path / "a2.fq.gz"))])
    monkeypatch.setattr(v.os, "access", lambda path, mode: not str(path).endswith("a2.fq.gz"))
    (problem,) = v.fastq_problems(units)
    assert "line 2, column 'fq2': FASTQ 'a2.fq.gz' is not readable by user" in problem and "chmod" in problem


def test_aligned_samples_need_no_fastqs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    units = units_sheet(tmp_path, [("A", "L1", "gone_1.fq.gz", "gone_2.fq.gz")])
    assert len(v.fastq_problems(units)) == 2
    assert v.fastq_problems(units, aligned={"A"}) == []


def test_spaces_in_fastq_paths_are_allowed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run 1").mkdir()
    units = units_sheet(tmp_path, [("A", "L1", "run 1/" + fastq(tmp_path / "run 1" / "a1.fq.gz"), "run 1/" + fastq(tmp_path / "run 1" / "a2.fq.gz"))])
    assert v.fastq_problems(units) == []


# ------------------------------------------------------------------ config
def test_config_errors_name_file_line_and_key(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("samples: s.tsv\nunits: u.tsv\nreference:\n  fasta: ref.fa\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "threads: 4\nmarkdup:\n  optical_distanc: 100\ncalling:\n  min_mapq: ten\n"
        "qc:\n  contamination:\n    min_af: 1.5\n  thresholds:\n    pct_chimera: {fail_above: 5}\n"
    )
    config = {**yaml.safe_load(base.read_text()), **yaml.safe_load(mine.read_text())}
    problems = v.config_problems(config, schema("config.schema.yaml"), [str(base), str(mine)])
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert f"{mine}, line 1, key threads: unknown key 'threads' under the top level" in text
    assert f"{mine}, line 3, key markdup.optical_distanc: unknown key 'optical_distanc' under markdup (did you mean 'optical_distance'?)" in text
    assert f"{mine}, line 5, key calling.min_mapq: 'ten' is text; write a whole number" in text
    assert f"{mine}, line 8, key qc.contamination.min_af: 1.5 is above the maximum 1; use a value of at most 1" in text
    assert f"{mine}, line 10, key qc.thresholds.pct_chimera: unknown name 'pct_chimera' (did you mean 'pct_chimeras'?)" in text


def test_config_value_ranges_and_order(tmp_path):
    config = {
        "reference": {"exclude_contigs": "chrUn_("},
        "calling": {"gvcf_depth_bands": [15, 5]},
        "qc": {
            "autosomes": "(chr)?[0-9]+",
            "chrX": "X",
            "chrY": "Y",
            "contamination": {"min_af": 0.5, "max_af": 0.4, "min_depth": 20, "max_depth": 10},
            "thresholds": {
                "pct_duplication": {"fail_above": 130},
                "cross_contamination_rate": {"fail_above": 0.02, "warn_above": 0.05},
                "mean_autosome_coverage": {"fail_below": 30, "fail_above": 20, "warn_below": 25},
            },
        },
    }
    problems = v.config_value_problems(config, [])
    text = "\n".join(problems)
    assert "key qc.thresholds.pct_duplication.fail_above: 130 is outside the range of pct_duplication (0-100)" in text
    assert "warn_above 0.05 must be below fail_above 0.02" in text
    assert "fail_below 30 is not below fail_above 20, so every sample would fail" in text
    assert "warn_below 25 must be above fail_below 30" in text
    assert "min_af 0.5 must be below max_af 0.4" in text and "min_depth 20 must not exceed max_depth 10" in text
    assert "[15, 5] must increase" in text
    assert "key reference.exclude_contigs: 'chrUn_(' is not a valid regular expression" in text
    assert len(problems) == 8


def test_overrides_must_name_samples_of_the_sheet():
    config = {"qc": {"overrides": [{"sample": "A", "justification": "x" * 10}, {"sample": "Z", "justification": "y" * 10}]}}
    (problem,) = v.override_problems(config, {"A"}, [])
    assert problem.startswith("config key qc.overrides.1.sample: 'Z' is not in the sample sheet")


def test_yaml_key_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("# comment\nqc:\n  overrides:\n    - {sample: A, justification: j}\n    - sample: B\n      justification: k\n")
    assert v.yaml_key_line(str(path), ["qc"]) == 2
    assert v.yaml_key_line(str(path), ["qc", "overrides", 1, "sample"]) == 5
    assert v.yaml_key_line(str(path), ["qc", "thresholds"]) is None


# ------------------------------------------------------------------ reference
def write_fasta(path, contigs):
    path.write_text("".join(f">{name} description\n{seq}\n" for name, seq in contigs.items()))
    return str(path)


def qc_config(fasta, **qc):
    return {
        "reference": {"fasta": fasta},
        "qc": {"autosomes": "(chr)?([1-9]|1[0-9]|2[0-2])", "chrX": "(chr)?X", "chrY": "(chr)?Y", "population_af": "", **qc},
    }


def test_scan_fasta_matches_samtools_dict_for_plain_gzip_and_bgzip(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "acgtNNAC\nGGT", "chrX": "TTTT\r\nAA", "e": ""})
    out = subprocess.run(["samtools", "dict", fasta], capture_output=True, text=True, check=True).stdout
    expected = {}
    for line in out.splitlines():
        if line.startswith("@SQ"):
            tags = dict(f.split(":", 1) for f in line.split("\t")[1:])
            expected[tags["SN"]] = {"length": int(tags["LN"]), "md5": tags["M5"]}
    assert v.scan_fasta(fasta) == expected
    for block in (1, 2, 3, 5, 7):  # headers and newlines split across blocks
        assert v.scan_fasta(fasta, block) == expected
    with open(fasta, "rb") as src, gzip.open(tmp_path / "ref.fa.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert v.compression(str(tmp_path / "ref.fa.gz")) == "gzip"
    assert v.scan_fasta(str(tmp_path / "ref.fa.gz")) == expected
    subprocess.run(f"bgzip -c {fasta} > {tmp_path / 'ref.bgz.fa.gz'}", shell=True, check=True)
    assert v.compression(str(tmp_path / "ref.bgz.fa.gz")) == "bgzf"
    assert v.scan_fasta(str(tmp_path / "ref.bgz.fa.gz")) == expected
    assert v.compression(fasta) == "plain"


def test_fasta_contigs_uses_a_current_fai_and_caches_scans(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT"})
    (tmp_path / "ref.fa.fai").write_text("chr1\t4\t6\t4\t5\nfrom_fai\t9\t0\t9\t10\n")
    assert set(v.fasta_contigs(fasta)) == {"chr1", "from_fai"}
    cache = tmp_path / "cache"
    scanned = v.fasta_contigs(fasta, str(cache), md5=True)
    assert set(scanned) == {"chr1"} and len(list(cache.iterdir())) == 1
    assert v.fasta_contigs(fasta, str(cache), md5=True) == scanned


def test_bgzipped_reference_needs_its_gzi(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT", "chrX": "ACGT"})
    subprocess.run(f"bgzip -c {fasta} > {fasta}.gz", shell=True, check=True)
    (problem,) = v.reference_problems(qc_config(f"{fasta}.gz"), None)
    assert "is bgzip-compressed but has no" in problem and f"samtools faidx {fasta}.gz" in problem
    subprocess.run(["samtools", "faidx", f"{fasta}.gz"], check=True)
    assert v.reference_problems(qc_config(f"{fasta}.gz"), None) == []


def test_contig_classes_must_match_the_reference(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"NC_000001.11": "ACGT", "X": "ACGT", "Y": "AC"})
    problems = v.reference_problems(qc_config(fasta, chrX="chrX"), None)
    assert len(problems) == 2
    assert problems[0].startswith("qc.autosomes '(chr)?([1-9]|1[0-9]|2[0-2])' matches none of the contigs")
    assert "NC_000001.11, X, Y" in problems[0]
    assert problems[1].startswith("qc.chrX 'chrX' matches no contig") and "which has X" in problems[1]
    # a reference without any X contig (a chr20 slice) is fine
    slice_ = write_fasta(tmp_path / "slice.fa", {"chr20": "ACGT"})
    assert v.reference_problems(qc_config(slice_), None) == []


def test_par_bed_contigs_must_be_named_as_in_the_reference(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"1": "ACGT", "X": "ACGT"})
    bed = tmp_path / "par.bed"
    bed.write_text("chrX\t10000\t2781479\tPAR1\nchrY\t10000\t2781479\tPAR1\nchr7\t1\t2\nX\tten\t20\n")
    problems = v.reference_problems(qc_config(fasta), str(bed))
    assert len(problems) == 3
    assert problems[0].startswith(f"qc.par {bed}, line 1: contig 'chrX' is not in the reference, which names it X")
    assert "line 3: contig 'chr7' is neither chrX" in problems[1]
    assert "line 4" in problems[2] and "is not a BED interval" in problems[2]


def bgzip_vcf(path, header_contigs, records):
    text = "##fileformat=VCFv4.2\n" + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in header_contigs)
    text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(f"{c}\t{p}\t.\tA\tG\t.\tPASS\tAF=0.5\n" for c, p in records)
    (path.parent / "plain.vcf").write_text(text)
    subprocess.run(f"bgzip -c {path.parent / 'plain.vcf'} > {path} && tabix -p vcf {path}", shell=True, check=True)
    return str(path)


def test_population_af_contigs_and_lengths_must_match(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGTACGTAC", "chrX": "ACGT"})
    good = bgzip_vcf(tmp_path / "good.vcf.gz", [("chr1", 10)], [("chr1", 2)])
    assert v.reference_problems(qc_config(fasta, population_af=good), None) == []
    renamed = bgzip_vcf(tmp_path / "renamed.vcf.gz", [("1", 10)], [("1", 2)])
    (problem,) = v.reference_problems(qc_config(fasta, population_af=renamed), None)
    assert "names its contigs 1, the reference chr1, chrX: no autosome in common" in problem
    other_build = bgzip_vcf(tmp_path / "b37.vcf.gz", [("chr1", 12)], [("chr1", 2)])
    (problem,) = v.reference_problems(qc_config(fasta, population_af=other_build), None)
    assert "contig lengths differ from the reference's: chr1 (12 vs 10 bp)" in problem
    # no ##contig lines: the names come from the tabix index
    no_header = bgzip_vcf(tmp_path / "noheader.vcf.gz", [], [("1", 2)])
    assert v.vcf_contigs(no_header) == {"1": None}
    (problem,) = v.reference_problems(qc_config(fasta, population_af=str(tmp_path / "missing.vcf.gz")), None)
    assert "does not exist" in problem


def make_cram(tmp_path, name, contigs):
    fasta = write_fasta(tmp_path / f"{name}.fa", contigs)
    sam = tmp_path / f"{name}.sam"
    sam.write_text("@HD\tVN:1.6\tSO:coordinate\n" + "".join(f"@SQ\tSN:{c}\tLN:{len(s)}\n" for c, s in contigs.items())
                   + f"r1\t0\t{next(iter(contigs))}\t1\t60\t4M\t*\t0\t0\tACGT\tIIII\n")
    cram = tmp_path / f"{name}.cram"
    subprocess.run(["samtools", "view", "-C", "-T", fasta, "-o", cram, sam], check=True)
    return str(cram), fasta


def test_cram_header_m5_against_the_reference(tmp_path):
    contigs = {"chr1": "ACGTACGTAA", "chrX": "TTTTGGGG"}
    cram, fasta = make_cram(tmp_path, "same", contigs)
    header = v.cram_header_text(cram)
    assert header == subprocess.run(["samtools", "view", "-H", "--no-PG", cram], capture_output=True, text=True).stdout
    md5s = v.header_md5s(header)
    assert md5s == {c: x["md5"] for c, x in v.scan_fasta(fasta).items()}
    assert v.cram_reference_problems([cram], fasta) == []
    changed = write_fasta(tmp_path / "changed.fa", {"chr1": "ACGTACGTAC", "chrX": "TTTTGGGG"})
    (problem,) = v.cram_reference_problems([cram], changed)
    assert f"is not the reference the existing CRAMs were written with (1 of 1 differ: {cram})" in problem
    assert f"contig chr1 has M5 {md5s['chr1']} in the CRAM" in problem and "--directory" in problem
    renamed = write_fasta(tmp_path / "renamed.fa", {"1": "ACGTACGTAA", "X": "TTTTGGGG"})
    assert "contig chr1 is in the CRAM but not in the reference" in v.cram_reference_problems([cram], renamed)[0]


def test_format_problems_counts_and_caps():
    text = v.format_problems([f"p{i}" for i in range(v.MAX_LISTED + 3)])
    assert text.startswith(f"{v.MAX_LISTED + 3} problems found before any job ran")
    assert "  - p0\n" in text and f"p{v.MAX_LISTED}\n" not in text and text.endswith("... and 3 more")
