"""Bad input never starts work (README "Reliability"): each bad sheet, FASTQ, config value
or reference stops `snakemake -n` on the two-sample project of test_workflow.py with a
non-zero exit, a message naming the file, line and column (or config key) and the fix,
and nothing under results/. Also: every user path in a shell command is quoted, and the
manifest's inputs are every deliverable."""

import gzip
import os
import re
import subprocess

import pytest

from conftest import ROOT
from test_workflow import dry_run, mini, write_config  # noqa: F401  (mini is a fixture)


def edit(path, old, new):
    text = path.read_text()
    assert old in text, (old, text)
    path.write_text(text.replace(old, new))


def bgzip_vcf(path, contig):
    plain = path.with_suffix("")
    plain.write_text(
        f"##fileformat=VCFv4.2\n##contig=<ID={contig},length=400>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"{contig}\t5\t.\tA\tG\t.\tPASS\tAF=0.5\n"
    )
    subprocess.run(f"bgzip -c {plain} > {path} && tabix -p vcf {path}", shell=True, check=True)


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
    set_unit(project, 4, fq1="", fq2="", cram=aligned_file(project, "B", project / "ref.fa", "cram"),
             input_reference=reference)


INPUT_CASES = [
    ("no-input", lambda p: set_unit(p, 4, fq1="", fq2=""),
     ["units.tsv, line 4: no input; give a FASTQ pair in 'fq1' and 'fq2', or one file in 'cram', 'bam' or 'ubam'"]),
    ("fq1-only", lambda p: set_unit(p, 4, fq2=""),
     ["units.tsv, line 4, column 'fq2': empty, but 'fq1' is given; a FASTQ unit needs both"]),
    ("two-kinds", lambda p: set_unit(p, 4, bam=aligned_file(p, "B", p / "ref.fa", "bam")),
     ["units.tsv, line 4: more than one kind of input ('fq1', 'fq2', 'bam'); a unit is either a FASTQ pair or one"]),
    ("cram-without-reference", lambda p: cram_unit_with(p, ""),
     ["units.tsv, line 4, column 'input_reference': empty; a CRAM can only be read with the FASTA it was written with"]),
    ("reference-for-a-bam", lambda p: set_unit(p, 4, fq1="", fq2="", bam=aligned_file(p, "B", p / "ref.fa", "bam"),
                                               input_reference="ref.fa"),
     ["units.tsv, line 4, column 'input_reference': only a cram unit needs the reference it was written with"]),
    ("cram-in-bam-column", lambda p: set_unit(p, 4, fq1="", fq2="", bam=aligned_file(p, "B", p / "ref.fa", "cram")),
     ["units.tsv, line 4, column 'bam': 'B.cram' is not a BAM file; it is a CRAM: put it in the 'cram' column"]),
    ("missing-ubam", lambda p: set_unit(p, 4, fq1="", fq2="", ubam="B.unaligned.bam"),
     ["units.tsv, line 4, column 'ubam': unaligned BAM 'B.unaligned.bam' does not exist"]),
    ("reference-without-fai", lambda p: (cram_unit_with(p, "ref.fa"), (p / "ref.fa.fai").unlink()),
     ["units.tsv, line 4, column 'input_reference': 'ref.fa' has no index 'ref.fa.fai'; samtools needs it to decode"]),
    ("parabricks-cram", lambda p: (cram_unit_with(p, "ref.fa"), write_config(p, "calling:\n  engine: parabricks\n")),
     ["units.tsv, line 4: a cram unit, but the parabricks engine aligns FASTQ only (pbrun fq2bam)"]),
]


