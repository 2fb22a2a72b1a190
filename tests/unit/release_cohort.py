"""Synthetic cohorts for the release tests (tests/unit/test_release_*.py): plain-text VCFs
written as ``bcftools call`` writes them with sex-aware ploidy, the release run on them,
and an independent computation with ``bcftools +fill-tags`` on the released samples.
"""

import gzip
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import refcohort.release as rl

FILL_TAGS = ["-t", "AN,AC,AF,AC_Hom,AC_Het,AC_Hemi"]
PAR = [("chrX", 0, 1000), ("chrX", 9000, 10000)]  # 0-based half-open


# --------------------------------------------------------------------------- #
# Synthetic cohorts
# --------------------------------------------------------------------------- #
def make_cohort(n_per_cell: dict[tuple[str, str], int]) -> list[tuple[str, str, str]]:
    """(sample, sex word, population) rows; IDs are >= 3 characters (fill-tags needs that)."""
    words = {"F": "female", "M": "male", "U": "unknown"}
    rows = []
    for (pop, sex), n in sorted(n_per_cell.items()):
        rows += [(f"{pop}{sex}{i:03d}", words[sex], pop) for i in range(n)]
    return rows


def gt_text(ploidy: int, alleles: Sequence[int]) -> str:
    if ploidy == 0:
        return "."
    return "/".join("." if a < 0 else str(a) for a in alleles[:ploidy])


def random_genotypes(
    rng: np.random.Generator, cohort, chrom: str, pos: int, p: float, missing: float = 0.02
) -> list[str]:
    """Genotypes as bcftools call writes them with sex-aware ploidy."""
    out = []
    for _, sex, _ in cohort:
        hemi = sex == "male" and (chrom == "chrY" or (chrom == "chrX" and not in_par(chrom, pos)))
        ploidy = 0 if (chrom == "chrY" and sex != "male") else (1 if hemi else 2)
        if ploidy and rng.random() < missing:
            out.append("." if ploidy == 1 else "./.")
            continue
        out.append(gt_text(ploidy, list((rng.random(2) < p).astype(int))))
    return out


def in_par(chrom: str, pos: int) -> bool:
    return any(c == chrom and s < pos <= e for c, s, e in PAR)


# the first header lines of the test cohorts' VCFs (small variants and SVs)
HEADER_START = [
    "##fileformat=VCFv4.2",
    '##FILTER=<ID=PASS,Description="All filters passed">',
    '##FILTER=<ID=LowQual,Description="low">',
    "##contig=<ID=chr1,length=100000>",
    "##contig=<ID=chrX,length=10000>",
    "##contig=<ID=chrY,length=10000>",
]


def write_vcf(
    path: Path,
    cohort,
    records: list[tuple[str, int, str, str, list[str]]],
    extra_header: Sequence[str] = (),
    filters: dict[int, str] = None,
) -> Path:
    filters = filters or {}
    names = [s for s, _, _ in cohort]
    lines = [
        *HEADER_START,
        "##contig=<ID=chrM,length=16569>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        *extra_header,
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *names]
        ),
    ]
    for i, (chrom, pos, ref, alt, gts) in enumerate(records):
        lines.append(
            "\t".join(
                [chrom, str(pos), ".", ref, alt, "50", filters.get(i, "PASS"), ".", "GT", *gts]
            )
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def write_sheet(path: Path, cohort) -> Path:
    path.write_text("sample\tsex\tpopulation\n" + "".join(f"{s}\t{x}\t{p}\n" for s, x, p in cohort))
    return path


def write_par(path: Path) -> Path:
    path.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in PAR))
    return path


def random_records(rng, cohort, n_auto=120, n_x=60, n_y=20):
    recs = []
    for chrom, n, span in (("chr1", n_auto, 100000), ("chrX", n_x, 10000), ("chrY", n_y, 10000)):
        positions = sorted(rng.choice(np.arange(1, span), n, replace=False))
        for pos in positions:
            p = float(rng.choice([0.01, 0.05, 0.2, 0.5, 0.9]))
            recs.append(
                (chrom, int(pos), "A", "G", random_genotypes(rng, cohort, chrom, int(pos), p))
            )
    return recs


