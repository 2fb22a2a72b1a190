"""The structural-variant stage (workflow/sv.smk) by dry-run on the two-sample project:
the DAG before and after the gate, the rendered Delly commands, the germline filter's
sample count, sv.enabled: false, and a user's exclusion file checked before any job."""

import os
import re
import subprocess

from conftest import dry_run, write_config
from test_engines import commands, gated, jobs

SV_RULES = ["delly_merge_sites", "delly_genotype_sample", "bcftools_merge_sv_genotypes",
            "delly_filter_cohort_svs"]  # fmt: skip


def gated_sv(project, extra_config="", both=False):
    """Dry-run of the cohort SV BCF with the gate's table fabricated (A included, B not)
    and both samples' CRAMs and discovery calls present."""
    write_config(project, extra_config)
    for path in [
        *[f"results/align/{s}.cram{ext}" for s in "AB" for ext in ("", ".crai")],
        *[f"results/sv/discovery/{s}.bcf{ext}" for s in "AB" for ext in ("", ".csi")],
        "results/sv/exclude.bed",
    ]:
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).touch()
    return gated(project, SV_RULES, "results/sv/cohort.bcf", both)


def test_only_gated_samples_are_merged_and_genotyped(mini):
    out = gated_sv(mini)
    n = jobs(out)
    assert {r: n.get(r) for r in SV_RULES} == dict.fromkeys(SV_RULES, 1)
    (merge,) = commands(out, "delly_merge_sites")
    assert "delly merge --outfile results/sv/work/sites.bcf results/sv/discovery/A.bcf" in merge
    assert "B.bcf" not in merge
    (genotype,) = commands(out, "delly_genotype_sample")
    assert (
        'delly call --genome results/reference/genome.fa "${excl[@]}"'
        " --vcffile results/sv/work/sites.bcf --outfile results/sv/genotypes/A.bcf"
        " results/align/A.cram" in genotype
    )
    (cohort,) = commands(out, "bcftools_merge_sv_genotypes")
    assert "bcftools merge --merge id -Ob -o results/sv/work/genotypes.bcf" in cohort
    # the germline filter from sv.min_samples_germline_filter (20) gated samples on,
    # counted from the gate's table when the job runs
    (final,) = commands(out, "delly_filter_cohort_svs")
    assert "if [ $n -ge 20 ]; then delly filter --filter germline" in final
    assert "seal_deliverable.sh results/sv/cohort.bcf" in final


def test_the_germline_filter_threshold_is_configurable(mini):
    out = gated_sv(mini, "sv:\n  min_samples_germline_filter: 2\n", both=True)
    (final,) = commands(out, "delly_filter_cohort_svs")
    assert "if [ $n -ge 2 ]; then delly filter" in final


def test_discovery_runs_for_every_sample_before_the_gate(mini):
    out = dry_run(mini).stdout
    calls = commands(out, "delly_call_sample")
    assert len(calls) == 2 and all("UniqueDiscordantPairs=0" in c for c in calls)
    assert any(
        re.search(
            r'delly call --genome results/reference/genome.fa "\$\{excl\[@\]\}"'
            r"\s+--outfile results/sv/discovery/B.bcf results/align/B.cram",
            c,
        )
        for c in calls
    )


def test_an_empty_exclusion_file_is_left_out_of_delly_s_options(mini, tmp_path):
    """Delly stops with "Exclude file is missing" on an empty file (a reference slice with
    no N runs): the rendered command passes --exclude only when the file has regions."""
    calls = commands(dry_run(mini).stdout, "delly_call_sample")
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "delly").write_text('#!/bin/sh\necho "delly $*"\n')
    (stub / "delly").chmod(0o755)
    env = {**os.environ, "PATH": f"{stub}:{os.environ['PATH']}"}
    for regions in ("", "chr1\t0\t10\n"):
        (mini / "results/sv").mkdir(parents=True, exist_ok=True)
        (mini / "results/sv/exclude.bed").write_text(regions)
        (mini / "logs/delly_call_sample").mkdir(parents=True, exist_ok=True)
        subprocess.run(["bash", "-euo", "pipefail", "-c", calls[0]], cwd=mini, env=env, check=True)
        log = next((mini / "logs/delly_call_sample").glob("*.log")).read_text()
        passed = "--exclude results/sv/exclude.bed" in log
        assert passed == bool(regions), log


def test_a_one_sample_cohort_s_genotypes_are_copied_not_merged(mini):
    """bcftools merge stops on a single file (its usage text): with one gated sample, as
    NA12878 alone, the rendered command writes that sample's BCF as the cohort's."""
    (cmd,) = commands(gated_sv(mini), "bcftools_merge_sv_genotypes")
    one = mini / "results/sv/genotypes/A.bcf"
    one.parent.mkdir(parents=True, exist_ok=True)
    vcf = (
        "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=1000>\n"
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\n"
        "chr1\t100\tDEL00000001\tN\t<DEL>\t.\tPASS\t.\tGT\t0/1\n"
    )
    subprocess.run(["bcftools", "view", "-Ob", "-o", one], input=vcf, text=True, check=True)
    (mini / "logs").mkdir(exist_ok=True)
    (mini / "results/sv/work").mkdir(parents=True, exist_ok=True)  # Snakemake makes it
    subprocess.run(["bash", "-euo", "pipefail", "-c", cmd], cwd=mini, check=True)
    out = subprocess.run(
        ["bcftools", "query", "-f", "%ID [%SAMPLE=%GT]\n", "results/sv/work/genotypes.bcf"],
        cwd=mini, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert out == "DEL00000001 A=0/1\n"
    assert (mini / "results/sv/work/genotypes.bcf.csi").is_file()


def test_sv_calling_can_be_switched_off(mini):
    write_config(mini, "sv:\n  enabled: false\n")
    n = jobs(dry_run(mini).stdout)
    assert not {r for r in n if "sv" in r or "delly" in r}
    assert n["sample_metrics"] == 2 and n["release_allele_frequencies"] == 1


def test_an_exclusion_file_in_another_naming_stops_the_run(mini):
    (mini / "excl.tsv").write_text("1\t0\t100\ttelomere\nX\t0\t100\ttelomere\n")
    write_config(mini, "sv:\n  exclude: excl.tsv\n")
    proc = dry_run(mini, check=False)
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "sv.exclude 'excl.tsv' names contigs 1, X" in text
    assert "which the reference calls chr1, chrX" in text
    assert not (mini / "results").exists() or not any((mini / "results").rglob("*.bcf"))
