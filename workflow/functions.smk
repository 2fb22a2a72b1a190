# The rules' input, output and parameter functions (Snakemake-facing glue over the
# package refcohort; the config and sheets they read are loaded in common.smk). The
# gatk, deepvariant and parabricks engines' own are in workflow/engines/common.smk.


# ------------------------------------------------------------------ input functions
def unit_row(wildcards):
    return units.loc[(wildcards.sample, wildcards.unit)]


def unit_fastqs(wildcards):
    row = unit_row(wildcards)
    return {"fq1": row["fq1"], "fq2": row["fq2"]}


def unit_alignment(wildcards):
    """A cram/bam/ubam unit's file (and a CRAM's input_reference with its index)."""
    row = unit_row(wildcards)
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
    """Every processed unit's fastp JSON: bwa_mem's for FASTQ, bwa_mem_realign's for
    cram/bam/ubam."""
    return [
        f"results/qc/fastp/{'' if kind == 'fastq' else 'realigned/'}{sample}.{unit}.fastp.json"
        for (sample, unit), kind in units["kind"].items()
        if sample in PROCESSED
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


def joint_gvcf_checksums(wildcards):
    """The SHA-256 sidecars of the gated samples' gVCFs (for the cohort freeze)."""
    return [f"{path}.sha256" for path in joint_gvcfs(wildcards)]


def cohort_store_gvcfs(wildcards):
    """The gated samples' gVCFs in the form the cohort store reads (joint.engine hail)."""
    return expand("results/cohort/gvcf/{sample}.g.vcf.gz", sample=joint_samples())


def evaluated_samples(wildcards):
    """Accuracy files of the samples with truth that were joint-called."""
    called = set(joint_samples())
    return expand(
        "results/eval/{sample}.accuracy.tsv",
        sample=[s for s in TRUTH_SAMPLES if s in called],
    )


def evaluation_outputs():
    outputs = []
    if config["evaluation"].get("truth"):
        outputs.append("results/eval/summary.tsv")
    if SV_ENABLED and config["evaluation"].get("sv_truth"):
        outputs.append("results/eval/sv_accuracy.tsv")
    return outputs


# ------------------------------------------------------------------ structural variants
SV_ENABLED = bool(config["sv"]["enabled"])


def sv_exclude_input():
    """Delly's exclusion file from config (sv.exclude), if any."""
    given = config["sv"]["exclude"]
    return [given] if given else []


def sv_metrics_input(wildcards):
    """A sample's SV counts for its QC JSON (none when sv.enabled is false)."""
    return [f"results/qc/sv/{wildcards.sample}.json"] if SV_ENABLED else []


def joint_sv_files(step, ext):
    """The discovery calls or genotypes (step), or their indexes (ext '.csi'), of the
    samples that passed the gate."""
    return [f"results/sv/{step}/{sample}.bcf{ext}" for sample in joint_samples()]


def sv_report_sections(wildcards):
    """The report's SV sections: counts per sample, and the SV release's when joint
    calling ran."""
    if not SV_ENABLED:
        return []
    sections = ["results/qc/multiqc/sv_counts_mqc.yaml"]
    if cohort_called():
        sections.append("results/qc/multiqc/sv_release_mqc.yaml")
    return sections


def sv_outputs():
    """The cohort's SV deliverables (sv.enabled)."""
    if not SV_ENABLED:
        return []
    return [
        *expand("results/sv/cohort.bcf{ext}", ext=["", ".csi", ".sha256"]),
        *expand(
            "results/release/sv_allele_frequencies.vcf.gz{ext}",
            ext=["", ".tbi", ".sha256"],
        ),
        "results/release/sv/groups.tsv",
    ]


def cohort_called():
    """Whether any sample entered joint genotyping (known once the gate has run). A
    dry-run before the gate plans the cohort steps as if some sample will pass, so that
    it lists them; a real run waits for the gate's table."""
    if workflow.dryrun:
        try:
            return bool(joint_samples())
        except IncompleteCheckpointException:
            return True
    return bool(joint_samples())


def sample_outputs():
    """Each processed sample's deliverables (not those of samples whose processing failed
    in the first pass of this run: docs/reliability.md)."""
    return [
        *expand(
            "results/align/{sample}.cram{ext}",
            sample=PROCESSED,
            ext=["", ".crai", ".md5", ".sha256"],
        ),
        *expand(
            "results/gvcf/{sample}.g.vcf.gz{ext}",
            sample=PROCESSED,
            ext=["", ".tbi", ".md5", ".sha256"],
        ),
        *expand("results/qc/{sample}.qc.json", sample=PROCESSED),
    ]


def cohort_outputs():
    """What joint genotyping makes; nothing when no sample passed the gate."""
    if not cohort_called():
        return []
    return [
        *expand(
            "results/joint/cohort.vcf.gz{ext}", ext=["", ".tbi", ".md5", ".sha256"]
        ),
        "results/qc/relatedness.tsv",
        "results/qc/structure.tsv",
        "results/qc/bcftools_stats/cohort.stats.txt",
        "results/cohort/freeze.json",
        *expand(
            "results/release/allele_frequencies.vcf.gz{ext}",
            ext=["", ".tbi", ".sha256"],
        ),
        "results/release/groups.tsv",
        *sv_outputs(),
        *evaluation_outputs(),
    ]


def gate_and_sample_outputs():
    """What the run delivers whatever the gate decides, the samples' deliverables, every
    output of the gate (a checkpoint; when one is missing the gate runs again, and what
    depends on its table is planned after it), the report and the manifest."""
    return [
        "results/reference/genome.dict",
        *sample_outputs(),
        "results/qc/sample_qc.tsv",
        "results/qc/sample_qc.tsv.sha256",
        "results/joint/sample_sexes.txt",
        "results/qc/recruitment.tsv",
        "results/report/multiqc.html",
        MANIFEST,
    ]


def cohort_outputs_after_gate(wildcards):
    """What joint genotyping delivers, known after the gate (an input function of its own
    in rule all, so that a pending gate run leaves its other inputs in place)."""
    return cohort_outputs()


def final_outputs(wildcards=None):
    """Every deliverable of the run (after the QC gate, which decides whether there is a
    cohort to call)."""
    return [*gate_and_sample_outputs(), *cohort_outputs()]


# ------------------------------------------------------------------ integrity
# Deliverables sealed with a SHA-256 by the rule that makes them (refcohort.integrity);
# the VCFs among them get their index, and the large ones their MD5, from rules of their
# own (workflow/integrity.smk).
INDEXED_DELIVERABLES = integrity.INDEXED_VCFS
MD5_DELIVERABLES = integrity.WITH_MD5


def manifest_files(wildcards=None):
    """Every deliverable of the run (final_outputs), listed in the manifest."""
    return [path for path in final_outputs() if path != MANIFEST]


def manifest_sidecars(wildcards=None):
    """The SHA-256 files of the sealed deliverables (the manifest reads them instead of
    reading every CRAM again)."""
    return [
        f"{path}.sha256"
        for path in manifest_files()
        if re.fullmatch(integrity.SEALED, path)
    ]


def deployment_methods():
    """How the jobs get their tools: 'conda', 'apptainer' (pinned envs) or none (PATH)."""
    methods = workflow.deployment_settings.deployment_method
    return sorted(getattr(m, "name", str(m)).lower() for m in methods)


# ------------------------------------------------------------------ parameter functions
def read_group(wildcards):
    """bwa mem -R with the @RG line from units.tsv: ID sample.unit, SM, PL, LB, PU."""
    row = unit_row(wildcards)
    rg = commands.align.read_group(
        wildcards.sample, wildcards.unit, row["platform"], row["library"]
    )
    return f"-R {rg}"


def realign_plan(wildcards):
    """How a cram/bam/ubam unit's read groups and @PG chain reach the new alignment
    (refcohort.realign), from the file's header."""
    row = unit_row(wildcards)
    return realign.realign_plan(
        headers.alignment_header_text(row[row["kind"]], row["kind"]),
        wildcards.sample,
        wildcards.unit,
        row["platform"],
        row["library"] or f"{wildcards.sample}-lib",
    )


def realign_collate_options(wildcards):
    row = unit_row(wildcards)
    return commands.align.collate_options(row["kind"], row["input_reference"])


def realign_fastq_options(wildcards):
    return commands.align.fastq_options(realign_plan(wildcards)["copy_rg"])


def realign_read_groups(wildcards):
    """bwa mem options that carry a cram/bam/ubam's read groups and @PG chain."""
    return realign.bwa_header_options(realign_plan(wildcards))


def realign_pg_parent(wildcards):
    """The file's last @PG ID, which our bwa @PG line follows ('' without a chain)."""
    return realign_plan(wildcards)["pg_parent"] or ""


def tool_extra(section, key="extra"):
    """Extra command-line options from config, as one shell-safe string. A dotted
    section names a nested one (`calling.gatk`)."""
    node = config
    for part in section.split("."):
        node = node[part]
    return commands.extra_options(node.get(key, ""))


def ploidy_file():
    """The configured ploidy file, or None for a bcftools built-in ploidy name."""
    ploidy = config["reference"]["ploidy"]
    path = commands.call.ploidy_file(ploidy)
    if path is not None and not Path(path).is_file():
        fail(
            f"reference.ploidy '{ploidy}' is neither a bcftools built-in ploidy "
            f"({', '.join(commands.call.BCFTOOLS_PLOIDY_NAMES)}) nor an existing ploidy file."
        )
    return path


def ploidy_option():
    ploidy_file()  # stops when the file is missing
    return commands.call.ploidy_option(config["reference"]["ploidy"])


def ploidy_input():
    path = ploidy_file()
    return [] if path is None else [path]


def sample_sex_code(sample):
    """bcftools call sex code of a sample's declared sex (M/F; unknown as F)."""
    return sheets.CALL_SEX_CODE[samples.loc[sample, "sex"]]


IMAGES = yaml.safe_load(
    Path(workflow.basedir, "envs/containers/images.yaml").read_text()
)


def image(env):
    """The container image for a conda env (envs/containers/images.yaml); local .sif
    paths there are relative to the workflow."""
    uri = IMAGES[env]
    return uri if "://" in uri else str(Path(workflow.basedir, uri))


def contamination_json(wildcards):
    """Contamination needs a population allele-frequency resource (qc.population_af)."""
    if not config["qc"]["population_af"]:
        return []
    return f"results/qc/contamination/{wildcards.sample}.json"


# ------------------------------------------------------------------ hail joint engine
# The Hail environment's interpreter: .venv-hail (make hail), or the job's conda env or
# container (envs/hail.yaml) under --sdm conda/apptainer.
HAIL_VENV_PYTHON = Path(workflow.basedir, ".venv-hail", "bin", "python")


def hail_python():
    """A pathlib.Path where it is the checkout's own .venv-hail: Snakemake does not record
    such a value, so a moved checkout does not make the Hail jobs look changed."""
    return "python" if deployment_methods() else HAIL_VENV_PYTHON


def hail_params():
    """The Hail steps' shared params (refcohort.commands.hail)."""
    par = qc_par_bed()
    return {
        "python": hail_python(),
        "scripts": SCRIPTS,
        "store": "results/cohort/store",
        "par": f"--par {shlex.quote(par[0])}" if par else "",
        "chrx": config["qc"]["chrX"],
        "chry": config["qc"]["chrY"],
    }