# Each case: (id, change to the mini project, what the message must say)
CASES = [
    ("duplicate-sample", lambda p: edit(p / "samples.tsv", "B\tmale\tEE\n", "B\tmale\tEE\nB\tfemale\tFI\n"),
     ["samples.tsv, line 4, column 'sample': duplicate sample 'B', already on line 3", "IDs must be unique"]),
    ("duplicate-unit", lambda p: edit(p / "units.tsv", "A\tL2", "A\tL1"),
     ["units.tsv, line 3, column 'unit': duplicate sample/unit 'A/L1', already on line 2"]),
    ("unit-of-unknown-sample", lambda p: edit(p / "units.tsv", "B\tL1", "C\tL1"),
     ["units.tsv, line 4, column 'sample': 'C' is not in samples.tsv; add the sample there or correct the ID"]),
    ("sample-without-units", lambda p: edit(p / "samples.tsv", "B\tmale\tEE\n", "B\tmale\tEE\nC\tmale\tNL\n"),
     ["samples.tsv, line 4, column 'sample': 'C' has no unit in units.tsv; add its FASTQ pair there or remove the sample"]),
    ("missing-fastq", lambda p: edit(p / "units.tsv", "reads/B_L1_R2.fastq.gz", "reads/B_L1_R2.fq.gz"),
     ["units.tsv, line 4, column 'fq2': FASTQ 'reads/B_L1_R2.fq.gz' does not exist", "correct the path"]),
    ("empty-fastq", lambda p: (p / "reads" / "B_L1_R2.fastq.gz").write_bytes(b""),
     ["units.tsv, line 4, column 'fq2': FASTQ 'reads/B_L1_R2.fastq.gz' is empty (0 bytes); transfer the file again"]),
    ("r1-equals-r2", lambda p: edit(p / "units.tsv", "reads/A_L1_R2.fastq.gz", "reads/A_L1_R1.fastq.gz"),
     ["units.tsv, line 2, columns 'fq1' and 'fq2': R1 and R2 are the same file 'reads/A_L1_R1.fastq.gz'; fq2 must be the mate"]),
    ("id-path-separator", lambda p: edit(p / "samples.tsv", "A\tfemale", "A/x\tfemale"),
     ["samples.tsv, line 2, column 'sample': 'A/x' is not a valid ID (it contains a path separator); use only letters"]),
    ("id-space", lambda p: edit(p / "units.tsv", "A\tL2", "A\tL 2"),
     ["units.tsv, line 3, column 'unit': 'L 2' is not a valid ID (it contains a space or another blank)"]),
    ("id-shell", lambda p: edit(p / "samples.tsv", "B\tmale", "$(touch pwned)\tmale"),
     ["samples.tsv, line 3, column 'sample': '$(touch pwned)' is not a valid ID (it contains a space"]),
    ("fastq-path-shell", lambda p: edit(p / "units.tsv", "reads/B_L1_R1.fastq.gz", "reads/`touch pwned`;$(touch pwned).fq.gz"),
     ["units.tsv, line 4, column 'fq1': the path 'reads/`touch pwned`;$(touch pwned).fq.gz' contains the shell characters",
      "rename the file (or link it) to a path without them"]),
    ("sex", lambda p: edit(p / "samples.tsv", "B\tmale", "B\tman"),
     ["samples.tsv, line 3, column 'sex': 'man' is not allowed; use one of: female, male, unknown"]),
    ("population-format", lambda p: edit(p / "samples.tsv", "B\tmale\tEE", "B\tmale\tEstonia"),
     ["samples.tsv, line 3, column 'population': 'Estonia' is not a two-letter country code", "ISO 3166-1 alpha-2"]),
    ("population-unassigned", lambda p: edit(p / "samples.tsv", "B\tmale\tEE", "B\tmale\tUK"),
     ["samples.tsv, line 3, column 'population': 'UK' is not an assigned ISO 3166-1 alpha-2 country code; use GB"]),
    ("config-unknown-key", lambda p: write_config(p, "threads: 4\n"),
     ["config.yaml, line 5, key threads: unknown key 'threads' under the top level", "belong in a profile"]),
    ("config-wrong-type", lambda p: write_config(p, "markdup:\n  optical_distance: ten\n"),
     ["config.yaml, line 6, key markdup.optical_distance: 'ten' is text; write a whole number"]),
    ("config-out-of-range", lambda p: write_config(p, "qc:\n  contamination:\n    min_af: 1.5\n"),
     ["config.yaml, line 7, key qc.contamination.min_af: 1.5 is above the maximum 1; use a value of at most 1"]),
    ("threshold-out-of-range", lambda p: write_config(p, "qc:\n  thresholds:\n    pct_duplication: {fail_above: 130}\n"),
     ["config.yaml, line 7, key qc.thresholds.pct_duplication.fail_above: 130 is outside the range of pct_duplication (0-100)"]),
    ("bgzip-reference-without-gzi",
     lambda p: (subprocess.run(f"bgzip -c {p / 'ref.fa'} > {p / 'ref.fa.gz'}", shell=True, check=True),
                edit(p / "config.yaml", "fasta: ref.fa", "fasta: ref.fa.gz")),
     ["reference.fasta 'ref.fa.gz' is bgzip-compressed but has no ref.fa.gz.gzi index; run `samtools faidx ref.fa.gz`"]),
    ("autosome-names", lambda p: write_config(p, "qc:\n  autosomes: '[0-9]+'\n"),
     ["qc.autosomes '[0-9]+' matches none of the contigs of reference.fasta 'ref.fa' (chr1, chrX); set qc.autosomes"]),
    ("par-contigs", lambda p: ((p / "par.bed").write_text("X\t1\t100\tPAR1\n"), write_config(p, "qc:\n  par: par.bed\n")),
     ["qc.par par.bed, line 1: contig 'X' is not in the reference, which names it chrX; use the reference's contig names"]),
    ("population-af-contigs", lambda p: (bgzip_vcf(p / "af.vcf.gz", "1"), write_config(p, "qc:\n  population_af: af.vcf.gz\n")),
     ["qc.population_af 'af.vcf.gz' names its contigs 1, the reference chr1, chrX: no autosome in common"]),
]


