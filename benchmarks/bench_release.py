#!/usr/bin/env python3
"""Speed harness for the national release (scripts/release_allele_frequencies.py) against
bcftools +fill-tags.

Writes a seeded synthetic cohort VCF (default 1,000 samples x 200,000 biallelic PASS
sites, bgzipped and indexed; 85% chr1, 12% chrX with both GRCh38 PARs, 3% chrY; five
populations, both sexes; males haploid on chrX outside the PARs and on chrY, females
'.' on chrY, as ``bcftools call`` writes them; 1% missing calls; half the sites rare),
then times, in the same run and on the same input:

* ``ours``: the ``release_allele_frequencies`` rule's pipeline -- ``bcftools view -f
  PASS | bcftools annotate -x INFO,^FORMAT/GT | bcftools norm -m -any`` (no ``-f``: the
  synthetic REF bases are random) into ``scripts/release_allele_frequencies.py``, which
  writes the
  bgzipped, indexed, checksummed sites-only release with every group (the whole cohort,
  5 populations, 2 sexes, 10 population x sex) under the default policy (small counts
  suppressed and protected);
* ``ours_script``: ``scripts/release_allele_frequencies.py`` alone, reading the bgzipped
  VCF itself;
* ``bcftools``: ``bcftools +fill-tags -- -S groups.txt -t AN,AC,AF,AC_Hom,AC_Het,AC_Hemi``
  with the same 17 groups, genotypes dropped and bgzipped (``| bcftools view -G -Oz``),
  the closest bcftools equivalent of the same job.

It checks that every AC and AN the release publishes equals fill-tags', prints a table
and appends one row to ``benchmarks/results/release.tsv``:

    date  cores  n_samples  n_sites  ours_s  ours_script_s  bcftools_s  ratio

``ratio = ours_s / bcftools_s`` (target <= 1.0).  This prints ratios, it does not assert.

    python benchmarks/bench_release.py [--samples 1000] [--sites 200000] [--seed 1]
                                 [--quick] [--workdir DIR] [--keep] [--no-write]

``--quick`` is 200 samples x 20,000 sites, for a check in seconds.
"""

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import benchlib
import numpy as np

ROOT = benchlib.ROOT
RESULTS = benchlib.RESULTS / "release.tsv"
COLUMNS = [
    "date",
    "cores",
    "n_samples",
    "n_sites",
    "ours_s",
    "ours_script_s",
    "bcftools_s",
    "ratio",
]
POPULATIONS = ["FI", "EE", "NL", "SE", "DE"]
CONTIGS = {"chr1": 248_956_422, "chrX": 156_040_895, "chrY": 57_227_415}
# GRCh38 PARs (0-based, half-open), as in resources/grch38_par.bed
PARS = {
    "chrX": [(10_000, 2_781_479), (155_701_382, 156_030_895)],
    "chrY": [(10_000, 2_781_479), (56_887_902, 57_217_415)],
}
MISSING = 0.01
# genotype text tokens: diploid 0/0 0/1 1/1 ./. and haploid 0 1 .
DIPLOID = np.frombuffer(b"0/0\t0/1\t1/1\t./.\t", dtype=np.uint8).reshape(4, 4)
HAPLOID = np.frombuffer(b"0\t1\t.\t", dtype=np.uint8).reshape(3, 2)


