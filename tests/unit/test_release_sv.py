"""The structural-variant release (refcohort.release with structural=True): Delly's
symbolic records under the small-variant release's policy: the same groups, small counts
and small groups withheld, no count recoverable by subtraction, males hemizygous on chrX
(Delly genotypes diploid everywhere), and only SVTYPE, END and SVLEN carried over."""

import numpy as np
from release_cohort import (
    HEADER_START,
    fill_tags,
    make_cohort,
    read_release,
    write_par,
    write_sheet,
)
from test_release_privacy import atoms_and_rows, recoverable

import refcohort.release as rl

SV_HEADER = [
    '##ALT=<ID=DEL,Description="Deletion">',
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End">',
    '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length">',
    '##INFO=<ID=PE,Number=1,Type=Integer,Description="Paired-end support">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
]


def write_sv_vcf(path, cohort, records):
    """A Delly-like cohort BCF as text: records (chrom, pos, svtype, end, filter, gts)."""
    names = [s for s, _, _ in cohort]
    lines = [
        *HEADER_START,
        *SV_HEADER,
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"])
        + "\t"
        + "\t".join(names),
    ]
    for i, (chrom, pos, svtype, end, filt, gts) in enumerate(records):
        alt = "N[chr1:500[" if svtype == "BND" else f"<{svtype}>"
        info = f"SVTYPE={svtype};END={end};PE=7" + (
            f";SVLEN={end - pos}" if svtype != "BND" else ""
        )
        lines.append(
            "\t".join(
                [
                    chrom,
                    str(pos),
                    f"{svtype}{i:08d}",
                    "A",
                    alt,
                    "60",
                    filt,
                    info,
                    "GT:GQ",
                    *(f"{gt}:40" for gt in gts),
                ]
            )  # fmt: skip
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def run_sv_release(tmp_path, cohort, records, **kw):
    vcf = write_sv_vcf(tmp_path / "sv.in.vcf", cohort, records)
    sheet = write_sheet(tmp_path / "samples.tsv", cohort)
    out = tmp_path / "sv.vcf.gz"
    summary = rl.release(
        str(vcf), str(sheet), str(out), par_bed=str(write_par(tmp_path / "par.bed")),
        structural=True, **kw,
    )  # fmt: skip
    return summary, out


def random_sv_records(rng, cohort, n=80):
    """Delly-like diploid genotypes everywhere (also a male's chrX), random frequencies."""
    records = []
    for chrom, span in (("chr1", 90000), ("chrX", 8000)):
        for pos in sorted(rng.choice(np.arange(1100, span), n // 2, replace=False)):
            p = float(rng.choice([0.02, 0.1, 0.3, 0.6]))
            gts = ["/".join(str(int(a)) for a in rng.random(2) < p) for _ in cohort]
            svtype = str(rng.choice(["DEL", "DUP", "INV", "INS"]))
            records.append((chrom, int(pos), svtype, int(pos) + 700, "PASS", gts))
    return records


def test_sv_records_carry_their_extent_and_nothing_individual(tmp_path):
    cohort = make_cohort({("FI", "F"): 3, ("FI", "M"): 3})
    records = [
        ("chr1", 1000, "DEL", 1600, "PASS", ["0/1", "1/1", "0/0", "0/1", "0/0", "0/0"]),
        ("chr1", 2000, "DUP", 5000, "LowQual", ["0/1"] * 6),  # Delly's site filter
        ("chr1", 3000, "BND", 3001, "PASS", ["0/1"] * 6),  # a breakend: not released
        ("chr1", 7000, "INV", 7500, "PASS", ["0/0"] * 6),  # no carrier
    ]
    summary, out = run_sv_release(tmp_path, cohort, records, min_allele_count=1, min_group_size=3)
    header, recs = read_release(out)
    assert [r["key"] for r in recs] == ["chr1:1000:A:<DEL>"]
    (rec,) = recs
    assert rec["SVTYPE"] == "DEL" and rec["END"] == "1600" and rec["SVLEN"] == "600"
    assert "PE" not in rec and rec["AC"] == "4" and rec["AN"] == "12"
    assert summary["kind"] == "structural variants"
    assert summary["not_pass"] == 1 and summary["not_biallelic"] == 1
    assert '##ALT=<ID=DEL,Description="Deletion">' in header
    assert any("Delly" in h for h in header if h.startswith("##release_policy=<ID=sites"))
    assert not any(s in line for line in header for s, _, _ in cohort)


def test_a_males_chrx_deletion_counts_one_allele(tmp_path):
    cohort = make_cohort({("FI", "F"): 2, ("FI", "M"): 2})  # F000, F001, M000, M001
    records = [
        # in PAR1 (0-1000): diploid for everyone
        ("chrX", 200, "DEL", 900, "PASS", ["0/1", "0/0", "1/1", "0/1"]),
        # outside the PARs: the males' 1/1 is one allele, a male's 0/1 is missing
        ("chrX", 5000, "DEL", 5800, "PASS", ["0/1", "0/0", "1/1", "0/1"]),
    ]
    summary, out = run_sv_release(tmp_path, cohort, records, min_allele_count=1, min_group_size=2)
    _, recs = read_release(out)
    by_pos = {r["pos"]: r for r in recs}
    assert by_pos[5000]["AN"] == "5" and by_pos[5000]["AC"] == "2"
    assert by_pos[5000]["AC_Hemi"] == "1"
    assert by_pos[200]["AN"] == "8" and by_pos[200]["AC"] == "4"
    assert summary["calls_set_missing"]["het_where_hemizygous"] == 1


def test_the_sv_release_withholds_like_the_small_variant_release(tmp_path):
    cohort = make_cohort({("FI", "F"): 6, ("FI", "M"): 6, ("EE", "F"): 6, ("EE", "M"): 2})
    rng = np.random.default_rng(16)
    records = random_sv_records(rng, cohort)
    kw = {"min_allele_count": 3, "min_group_size": 4}
    summary, out = run_sv_release(tmp_path, cohort, records, **kw)
    status = {g["group"]: g["status"] for g in summary["groups"]}
    assert status["EE_M"] == "withheld" and status["FI"] == "published"
    header, recs = read_release(out)
    assert not any("_EE_M=" in line for line in header)
    assert all("AC_EE_M" not in r for r in recs)
    # the same groups and suppression as a small-variant release of the same genotypes
    design = rl.Design(
        [rl.Sample(s, p, {"female": "F", "male": "M"}[x]) for s, x, p in cohort], **kw
    )
    assert [g["group"] for g in summary["groups"] if g["status"] == "published"] == [
        g.name for g in design.published
    ]
    # small counts are suppressed, and no suppressed count is the difference of published
    # ones (checked by linear algebra over the population x sex cells)
    rows = atoms_and_rows(design)
    names = [g.name for g in design.groups]
    suffix = {g.name: g.suffix for g in design.groups}
    suppressed_small = 0
    for rec in recs:
        published = np.array([rec.get(f"AC{suffix[n]}", ".") != "." for n in names])
        for i, name in enumerate(names):
            value = rec.get(f"AC{suffix[name]}")
            if value is None or value != ".":
                if value is not None:  # neither allele seen 1 or 2 times
                    ac, an = int(value), int(rec[f"AN{suffix[name]}"])
                    assert all(x == 0 or x >= 3 for x in (ac, an - ac)), (rec, name)
                continue
            suppressed_small += 1
            assert not recoverable(rows, published, i), (rec["key"], name)
    assert suppressed_small > 0
    # autosomal published counts agree with bcftools +fill-tags on the released samples
    fi = [s for s, _, p in cohort if p == "FI"]
    theirs = fill_tags(tmp_path, tmp_path / "sv.in.vcf", [s for s, _, _ in cohort], {"FI": fi})
    compared = [r for r in recs if r["chrom"] == "chr1" and r["AC"] != "."]
    assert len(compared) > 10
    for rec in compared:
        assert rec["AC"] == theirs[rec["key"]]["AC"] and rec["AN"] == theirs[rec["key"]]["AN"]
        if rec.get("AC_FI", ".") != ".":
            assert rec["AC_FI"] == theirs[rec["key"]]["AC_FI"]
