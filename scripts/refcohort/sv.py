"""Structural variants with Delly (docs/structural-variants.md): the regions Delly is told
to leave out, each sample's SV counts for the QC table, and the scoring of SV calls
against a truth set (a breakpoint tolerance and reciprocal overlap).

* Excluded regions (``delly call -x``): the reference's N runs with ``pad`` bases on each
  side (telomeres and gaps; GRCh38's centromeres are sequence, not N: give Delly's own
  exclusion file, ``human.hg38.excl.tsv``, as ``sv.exclude`` for a human genome).
* Counts: a sample's own Delly discovery calls that PASS, by SVTYPE.
* Scoring, per sample and SV type: a truth SV the sample carries is found when a call of
  the same type that the sample carries has both breakpoints within ``max_distance`` of
  the truth's and the two intervals overlap by at least ``min_overlap`` of each one's
  length (reciprocal overlap); calls are matched one to one, closest first, after calls
  of one event are collapsed into one (an inversion's two junctions). The criteria are
  Truvari's (``truvari collapse``, then ``truvari bench --refdist 500 --pctovl 0.5
  --pctseq 0``), for symbolic alleles, which carry no sequence to compare.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pysam
from cyvcf2 import VCF

from .intervals import acgt_runs
from .io import bed_records, read_tsv, write_bed, write_tsv
from .qc.definitions import SV_FIELDS

# the QC table's SV columns (results/qc/{sample}.qc.json) and their types
COUNT_METRICS = {field: field.rsplit("_", 1)[1].upper() for field in SV_FIELDS}
SV_TYPES = tuple(COUNT_METRICS.values())


# ------------------------------------------------------------------ excluded regions
def excluded_regions(fasta: str, pad: int = 500) -> list[tuple[str, int, int]]:
    """The N runs of every contig, ``pad`` bases wider on each side (within the contig)."""
    out = []
    with pysam.FastaFile(fasta) as fa:
        for contig, length in zip(fa.references, fa.lengths):
            cursor = 0
            for start, end in acgt_runs(fa.fetch(contig)):
                if start > cursor:
                    out.append((contig, max(0, cursor - pad), min(length, start + pad)))
                cursor = end
            if cursor < length:
                out.append((contig, max(0, cursor - pad), length))
    return out


# ------------------------------------------------------------------ per-sample counts
def sv_counts(bcf: str) -> dict[str, int]:
    """PASS calls of a sample's discovery BCF that its genotype carries, by type."""
    counts = dict.fromkeys(COUNT_METRICS, 0)
    with pysam.VariantFile(bcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            if "PASS" not in rec.filter.keys():
                continue
            svtype = str(rec.info.get("SVTYPE", ""))
            gt = rec.samples[samples[0]]["GT"] if samples else None
            if gt is None or not any(a not in (None, 0) for a in gt):
                continue
            key = f"count_sv_{svtype.lower()}"
            if key in counts:
                counts[key] += 1
    return counts


# ------------------------------------------------------------------ scoring
@dataclass(frozen=True)
class SV:
    contig: str
    start: int
    end: int
    svtype: str
    carried: bool


def read_svs(path: str, sample: str) -> list[SV]:
    """The sample's SVs of a (multi-sample) VCF/BCF: DEL, DUP, INV with their INFO/END
    (cyvcf2: pysam takes the end from the record's reference length, 1 in Delly's BCFs);
    ``carried`` when the sample's genotype has the ALT allele. Filtered records are left
    out."""
    vcf = VCF(path)
    if sample not in vcf.samples:
        return []
    index = vcf.samples.index(sample)
    out = []
    for rec in vcf:
        svtype = rec.INFO.get("SVTYPE")
        if svtype not in ("DEL", "DUP", "INV") or rec.FILTER not in (None, "PASS"):
            continue
        alleles = rec.genotypes[index][:-1]
        carried = any(a not in (-1, 0) for a in alleles)
        out.append(SV(rec.CHROM, rec.POS, int(rec.INFO.get("END")), svtype, carried))
    vcf.close()
    return out


def collapse(calls: list[SV], max_distance: int = 500) -> list[SV]:
    """One call per event: a call of the same type and carriage as an earlier one with
    both breakpoints within ``max_distance`` of it is dropped (Delly reports an
    inversion's two junctions, 3to3 and 5to5, as two records; ``truvari collapse``)."""
    kept: list[SV] = []
    for c in calls:
        if not any(
            k.contig == c.contig
            and k.svtype == c.svtype
            and k.carried == c.carried
            and abs(k.start - c.start) <= max_distance
            and abs(k.end - c.end) <= max_distance
            for k in kept
        ):
            kept.append(c)
    return kept


def reciprocal_overlap(a: SV, b: SV) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return min(inter / max(1, a.end - a.start), inter / max(1, b.end - b.start))


def match(truth: SV, call: SV, max_distance: int, min_overlap: float) -> bool:
    return (
        truth.contig == call.contig
        and truth.svtype == call.svtype
        and abs(truth.start - call.start) <= max_distance
        and abs(truth.end - call.end) <= max_distance
        and reciprocal_overlap(truth, call) >= min_overlap
    )


def score(
    truth: list[SV], calls: list[SV], max_distance: int = 500, min_overlap: float = 0.5
) -> dict[str, dict[str, int]]:
    """{svtype: {tp, fp, fn}} of the carried calls against the carried truth SVs."""
    want = [t for t in truth if t.carried]
    have = [c for c in calls if c.carried]
    used: set[int] = set()
    result = {t: {"tp": 0, "fp": 0, "fn": 0} for t in ("DEL", "DUP", "INV")}
    for t in want:
        options = [
            (abs(t.start - c.start) + abs(t.end - c.end), i)
            for i, c in enumerate(have)
            if i not in used and match(t, c, max_distance, min_overlap)
        ]
        if options:
            used.add(min(options)[1])
            result[t.svtype]["tp"] += 1
        else:
            result[t.svtype]["fn"] += 1
    for i, c in enumerate(have):
        if i not in used:
            result[c.svtype]["fp"] += 1
    return result


def accuracy_rows(sample: str, scores: dict[str, dict[str, int]]) -> list[dict[str, object]]:
    rows = []
    total = {"tp": 0, "fp": 0, "fn": 0}
    for svtype, s in list(scores.items()) + [("ALL", total)]:
        if svtype != "ALL":
            for k in total:
                total[k] += s[k]
        tp, fp, fn = s["tp"], s["fp"], s["fn"]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"sample": sample, "type": svtype, "tp": tp, "fp": fp, "fn": fn,
                     "precision": f"{precision:.4f}", "recall": f"{recall:.4f}",
                     "f1": f"{f1:.4f}"})  # fmt: skip
    return rows


