"""The demo through the hail joint engine (docs/joint-calling.md): the demo's results up to
the QC gate reused (hard links into a scratch folder), the cohort store made from the
gated samples, then the joint VCF, QC, release and report as with bcftools. Both engines
pass the demo's accuracy floors and agree on the sites and genotypes but for the
differences the docs list by kind; the release's counts equal those computed straight
from the store."""

import csv
import shutil
import subprocess

import pysam
import pytest
from conftest import BIN, DEMO_DIR, DEMO_RESULTS, ROOT, run
from test_demo import JOINT
from test_hail_cohort import HAIL_PYTHON, pytestmark  # noqa: F401 (skips without Hail)

from refcohort.joint_diff import joint_diff

# what the bcftools run made from the gate on, which the hail run makes again
COHORT_OUTPUTS = ["joint", "release", "report", "eval", "cohort", "manifest.tsv",
                  "qc/relatedness.tsv", "qc/relatedness.json", "qc/cohort_samples.tsv",
                  "qc/structure", "qc/structure.tsv", "qc/structure.json",
                  "qc/recruitment.tsv"]  # fmt: skip
# genotype differences (bcftools, hail) that docs/joint-calling.md explains
DOCUMENTED_KINDS = {("./.", "0/0"), ("./.", "0"), ("0/1", "0/0"), ("0/1", "1/1"),
                    ("0/0", "0/1"), ("1/1", "0/1"), ("1/1", "0/0"), ("1/1", "0")}  # fmt: skip


@pytest.fixture(scope="module")
def hail_demo(demo_run, tmp_path_factory):
    work = tmp_path_factory.mktemp("demo_hail")
    for part in ("resources", "results", "logs", ".snakemake"):
        subprocess.run(["cp", "-al", str(DEMO_DIR / part), str(work / part)], check=True)
    for gone in COHORT_OUTPUTS:
        path = work / "results" / gone
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    (work / "hail.yaml").write_text("joint:\n  engine: hail\n")
    proc = run(
        [str(BIN / "snakemake"), "--snakefile", str(ROOT / "Snakefile"), "--directory",
         str(work), "--configfile", str(ROOT / "config" / "demo.yaml"), str(work / "hail.yaml"),
         "--workflow-profile", str(ROOT / "profiles" / "default"), "--cores", "2"],
        timeout=1800,
    )  # fmt: skip
    return work, proc


def accuracy(results):
    with open(results / "eval" / "summary.tsv") as fh:
        return {(r["label"], r["type"]): r for r in csv.DictReader(fh, delimiter="\t")}


def test_only_the_joint_steps_ran_again(hail_demo):
    _, proc = hail_demo
    text = proc.stdout + proc.stderr
    assert "hail_update_cohort" in text and "hail_export_shard" in text
    for rule in ("bwa_mem", "bcftools_mpileup", "samtools_markdup", "bcftools_call_cohort"):
        assert f"rule {rule}:" not in text


@pytest.mark.parametrize("sample", JOINT)
def test_hail_engine_passes_the_demo_floors(hail_demo, sample):
    work, _ = hail_demo
    rows = accuracy(work / "results")
    snv, indel, total = rows[(sample, "SNV")], rows[(sample, "INDEL")], rows[(sample, "ALL")]
    assert float(snv["f1"]) >= 0.995 and float(indel["f1"]) >= 0.97, (snv, indel)
    assert float(total["genotype_concordance"]) >= 0.99, total


def test_engines_agree_but_for_the_documented_kinds(hail_demo):
    work, _ = hail_demo
    diff = joint_diff(
        str(DEMO_RESULTS / "joint" / "cohort.vcf.gz"),
        str(work / "results" / "joint" / "cohort.vcf.gz"),
        str(DEMO_RESULTS / "reference" / "genome.fa"),
    )
    assert diff.samples == sorted(JOINT)
    # the sites one engine has and the other not are LowQual, and few: hail's extra ones
    # are single-sample calls; the joint caller's are sites that the cohort's pooled
    # evidence made and that no sample's own call holds (docs/joint-calling.md)
    assert all(flt == "LowQual" for _, flt in diff.only_a + diff.only_b), diff.only_a
    assert len(diff.only_a) <= 5 and len(diff.only_b) <= 10
    assert diff.genotypes_equal / diff.genotypes_compared >= 0.999
    kinds = {(a, b) for a, b, _ in diff.genotype_changes}
    assert kinds <= DOCUMENTED_KINDS, diff.genotype_changes
    # a hom-alt against hom-ref only where the joint caller's site is LowQual: one or two
    # reads inside another allele's deletion, which the sample's own block calls ref
    with pysam.VariantFile(str(DEMO_RESULTS / "joint" / "cohort.vcf.gz")) as vf:
        for (chrom, pos, _, _), sample, a, b in diff.changed:
            if a == "1/1" and b in ("0/0", "0"):
                records = [r for r in vf.fetch(chrom, pos - 1, pos) if r.pos == pos]
                assert records, (chrom, pos)
                assert all(list(r.filter) == ["LowQual"] for r in records), (chrom, pos, sample)


def test_the_joint_vcf_and_release_name_the_hail_freeze(hail_demo):
    work, _ = hail_demo
    for vcf in ("joint/cohort.vcf.gz", "release/allele_frequencies.vcf.gz"):
        header = run(["bcftools", "view", "-h", str(work / "results" / vcf)]).stdout
        assert (
            "##cohort_freeze=<Number=1,Engine=hail,Date=" in header
            and f"Samples={len(JOINT)}," in header
        )


def test_release_counts_equal_those_straight_from_the_store(hail_demo, tmp_path):
    work, _ = hail_demo
    r = work / "results"
    out = tmp_path / "counts.tsv"
    run(
        [str(HAIL_PYTHON), str(ROOT / "scripts" / "hail_cohort.py"), "counts",
         "--store", str(r / "cohort/store"), "--freeze", str(r / "cohort/freeze.json"),
         "--samples", str(work / "resources/demo/samples.tsv"), "--groups",
         str(r / "release/groups.tsv"), "--excluded",
         str(r / "release/excluded_samples.NOT_PUBLIC.tsv"), "--out", str(out),
         "--fai", str(r / "reference/genome.fa.fai"), "--par",
         str(work / "resources/demo/par.bed"), "--tmp", str(tmp_path / "tmp"),
         "--hail-log", str(tmp_path / "hail.log"), "--cores", "2", "--memory-mb", "3000"],
        timeout=900,
    )  # fmt: skip
    with open(out) as fh:
        store = {
            (x["chrom"], int(x["pos"]), x["ref"], x["alt"]): x
            for x in csv.DictReader(fh, delimiter="\t")
        }
    groups = [g for g in csv.DictReader(open(r / "release/groups.tsv"), delimiter="\t")
              if g["status"] == "published"]  # fmt: skip
    query = run(["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%INFO\n",
                 str(r / "release/allele_frequencies.vcf.gz")]).stdout  # fmt: skip
    compared = 0
    for line in query.splitlines():
        chrom, pos, ref, alt, info = line.split("\t")
        fields = dict(kv.split("=", 1) for kv in info.split(";") if "=" in kv)
        row = store[(chrom, int(pos), ref, alt)]  # every released site is in the store
        for g in groups:
            suffix = "" if g["group"] == "all" else f"_{g['group']}"
            for x in ("AC", "AN"):
                value = fields.get(f"{x}{suffix}")
                if value not in (None, "."):  # suppressed counts are not published
                    compared += 1
                    assert value == row[f"{x}_{g['group']}"], (chrom, pos, g["group"], x)
    assert compared > 10_000
