# All Python of the workflow: config and sample-sheet loading and validation, input and
# parameter functions, wildcard constraints. No rules here.
import re
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import yaml
from snakemake import __version__ as SNAKEMAKE_VERSION
from snakemake.utils import validate

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
REFERENCE = "results/reference/genome.fa"

# The checks themselves live in workflow/validation.py (plain Python, unit-tested).
sys.path.insert(0, str(Path(workflow.basedir, "workflow")))
import failures  # noqa: E402
import inputs  # noqa: E402
import validation  # noqa: E402

SCHEMAS = Path(workflow.basedir, "workflow", "schemas")
# Checks that read files (FASTQs, reference, CRAM headers) run once, in the controlling
# process; cluster jobs re-read the Snakefile but need not repeat them.
CHECK_FILES = workflow.is_main_process
VALIDATION_CACHE = ".snakemake/validation"
FAILED_SAMPLES = "results/failed_samples.tsv"


def fail(message):
    """Stop before any job runs, with a message that says what to fix."""
    sys.stderr.write(f"\nConfiguration error: {message}\n\n")
    raise SystemExit(1)


def fail_on(problems):
    """Stop with every problem found, each naming its file, line and column or key."""
    if problems:
        fail(validation.format_problems(problems))


def load_schema(name):
    return yaml.safe_load((SCHEMAS / name).read_text())


def config_files():
    """The config files in the order they were loaded (the last one wins)."""
    given = [str(f) for f in workflow.overwrite_configfiles or []]
    return [str(f) for f in workflow.configfiles if str(f) not in given] + given


fail_on(
    validation.config_problems(
        config, load_schema("config.schema.yaml"), config_files()
    )
)
validate(config, schema="schemas/config.schema.yaml")  # fills in the defaults
problems = validation.config_value_problems(config, config_files())


def read_sheet(key, path, schema, index):
    """A TSV sheet (validation.Sheet) and its problems: schema, duplicate IDs."""
    sheet, problems = validation.read_tsv(path, key)
    if sheet:
        problems += validation.schema_problems(sheet, load_schema(schema))
        problems += validation.duplicate_problems(sheet, index)
    return sheet, problems


def indexed(sheet, index):
    """A checked sheet as a data frame of strings indexed by its IDs."""
    frame = pd.DataFrame(sheet.rows, columns=sheet.columns, dtype=str)
    return frame.set_index(index, drop=False).sort_index()


def aligned_samples(ids):
    """Samples whose CRAM exists: their FASTQs may be gone (archived after alignment)."""
    return {s for s in ids if Path(f"results/align/{s}.cram").is_file()}


sample_sheet, sheet_problems = read_sheet(
    "samples", config["samples"], "samples.schema.yaml", ["sample"]
)
problems += sheet_problems
unit_sheet, sheet_problems = read_sheet(
    "units", config["units"], "units.schema.yaml", ["sample", "unit"]
)
problems += sheet_problems
if sample_sheet and unit_sheet:
    sample_ids = {row.get("sample") for row in sample_sheet.rows}
    problems += validation.population_problems(sample_sheet)
    problems += validation.sheet_link_problems(sample_sheet, unit_sheet)
    problems += validation.unit_kind_problems(unit_sheet)
    problems += validation.override_problems(config, sample_ids, config_files())
    if CHECK_FILES:
        done = aligned_samples(sample_ids)
        problems += validation.fastq_problems(unit_sheet, done)
        problems += validation.input_cram_problems(unit_sheet, done, VALIDATION_CACHE)
    if config["calling"]["engine"] == "parabricks":
        problems += [
            f"{unit_sheet.path}, line {line}: a {inputs.unit_kind(row)} unit, but the parabricks "
            "engine aligns FASTQ only (pbrun fq2bam); convert it to FASTQ first, or use the "
            "gatk or deepvariant engine, which realign cram/bam/ubam units."
            for row, line in zip(unit_sheet.rows, unit_sheet.lines)
            if inputs.unit_kind(row) != "fastq"
        ]
