"""The overhead harness's helpers (benchmarks/bench_overhead.py, benchlib.py,
snakemake_jobtimes.py): the per-rule sums, the rules' benchmark: files, the per-job CPU
recording, results and tables. Cheap: nothing runs but a short subprocess.
(benchmarks/ is on pytest's pythonpath; the floor's tests, with unit kinds and the
options it renders, are in test_bench_floor.py.)"""

import json
import subprocess
import sys

import bench_overhead
import benchlib as bl
import snakemake_jobtimes

ROOT = bl.ROOT


def test_per_rule_sums_jobs_and_benchmark_files():
    jobtimes = [
        {"rule": "bwa_mem", "wall": 10.0, "cpu": 18.0},
        {"rule": "bwa_mem", "wall": 5.0, "cpu": 9.0},
        {"rule": "(snakemake)", "wall": 0.1, "cpu": 0.05},
    ]
    bench = [{"rule": "bwa_mem", "job": "S01.L001", "s": 10.0, "max_rss": 900.0, "cpu_time": 12.0}]
    rules = bench_overhead.per_rule(jobtimes, bench)
    assert rules["bwa_mem"]["jobs"] == 2 and rules["bwa_mem"]["cpu"] == 27.0
    assert rules["bwa_mem"]["wall"] == 15.0
    assert rules["bwa_mem"]["bench_cpu"] == 12.0 and rules["bwa_mem"]["max_rss_mb"] == 900.0
    assert rules["(snakemake)"]["jobs"] == 0


def test_read_benchmarks(tmp_path):
    (tmp_path / "bwa_mem").mkdir()
    (tmp_path / "bwa_mem" / "S01.L001.tsv").write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        "20.65\t0:00:20\t1423.68\t1677.43\t1406.93\t1410.16\t5.91\t0.61\t86.24\t18.22\n"
    )
    (tmp_path / "mosdepth").mkdir()
    (tmp_path / "mosdepth" / "S01.tsv").write_text(
        "s\th:m:s\tmax_rss\tcpu_time\n0.4\t0:00:00\tNA\tNA\n"
    )
    rows = bl.read_benchmarks(tmp_path)
    assert rows[0] == {
        "rule": "bwa_mem",
        "job": "S01.L001",
        "s": 20.65,
        "max_rss": 1423.68,
        "cpu_time": 18.22,
    }
    assert rows[1]["cpu_time"] == 0.0 and rows[1]["max_rss"] == 0.0


def test_jobtimes_records_a_jobs_exact_cpu(tmp_path):
    out = tmp_path / "jobs.jsonl"
    code = (
        "import subprocess, sys\n"
        "import snakemake_jobtimes as j\n"
        f"j.install({str(out)!r})\n"
        "class Rule: name = 'busy_rule'\n"
        "def run_wrapper(job_rule, wildcards, jobid):\n"
        "    subprocess.Popen([sys.executable, '-c', 'x = sum(range(3_000_000))']).wait()\n"
        "run_wrapper(Rule(), {'sample': 'S01'}, 7)\n"
        "subprocess.run(['true'])\n"
    )
    # `python -c` imports from its working directory: benchmarks/
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT / "benchmarks")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rule"] for r in records] == ["busy_rule", "(snakemake)"]
    assert records[0]["jobid"] == 7 and records[0]["wildcards"] == {"sample": "S01"}
    assert records[0]["cpu"] > 0.01 and records[0]["wall"] >= records[0]["cpu"] * 0.5
    assert snakemake_jobtimes.record is not None


def test_results_rows_and_tables(tmp_path):
    path = tmp_path / "r.tsv"
    bl.append_row(path, ["a", "b"], {"a": 1, "b": 0.5})
    bl.append_row(path, ["a", "b"], {"a": 2})
    assert path.read_text() == "a\tb\n1\t0.5\n2\t\n"
    bl.append_row(path, ["a", "c"], {"a": 3, "c": "x"})  # new columns: the old file is kept aside
    assert path.read_text() == "a\tc\n3\tx\n" and len(list(tmp_path.glob("r.*.old.tsv"))) == 1
    text = bl.table(["rule", "s"], [["bwa_mem", "1.0"], ["x", "10.25"]])
    assert text.splitlines()[0] == "rule         s" and text.splitlines()[3] == "x        10.25"
    assert bl.seconds(424) == "7 min 4 s" and bl.seconds(12.34) == "12.3 s"
