"""The reference: present and indexed, its contigs (a fast FASTA scan with SAM M5
checksums, cached) against the QC contig classes, the PAR BED, the population-frequency
VCF and the CRAMs already written with it.
"""

from __future__ import annotations

import gzip
import os
import re
import struct
import zlib
from pathlib import Path

from ..headers import HEADER_ERRORS, cram_header_text, header_md5s
from ..io import BED_HEADERS
from .fasta import compression, contig_sample, fai_problems, fasta_contigs
from .messages import describe_mode, show

PAR_BED = "qc.par"


def ploidy_problems(ploidy: str, contigs: dict[str, dict]) -> list[str]:
    """A bcftools ploidy file (CHROM FROM TO SEX PLOIDY) must name the reference's contigs
    (or '*'), with regions that start within them."""
    problems = []
    where = f"reference.ploidy {show(ploidy)}"
    for number, line in enumerate(Path(ploidy).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) == 5 and fields[0] == "*":
            continue  # the default for every other contig
        if len(fields) < 5 or not (fields[1].isdigit() and fields[2].isdigit()):
            problems.append(
                f"{where}, line {number}: {show(line)} is not CHROM FROM TO SEX PLOIDY; "
                "see `bcftools call --ploidy-file`."
            )
            continue
        contig, start = fields[0], int(fields[1])
        if contig not in contigs:
            problems.append(
                f"{where}, line {number}: contig {show(contig)} is not in the reference "
                f"({contig_sample(contigs)}); use the reference's contig names, or males are "
                "called diploid there."
            )
        elif start > contigs[contig]["length"]:
            # an end past the contig is common (2147483647: "to the end"); a start is not
            problems.append(
                f"{where}, line {number}: {contig}:{start}-{fields[2]} starts past the end of "
                f"{contig} ({contigs[contig]['length']:,} bp in the reference): the file is for "
                "another assembly."
            )
    return problems


def vcf_contigs(path: str) -> dict[str, int | None]:
    """Contigs of a bgzipped VCF: its ##contig header lines (with lengths), else the
    sequence names in its .tbi index."""
    contigs: dict[str, int | None] = {}
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if not line.startswith("##"):
                break
            m = re.match(r"##contig=<ID=([^,>]+)(?:.*?length=(\d+))?", line)
            if m:
                contigs[m.group(1)] = int(m.group(2)) if m.group(2) else None
    tbi = Path(f"{path}.tbi")
    if not contigs and tbi.is_file():
        data = gzip.decompress(tbi.read_bytes())
        if data[:4] == b"TBI\x01":
            n_names = struct.unpack_from("<i", data, 32)[0]
            names = data[36 : 36 + n_names].split(b"\0")
            contigs = {n.decode(): None for n in names if n}
    return contigs


def reference_problems(
    config: dict, par_bed: str | None, cache_dir: str | None = None
) -> list[str]:
    """The configured reference: present, bgzip with its .gzi, and contig names that the QC
    contig classes, the PAR BED and the population-frequency VCF agree with."""
    fasta = config["reference"]["fasta"]
    where = f"reference.fasta {show(fasta)}"
    p = Path(fasta)
    if not p.is_file():
        return [
            f"{where} does not exist (relative paths are read from {Path.cwd()}); "
            "correct reference.fasta in the config."
        ]
    if not os.access(p, os.R_OK):
        return [f"{where} is not readable (permissions {describe_mode(p)}); fix its permissions."]
    problems = []
    kind = compression(fasta)
    if kind == "bgzf" and not Path(f"{fasta}.gzi").is_file():
        problems.append(
            f"{where} is bgzip-compressed but has no {fasta}.gzi index; run "
            f"`samtools faidx {fasta}` (writes .fai and .gzi) or decompress it (`bgzip -d`)."
        )
        return problems
    problems += fai_problems(fasta)
    if problems:
        return problems
    contigs = fasta_contigs(fasta, cache_dir)
    if not contigs:
        return [f"{where} has no '>' sequence lines; is it a FASTA file?"]
    twice = [n for n, c in contigs.items() if c.get("duplicate")]
    if twice:
        return [
            f"{where} has more than one contig named {contig_sample(twice)}; contig names "
            "must be unique (aligners and indexes keep only one of them)."
        ]
    names = list(contigs)
    qc = config["qc"]
    classes = {}
    for cls in ("autosomes", "chrX", "chrY"):
        try:
            pattern = re.compile(qc[cls])
        except re.error:
            return problems  # reported by config_value_problems
        classes[cls] = [n for n in names if pattern.fullmatch(n)]
    for a, b in (("autosomes", "chrX"), ("autosomes", "chrY"), ("chrX", "chrY")):
        both = sorted(set(classes[a]) & set(classes[b]))
        if both:
            problems.append(
                f"qc.{a} {show(qc[a])} and qc.{b} {show(qc[b])} both match {contig_sample(both)}"
                f" of {where}; each contig can be in one class only (an autosome pattern that "
                "matches chrX makes every male look like a sex-chromosome aneuploidy)."
            )
    if not classes["autosomes"]:
        problems.append(
            f"qc.autosomes {show(qc['autosomes'])} matches none of the contigs of {where} "
            f"({contig_sample(names)}); set qc.autosomes to a regular expression that fully "
            "matches your autosome names."
        )
    for cls, usual in (("chrX", "x"), ("chrY", "y")):
        if not classes[cls]:
            evident = [n for n in names if re.fullmatch(rf"(chr)?{usual}", n, flags=re.I)]
            if evident:
                problems.append(
                    f"qc.{cls} {show(qc[cls])} matches no contig of {where}, which has "
                    f"{', '.join(evident)}; set qc.{cls} to match it."
                )
    if par_bed:
        problems += par_problems(par_bed, names, qc, contigs)
    ploidy = config["reference"].get("ploidy", "")
    if ploidy and Path(ploidy).is_file():
        problems += ploidy_problems(ploidy, contigs)
    if qc.get("population_af"):
        problems += population_af_problems(qc["population_af"], contigs, classes["autosomes"])
    sv = config.get("sv", {})
    if sv.get("enabled") and sv.get("exclude"):
        problems += sv_exclude_problems(sv["exclude"], contigs)
    return problems


