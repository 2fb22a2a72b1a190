"""Unit tests for refcohort.qc.metrics (scripts/sample_metrics.py): assembling the sample
metrics and main(); the parsers of the tool outputs are in
test_sample_metrics_parsers.py."""

import json
import sys

from sample_metrics_inputs import MARKDUP, SAMTOOLS_STATS, bcftools_stats_text, write_thresholds

from refcohort.qc import definitions
from refcohort.qc import metrics as sm

# --------------------------------------------------------------------------- assembly and main


def test_read_json_fields(tmp_path):
    path = tmp_path / "sex.json"
    path.write_text(json.dumps({"karyotype": "XY", "x_autosome_ratio": 0.5, "extra": 1}))
    assert sm.read_json_fields(path, ("karyotype", "x_autosome_ratio", "sex_check")) == {
        "karyotype": "XY",
        "x_autosome_ratio": 0.5,
        "sex_check": None,
    }
    assert sm.read_json_fields(None, ("a",)) == {"a": None}


def test_ratio():
    assert sm.ratio(1, 4) == 0.25 and sm.ratio(1, 4, 100) == 25.0
    assert (
        sm.ratio(1, 0) is None and sm.ratio(None, 1) is None and sm.ratio(1, float("nan")) is None
    )


def test_metric_lists_are_consistent():
    assert len(sm.METRICS) == len(set(sm.METRICS))
    assert set(sm.DEFINITIONS) == set(sm.METRICS)
    assert set(definitions.GA4GH_IDS) <= set(sm.METRICS)


class Named(list):
    """Enough of snakemake's Namedlist: attributes, .get, and list indexing."""

    def __init__(self, items=(), **named):
        super().__init__(items)
        self.__dict__.update(named)

    def get(self, key, default=None):
        return self.__dict__.get(key, default)


class Smk:
    def __init__(self, input, output, params, log):
        self.input, self.output, self.params, self.log = input, output, params, log


def write_inputs(tmp_path) -> dict:
    (tmp_path / "stats.txt").write_text(SAMTOOLS_STATS)
    (tmp_path / "markdup.txt").write_text(MARKDUP)
    write_thresholds(
        tmp_path / "t.bed.gz", [("chr1", 0, "autosome", [0, 1, 2, 2, 3, 5, 8, 300, 1000, 20])]
    )
    (tmp_path / "snps.txt").write_text(
        bcftools_stats_text("PSC\t0\tS1\t0\t30\t60\t50\t25\t0\t28.7\t90\t0\t0\t0")
    )
    (tmp_path / "indels.txt").write_text(
        bcftools_stats_text(
            "PSC\t0\tS1\t0\t0\t0\t0\t0\t20\t27.5\t20\t0\t0\t0",
            "PSI\t0\tS1\t0\t0\t0\t0.00\t8\t8\t3\t2",
            ["IDD\t0\t-1\t8\t0\t.", "IDD\t0\t1\t10\t0\t."],
        )
    )
    (tmp_path / "sex.json").write_text(
        json.dumps(
            {
                "karyotype": "XY",
                "sex_check": "match",
                "declared_sex": "male",
                "x_autosome_ratio": 0.5012345678,
                "y_autosome_ratio": 0.48,
                "x_het_ratio": 0.02,
            }
        )
    )
    (tmp_path / "contam.json").write_text(
        json.dumps({"cross_contamination_rate": 0.0123456789, "n_sites": 9})
    )
    return {
        name: str(tmp_path / f)
        for name, f in [
            ("samtools_stats", "stats.txt"),
            ("markdup", "markdup.txt"),
            ("thresholds", "t.bed.gz"),
            ("snps", "snps.txt"),
            ("indels", "indels.txt"),
            ("sex", "sex.json"),
            ("contamination", "contam.json"),
        ]
    }


def test_sample_metrics_order_and_rounding(tmp_path):
    paths = write_inputs(tmp_path)
    m = sm.sample_metrics(**paths)
    assert list(m) == sm.METRICS
    assert m["pct_chimeras"] == round(7 / 490 * 100, 4)
    assert m["mean_autosome_coverage"] == 54.1 and m["genome_coverage_uniformity"] == 3.5
    assert m["cross_contamination_rate"] == 0.012346 and m["x_autosome_ratio"] == 0.501235
    assert m["count_snvs"] == 90 and m["ratio_het_hom_indel"] == 3.0 and m["ratio_ins_del"] == 1.25
    assert m["karyotype"] == "XY" and m["sex_check"] == "match" and m["declared_sex"] == "male"


def test_main_writes_json_with_null_contamination(tmp_path):
    paths = write_inputs(tmp_path)
    paths["contamination"] = Named()  # optional input absent: snakemake gives an empty list
    out = tmp_path / "S1.qc.json"
    log = tmp_path / "S1.log"
    smk = Smk(Named(**paths), Named(json=str(out)), Named(sample="S1"), Named([str(log)]))
    stderr = sys.stderr
    try:
        sm.main(smk)
    finally:
        sys.stderr.close()
        sys.stderr = stderr
    data = json.loads(out.read_text())
    assert data["sample"] == "S1"
    assert list(data["metrics"]) == sm.METRICS and list(data["definitions"]) == sm.METRICS
    assert data["metrics"]["cross_contamination_rate"] is None
    assert data["metrics"]["pct_duplication"] == 5.0
    assert "cross_contamination_rate is null" in log.read_text()
