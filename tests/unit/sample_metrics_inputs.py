"""Small hand-written tool outputs (samtools stats, markdup, bcftools stats, mosdepth
thresholds) shared by test_sample_metrics_parsers.py and test_sample_metrics.py."""

import gzip

import numpy as np

from refcohort.qc.coverage import MAX_DEPTH


def quality_row(tag: str, cycle: int, counts: dict[int, int], max_q: int = 41) -> str:
    row = [0] * (max_q + 2)
    for q, n in counts.items():
        row[q] = n
    return "\t".join([tag, str(cycle)] + [str(v) for v in row])


SAMTOOLS_STATS = "\n".join(
    [
        "# This file was produced by samtools stats (1.16.1+htslib-1.16) and can be plotted "
        "using plot-bamstats",
        "# Summary Numbers. Use `grep ^SN | cut -f 2-` to extract this part.",
        "SN\traw total sequences:\t1000\t# excluding supplementary and secondary reads",
        "SN\tfiltered sequences:\t0",
        "SN\tsequences:\t1000",
        "SN\treads mapped:\t990",
        "SN\treads mapped and paired:\t980\t# paired-end technology bit set + both mates mapped",
        "SN\treads unmapped:\t10",
        "SN\treads properly paired:\t950\t# proper-pair bit set",
        "SN\treads paired:\t1000\t# paired-end technology bit set",
        "SN\treads duplicated:\t50\t# PCR or optical duplicate bit set",
        "SN\terror rate:\t2.387042e-03\t# mismatches / bases mapped (cigar)",
        "SN\tinsert size average:\t407.7",
        "SN\tinsert size standard deviation:\t101.3",
        "SN\tinward oriented pairs:\t480",
        "SN\toutward oriented pairs:\t10",
        "SN\tpairs with other orientation:\t0",
        "SN\tpairs on different chromosomes:\t7",
        "SN\tpercentage of properly paired reads (%):\t95.0",
        "# First Fragment Qualities. Use `grep ^FFQ | cut -f 2-` to extract this part.",
        quality_row("FFQ", 1, {2: 5, 29: 3, 30: 4, 40: 6}),
        quality_row("FFQ", 2, {41: 1}),
        "# Last Fragment Qualities. Use `grep ^LFQ | cut -f 2-` to extract this part.",
        quality_row("LFQ", 1, {10: 7, 35: 2}),
        "# Mismatches per cycle and quality.",
        "MPC\t1\t0\t0\t99",  # other sections are ignored
        "",
    ]
)

MARKDUP = """COMMAND: samtools markdup -S -f stats.txt in.bam out.bam
READ: 1100
WRITTEN: 1100
EXCLUDED: 100
EXAMINED: 1000
PAIRED: 980
SINGLE: 20
DUPLICATE PAIR: 40
DUPLICATE SINGLE: 10
DUPLICATE PAIR OPTICAL: 5
DUPLICATE SINGLE OPTICAL: 0
DUPLICATE NON PRIMARY: 3
DUPLICATE NON PRIMARY OPTICAL: 0
DUPLICATE PRIMARY TOTAL: 50
DUPLICATE TOTAL: 53
ESTIMATED_LIBRARY_SIZE: 12345
"""

PSC_HEADER = (
    "# PSC\t[2]id\t[3]sample\t[4]nRefHom\t[5]nNonRefHom\t[6]nHets\t[7]nTransitions\t"
    "[8]nTransversions\t[9]nIndels\t[10]average depth\t[11]nSingletons\t[12]nHapRef\t"
    "[13]nHapAlt\t[14]nMissing"
)
PSI_HEADER = (
    "# PSI\t[2]id\t[3]sample\t[4]in-frame\t[5]out-frame\t[6]not applicable\t"
    "[7]out/(in+out) ratio\t[8]nInsHets\t[9]nDelHets\t[10]nInsAltHoms\t[11]nDelAltHoms"
)
IDD_HEADER = (
    "# IDD\t[2]id\t[3]length (deletions negative)\t[4]number of sites\t[5]number of genotypes"
    "\t[6]mean VAF"
)


def bcftools_stats_text(psc: str | None, psi: str | None = None, idd: list[str] = ()) -> str:
    lines = [
        "# This file was produced by bcftools stats (1.16+htslib-1.16) and can be plotted "
        "using plot-vcfstats.",
        "# SN\t[2]id\t[3]key\t[4]value",
        "SN\t0\tnumber of samples:\t1",
        "SN\t0\tnumber of records:\t92",
        "# IDD, InDel distribution:",
        IDD_HEADER,
        *idd,
        "# PSC, Per-sample counts. Note that the ref/het/hom counts include only SNPs, for "
        "indels see PSI.",
        PSC_HEADER,
    ]
    if psc is not None:
        lines.append(psc)
    lines += ["# PSI, Per-Sample Indels.", PSI_HEADER]
    if psi is not None:
        lines.append(psi)
    return "\n".join(lines) + "\n"


def write_thresholds(path, rows: list[tuple[str, int, str, list[int]]]) -> None:
    """A mosdepth thresholds file; each row: contig, start, class, per-base depths."""
    header = ["#chrom", "start", "end", "region"] + [f"{d}X" for d in range(1, MAX_DEPTH + 1)]
    with gzip.open(path, "wt") as fh:
        fh.write("\t".join(header) + "\n")
        for contig, start, cls, depths in rows:
            depths = np.asarray(depths)
            counts = [int((depths >= d).sum()) for d in range(1, MAX_DEPTH + 1)]
            fh.write(
                "\t".join(
                    [contig, str(start), str(start + len(depths)), cls] + [str(c) for c in counts]
                )
                + "\n"
            )
