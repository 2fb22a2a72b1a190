"""scripts/soft_filters.sh: the joint calls' soft filters (config joint.filters), one
`bcftools filter -m+ -s NAME -e EXPR` per pair, piped, on a BCF stream."""

import subprocess

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "soft_filters.sh"
VCF = (
    "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n"
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="depth">\n'
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "chr1\t10\t.\tA\tC\t50\t.\tDP=30\n"
    "chr1\t20\t.\tA\tC\t10\t.\tDP=30\n"
    "chr1\t30\t.\tA\tC\t10\t.\tDP=2\n"
    "chr1\t40\t.\tA\tC\t60\t.\tDP=2\n"
)


def soft_filter(*pairs):
    """FILTER of each record after the script, the VCF given as BCF on stdin."""
    bcf = subprocess.run(
        ["bcftools", "view", "-Ou"], input=VCF.encode(), capture_output=True, check=True
    ).stdout
    proc = subprocess.run(["bash", str(SCRIPT), *pairs], input=bcf, capture_output=True)
    if proc.returncode:
        return proc
    out = subprocess.run(
        ["bcftools", "query", "-f", "%POS %FILTER\\n"],
        input=proc.stdout,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return dict(line.split() for line in out.splitlines())


def test_each_filter_adds_its_name_and_records_failing_several_carry_all():
    got = soft_filter("LowQual", "QUAL<30", "Shallow", "INFO/DP<3")
    assert got == {"10": "PASS", "20": "LowQual", "30": "LowQual;Shallow", "40": "Shallow"}


def test_no_filters_passes_the_records_unchanged():
    assert soft_filter() == {"10": ".", "20": ".", "30": ".", "40": "."}


def test_a_failing_expression_fails_the_stream():
    proc = soft_filter("Broken", "NOSUCHTAG>1")
    assert proc.returncode != 0 and b"NOSUCHTAG" in proc.stderr


def test_a_name_without_expression_is_refused():
    proc = soft_filter("LowQual")
    assert proc.returncode == 2 and b"NAME without EXPRESSION" in proc.stderr


@pytest.mark.parametrize("n", [1, 3])
def test_any_number_of_filters(n):
    pairs = [x for i in range(n) for x in (f"F{i}", f"QUAL<{20 + i}")]
    got = soft_filter(*pairs)
    assert got["10"] == "PASS" and got["20"] == ";".join(f"F{i}" for i in range(n))
