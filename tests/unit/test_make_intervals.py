"""Interval shards: N gaps left out, lengths balanced, genome order kept."""

import pysam
import pytest

from make_intervals import acgt_runs, balance, callable_intervals


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
    from make_intervals import qc_regions

    fa = tmp_path / "ref.fa"
    fa.write_text(">chr1\nACGTNNACGT\n>chrX\n" + "A" * 30 + "\n>chrY\n" + "C" * 20 + "\n>chrUn_x\nACGT\n")
    pysam.faidx(str(fa))
    par = tmp_path / "par.bed"
    par.write_text("#comment\nchrX\t0\t5\tPAR1\nchrX\t25\t30\tPAR2\nchrY\t0\t5\tPAR1\n")
    rows = qc_regions(str(fa), str(par), r"(chr)?([1-9]|1[0-9]|2[0-2])", r"(chr)?X", r"(chr)?Y")
    assert rows == [
        ("chr1", 0, 4, "autosome"), ("chr1", 6, 10, "autosome"),
        ("chrX", 5, 25, "chrX"), ("chrY", 5, 20, "chrY"),
    ]
    # without a PAR file the whole of X and Y is kept; names must match in full
    rows = qc_regions(str(fa), None, r"chr1", r"chrX", r"Y")
    assert ("chrX", 0, 30, "chrX") in rows and not any(r[0] == "chrY" for r in rows)


def test_subtract_handles_overlaps_and_edges():
    from common import subtract

    assert subtract([(0, 100)], [(10, 20), (15, 30), (90, 200)]) == [(0, 10), (30, 90)]
    assert subtract([(0, 10), (20, 30)], []) == [(0, 10), (20, 30)]
    assert subtract([(5, 10)], [(0, 100)]) == []