fail_on(problems)

samples = indexed(sample_sheet, ["sample"])
units = indexed(unit_sheet, ["sample", "unit"])
for column in inputs.FILE_COLUMNS + ("library", "input_reference"):
    if column not in units:
        units[column] = ""  # optional columns left out of the header
units["kind"] = [inputs.unit_kind(row) for _, row in units.iterrows()]
SAMPLES = list(samples["sample"])

# Optional truth for scoring the calls: sample, vcf, bed[, truth_sample]
truth = pd.DataFrame(columns=["sample", "vcf", "bed", "truth_sample"]).set_index(
    "sample", drop=False
)
if config["evaluation"].get("truth"):
    truth_sheet, problems = read_sheet(
        "evaluation.truth",
        config["evaluation"]["truth"],
        "truth.schema.yaml",
        ["sample"],
    )
    if truth_sheet:
        problems += [
            f"{truth_sheet.path}, line {line}, column 'sample': {row['sample']!r} is not in "
            f"{config['samples']}; correct the ID or remove the line (truth for samples not "
            "in the sample sheet)."
            for row, line in zip(truth_sheet.rows, truth_sheet.lines)
            if row.get("sample") not in set(SAMPLES)
        ]
    fail_on(problems)
    truth = indexed(truth_sheet, ["sample"])
    if "truth_sample" not in truth:
        truth["truth_sample"] = ""
TRUTH_SAMPLES = list(truth["sample"])


wildcard_constraints:
    sample=ID_PATTERN,
    unit=ID_PATTERN,
    scatteritem=r"\d+-of-\d+",


# ------------------------------------------------------------------ input functions
def unit_fastqs(wildcards):
    row = units.loc[(wildcards.sample, wildcards.unit)]
    return {"fq1": row["fq1"], "fq2": row["fq2"]}


def unit_alignment(wildcards):
    """A cram/bam/ubam unit's file (and a CRAM's input_reference with its index)."""
    row = units.loc[(wildcards.sample, wildcards.unit)]
    files = {"reads": row[row["kind"]]}
    if row["kind"] == "cram":
        files["input_reference"] = row["input_reference"]
        files["input_reference_fai"] = f"{row['input_reference']}.fai"
    return files


def sample_source(sample):
    """Where a sample's reads came from, for sample_qc.tsv: 'fastq', or the kind and file
    name of each cram/bam/ubam unit ('cram S03.cram'), joined by '; '."""
    found = []
    for _, row in units.loc[[sample]].iterrows():
        kind = row["kind"]
        text = kind if kind == "fastq" else f"{kind} {Path(row[kind]).name}"
        if text not in found:
            found.append(text)
    return "; ".join(found)


def sample_unit_bams(wildcards):
    """Every unit's sorted BAM: aligned from FASTQ (bwa_mem) or realigned from a
    cram/bam/ubam (bwa_mem_realign)."""
    return [
        f"results/align/{'units' if kind == 'fastq' else 'realigned'}/{wildcards.sample}/{unit}.bam"
        for unit, kind in zip(
            units.loc[wildcards.sample, "unit"], units.loc[wildcards.sample, "kind"]
        )
    ]


def fastp_reports():
    """Every unit's fastp JSON: bwa_mem's for FASTQ, bwa_mem_realign's for cram/bam/ubam."""
    return [
        f"results/qc/fastp/{'' if kind == 'fastq' else 'realigned/'}{sample}.{unit}.fastp.json"
        for (sample, unit), kind in units["kind"].items()
    ]


def sample_shard_gvcfs(wildcards):
    return gather.shard(
        f"results/call/shards/{wildcards.sample}/{{scatteritem}}.g.vcf.gz"
    )


def joint_samples():
    """Samples the QC gate lets into joint genotyping (PASS, WARN, or overridden)."""
    table = checkpoints.gate_samples.get().output.table
    gated = pd.read_csv(table, sep="\t", dtype=str)
    return list(gated.loc[gated["joint_calling"] == "included", "sample"])


