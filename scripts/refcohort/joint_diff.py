"""How two joint call sets of the same samples differ (the two joint engines, or a joint
call set before and after a change): sites in one only, FILTER changes and genotype
changes by class, on biallelic records (multi-allelic sites split and left-aligned by
`bcftools norm -m -any`, so that allele order does not count as a difference) with
unphased genotypes compared as sets of alleles and "." the same as "./."."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass, field

Site = tuple[str, int, str, str]


@dataclass
class JointDiff:
    samples: list[str]
    sites_a: int
    sites_b: int
    only_a: list[tuple[Site, str]]  # (site, FILTER)
    only_b: list[tuple[Site, str]]
    filter_changes: list[tuple[Site, str, str]]
    genotypes_compared: int = 0
    genotype_changes: Counter = field(default_factory=Counter)  # (gt a, gt b, snv/indel)
    changed: list[tuple[Site, str, str, str]] = field(default_factory=list)  # site, sample, a, b

    @property
    def genotypes_equal(self) -> int:
        return self.genotypes_compared - sum(self.genotype_changes.values())


def normal_gt(gt: str) -> str:
    """An unphased genotype as its sorted alleles: '1/0' -> '0/1', '.' -> './.'; a haploid
    call stays haploid ('0')."""
    alleles = gt.replace("|", "/").split("/")
    if alleles == ["."]:
        return "./."
    return "/".join(sorted(alleles, key=lambda a: (a == ".", a)))


def records(vcf: str, fasta: str) -> tuple[list[str], dict[Site, tuple[str, list[str]]]]:
    """(samples, {site: (FILTER, genotypes)}) of a VCF, split to biallelic records."""
    samples = subprocess.run(
        ["bcftools", "query", "-l", vcf], capture_output=True, text=True, check=True
    ).stdout.split()
    norm = subprocess.Popen(
        ["bcftools", "norm", "-m", "-any", "-f", fasta, "-Ou", vcf],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    query = subprocess.run(
        ["bcftools", "query", "-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER[\t%GT]\n", "-"],
        stdin=norm.stdout,
        capture_output=True,
        text=True,
        check=True,
    )
    norm.stdout.close()
    if norm.wait():
        raise RuntimeError(f"bcftools norm failed on {vcf}")
    out = {}
    for line in query.stdout.splitlines():
        f = line.split("\t")
        out[(f[0], int(f[1]), f[2], f[3])] = (f[4], [normal_gt(g) for g in f[5:]])
    return samples, out


def joint_diff(vcf_a: str, vcf_b: str, fasta: str) -> JointDiff:
    samples, a = records(vcf_a, fasta)
    samples_b, b = records(vcf_b, fasta)
    if samples_b != samples:
        raise ValueError(f"{vcf_a} and {vcf_b} hold other samples: {samples} / {samples_b}")
    diff = JointDiff(
        samples=samples,
        sites_a=len(a),
        sites_b=len(b),
        only_a=sorted((s, a[s][0]) for s in a.keys() - b.keys()),
        only_b=sorted((s, b[s][0]) for s in b.keys() - a.keys()),
        filter_changes=sorted(
            (s, a[s][0], b[s][0]) for s in a.keys() & b.keys() if a[s][0] != b[s][0]
        ),
    )
    for site in sorted(a.keys() & b.keys()):
        kind = "snv" if len(site[2]) == len(site[3]) == 1 else "indel"
        for sample, x, y in zip(samples, a[site][1], b[site][1]):
            diff.genotypes_compared += 1
            if x != y:
                diff.genotype_changes[(x, y, kind)] += 1
                diff.changed.append((site, sample, x, y))
    return diff


def summary(diff: JointDiff, name_a: str = "a", name_b: str = "b") -> str:
    """The differences as text: counts, then every changed genotype."""
    lines = [
        f"sites: {name_a} {diff.sites_a}, {name_b} {diff.sites_b}; only in {name_a} "
        f"{len(diff.only_a)}, only in {name_b} {len(diff.only_b)}; FILTER changed at "
        f"{len(diff.filter_changes)}",
        f"genotypes at shared sites: {diff.genotypes_equal} of {diff.genotypes_compared} equal",
    ]
    for (x, y, kind), n in diff.genotype_changes.most_common():
        lines.append(f"  {name_a} {x} -> {name_b} {y} ({kind}): {n}")
    for site, flt in diff.only_a:
        lines.append(f"  only in {name_a}: {':'.join(map(str, site))} {flt}")
    for site, flt in diff.only_b:
        lines.append(f"  only in {name_b}: {':'.join(map(str, site))} {flt}")
    return "\n".join(lines)
