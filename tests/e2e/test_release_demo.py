"""The demo's national release (results/release/): files, privacy, AF = AC/AN, and
agreement with bcftools +fill-tags computed from the same joint VCF restricted to the
released samples (config/demo.yaml: max_kinship 0.354, min_allele_count 2,
min_group_size 2).
"""

import gzip
import hashlib
import json
import subprocess

import pytest
from conftest import DEMO_DATA, DEMO_RESULTS

from refcohort.io import read_tsv

RESULTS = DEMO_RESULTS
RELEASE = RESULTS / "release" / "allele_frequencies.vcf.gz"
JOINT = ["S01", "S02", "S03", "S04", "S08", "S09", "S10", "S11", "S12"]


def parse(text):
    """{CHROM:POS:REF:ALT: {INFO key: text}} of VCF text (sites or full)."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        out[f"{f[0]}:{f[1]}:{f[3]}:{f[4]}"] = dict(
            kv.split("=", 1) for kv in f[7].split(";") if "=" in kv
        )
    return out


@pytest.fixture(scope="module")
def release(demo_run):
    text = gzip.open(RELEASE, "rt").read()
    return {
        "text": text,
        "header": [line for line in text.splitlines() if line.startswith("#")],
        "records": parse(text),
        "summary": json.loads((RESULTS / "release" / "summary.json").read_text()),
        "groups": read_tsv(RESULTS / "release" / "groups.tsv"),
        "excluded": read_tsv(RESULTS / "release" / "excluded_samples.NOT_PUBLIC.tsv"),
    }


def test_release_files_index_and_checksum(release):
    assert (
        RELEASE.stat().st_size > 0
        and (RELEASE.parent / "allele_frequencies.vcf.gz.tbi").stat().st_size > 0
    )
    digest, name = (RELEASE.parent / "allele_frequencies.vcf.gz.sha256").read_text().split()
    assert name == RELEASE.name
    assert digest == hashlib.sha256(RELEASE.read_bytes()).hexdigest()
    # indexed: a region query works
    out = subprocess.run(
        ["tabix", str(RELEASE), "chrX"], capture_output=True, text=True, check=True
    ).stdout
    assert out.count("\n") > 100


def test_no_sample_ids_or_genotypes(release):
    for sample in [f"S{i:02d}" for i in range(1, 13)]:
        assert sample not in release["text"]
    assert release["header"][-1] == "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    assert not any(
        h.startswith("##FORMAT") or "Command" in h or "results/" in h for h in release["header"]
    )
    for line in release["text"].splitlines():
        if not line.startswith("#"):
            assert line.count("\t") == 7


def test_demo_release_policy_and_groups(release):
    summary, excluded = release["summary"], release["excluded"]
    why = {r["sample"]: r["reason"] for r in excluded}
    assert why == {
        "S05": "not joint-called",
        "S06": "not joint-called",
        "S07": "not joint-called",
        "S08": "related",
    }
    assert "S02" in next(r["detail"] for r in excluded if r["sample"] == "S08")
    status = {g["group"]: (g["status"], g["individuals"]) for g in release["groups"]}
    # 8 released: FI S01, S02, S11 (declared FI; the cohort-structure WARN does not change
    # the release), EE S03, S04, S12, NL S09, S10. The single-person cells are withheld, and
    # EE_M and FI_F with them: each would give its population's other cell away.
    assert status == {
        "all": ("published", "8"),
        "EE": ("published", "3"),
        "FI": ("published", "3"),
        "NL": ("published", "2"),
        "F": ("published", "4"),
        "M": ("published", "4"),
        "EE_F": ("withheld", ""),
        "EE_M": ("withheld", ""),
        "FI_F": ("withheld", ""),
        "FI_M": ("withheld", ""),
        "NL_F": ("withheld", ""),
        "NL_M": ("withheld", ""),
    }
    assert (
        summary["samples_released"] == 8
        and summary["sites_written"] == len(release["records"]) > 6000
    )
    groups = {g["group"]: g for g in summary["groups"]}
    assert (
        groups["all"]["suppressed_small_count"] > 100 and groups["EE"]["suppressed_to_protect"] > 0
    )
    for line in (
        "##release_group=<ID=all,Population=all,Sex=all,Individuals=8>",
        "##release_group=<ID=FI_M,Population=FI,Sex=M,Status=withheld>",
    ):
        assert line in release["header"]
    policy = "\n".join(h for h in release["header"] if h.startswith("##release_policy"))
    assert (
        "min_allele_count=2" in policy
        and "min_group_size=2" in policy
        and "kinship > 0.354" in policy
    )


def test_af_is_ac_over_an(release):
    checked = 0
    for key, info in release["records"].items():
        for field, value in info.items():
            if field.startswith("AF") and value != ".":
                suffix = field[2:]
                assert float(value) == int(info["AC" + suffix]) / int(info["AN" + suffix]), (
                    key,
                    field,
                )
                checked += 1
    assert checked > 15000


def test_agrees_with_bcftools_fill_tags_on_the_released_samples(release):
    released = [s for s in JOINT if s not in {r["sample"] for r in release["excluded"]}]
    sheet = {r["sample"]: r for r in read_tsv(DEMO_DATA / "samples.tsv")}
    code = {"female": "F", "male": "M"}
    groups_file = RESULTS / "release" / "test_fill_tags_groups.txt"
    published = {g["group"] for g in release["groups"] if g["status"] == "published"}
    lines = []
    for s in released:
        pop, sex = sheet[s]["population"], code[sheet[s]["sex"]]
        mine = [g for g in (pop, sex, f"{pop}_{sex}") if g in published]
        lines.append(f"{s}\t{','.join(mine)}\n")
    groups_file.write_text("".join(lines))
    try:
        cmd = (
            f"bcftools view -f PASS -s {','.join(released)}"
            f" -Ou {RESULTS / 'joint' / 'cohort.vcf.gz'}"
            f" | bcftools norm -m -any -f {RESULTS / 'reference' / 'genome.fa'} -Ou"
            f" | bcftools +fill-tags -Ov -- -S {groups_file} -t AN,AC,AF,AC_Hom,AC_Het,AC_Hemi"
        )
        theirs = parse(
            subprocess.run(
                ["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, check=True
            ).stdout
        )
    finally:
        groups_file.unlink()
    assert {k for k, v in theirs.items() if v["AC"] != "0"} == set(release["records"])
    compared = suppressed = 0
    for key, info in release["records"].items():
        for field, value in info.items():
            if value == ".":
                suppressed += 1
            elif field.startswith("AF"):
                assert float(value) == pytest.approx(float(theirs[key][field]), rel=1e-5), (
                    key,
                    field,
                )
                compared += 1
            else:
                assert value == theirs[key][field], (key, field, value, theirs[key][field])
                compared += 1
    assert compared > 100000 and suppressed > 10000


def test_multiqc_report_has_the_release_section(demo_run):
    html = (RESULTS / "report" / "multiqc.html").read_text()
    assert "National release (allele frequencies)" in html and "release_summary" in html
