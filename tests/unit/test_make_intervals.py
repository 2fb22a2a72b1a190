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