def joint_gvcfs(wildcards):
    """The per-sample gVCFs of the samples that passed the gate."""
    return expand("results/gvcf/{sample}.g.vcf.gz", sample=joint_samples())


def joint_gvcf_indexes(wildcards):
    return [f"{path}.tbi" for path in joint_gvcfs(wildcards)]


def evaluated_samples(wildcards):
    """Accuracy files of the samples with truth that were joint-called."""
    called = set(joint_samples())
    return expand(
        "results/eval/{sample}.accuracy.tsv",
        sample=[s for s in TRUTH_SAMPLES if s in called],
    )


def evaluation_outputs():
    if not config["evaluation"].get("truth"):
        return []
    return ["results/eval/summary.tsv"]


def final_outputs():
    return [
        "results/reference/genome.dict",
        "results/joint/cohort.vcf.gz",
        "results/joint/cohort.vcf.gz.tbi",
        "results/joint/cohort.vcf.gz.md5",
        *expand(
            "results/align/{sample}.cram{ext}",
            sample=SAMPLES,
            ext=["", ".crai", ".md5"],
        ),
        *expand(
            "results/gvcf/{sample}.g.vcf.gz{ext}",
            sample=SAMPLES,
            ext=["", ".tbi", ".md5"],
        ),
        "results/qc/sample_qc.tsv",
        *expand("results/qc/{sample}.qc.json", sample=SAMPLES),
        "results/qc/relatedness.tsv",
        *expand(
            "results/release/allele_frequencies.vcf.gz{ext}",
            ext=["", ".tbi", ".sha256"],
        ),
        "results/release/groups.tsv",
        "results/report/multiqc.html",
        *evaluation_outputs(),
        MANIFEST,
    ]


# ------------------------------------------------------------------ integrity
MANIFEST = "results/manifest.tsv"
# Deliverables whose SHA-256 is computed once, into a .sha256 file beside them; the
# manifest reads those instead of re-reading every CRAM each time a sample is added.
SHA256_SIDECARS = r"results/(?:align/[^/]+\.cram|gvcf/[^/]+\.g\.vcf\.gz|joint/cohort\.vcf\.gz|qc/sample_qc\.tsv)"


def manifest_files():
    """Every deliverable of the run (final_outputs), listed in the manifest."""
    return [path for path in final_outputs() if path != MANIFEST]


def manifest_sidecars():
    return [
        f"{path}.sha256"
        for path in manifest_files()
        if re.fullmatch(SHA256_SIDECARS, path)
    ]


def deployment_methods():
    """How the jobs get their tools: 'conda', 'apptainer' (pinned envs) or none (PATH)."""
    methods = workflow.deployment_settings.deployment_method
    return sorted(getattr(m, "name", str(m)).lower() for m in methods)


def clean_interrupted_temp_files():
    """onstart: remove the samtools sort/markdup temporary files that a killed run left
    in results/align (a failed job's own are removed by samtools), and the failed-sample
    list of the previous run."""
    for path in failures.stale_temp_files("results/align"):
        path.unlink(missing_ok=True)
    Path(FAILED_SAMPLES).unlink(missing_ok=True)


def report_failed_jobs(log):
    """onerror: write results/failed_samples.tsv (sample, unit, rule, log, error line)."""
    rows = failures.failed_rows(failures.failed_jobs(workflow, log, SAMPLES))
    failures.write_failed_samples(FAILED_SAMPLES, rows)
    failed = sorted({row["sample"] for row in rows})
    sys.stderr.write(
        f"\n{len(rows)} job(s) failed ({', '.join(failed)}); the other samples went on. "
        f"Each failure and its log line: {FAILED_SAMPLES}\n\n"
    )


