"""Shared by test_bad_input.py and test_bad_input_files.py: editing the mini project's
sheets, writing aligned (CRAM/BAM) units, and the bad CRAM/BAM/uBAM unit cases."""

import subprocess

from conftest import write_config


def edit(path, old, new):
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


# ------------------------------------------------------------------ cram/bam/ubam units
def aligned_file(folder, name, fasta, kind):
    """A small CRAM or BAM of two mates aligned to chr1 of `fasta`, written by samtools;
    its header names another centre's read group and @PG chain."""
    seq = fasta.read_text().split("\n")[1][:8]
    sam = folder / f"{name}.sam"
    sam.write_text(
        "@HD\tVN:1.6\tSO:queryname\n@SQ\tSN:chr1\tLN:400\n@SQ\tSN:chrX\tLN:200\n"
        "@RG\tID:FC1.3\tSM:NAT-17\tPL:ILLUMINA\tLB:EXT-LIB\tPU:FC1.3.ACGT\n"
        "@PG\tID:bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem ref.fa r1.fq r2.fq\n"
        "@PG\tID:MarkDuplicates\tPN:MarkDuplicates\tPP:bwa\n"
        f"r1\t99\tchr1\t1\t60\t8M\t=\t9\t16\t{seq}\tIIIIIIII\tRG:Z:FC1.3\n"
        f"r1\t147\tchr1\t9\t60\t8M\t=\t1\t-16\t{seq}\tIIIIIIII\tRG:Z:FC1.3\n"
    )
    path = folder / f"{name}.{'cram' if kind == 'cram' else 'bam'}"
    options = ["-C", "-T", str(fasta)] if kind == "cram" else ["-b"]
    subprocess.run(["samtools", "view", "--no-PG", *options, "-o", str(path), str(sam)], check=True)
    return path.name


def set_unit(project, line, **cells):
    """Give line `line` of units.tsv the cells (adding columns to the header as needed)."""
    path = project / "units.tsv"
    rows = [r.split("\t") for r in path.read_text().splitlines()]
    for column in cells:
        if column not in rows[0]:
            rows[0].append(column)
            for row in rows[1:]:
                row.append("")
    for column, value in cells.items():
        rows[line - 1][rows[0].index(column)] = value
    path.write_text("\n".join("\t".join(r) for r in rows) + "\n")


def cram_unit_with(project, reference):
    """Unit B/L1 becomes a CRAM written against ref.fa, read with `reference`."""
    set_unit(
        project,
        4,
        fq1="",
        fq2="",
        cram=aligned_file(project, "B", project / "ref.fa", "cram"),
        input_reference=reference,
    )


INPUT_CASES = [
    (
        "no-input",
        lambda p: set_unit(p, 4, fq1="", fq2=""),
        [
            "units.tsv, line 4: no input; give a FASTQ pair in 'fq1' and 'fq2', or one file in "
            "'cram', 'bam' or 'ubam'"
        ],
    ),
    (
        "fq1-only",
        lambda p: set_unit(p, 4, fq2=""),
        ["units.tsv, line 4, column 'fq2': empty, but 'fq1' is given; a FASTQ unit needs both"],
    ),
    (
        "two-kinds",
        lambda p: set_unit(p, 4, bam=aligned_file(p, "B", p / "ref.fa", "bam")),
        [
            "units.tsv, line 4: more than one kind of input ('fq1', 'fq2', 'bam'); a unit is "
            "either a FASTQ pair or one"
        ],
    ),
    (
        "cram-without-reference",
        lambda p: cram_unit_with(p, ""),
        [
            "units.tsv, line 4, column 'input_reference': empty; a CRAM can only be read with the "
            "FASTA it was written with"
        ],
    ),
    (
        "reference-for-a-bam",
        lambda p: set_unit(
            p,
            4,
            fq1="",
            fq2="",
            bam=aligned_file(p, "B", p / "ref.fa", "bam"),
            input_reference="ref.fa",
        ),
        [
            "units.tsv, line 4, column 'input_reference': only a cram unit needs the reference it "
            "was written with"
        ],
    ),
    (
        "cram-in-bam-column",
        lambda p: set_unit(p, 4, fq1="", fq2="", bam=aligned_file(p, "B", p / "ref.fa", "cram")),
        [
            "units.tsv, line 4, column 'bam': 'B.cram' is not a BAM file; it is a CRAM: put it in "
            "the 'cram' column"
        ],
    ),
    (
        "missing-ubam",
        lambda p: set_unit(p, 4, fq1="", fq2="", ubam="B.unaligned.bam"),
        ["units.tsv, line 4, column 'ubam': unaligned BAM 'B.unaligned.bam' does not exist"],
    ),
    (
        "reference-without-fai",
        lambda p: (cram_unit_with(p, "ref.fa"), (p / "ref.fa.fai").unlink()),
        [
            "units.tsv, line 4, column 'input_reference': 'ref.fa' has no index 'ref.fa.fai'; "
            "samtools needs it to decode"
        ],
    ),
    (
        "parabricks-cram",
        lambda p: (
            cram_unit_with(p, "ref.fa"),
            write_config(p, "calling:\n  engine: parabricks\n"),
        ),
        [
            "units.tsv, line 4: a cram unit, but the parabricks engine aligns FASTQ only (pbrun "
            "fq2bam)"
        ],
    ),
]