SV_EXCLUDE = "sv.exclude"


def _other_naming(contig: str) -> str:
    """The contig's name in the other naming convention ('1' <-> 'chr1', 'MT' <-> 'chrM')."""
    if contig.startswith("chr"):
        rest = contig[3:]
        return "MT" if rest == "M" else rest
    return "chrM" if contig == "MT" else f"chr{contig}"


def sv_exclude_problems(path: str, contigs: dict[str, dict]) -> list[str]:
    """Delly's exclusion file (sv.exclude: BED, or Delly's TSV: contig, start, end[, ...]):
    present, intervals, and named and sized for the reference. Lines on contigs the
    reference lacks (a primary-assembly reference and a file that lists alt contigs) are
    skipped by the workflow, unless the file is in another naming ('1' for 'chr1') or none
    of its contigs is in the reference: then Delly would exclude nothing."""
    where = f"{SV_EXCLUDE} {show(path)}"
    p = Path(path)
    if not p.is_file():
        return [
            f"{where} does not exist (relative paths are read from {Path.cwd()}); give "
            "Delly's exclusion file for your assembly (human.hg38.excl.tsv for GRCh38) or "
            "'' (the reference's N runs only)."
        ]
    problems, seen, renamed, past_end = [], set(), [], []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.startswith(BED_HEADERS):
                continue
            fields = line.rstrip("\r\n").split("\t" if "\t" in line else None)
            if (
                len(fields) < 3
                or not (fields[1].isdigit() and fields[2].isdigit())
                or int(fields[1]) > int(fields[2])
            ):
                return [
                    f"{where}, line {number}: {show(line.strip())} is not an interval "
                    "(contig, start, end, tab-separated); correct the line."
                ]
            contig = fields[0]
            seen.add(contig)
            if contig in contigs:
                length = contigs[contig].get("length")
                if length is not None and int(fields[2]) > length:
                    past_end.append(f"{contig}:{fields[1]}-{fields[2]} (line {number})")
            elif _other_naming(contig) in contigs:
                renamed.append(contig)
    if renamed:
        problems.append(
            f"{where} names contigs {contig_sample(sorted(set(renamed)))}, which the "
            f"reference calls {contig_sample([_other_naming(c) for c in sorted(set(renamed))])}: "
            "the file is for another naming of the assembly; rename its contigs (or take "
            "Delly's file for your reference's naming)."
        )
    elif seen and not seen & set(contigs):
        problems.append(
            f"{where} names none of the reference's contigs (it has {contig_sample(sorted(seen))};"
            f" the reference {contig_sample(list(contigs))}): Delly would exclude nothing; "
            "give the exclusion file of your reference's assembly."
        )
    if past_end:
        problems.append(
            f"{where} has intervals past the end of their contig ({contig_sample(past_end, 3)}):"
            " the file is for another assembly; give the one of your reference."
        )
    return problems