@pytest.mark.parametrize("change, expected", [c[1:] for c in CASES + INPUT_CASES],
                         ids=[c[0] for c in CASES + INPUT_CASES])
def test_bad_input_stops_before_any_job(mini, change, expected):
    change(mini)
    proc = dry_run(mini, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "problem" in text and "found before any job ran (nothing was started)" in text, text[-3000:]
    for part in expected:
        assert part in text, text[-3000:]
    assert not (mini / "results").exists()
    assert not (mini / "pwned").exists() and not (ROOT / "pwned").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file; tests/unit covers unreadable FASTQs")
def test_unreadable_fastq_stops_before_any_job(mini):
    (mini / "reads" / "B_L1_R1.fastq.gz").chmod(0)
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert "units.tsv, line 4, column 'fq1': FASTQ 'reads/B_L1_R1.fastq.gz' is not readable" in proc.stderr
    assert not (mini / "results").exists()


def test_reference_changed_since_the_crams_were_written(mini):
    """A CRAM in results/align made against another chr1 stops the run; nothing is added."""
    other = mini / "other.fa"
    other.write_text(">chr1\n" + "TTGA" * 100 + "\n>chrX\n" + "ACGT" * 50 + "\n")
    (mini / "results" / "align").mkdir(parents=True)
    sam = mini / "A.sam"
    sam.write_text("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:400\n@SQ\tSN:chrX\tLN:200\n"
                   "r1\t0\tchr1\t1\t60\t4M\t*\t0\t0\tTTGA\tIIII\n")
    subprocess.run(["samtools", "view", "-C", "-T", other, "-o", mini / "results/align/A.cram", sam], check=True)
    before = sorted(p for p in (mini / "results").rglob("*"))
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert ("reference.fasta 'ref.fa' is not the reference the existing CRAMs were written with "
            "(1 of 1 differ: results/align/A.cram); in results/align/A.cram: contig chr1 has M5") in proc.stderr
    assert "Restore the original reference, or start a new results directory" in proc.stderr
    assert sorted(p for p in (mini / "results").rglob("*")) == before
    # the same CRAM made against the configured reference is accepted
    subprocess.run(["samtools", "view", "-C", "-T", mini / "ref.fa", "-o", mini / "results/align/A.cram", sam], check=True)
    assert dry_run(mini).returncode == 0


def test_fastq_paths_with_spaces_reach_the_commands_quoted(mini):
    (mini / "reads" / "run 1").mkdir()
    for name in ("B_L1_R1", "B_L1_R2"):
        os.rename(mini / "reads" / f"{name}.fastq.gz", mini / "reads" / "run 1" / f"{name}.fastq.gz")
    edit(mini / "units.tsv", "reads/B_L1", "reads/run 1/B_L1")
    out = dry_run(mini).stdout
    assert "fastp --in1 'reads/run 1/B_L1_R1.fastq.gz' --in2 'reads/run 1/B_L1_R2.fastq.gz'" in out


# Placeholders in shell commands that may appear without :q. Every path that comes from a
# user (sheets, config) is {input.x:q}/{output.x:q}/{log:q}/{wildcards.x:q} instead; these
# are numbers, fixed words, or option strings already built with shlex.quote in common.smk.
UNQUOTED_OK = {
    "threads": "a number",
    "resources.gpu": "a number",
    "params.read_group": "read_group(): shlex.quote",
    "params.reads": "realign_reads(): every path shlex.quote'd",
    "params.read_groups": "realign_read_groups(): shlex.quote of the -R/-H values",
    "params.link_pg": "realign_link_pg(): shlex.quote of the script path and the @PG ID",
    "params.fastp_extra": "tool_extra(): shlex.quote per word",
    "params.bwa_extra": "tool_extra()",
    "params.extra": "tool_extra()",
    "params.call_extra": "tool_extra()",
    "params.optical_distance": "integer (schema)",
    "params.sort_mem": "constant",
    "params.options": "mpileup_options()/release_options()/vqsr_options(): numbers, shlex.quote",
    "params.ploidy": "ploidy_option(): built-in name or shlex.quote'd file; or 1/2",
    "params.filters": "site_filter_chain(): shlex.quote",
    "params.min_mapq": "integer (schema)",
    "params.min_qual": "number (schema)",
    "params.thresholds": "constant 1,2,...,250",
    "params.sex": "M/F, or deepvariant_sex_options(): shlex.quote",
    "params.model": "enum (schema)",
    "params.known": "repeated_option(): shlex.quote",
    "params.batch_size": "integer (schema)",
    "params.snp": "hard_filter_options(): shlex.quote",
    "params.indel": "hard_filter_options(): shlex.quote",
    "params.mode": "SNP/INDEL from a constrained wildcard",
    "params.vcfs": "repeated_option(): shlex.quote",
    "params.indel_level": "number (schema)",
    "params.snp_level": "number (schema)",
    "params.gbytes": "a number",
    "params.in_fq": "parabricks_in_fq(): shlex.quote",
    "params.recal": "repeated_option(): shlex.quote",
    "params.haploid": "parabricks_haploid_option(): fixed text",
}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][\w.]*)(:q)?\}(?!\})")