# ------------------------------------------------------------------ parameter functions
def read_group(wildcards):
    """@RG line from units.tsv: ID sample.unit, SM, PL, LB, PU."""
    row = units.loc[(wildcards.sample, wildcards.unit)]
    library = row["library"] or f"{wildcards.sample}-lib"
    fields = [
        "@RG",
        f"ID:{wildcards.sample}.{wildcards.unit}",
        f"SM:{wildcards.sample}",
        f"PL:{row['platform']}",
        f"LB:{library}",
        f"PU:{wildcards.unit}",
    ]
    return shlex.quote("\\t".join(fields))


def realign_plan(wildcards):
    """How a cram/bam/ubam unit's read groups and @PG chain reach the new alignment
    (workflow/inputs.py), from the file's header."""
    row = units.loc[(wildcards.sample, wildcards.unit)]
    path = row[row["kind"]]
    text = (
        validation.cram_header_text(path)
        if row["kind"] == "cram"
        else inputs.bam_header_text(path)
    )
    return inputs.realign_plan(
        text,
        wildcards.sample,
        wildcards.unit,
        row["platform"],
        row["library"] or f"{wildcards.sample}-lib",
    )


def realign_reads(wildcards, output):
    """A cram/bam/ubam unit turned back into interleaved read pairs: `samtools collate`
    groups mates (temporary files beside the output), `samtools fastq` writes the pairs
    (secondary and supplementary records dropped; a read whose mate is missing is counted
    in the log and left out; several read groups: each read keeps its RG tag)."""
    row = units.loc[(wildcards.sample, wildcards.unit)]
    reference = (
        f" --reference {shlex.quote(row['input_reference'])}"
        if row["kind"] == "cram"
        else ""
    )
    tags = " -T RG" if realign_plan(wildcards)["copy_rg"] else ""
    return (
        f"samtools collate -u -O --no-PG{reference} {shlex.quote(row[row['kind']])}"
        f" {shlex.quote(f'{output.bam}.tmp.collate')}"
        f" | samtools fastq{tags} -s /dev/null -0 /dev/null -"
    )


def realign_read_groups(wildcards):
    """bwa mem options that carry a cram/bam/ubam's read groups and @PG chain into the new
    alignment: `-R` with its one read group (or one from units.tsv when it has none), or
    `-C` when each read keeps its own; `-H` with several @RG lines and the @PG chain."""
    plan = realign_plan(wildcards)
    options = []
    if plan["read_group"]:
        options.append(f"-R {shlex.quote(inputs.bwa_escape(plan['read_group']))}")
    else:
        options.append("-C")
    if plan["header"]:
        header = "\\n".join(inputs.bwa_escape(line) for line in plan["header"])
        options.append(f"-H {shlex.quote(header)}")
    return " ".join(options)


def realign_link_pg(wildcards):
    """The stream step that makes our bwa @PG line follow the file's last one
    (scripts/link_pg.sh); nothing when the file has no @PG chain."""
    parent = realign_plan(wildcards)["pg_parent"]
    if not parent:
        return ""
    script = Path(workflow.basedir, "scripts", "link_pg.sh")
    return f"| bash {shlex.quote(str(script))} {shlex.quote(parent)} "


def tool_extra(section, key="extra"):
    """Extra command-line options from config, as one shell-safe string. A dotted
    section names a nested one (`calling.gatk`)."""
    node = config
    for part in section.split("."):
        node = node[part]
    return " ".join(shlex.quote(word) for word in shlex.split(node.get(key, "")))


def mpileup_options():
    c = config["calling"]
    depths = ",".join(str(d) for d in c["gvcf_depth_bands"])
    return f"--min-MQ {c['min_mapq']} --min-BQ {c['min_baseq']} --max-depth {c['max_depth']} --gvcf {depths} {tool_extra('calling', 'mpileup_extra')}"


BCFTOOLS_PLOIDY_NAMES = ("GRCh37", "GRCh38", "X", "Y", "1")


