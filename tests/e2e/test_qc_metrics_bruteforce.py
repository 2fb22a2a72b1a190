"""scripts/sample_metrics.py against an independent brute-force pysam computation.

On 60 kb of chr1 of the demo S02 CRAM (no N bases), the tool outputs the pipeline uses
(mosdepth thresholds, samtools stats, the sample's own bcftools calls through
``bcftools view | bcftools stats -s -``) are made with the pipeline's commands, parsed
by sample_metrics, and compared with pysam recomputing every metric from the reads and
the VCF. GA4GH counts two implementations as equivalent within 5% relative difference;
every metric must be. Duplication is checked on the whole CRAM against the pipeline's
own ``samtools markdup -f`` file (markdup cannot be re-run on a region: mates outside it).

The coverage brute force follows Picard CollectWgsMetrics (the GA4GH reference): reads
not unmapped/secondary/supplementary/duplicate/QC-fail with MAPQ >= 20, aligned bases
(no deletions) with BQ >= 20, a fragment's overlapping mate bases once, depth capped at
250. mosdepth has no BQ filter; the test prints how much that moves each coverage metric
(brute force with and without BQ >= 20).
"""

import math
from collections import defaultdict

import numpy as np
import pysam
import pytest
from conftest import DEMO_DATA, DEMO_RESULTS, run

from refcohort.qc import metrics as sm
from refcohort.qc.coverage import MAX_DEPTH, read_thresholds

RESULTS = DEMO_RESULTS
SAMPLE = "S02"
SEX_CODE = "M"  # S02 is declared male (the per-sample calls use the sex for chrX/Y ploidy)
CHROM, START, END = "chr1", 100_000, 160_000  # 0-based half-open, no N in the demo genome
TOLERANCE = 0.05
EXCLUDE_FLAGS = 0x4 | 0x100 | 0x200 | 0x400 | 0x800  # 3844, as mosdepth --flag
TRANSITIONS = ({"A", "G"}, {"C", "T"})


def rel_diff(tool, brute) -> float:
    """|tool - brute| / |brute|; 0 when both are 0, inf when only brute is 0."""
    if tool is None or brute is None:
        return math.inf
    if brute == 0:
        return 0.0 if tool == 0 else math.inf
    return abs(tool - brute) / abs(brute)


# --------------------------------------------------------------------------- brute force


def brute_depth(cram: str, fasta: str, min_mapq: int = 20, min_bq: int = 20) -> np.ndarray:
    """Per-base depth over [START, END), Picard CollectWgsMetrics rules, capped at 250."""
    depth = np.zeros(END - START, dtype=np.int64)
    fragments: dict[str, list[np.ndarray]] = defaultdict(list)
    with pysam.AlignmentFile(cram, reference_filename=fasta) as aln:
        for read in aln.fetch(CHROM, START, END):
            if read.flag & EXCLUDE_FLAGS or read.mapping_quality < min_mapq:
                continue
            pairs = np.array(read.get_aligned_pairs(matches_only=True), dtype=np.int64).reshape(
                -1, 2
            )
            quals = np.asarray(read.query_qualities)
            ref_pos = pairs[:, 1]
            keep = (ref_pos >= START) & (ref_pos < END) & (quals[pairs[:, 0]] >= min_bq)
            fragments[read.query_name].append(ref_pos[keep])
    for parts in fragments.values():
        positions = np.unique(np.concatenate(parts))  # a fragment covers a base once
        depth[positions - START] += 1
    return np.minimum(depth, MAX_DEPTH)


def brute_coverage(depth: np.ndarray) -> dict[str, float]:
    median = float(np.median(depth))
    return {
        "mean_autosome_coverage": float(depth.mean()),
        "pct_autosomes_15x": float((depth >= 15).mean() * 100),
        "genome_coverage_uniformity": float(np.median(np.abs(depth - median))),
    }


