"""Genomes sequenced elsewhere, end to end on a tiny cohort (tiny_cohort.py): one
individual's reads given four ways -- as the FASTQ pair, as another centre's CRAM (two
read groups, aligned to a copy of the reference with GRCh37-style contig names 1, 2, X,
Y, duplicate-marked, with its @PG chain), as a BAM and as an unaligned BAM -- each under
its own sample ID. Each must give the FASTQ's calls, keep the file's read groups and @PG
chain, and say where it came from in results/qc/sample_qc.tsv (docs/external-inputs.md)."""

import csv
import gzip
import subprocess

import pytest
import tiny_cohort
from test_reliability import snakemake

KINDS = {"F": "fastq", "C": "cram", "B": "bam", "U": "ubam"}
B37 = {"chr1": "1", "chr2": "2", "chrX": "X", "chrY": "Y"}


def sh(command, cwd):
    subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=cwd, check=True, capture_output=True
    )


def external_files(folder, r1, r2):
    """The reads as a CRAM on renamed contigs (two lanes), a BAM and an unaligned BAM."""
    seqs = tiny_cohort.genome()
    tiny_cohort.write_reference(folder / "b37.fa", {B37[name]: seq for name, seq in seqs.items()})
    sh("samtools faidx b37.fa && bwa index b37.fa", folder)
    # two read groups, as a centre that sequenced the library on two lanes: the first and
    # second half of the pairs, each aligned with its own -R, merged and duplicate-marked
    for name, path in (("r1", r1), ("r2", r2)):
        lines = gzip.open(folder / path, "rt").readlines()
        half = len(lines) // 8 * 4
        (folder / f"{name}.aa").write_text("".join(lines[:half]))
        (folder / f"{name}.ab").write_text("".join(lines[half:]))
    for lane, part in ((1, "aa"), (2, "ab")):
        rg = (
            f"@RG\\tID:HFC.{lane}\\tSM:NAT-9\\tPL:ILLUMINA\\tLB:EXTLIB"
            f"\\tPU:HFC.{lane}.ACGT\\tCN:OTHER"
        )
        sh(
            f"bwa mem -R '{rg}' b37.fa r1.{part} r2.{part} | samtools fixmate -m - lane{lane}.bam",
            folder,
        )
    sh(
        "samtools merge -u -o - lane1.bam lane2.bam | samtools sort -u - | "
        "samtools markdup --reference b37.fa -O cram - C.cram",
        folder,
    )
    sh(
        f"bwa index ref.fa && bwa mem -R '@RG\\tID:X7\\tSM:x\\tLB:BL' ref.fa {r1} {r2} "
        "| samtools sort -o B.bam -",
        folder,
    )
    sh(
        f"samtools import -1 {r1} -2 {r2} -r ID:U1 -r SM:u -r PL:ILLUMINA -o U.unaligned.bam",
        folder,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("external")
    tiny_cohort.make_cohort(folder, [("F", "female")])
    r1, r2 = "reads/F_R1.fastq.gz", "reads/F_R2.fastq.gz"
    external_files(folder, r1, r2)
    (folder / "samples.tsv").write_text(
        "sample\tsex\tpopulation\n" + "".join(f"{s}\tfemale\tFI\n" for s in KINDS)
    )
    (folder / "units.tsv").write_text(
        "sample\tunit\tplatform\tlibrary\tfq1\tfq2\tcram\tbam\tubam\tinput_reference\n"
        f"F\tL1\tILLUMINA\t\t{r1}\t{r2}\t\t\t\t\n"
        "C\tL1\tILLUMINA\t\t\t\tC.cram\t\t\tb37.fa\n"
        "B\tL1\tILLUMINA\t\t\t\t\tB.bam\t\t\n"
        "U\tL1\tILLUMINA\t\t\t\t\t\tU.unaligned.bam\t\n"
    )
    tiny_cohort.write_config(folder, list(KINDS))
    snakemake(
        folder,
        targets=["results/qc/sample_qc.tsv"] + [f"results/qc/variants/{s}.vcf.gz" for s in KINDS],
    )
    return folder


def genotypes(path):
    out = subprocess.run(
        [
            "bcftools",
            "query",
            "-i",
            'GT="alt"',
            "-f",
            "%CHROM\t%POS\t%REF\t%ALT\t[%GT]\n",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.splitlines())


@pytest.mark.parametrize("sample", ["C", "B", "U"])
def test_calls_equal_those_from_the_fastq(project, sample):
    fastq = genotypes(project / "results/qc/variants/F.vcf.gz")
    other = genotypes(project / f"results/qc/variants/{sample}.vcf.gz")
    assert len(fastq) > 200
    tp = len(fastq & other)
    f1 = 2 * tp / (len(fastq) + len(other))
    assert f1 >= 0.999, (KINDS[sample], len(fastq), len(other), tp)


def header(project, sample):
    return subprocess.run(
        ["samtools", "view", "-H", "--no-PG", str(project / f"results/align/{sample}.cram")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()


def test_cram_keeps_both_read_groups_and_the_pg_chain(project):
    lines = header(project, "C")
    groups = [line for line in lines if line.startswith("@RG")]
    assert groups == [
        f"@RG\tID:HFC.{lane}\tSM:C\tPL:ILLUMINA\tLB:EXTLIB\tPU:HFC.{lane}.ACGT\tCN:OTHER"
        for lane in (1, 2)
    ]
    pgs = [
        dict(f.split(":", 1) for f in line.split("\t")[1:])
        for line in lines
        if line.startswith("@PG")
    ]
    by_id = {p["ID"]: p for p in pgs}
    # the original chain (IDs prefixed by the unit) ends in its markdup; our bwa follows it
    original = [p["ID"] for p in pgs if p["ID"].startswith("L1.")]
    assert by_id["L1.bwa"]["PN"] == "bwa" and "b37.fa" in by_id["L1.bwa"]["CL"]
    assert any("markdup --reference b37.fa" in by_id[i].get("CL", "") for i in original)
    assert by_id["bwa"]["PP"] in original and "-K 100000000 -Y" in by_id["bwa"]["CL"]
    assert "markdup" in by_id[by_id["bwa"]["PP"]]["CL"]
    # every later step chains on from ours: following PP back from the last @PG passes our
    # bwa and reaches an original bwa (samtools merge renamed the second lane's "bwa-<hash>")
    step, seen = pgs[-1]["ID"], []
    while step:
        seen.append(step)
        step = by_id[step].get("PP")
    assert seen[-1].startswith("L1.bwa") and "bwa" in seen and pgs[-1]["PN"] == "samtools"
    # every read kept its own lane's read group
    tags = subprocess.run(
        f"samtools view {project / 'results/align/C.cram'} | grep -o 'RG:Z:[^[:space:]]*' "
        "| sort | uniq -c",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    counts = dict(zip(tags[1::2], map(int, tags[0::2])))
    assert set(counts) == {"RG:Z:HFC.1", "RG:Z:HFC.2"} and min(counts.values()) > 1000


def test_bam_and_ubam_read_groups(project):
    assert [line for line in header(project, "B") if line.startswith("@RG")] == [
        "@RG\tID:X7\tSM:B\tLB:BL\tPL:ILLUMINA"
    ]
    # LB missing from the file: filled from units.tsv (empty there: the sample ID + -lib)
    assert [line for line in header(project, "U") if line.startswith("@RG")] == [
        "@RG\tID:U1\tSM:U\tPL:ILLUMINA\tLB:U-lib"
    ]
    assert any(line.startswith("@PG\tID:L1.bwa") for line in header(project, "B"))


def test_sample_qc_says_where_the_reads_came_from(project):
    with open(project / "results/qc/sample_qc.tsv") as fh:
        rows = {r["sample"]: r for r in csv.DictReader(fh, delimiter="\t")}
    assert {s: r["source"] for s, r in rows.items()} == {
        "F": "fastq",
        "C": "cram C.cram",
        "B": "bam B.bam",
        "U": "ubam U.unaligned.bam",
    }
