"""The demo's planted structural variants (refcohort.demo.structural): written into the
haplotypes at the right place after small indels, their truth and the callable mask."""

import gzip

import numpy as np

from refcohort.demo import structural
from refcohort.demo.genome import decode, encode
from refcohort.demo.structural import PlantedSV
from refcohort.demo.truth import bgzip_index
from refcohort.demo.variants import Site


def test_svs_land_at_their_reference_position_after_small_indels():
    ref = encode("AAAACCCCGGGGTTTTACGTACGT")  # 24 bp
    # a 2-bp insertion at 1 and a 1-bp deletion at 20 on this haplotype
    sites = [Site("c", 1, "A", ["ATT"]), Site("c", 20, "AC", ["A"])]
    alleles = np.array([1, 1])
    from refcohort.demo.variants import haplotype_sequence

    hap = haplotype_sequence(ref, sites, alleles)
    assert decode(hap) == "AATTAACCCCGGGGTTTTACGTAGT"
    dele = PlantedSV("D", "c", 4, 8, "DEL", (("S", 1),))  # reference CCCC
    assert decode(structural.apply(hap, [dele], sites, alleles)) == "AATTAAGGGGTTTTACGTAGT"
    dup = PlantedSV("U", "c", 8, 12, "DUP", (("S", 1),))  # GGGG twice
    assert decode(structural.apply(hap, [dup], sites, alleles)) == "AATTAACCCCGGGGGGGGTTTTACGTAGT"
    inv = PlantedSV("I", "c", 4, 10, "INV", (("S", 1),))  # CCCCGG reverse-complemented
    assert decode(structural.apply(hap, [inv], sites, alleles)) == "AATTAACCGGGGGGTTTTACGTAGT"
    both = structural.apply(hap, [dele, dup], sites, alleles)
    assert decode(both) == "AATTAAGGGGGGGGTTTTACGTAGT"


def test_a_homozygous_sv_is_on_both_copies_a_heterozygous_one_on_the_first():
    assert [sv.id for sv in structural.carried("S03", "chr1", 0)] == ["DEL1", "DEL4"]
    assert [sv.id for sv in structural.carried("S03", "chr1", 1)] == ["DEL1"]
    assert structural.carried("S05", "chr2", 0) == []
    # S08 is S02, and S04 carries one copy of his mother's homozygous DEL1
    assert structural.carried("S08", "chrX", 0) == structural.carried("S02", "chrX", 0)
    assert dict(structural.PLANTED[0].copies)["S04"] == 1


def test_sv_truth_has_every_sample_and_haploid_male_x(tmp_path):
    genome = {"chr1": np.zeros(1_200_000, np.uint8), "chr2": np.zeros(900_000, np.uint8),
              "chrX": np.zeros(400_000, np.uint8)}  # fmt: skip
    samples = [f"S0{i}" for i in range(1, 9)]
    n = structural.write_sv_truth(
        tmp_path / "sv.vcf", genome, samples, {"S02", "S04", "S07", "S08"}
    )
    bgzip_index(tmp_path / "sv.vcf")
    with gzip.open(tmp_path / "sv.vcf.gz", "rt") as fh:
        records = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    assert n == len(records) == len(structural.PLANTED)
    delx = next(r for r in records if r[2] == "DELX")
    assert delx[4] == "<DEL>" and "SVTYPE=DEL;END=152000;SVLEN=-2000" in delx[7]
    assert delx[9:] == ["0/1", "1", "0/0", "0", "0/0", "0/0", "1", "1"]
    del1 = next(r for r in records if r[2] == "DEL1")
    assert del1[9:12] == ["0/1", "0/1", "1/1"]


def test_callable_regions_leave_out_each_sv_with_its_margin():
    regions = structural.excluded_regions()
    assert (299_000, 301_600) in regions["chr1"]
    assert (149_000, 153_000) in regions["chrX"]
