"""The demo generator (scripts/make_demo_data.py, refcohort.demo): determinism, genome
features, read model and planted QC cases."""

import gzip
import hashlib
import subprocess
import sys

import numpy as np
import pysam
import pytest
from conftest import ROOT

from refcohort.demo import genome as demo_genome
from refcohort.demo import reads as demo_reads
from refcohort.demo.cohort import COHORT, write_demo


@pytest.fixture(scope="module")
def truth_only(tmp_path_factory):
    """Genome, truth and sheets without reads, twice with one seed and once with another."""
    dirs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        out = tmp_path_factory.mktemp(name)
        cli = [sys.executable, str(ROOT / "scripts" / "make_demo_data.py")]
        args = ["--outdir", str(out), "--seed", str(seed), "--skip-reads"]
        assert subprocess.run(cli + args).returncode == 0
        dirs[name] = out
    return dirs


def digest(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def genotypes(path):
    """{(chrom, pos, ref, alt): gt string} of a single-sample truth VCF."""
    with pysam.VariantFile(str(path)) as vcf:
        sample = list(vcf.header.samples)[0]
        return {
            (r.chrom, r.pos, r.ref, r.alts): "/".join(map(str, r.samples[sample]["GT"]))
            for r in vcf
        }


def test_deterministic_for_a_seed(truth_only):
    a, b, c = truth_only["a"], truth_only["b"], truth_only["c"]
    for rel in ("reference.fa", "truth/S01.vcf.gz", "population_af.vcf.gz", "callable.bed"):
        assert digest(a / rel) == digest(b / rel), rel
    assert digest(a / "reference.fa") != digest(c / "reference.fa")


def test_genome_is_grch38_like(truth_only):
    fa = pysam.FastaFile(str(truth_only["a"] / "reference.fa"))
    assert fa.references == ["chr1", "chr2", "chrX", "chrY", "chrM"]
    assert (
        1_900_000 <= fa.get_reference_length("chr1") + fa.get_reference_length("chr2") <= 2_100_000
    )
    chr1 = fa.fetch("chr1")
    assert set(chr1[: demo_genome.TELOMERE]) == {"N"} and set(chr1[-demo_genome.TELOMERE :]) == {
        "N"
    }
    assert set(chr1[560_000:580_000]) == {"N"}  # centromere-like gap
    # chrY PARs hard-masked, chrX PARs are sequence
    for start, end in demo_genome.y_par_intervals():
        assert set(fa.fetch("chrY", start, end)) == {"N"}
    assert "N" not in fa.fetch("chrX", *demo_genome.PAR1)
    gc = sum(chr1.count(b) for b in "GC") / sum(chr1.count(b) for b in "ACGT")
    assert 0.38 < gc < 0.46
    assert "A" * 12 in chr1 or "T" * 12 in chr1  # homopolymers
    # segmental duplications: copies differ by about 1%
    rows = [line.split("\t") for line in (truth_only["a"] / "segdups.bed").read_text().splitlines()]
    pairs = {}
    for contig, start, end, name in rows:
        pairs.setdefault(name, []).append(fa.fetch(contig, int(start), int(end)))
    assert len(pairs) == 3
    for x, y in pairs.values():
        mismatch = sum(p != q for p, q in zip(x, y)) / len(x)
        assert 0.002 < mismatch < 0.03


def test_variation_is_structured(truth_only):
    out = truth_only["a"]
    calls = {s.sample: genotypes(out / "truth" / f"{s.sample}.vcf.gz") for s in COHORT}
    all_sites = set().union(*calls.values())
    multi = [k for k in all_sites if len(k[3]) > 1]
    lengths = [len(alt) - len(k[2]) for k in all_sites for alt in k[3] if len(alt) != len(k[2])]
    assert multi, "some multi-allelic sites"
    assert min(lengths) >= -20 and max(lengths) <= 20
    assert any(n < 0 for n in lengths) and any(n > 0 for n in lengths)
    assert any(abs(n) >= 10 for n in lengths)
    carriers = {k: sum(k in c for c in calls.values()) for k in all_sites}
    # private (one carrier), and common (most samples)
    assert sum(v == 1 for v in carriers.values()) > 100
    assert sum(v >= 6 for v in carriers.values()) > 500
    # the ~30x samples each carry thousands of variants
    assert all(len(c) > 3000 for c in calls.values())


def test_planted_relationships_and_sex(truth_only):
    out = truth_only["a"]
    g = {s.sample: genotypes(out / "truth" / f"{s.sample}.vcf.gz") for s in COHORT}
    assert g["S02"] == g["S08"], "S08 is S02 under another ID"
    assert g["S01"] != g["S03"]
    # parent-child: never opposite homozygotes on autosomes; they share many alleles
    mother, son = g["S03"], g["S04"]

    def auto(d):
        return {k: v for k, v in d.items() if k[0] in ("chr1", "chr2")}

    opposite = [k for k, v in auto(son).items() if v == "1/1" and k not in mother]
    opposite += [k for k, v in auto(mother).items() if v == "1/1" and k not in son]
    assert not opposite
    shared = len(set(auto(mother)) & set(auto(son))) / len(auto(son))
    unrelated = len(set(auto(g["S01"])) & set(auto(son))) / len(auto(son))
    assert shared > unrelated + 0.1
    # males: haploid chrX outside the PARs, diploid inside, chrY haploid; females: no chrY
    for sample in ("S02", "S04", "S07"):
        x = [(k, v) for k, v in g[sample].items() if k[0] == "chrX"]
        nonpar = [v for k, v in x if not demo_genome.is_par("chrX", k[1] - 1)]
        par = [v for k, v in x if demo_genome.is_par("chrX", k[1] - 1)]
        assert nonpar and all("/" not in v for v in nonpar)
        assert par and all("/" in v for v in par)
        assert any(k[0] == "chrY" for k in g[sample])
    for sample in ("S01", "S03", "S05", "S06"):
        assert not any(k[0] == "chrY" for k in g[sample])
    declared = dict(
        line.split("\t")[:2] for line in (out / "samples.tsv").read_text().splitlines()[1:]
    )
    assert declared["S07"] == "female"  # the planted sex mismatch


def test_quality_and_error_model():
    rng = np.random.default_rng(3)
    q1, q2 = demo_reads.quality_matrix(rng, 20_000, 1), demo_reads.quality_matrix(rng, 20_000, 2)
    assert q1[:, :10].mean() > q1[:, -10:].mean() + 3  # qualities fall along the read
    assert q2.mean() < q1.mean()  # R2 is worse
    reads = np.zeros((20_000, demo_reads.READ_LEN), np.uint8)
    demo_reads.add_errors(rng, reads, q1)
    observed = (reads != 0).mean()
    expected = np.power(10.0, -q1.astype(float) / 10).mean()
    assert observed == pytest.approx(expected, rel=0.1)


def test_short_inserts_read_into_adapters():
    rng = np.random.default_rng(4)
    hap = rng.integers(0, 4, 5_000).astype(np.uint8)
    starts, lengths = np.array([100, 1000]), np.array([80, 400])
    r1, r2 = demo_reads.reads_from(hap, starts, lengths, np.array([True, True]), rng)
    text = demo_genome.decode
    assert text(r1[0]).startswith(demo_genome.decode(hap[100:180]))
    assert text(r1[0])[80:].startswith(demo_reads.ADAPTER_R1.decode())
    assert text(r2[0])[80:].startswith(demo_reads.ADAPTER_R2.decode())
    assert text(r1[1]) == demo_genome.decode(hap[1000:1150])  # long insert: no adapter
    revcomp = demo_genome.decode(demo_genome.COMPLEMENT[hap[1250:1400][::-1]])
    assert text(r2[1]) == revcomp


def test_fastq_records_are_well_formed(tmp_path):
    rng = np.random.default_rng(5)
    seqs = rng.integers(0, 4, (3, demo_reads.READ_LEN)).astype(np.uint8)
    quals = demo_reads.quality_matrix(rng, 3, 1)
    path = tmp_path / "x.fastq.gz"
    demo_reads.write_fastq(path, [b"r1", b"r2", b"r3"], seqs, quals, 1)
    lines = gzip.open(path, "rt").read().splitlines()
    assert len(lines) == 12
    assert lines[0] == "@r1 1:N:0:1" and lines[2] == "+"
    assert len(lines[1]) == len(lines[3]) == demo_reads.READ_LEN
    assert min(lines[3]) >= "#"  # Phred+33, Q2 at worst


def test_snvs_have_a_human_like_ti_tv(truth_only):
    transitions = {("A", "G"), ("G", "A"), ("C", "T"), ("T", "C")}
    ti = tv = 0
    for key in genotypes(truth_only["a"] / "truth" / "S01.vcf.gz"):
        ref, alts = key[2], key[3]
        for alt in alts:
            if len(ref) == len(alt) == 1:
                ti += (ref, alt) in transitions
                tv += (ref, alt) not in transitions
    assert 1.7 < ti / tv < 2.4


def test_cluster_positions_and_so_read_names_are_unique():
    """Optical duplicates land near their original; exact repeats are moved along y, so
    no two pairs share a name (samtools fastq would drop them when a CRAM or uBAM of the
    reads is realigned)."""
    tiles = np.array([1101, 1101, 1101, 1102, 1101])
    xs = np.array([5, 5, 5, 5, 7])
    ys = np.array([9, 9, 10, 9, 9])
    demo_reads.unique_positions(tiles, xs, ys)
    assert ys.tolist() == [9, 10, 11, 9, 9]
    assert len(set(zip(tiles.tolist(), xs.tolist(), ys.tolist()))) == 5


def test_package_driver_writes_what_the_cli_writes(truth_only, tmp_path):
    """scripts/make_demo_data.py is a thin CLI over refcohort.demo.cohort.write_demo."""
    write_demo(tmp_path, 7, skip_reads=True)
    for rel in (
        "reference.fa",
        "truth/S04.vcf.gz",
        "population_af.vcf.gz",
        "callable.bed",
        "gaps.bed",
        "par.bed",
        "segdups.bed",
        "ploidy.txt",
        "samples.tsv",
    ):
        assert digest(tmp_path / rel) == digest(truth_only["a"] / rel), rel