def ploidy_file():
    """The configured ploidy file, or None for a bcftools built-in ploidy name."""
    ploidy = config["reference"]["ploidy"]
    if ploidy in BCFTOOLS_PLOIDY_NAMES:
        return None
    if not Path(ploidy).is_file():
        fail(
            f"reference.ploidy '{ploidy}' is neither a bcftools built-in ploidy "
            f"({', '.join(BCFTOOLS_PLOIDY_NAMES)}) nor an existing ploidy file."
        )
    return ploidy


def ploidy_option():
    path = ploidy_file()
    if path is None:
        return f"--ploidy {config['reference']['ploidy']}"
    return f"--ploidy-file {shlex.quote(path)}"


def ploidy_input():
    path = ploidy_file()
    return [] if path is None else [path]


def site_filter_chain():
    """One `bcftools filter -m+ -s NAME -e EXPR` per configured filter, piped (BCF)."""
    steps = [
        f"bcftools filter --mode + --soft-filter {shlex.quote(f['name'])} --exclude {shlex.quote(f['expression'])} -Ou -"
        for f in config["joint"]["filters"]
    ]
    return " | ".join(steps) if steps else "bcftools view -Ou -"


def exclude_contigs_regex():
    return config["reference"]["exclude_contigs"]


def sample_sex_code(sample):
    """bcftools call sex code of a sample's declared sex (M/F; unknown as F)."""
    return {"male": "M", "female": "F", "unknown": "F"}[samples.loc[sample, "sex"]]


IMAGES = yaml.safe_load(
    Path(workflow.basedir, "envs/containers/images.yaml").read_text()
)


def image(env):
    """The container image for a conda env (envs/containers/images.yaml); local .sif
    paths there are relative to the workflow."""
    uri = IMAGES[env]
    return uri if "://" in uri else str(Path(workflow.basedir, uri))


def shipped(path):
    """A path as given, or else the copy shipped with the workflow (resources/...)."""
    if not path or Path(path).exists() or Path(path).is_absolute():
        return path
    bundled = Path(workflow.basedir, path)
    return str(bundled) if bundled.exists() else path


def qc_par_bed():
    par = shipped(config["qc"]["par"])
    if par and not Path(par).is_file():
        fail(f"qc.par '{par}' does not exist (a BED of the pseudo-autosomal regions).")
    return [par] if par else []


def contamination_json(wildcards):
    """Contamination needs a population allele-frequency resource (qc.population_af)."""
    if not config["qc"]["population_af"]:
        return []
    return f"results/qc/contamination/{wildcards.sample}.json"


# The reference against the QC contig classes, the PAR BED, the population-frequency VCF
# and the CRAMs already written (their @SQ M5 checksums): before any job runs.
if CHECK_FILES:
    fail_on(
        validation.reference_problems(
            config, (qc_par_bed() or [None])[0], VALIDATION_CACHE
        )
    )
    fail_on(
        validation.cram_reference_problems(
            [f"results/align/{s}.cram" for s in sorted(aligned_samples(SAMPLES))],
            config["reference"]["fasta"],
            VALIDATION_CACHE,
        )
    )


def release_options():
    """scripts/release.py options: config `release` and the `qc` contig classes and PARs."""
    r, q = config["release"], config["qc"]
    options = [
        f"--autosomes {shlex.quote(q['autosomes'])}",
        f"--chrx {shlex.quote(q['chrX'])}",
        f"--chry {shlex.quote(q['chrY'])}",
        f"--max-kinship {r['max_kinship']}",
        f"--min-allele-count {r['min_allele_count']}",
        f"--min-group-size {r['min_group_size']}",
        f"--unknown-sex {r['unknown_sex']}",
    ]
    options += [f"--par {shlex.quote(par)}" for par in qc_par_bed()]
    return " ".join(options)


# ------------------------------------------------------------------ calling engines
# bcftools (default) runs align.smk, call.smk and joint.smk; gatk, deepvariant and
# parabricks run the files in workflow/engines/ (README "Calling engines").
ENGINE = config["calling"]["engine"]
PARABRICKS_CALLER = config["calling"]["parabricks"]["caller"]
GATK_ROUTE = ENGINE == "gatk" or (
    ENGINE == "parabricks" and PARABRICKS_CALLER == "haplotypecaller"
)
GATK = config["calling"]["gatk"]