def shell_commands(path):
    """The string literals of every `shell:` directive of a .smk file."""
    commands, current, indent = [], None, None
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if current is not None:
            width = len(line) - len(line.lstrip())
            if stripped and width <= indent:
                commands.append(current)
                current = None
            elif stripped.startswith(("'", '"')):
                current += "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', stripped) or re.findall(r"'((?:[^'\\]|\\.)*)'", stripped))
                continue
            else:
                continue
        if stripped == "shell:":
            current, indent = "", len(line) - len(line.lstrip())
    if current is not None:
        commands.append(current)
    return commands


def test_every_user_path_in_a_shell_command_is_quoted():
    files = sorted((ROOT / "workflow").rglob("*.smk"))
    unquoted, seen = [], 0
    for path in files:
        for command in shell_commands(path):
            for name, quoted in PLACEHOLDER.findall(command):
                seen += 1
                if not quoted and name not in UNQUOTED_OK:
                    unquoted.append(f"{path.relative_to(ROOT)}: {{{name}}}")
    assert seen > 100  # the parser found the commands
    assert unquoted == [], "quote these with :q (or build them with shlex.quote and allow-list them):\n" + "\n".join(unquoted)


def test_the_audit_catches_an_unquoted_path(tmp_path):
    rule = tmp_path / "x.smk"
    rule.write_text('rule x:\n    shell:\n        "cat {input.fq1:q}"\n        " > {output.txt} 2> {log:q}"\n\n\nrule y:\n    input:\n        "a"\n')
    (command,) = shell_commands(rule)
    names = [n for n, q in PLACEHOLDER.findall(command) if not q]
    assert names == ["output.txt"]


