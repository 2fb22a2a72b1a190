"""Bad input never starts work (docs/reliability.md): each bad sheet, FASTQ, config value
or reference stops `snakemake -n` on the two-sample project of test_workflow.py with a
non-zero exit, a message naming the file, line and column (or config key) and the fix,
and nothing under results/. Also: every user path in a shell command is quoted, and the
manifest's inputs are every deliverable. The FASTQ, CRAM and reference-file tests of
their own are in test_bad_input_files.py; the CRAM/BAM/uBAM unit cases in
bad_input_cases.py."""

import re
import subprocess

import pytest
from bad_input_cases import INPUT_CASES, edit
from conftest import ROOT, dry_run, write_config


def bgzip_vcf(path, contig):
    plain = path.with_suffix("")
    plain.write_text(
        f"##fileformat=VCFv4.2\n##contig=<ID={contig},length=400>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"{contig}\t5\t.\tA\tG\t.\tPASS\tAF=0.5\n"
    )
    subprocess.run(f"bgzip -c {plain} > {path} && tabix -p vcf {path}", shell=True, check=True)


# Each case: (id, change to the mini project, what the message must say)
CASES = [
    (
        "duplicate-sample",
        lambda p: edit(p / "samples.tsv", "B\tmale\tEE\n", "B\tmale\tEE\nB\tfemale\tFI\n"),
        [
            "samples.tsv, line 4, column 'sample': duplicate sample 'B', already on line 3",
            "IDs must be unique",
        ],
    ),
    (
        "duplicate-unit",
        lambda p: edit(p / "units.tsv", "A\tL2", "A\tL1"),
        ["units.tsv, line 3, column 'unit': duplicate sample/unit 'A/L1', already on line 2"],
    ),
    (
        "unit-of-unknown-sample",
        lambda p: edit(p / "units.tsv", "B\tL1", "C\tL1"),
        [
            "units.tsv, line 4, column 'sample': 'C' is not in samples.tsv; add the sample there "
            "or correct the ID"
        ],
    ),
    (
        "sample-without-units",
        lambda p: edit(p / "samples.tsv", "B\tmale\tEE\n", "B\tmale\tEE\nC\tmale\tNL\n"),
        [
            "samples.tsv, line 4, column 'sample': 'C' has no unit in units.tsv; add its FASTQ "
            "pair there or remove the sample"
        ],
    ),
    (
        "missing-fastq",
        lambda p: edit(p / "units.tsv", "reads/B_L1_R2.fastq.gz", "reads/B_L1_R2.fq.gz"),
        [
            "units.tsv, line 4, column 'fq2': FASTQ 'reads/B_L1_R2.fq.gz' does not exist",
            "correct the path",
        ],
    ),
    (
        "empty-fastq",
        lambda p: (p / "reads" / "B_L1_R2.fastq.gz").write_bytes(b""),
        [
            "units.tsv, line 4, column 'fq2': FASTQ 'reads/B_L1_R2.fastq.gz' is empty (0 bytes); "
            "transfer the file again"
        ],
    ),
    (
        "r1-equals-r2",
        lambda p: edit(p / "units.tsv", "reads/A_L1_R2.fastq.gz", "reads/A_L1_R1.fastq.gz"),
        [
            "units.tsv, line 2, columns 'fq1' and 'fq2': R1 and R2 are the same file "
            "'reads/A_L1_R1.fastq.gz'; fq2 must be the mate"
        ],
    ),
    (
        "id-path-separator",
        lambda p: edit(p / "samples.tsv", "A\tfemale", "A/x\tfemale"),
        [
            "samples.tsv, line 2, column 'sample': 'A/x' is not a valid ID (it contains a path "
            "separator); use only letters"
        ],
    ),
    (
        "id-space",
        lambda p: edit(p / "units.tsv", "A\tL2", "A\tL 2"),
        [
            "units.tsv, line 3, column 'unit': 'L 2' is not a valid ID (it contains a space or "
            "another blank)"
        ],
    ),
    (
        "id-shell",
        lambda p: edit(p / "samples.tsv", "B\tmale", "$(touch pwned)\tmale"),
        [
            "samples.tsv, line 3, column 'sample': '$(touch pwned)' is not a valid ID (it contains "
            "a space"
        ],
    ),
    (
        "fastq-path-shell",
        lambda p: edit(
            p / "units.tsv", "reads/B_L1_R1.fastq.gz", "reads/`touch pwned`;$(touch pwned).fq.gz"
        ),
        [
            "units.tsv, line 4, column 'fq1': the path 'reads/`touch pwned`;$(touch pwned).fq.gz' "
            "contains the shell characters",
            "rename the file (or link it) to a path without them",
        ],
    ),
    (
        "sex",
        lambda p: edit(p / "samples.tsv", "B\tmale", "B\tman"),
        [
            "samples.tsv, line 3, column 'sex': 'man' is not allowed; use one of: female, male, "
            "unknown"
        ],
    ),
    (
        "population-format",
        lambda p: edit(p / "samples.tsv", "B\tmale\tEE", "B\tmale\tEstonia"),
        [
            "samples.tsv, line 3, column 'population': 'Estonia' is not a two-letter country code",
            "ISO 3166-1 alpha-2",
        ],
    ),
    (
        "population-unassigned",
        lambda p: edit(p / "samples.tsv", "B\tmale\tEE", "B\tmale\tUK"),
        [
            "samples.tsv, line 3, column 'population': 'UK' is not an assigned ISO 3166-1 alpha-2 "
            "country code; use GB"
        ],
    ),
    (
        "config-unknown-key",
        lambda p: write_config(p, "threads: 4\n"),
        [
            "config.yaml, line 7, key threads: unknown key 'threads' under the top level",
            "belong in a profile",
        ],
    ),
    (
        "config-wrong-type",
        lambda p: write_config(p, "markdup:\n  optical_distance: ten\n"),
        ["config.yaml, line 8, key markdup.optical_distance: 'ten' is text; write a whole number"],
    ),
    (
        "config-out-of-range",
        lambda p: write_config(p, "qc:\n  contamination:\n    min_af: 1.5\n"),
        [
            "config.yaml, line 8, key qc.contamination.min_af: 1.5 is above the maximum 1; use a "
            "value of at most 1"
        ],
    ),
    (
        "threshold-out-of-range",
        lambda p: write_config(p, "qc:\n  thresholds:\n    pct_duplication: {fail_above: 130}\n"),
        [
            "config.yaml, line 9, key qc.thresholds.pct_duplication.fail_above: 130 is outside the "
            "range of pct_duplication (0-100)"
        ],
    ),
    (
        "bgzip-reference-without-gzi",
        lambda p: (
            subprocess.run(f"bgzip -c {p / 'ref.fa'} > {p / 'ref.fa.gz'}", shell=True, check=True),
            edit(p / "config.yaml", "fasta: ref.fa", "fasta: ref.fa.gz"),
        ),
        [
            "reference.fasta 'ref.fa.gz' is bgzip-compressed but has no ref.fa.gz.gzi index; run "
            "`samtools faidx ref.fa.gz`"
        ],
    ),
    (
        "autosome-names",
        lambda p: write_config(p, "qc:\n  autosomes: '[0-9]+'\n"),
        [
            "qc.autosomes '[0-9]+' matches none of the contigs of reference.fasta 'ref.fa' (chr1, "
            "chrX); set qc.autosomes"
        ],
    ),
    (
        "par-contigs",
        lambda p: (
            (p / "par.bed").write_text("X\t1\t100\tPAR1\n"),
            write_config(p, "qc:\n  par: par.bed\n"),
        ),
        [
            "qc.par par.bed, line 1: contig 'X' is not in the reference, which names it chrX; use "
            "the reference's contig names"
        ],
    ),
    (
        "population-af-contigs",
        lambda p: (
            bgzip_vcf(p / "af.vcf.gz", "1"),
            write_config(p, "qc:\n  population_af: af.vcf.gz\n"),
        ),
        [
            "qc.population_af 'af.vcf.gz' names its contigs 1, the reference chr1, chrX: no "
            "autosome in common"
        ],
    ),
    # issue 20, class 4: the reference, ploidy and contig classes against each other
    (
        "stale-fai",
        lambda p: (
            subprocess.run(["samtools", "faidx", str(p / "ref.fa")], check=True),
            edit(p / "ref.fa", ">chr1", ">1"),
            __import__("os").utime(p / "ref.fa", (0, 0)),
        ),
        ["reference.fasta 'ref.fa' does not match its index ref.fa.fai at contig chr1"],
    ),
    (
        "duplicate-contig",
        lambda p: edit(p / "ref.fa", ">chrX\n", ">chr1\n"),
        ["reference.fasta 'ref.fa' has more than one contig named chr1"],
    ),
    (
        "autosomes-match-chrX",
        lambda p: write_config(p, "qc:\n  autosomes: 'chr.*'\n"),
        ["qc.autosomes 'chr.*' and qc.chrX '(chr)?X' both match chrX"],
    ),
    (
        "par-past-contig-end",
        lambda p: (
            (p / "par.bed").write_text("chrX\t10000\t2781479\tPAR1\n"),
            write_config(p, "qc:\n  par: par.bed\n"),
        ),
        ["chrX:10000-2781479 ends past the end of chrX (200 bp in the reference)"],
    ),
    (
        "ploidy-contigs",
        lambda p: (
            (p / "ploidy.txt").write_text("X 1 200 M 1\n* * * M 2\n"),
            write_config(p, "reference:\n  ploidy: ploidy.txt\n"),
        ),
        ["reference.ploidy 'ploidy.txt', line 1: contig 'X' is not in the reference"],
    ),
    # class 5: one reader, every consumer; what a reader must not take silently
    (
        "empty-cohort",
        lambda p: (p / "samples.tsv").write_text("sample\tsex\tpopulation\n"),
        ["samples.tsv: the header has no rows under it; add one line per sample"],
    ),
    (
        "id-too-long",
        lambda p: (
            edit(p / "samples.tsv", "B\tmale", f"{'B' * 300}\tmale"),
            edit(p / "units.tsv", "B\tL1", f"{'B' * 300}\tL1"),
        ),
        ["column 'sample': is 300 characters long; use at most 64"],
    ),
    (
        "misspelt-optional-column",
        lambda p: edit(p / "units.tsv", "\tlibrary\t", "\tlibary\t"),
        ["units.tsv, line 1 (header): unknown column 'libary' (did you mean 'library'?)"],
    ),
    (
        "sarek-columns",
        lambda p: edit(p / "units.tsv", "\tfq1\tfq2", "\tfastq_1\tfastq_2"),
        [
            "unknown column 'fastq_1' (nf-core/sarek's name for fq1; "
            "scripts/convert_samplesheet.py converts a sarek sheet)"
        ],
    ),
    (
        "duplicate-yaml-key",
        lambda p: (p / "config.yaml").write_text(
            "samples: samples.tsv\nunits: units.tsv\nreference:\n  fasta: ref.fa\n"
            "qc:\n  par: ''\nrelease:\n  min_group_size: 5\nqc:\n  chrX: X\n"
        ),
        ["config.yaml, line 9, key qc: given twice in the same block (first on line 5)"],
    ),
]