def par_problems(
    bed: str, names: list[str], qc: dict, contigs: dict[str, dict] | None = None
) -> list[str]:
    """PAR BED lines: chrX/chrY contigs by the qc patterns, named as in the reference, and
    within the contigs' lengths (a BED for another assembly)."""
    problems = []
    present = set(names)
    x, y = re.compile(qc["chrX"]), re.compile(qc["chrY"])
    ref_x = [n for n in names if x.fullmatch(n)]
    ref_y = [n for n in names if y.fullmatch(n)]
    for number, line in enumerate(Path(bed).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith(BED_HEADERS):
            continue
        fields = line.split("\t")
        where = f"{PAR_BED} {bed}, line {number}"
        if (
            len(fields) < 3
            or not (fields[1].isdigit() and fields[2].isdigit())
            or int(fields[1]) > int(fields[2])
        ):
            problems.append(
                f"{where}: {show(line)} is not a BED interval (contig, start, end, "
                "tab-separated); correct the line."
            )
            continue
        contig = fields[0]
        if contig in present:
            length = (contigs or {}).get(contig, {}).get("length")
            if length is not None and int(fields[2]) > length:
                problems.append(
                    f"{where}: {contig}:{fields[1]}-{fields[2]} ends past the end of {contig} "
                    f"({length:,} bp in the reference): the PAR BED is for another assembly; "
                    "give the PARs of your reference (or qc.par: '' for none)."
                )
            continue
        if x.fullmatch(contig):
            same = ref_x
        elif y.fullmatch(contig):
            same = ref_y
        else:
            problems.append(
                f"{where}: contig {show(contig)} is neither chrX (qc.chrX {show(qc['chrX'])}) "
                f"nor chrY (qc.chrY {show(qc['chrY'])}); the PAR BED lists X and Y intervals "
                "only."
            )
            continue
        if same:
            problems.append(
                f"{where}: contig {show(contig)} is not in the reference, which names it "
                f"{', '.join(same)}; use the reference's contig names in the PAR BED."
            )
    return problems


def population_af_problems(vcf: str, contigs: dict[str, dict], autosomes: list[str]) -> list[str]:
    """The population-frequency VCF (qc.population_af): present, indexed, and made for the
    reference's assembly (shared autosome names, the same contig lengths)."""
    where = f"qc.population_af {show(vcf)}"
    if not Path(vcf).is_file():
        return [
            f"{where} does not exist; correct the path or set it to '' (no contamination estimate)."
        ]
    if not Path(f"{vcf}.tbi").is_file() and not Path(f"{vcf}.csi").is_file():
        return [f"{where} has no .tbi index; index it with `tabix -p vcf {vcf}`."]
    try:
        theirs = vcf_contigs(vcf)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        return [
            f"{where} cannot be read as a bgzipped VCF ({e}); give a bgzipped, tabix-indexed VCF."
        ]
    if not theirs:
        return []
    problems = []
    shared = [n for n in autosomes if n in theirs]
    if autosomes and not shared:
        problems.append(
            f"{where} names its contigs {contig_sample(theirs)}, the reference "
            f"{contig_sample(contigs)}: no autosome in common. Use a resource for the same "
            "assembly with the same contig names (bcftools annotate --rename-chrs)."
        )
    differ = [
        f"{n} ({theirs[n]} vs {contigs[n]['length']} bp)"
        for n in theirs
        if n in contigs and theirs[n] is not None and theirs[n] != contigs[n]["length"]
    ]
    if differ:
        problems.append(
            f"{where}: contig lengths differ from the reference's: {contig_sample(differ, 4)}; "
            "it was made for another assembly. Use the resource for your reference build."
        )
    return problems


def cram_reference_problems(
    crams: list[str], fasta: str, cache_dir: str | None = None
) -> list[str]:
    """CRAMs already written must carry the configured reference's contigs and M5s."""
    if not crams or not Path(fasta).is_file():
        return []
    reference = fasta_contigs(fasta, cache_dir, md5=True)
    mismatched, first = [], None
    for cram in crams:
        try:
            sq = header_md5s(cram_header_text(cram))
        except HEADER_ERRORS:
            continue  # an unreadable CRAM is redone or reported by its own job
        diffs = []
        for name, m5 in sq.items():
            if name not in reference:
                diffs.append(f"contig {name} is in the CRAM but not in the reference")
            elif m5 and m5 != reference[name]["md5"]:
                diffs.append(
                    f"contig {name} has M5 {m5} in the CRAM but {reference[name]['md5']} in "
                    "the reference"
                )
        diffs += [
            f"contig {n} is in the reference but not in the CRAM" for n in reference if n not in sq
        ]
        if diffs:
            mismatched.append(cram)
            first = first or (cram, diffs)
    if not mismatched:
        return []
    cram, diffs = first
    return [
        f"reference.fasta {show(fasta)} is not the reference the existing CRAMs were written "
        f"with ({len(mismatched)} of {len(crams)} differ: {contig_sample(mismatched, 4)}); in "
        f"{cram}: {'; '.join(diffs[:3])}{' ...' if len(diffs) > 3 else ''}. Restore the "
        "original reference, or start a new results directory (move results/ away, or run "
        "with --directory elsewhere) to realign every sample with the new one."
    ]
