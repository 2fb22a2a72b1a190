"""Picard-style duplicate metrics become the samtools markdup stats the QC reads."""

import sys
from types import SimpleNamespace

import pytest

from refcohort import duplicate_metrics as cdm
from refcohort.qc.metrics import duplication_metrics
from refcohort.qc.parsers import parse_markdup

PICARD = """## htsjdk.samtools.metrics.StringHeader
# MarkDuplicates INPUT=[x.bam]
## METRICS CLASS\tpicard.sam.DuplicationMetrics
LIBRARY\tUNPAIRED_READS_EXAMINED\tREAD_PAIRS_EXAMINED\tSECONDARY_OR_SUPPLEMENTARY_RDS\tUNMAPPED_READS\tUNPAIRED_READ_DUPLICATES\tREAD_PAIR_DUPLICATES\tREAD_PAIR_OPTICAL_DUPLICATES\tPERCENT_DUPLICATION\tESTIMATED_LIBRARY_SIZE
libA\t10\t1000\t5\t20\t2\t100\t10\t0.100398\t5000
libB\t0\t500\t0\t0\t0\t25\t0\t0.05\t3000

## HISTOGRAM\tjava.lang.Double
BIN\tCoverageMult
1.0\t1.0
"""


def test_libraries_are_summed_and_pairs_counted_in_reads():
    stats = cdm.as_samtools(cdm.parse_picard(PICARD))
    assert stats["EXAMINED"] == 10 + 2 * 1500
    assert stats["DUPLICATE PAIR"] == 2 * 125
    assert stats["DUPLICATE SINGLE"] == 2
    assert stats["DUPLICATE PAIR OPTICAL"] == 20
    assert stats["READ"] == 3010 + 5 + 20
    assert stats["ESTIMATED_LIBRARY_SIZE"] == 8000


def test_output_reads_back_as_picard_percent_duplication(tmp_path):
    metrics, out = tmp_path / "dup.txt", tmp_path / "markdup.txt"
    metrics.write_text(PICARD)
    assert cdm.cli([str(metrics), str(out)]) == 0
    assert out.read_text().startswith("COMMAND: converted from Picard-style duplicate metrics")
    pct = duplication_metrics(parse_markdup(out))["pct_duplication"]
    # Picard: (unpaired dups + 2 * pair dups) / (unpaired + 2 * pairs)
    assert pct == pytest.approx(100 * (2 + 2 * 125) / (10 + 2 * 1500))


@pytest.mark.parametrize(
    "text, message",
    [
        ("just text\n", "METRICS CLASS"),
        (PICARD.replace("READ_PAIR_DUPLICATES\t", "X\t"), "READ_PAIR_DUPLICATES"),
        (PICARD.split("libA")[0], "no library rows"),
    ],
)
def test_bad_metrics_are_rejected(text, message):
    with pytest.raises(ValueError, match=message):
        cdm.parse_picard(text)


def test_snakemake_adapter_writes_the_same_stats(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stderr", sys.stderr)  # main() points stderr at the log
    metrics = tmp_path / "dup.txt"
    metrics.write_text(PICARD)
    assert cdm.cli([str(metrics), str(tmp_path / "cli.txt")]) == 0
    smk = SimpleNamespace(
        input=SimpleNamespace(metrics=str(metrics)),
        output=SimpleNamespace(stats=str(tmp_path / "smk.txt")),
        log=[str(tmp_path / "log")],
    )
    cdm.main(smk)
    assert (tmp_path / "smk.txt").read_text() == (tmp_path / "cli.txt").read_text()
