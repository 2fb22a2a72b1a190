"""The sample, unit and truth sheets: read (refcohort.io's normalisation) with every
problem at its line, then checked against their schema, for duplicate IDs, links between
the sheets, the population codes and the kind of input each unit names.
"""

from __future__ import annotations

import re
from pathlib import Path

from jsonschema import Draft202012Validator

from ..io import read_text, tsv_lines
from ..sheets import ALIGNED_KINDS, Sheet, unit_kind
from .config import did_you_mean
from .messages import explain, show

# nf-core/sarek samplesheet columns and what they are here (scripts/convert_samplesheet.py
# writes the two sheets from a sarek samplesheet)
_CONVERT = "scripts/convert_samplesheet.py converts a sarek sheet"
SAREK_COLUMNS = {
    "fastq_1": f" (nf-core/sarek's name for fq1; {_CONVERT})",
    "fastq_2": f" (nf-core/sarek's name for fq2; {_CONVERT})",
    "patient": f" (nf-core/sarek's column; {_CONVERT})",
    "lane": f" (nf-core/sarek's name for unit; {_CONVERT})",
    "status": " (nf-core/sarek's tumour/normal status; this pipeline is germline only)",
}

# Assigned ISO 3166-1 alpha-2 codes (249, ISO 3166 Maintenance Agency; the same list as
# tzdata's iso3166.tab). Reserved codes such as UK or EL are not assigned to a country.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)
# Codes people write that ISO reserves but has not assigned to the country they mean.
ISO_3166_HINTS = {
    "UK": "GB",
    "EL": "GR",
    "FX": "FR",
    "SU": "RU",
    "YU": "RS",
    "TP": "TL",
    "ZR": "CD",
}


def read_sheet(path: str, key: str) -> tuple[Sheet | None, list[str]]:
    """Read a tab-separated sheet (refcohort.io.tsv_lines: lines starting with '#' and
    blank lines skipped, CRLF and a byte-order mark accepted); the first other line is the
    header. Values are kept exactly (no trimming, no '#' comments inside a line), so what
    is checked is what the rules will use."""
    where = f"{path} (config key '{key}')"
    p = Path(path)
    if not p.is_file():
        return None, [
            f"{where} does not exist; correct the path in the config "
            f"(relative paths are read from {Path.cwd()})."
        ]
    try:
        text = read_text(p)
    except PermissionError:
        return None, [f"{where} is not readable; fix its permissions."]
    except UnicodeDecodeError as e:
        line = p.read_bytes()[: e.start].count(b"\n") + 1
        return None, [
            f"{path}, line {line}: not UTF-8 text; save the sheet as UTF-8 tab-separated text."
        ]
    problems, header, rows, lines = [], None, [], []
    for number, fields in tsv_lines(text):
        if header is None:
            header = fields
            seen = set()
            for name in header:
                if name in seen:
                    problems.append(
                        f"{path}, line {number}: the header names column '{name}' twice; keep one."
                    )
                seen.add(name)
            if len(header) == 1 and (" " in header[0] or "," in header[0]):
                problems.append(
                    f"{path}, line {number}: the header has a single column {show(header[0])}; "
                    "separate columns with tabs, not spaces or commas."
                )
            continue
        if len(fields) != len(header):
            problems.append(
                f"{path}, line {number}: {len(fields)} tab-separated fields but the header has "
                f"{len(header)} ({', '.join(header)}); add the missing or remove the extra tabs."
            )
            continue
        rows.append(dict(zip(header, fields)))
        lines.append(number)
    if header is None:
        return None, [f"{where} is empty; it needs a header line and one line per row."]
    return Sheet(path, key, header, rows, lines), problems


def schema_problems(sheet: Sheet, schema: dict) -> list[str]:
    """Every row against the sheet's JSON schema, in plain words with line and column."""
    problems = []
    missing = [c for c in schema.get("required", []) if c not in sheet.columns]
    if missing:
        problems.append(
            f"{sheet.path}, line 1 (header): column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(c) for c in missing)} missing; the header must name "
            f"{', '.join(schema.get('required', []))} (tab-separated)."
        )
    known = list(schema.get("properties", {}))
    for name in sheet.columns:
        if name not in known:
            hint = SAREK_COLUMNS.get(name, "") or did_you_mean(name, known)
            problems.append(
                f"{sheet.path}, line 1 (header): unknown column {show(name)}{hint}; the columns "
                f"of this sheet are {', '.join(known)}. Rename or remove it (a column that is "
                "not read would be silently ignored)."
            )
    if not sheet.rows:
        problems.append(
            f"{sheet.path}: the header has no rows under it; add one line per "
            f"{'sample' if 'sex' in known else 'unit'}."
        )
    validator = Draft202012Validator(schema)
    for row, line in zip(sheet.rows, sheet.lines):
        for error in sorted(validator.iter_errors(row), key=lambda e: [str(p) for p in e.path]):
            if error.validator == "required":
                continue  # reported once for the header
            column = error.path[0] if error.path else "?"
            problems.append(f"{sheet.path}, line {line}, column '{column}': {explain(error)}.")
    return problems