if GATK_ROUTE and GATK["filter"] == "vqsr":
    for mode in ("snp", "indel"):
        if not GATK["vqsr"][f"{mode}_resources"]:
            fail(
                f"calling.gatk.filter is vqsr but calling.gatk.vqsr.{mode}_resources is empty; "
                "list the training/truth resources (or use filter: hard)."
            )


def is_male(sample):
    return samples.loc[sample, "sex"] == "male"


def ploidy_parts(sample):
    """Calling passes of a sample: males are also called haploid on X/Y outside the PARs."""
    return ["diploid", "haploid"] if is_male(sample) else ["diploid"]


def java_options(wildcards, resources):
    """JVM heap a little below the job's memory (GATK tools)."""
    return f"-Xmx{int(resources.mem_mb * 0.8)}m"


def repeated_option(flag, values):
    """`flag v1 flag v2 ...`, shell-quoted."""
    return " ".join(f"{flag} {shlex.quote(str(v))}" for v in values)


def known_sites():
    """BQSR known-sites VCFs (calling.gatk.known_sites); empty: no BQSR."""
    return list(GATK["known_sites"])


def known_sites_indexes():
    return [f"{path}.tbi" for path in known_sites()]


def gatk_reads(wildcards):
    """HaplotypeCaller input: the shard's BQSR-recalibrated BAM, or the CRAM without BQSR."""
    if known_sites():
        prefix = f"results/call/bqsr/{wildcards.sample}/{wildcards.scatteritem}"
        return {"reads": f"{prefix}.bam", "index": f"{prefix}.bai"}
    cram = f"results/align/{wildcards.sample}.cram"
    return {"reads": cram, "index": f"{cram}.crai"}


def ploidy_bed(wildcards):
    """Regions of one calling pass of a sample in a shard (results/reference/ploidy/)."""
    if wildcards.ploidy == "haploid":
        return f"results/reference/ploidy/{wildcards.scatteritem}.haploid_male.bed"
    if is_male(wildcards.sample):
        return f"results/reference/ploidy/{wildcards.scatteritem}.diploid_male.bed"
    return f"results/reference/intervals/{wildcards.scatteritem}.bed"


def genome_ploidy_bed(wildcards):
    """Regions of one whole-genome calling pass of a sample (Parabricks callers)."""
    if wildcards.ploidy == "haploid":
        return "results/reference/ploidy/genome.haploid_male.bed"
    if is_male(wildcards.sample):
        return "results/reference/ploidy/genome.diploid_male.bed"
    return "results/reference/ploidy/genome.bed"


SAMPLE_PLOIDY = {"diploid": 2, "haploid": 1}


def gvcf_parts(wildcards):
    """The per-pass gVCFs that make a sample's gVCF (gatk: shard x pass; parabricks: pass)."""
    passes = ploidy_parts(wildcards.sample)
    if ENGINE == "gatk":
        return [
            path
            for p in passes
            for path in gather.shard(
                f"results/call/gatk/{wildcards.sample}/{{scatteritem}}.{p}.g.vcf.gz"
            )
        ]
    return [
        f"results/call/parabricks/{PARABRICKS_CALLER}/{wildcards.sample}.{p}.g.vcf.gz"
        for p in passes
    ]


def parabricks_recal_table(wildcards):
    """pbrun haplotypecaller's BQSR table (pbrun bqsr), when known sites are configured."""
    return (
        [f"results/call/parabricks/{wildcards.sample}.recal.txt"]
        if known_sites()
        else []
    )


def parabricks_haploid_option(wildcards):
    """pbrun deepvariant's haploid pass holds only X/Y outside the PARs: all haploid."""
    if wildcards.ploidy != "haploid":
        return ""
    return '--haploid-contigs "$(cat results/reference/ploidy/haploid_contigs.txt)"'


