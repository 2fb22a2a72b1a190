"""The demo cohort's design and the driver that writes the whole demo folder.

Cohort (``samples.tsv`` with declared ``sex`` and ISO 3166-1 ``population``), with the
cases planted for the sample-QC stage (also listed in ``planted.tsv``):
  * ``S01`` is sequenced on two lanes (two units; duplicates span the lanes);
  * ``S05`` is sequenced at ~8x instead of ~30x;
  * ``S06`` is contaminated with ~5% of its reads from an individual outside the cohort
    (of another population);
  * ``S07`` is declared female in ``samples.tsv`` but is genetically male (XY);
  * ``S08`` is the same individual as ``S02`` (identical genotypes, independent library
    and reads), i.e. a duplicate under two sample IDs;
  * ``S04`` is the son of ``S03`` (parent-child pair: one haplotype per autosome, with a
    crossover, and his X come from his mother).
For the cohort-structure stage (docs/structure.md), two more EE samples and two NL ones
so that each population has unrelated samples that pass QC, and one mislabelled sample:
  * ``S11`` is declared FI in ``samples.tsv`` but simulated from the EE population (a
    sample swap or wrong metadata), which the PCA must flag.
The optional ``minority`` column marks S03, S04 and S12 as a (made-up) minority group RUS.
S03 and S04 are also given as another centre's CRAM and an unaligned BAM
(:mod:`.external`); their FASTQs stay in ``reads/`` (not in units.tsv) for comparing
the calls from the same reads given as FASTQ.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import structural
from .external import write_external
from .genome import PAR1, PAR2, build_genome, write_fasta
from .reads import READ_LEN, ReadJob, simulate_reads
from .truth import bgzip_index, write_annotations, write_truth
from .variants import (
    VARIANT_CONTIGS,
    Individual,
    Site,
    add_private,
    haplotype_sequence,
    inherit,
    make_sites,
    resort,
    sample_haps,
)

N_PRIVATE = 20  # private heterozygous SNVs per individual (half on chr1, half on chr2)


@dataclass(frozen=True)
class SampleSpec:
    """One row of the demo cohort design."""

    sample: str
    declared_sex: str
    genetic_sex: str
    population: str
    coverage: float
    units: tuple[str, ...] = ("L001",)
    role: str = "reference"
    ancestry: str = ""  # the population simulated from, when not the declared one
    minority: str = ""

    @property
    def genetic_population(self) -> str:
        return self.ancestry or self.population


COHORT = (
    SampleSpec("S01", "female", "female", "FI", 30, ("L001", "L002"), "two lanes"),
    SampleSpec("S02", "male", "male", "FI", 30, role="duplicate of S08"),
    SampleSpec("S03", "female", "female", "EE", 30, role="mother of S04", minority="RUS"),
    SampleSpec("S04", "male", "male", "EE", 30, role="son of S03", minority="RUS"),
    SampleSpec("S05", "female", "female", "NL", 8, role="low coverage (~8x)"),
    SampleSpec(
        "S06", "female", "female", "NL", 30, role="contaminated (~5% reads of another individual)"
    ),
    SampleSpec(
        "S07", "female", "male", "EE", 30, role="sex mismatch (declared female, genetically XY)"
    ),
    SampleSpec("S08", "male", "male", "FI", 30, role="duplicate of S02 (same individual)"),
    SampleSpec("S09", "male", "male", "NL", 30),
    SampleSpec("S10", "female", "female", "NL", 30),
    SampleSpec(
        "S11",
        "female",
        "female",
        "FI",
        30,
        role="mislabelled (declared FI, EE genome)",
        ancestry="EE",
    ),
    SampleSpec("S12", "male", "male", "EE", 30, minority="RUS"),
)
CONTAMINATION = {"S06": 0.05}


def make_people(
    rng: np.random.Generator,
    genome: dict[str, np.ndarray],
    sites_by_contig: dict[str, list[Site]],
) -> tuple[dict[str, Individual], Individual]:
    """The cohort's individuals by sample (S08 is S02) and the contaminant; adds their
    private sites to ``sites_by_contig`` (sorted again)."""
    people: dict[str, Individual] = {}
    for spec in COHORT:
        if spec.sample == "S08":
            continue  # same individual as S02, added below
        pop = spec.genetic_population
        haps = sample_haps(rng, sites_by_contig, pop, spec.genetic_sex)
        people[spec.sample] = Individual(spec.sample, pop, spec.genetic_sex, haps)
    contaminant = Individual("EXT1", "FI", "male", sample_haps(rng, sites_by_contig, "FI", "male"))
    everyone = list(people.values()) + [contaminant]
    for ind in list(people.values()):
        add_private(rng, ind, everyone, sites_by_contig, genome, N_PRIVATE)
    resort(sites_by_contig, everyone)
    # The parent-child pair: S04 gets one recombined haplotype of S03 (his X from her).
    inherit(rng, people["S03"], people["S04"], ["chr1", "chr2", "chrX"])
    people["S08"] = Individual("S08", "FI", "male", people["S02"].haps)
    return people, contaminant


def haplotype_copies(
    who: Individual, genome: dict[str, np.ndarray], sites_by_contig: dict[str, list[Site]]
) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
    """(haplotype codes, windows reads are drawn from) of every contig copy of ``who``:
    chrM once, chrY once in males, a male's second chrX copy only in the PARs."""
    copies = []
    for contig, seq in genome.items():
        if contig == "chrM":
            copies += [(seq, [(0, seq.size)])]
            continue
        if contig == "chrY" and who.sex == "female":
            continue
        sites = sites_by_contig[contig]
        haps = []
        for k, alleles in enumerate(who.haps[contig]):
            hap = haplotype_sequence(seq, sites, alleles)
            svs = structural.carried(who.name, contig, k)
            haps.append((structural.apply(hap, svs, sites, alleles), bool(svs)))
        if contig == "chrY":
            copies += [(haps[0][0], [(0, seq.size)])]
        elif contig == "chrX" and who.sex == "male":
            (x, _), (ypar, _) = haps
            copies += [(x, [(0, x.size)]), (ypar, [PAR1, (PAR2[0], min(PAR2[1], ypar.size))])]
        else:
            # a copy with a planted SV is read over its own length (a duplication makes it
            # longer); the others over the reference's, as before SVs were planted
            copies += [(hap, [(0, hap.size if sv else seq.size)]) for hap, sv in haps]
    return copies


