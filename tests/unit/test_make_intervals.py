"""Interval shards: N gaps left out, lengths balanced, genome order kept."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pysam
import pytest

from refcohort.intervals import acgt_runs, balance, subtract
from refcohort.qc.regions import callable_intervals, intervals_main, qc_regions, qc_regions_main


def test_acgt_runs_skips_n_in_any_case():
    assert acgt_runs("NNACGTnnAC") == [(2, 6), (8, 10)]
    assert acgt_runs("NNNN") == []
    assert acgt_runs("acgt") == [(0, 4)]


def test_balance_equal_lengths_contiguous_and_complete():
    intervals = [("c1", 0, 1000), ("c1", 1500, 2300), ("c2", 10, 710)]
    shards = balance(intervals, 4)
    lengths = [sum(e - s for _, s, e in shard) for shard in shards]
    assert sum(lengths) == 2500
    assert max(lengths) - min(lengths) <= 3
    flat = [iv for shard in shards for iv in shard]
    # contiguous in genome order, nothing overlaps, every base kept
    assert flat == sorted(flat, key=lambda iv: (iv[0], iv[1]))
    covered = {(c, p) for c, s, e in flat for p in range(s, e)}
    expected = {(c, p) for c, s, e in intervals for p in range(s, e)}
    assert covered == expected


def test_balance_rejects_empty_and_bad_counts():
    with pytest.raises(ValueError):
        balance([], 2)
    with pytest.raises(ValueError):
        balance([("c", 0, 10)], 0)


def test_callable_intervals_excludes_gaps_and_contigs(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\nACGTNNNNACGT\n>chr1_alt\nACGTACGT\n>chrM\nNNAC\n")
    pysam.faidx(str(fa))
    assert callable_intervals(str(fa), "_alt$") == [("chr1", 0, 4), ("chr1", 8, 12), ("chrM", 2, 4)]
    assert ("chr1_alt", 0, 8) in callable_intervals(str(fa), "")


def test_qc_regions_classify_contigs_and_drop_pars_and_gaps(tmp_path):
    fa = tmp_path / "ref.fa"
    fa.write_text(
        ">chr1\nACGTNNACGT\n>chrX\n" + "A" * 30 + "\n>chrY\n" + "C" * 20 + "\n>chrUn_x\nACGT\n"
    )
    pysam.faidx(str(fa))
    par = tmp_path / "par.bed"
    par.write_text("#comment\nchrX\t0\t5\tPAR1\nchrX\t25\t30\tPAR2\nchrY\t0\t5\tPAR1\n")
    rows = qc_regions(str(fa), str(par), r"(chr)?([1-9]|1[0-9]|2[0-2])", r"(chr)?X", r"(chr)?Y")
    assert rows == [
        ("chr1", 0, 4, "autosome"),
        ("chr1", 6, 10, "autosome"),
        ("chrX", 5, 25, "chrX"),
        ("chrY", 5, 20, "chrY"),
    ]
    # without a PAR file the whole of X and Y is kept; names must match in full
    rows = qc_regions(str(fa), None, r"chr1", r"chrX", r"Y")
    assert ("chrX", 0, 30, "chrX") in rows and not any(r[0] == "chrY" for r in rows)


def test_subtract_handles_overlaps_and_edges():
    assert subtract([(0, 100)], [(10, 20), (15, 30), (90, 200)]) == [(0, 10), (30, 90)]
    assert subtract([(0, 10), (20, 30)], []) == [(0, 10), (20, 30)]
    assert subtract([(5, 10)], [(0, 100)]) == []


def test_intervals_main_writes_balanced_shards(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # main() points stderr at the log
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\nACGTNNNNACGT\n>chrM\nACGT\n")
    pysam.faidx(str(fa))
    shards = [str(tmp_path / f"{i}-of-2.bed") for i in (1, 2)]
    smk = SimpleNamespace(
        input=SimpleNamespace(fasta=str(fa)),
        output=shards,
        params=SimpleNamespace(exclude="^chrM$"),
        log=[str(tmp_path / "log")],
    )
    intervals_main(smk)
    sys.stderr.close()
    assert [Path(p).read_text() for p in shards] == ["chr1\t0\t4\n", "chr1\t8\t12\n"]
    assert "4 bp in 1 intervals" in (tmp_path / "log").read_text()


def test_qc_regions_main_writes_classes_and_autosomes(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", sys.stderr)  # main() points stderr at the log
    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\nACGTNNACGT\n>chrX\n" + "A" * 30 + "\n")
    pysam.faidx(str(fa))
    par = tmp_path / "par.bed"
    par.write_text("chrX\t0\t5\tPAR1\n")

    def smk(par_input, autosomes=r"chr1"):
        return SimpleNamespace(
            input=Inputs(fasta=str(fa), par=par_input),
            output=SimpleNamespace(
                bed=str(tmp_path / "regions.bed"), autosomes=str(tmp_path / "a.bed")
            ),
            params=SimpleNamespace(patterns=[autosomes, "chrX", "chrY"]),
            log=[str(tmp_path / "log")],
        )

    qc_regions_main(smk([str(par)]))
    sys.stderr.close()
    assert (tmp_path / "regions.bed").read_text() == (
        "chr1\t0\t4\tautosome\nchr1\t6\t10\tautosome\nchrX\t5\t30\tchrX\n"
    )
    assert (tmp_path / "a.bed").read_text() == "chr1\t0\t4\nchr1\t6\t10\n"
    qc_regions_main(smk([]))  # qc.par unset: an empty input list
    sys.stderr.close()
    assert "chrX\t0\t30\tchrX\n" in (tmp_path / "regions.bed").read_text()
    with pytest.raises(SystemExit, match="no contig matches qc.autosomes 'chr2'"):
        qc_regions_main(smk([], autosomes="chr2"))
    sys.stderr.close()


class Inputs(SimpleNamespace):
    """Snakemake's input: attributes and .get."""

    def get(self, key, default=None):
        return getattr(self, key, default)
