# All Python of the workflow: config and sample-sheet loading and validation, input and
# parameter functions, wildcard constraints. No rules here.
import shlex
import sys
from pathlib import Path

import pandas as pd
from snakemake.utils import validate

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
REFERENCE = "results/reference/genome.fa"


def fail(message):
    """Stop before any job runs, with a message that says what to fix."""
    sys.stderr.write(f"\nConfiguration error: {message}\n\n")
    raise SystemExit(1)


validate(config, schema="schemas/config.schema.yaml")


def read_sheet(path, schema, index):
    """Read a TSV sheet as strings, validate it against its schema, index it."""
    if not Path(path).is_file():
        fail(f"sheet '{path}' does not exist (check its path in the config).")
    sheet = pd.read_csv(path, sep="\t", dtype=str, comment="#").fillna("")
    validate(sheet, schema=schema)
    duplicated = sheet.duplicated(subset=index, keep=False)
    if duplicated.any():
        rows = ", ".join(str(i + 2) for i in sheet.index[duplicated])
        fail(
            f"{path}: duplicate {'/'.join(index)} on lines {rows}; IDs must be unique."
        )
    return sheet.set_index(index, drop=False).sort_index()


samples = read_sheet(config["samples"], "schemas/samples.schema.yaml", ["sample"])
units = read_sheet(config["units"], "schemas/units.schema.yaml", ["sample", "unit"])

unknown = sorted(set(units["sample"]) - set(samples["sample"]))
if unknown:
    fail(
        f"{config['units']}: units for samples missing from {config['samples']}: {', '.join(unknown)}."
    )
unitless = sorted(set(samples["sample"]) - set(units["sample"]))
if unitless:
    fail(
        f"{config['samples']}: samples without any unit in {config['units']}: {', '.join(unitless)}."
    )

SAMPLES = list(samples["sample"])

# Optional truth for scoring the calls: sample, vcf, bed[, truth_sample]
truth = pd.DataFrame(columns=["sample", "vcf", "bed", "truth_sample"]).set_index(
    "sample", drop=False
)
if config["evaluation"].get("truth"):
    truth = read_sheet(
        config["evaluation"]["truth"], "schemas/truth.schema.yaml", ["sample"]
    )
    if "truth_sample" not in truth:
        truth["truth_sample"] = ""
    missing = sorted(set(truth["sample"]) - set(SAMPLES))
    if missing:
        fail(
            f"{config['evaluation']['truth']}: truth for samples not in the sample sheet: {', '.join(missing)}."
        )
TRUTH_SAMPLES = list(truth["sample"])


wildcard_constraints:
    sample=ID_PATTERN,
    unit=ID_PATTERN,
    scatteritem=r"\d+-of-\d+",


# ------------------------------------------------------------------ input functions
def unit_fastqs(wildcards):
    row = units.loc[(wildcards.sample, wildcards.unit)]
    return {"fq1": row["fq1"], "fq2": row["fq2"]}


def sample_unit_bams(wildcards):
    return expand(
        "results/align/units/{sample}/{unit}.bam",
        sample=wildcards.sample,
        unit=units.loc[wildcards.sample, "unit"],
    )


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
        "results/report/multiqc.html",
        *evaluation_outputs(),
    ]


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


def tool_extra(section, key="extra"):
    """Extra command-line options from config, as one shell-safe string."""
    return " ".join(
        shlex.quote(word) for word in shlex.split(config[section].get(key, ""))
    )


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