def jobs_of(out, rule):
    return re.findall(rf"^(?:rule|localrule) {rule}:\n(.*?)(?=\n\n|\Z)", out, flags=re.M | re.S)


def test_manifest_takes_every_deliverable_and_checksum_files(mini):
    out = dry_run(mini).stdout
    (manifest,) = jobs_of(out, "write_manifest")
    (final,) = jobs_of(out, "all")
    manifest_inputs = set(re.search(r"^\s+input: (.*)$", manifest, flags=re.M).group(1).split(", "))
    final_inputs = set(re.search(r"^\s+input: (.*)$", final, flags=re.M).group(1).split(", "))
    assert "results/manifest.tsv" in final_inputs
    assert final_inputs - {"results/manifest.tsv"} <= manifest_inputs
    sidecars = {f"{p}.sha256" for p in ("results/align/A.cram", "results/align/B.cram", "results/gvcf/A.g.vcf.gz",
                                        "results/gvcf/B.g.vcf.gz", "results/joint/cohort.vcf.gz", "results/qc/sample_qc.tsv")}
    assert sidecars <= manifest_inputs
    assert "ref.fa" in manifest_inputs
    commands = [re.search(r"^Shell command: (.*)$", j, flags=re.M).group(1) for j in jobs_of(out, "sha256sum_deliverable")]
    assert sorted(commands) == sorted(f"sha256sum {p[:-7]} > {p} 2> logs/sha256sum_deliverable/{p[:-7]}.log" for p in sidecars)


def test_cram_with_the_wrong_input_reference_stops_the_run(mini):
    """The CRAM was written against ref.fa; a FASTA with another chr1 (and GRCh37-style
    names) is refused with the contig, both checksums and the CRAM's own UR; the right
    FASTA is accepted and reaches samtools collate quoted."""
    other = mini / "other.fa"
    other.write_text(">chr1\n" + "TTGA" * 100 + "\n>chrX\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", other], check=True)
    cram_unit_with(mini, "other.fa")
    proc = dry_run(mini, check=False)
    assert proc.returncode != 0
    assert ("units.tsv, line 4, column 'input_reference': 'other.fa' is not the reference 'B.cram' was "
            "written with") in proc.stderr
    assert re.search(r"contig chr1 has M5 [0-9a-f]{32} in the CRAM but [0-9a-f]{32} in the FASTA", proc.stderr)
    assert "Give the FASTA the CRAM was made with" in proc.stderr
    assert not (mini / "results").exists()

    renamed = mini / "b37.fa"
    renamed.write_text(">1\n" + "ACGT" * 100 + "\n>X\n" + "ACGT" * 50 + "\n")
    subprocess.run(["samtools", "faidx", renamed], check=True)
    set_unit(mini, 4, input_reference="b37.fa")
    proc = dry_run(mini, check=False)
    assert "contig chr1 is in the CRAM but not in the FASTA" in proc.stderr

    set_unit(mini, 4, input_reference="ref.fa")  # samtools indexed it when writing the CRAM
    out = dry_run(mini).stdout
    assert "samtools collate -u -O --no-PG --reference ref.fa B.cram results/align/realigned/B/L1.bam.tmp.collate" in out
    # the original read group (SM replaced by ours) and @PG chain reach bwa; our bwa
    # @PG follows the file's last step
    assert r"-R '@RG\tID:FC1.3\tSM:B\tPL:ILLUMINA\tLB:EXT-LIB\tPU:FC1.3.ACGT'" in out
    assert r"-H '@PG\tID:L1.bwa\tPN:bwa\tVN:0.7.15\tCL:bwa mem ref.fa r1.fq r2.fq\n@PG\tID:L1.MarkDuplicates" in out
    assert "link_pg.sh L1.MarkDuplicates | samtools fixmate" in out
    assert "fastp --in1 reads/A_L1_R1.fastq.gz --in2 reads/A_L1_R2.fastq.gz" in out  # FASTQ units unchanged
    assert "| fastp --stdin --interleaved_in --stdout --thread 1 --json results/qc/fastp/realigned/B.L1.fastp.json" in out
