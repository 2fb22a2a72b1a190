"""refcohort.validation.reference: the reference's contigs against the QC contig classes,
the PAR BED, the population-frequency VCF and the CRAMs already written."""

import gzip
import shutil
import subprocess

from refcohort import headers
from refcohort.validation import fasta as vf
from refcohort.validation import reference as vr


# ------------------------------------------------------------------ reference
def write_fasta(path, contigs):
    path.write_text("".join(f">{name} description\n{seq}\n" for name, seq in contigs.items()))
    return str(path)


def qc_config(fasta, **qc):
    return {
        "reference": {"fasta": fasta},
        "qc": {
            "autosomes": "(chr)?([1-9]|1[0-9]|2[0-2])",
            "chrX": "(chr)?X",
            "chrY": "(chr)?Y",
            "population_af": "",
            **qc,
        },
    }


def test_scan_fasta_matches_samtools_dict_for_plain_gzip_and_bgzip(tmp_path):
    fasta = write_fasta(
        tmp_path / "ref.fa", {"chr1": "acgtNNAC\nGGT", "chrX": "TTTT\r\nAA", "e": ""}
    )
    out = subprocess.run(
        ["samtools", "dict", fasta], capture_output=True, text=True, check=True
    ).stdout
    expected = {}
    for line in out.splitlines():
        if line.startswith("@SQ"):
            tags = dict(f.split(":", 1) for f in line.split("\t")[1:])
            expected[tags["SN"]] = {"length": int(tags["LN"]), "md5": tags["M5"]}
    assert vf.scan_fasta(fasta) == expected
    for block in (1, 2, 3, 5, 7):  # headers and newlines split across blocks
        assert vf.scan_fasta(fasta, block) == expected
    with open(fasta, "rb") as src, gzip.open(tmp_path / "ref.fa.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert vr.compression(str(tmp_path / "ref.fa.gz")) == "gzip"
    assert vf.scan_fasta(str(tmp_path / "ref.fa.gz")) == expected
    subprocess.run(f"bgzip -c {fasta} > {tmp_path / 'ref.bgz.fa.gz'}", shell=True, check=True)
    assert vr.compression(str(tmp_path / "ref.bgz.fa.gz")) == "bgzf"
    assert vf.scan_fasta(str(tmp_path / "ref.bgz.fa.gz")) == expected
    assert vr.compression(fasta) == "plain"


def test_fasta_contigs_uses_a_current_fai_and_caches_scans(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT"})
    (tmp_path / "ref.fa.fai").write_text("chr1\t4\t6\t4\t5\nfrom_fai\t9\t0\t9\t10\n")
    assert set(vf.fasta_contigs(fasta)) == {"chr1", "from_fai"}
    cache = tmp_path / "cache"
    scanned = vf.fasta_contigs(fasta, str(cache), md5=True)
    assert set(scanned) == {"chr1"} and len(list(cache.iterdir())) == 1
    assert vf.fasta_contigs(fasta, str(cache), md5=True) == scanned


def test_bgzipped_reference_needs_its_gzi(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT", "chrX": "ACGT"})
    subprocess.run(f"bgzip -c {fasta} > {fasta}.gz", shell=True, check=True)
    (problem,) = vr.reference_problems(qc_config(f"{fasta}.gz"), None)
    assert "is bgzip-compressed but has no" in problem and f"samtools faidx {fasta}.gz" in problem
    subprocess.run(["samtools", "faidx", f"{fasta}.gz"], check=True)
    assert vr.reference_problems(qc_config(f"{fasta}.gz"), None) == []


def test_contig_classes_must_match_the_reference(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"NC_000001.11": "ACGT", "X": "ACGT", "Y": "AC"})
    problems = vr.reference_problems(qc_config(fasta, chrX="chrX"), None)
    assert len(problems) == 2
    assert problems[0].startswith(
        "qc.autosomes '(chr)?([1-9]|1[0-9]|2[0-2])' matches none of the contigs"
    )
    assert "NC_000001.11, X, Y" in problems[0]
    assert (
        problems[1].startswith("qc.chrX 'chrX' matches no contig") and "which has X" in problems[1]
    )
    # a reference without any X contig (a chr20 slice) is fine
    slice_ = write_fasta(tmp_path / "slice.fa", {"chr20": "ACGT"})
    assert vr.reference_problems(qc_config(slice_), None) == []


def test_par_bed_contigs_must_be_named_as_in_the_reference(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"1": "ACGT", "X": "ACGT"})
    bed = tmp_path / "par.bed"
    bed.write_text(
        "chrX\t10000\t2781479\tPAR1\nchrY\t10000\t2781479\tPAR1\nchr7\t1\t2\nX\tten\t20\n"
    )
    problems = vr.reference_problems(qc_config(fasta), str(bed))
    assert len(problems) == 3
    assert problems[0].startswith(
        f"qc.par {bed}, line 1: contig 'chrX' is not in the reference, which names it X"
    )
    assert "line 3: contig 'chr7' is neither chrX" in problems[1]
    assert "line 4" in problems[2] and "is not a BED interval" in problems[2]


def bgzip_vcf(path, header_contigs, records):
    text = "##fileformat=VCFv4.2\n" + "".join(
        f"##contig=<ID={c},length={n}>\n" for c, n in header_contigs
    )
    text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(
        f"{c}\t{p}\t.\tA\tG\t.\tPASS\tAF=0.5\n" for c, p in records
    )
    (path.parent / "plain.vcf").write_text(text)
    subprocess.run(
        f"bgzip -c {path.parent / 'plain.vcf'} > {path} && tabix -p vcf {path}",
        shell=True,
        check=True,
    )
    return str(path)


def test_population_af_contigs_and_lengths_must_match(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGTACGTAC", "chrX": "ACGT"})
    good = bgzip_vcf(tmp_path / "good.vcf.gz", [("chr1", 10)], [("chr1", 2)])
    assert vr.reference_problems(qc_config(fasta, population_af=good), None) == []
    renamed = bgzip_vcf(tmp_path / "renamed.vcf.gz", [("1", 10)], [("1", 2)])
    (problem,) = vr.reference_problems(qc_config(fasta, population_af=renamed), None)
    assert "names its contigs 1, the reference chr1, chrX: no autosome in common" in problem
    other_build = bgzip_vcf(tmp_path / "b37.vcf.gz", [("chr1", 12)], [("chr1", 2)])
    (problem,) = vr.reference_problems(qc_config(fasta, population_af=other_build), None)
    assert "contig lengths differ from the reference's: chr1 (12 vs 10 bp)" in problem
    # no ##contig lines: the names come from the tabix index
    no_header = bgzip_vcf(tmp_path / "noheader.vcf.gz", [], [("1", 2)])
    assert vr.vcf_contigs(no_header) == {"1": None}
    (problem,) = vr.reference_problems(
        qc_config(fasta, population_af=str(tmp_path / "missing.vcf.gz")), None
    )
    assert "does not exist" in problem


def make_cram(tmp_path, name, contigs):
    fasta = write_fasta(tmp_path / f"{name}.fa", contigs)
    sam = tmp_path / f"{name}.sam"
    sam.write_text(
        "@HD\tVN:1.6\tSO:coordinate\n"
        + "".join(f"@SQ\tSN:{c}\tLN:{len(s)}\n" for c, s in contigs.items())
        + f"r1\t0\t{next(iter(contigs))}\t1\t60\t4M\t*\t0\t0\tACGT\tIIII\n"
    )
    cram = tmp_path / f"{name}.cram"
    subprocess.run(["samtools", "view", "-C", "-T", fasta, "-o", cram, sam], check=True)
    return str(cram), fasta


def test_cram_header_m5_against_the_reference(tmp_path):
    contigs = {"chr1": "ACGTACGTAA", "chrX": "TTTTGGGG"}
    cram, fasta = make_cram(tmp_path, "same", contigs)
    header = headers.cram_header_text(cram)
    assert (
        header
        == subprocess.run(
            ["samtools", "view", "-H", "--no-PG", cram], capture_output=True, text=True
        ).stdout
    )
    md5s = headers.header_md5s(header)
    assert md5s == {c: x["md5"] for c, x in vf.scan_fasta(fasta).items()}
    assert vr.cram_reference_problems([cram], fasta) == []
    changed = write_fasta(tmp_path / "changed.fa", {"chr1": "ACGTACGTAC", "chrX": "TTTTGGGG"})
    (problem,) = vr.cram_reference_problems([cram], changed)
    assert (
        f"is not the reference the existing CRAMs were written with (1 of 1 differ: {cram})"
        in problem
    )
    assert f"contig chr1 has M5 {md5s['chr1']} in the CRAM" in problem and "--directory" in problem
    renamed = write_fasta(tmp_path / "renamed.fa", {"1": "ACGTACGTAA", "X": "TTTTGGGG"})
    assert (
        "contig chr1 is in the CRAM but not in the reference"
        in vr.cram_reference_problems([cram], renamed)[0]
    )


# ------------------------------------------------------------------ the checks of issue 20, class 4
def faidx(fasta):
    subprocess.run(["samtools", "faidx", fasta], check=True, capture_output=True)


def test_current_fai_of_the_fasta_passes(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 40, "chrX": "GGCC" * 20})
    faidx(fasta)
    assert vf.fai_problems(fasta) == []
    assert vr.reference_problems(qc_config(fasta), None) == []


def test_stale_fai_kept_after_renaming_the_contigs_is_refused(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 40, "chrX": "GGCC" * 20})
    faidx(fasta)
    mtime = (tmp_path / "ref.fa.fai").stat().st_mtime
    # the FASTA renamed to other contig names, the old index kept (its time too)
    write_fasta(tmp_path / "ref.fa", {"1": "ACGT" * 40, "X": "GGCC" * 20})
    import os

    os.utime(tmp_path / "ref.fa", (mtime - 10, mtime - 10))
    (problem,) = vr.reference_problems(qc_config(fasta), None)
    assert "does not match its index" in problem and "contig chr1" in problem
    assert "samtools faidx" in problem
    # ... and an index older than its FASTA
    os.utime(tmp_path / "ref.fa", (mtime + 10, mtime + 10))
    (problem,) = vf.fai_problems(fasta)
    assert "changed after its index" in problem