@pytest.mark.parametrize(
    "change, expected",
    [c[1:] for c in CASES + INPUT_CASES],
    ids=[c[0] for c in CASES + INPUT_CASES],
)
def test_bad_input_stops_before_any_job(mini, change, expected):
    change(mini)
    proc = dry_run(mini, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "problem" in text and "found before any job ran (nothing was started)" in text, text[
        -3000:
    ]
    for part in expected:
        assert part in text, text[-3000:]
    assert not (mini / "results").exists()
    assert not (mini / "pwned").exists() and not (ROOT / "pwned").exists()


# Placeholders in shell commands that may appear without :q. Every path that comes from a
# user (sheets, config) is {input.x:q}/{output.x:q}/{log:q}/{wildcards.x:q} instead; these
# are numbers, fixed words, or option strings already built with shlex.quote by the
# package (refcohort.commands) or common.smk.
UNQUOTED_OK = {
    "threads": "a number",
    "resources.gpu": "a number",
    "params.read_groups": "read_group()/realign_read_groups(): shlex.quote of the -R/-H values",
    "params.collate": "commands.align.collate_options(): shlex.quote",
    "params.fastq": "commands.align.fastq_options(): fixed text",
    "params.fastp_extra": "tool_extra(): shlex.quote per word",
    "params.bwa_extra": "tool_extra()",
    "params.extra": "tool_extra()",
    "params.call_extra": "tool_extra()",
    "params.optical_distance": "integer (schema)",
    "params.sort_mem": "constant",
    "params.options": "mpileup_options()/vqsr_options(): numbers, shlex.quote",
    "params.ploidy": "ploidy_option(): built-in name or shlex.quote'd file; or 1/2",
    "params.filters": "commands.call.soft_filter_options(): shlex.quote",
    "params.min_mapq": "integer (schema)",
    "params.min_qual": "number (schema)",
    "params.thresholds": "constant 1,2,...,250",
    "params.sex": "M/F",
    "params.par": "deepvariant_par_options(): shlex.quote",
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
    "params.bands": "commands.call.gvcf_bands(): integers (schema)",
    "params.gq_bands": "commands.call.GQ_BANDS: constant",
    "params.max_batches": "integer (schema)",
    "resources.mem_mb": "a number",
    "resources.spark_executor_mb": "a number",
}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][\w.]*)(:q)?\}(?!\})")


