"""The release run: joint-called VCF in, sites-only release VCF (bgzipped, indexed,
checksummed) and its tables out."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import integrity
from ..contigs import DEFAULT_AUTOSOMES, DEFAULT_CHRX, DEFAULT_CHRY
from ..genotypes import chunk_records, record_alleles
from ..io import read_bed_by_contig, read_tsv, write_tsv
from ..progress import log as _progress
from .counts import (
    DIPLOID,
    NOT_RELEASED,
    Y_PAR,
    contig_code,
    group_counts,
    site_classes,
)
from .multiqc import mqc_section
from .privacy import DEFAULT_MIN_ALLELE_COUNT, DEFAULT_MIN_GROUP_SIZE, GROUP_COLUMNS, Design
from .samples import DEFAULT_MAX_KINSHIP, EXCLUDED_COLUMNS, select_samples
from .vcf import Formatter, header_contigs, header_lines, policy_lines


def _log(message: str) -> None:
    _progress("release", message)


# the SV alleles a structural release publishes (breakends, BND, are not released: a
# frequency of a pair of breakpoints says little without its partner)
SV_RELEASED = ("DEL", "DUP", "INV", "INS")
SYMBOLIC = tuple(f"<{t}>" for t in SV_RELEASED)


@dataclass
class Tally:
    records: int = 0
    not_pass: int = 0
    other_contig: int = 0
    y_par: int = 0
    not_biallelic: int = 0
    monomorphic: int = 0
    written: int = 0
    anomalies: dict[str, int] = field(
        default_factory=lambda: {"haploid_where_diploid": 0, "het_where_hemizygous": 0}
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def release(
    vcf: str,
    samples_tsv: str,
    output: str,
    qc_tsv: str | None = None,
    relatedness_tsv: str | None = None,
    par_bed: str | None = None,
    autosomes: str = DEFAULT_AUTOSOMES,
    chrx: str = DEFAULT_CHRX,
    chry: str = DEFAULT_CHRY,
    max_kinship: float = DEFAULT_MAX_KINSHIP,
    min_allele_count: int = DEFAULT_MIN_ALLELE_COUNT,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    unknown_sex: str = "exclude",
    threads: int = 1,
    chunk_size: int = 8192,
    structural: bool = False,
) -> dict[str, object]:
    """Write the release VCF (bgzipped, tabix-indexed, .sha256); return the summary.
    ``structural``: a structural-variant release (symbolic DEL, DUP, INV, INS alleles,
    their SVTYPE, END and SVLEN carried over; docs/structural-variants.md).

    The summary holds the counts (records read, dropped by reason, written), the
    groups (published or withheld, individuals, suppressed counts) and the excluded
    samples (for the non-public table; callers must not publish that part).
    """
    from cyvcf2 import VCF  # imported here so the pure functions need only numpy

    reader = VCF(vcf, threads=threads) if threads > 1 and vcf != "-" else VCF(vcf)
    vcf_samples = list(reader.samples)
    sheet = read_tsv(samples_tsv)
    released, excluded = select_samples(
        vcf_samples,
        sheet,
        read_tsv(qc_tsv),
        read_tsv(relatedness_tsv),
        max_kinship,
        unknown_sex,
    )
    design = Design(released, min_group_size, min_allele_count)
    _log(
        f"{len(vcf_samples)} samples in the VCF, {len(released)} released, "
        f"{len(excluded)} left out; "
        f"groups published: {', '.join(g.name for g in design.published) or 'none'}"
    )
    columns = np.array([vcf_samples.index(s.name) for s in released], dtype=np.intp)
    # not released: one past the last atom
    vcf_atom = np.full(len(vcf_samples), design.atom_groups.shape[0], dtype=np.int64)
    vcf_atom[columns] = design.sample_atom
    expected = np.zeros((3, len(vcf_samples)), dtype=np.int8)  # not released: ploidy 0
    expected[:, columns] = design.expected_ploidy()
    par = read_bed_by_contig(par_bed)
    classes: dict[str, int] = {}

    def cls_of(name: str) -> int:
        c = classes.get(name)
        if c is None:
            c = classes[name] = contig_code(name, autosomes, chrx, chry)
        return c

    contigs = header_contigs(reader.raw_header, lambda c: cls_of(c) != NOT_RELEASED)
    policy = policy_lines(design, max_kinship, unknown_sex, structural)
    # the cohort freeze the joint calls came from (refcohort.freeze; no individual data)
    freeze = next(
        (x for x in reader.raw_header.splitlines() if x.startswith("##cohort_freeze=")), None
    )
    formatter = Formatter(design, structural)
    tally = Tally()
    n_vcf = len(vcf_samples)
    chunk = chunk_records(chunk_size, n_vcf)
    buffer = np.empty((chunk, n_vcf, 2), dtype=np.int16)
    meta: list[list] = [[], [], [], [], [], []] if structural else [[], [], [], [], []]
    suppressed = np.zeros((2, design.n_groups), dtype=np.int64)  # primary, secondary
    published_records = np.zeros(design.n_groups, dtype=np.int64)
    start = time.monotonic()

    out_path = Path(output)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as raw:
        bgzip = subprocess.Popen(
            ["bgzip", "-c", "-@", str(max(1, threads))], stdin=subprocess.PIPE, stdout=raw
        )
        sink = bgzip.stdin
        header = header_lines(design, contigs, policy, structural)
        if freeze:
            header.insert(2, freeze)
        sink.write(("\n".join(header) + "\n").encode())

        def flush(k: int) -> None:
            if k == 0:
                return
            chroms = np.array(meta[0], dtype=object)
            positions = np.array(meta[1], dtype=np.int64)
            site_cls = np.empty(k, dtype=np.int8)
            for name in dict.fromkeys(meta[0]):
                rows = chroms == name
                site_cls[rows] = site_classes(cls_of(name), positions[rows], par.get(name, []))
            y_par = site_cls == Y_PAR
            tally.y_par += int(y_par.sum())
            keep = ~y_par
            ploidy = expected[np.where(keep, site_cls, DIPLOID)]
            if design.n_groups:
                sums, anomalies = group_counts(buffer[:k], ploidy, vcf_atom, design.atom_groups)
                for key, value in anomalies.items():
                    tally.anomalies[key] += value
                keep &= sums[1, :, 0] > 0  # group 0 is the whole cohort
            else:
                sums = np.zeros((5, k, 0), dtype=np.int64)
                keep &= False
            tally.monomorphic += int((~keep).sum() - y_par.sum())
            if keep.any():
                sums = sums[:, keep]
                primary = design.sensitive(sums[1], sums[0])
                hidden = design.suppress(primary)
                pub = np.zeros(design.n_groups, dtype=bool)
                pub[design.published_index] = True
                suppressed[0] += (primary & pub).sum(axis=0)
                suppressed[1] += (hidden & ~primary & pub).sum(axis=0)
                published_records[:] += (~hidden & pub).sum(axis=0)
                rows = [np.array(m, dtype=object)[keep] for m in meta]
                sink.write(formatter.lines(rows, sums, hidden).encode())
                tally.written += int(keep.sum())
            for m in meta:
                m.clear()

        filled = 0
        try:
            for rec in reader:
                tally.records += 1
                if rec.FILTER is not None:
                    tally.not_pass += 1
                    continue
                chrom = rec.CHROM
                if cls_of(chrom) == NOT_RELEASED:
                    tally.other_contig += 1
                    continue
                alts = rec.ALT
                if structural:
                    svtype = rec.INFO.get("SVTYPE")
                    if len(alts) != 1 or alts[0] not in SYMBOLIC or svtype not in SV_RELEASED:
                        tally.not_biallelic += 1  # breakends and anything else
                        continue
                elif len(alts) != 1 or alts[0] in ("*", ".", "") or alts[0].startswith("<"):
                    tally.not_biallelic += 1
                    continue
                gt = rec.genotype
                record_alleles(gt.array() if gt is not None else None, buffer[filled])
                meta[0].append(chrom)
                meta[1].append(rec.POS)
                meta[2].append(rec.ID or ".")
                meta[3].append(rec.REF)
                meta[4].append(alts[0])
                if structural:
                    end, svlen = rec.INFO.get("END"), rec.INFO.get("SVLEN")
                    meta[5].append(
                        f"SVTYPE={svtype};END={end}"
                        + (f";SVLEN={svlen}" if svlen is not None else "")
                    )
                filled += 1
                if filled == chunk:
                    flush(filled)
                    filled = 0
                    if time.monotonic() - start > 10:
                        _log(f"{tally.records:,} records read, {tally.written:,} written")
                        start = time.monotonic()
            flush(filled)
        finally:
            reader.close()
            sink.close()
            rc = bgzip.wait()
        if rc != 0:
            raise RuntimeError(f"bgzip exited with {rc}")
    subprocess.run(["tabix", "-f", "-p", "vcf", str(out_path)], check=True)
    # the release folder is what a node shares: its .sha256 names the file alone, so that
    # `sha256sum -c` works there; the receipt lets the check before each run skip it
    digest = _sha256(out_path)
    Path(f"{out_path}.sha256").write_text(f"{digest}  {out_path.name}\n")
    integrity.write_receipt(out_path, digest, integrity.DEFAULT_CACHE)
    _log(f"done: {tally.records:,} records read, {tally.written:,} written")

    groups = []
    for i, g in enumerate(design.groups):
        if not g.publishable:
            continue
        shown = g.published
        groups.append(
            {
                "group": g.name,
                "population": g.population,
                "sex": g.sex,
                "individuals": g.size if shown else None,
                "status": "published" if shown else "withheld",
                "reason": g.reason,
                "records_published": int(published_records[i]) if shown else 0,
                "suppressed_small_count": int(suppressed[0, i]) if shown else 0,
                "suppressed_to_protect": int(suppressed[1, i]) if shown else 0,
            }
        )
    return {
        "kind": "structural variants" if structural else "small variants",
        "output": str(out_path),
        "records_read": tally.records,
        "not_pass": tally.not_pass,
        "other_contigs": tally.other_contig,
        "chrY_par": tally.y_par,
        "not_biallelic": tally.not_biallelic,
        "monomorphic_in_released": tally.monomorphic,
        "sites_written": tally.written,
        "calls_set_missing": dict(tally.anomalies),
        "samples_in_vcf": len(vcf_samples),
        "samples_released": len(released),
        "samples_excluded": len(excluded),
        "policy": {
            "max_kinship": max_kinship,
            "min_allele_count": min_allele_count,
            "min_group_size": min_group_size,
            "unknown_sex": unknown_sex,
        },
        "groups": groups,
        "excluded": excluded,
        "sha256": digest,
        "cohort_freeze": freeze.split("=", 1)[1] if freeze else None,
    }


def write_outputs(
    summary: dict[str, object],
    groups: str,
    excluded: str,
    summary_json: str | None = None,
    mqc: str | None = None,
) -> None:
    """The release's tables: public groups TSV, NON-PUBLIC excluded-samples TSV, the
    public JSON summary (no ``excluded`` part) and the MultiQC YAML (when paths given)."""
    write_tsv(groups, GROUP_COLUMNS, summary["groups"])
    write_tsv(excluded, EXCLUDED_COLUMNS, summary["excluded"])
    public = {k: v for k, v in summary.items() if k != "excluded"}
    if summary_json:
        Path(summary_json).write_text(json.dumps(public, indent=1) + "\n")
    if mqc:
        import yaml

        Path(mqc).parent.mkdir(parents=True, exist_ok=True)
        Path(mqc).write_text(yaml.safe_dump(mqc_section(public), sort_keys=False))