def read_jobs(
    out: Path,
    seed: int,
    genome: dict[str, np.ndarray],
    sites_by_contig: dict[str, list[Site]],
    people: dict[str, Individual],
    contaminant: Individual,
) -> list[ReadJob]:
    """One job per sample: fragment counts per haplotype copy for its coverage, the
    contaminant's share for a contaminated sample."""
    jobs = []
    for k, spec in enumerate(COHORT):
        sources = []
        mixes = [(people[spec.sample], 1.0 - CONTAMINATION.get(spec.sample, 0.0), False)]
        if spec.sample in CONTAMINATION:
            mixes.append((contaminant, CONTAMINATION[spec.sample], True))
        for who, share, is_cont in mixes:
            for hap, windows in haplotype_copies(who, genome, sites_by_contig):
                span = sum(e - s for s, e in windows)
                n = int(spec.coverage * share * span / (2 * READ_LEN) / 2)
                sources.append((hap, windows, n, is_cont))
        jobs.append(ReadJob(spec, seed + 1000 * (k + 1), str(out / "reads"), sources))
    return jobs


def write_sheets(out: Path, unit_rows: list[tuple[str, str, str, str]], external: dict) -> None:
    """units.tsv (FASTQ, CRAM and uBAM units), truth.tsv and planted.tsv."""
    with open(out / "units.tsv", "w") as fh:
        fh.write("sample\tunit\tplatform\tlibrary\tfq1\tfq2\tcram\tubam\tinput_reference\n")
        for s, u, f1, f2 in unit_rows:
            row = external.get(s, {"fq1": f1, "fq2": f2})
            files = [row.get(k, "") for k in ("fq1", "fq2", "cram", "ubam", "input_reference")]
            fh.write("\t".join([s, u, "ILLUMINA", f"{s}-lib1", *files]) + "\n")
    with open(out / "truth.tsv", "w") as fh:
        fh.write("sample\tvcf\tbed\n")
        fh.writelines(
            f"{s.sample}\t{out / 'truth' / s.sample}.vcf.gz\t{out / 'callable.bed'}\n"
            for s in COHORT
        )
    with open(out / "planted.tsv", "w") as fh:
        fh.write(
            "sample\tdeclared_sex\tgenetic_sex\tpopulation\tancestry\tcoverage"
            "\tcontamination\trole\n"
        )
        fh.writelines(
            f"{s.sample}\t{s.declared_sex}\t{s.genetic_sex}\t{s.population}"
            f"\t{s.genetic_population}\t{s.coverage}\t{CONTAMINATION.get(s.sample, 0.0)}"
            f"\t{s.role}\n"
            for s in COHORT
        )


def write_demo(out: Path, seed: int, threads: int = 2, skip_reads: bool = False) -> None:
    """Write the demo folder: reference, truth, annotations and samples.tsv; unless
    ``skip_reads``, also the reads (``threads`` worker processes), the external CRAM and
    uBAM, units.tsv, truth.tsv and planted.tsv."""
    t0 = time.time()
    (out / "reads").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    genome, segdups = build_genome(rng)
    write_fasta(out / "reference.fa", genome)
    size = sum(s.size for s in genome.values())
    print(f"[demo] reference: {size:,} bp in {len(genome)} contigs", file=sys.stderr)

    sites = make_sites(rng, genome)
    sites_by_contig = {c: [s for s in sites if s.contig == c] for c in VARIANT_CONTIGS}
    people, contaminant = make_people(rng, genome, sites_by_contig)
    samples = [s.sample for s in COHORT]
    n_truth = write_truth(out, genome, sites_by_contig, people, samples)
    males = {s.sample for s in COHORT if s.genetic_sex == "male"}
    n_sv = structural.write_sv_truth(out / "truth" / "sv.vcf", genome, samples, males)
    bgzip_index(out / "truth" / "sv.vcf")
    write_annotations(out, genome, segdups, structural.excluded_regions())
    with open(out / "samples.tsv", "w") as fh:
        fh.write("sample\tsex\tpopulation\tminority\n")
        fh.writelines(
            f"{s.sample}\t{s.declared_sex}\t{s.population}\t{s.minority}\n" for s in COHORT
        )
    if skip_reads:
        return

    jobs = read_jobs(out, seed, genome, sites_by_contig, people, contaminant)
    with ProcessPoolExecutor(max_workers=max(1, threads)) as pool:
        unit_rows = [row for rows in pool.map(simulate_reads, jobs) for row in rows]
    # genomes sequenced elsewhere: S03 as a CRAM on a differently named reference,
    # S04 as an unaligned BAM
    fastqs = {s: (f1, f2) for s, _, f1, f2 in unit_rows}
    external = write_external(out, genome, fastqs, threads)
    write_sheets(out, unit_rows, external)
    print(
        f"[demo] {len(COHORT)} samples, {n_truth:,} truth genotypes, {n_sv} planted SVs,"
        f" written to {out}"
        f" in {time.time() - t0:.1f} s",
        file=sys.stderr,
    )
