"""The scaling harness's arithmetic and report (benchmarks/scaling_calc.py,
scaling_report.py): cohort sizes, per-sample costs and ratios, the fixed + per-sample fit,
what an addition writes into the store, the tables and the results rows. No tools run.
(benchmarks/ is on pytest's pythonpath.)"""

import math
import os
from types import SimpleNamespace

import pytest
import scaling_calc as calc
import scaling_report as report


def test_cohort_sizes_and_add_plan():
    assert calc.cohort_sizes(None, 128) == [4, 8, 16, 32, 128]
    assert calc.cohort_sizes(None, 16) == [4, 8, 16]
    assert calc.cohort_sizes("4", 8) == [4, 8]
    assert calc.cohort_sizes("8,4,8,300", 64) == [4, 8, 64]
    with pytest.raises(ValueError):
        calc.cohort_sizes("0,4", 8)
    sizes = [4, 8, 16, 32, 128]
    assert calc.add_plan("32,128", "1,8", sizes) == [(32, 1), (32, 8), (128, 1), (128, 8)]
    assert calc.add_plan("32,64", "8,1", sizes) == [(32, 1), (32, 8)]  # no cohort of 64
    assert calc.add_plan("", "1", sizes) == [] and calc.add_plan("32", "", sizes) == []
    with pytest.raises(ValueError):
        calc.add_plan("32", "0", sizes)
    assert calc.samples_needed(sizes, [(32, 8), (128, 8)]) == 136
    assert calc.samples_needed([4, 8], []) == 8
    assert [calc.sex_of(i) for i in range(4)] == ["F", "M", "F", "M"]


def test_fit_line():
    assert calc.fit_line([4, 8, 16], [12.0, 14.0, 18.0]) == pytest.approx((10.0, 0.5))
    assert all(math.isnan(v) for v in calc.fit_line([4], [1.0]))
    assert all(math.isnan(v) for v in calc.fit_line([4, 4], [1.0, 2.0]))


def rows_of(costs: dict[int, float], peak: float = 100.0) -> list[dict]:
    rows = [
        {"n": n, "cpu_s": cpu, "wall_s": cpu / 2, "shard_peak_mb": peak} for n, cpu in costs.items()
    ]
    calc.per_sample(rows)
    return rows


def test_per_sample_and_summary_of_a_linear_path():
    # 1 s per sample and no fixed cost: per-sample cost flat, growth 1
    rows = rows_of({4: 4.0, 8: 8.0, 16: 16.0, 128: 128.0})
    assert [r["cpu_per_sample_s"] for r in rows] == [1.0] * 4
    assert rows[-1]["ratio_cpu_per_sample_vs_first"] == 1.0
    assert rows[-1]["wall_per_sample_s"] == 0.5
    s = calc.path_summary("compact", rows)
    assert s["ratio_cpu_per_sample"] == 1.0 and s["target_met"] == "yes"
    assert s["fixed_cpu_s"] == pytest.approx(0.0, abs=1e-9)
    assert s["cpu_per_sample_fit_s"] == pytest.approx(1.0)
    assert s["growth_of_per_sample_cost"] == pytest.approx(1.0)
    assert (s["n_first"], s["n_last"]) == (4, 128)


def test_summary_of_a_quadratic_path_and_of_a_fixed_cost():
    # cost N^2 / 8: per-sample cost grows with N (bcftools merge on full gVCFs)
    quad = calc.path_summary("full", rows_of({n: n * n / 8 for n in (4, 8, 16, 32)}))
    assert quad["ratio_cpu_per_sample"] == 8.0 and quad["target_met"] == "no"
    assert quad["growth_of_per_sample_cost"] > 1.5
    # 100 s fixed + 0.5 s per sample (hail): the ratio falls with N, the fit finds both
    fixed = calc.path_summary("hail", rows_of({n: 100 + 0.5 * n for n in (4, 8, 16, 32, 128)}))
    assert fixed["ratio_cpu_per_sample"] == pytest.approx((100 / 128 + 0.5) / (100 / 4 + 0.5))
    assert fixed["fixed_cpu_s"] == pytest.approx(100.0)
    assert fixed["cpu_per_sample_fit_s"] == pytest.approx(0.5)
    assert fixed["growth_of_per_sample_cost"] == pytest.approx(1.0)
    assert calc.better_path([quad, fixed])["path"] == "hail"
    assert calc.better_path([]) is None
    # a noisy fit with a negative slope gives no growth figure
    noisy = calc.path_summary("hail", rows_of({4: 100.0, 8: 99.0, 16: 98.0}))
    assert math.isnan(noisy["growth_of_per_sample_cost"])