def shell_templates():
    """Every command template in refcohort.commands ({module.NAME: text}): what the rules'
    `shell:` directives are."""
    from refcohort import commands

    return {
        f"{module.__name__}.{name}": value
        for module in (getattr(commands, m) for m in commands.__all__)
        if hasattr(module, "__file__")
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and "{" in value
    }


def test_every_rule_runs_a_template_of_the_commands_module():
    """No shell text in the .smk files: a rule's shell: names a refcohort.commands template."""
    templates = shell_templates()
    seen = 0
    for path in sorted((ROOT / "workflow").rglob("*.smk")):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if line.strip() == "shell:":
                seen += 1
                target = lines[i + 1].strip()
                assert target.startswith("commands."), f"{path.name}: shell: {target}"
                assert "refcohort." + target in templates, (
                    f"{path.name}: {target} is not a template"
                )
    assert seen > 40


def test_every_user_path_in_a_shell_command_is_quoted():
    unquoted, seen = [], 0
    for name, command in shell_templates().items():
        for placeholder, quoted in PLACEHOLDER.findall(command):
            seen += 1
            if not quoted and placeholder not in UNQUOTED_OK:
                unquoted.append(f"{name}: {{{placeholder}}}")
    assert seen > 100  # the templates were found
    assert unquoted == [], (
        "quote these with :q (or build them with shlex.quote and allow-list them):\n"
        + "\n".join(unquoted)
    )


