"""Cross-individual DNA contamination from a sample's own gVCF (CHARR-style).

Method: CHARR, "Contamination from Homozygous Alternate Reference Reads"
(Lu W, Gauthier LD, Poterba T, et al. "CHARR efficiently estimates contamination
from DNA sequencing data." Am J Hum Genet 2023;110(12):2068-2076,
doi:10.1016/j.ajhg.2023.10.011; reference code github.com/atgu/CHARR and
``hail.methods.compute_charr``).

Model. At a biallelic SNV where the sample is homozygous ALT, a read comes from the
sample with probability ``1 - c`` (always ALT, errors aside) and from a contaminating
individual with probability ``c``. The contaminant carries REF on a random haplotype
with probability ``1 - AF`` (population ALT frequency), so

    E[ref_reads / depth] = c * (1 - AF)          (depth = ref + alt reads)

CHARR averages ``(ref/depth) / (1 - AF)`` over hom-alt sites. We use the pooled
(ratio-of-sums) form of the same moment equation,

    c_hat = sum(ref_i) / sum(depth_i * (1 - AF_i)),

which weights each site by its expected number of contaminant REF reads and so is not
dominated by low-depth sites or sites with small ``1 - AF``; the per-site CHARR mean is
reported alongside as ``charr_site_mean``. Sequencing errors that read as REF add a
floor of roughly ``error_rate / 3 / mean(1 - AF)`` (about 0.001-0.003 with BQ >= 13),
so values below ~0.005 mean "clean", not an exact rate. As in CHARR, the estimate is
ancestry-sensitive: an AF from the wrong population biases it (by ``(1-AF_true)/(1-AF)``
on average), but it needs no BAM/CRAM and no genotype calls.

Site selection (streamed, never the whole gVCF in Python):

1. population resource: biallelic SNV records (``bcftools view -m2 -M2 -v snps``)
   with ``af_min <= INFO/<af_field> <= af_max`` (CHARR's 5-95 % band, symmetric so
   the same on REF or ALT frequency), optionally restricted to a BED of autosomal
   regions (chrX/chrY would mix hemizygous depths into the estimate); positions the
   resource lists more than once (split multi-allelic sites) are dropped, since there
   the contaminant's non-sample allele need not be REF;
2. gVCF: records at exactly those positions (``bcftools query -T``) that carry a
   real ALT (reference blocks ``<*>`` hold no ALT reads and are skipped); the REF
   must equal the resource REF and the resource ALT must be one of the gVCF ALTs
   (mpileup writes ``A C,<*>`` or ``A C,T,<*>``); ``ref`` = AD of REF,
   ``alt`` = AD of that ALT; reads of other alleles are errors and are ignored;
3. hom-alt: ``min_depth <= ref + alt <= max_depth``, ``alt / (ref + alt) >=
   min_alt_fraction`` and a heterozygote-exclusion test ``P(>= alt ALT reads |
   Binomial(depth, 0.5)) <= max_het_pvalue``. The gVCF has no GT, so zygosity comes
   from the allele depths.

   Bias of the 0.8 cut: truncating removes true hom-alt sites whose REF count landed in
   the upper binomial tail, so ``c_hat`` is biased down. For a hom-alt site the REF
   fraction is ``c * (1 - AF) <= c``, so at c = 0.05 and depth 30 the chance of >= 7/30
   REF reads (alt fraction < 0.8) is < 0.1 % (about 1 % even at c = 0.10 with AF near
   0); below ~10 % contamination the expected REF fraction sits at least 2x below the
   20 % cut and the loss is a few percent relative or less. Above ~15-20 % the hom-alt
   cloud reaches the cut and the estimate saturates: read anything above 0.1 as "badly
   contaminated", not as a precise number.

   Bias the other way: heterozygous sites pass the 0.8 cut by binomial chance (8/10
   ALT reads for 5.5 % of hets at 10x, 24/30 for 0.07 % at 30x) and each brings ~50 %
   REF reads; at common-SNV sites with AF near 0.05 hets outnumber hom-alts ~40:1, so
   at low coverage this leak dominates (8x demo sample: 0.022 from the 0.8 cut alone).
   The heterozygote test (default 0.01) closes it; it is stricter than the 0.8 cut only
   below ~20x, where it drops hom-alt sites with 1-3 REF reads and so lowers ``c_hat``
   by roughly the share of such sites (a few % at 30x). Very low-coverage samples
   therefore give few, conservative sites rather than an inflated number.
   ``max_depth`` drops collapsed repeats and CNV gains.

Output: ``cross_contamination_rate`` is null when fewer than ``min_sites`` sites are
informative.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import IO

import numpy as np

from ..io import bed_records

METHOD = (
    "CHARR-style: sum(ref AD) / sum(depth * (1 - AF)) at hom-alt biallelic SNVs (Lu et al. 2023)"
)


def het_upper_tail(alt: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """``P(X >= alt)`` for ``X ~ Binomial(depth, 0.5)``: how likely a heterozygous site
    shows at least this many ALT reads (exact, from a per-depth table)."""
    alt = np.asarray(alt, dtype=np.int64)
    depth = np.asarray(depth, dtype=np.int64)
    if depth.size == 0:
        return np.zeros(0)
    top = int(depth.max())
    table = np.zeros((top + 1, top + 2))
    for n in range(top + 1):
        log_pmf = [
            math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) for k in range(n + 1)
        ]
        pmf = np.exp(np.array(log_pmf) - n * math.log(2))
        table[n, : n + 1] = np.cumsum(pmf[::-1])[::-1]
    return table[depth, np.clip(alt, 0, top + 1)]


def hom_alt_mask(
    ref: np.ndarray,
    alt: np.ndarray,
    min_depth: int = 10,
    max_depth: int = 200,
    min_alt_fraction: float = 0.8,
    max_het_pvalue: float = 0.01,
) -> np.ndarray:
    """Boolean mask of sites called hom-alt from allele depths alone:
    ``min_depth <= ref + alt <= max_depth``, ``alt / (ref + alt) >= min_alt_fraction``
    and ``P(>= alt ALT reads | het) <= max_het_pvalue`` (binomial, p = 0.5).

    The last test only bites below depth ~20 (at 20x and above the 0.8 fraction is the
    stricter rule for ``max_het_pvalue = 0.01``); it keeps heterozygous sites that drew
    8/10 ALT reads by chance (5.5 % of hets at 10x) out of low-coverage estimates. The
    price is that at 10-19x hom-alt sites with 1-3 REF reads are dropped, which lowers
    the estimate a little in proportion to the share of such sites (<5 % at 30x)."""
    ref = np.asarray(ref, dtype=np.int64)
    alt = np.asarray(alt, dtype=np.int64)
    depth = ref + alt
    frac = alt / np.where(depth > 0, depth, 1)
    ok = (depth >= max(min_depth, 1)) & (depth <= max_depth) & (frac >= min_alt_fraction)
    ok[ok] &= het_upper_tail(alt[ok], depth[ok]) <= max_het_pvalue
    return ok


def estimate(
    sites: Iterable[tuple[float, float, float]] | np.ndarray, min_sites: int = 100
) -> dict:
    """Contamination from informative hom-alt sites given as ``(ref_reads, alt_reads, AF)``.

    ``c = sum(ref) / sum((ref + alt) * (1 - AF))``; null (None) when fewer than
    ``min_sites`` sites or no expected contaminant REF reads. Also returns the CHARR
    per-site mean ``mean((ref / depth) / (1 - AF))`` as ``charr_site_mean``.
    """
    arr = np.asarray(list(sites) if not isinstance(sites, np.ndarray) else sites, dtype=np.float64)
    arr = arr.reshape(-1, 3)
    ref, alt, af = arr[:, 0], arr[:, 1], arr[:, 2]
    depth = ref + alt
    keep = depth > 0
    ref, depth, af = ref[keep], depth[keep], af[keep]
    n = int(ref.size)
    expected = float((depth * (1.0 - af)).sum())
    enough = n >= min_sites and expected > 0
    rate = float(ref.sum()) / expected if enough else None
    informative = af < 1.0  # a site with AF = 1 expects no contaminant REF reads
    site_mean = (
        float(np.mean((ref / depth)[informative] / (1.0 - af[informative]))) if enough else None
    )
    return {
        "cross_contamination_rate": rate,
        "charr_site_mean": site_mean,
        "n_sites": n,
        "ref_reads": int(ref.sum()),
        "total_reads": int(depth.sum()),
        "sum_depth_x_ref_af": expected,  # the denominator: sum of depth * (1 - AF)
        "min_sites": min_sites,
        "method": METHOD,
    }


def join_sites(
    resource: Iterable[tuple[int, str, str, float]],
    gvcf: Iterable[tuple[int, str, list[str], list[int]]],
) -> Iterator[tuple[int, int, float]]:
    """Merge-join two position-sorted streams of one contig.

    ``resource``: ``(pos, ref, alt, af)`` biallelic SNVs; positions listed more than
    once are dropped. ``gvcf``: ``(pos, ref, alts, ad)`` with ``ad`` per allele (REF
    first). Yields ``(ref_ad, alt_ad, af)`` for each resource site whose REF equals the
    gVCF REF and whose ALT is among the gVCF ALTs (first such gVCF record only).
    """
    unique = (
        grp[0]
        for grp in (list(g) for _, g in groupby(resource, key=lambda r: r[0]))
        if len(grp) == 1
    )
    cur = next(unique, None)
    done_pos = -1
    for pos, ref, alts, ad in gvcf:
        while cur is not None and cur[0] < pos:
            cur = next(unique, None)
        if cur is None:
            break
        if cur[0] != pos or pos == done_pos or ref != cur[1] or cur[2] not in alts:
            continue
        i = alts.index(cur[2]) + 1
        if len(ad) <= i:
            continue
        done_pos = pos
        yield ad[0], ad[i], cur[3]


def _indexed_contigs(path: str) -> list[str]:
    """Contigs with records in an indexed VCF (``bcftools index -s``), file order."""
    out = subprocess.run(
        ["bcftools", "index", "-s", path], check=True, capture_output=True, text=True
    ).stdout
    return [line.split("\t")[0] for line in out.splitlines() if line]


def _bed_contigs(path: str) -> set[str]:
    return {fields[0] for fields in bed_records(path)}


def _run_lines(cmds: list[list[str]]) -> Iterator[list[str]]:
    """Run a pipeline of commands and yield tab-split stdout lines; raise on failure."""
    procs: list[tuple[subprocess.Popen, list[str], IO[str]]] = []
    prev = None
    for cmd in cmds:
        err = tempfile.TemporaryFile("w+")  # a file, not a pipe: chatty stderr cannot block
        p = subprocess.Popen(cmd, stdin=prev, stdout=subprocess.PIPE, stderr=err, text=True)
        if prev is not None:
            prev.close()
        prev = p.stdout
        procs.append((p, cmd, err))
    assert prev is not None
    try:
        for line in prev:
            yield line.rstrip("\n").split("\t")
    finally:
        prev.close()
        for p, cmd, err in procs:
            rc = p.wait()
            err.seek(0)
            msg = err.read().strip()
            err.close()
            if rc != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed ({rc}): {msg}")


def _ints(field: str) -> list[int]:
    return [int(v) if v not in (".", "") else 0 for v in field.split(",")]


def candidate_sites(
    gvcf: str,
    population_vcf: str,
    regions_bed: str | None = None,
    min_af: float = 0.05,
    max_af: float = 0.95,
    af_field: str = "AF",
) -> np.ndarray:
    """``(ref_ad, alt_ad, AF)`` rows (float64 array, n x 3) at every resource biallelic SNV
    with AF in ``[min_af, max_af]`` (and in ``regions_bed`` if given) that the gVCF holds
    as a variant-bearing record with matching REF/ALT. Streams one contig at a time."""
    gvcf_contigs = _indexed_contigs(gvcf)
    res_contigs = set(_indexed_contigs(population_vcf))
    keep = _bed_contigs(regions_bed) if regions_bed else None
    contigs = [c for c in gvcf_contigs if c in res_contigs and (keep is None or c in keep)]
    af_expr = f"INFO/{af_field}>={min_af!r} && INFO/{af_field}<={max_af!r}"
    rows: list[tuple[int, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="contam.") as tmp:
        sites = os.path.join(tmp, "sites.tsv")
        targets = os.path.join(tmp, "targets.tsv")
        for contig in contigs:
            n = 0
            view = ["bcftools", "view", "-r", contig, "-m2", "-M2", "-v", "snps"]
            view += ["-i", af_expr, "-Ou"]
            if regions_bed:
                view += ["-T", regions_bed]
            query = ["bcftools", "query", "-f", f"%POS\t%REF\t%ALT\t%INFO/{af_field}\n"]
            with open(sites, "w") as s_fh, open(targets, "w") as t_fh:
                for pos, ref, alt, af in _run_lines([view + [population_vcf], query]):
                    s_fh.write(f"{pos}\t{ref}\t{alt}\t{af}\n")
                    t_fh.write(f"{contig}\t{pos}\n")
                    n += 1
            if not n:
                continue

            def resource() -> Iterator[tuple[int, str, str, float]]:
                with open(sites) as fh:
                    for line in fh:
                        pos, ref, alt, af = line.rstrip("\n").split("\t")
                        yield int(pos), ref, alt, float(af)

            gq = ["bcftools", "query", "-r", contig, "-T", targets, "-i", 'ALT!="<*>"']
            gq += ["-f", "%POS\t%REF\t%ALT\t[%AD]\n", gvcf]
            records = ((int(p), r, a.split(","), _ints(ad)) for p, r, a, ad in _run_lines([gq]))
            rows.extend(join_sites(resource(), records))
    return np.array(rows, dtype=np.float64).reshape(-1, 3)


def informative_sites(
    gvcf: str,
    population_vcf: str,
    regions_bed: str | None = None,
    min_af: float = 0.05,
    max_af: float = 0.95,
    min_depth: int = 10,
    max_depth: int = 200,
    min_alt_fraction: float = 0.8,
    max_het_pvalue: float = 0.01,
    af_field: str = "AF",
) -> np.ndarray:
    """Hom-alt ``(ref_ad, alt_ad, AF)`` rows: :func:`candidate_sites` filtered by
    :func:`hom_alt_mask`."""
    cand = candidate_sites(gvcf, population_vcf, regions_bed, min_af, max_af, af_field)
    return cand[
        hom_alt_mask(cand[:, 0], cand[:, 1], min_depth, max_depth, min_alt_fraction, max_het_pvalue)
    ]


def main(smk) -> None:
    """Snakemake adapter: input gvcf, population[, regions]; output json; params
    min_af, max_af, min_depth, max_depth, min_alt_fraction, max_het_pvalue, af_field,
    min_sites (all optional, defaults as in :func:`informative_sites`)."""
    sys.stderr = open(smk.log[0], "w")
    p = smk.params
    regions = getattr(smk.input, "regions", None) or None
    settings = {
        "min_af": float(getattr(p, "min_af", 0.05)),
        "max_af": float(getattr(p, "max_af", 0.95)),
        "min_depth": int(getattr(p, "min_depth", 10)),
        "max_depth": int(getattr(p, "max_depth", 200)),
        "min_alt_fraction": float(getattr(p, "min_alt_fraction", 0.8)),
        "max_het_pvalue": float(getattr(p, "max_het_pvalue", 0.01)),
        "af_field": str(getattr(p, "af_field", "AF")),
    }
    sites = informative_sites(smk.input.gvcf, smk.input.population, regions, **settings)
    result = estimate(sites, min_sites=int(getattr(p, "min_sites", 100)))
    result.update(settings)
    Path(smk.output.json).write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"[estimate_contamination] {smk.input.gvcf}: c={result['cross_contamination_rate']} "
        f"from {result['n_sites']} hom-alt sites",
        file=sys.stderr,
    )