def brute_reads(cram: str, fasta: str) -> dict[str, float]:
    """Read metrics over the primary reads fetched from the region."""
    n = mapped = paired = proper = q30 = 0
    n_pairs = chimeric = 0
    isizes = []
    with pysam.AlignmentFile(cram, reference_filename=fasta) as aln:
        for read in aln.fetch(CHROM, START, END):
            if read.is_secondary or read.is_supplementary:
                continue
            n += 1
            q30 += int((np.asarray(read.query_qualities) >= 30).sum())
            mapped += not read.is_unmapped
            paired += read.is_paired
            proper += read.is_proper_pair
            if (
                read.is_paired
                and read.is_read1
                and not read.is_unmapped
                and not read.mate_is_unmapped
            ):
                n_pairs += 1
                chimeric += read.reference_id != read.next_reference_id
            if read.is_proper_pair and read.is_read1 and read.template_length != 0:
                isizes.append(abs(read.template_length))
    isizes = np.array(isizes, dtype=float)
    return {
        "bases_q30": q30,
        "pct_reads_mapped": 100 * mapped / n,
        "pct_reads_properly_paired": 100 * proper / paired,
        "mean_insert_size": float(isizes.mean()),
        "insert_size_std": float(isizes.std()),
        "pct_chimeras": 100 * chimeric / n_pairs,
    }


def brute_duplication(cram: str, fasta: str) -> float:
    """Percent of primary mapped reads flagged duplicate, whole CRAM."""
    total = dups = 0
    with pysam.AlignmentFile(cram, reference_filename=fasta) as aln:
        for read in aln.fetch(until_eof=True):
            if read.is_unmapped or read.is_secondary or read.is_supplementary:
                continue
            total += 1
            dups += read.is_duplicate
    return 100 * dups / total


def allele_type(ref: str, alt: str) -> str:
    if len(ref) != len(alt):
        return "indel"
    return "snp" if sum(a != b for a, b in zip(ref, alt)) == 1 else "other"


def brute_variants(vcf: str, min_qual: float = 30) -> dict[str, float]:
    """Variant metrics straight from the per-sample VCF (QUAL >= 30, region, all-SNV or
    all-indel records; het = two different alleles, hom = two equal ALT alleles)."""
    c = defaultdict(int)
    with pysam.VariantFile(vcf) as vf:
        for rec in vf.fetch(CHROM, START, END):
            if rec.qual is None or rec.qual < min_qual or not START <= rec.start < END:
                continue
            types = {allele_type(rec.ref, alt) for alt in rec.alts}
            if len(types) != 1 or types == {"other"}:
                continue
            kind = types.pop()
            gt = [a for a in rec.samples[0]["GT"] if a is not None]
            if not any(a > 0 for a in gt):
                continue
            if len(gt) == 1:
                c[f"{kind}_hap"] += 1
            elif len(set(gt)) > 1:
                c[f"{kind}_het"] += 1
            else:
                c[f"{kind}_hom"] += 1
            if kind == "snp":
                alt = rec.alleles[min(a for a in gt if a > 0)]
                c["ts" if {rec.ref, alt} in TRANSITIONS else "tv"] += 1
            else:
                for alt in rec.alts:
                    c["ins" if len(alt) > len(rec.ref) else "del"] += 1
    return {
        "count_snvs": c["snp_het"] + c["snp_hom"] + c["snp_hap"],
        "count_insertions": c["ins"],
        "count_deletions": c["del"],
        "ratio_ins_del": c["ins"] / c["del"],
        "ratio_het_hom_snv": c["snp_het"] / c["snp_hom"],
        "ratio_het_hom_indel": c["indel_het"] / c["indel_hom"],
        "ratio_ti_tv": c["ts"] / c["tv"],
    }


# --------------------------------------------------------------------------- tool outputs


@pytest.fixture(scope="module")
def inputs(demo_run):
    cram = RESULTS / "align" / f"{SAMPLE}.cram"
    fasta = RESULTS / "reference" / "genome.fa"
    gvcf = RESULTS / "gvcf" / f"{SAMPLE}.g.vcf.gz"
    markdup = RESULTS / "qc" / "markdup" / f"{SAMPLE}.markdup.txt"
    for path in (cram, fasta, gvcf, markdup):
        assert path.exists(), f"{path} missing: the demo run did not make it"
    return {"cram": str(cram), "fasta": str(fasta), "gvcf": str(gvcf), "markdup": str(markdup)}