def test_the_audit_catches_an_unquoted_path():
    names = [
        n for n, q in PLACEHOLDER.findall("cat {input.fq1:q} > {output.txt} 2> {log:q}") if not q
    ]
    assert names == ["output.txt"]


def outputs_of(job):
    m = re.search(r"^\s+output: (.*)$", job, flags=re.M)
    return m.group(1).split(", ") if m else []


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
    sidecars = {
        f"{p}.sha256"
        for p in (
            "results/align/A.cram",
            "results/align/B.cram",
            "results/gvcf/A.g.vcf.gz",
            "results/gvcf/B.g.vcf.gz",
            "results/joint/cohort.vcf.gz",
            "results/qc/sample_qc.tsv",
        )
    }
    assert sidecars <= manifest_inputs
    assert "ref.fa" in manifest_inputs
    # each SHA-256 is written by the job that makes its file, and by no other job: the
    # shell command's own seal, or (the QC table) the gate's Python
    jobs = re.findall(
        r"^(?:rule|localrule|checkpoint|localcheckpoint) (\w+):\n(.*?)(?=\n\n|\Z)",
        out,
        flags=re.M | re.S,
    )
    for sidecar in sidecars:
        deliverable = sidecar.removesuffix(".sha256")
        makers = [(rule, body) for rule, body in jobs if sidecar in outputs_of(body)]
        assert len(makers) == 1, (sidecar, [r for r, _ in makers])
        rule, body = makers[0]
        assert deliverable in outputs_of(body), (rule, sidecar)
        if rule != "gate_samples":
            assert f"seal_deliverable.sh {deliverable}" in body, rule
    assert "sha256sum" not in out.replace("seal_deliverable.sh", "")
