"""A 2 kb contig, its truth VCF and the scoring helpers shared by test_compare_calls.py
and test_compare_calls_scoring.py. The fixtures `reference` and `truth_vcf` are defined
here under the names reference_fixture and truth_vcf_fixture, for the tests to import."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from refcohort import compare as cc

needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("bcftools", "samtools", "bgzip")),
    reason="bcftools/samtools/bgzip required",
)

CHROM = "chrT"
SNV_POS = {100: "het", 200: "hom", 300: "het", 400: "hom", 500: "het", 600: "het"}
FALSE_SNV_POS = (1000, 1050, 1100)


def _build_seq() -> str:
    """2 kb random contig with planted contexts so every truth indel is already left-aligned."""
    rng = np.random.default_rng(20240601)
    seq = list(rng.choice(list("ACGT"), size=2000))
    seq[697:702] = "CTAGC"  # pos 700 = A; insert GT (last inserted T != A)
    seq[798:803] = "TACGT"  # pos 800 = A; delete CG (G != A)
    seq[897:902] = "GCATG"  # pos 900 = A; multi-allelic A>C,ATC
    seq[1199:1209] = "C" + "A" * 8 + "G"  # homopolymer: pos 1200 = C, 1201-1208 = A
    seq[1599:1602] = "AGG"  # pos 1600: AGG>A,AAG multi-allelic (trim test)
    return "".join(seq)


SEQ = _build_seq()


def ref(pos: int, length: int = 1) -> str:
    return SEQ[pos - 1 : pos - 1 + length]


def other_base(pos: int, skip: str = "") -> str:
    return next(b for b in "ACGT" if b != ref(pos) and b not in skip)


def rec(pos: int, r: str, a: str, gt: str, filt: str = "PASS") -> tuple:
    return (pos, r, a, gt, filt)


def truth_records() -> list[tuple]:
    """7 SNV alleles + 4 indel alleles after splitting, plus two non-calls."""
    recs = [
        rec(p, ref(p), other_base(p), "0/1" if c == "het" else "1/1") for p, c in SNV_POS.items()
    ]
    recs += [
        rec(700, ref(700), ref(700) + "GT", "0/1"),  # insertion, het
        rec(800, ref(800, 3), ref(800), "1/1"),  # 2-bp deletion, hom
        rec(900, ref(900), f"{other_base(900)},{ref(900)}TC", "1/2"),  # SNV + insertion
        rec(1200, ref(1200, 2), ref(1200), "0|1"),  # homopolymer deletion (left-aligned)
        rec(1400, ref(1400), other_base(1400), "0/0"),  # not a call
        rec(1500, ref(1500), other_base(1500), "./."),  # not a call
    ]
    return recs


def write_vcf(path: Path, records: list[tuple], sample: str = "NA0001", gz: bool = False) -> Path:
    header = [
        "##fileformat=VCFv4.2",
        f"##contig=<ID={CHROM},length={len(SEQ)}>",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FILTER=<ID=LowQual,Description="Low quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", sample]
        ),
    ]
    lines = [
        f"{CHROM}\t{p}\t.\t{r}\t{a}\t50\t{f}\t.\tGT\t{gt}" for p, r, a, gt, f in sorted(records)
    ]
    path.write_text("\n".join(header + lines) + "\n")
    if gz:
        subprocess.run(["bgzip", "-f", str(path)], check=True)
        path = path.with_name(path.name + ".gz")
        subprocess.run(["tabix", "-p", "vcf", str(path)], check=True)
    return path


@pytest.fixture(name="reference")
def reference_fixture(tmp_path: Path) -> Path:
    fa = tmp_path / "ref.fa"
    fa.write_text(f">{CHROM}\n" + "\n".join(SEQ[i : i + 60] for i in range(0, len(SEQ), 60)) + "\n")
    subprocess.run(["samtools", "faidx", str(fa)], check=True)
    return fa


@pytest.fixture(name="truth_vcf")
def truth_vcf_fixture(tmp_path: Path) -> Path:
    return write_vcf(tmp_path / "truth.vcf", truth_records(), gz=True)


def by_type(rows: list[dict]) -> dict[str, dict]:
    return {r["type"]: r for r in rows}


def run_score(truth: Path, query: Path, reference: Path, **kw) -> dict[str, dict]:
    t = cc.load_calls(str(truth), str(reference), include_filtered=True, bed=kw.get("bed"))
    q = cc.load_calls(str(query), str(reference), **kw)
    return by_type(cc.score([(*k, v) for k, v in t.items()], [(*k, v) for k, v in q.items()]))