def cohort(n_samples: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sample IDs, population index (0..4) and sex (0 female, 1 male) of each sample."""
    rng = np.random.default_rng(seed)
    ids = [f"BS{i:05d}" for i in range(1, n_samples + 1)]
    pop = rng.integers(0, len(POPULATIONS), n_samples)
    male = rng.integers(0, 2, n_samples)
    return ids, pop, male


def sites(n_sites: int, seed: int) -> list[tuple[str, np.ndarray]]:
    """Sorted unique positions per contig: 85% chr1, 12% chrX (PARs included), 3% chrY."""
    rng = np.random.default_rng(seed + 1)
    out = []
    shares = {"chr1": 0.85, "chrX": 0.12, "chrY": 0.03}
    left = n_sites
    for i, (contig, share) in enumerate(shares.items()):
        k = left if i == len(shares) - 1 else int(round(n_sites * share))
        left -= k
        if contig == "chrY":  # outside the masked Y PARs
            lo, hi = PARS["chrY"][0][1] + 1, PARS["chrY"][1][0]
        elif contig == "chrX":  # enrich PAR1 so that diploid male X calls are exercised
            lo, hi = 1, CONTIGS[contig]
        else:
            lo, hi = 1, CONTIGS[contig]
        pos = np.unique(rng.integers(lo, hi, int(k * 1.02) + 10))[:k]
        if contig == "chrX":
            par1 = rng.integers(PARS["chrX"][0][0] + 1, PARS["chrX"][0][1], k // 10)
            pos = np.unique(np.concatenate([pos[: k - k // 10], par1]))
            while pos.size < k:
                pos = np.unique(np.concatenate([pos, rng.integers(lo, hi, k - pos.size)]))
        out.append((contig, np.sort(pos)))
    return out


def in_par(contig: str, pos: np.ndarray) -> np.ndarray:
    mask = np.zeros(pos.shape, dtype=bool)
    for start, end in PARS.get(contig, []):
        mask |= (pos > start) & (pos <= end)
    return mask


def genotype_rows(rng: np.random.Generator, p: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    """(sites, samples) uint8 genotype tokens: diploid 0..3 (3 = ./.), haploid 0..2 (2 = .).

    ``p`` is (sites, samples) ALT frequency of each sample's population, ``ploidy``
    (samples,) 0/1/2; one uniform per call decides missingness and the genotype
    (Hardy-Weinberg for diploid calls).
    """
    u = rng.random(p.shape, dtype=np.float32)
    missing = u < MISSING
    u = (u - MISSING) / (1 - MISSING)
    dip = (u >= (1 - p) ** 2).astype(np.uint8) + (u >= 1 - p * p)
    hap = (u < p).astype(np.uint8)
    codes = np.where(ploidy == 2, dip, hap)
    codes[missing] = np.where(ploidy == 2, 3, 2)[np.nonzero(missing)[1]]
    codes[:, ploidy == 0] = 2
    return codes


def encode(codes: np.ndarray, ploidy: np.ndarray) -> np.ndarray:
    """(sites, line bytes) uint8 text of the sample columns, tab-separated, newline-ended."""
    width = np.where(ploidy == 2, 4, 2)
    start = np.concatenate([[0], np.cumsum(width)[:-1]])
    out = np.empty((codes.shape[0], int(width.sum())), dtype=np.uint8)
    dip = np.nonzero(width == 4)[0]
    hap = np.nonzero(width == 2)[0]
    if dip.size:
        cols = (start[dip][:, None] + np.arange(4)).ravel()
        out[:, cols] = DIPLOID[codes[:, dip]].reshape(codes.shape[0], -1)
    if hap.size:
        cols = (start[hap][:, None] + np.arange(2)).ravel()
        out[:, cols] = HAPLOID[codes[:, hap]].reshape(codes.shape[0], -1)
    out[:, -1] = ord("\n")
    return out


def write_vcf(
    path: Path, n_samples: int, n_sites: int, seed: int, chunk: int = 4000
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Write the synthetic cohort as bgzipped VCF (bgzip -@2) with a tabix index."""
    ids, pop, male = cohort(n_samples, seed)
    rng = np.random.default_rng(seed + 2)
    header = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    header += [f"##contig=<ID={c},length={n}>" for c, n in CONTIGS.items()]
    header.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    header.append(
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *ids])
    )
    bases = np.array(list("ACGT"))
    with open(path, "wb") as fh:
        bgzip = subprocess.Popen(["bgzip", "-@", "2", "-c"], stdin=subprocess.PIPE, stdout=fh)
        bgzip.stdin.write(("\n".join(header) + "\n").encode())
        for contig, positions in sites(n_sites, seed):
            for lo in range(0, positions.size, chunk):
                pos = positions[lo : lo + chunk]
                r = pos.size
                # half rare (AF < 1%), half common; populations drift around the site AF
                rare = rng.random(r) < 0.5
                base = np.where(rare, rng.uniform(0.0005, 0.01, r), rng.uniform(0.01, 0.99, r))
                pop_af = np.clip(base[:, None] * rng.lognormal(0, 0.3, (r, len(POPULATIONS))), 0, 1)
                p = pop_af[:, pop].astype(np.float32)
                par = in_par(contig, pos)
                groups = [
                    (par, np.full(n_samples, 2)),
                    (~par, np.where(male == 1, 1, 2 if contig != "chrY" else 0)),
                ]
                if contig == "chr1":
                    groups = [(np.ones(r, dtype=bool), np.full(n_samples, 2))]
                ref_i = rng.integers(0, 4, r)
                alt_i = (ref_i + rng.integers(1, 4, r)) % 4
                lines: list[bytes] = [b""] * r
                for rows, ploidy in groups:
                    idx = np.nonzero(rows)[0]
                    if not idx.size:
                        continue
                    text = encode(genotype_rows(rng, p[idx], ploidy), ploidy)
                    for k, i in enumerate(idx):
                        lines[i] = (
                            f"{contig}\t{pos[i]}\t.\t{bases[ref_i[i]]}\t{bases[alt_i[i]]}\t50\tPASS\t.\tGT\t"
                        ).encode() + text[k].tobytes()
                bgzip.stdin.write(b"".join(lines))
        bgzip.stdin.close()
        if bgzip.wait() != 0:
            raise RuntimeError("bgzip failed")
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return ids, pop, male