def gatk_filtered_shards(wildcards):
    """Filtered joint shards: hard filters or VQSR (calling.gatk.filter)."""
    folder = "shards" if GATK["filter"] == "hard" else "vqsr"
    return gather.shard(f"results/joint/{folder}/{{scatteritem}}.vcf.gz")


def hard_filter_options(kind):
    """`--filter-name N --filter-expression E` per configured SNP or indel filter."""
    return " ".join(
        f"--filter-name {shlex.quote(f['name'])} --filter-expression {shlex.quote(f['expression'])}"
        for f in GATK["hard_filters"][kind]
    )


# GATK's WARP joint-genotyping tranches
VQSR_TRANCHES = {
    "snp": [100.0, 99.95, 99.9, 99.8, 99.6, 99.5, 99.4, 99.3, 99.0, 98.0, 97.0, 90.0],
    "indel": [
        100.0,
        99.95,
        99.9,
        99.5,
        99.0,
        97.0,
        96.0,
        95.0,
        94.0,
        93.5,
        93.0,
        92.0,
        91.0,
        90.0,
    ],
}


def vqsr_resource_files(mode):
    paths = [r["vcf"] for r in GATK["vqsr"][f"{mode}_resources"]]
    return paths + [f"{p}.tbi" for p in paths]


def vqsr_options(mode):
    """VariantRecalibrator resources, annotations, Gaussians and tranches for SNP/INDEL."""
    v = GATK["vqsr"]
    flag = lambda b: "true" if b else "false"
    resources = [
        f"--resource:{r['name']},known={flag(r.get('known'))},training={flag(r.get('training'))},"
        f"truth={flag(r.get('truth'))},prior={float(r['prior'])} {shlex.quote(r['vcf'])}"
        for r in v[f"{mode}_resources"]
    ]
    return " ".join(
        [
            *resources,
            repeated_option("-an", v[f"{mode}_annotations"]),
            f"--max-gaussians {v[f'{mode}_max_gaussians']}",
            repeated_option("-tranche", VQSR_TRANCHES[mode]),
        ]
    )


def deepvariant_sex_options(wildcards):
    """DeepVariant >= 1.6: a male's X/Y contigs are haploid outside the PARs."""
    if not is_male(wildcards.sample):
        return ""
    options = '--haploid_contigs "$(cat results/reference/ploidy/haploid_contigs.txt)"'
    for par in qc_par_bed():
        options += f" --par_regions_bed {shlex.quote(par)}"
    return options


def sample_calls_vcf(wildcards):
    """The sample's own calls for the QC metrics under DeepVariant: its VCF (deepvariant)
    or the variant records of its gVCF (Parabricks deepvariant writes only the gVCF)."""
    if ENGINE == "deepvariant":
        return f"results/call/deepvariant/{wildcards.sample}.vcf.gz"
    return f"results/gvcf/{wildcards.sample}.g.vcf.gz"


def trimmed_fastqs(wildcards):
    """fastp-trimmed FASTQs of every unit of a sample (Parabricks fq2bam input)."""
    return [
        f"results/align/trimmed/{wildcards.sample}/{unit}.{read}.fastq.gz"
        for unit in units.loc[wildcards.sample, "unit"]
        for read in ("R1", "R2")
    ]


def parabricks_in_fq(wildcards):
    """One `--in-fq R1 R2 '@RG...'` per unit (read groups from units.tsv)."""
    args = []
    for unit in units.loc[wildcards.sample, "unit"]:
        prefix = f"results/align/trimmed/{wildcards.sample}/{unit}"
        rg = read_group(SimpleNamespace(sample=wildcards.sample, unit=unit))
        args.append(
            f"--in-fq {shlex.quote(prefix + '.R1.fastq.gz')} {shlex.quote(prefix + '.R2.fastq.gz')} {rg}"
        )
    return " ".join(args)