@pytest.fixture(scope="module")
def tool_outputs(inputs, tmp_path_factory):
    """The pipeline's commands, restricted to the region."""
    tmp = tmp_path_factory.mktemp("bruteforce")
    region = f"{CHROM}:{START + 1}-{END}"
    classes = tmp / "regions.bed"
    classes.write_text(f"{CHROM}\t{START}\t{END}\tautosome\n")
    targets = tmp / "autosomes.bed"
    targets.write_text(f"{CHROM}\t{START}\t{END}\n")
    thresholds = ",".join(str(d) for d in range(1, MAX_DEPTH + 1))
    run(
        [
            "mosdepth",
            "--no-per-base",
            "--by",
            classes,
            "--mapq",
            "20",
            "--flag",
            "3844",
            "--thresholds",
            thresholds,
            "--fasta",
            inputs["fasta"],
            tmp / SAMPLE,
            inputs["cram"],
        ]
    )
    stats = tmp / "stats.txt"
    stats.write_text(
        run(["samtools", "stats", "--reference", inputs["fasta"], inputs["cram"], region]).stdout
    )
    samples = tmp / "samples.txt"
    samples.write_text(f"{SAMPLE}\t{SEX_CODE}\n")
    vcf = tmp / f"{SAMPLE}.vcf.gz"
    run(
        [
            "bcftools",
            "call",
            "-m",
            "-v",
            "--ploidy-file",
            DEMO_DATA / "ploidy.txt",
            "--samples-file",
            samples,
            "-r",
            region,
            "-Oz",
            "-o",
            vcf,
            inputs["gvcf"],
        ]
    )
    run(["tabix", "-p", "vcf", vcf])
    out = {"thresholds": tmp / f"{SAMPLE}.thresholds.bed.gz", "stats": stats, "vcf": vcf}
    for kind in ("snp", "indel"):
        run(
            [
                "bash",
                "-c",
                'set -o pipefail; bcftools view -i "$1" -T "$2" -Ou "$3"'
                ' | bcftools stats -s - > "$4"',
                "_",
                f'QUAL>=30 && TYPE="{kind}"',
                str(targets),
                str(vcf),
                str(tmp / f"{kind}s.txt"),
            ]
        )
        out[f"{kind}s"] = tmp / f"{kind}s.txt"
    return out


def test_metrics_match_bruteforce(inputs, tool_outputs):
    tool = {}
    tool.update(sm.alignment_metrics(sm.parse_samtools_stats(tool_outputs["stats"])))
    tool.update(sm.duplication_metrics(sm.parse_markdup(inputs["markdup"])))
    tool.update(sm.coverage_metrics(read_thresholds(tool_outputs["thresholds"])["autosome"]))
    tool.update(sm.snv_metrics(sm.parse_bcftools_stats(tool_outputs["snps"])))
    tool.update(sm.indel_metrics(sm.parse_bcftools_stats(tool_outputs["indels"])))

    depth_bq20 = brute_depth(inputs["cram"], inputs["fasta"], min_bq=20)
    depth_any_bq = brute_depth(inputs["cram"], inputs["fasta"], min_bq=0)
    brute = brute_coverage(depth_bq20)
    no_bq = brute_coverage(depth_any_bq)
    brute.update(brute_reads(inputs["cram"], inputs["fasta"]))
    brute["pct_duplication"] = brute_duplication(inputs["cram"], inputs["fasta"])
    brute.update(brute_variants(str(tool_outputs["vcf"])))

    names = [m for m in sm.METRICS if m in brute]
    assert set(names) == set(brute), "brute force computed a metric sample_metrics does not report"
    print(f"\n{SAMPLE} {CHROM}:{START + 1}-{END}: sample_metrics vs pysam brute force")
    print(f"{'metric':<28}{'tool':>14}{'brute':>14}{'rel.diff':>10}")
    failures = []
    for name in names:
        diff = rel_diff(tool[name], brute[name])
        print(f"{name:<28}{tool[name]:>14.4f}{brute[name]:>14.4f}{diff:>10.2%}")
        if not diff <= TOLERANCE:
            failures.append(f"{name}: tool {tool[name]} vs brute force {brute[name]} ({diff:.2%})")
    print("BQ >= 20 effect (mosdepth cannot filter on BQ): brute force without vs with the filter")
    for name, value in no_bq.items():
        print(
            f"{name:<28}{value:>14.4f}{brute[name]:>14.4f}{rel_diff(value, brute[name]):>10.2%}"
            f"   tool vs no-BQ brute: {rel_diff(tool[name], value):.2%}"
        )
    assert not failures, "\n".join(failures)