def write_sheets(
    workdir: Path, ids: list[str], pop: np.ndarray, male: np.ndarray
) -> tuple[Path, Path, Path]:
    """samples.tsv (our input), groups.txt (fill-tags -S) and the PAR BED."""
    samples = workdir / "samples.tsv"
    groups = workdir / "groups.txt"
    par = workdir / "par.bed"
    sex = np.where(male == 1, "male", "female")
    with open(samples, "w") as fh:
        fh.write("sample\tsex\tpopulation\n")
        for s, p, x in zip(ids, pop, sex):
            fh.write(f"{s}\t{x}\t{POPULATIONS[p]}\n")
    with open(groups, "w") as fh:
        for s, p, m in zip(ids, pop, male):
            code = "M" if m else "F"
            fh.write(f"{s}\t{POPULATIONS[p]},{code},{POPULATIONS[p]}_{code}\n")
    with open(par, "w") as fh:
        for contig, spans in PARS.items():
            for start, end in spans:
                fh.write(f"{contig}\t{start}\t{end}\n")
    return samples, groups, par


def timed(cmd: str) -> float:
    t = time.perf_counter()
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr[-3000:]}")
    return seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--sites", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="200 samples x 20,000 sites")
    ap.add_argument("--workdir", help="where the VCFs go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--no-write", action="store_true", help="do not append to the results TSV")
    a = ap.parse_args(argv)
    if a.quick:
        a.samples, a.sites = 200, 20_000

    cores = benchlib.cores()
    workdir = Path(a.workdir or tempfile.mkdtemp(prefix="release-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    try:
        vcf = workdir / "cohort.vcf.gz"
        t = time.perf_counter()
        ids, pop, male = write_vcf(vcf, a.samples, a.sites, a.seed)
        print(
            f"wrote {a.samples} samples x {a.sites:,} sites in {time.perf_counter() - t:.1f} s "
            f"({vcf.stat().st_size / 2**20:.0f} MiB bgzipped), {cores} cores"
        )
        samples, groups, par = write_sheets(workdir, ids, pop, male)
        script = ROOT / "scripts" / "release_allele_frequencies.py"

        def ours_cmd(source: str, out: Path) -> str:
            return (
                f"{source}{python} {script} --vcf {'-' if source else vcf} --samples {samples} "
                f"--par {par} --output {out} --groups {workdir / 'groups.tsv'} "
                f"--excluded {workdir / 'excluded.tsv'} --summary {workdir / 'summary.json'} "
                "--threads 2"
            )

        ours_out = workdir / "ours.vcf.gz"
        ours = ours_cmd(
            f"bcftools view -f PASS -Ou {vcf} | bcftools annotate -x 'INFO,^FORMAT/GT' -Ou"
            " | bcftools norm -m -any -Ou | ",
            ours_out,
        )
        script_out = workdir / "ours_script.vcf.gz"
        theirs_out = workdir / "bcftools.vcf.gz"
        theirs = (
            f"bcftools +fill-tags {vcf} -Ou -- -S {groups} -t AN,AC,AF,AC_Hom,AC_Het,AC_Hemi"
            f" | bcftools view -G -Oz -o {theirs_out}"
        )
        load_before = os.getloadavg()[0]
        ours_s = timed(ours)
        script_s = timed(ours_cmd("", script_out))
        theirs_s = timed(theirs)
        ratio = ours_s / theirs_s
        print()
        print(f"{'step':<13}{'samples':>9}{'sites':>10}{'seconds':>10}{'ratio':>8}")
        for name, sec in (("ours", ours_s), ("ours_script", script_s), ("bcftools", theirs_s)):
            print(f"{name:<13}{a.samples:>9}{a.sites:>10}{sec:>10.2f}{sec / theirs_s:>8.3f}")
        print(f"ratio ours/bcftools: {ratio:.3f} (target <= 1.0)")
        print(
            f"load average before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f} "
            f"(above the core count, wall time includes waiting for other processes)"
        )

        published = [
            line.split("\t")[0]
            for line in (workdir / "groups.tsv").read_text().splitlines()[1:]
            if line.split("\t")[4] == "published"
        ]
        groups_all = ["" if g == "all" else f"_{g}" for g in published]
        fields = [
            f"{k}{g}" for g in groups_all for k in ("AC", "AN", "AC_Hom", "AC_Het", "AC_Hemi")
        ]
        fmt = "%CHROM:%POS:%REF:%ALT\t" + "\t".join(f"%{f}" for f in fields) + "\n"
        mine = subprocess.run(
            ["bcftools", "query", "-f", fmt, str(ours_out)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        ref = subprocess.run(
            ["bcftools", "query", "-i", "AC>0", "-f", fmt, str(theirs_out)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        same_sites = len(mine) == len(ref) and all(
            m.split("\t", 1)[0] == r.split("\t", 1)[0] for m, r in zip(mine, ref)
        )
        compared = differ = suppressed = 0
        for m, r in zip(mine, ref):
            for x, y in zip(m.split("\t")[1:], r.split("\t")[1:]):
                if x == ".":
                    suppressed += 1
                else:
                    compared += 1
                    differ += x != y
        same_script = gzip.open(script_out).read() == gzip.open(ours_out).read()
        print(
            f"sites: {len(mine):,} in the release, {len(ref):,} with AC > 0 by fill-tags, "
            f"same set: {'yes' if same_sites else 'NO'}"
        )
        print(
            f"AC/AN/AC_Hom/AC_Het/AC_Hemi of the {len(groups_all)} published groups (of 18): "
            f"{compared:,} values compared "
            f"with fill-tags, {differ} differ; {suppressed:,} suppressed by the privacy policy"
        )
        print(
            "script alone and rule pipeline give the same file content: "
            f"{'yes' if same_script else 'NO'}"
        )

        if not a.no_write:
            row = [
                a.samples,
                a.sites,
                f"{ours_s:.2f}",
                f"{script_s:.2f}",
                f"{theirs_s:.2f}",
                f"{ratio:.3f}",
            ]
            benchlib.append_row(RESULTS, COLUMNS, dict(zip(COLUMNS, [benchlib.now(), cores] + row)))
            print(f"appended to {RESULTS.relative_to(ROOT)}")
    finally:
        if not a.keep and not a.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