ACCURACY_COLUMNS = ["sample", "type", "tp", "fp", "fn", "precision", "recall", "f1"]


# ------------------------------------------------------------------ Snakemake adapters
def given_regions(path: str, contigs: set[str]) -> list[tuple[str, int, int]]:
    """The intervals of a user's exclusion file (BED, or Delly's own TSV: contig, start,
    end[, ...]) on the reference's contigs (the file was checked before the run:
    refcohort.validation.reference.sv_exclude_problems)."""
    return [
        (fields[0], int(fields[1]), int(fields[2]))
        for fields in bed_records(path)
        if fields[0] in contigs
    ]


def exclude_main(smk) -> None:
    """Rule make_sv_exclude: input fasta, given (optional: sv.exclude); output bed;
    params pad; log."""
    sys.stderr = open(smk.log[0], "w")
    regions = excluded_regions(smk.input.fasta, int(smk.params.pad))
    print(f"{len(regions)} N-run regions of the reference", file=sys.stderr)
    if smk.input.get("given"):
        with pysam.FastaFile(smk.input.fasta) as fa:
            given = given_regions(str(smk.input.given), set(fa.references))
        print(f"{len(given)} regions of {smk.input.given}", file=sys.stderr)
        regions = sorted(regions + given)
    write_bed(smk.output.bed, regions)


def counts_main(smk) -> None:
    """Rule count_svs: input bcf (the sample's discovery calls); output json; log."""
    sys.stderr = open(smk.log[0], "w")
    counts = sv_counts(smk.input.bcf)
    Path(smk.output.json).write_text(json.dumps(counts, indent=2) + "\n")
    print(json.dumps(counts), file=sys.stderr)


def accuracy_main(smk) -> None:
    """Rule compare_svs: input truth (multi-sample SV VCF), calls (the cohort SV BCF);
    output tsv; params samples (the gated ones; those the truth has are scored),
    max_distance, min_overlap; log."""
    sys.stderr = open(smk.log[0], "w")
    with pysam.VariantFile(smk.input.truth) as vf:
        in_truth = set(vf.header.samples)
    rows = []
    for sample in [s for s in smk.params.samples if s in in_truth]:
        scores = score(
            read_svs(smk.input.truth, sample),
            collapse(read_svs(smk.input.calls, sample), int(smk.params.max_distance)),
            int(smk.params.max_distance),
            float(smk.params.min_overlap),
        )
        rows += accuracy_rows(sample, scores)
    write_tsv(smk.output.tsv, ACCURACY_COLUMNS, rows)


# ------------------------------------------------------------------ report
TYPE_COLOURS = {
    "DEL": "#d9534f",
    "DUP": "#5bc0de",
    "INV": "#f0ad4e",
    "INS": "#5cb85c",
    "BND": "#999999",
}


def report_section(rows: list[dict[str, str]]) -> dict:
    """MultiQC custom content: each sample's PASS discovery calls by SV type (from the
    QC table), a bar per sample; a sample without counts ('' with sv.enabled false, NA
    where its processing failed) has no bar."""
    data = {}
    for row in rows:
        counts = {}
        for metric, svtype in COUNT_METRICS.items():
            value = row.get(metric, "")
            if value not in ("", "NA", None):
                counts[svtype] = int(float(value))
        if counts:
            data[row["sample"]] = counts
    return {
        "id": "sv_counts",
        "section_name": "Structural variants",
        "description": (
            "Each sample's own Delly calls that PASS, by type (deletions, duplications, "
            "inversions, insertions, breakends), before the cohort's sites are merged "
            "(docs/structural-variants.md; an inversion is two calls, one per junction). "
            "Samples of one cohort are expected to carry "
            "similar numbers; a sample far above the others points to a library problem "
            "(chimeric reads, contamination), one far below to short inserts or low depth."
        ),
        "plot_type": "bargraph",
        "pconfig": {
            "id": "sv_counts_bargraph",
            "title": "Structural variants per sample (Delly, PASS)",
            "ylab": "SV calls",
            "cpswitch_counts_label": "SV calls",
        },
        "categories": {t: {"name": t, "color": TYPE_COLOURS[t]} for t in SV_TYPES},
        "data": data,
    }


def report_main(smk) -> None:
    """Rule sv_report: input table (sample_qc.tsv); output yaml; log."""
    import yaml

    sys.stderr = open(smk.log[0], "w")
    section = report_section(read_tsv(smk.input.table))
    Path(smk.output.yaml).write_text(yaml.safe_dump(section, sort_keys=False))
    print(f"{len(section['data'])} samples with SV counts", file=sys.stderr)