def test_store_snapshots(tmp_path):
    store = tmp_path / "store"
    (store / "batches" / "b0001.vds").mkdir(parents=True)
    (store / "tmp").mkdir()
    (store / "batches" / "b0001.vds" / "part").write_bytes(b"x" * 100)
    (store / "CURRENT").write_text("freeze-0001.json\n")
    (store / "tmp" / "scratch").write_bytes(b"y" * 1000)
    before = calc.snapshot(store)
    assert set(before) == {"batches/b0001.vds/part", "CURRENT"}  # scratch left out
    assert calc.total_bytes(before) == 117
    (store / "batches" / "b0002.vds").mkdir()
    (store / "batches" / "b0002.vds" / "part").write_bytes(b"z" * 40)
    (store / "CURRENT").write_text("freeze-0002.json\n")
    st = (store / "CURRENT").stat()
    os.utime(store / "CURRENT", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    after = calc.snapshot(store)
    assert calc.written_bytes(before, after) == 40 + 17  # the new batch and CURRENT
    assert calc.written_bytes(after, after) == 0
    assert calc.total_bytes(after) == 157
    assert calc.snapshot(tmp_path / "missing") == {}


def test_add_row():
    add = {"cpu_s": 20.0, "wall_s": 25.0, "peak_mb": 900.0, "written": 10, "store": 1000}
    add.update(io_mb=5.0, export_cpu_s=90.0, export_wall_s=50.0)
    rebuild = {"cpu_s": 80.0, "wall_s": 50.0, "peak_mb": 2000.0, "written": 990, "store": 990}
    rebuild.update(io_mb=30.0, export_cpu_s=75.0)
    r = calc.add_row("hail", 128, 8, add, rebuild)
    assert (r["path"], r["n"], r["k"]) == ("hail", 128, 8)
    assert r["ratio_add_vs_rebuild_cpu"] == 0.25 and r["ratio_add_vs_rebuild_wall"] == 0.5
    assert r["ratio_written_vs_store"] == 0.01 and r["ratio_written_vs_rebuild"] == 10 / 990
    assert r["ratio_export_vs_single_batch_cpu"] == 1.2
    assert r["add_cpu_per_added_sample_s"] == 2.5 and r["add_export_wall_s"] == 50.0
    assert r["rebuild_io_mb"] == 30.0
    same = {"cpu_s": 3.0, "wall_s": 2.0, "peak_mb": 30.0, "written": 5, "store": 5}
    b = calc.add_row("compact", 32, 1, same, same)
    assert b["ratio_add_vs_rebuild_cpu"] == 1.0 and b["ratio_written_vs_store"] == 1.0
    assert math.isnan(b["ratio_export_vs_single_batch_cpu"]) and math.isnan(b["add_io_mb"])


def test_per_genome():
    assert calc.per_genome(0.2e6, 0.2) == pytest.approx(2.9)  # 1 MB per Mb: 2.9 GB
    assert calc.per_genome(0.2e6, 0.2, whole_mb=1000) == pytest.approx(1.0)


def test_report_tables_and_results(tmp_path, monkeypatch, capsys):
    full = rows_of({4: 2.0, 8: 5.0})
    hail = rows_of({4: 100.0, 8: 101.0})
    for r in full:
        r.update(shards_cpu_s=r["cpu_s"], gvcf_bytes=10**6, vcf_bytes=10**5, merged_records=240)
    for r in hail:
        r.update(shards_cpu_s=80.0, gvcf_bytes=10**5, vcf_bytes=10**5, combine_cpu_s=20.0)
        r.update(combine_peak_mb=1500.0, export_cpu_s=80.0, store_bytes=4 * 10**4)
    rows = {"full": full, "hail": hail}
    summaries = [calc.path_summary(p, rs) for p, rs in rows.items()]
    one = {"cpu_s": 20.0, "wall_s": 25.0, "peak_mb": 900.0, "written": 10, "store": 1000}
    adds = [calc.add_row("hail", 4, 1, one, {**one, "cpu_s": 22.0, "written": 900})]
    forms = [
        {"form": "full", "samples": 8, "mb_per_mb_per_sample": 1.0, "records_per_mb": 29000.0},
        {"form": "hail-ready", "samples": 8, "mb_per_mb_per_sample": 0.05, "records_per_mb": 1500},
    ]
    for r in forms:
        r.update(gb_per_genome=2.9, make_cpu_s_per_mb=5.0, joint_path="full", joint_n=8)
    forms[0].update(joint_cpu_s=5.0, joint_records=182, joint_records_differ=0, snv_f1=1.0)
    a = SimpleNamespace(tile=2, genome_kb=60, coverage=30.0, cores=2)
    c = SimpleNamespace(mb=0.06, shards=["1", "2", "3", "4"])
    report.print_scaling(a, c, rows, 1.0)
    report.print_summary(summaries)
    report.print_adds(adds)
    report.print_forms(a, c, forms, ["a note"], "")
    shown = capsys.readouterr().out
    assert "bcftools, full gVCFs (before)" in shown and "target NOT met" in shown
    assert "hail cohort store" in shown and "a note" in shown
    for name in ("RESULTS", "SUMMARY_RESULTS", "ADD_RESULTS", "GVCF_RESULTS"):
        monkeypatch.setattr(report, name, tmp_path / f"{name}.tsv")
    monkeypatch.setattr(report.bl, "RESULTS", tmp_path)
    monkeypatch.setattr(report.bl, "ROOT", tmp_path.parent)
    report.write_results(a, rows, summaries, adds, forms, 1.0)
    scaling = (tmp_path / "RESULTS.tsv").read_text().splitlines()
    assert scaling[0].split("\t") == report.COLUMNS and len(scaling) == 5
    first = dict(zip(report.COLUMNS, scaling[1].split("\t")))
    assert (first["path"], first["n"], first["cores"], first["tile"]) == ("full", "4", "2", "2")
    added = (tmp_path / "ADD_RESULTS.tsv").read_text().splitlines()
    row = dict(zip(report.ADD_COLUMNS, added[1].split("\t")))
    assert row["ratio_written_vs_rebuild"] == str(round(10 / 900, 4))
    summary = (tmp_path / "SUMMARY_RESULTS.tsv").read_text().splitlines()
    assert len(summary) == 3 and summary[0].split("\t") == report.SUMMARY_COLUMNS
    assert len((tmp_path / "GVCF_RESULTS.tsv").read_text().splitlines()) == 3


def test_first_error():
    tail = (
        "command failed (exit 1): python hail_cohort.py export ...\n"
        "is.hail.utils.HailException: length mismatch\n\tat x\n"
        "Error summary: HailException: length mismatch between entry array and column array\n"
    )
    assert calc.first_error(tail).startswith("Error summary: HailException: length mismatch")
    crash = "command failed (exit 1): x\n# A fatal error has been detected by the Java Runtime\n"
    assert "fatal error" in calc.first_error(crash)
    assert calc.first_error("command failed (exit 124): x\nretrying\n") == (
        "timed out (--hail-timeout)"
    )
    assert calc.first_error("a\nlast words\n") == "last words"
    assert calc.first_error("") == "no error text" and len(calc.first_error("x" * 500)) == 240
    r = calc.add_row("hail", 4, 1, {"cpu_s": 1.0, "wall_s": 1.0, "export_error": "E"}, {})
    assert r["add_export_error"] == "E" and math.isnan(r["ratio_add_vs_rebuild_cpu"])