def test_duplicate_contig_name_is_refused_with_or_without_fai(tmp_path):
    fasta = tmp_path / "ref.fa"
    fasta.write_text(">chr1\nACGTACGT\n>chrX\nACGT\n>chr1\nGGGG\n")
    (problem,) = vr.reference_problems(qc_config(str(fasta)), None)
    assert "more than one contig named chr1" in problem
    faidx(str(fasta))  # samtools keeps the first chr1 and warns
    (problem,) = vr.reference_problems(qc_config(str(fasta)), None)
    assert "a second contig named 'chr1'" in problem


def test_contig_classes_must_not_overlap(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT", "chrX": "ACGT", "chrY": "AC"})
    problems = vr.reference_problems(qc_config(fasta, autosomes="chr.*"), None)
    assert any("qc.autosomes 'chr.*' and qc.chrX" in p and "chrX" in p for p in problems)
    assert any("qc.autosomes 'chr.*' and qc.chrY" in p for p in problems)


def test_par_interval_past_the_end_of_the_contig_is_refused(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 100, "chrX": "A" * 400})
    bed = tmp_path / "par.bed"
    bed.write_text("chrX\t10000\t2781479\n")  # GRCh38's PAR1 on a 400 bp chrX
    (problem,) = vr.reference_problems(qc_config(fasta), str(bed))
    assert "ends past the end of chrX (400 bp" in problem and "another assembly" in problem


def test_ploidy_file_contigs_must_be_the_references(tmp_path):
    fasta = write_fasta(tmp_path / "ref.fa", {"chr1": "ACGT" * 100, "chrX": "A" * 400})
    ploidy = tmp_path / "ploidy.txt"
    ploidy.write_text("X 1 400 M 1\nchrX 5000 6000 M 1\nchrX 1 2147483647 F 2\n* * * M 2\n")
    config = qc_config(fasta)
    config["reference"]["ploidy"] = str(ploidy)
    problems = vr.reference_problems(config, None)
    assert any("line 1: contig 'X' is not in the reference" in p for p in problems)
    assert any("line 2: chrX:5000-6000 starts past the end of chrX" in p for p in problems)
    assert len(problems) == 2