def run_release(tmp_path: Path, cohort, records, name="out", **kw) -> tuple[dict, Path]:
    vcf = write_vcf(
        tmp_path / f"{name}.in.vcf",
        cohort,
        records,
        kw.pop("extra_header", ()),
        kw.pop("filters", None),
    )
    sheet = write_sheet(tmp_path / f"{name}.samples.tsv", cohort)
    out = tmp_path / f"{name}.vcf.gz"
    kw.setdefault("par_bed", str(write_par(tmp_path / "par.bed")))
    summary = rl.release(str(vcf), str(sheet), str(out), **kw)
    return summary, out


def read_release(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header lines and records (CHROM..FILTER plus INFO as text) of a release VCF."""
    header, records = [], []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#"):
                header.append(line)
                continue
            f = line.split("\t")
            assert len(f) == 8, f"not sites-only: {len(f)} columns"
            info = dict(kv.split("=", 1) for kv in f[7].split(";"))
            records.append(
                {"key": f"{f[0]}:{f[1]}:{f[3]}:{f[4]}", "chrom": f[0], "pos": int(f[1]), **info}
            )
    return header, records


def fill_tags(
    tmp_path: Path, vcf: Path, samples: Sequence[str], groups: dict[str, list[str]]
) -> dict[str, dict[str, str]]:
    """bcftools +fill-tags on the given samples with the given groups: {key: {field: text}}."""
    membership: dict[str, list[str]] = {s: [] for s in samples}
    for group, members in groups.items():
        for s in members:
            membership[s].append(group)
    gfile = tmp_path / "groups.txt"
    gfile.write_text("".join(f"{s}\t{','.join(g)}\n" for s, g in membership.items() if g))
    cmd = (
        f"bcftools view -f PASS -s {','.join(samples)} -Ou {vcf} | "
        f"bcftools +fill-tags -Ov -- -S {gfile} {' '.join(FILL_TAGS)}"
    )
    text = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, check=True
    ).stdout
    out = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        f = line.split("\t")
        out[f"{f[0]}:{f[1]}:{f[3]}:{f[4]}"] = dict(kv.split("=", 1) for kv in f[7].split(";"))
    return out


def groups_of(cohort, released: Sequence[str], published: Sequence[str]) -> dict[str, list[str]]:
    """Members of each published group (by name), for fill-tags."""
    info = {s: (x, p) for s, x, p in cohort}
    code = {"female": "F", "male": "M", "unknown": "U"}
    out: dict[str, list[str]] = {}
    for g in published:
        if g == "all":
            continue
        members = []
        for s in released:
            sex, pop = code[info[s][0]], info[s][1]
            if g in (pop, sex, f"{pop}_{sex}"):
                members.append(s)
        out[g] = members
    return out


def released_names(cohort, summary) -> list[str]:
    gone = {r["sample"] for r in summary["excluded"]}
    return [s for s, _, _ in cohort if s not in gone]


def assert_agrees_with_fill_tags(
    tmp_path, cohort, records, summary, out, expect_all_published=False
):
    released = released_names(cohort, summary)
    published = [g["group"] for g in summary["groups"] if g["status"] == "published"]
    theirs = fill_tags(
        tmp_path, tmp_path / "out.in.vcf", released, groups_of(cohort, released, published)
    )
    _, ours = read_release(out)
    compared = suppressed = 0
    for rec in ours:
        ref = theirs[rec["key"]]
        for key, value in rec.items():
            if key in ("key", "chrom", "pos"):
                continue
            if value == ".":
                suppressed += 1
                if key.startswith("AF") and ref[key] == ".":
                    continue
                assert not expect_all_published, (rec["key"], key)
                continue
            compared += 1
            if key.startswith("AF"):
                assert float(value) == pytest.approx(float(ref[key]), rel=1e-5), (
                    rec["key"],
                    key,
                    value,
                    ref[key],
                )
            else:
                assert value == ref[key], (rec["key"], key, value, ref[key])
    # records fill-tags sees with ALT among the released samples are all in the release
    assert {k for k, v in theirs.items() if v["AC"] != "0"} == {r["key"] for r in ours}
    return compared, suppressed


COHORT = make_cohort({("FI", "F"): 6, ("FI", "M"): 5, ("EE", "F"): 4, ("EE", "M"): 4})
