"""Score a query call set against a truth call set (a tiny, allele-level hap.py).

Both VCFs are subset to one sample (`bcftools view -s`, all records kept),
normalised with ``bcftools norm -f REF -m-any --check-ref w`` (split
multi-allelics, left-align and trim indels) and optionally restricted to a BED
(0-based, half-open; applied *after* normalisation so both sides are judged on
left-aligned positions).  Calls are then matched on ``(chrom, pos, ref, alt)``.

Conventions:

* A split record is a call when its GT contains allele 1.  Class ``hom`` when
  every allele in GT is 1 (haploid ``1`` included), otherwise ``het``
  (``0/1``, ``1/0`` from a split ``1/2``, ``./1``).  ``0/0``, ``./.``, ``0``
  and ``.`` are not calls.
* Type ``SNV`` when ``len(REF) == len(ALT)`` (MNPs count as SNV, since they
  do not change length), otherwise ``INDEL``.  Symbolic, ``*`` and ``<*>``
  ALTs are dropped.
* Undefined ratios (0/0) are NaN, written as ``nan``; F1 is NaN when precision
  or recall is NaN and 0.0 when both are 0.
* Query records whose FILTER is not ``PASS``/``.`` are ignored unless
  ``--include-filtered``; truth FILTER values are never used.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable

from .io import BED_HEADERS, write_tsv

COLUMNS = [
    "label",
    "type",
    "truth_total",
    "query_total",
    "tp",
    "fp",
    "fn",
    "precision",
    "recall",
    "f1",
    "gt_tp",
    "gt_fp",
    "gt_fn",
    "gt_precision",
    "gt_recall",
    "gt_f1",
    "genotype_concordance",
]
TYPES = ["SNV", "INDEL", "ALL"]
_BASES = re.compile(r"^[ACGTN]+$")

Key = tuple[str, int, str, str]


def gt_class(gt: str) -> str | None:
    """Return ``'het'``/``'hom'`` for a split-record GT string, None if not a call."""
    alleles = re.split(r"[/|]", gt.strip())
    if "1" not in alleles:
        return None
    return "hom" if all(a == "1" for a in alleles) else "het"


def variant_type(ref: str, alt: str) -> str:
    """``SNV`` for equal-length REF/ALT (SNVs and MNPs), else ``INDEL``."""
    return "SNV" if len(ref) == len(alt) else "INDEL"


def _ratio(num: int, den: int) -> float:
    return num / den if den else math.nan


def _f1(p: float, r: float) -> float:
    """Harmonic mean; NaN if either input is NaN, 0.0 if both are 0."""
    if math.isnan(p) or math.isnan(r):
        return math.nan
    return 2 * p * r / (p + r) if p + r else 0.0


def _of_type(key: Key, vtype: str) -> bool:
    return vtype == "ALL" or variant_type(key[2], key[3]) == vtype


def score(
    truth_records: Iterable[tuple], query_records: Iterable[tuple], label: str = ""
) -> list[dict]:
    """Score (chrom, pos, ref, alt, gtclass) tuples; one dict per type in TYPES.

    Duplicate keys keep the first genotype class seen.
    """

    def as_dict(records: Iterable[tuple]) -> dict[Key, str]:
        out: dict[Key, str] = {}
        for chrom, pos, ref, alt, cls in records:
            out.setdefault((chrom, int(pos), ref, alt), cls)
        return out

    truth, query = as_dict(truth_records), as_dict(query_records)
    rows = []
    for vtype in TYPES:
        t = {k for k in truth if _of_type(k, vtype)}
        q = {k for k in query if _of_type(k, vtype)}
        tp, fp, fn = len(t & q), len(q - t), len(t - q)
        gt_match = sum(truth[k] == query[k] for k in t & q)
        gt_fp, gt_fn = fp + tp - gt_match, fn + tp - gt_match
        prec, rec = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        gprec, grec = _ratio(gt_match, gt_match + gt_fp), _ratio(gt_match, gt_match + gt_fn)
        rows.append(
            {
                "label": label,
                "type": vtype,
                "truth_total": len(t),
                "query_total": len(q),
                "tp": tp,
                "fp": fp,
                "fn": fn,
                "precision": prec,
                "recall": rec,
                "f1": _f1(prec, rec),
                "gt_tp": gt_match,
                "gt_fp": gt_fp,
                "gt_fn": gt_fn,
                "gt_precision": gprec,
                "gt_recall": grec,
                "gt_f1": _f1(gprec, grec),
                "genotype_concordance": _ratio(gt_match, tp),
            }
        )
    return rows


def _require(path: str, what: str) -> None:
    if not path or not os.path.isfile(path):
        raise SystemExit(f"compare_calls: {what} not found: {path}")


def vcf_samples(vcf: str) -> list[str]:
    """Sample names in a VCF/BCF header (via ``bcftools query -l``)."""
    res = subprocess.run(["bcftools", "query", "-l", vcf], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"compare_calls: bcftools failed reading {vcf}:\n{res.stderr.strip()}")
    return res.stdout.split()


def _clean_bed(bed: str, dest: str) -> str:
    """Copy BED intervals (first 3 columns, no headers) to a ``.bed`` file bcftools treats
    as 0-based."""
    opener = gzip.open if bed.endswith(".gz") else open
    with opener(bed, "rt") as src, open(dest, "w") as out:
        for line in src:
            if line.strip() and not line.startswith(BED_HEADERS):
                out.write("\t".join(line.rstrip("\n").split("\t")[:3]) + "\n")
    return dest


def load_calls(
    vcf: str,
    reference: str,
    sample: str | None = None,
    bed: str | None = None,
    include_filtered: bool = False,
) -> dict[Key, str]:
    """Normalise ``vcf`` with bcftools and return {(chrom, pos, ref, alt): 'het'|'hom'}."""
    _require(vcf, "VCF")
    _require(reference, "reference FASTA")
    if bed is not None:
        _require(bed, "BED")
    if shutil.which("bcftools") is None:
        raise SystemExit("compare_calls: bcftools not found on PATH")
    samples = vcf_samples(vcf)
    if not samples:
        raise SystemExit(f"compare_calls: {vcf} has no samples")
    sample = sample or samples[0]
    if sample not in samples:
        raise SystemExit(
            f"compare_calls: sample '{sample}' not found in {vcf} (available: {', '.join(samples)})"
        )

    calls: dict[Key, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        query = ["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t[%GT]\n"]
        if bed is not None:
            query += ["-T", _clean_bed(bed, os.path.join(tmp, "regions.bed"))]
        stages = [
            ["bcftools", "view", "-s", sample, "-Ou", vcf],
            ["bcftools", "norm", "-f", reference, "-m-any", "--check-ref", "w", "-Ou"],
            query,
        ]
        errs = [open(os.path.join(tmp, f"stage{i}.err"), "w+") for i in range(len(stages))]
        procs: list[subprocess.Popen] = []
        for cmd, err in zip(stages, errs):
            stdin = procs[-1].stdout if procs else subprocess.DEVNULL
            procs.append(
                subprocess.Popen(
                    cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=err, text=cmd is query
                )
            )
            if stdin is not subprocess.DEVNULL:
                stdin.close()  # let upstream see SIGPIPE if downstream dies
        for line in procs[-1].stdout:
            chrom, pos, ref, alt, filt, gt = line.rstrip("\n").split("\t")
            ref, alt = ref.upper(), alt.upper()
            if not _BASES.match(alt) or not _BASES.match(ref):
                continue  # symbolic, '*', '<*>', breakends, no-ALT
            if not include_filtered and filt not in ("PASS", "."):
                continue
            cls = gt_class(gt)
            if cls is not None:
                calls.setdefault((chrom, int(pos), ref, alt), cls)
        for cmd, proc, err in zip(stages, procs, errs):
            returncode = proc.wait()  # wait first: the child shares the file offset
            err.seek(0)
            if returncode != 0:
                raise SystemExit(
                    f"compare_calls: '{' '.join(cmd[:2])}' failed on {vcf} "
                    f"(exit {proc.returncode}):\n{err.read().strip()}"
                )
            mismatches = sum(line.startswith("REF_MISMATCH") for line in err)
            if mismatches:  # --check-ref w keeps such records; they will likely score as FP/FN
                print(
                    f"[compare_calls] WARNING: {mismatches} REF mismatch(es) vs reference in {vcf}",
                    file=sys.stderr,
                )
            err.close()
    return calls


def _fmt(value) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def write_scores(rows: list[dict], path: str) -> None:
    """Write score rows to a tab-separated file with COLUMNS as header (floats with six
    decimals, NaN as ``nan``)."""
    write_tsv(path, COLUMNS, ({c: _fmt(row[c]) for c in COLUMNS} for row in rows))


def compare(
    truth: str,
    query: str,
    reference: str,
    output: str,
    bed: str | None = None,
    truth_sample: str | None = None,
    query_sample: str | None = None,
    label: str | None = None,
    include_filtered: bool = False,
) -> list[dict]:
    """Score ``query`` against ``truth`` and write the TSV to ``output``; the query sample
    defaults to the query VCF's first sample, the label to the query sample. Prints one
    summary line per type on stderr and returns the rows."""
    _require(query, "query VCF")
    query_sample = query_sample or (vcf_samples(query) or [""])[0]
    truth_calls = load_calls(truth, reference, truth_sample, bed, include_filtered=True)
    query_calls = load_calls(query, reference, query_sample, bed, include_filtered=include_filtered)
    label = label if label is not None else query_sample
    rows = score(
        [(*k, v) for k, v in truth_calls.items()],
        [(*k, v) for k, v in query_calls.items()],
        label=label,
    )
    write_scores(rows, output)
    for r in rows:
        print(
            f"[compare_calls] {label} {r['type']:<5} TP={r['tp']} FP={r['fp']} FN={r['fn']} "
            f"P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} "
            f"GTconc={r['genotype_concordance']:.4f}",
            file=sys.stderr,
        )
    return rows


def cli(argv: list[str] | None = None) -> int:
    """``python scripts/compare_calls.py --truth ... --query ... --reference ...
    --output ...``; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--query", required=True)
    ap.add_argument("--reference", required=True, help="FASTA with .fai index")
    ap.add_argument("--bed", help="restrict both call sets to these regions")
    ap.add_argument("--truth-sample")
    ap.add_argument("--query-sample")
    ap.add_argument(
        "--include-filtered",
        action="store_true",
        help="also count query records whose FILTER is not PASS/.",
    )
    ap.add_argument("--output", required=True, help="output TSV")
    ap.add_argument("--label", help="label column (default: query sample name)")
    args = ap.parse_args(argv)
    compare(
        args.truth,
        args.query,
        args.reference,
        args.output,
        bed=args.bed,
        truth_sample=args.truth_sample,
        query_sample=args.query_sample,
        label=args.label,
        include_filtered=args.include_filtered,
    )
    return 0


def main(smk) -> None:
    """Rule compare_calls: input query, truth, bed, fasta; output tsv; params
    truth_sample, query_sample, label; log (stderr)."""
    sys.stderr = open(smk.log[0], "w")
    compare(
        smk.input.truth,
        smk.input.query,
        smk.input.fasta,
        smk.output.tsv,
        bed=smk.input.bed,
        truth_sample=smk.params.truth_sample,
        query_sample=smk.params.query_sample,
        label=smk.params.label,
    )