def duplicate_problems(sheet: Sheet, keys: list[str]) -> list[str]:
    """Rows whose IDs (the `keys` columns together) an earlier row already has."""
    if any(k not in sheet.columns for k in keys):
        return []
    first: dict[tuple, int] = {}
    problems = []
    for row, line in zip(sheet.rows, sheet.lines):
        ident = tuple(row[k] for k in keys)
        if ident in first:
            what = "/".join(keys)
            problems.append(
                f"{sheet.path}, line {line}, column '{keys[-1]}': duplicate {what} "
                f"{'/'.join(ident)!r}, already on line {first[ident]}; IDs must be unique "
                "(give the row its own ID or delete one of the two lines)."
            )
        else:
            first[ident] = line
    return problems


def population_problems(sheet: Sheet) -> list[str]:
    """Population codes that look like ISO 3166-1 alpha-2 but are not assigned."""
    problems = []
    for row, line in zip(sheet.rows, sheet.lines):
        code = row.get("population", "")
        if re.fullmatch(r"[A-Z]{2}", code) and code not in ISO_3166_ALPHA2:
            hint = ISO_3166_HINTS.get(code)
            fix = (
                f"use {hint}"
                if hint
                else "use the country's ISO 3166-1 alpha-2 code (e.g. FI, EE, NL, GB)"
            )
            problems.append(
                f"{sheet.path}, line {line}, column 'population': {show(code)} is not an "
                f"assigned ISO 3166-1 alpha-2 country code; {fix}."
            )
    return problems


def sheet_link_problems(samples: Sheet, units: Sheet) -> list[str]:
    """Units of unknown samples; samples without units."""
    if "sample" not in samples.columns or "sample" not in units.columns:
        return []
    known = {r["sample"] for r in samples.rows}
    used = {r["sample"] for r in units.rows}
    problems = [
        f"{units.path}, line {line}, column 'sample': {show(row['sample'])} is not in "
        f"{samples.path}; add the sample there or correct the ID (units for samples missing from "
        f"{samples.path})."
        for row, line in zip(units.rows, units.lines)
        if row["sample"] not in known
    ]
    problems += [
        f"{samples.path}, line {line}, column 'sample': {show(row['sample'])} has no unit in "
        f"{units.path}; add its FASTQ pair there or remove the sample (samples without any unit)."
        for row, line in zip(samples.rows, samples.lines)
        if row["sample"] not in used
    ]
    return problems


def truth_sample_problems(truth: Sheet, samples: set[str], samples_path: str) -> list[str]:
    """Truth sets (config evaluation.truth) for samples that are not in the sample sheet."""
    return [
        f"{truth.path}, line {line}, column 'sample': {row['sample']!r} is not in "
        f"{samples_path}; correct the ID or remove the line (truth for samples not "
        "in the sample sheet)."
        for row, line in zip(truth.rows, truth.lines)
        if row.get("sample") not in samples
    ]


def unit_kind_problems(units: Sheet) -> list[str]:
    """Each unit names exactly one kind of input: fq1 + fq2, or one of cram, bam, ubam;
    input_reference goes with a cram and only with a cram."""
    problems = []
    for row, line in zip(units.rows, units.lines):
        where = f"{units.path}, line {line}"
        fastq = [c for c in ("fq1", "fq2") if row.get(c)]
        aligned = [c for c in ALIGNED_KINDS if row.get(c)]
        given = fastq + aligned
        if not given:
            problems.append(
                f"{where}: no input; give a FASTQ pair in 'fq1' and 'fq2', or one file in "
                "'cram', 'bam' or 'ubam' (columns that are missing from the header count as "
                "empty)."
            )
        elif aligned and (fastq or len(aligned) > 1):
            problems.append(
                f"{where}: more than one kind of input ({', '.join(repr(c) for c in given)}); "
                "a unit is either a FASTQ pair or one cram, bam or ubam file. Put each on its "
                "own line with its own unit ID."
            )
        elif len(fastq) == 1:
            missing = "fq2" if fastq == ["fq1"] else "fq1"
            problems.append(
                f"{where}, column '{missing}': empty, but '{fastq[0]}' is given; a FASTQ unit "
                "needs both R1 (fq1) and R2 (fq2)."
            )
        if row.get("cram") and not row.get("input_reference"):
            problems.append(
                f"{where}, column 'input_reference': empty; a CRAM can only be read with the "
                "FASTA it was written with: give its path (with a .fai index beside it)."
            )
        elif row.get("input_reference") and not row.get("cram"):
            problems.append(
                f"{where}, column 'input_reference': only a cram unit needs the reference it "
                "was written with; leave it empty for FASTQ, bam and ubam units."
            )
    return problems


def parabricks_unit_problems(units: Sheet) -> list[str]:
    """Units the parabricks engine cannot take: it aligns FASTQ only."""
    return [
        f"{units.path}, line {line}: a {unit_kind(row)} unit, but the parabricks "
        "engine aligns FASTQ only (pbrun fq2bam); convert it to FASTQ first, or use the "
        "gatk or deepvariant engine, which realign cram/bam/ubam units."
        for row, line in zip(units.rows, units.lines)
        if unit_kind(row) != "fastq"
    ]
