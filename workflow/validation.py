"""Checks that run before any job: the sample and unit sheets, the FASTQ files they name,
the config values, and the reference against the QC contig classes, the PAR BED, the
population-frequency resource and the CRAMs already written.

Every check returns a list of problems, each a sentence that names the file, the line
and the column (or the config key) and says how to fix it; common.smk stops the run
with all of them when there is any. Plain Python (no Snakemake), so that
tests/unit/test_validation.py can call each check directly.
"""

from __future__ import annotations

import difflib
import getpass
import gzip
import hashlib
import json
import os
import re
import stat
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

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
ISO_3166_HINTS = {"UK": "GB", "EL": "GR", "FX": "FR", "SU": "RU", "YU": "RS", "TP": "TL", "ZR": "CD"}

ID_REGEX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Characters a shell gives a meaning to. No FASTQ path may contain them (every path is
# quoted in the rules' commands too; this is the second line of defence). Spaces are
# allowed: quoting makes them safe and shared drives often have them.
SHELL_CHARACTERS = set("$`;|&<>(){}[]*?!#'\"\\\n\r\t")
PAR_BED = "qc.par"
MAX_LISTED = 40  # problems shown before "... and N more"


@dataclass
class Sheet:
    """A TSV sample or unit sheet: its rows as strings with their line numbers."""

    path: str
    key: str  # the config key that names it, for messages
    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]


# ------------------------------------------------------------------ formatting
def show(value) -> str:
    """A value as it reads in a message: quoted text, '(empty)' for empty cells."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def format_problems(problems: list[str]) -> str:
    listed = problems[:MAX_LISTED]
    text = "\n".join(f"  - {p}" for p in listed)
    if len(problems) > MAX_LISTED:
        text += f"\n  ... and {len(problems) - MAX_LISTED} more"
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{len(problems)} {noun} found before any job ran (nothing was started):\n{text}"


def id_fault(value: str) -> str:
    """Why a value is not a valid sample or unit ID ('' when it is one)."""
    if ID_REGEX.fullmatch(value):
        return ""
    if value == "":
        return "it is empty"
    if any(c.isspace() for c in value):
        return "it contains a space or another blank"
    if "/" in value or "\\" in value:
        return "it contains a path separator"
    bad = sorted({c for c in value if c in SHELL_CHARACTERS})
    if bad:
        return f"it contains the shell character{'s' if len(bad) > 1 else ''} {' '.join(bad)}"
    if not value[0].isalnum():
        return f"it starts with {value[0]!r}"
    other = sorted({c for c in value if not (c.isalnum() and c.isascii()) and c not in "_.-"})
    return f"it contains {' '.join(repr(c) for c in other)}"


ID_RULE = "use only letters, digits, '_', '.' and '-', starting with a letter or digit"
PATTERN_WORDS = {
    f"^{ID_REGEX.pattern}$": "id",
    "^[A-Z]{2}$": "a two-letter country code in capitals (ISO 3166-1 alpha-2, e.g. FI, EE, NL, GB)",
    "^[A-Za-z][A-Za-z0-9_]*$": "a name of letters, digits and '_' that starts with a letter",
}
TYPE_WORDS = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping of keys to values",
    "array": "a list",
}


def type_name(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def explain(error) -> str:
    """A jsonschema ValidationError in plain words: what is wrong and what to write."""
    v, want, value = error.validator, error.validator_value, error.instance
    if v == "enum":
        return f"{show(value)} is not allowed; use one of: {', '.join(str(c) for c in want)}"
    if v == "pattern":
        words = PATTERN_WORDS.get(want)
        if words == "id":
            return f"{show(value)} is not a valid ID ({id_fault(value)}); {ID_RULE}"
        if words:
            return f"{show(value)} is not {words}"
        return f"{show(value)} does not match the pattern {want}"
    if v == "type":
        wanted = " or ".join(TYPE_WORDS.get(t, t) for t in (want if isinstance(want, list) else [want]))
        return f"{show(value)} is {type_name(value)}; write {wanted}"
    if v == "minimum":
        return f"{show(value)} is below the minimum {want}; use a value of at least {want}"
    if v == "maximum":
        return f"{show(value)} is above the maximum {want}; use a value of at most {want}"
    if v == "exclusiveMinimum":
        return f"{show(value)} is too small; use a value greater than {want}"
    if v == "exclusiveMaximum":
        return f"{show(value)} is too large; use a value smaller than {want}"
    if v == "minLength":
        return "is empty; fill it in" if want == 1 else f"{show(value)} is shorter than {want} characters"
    if v == "minItems":
        return f"lists {len(value)} item(s); list at least {want}"
    if v == "minProperties":
        return f"sets {len(value)} key(s); set at least {want}"
    return error.message


# ------------------------------------------------------------------ sheets
def read_tsv(path: str, key: str) -> tuple[Sheet | None, list[str]]:
    """Read a tab-separated sheet. Lines starting with '#' and blank lines are skipped;
    the first other line is the header. Values are kept exactly (no trimming, no '#'
    comments inside a line), so what is checked is what the rules will use."""
    where = f"{path} (config key '{key}')"
    p = Path(path)
    if not p.is_file():
        return None, [f"{where} does not exist; correct the path in the config (relative paths are read from {Path.cwd()})."]
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except PermissionError:
        return None, [f"{where} is not readable; fix its permissions."]
    except UnicodeDecodeError as e:
        line = p.read_bytes()[: e.start].count(b"\n") + 1
        return None, [f"{path}, line {line}: not UTF-8 text; save the sheet as UTF-8 tab-separated text."]
    problems, header, rows, lines = [], None, [], []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            seen = set()
            for name in header:
                if name in seen:
                    problems.append(f"{path}, line {number}: the header names column '{name}' twice; keep one.")
                seen.add(name)
            if len(header) == 1 and (" " in line or "," in line):
                problems.append(
                    f"{path}, line {number}: the header has a single column {show(line)}; "
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
    validator = Draft202012Validator(schema)
    for row, line in zip(sheet.rows, sheet.lines):
        for error in sorted(validator.iter_errors(row), key=lambda e: [str(p) for p in e.path]):
            if error.validator == "required":
                continue  # reported once for the header
            column = error.path[0] if error.path else "?"
            problems.append(f"{sheet.path}, line {line}, column '{column}': {explain(error)}.")
    return problems


def duplicate_problems(sheet: Sheet, keys: list[str]) -> list[str]:
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
            fix = f"use {hint}" if hint else "use the country's ISO 3166-1 alpha-2 code (e.g. FI, EE, NL, GB)"
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


def describe_mode(path: Path) -> str:
    try:
        return stat.filemode(path.stat().st_mode)
    except OSError:
        return "unknown"


FILE_KINDS = {"fq1": "FASTQ", "fq2": "FASTQ", "cram": "CRAM", "bam": "BAM", "ubam": "unaligned BAM",
              "input_reference": "FASTA"}
ALIGNED_COLUMNS = ("cram", "bam", "ubam")


def file_format(path: str) -> str:
    """'CRAM', 'BAM', 'gzip' (other than BAM), or 'other', from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head == b"CRAM":
        return "CRAM"
    if head[:2] != GZIP_MAGIC:
        return "other"
    try:
        with gzip.open(path, "rb") as fh:
            return "BAM" if fh.read(4) == b"BAM\x01" else "gzip"
    except (OSError, EOFError):
        return "gzip"


def unit_kind_problems(units: Sheet) -> list[str]:
    """Each unit names exactly one kind of input: fq1 + fq2, or one of cram, bam, ubam;
    input_reference goes with a cram and only with a cram."""
    problems = []
    for row, line in zip(units.rows, units.lines):
        where = f"{units.path}, line {line}"
        fastq = [c for c in ("fq1", "fq2") if row.get(c)]
        aligned = [c for c in ALIGNED_COLUMNS if row.get(c)]
        given = fastq + aligned
        if not given:
            problems.append(
                f"{where}: no input; give a FASTQ pair in 'fq1' and 'fq2', or one file in 'cram', "
                "'bam' or 'ubam' (columns that are missing from the header count as empty)."
            )
        elif aligned and (fastq or len(aligned) > 1):
            problems.append(
                f"{where}: more than one kind of input ({', '.join(repr(c) for c in given)}); a unit is "
                "either a FASTQ pair or one cram, bam or ubam file. Put each on its own line with its own unit ID."
            )
        elif len(fastq) == 1:
            missing = "fq2" if fastq == ["fq1"] else "fq1"
            problems.append(
                f"{where}, column '{missing}': empty, but '{fastq[0]}' is given; a FASTQ unit needs "
                "both R1 (fq1) and R2 (fq2)."
            )
        if row.get("cram") and not row.get("input_reference"):
            problems.append(
                f"{where}, column 'input_reference': empty; a CRAM can only be read with the FASTA it "
                "was written with: give its path (with a .fai index beside it)."
            )
        elif row.get("input_reference") and not row.get("cram"):
            problems.append(
                f"{where}, column 'input_reference': only a cram unit needs the reference it was "
                "written with; leave it empty for FASTQ, bam and ubam units."
            )
    return problems


def fastq_problems(units: Sheet, aligned: set[str] = frozenset()) -> list[str]:
    """The input files of every unit (FASTQs, CRAM/BAM/uBAM, a CRAM's input_reference):
    no shell characters; R1 differs from R2; no file used by two units; the file exists,
    is a readable, non-empty file; a cram/bam/ubam is of that format. Existence is not
    required for samples already aligned (`aligned`: their CRAM exists), so inputs may be
    archived after alignment."""
    problems = []
    seen: dict[str, tuple[int, str]] = {}
    for row, line in zip(units.rows, units.lines):
        paths = {}
        for column, kind in FILE_KINDS.items():
            value = row.get(column, "")
            if not value:
                continue  # the schema and unit_kind_problems report missing inputs
            where = f"{units.path}, line {line}, column '{column}'"
            bad = sorted({c for c in value if c in SHELL_CHARACTERS})
            if bad:
                shown = " ".join(repr(c) if c.isspace() else c for c in bad)
                problems.append(
                    f"{where}: the path {show(value)} contains the shell character"
                    f"{'s' if len(bad) > 1 else ''} {shown}, which are not allowed in {kind} paths; "
                    "rename the file (or link it) to a path without them."
                )
                continue
            paths[column] = value
            resolved = os.path.realpath(value)
            if column == "input_reference":
                pass  # one reference serves many CRAMs
            elif resolved in seen:
                other_line, other_column = seen[resolved]
                if other_line != line:
                    problems.append(
                        f"{where}: {show(value)} is also used on line {other_line} "
                        f"(column '{other_column}'); each {kind} file belongs to one unit."
                    )
            else:
                seen[resolved] = (line, column)
            if row.get("sample") in aligned:
                continue
            p = Path(value)
            if not p.exists():
                problems.append(
                    f"{where}: {kind} {show(value)} does not exist (relative paths are read from "
                    f"{Path.cwd()}); correct the path."
                )
            elif not p.is_file():
                problems.append(f"{where}: {show(value)} is not a file; give the path of the {kind} file.")
            elif not os.access(p, os.R_OK):
                problems.append(
                    f"{where}: {kind} {show(value)} is not readable by user {getpass.getuser()} "
                    f"(permissions {describe_mode(p)}); fix its permissions (e.g. chmod a+r)."
                )
            elif p.stat().st_size == 0:
                problems.append(f"{where}: {kind} {show(value)} is empty (0 bytes); transfer the file again.")
            elif column in ALIGNED_COLUMNS:
                found = file_format(value)
                wanted = "CRAM" if column == "cram" else "BAM"
                if found != wanted:
                    hint = {"CRAM": "a CRAM: put it in the 'cram' column (with input_reference)",
                            "BAM": "a BAM: put it in the 'bam' or 'ubam' column"}.get(
                        found, "neither BAM nor CRAM (FASTQ goes in fq1/fq2)")
                    problems.append(f"{where}: {show(value)} is not a {kind} file; it is {hint}.")
            elif column == "input_reference" and not Path(f"{value}.fai").is_file():
                problems.append(
                    f"{where}: {show(value)} has no index {show(value + '.fai')}; samtools needs it to "
                    f"decode the CRAM: run `samtools faidx {value}` (or copy the .fai beside it)."
                )
        if "fq1" in paths and "fq2" in paths:
            same = paths["fq1"] == paths["fq2"]
            if not same:
                try:
                    same = os.path.samefile(paths["fq1"], paths["fq2"])
                except OSError:
                    same = False
            if same:
                problems.append(
                    f"{units.path}, line {line}, columns 'fq1' and 'fq2': R1 and R2 are the same file "
                    f"{show(paths['fq1'])}; fq2 must be the mate (R2) file of this unit."
                )
    return problems


def input_cram_problems(units: Sheet, aligned: set[str] = frozenset(), cache_dir: str | None = None) -> list[str]:
    """Each input CRAM against its input_reference: every @SQ of the CRAM must be in the
    FASTA with the same length and (where the CRAM records one) the same M5 checksum;
    otherwise samtools would decode wrong bases or stop half-way through the job."""
    problems = []
    for row, line in zip(units.rows, units.lines):
        cram, fasta = row.get("cram"), row.get("input_reference")
        if not cram or not fasta or row.get("sample") in aligned:
            continue
        if not (Path(cram).is_file() and Path(fasta).is_file()) or file_format(cram) != "CRAM":
            continue  # fastq_problems reports it
        try:
            text = cram_header_text(cram)
        except (OSError, ValueError, zlib.error, struct.error, IndexError, subprocess.CalledProcessError) as e:
            problems.append(f"{units.path}, line {line}, column 'cram': cannot read the header of {show(cram)} ({e}); is it complete?")
            continue
        try:
            reference = fasta_contigs(fasta, cache_dir, md5=True)
        except (OSError, ValueError) as e:
            problems.append(f"{units.path}, line {line}, column 'input_reference': cannot read {show(fasta)} ({e}).")
            continue
        diffs, ur = [], None
        for record in (l.split("\t") for l in text.splitlines() if l.startswith("@SQ\t")):
            tags = dict(f.split(":", 1) for f in record[1:] if ":" in f)
            name, m5, ur = tags.get("SN"), tags.get("M5"), ur or tags.get("UR")
            if name is None:
                continue
            if name not in reference:
                diffs.append(f"contig {name} is in the CRAM but not in the FASTA")
            elif m5 and m5.lower() != reference[name]["md5"]:
                diffs.append(f"contig {name} has M5 {m5} in the CRAM but {reference[name]['md5']} in the FASTA")
            elif tags.get("LN") and int(tags["LN"]) != reference[name]["length"]:
                diffs.append(f"contig {name} is {tags['LN']} bp in the CRAM but {reference[name]['length']} bp in the FASTA")
        if diffs:
            where = f" (the CRAM header names {show(ur)})" if ur else ""
            problems.append(
                f"{units.path}, line {line}, column 'input_reference': {show(fasta)} is not the reference "
                f"{show(cram)} was written with{where}: {'; '.join(diffs[:3])}"
                f"{f' ... and {len(diffs) - 3} more' if len(diffs) > 3 else ''}. Give the FASTA the CRAM "
                "was made with (the sending centre can tell you its build and checksum)."
            )
    return problems


# ------------------------------------------------------------------ config
def yaml_key_line(path: str, keys: list) -> int | None:
    """Line (1-based) of a key path in a YAML file, or None when the file does not set it."""
    try:
        node = yaml.compose(Path(path).read_text())
    except (OSError, yaml.YAMLError):
        return None
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(key):
                    line, node = k.start_mark.line + 1, v
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return None
    return line


def locate(keys: list, config_files: list[str]) -> str:
    """'file, line N, key a.b.c' for the file that sets the key (the last one wins)."""
    dotted = ".".join(str(k) for k in keys) or "(top level)"
    for path in reversed(config_files):
        line = yaml_key_line(path, keys)
        if line is not None:
            return f"{path}, line {line}, key {dotted}"
    return f"config key {dotted}"


def config_problems(config: dict, schema: dict, config_files: list[str]) -> list[str]:
    """The config against its schema, each error with the file and line that set it.
    `config_files` lists the files in the order they were loaded (last wins)."""
    problems = []
    validator = Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path]):
        keys = list(error.absolute_path)
        if error.validator == "additionalProperties":
            subschema = error.schema
            allowed = sorted(subschema.get("properties", {}))
            for extra in sorted(set(error.instance) - set(allowed)):
                close = difflib.get_close_matches(str(extra), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = ".".join(str(k) for k in keys) or "the top level"
                problems.append(
                    f"{locate(keys + [extra], config_files)}: unknown key '{extra}' under {where}{hint}; "
                    f"allowed keys there: {', '.join(allowed)}. Remove or rename it "
                    f"(threads, memory and cluster settings belong in a profile). [{error.message}]"
                )
        elif error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            for key in missing:
                where = ".".join(str(k) for k in keys) or "the top level"
                problems.append(f"{locate(keys, config_files)}: the key '{key}' is required under {where}; add it. [{error.message}]")
        elif "propertyNames" in list(error.relative_schema_path):
            # an unknown key of a map with fixed key names (qc.thresholds metrics)
            allowed = error.validator_value if error.validator == "enum" else []
            close = difflib.get_close_matches(str(error.instance), [str(a) for a in allowed], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                f"{locate(keys + [error.instance], config_files)}: unknown name {show(error.instance)}{hint}; "
                f"use one of: {', '.join(str(a) for a in allowed)}."
            )
        else:
            problems.append(f"{locate(keys, config_files)}: {explain(error)}. [{error.message}]")
    return problems


# Gate thresholds: the range a metric can take (percentages, rates, counts/ratios).
def metric_range(metric: str) -> tuple[float, float | None]:
    if metric.startswith("pct_"):
        return 0.0, 100.0
    if metric in ("cross_contamination_rate",):
        return 0.0, 1.0
    return 0.0, None


def config_value_problems(config: dict, config_files: list[str]) -> list[str]:
    """Checks across keys that a schema cannot express: ranges of gate thresholds and
    their order, contamination site bounds, regular expressions, depth bands."""
    problems = []

    def at(*keys):
        return locate(list(keys), config_files)

    qc = config.get("qc", {})
    for metric, rule in (qc.get("thresholds") or {}).items():
        low, high = metric_range(metric)
        for name, value in rule.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            if value < low or (high is not None and value > high):
                span = f"{low:g}-{high:g}" if high is not None else f"at least {low:g}"
                problems.append(f"{at('qc', 'thresholds', metric, name)}: {value} is outside the range of {metric} ({span}); correct the threshold.")
        fb, fa, wb, wa = (rule.get(k) for k in ("fail_below", "fail_above", "warn_below", "warn_above"))
        if fb is not None and fa is not None and fb >= fa:
            problems.append(f"{at('qc', 'thresholds', metric)}: fail_below {fb} is not below fail_above {fa}, so every sample would fail; correct one of them.")
        if wb is not None and fb is not None and wb <= fb:
            problems.append(f"{at('qc', 'thresholds', metric, 'warn_below')}: warn_below {wb} must be above fail_below {fb} (otherwise it never applies).")
        if wa is not None and fa is not None and wa >= fa:
            problems.append(f"{at('qc', 'thresholds', metric, 'warn_above')}: warn_above {wa} must be below fail_above {fa} (otherwise it never applies).")
    c = qc.get("contamination", {})
    if "min_af" in c and "max_af" in c and c["min_af"] >= c["max_af"]:
        problems.append(f"{at('qc', 'contamination', 'min_af')}: min_af {c['min_af']} must be below max_af {c['max_af']}.")
    if "min_depth" in c and "max_depth" in c and c["min_depth"] > c["max_depth"]:
        problems.append(f"{at('qc', 'contamination', 'min_depth')}: min_depth {c['min_depth']} must not exceed max_depth {c['max_depth']}.")
    bands = config.get("calling", {}).get("gvcf_depth_bands", [])
    if any(a >= b for a, b in zip(bands, bands[1:])):
        problems.append(f"{at('calling', 'gvcf_depth_bands')}: {bands} must increase (e.g. [5, 15]).")
    for keys in (("reference", "exclude_contigs"), ("qc", "autosomes"), ("qc", "chrX"), ("qc", "chrY")):
        node = config
        for k in keys:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        if isinstance(node, str):
            try:
                re.compile(node)
            except re.error as e:
                problems.append(f"{at(*keys)}: {show(node)} is not a valid regular expression ({e}); correct it.")
    return problems


def override_problems(config: dict, samples: set[str], config_files: list[str]) -> list[str]:
    return [
        f"{locate(['qc', 'overrides', i, 'sample'], config_files)}: {show(o['sample'])} is not in the "
        "sample sheet; correct the ID or remove the override."
        for i, o in enumerate(config.get("qc", {}).get("overrides", []))
        if o.get("sample") not in samples
    ]


# ------------------------------------------------------------------ reference
GZIP_MAGIC = b"\x1f\x8b"


def compression(path: str) -> str:
    """'bgzf', 'gzip' or 'plain' from the first bytes of a file."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] != GZIP_MAGIC:
        return "plain"
    if len(head) >= 16 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


UPPER_DROP = bytes(range(256)).upper()
NON_SEQUENCE = bytes(c for c in range(256) if not 33 <= c <= 126)


def scan_fasta(path: str, block: int = 1 << 24) -> dict[str, dict]:
    """Contig names, lengths and SAM M5 checksums (MD5 of the upper-case sequence) of a
    plain, gzip or bgzip FASTA, read in large blocks."""
    opener = gzip.open if compression(path) != "plain" else open
    contigs: dict[str, dict] = {}
    name, digest, length = None, None, 0
    header = None  # bytes of a header line being read
    line_start = True

    def finish():
        if name is not None:
            contigs[name] = {"length": length, "md5": digest.hexdigest()}

    with opener(path, "rb") as fh:
        while chunk := fh.read(block):
            pos = 0
            while pos < len(chunk):
                if header is not None:
                    end = chunk.find(b"\n", pos)
                    if end < 0:
                        header += chunk[pos:]
                        pos = len(chunk)
                        continue
                    header += chunk[pos:end]
                    finish()
                    name = header[1:].decode().split()[0] if header[1:].split() else ""
                    digest, length, header = hashlib.md5(), 0, None
                    pos = end + 1
                    line_start = True
                    continue
                if line_start and chunk[pos : pos + 1] == b">":
                    header = b""
                    continue
                nxt = chunk.find(b"\n>", pos)
                end = nxt + 1 if nxt >= 0 else len(chunk)
                if digest is not None:
                    seq = chunk[pos:end].translate(UPPER_DROP, NON_SEQUENCE)
                    digest.update(seq)
                    length += len(seq)
                line_start = end > 0 and chunk[end - 1 : end] == b"\n"
                pos = end
            line_start = chunk.endswith(b"\n")
    if header is not None:
        finish()
        name = header[1:].decode().split()[0] if header[1:].split() else ""
        digest, length = hashlib.md5(), 0
    finish()
    return contigs


def fasta_contigs(path: str, cache_dir: str | None = None, md5: bool = False) -> dict[str, dict]:
    """Contigs of a FASTA: from its .fai when that is current and no checksums are
    needed, else a scan (cached under cache_dir by path, size and mtime)."""
    fai = Path(f"{path}.fai")
    st = Path(path).stat()
    if not md5 and fai.is_file() and fai.stat().st_mtime >= st.st_mtime:
        contigs = {}
        for line in fai.read_text().splitlines():
            fields = line.split("\t")
            if len(fields) >= 2:
                contigs[fields[0]] = {"length": int(fields[1])}
        return contigs
    cache = None
    if cache_dir:
        key = hashlib.sha1(f"{os.path.realpath(path)}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()
        cache = Path(cache_dir, f"fasta-{key}.json")
        if cache.is_file():
            try:
                return json.loads(cache.read_text())
            except ValueError:
                pass
    contigs = scan_fasta(path)
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(contigs))
        except OSError:
            pass
    return contigs


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


def contig_sample(names, n=6) -> str:
    names = list(names)
    return ", ".join(names[:n]) + (f", ... ({len(names)} in all)" if len(names) > n else "")


def reference_problems(config: dict, par_bed: str | None, cache_dir: str | None = None) -> list[str]:
    """The configured reference: present, bgzip with its .gzi, and contig names that the QC
    contig classes, the PAR BED and the population-frequency VCF agree with."""
    fasta = config["reference"]["fasta"]
    where = f"reference.fasta {show(fasta)}"
    p = Path(fasta)
    if not p.is_file():
        return [f"{where} does not exist (relative paths are read from {Path.cwd()}); correct reference.fasta in the config."]
    if not os.access(p, os.R_OK):
        return [f"{where} is not readable (permissions {describe_mode(p)}); fix its permissions."]
    problems = []
    kind = compression(fasta)
    if kind == "bgzf" and not Path(f"{fasta}.gzi").is_file():
        problems.append(
            f"{where} is bgzip-compressed but has no {fasta}.gzi index; run `samtools faidx {fasta}` "
            "(writes .fai and .gzi) or decompress it (`bgzip -d`)."
        )
        return problems
    contigs = fasta_contigs(fasta, cache_dir)
    if not contigs:
        return [f"{where} has no '>' sequence lines; is it a FASTA file?"]
    names = list(contigs)
    qc = config["qc"]
    classes = {}
    for cls in ("autosomes", "chrX", "chrY"):
        try:
            pattern = re.compile(qc[cls])
        except re.error:
            return problems  # reported by config_value_problems
        classes[cls] = [n for n in names if pattern.fullmatch(n)]
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
        problems += par_problems(par_bed, names, qc)
    if qc.get("population_af"):
        problems += population_af_problems(qc["population_af"], contigs, classes["autosomes"])
    return problems


def par_problems(bed: str, names: list[str], qc: dict) -> list[str]:
    """PAR BED lines: chrX/chrY contigs by the qc patterns, named as in the reference."""
    problems = []
    present = set(names)
    x, y = re.compile(qc["chrX"]), re.compile(qc["chrY"])
    ref_x = [n for n in names if x.fullmatch(n)]
    ref_y = [n for n in names if y.fullmatch(n)]
    for number, line in enumerate(Path(bed).read_text().splitlines(), start=1):
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        fields = line.split("\t")
        where = f"{PAR_BED} {bed}, line {number}"
        if len(fields) < 3 or not (fields[1].isdigit() and fields[2].isdigit()) or int(fields[1]) > int(fields[2]):
            problems.append(f"{where}: {show(line)} is not a BED interval (contig, start, end, tab-separated); correct the line.")
            continue
        contig = fields[0]
        if contig in present:
            continue
        if x.fullmatch(contig):
            same = ref_x
        elif y.fullmatch(contig):
            same = ref_y
        else:
            problems.append(
                f"{where}: contig {show(contig)} is neither chrX (qc.chrX {show(qc['chrX'])}) nor chrY "
                f"(qc.chrY {show(qc['chrY'])}); the PAR BED lists X and Y intervals only."
            )
            continue
        if same:
            problems.append(
                f"{where}: contig {show(contig)} is not in the reference, which names it "
                f"{', '.join(same)}; use the reference's contig names in the PAR BED."
            )
    return problems


def population_af_problems(vcf: str, contigs: dict[str, dict], autosomes: list[str]) -> list[str]:
    where = f"qc.population_af {show(vcf)}"
    if not Path(vcf).is_file():
        return [f"{where} does not exist; correct the path or set it to '' (no contamination estimate)."]
    if not Path(f"{vcf}.tbi").is_file() and not Path(f"{vcf}.csi").is_file():
        return [f"{where} has no .tbi index; index it with `tabix -p vcf {vcf}`."]
    try:
        theirs = vcf_contigs(vcf)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as e:
        return [f"{where} cannot be read as a bgzipped VCF ({e}); give a bgzipped, tabix-indexed VCF."]
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


# ------------------------------------------------------------------ CRAMs vs reference
def _itf8(buf: bytes, pos: int) -> tuple[int, int]:
    b0 = buf[pos]
    if b0 < 0x80:
        return b0, pos + 1
    if b0 < 0xC0:
        return ((b0 & 0x3F) << 8) | buf[pos + 1], pos + 2
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 16) | (buf[pos + 1] << 8) | buf[pos + 2], pos + 3
    if b0 < 0xF0:
        return ((b0 & 0x0F) << 24) | int.from_bytes(buf[pos + 1 : pos + 4], "big"), pos + 4
    value = ((b0 & 0x0F) << 28) | (buf[pos + 1] << 20) | (buf[pos + 2] << 12) | (buf[pos + 3] << 4)
    return value | (buf[pos + 4] & 0x0F), pos + 5


def _ltf8(buf: bytes, pos: int) -> tuple[int, int]:
    b0, n = buf[pos], 0
    while n < 8 and b0 & (0x80 >> n):
        n += 1
    value = b0 & (0xFF >> (n + 1)) if n < 7 else 0
    for i in range(n):
        value = (value << 8) | buf[pos + 1 + i]
    return value, pos + 1 + n


def cram_header_text(path: str) -> str:
    """The SAM header of a CRAM 3.x file (raw or gzip header block), read directly;
    other layouts go through `samtools view -H`."""
    with open(path, "rb") as fh:
        buf = fh.read(26 + 65536)
        if buf[:4] != b"CRAM":
            raise ValueError(f"{path} is not a CRAM file")
        if buf[4] == 3:
            pos = 26
            length = struct.unpack_from("<i", buf, pos)[0]
            pos += 4
            for _ in range(4):
                _, pos = _itf8(buf, pos)
            for _ in range(2):
                _, pos = _ltf8(buf, pos)
            _, pos = _itf8(buf, pos)  # number of blocks
            landmarks, pos = _itf8(buf, pos)
            for _ in range(landmarks):
                _, pos = _itf8(buf, pos)
            pos += 4  # CRC32
            if len(buf) < pos + length:
                buf += fh.read(pos + length - len(buf))
            method, content_type = buf[pos], buf[pos + 1]
            _, p = _itf8(buf, pos + 2)
            size, p = _itf8(buf, p)
            _, p = _itf8(buf, p)
            if content_type == 0 and method in (0, 1):
                data = buf[p : p + size]
                if method == 1:
                    data = zlib.decompress(data, 47)
                n = struct.unpack_from("<i", data, 0)[0]
                return data[4 : 4 + n].decode(errors="replace")
    out = subprocess.run(["samtools", "view", "-H", path], capture_output=True, text=True, check=True)
    return out.stdout


def header_md5s(text: str) -> dict[str, str | None]:
    """@SQ name -> M5 (None when the line has no M5)."""
    found = {}
    for line in text.splitlines():
        if line.startswith("@SQ"):
            tags = dict(f.split(":", 1) for f in line.split("\t")[1:] if ":" in f)
            if "SN" in tags:
                found[tags["SN"]] = tags.get("M5")
    return found


def cram_reference_problems(crams: list[str], fasta: str, cache_dir: str | None = None) -> list[str]:
    """CRAMs already written must carry the configured reference's contigs and M5s."""
    if not crams or not Path(fasta).is_file():
        return []
    reference = fasta_contigs(fasta, cache_dir, md5=True)
    mismatched, first = [], None
    for cram in crams:
        try:
            sq = header_md5s(cram_header_text(cram))
        except (OSError, ValueError, zlib.error, struct.error, IndexError, subprocess.CalledProcessError):
            continue  # an unreadable CRAM is redone or reported by its own job
        diffs = []
        for name, m5 in sq.items():
            if name not in reference:
                diffs.append(f"contig {name} is in the CRAM but not in the reference")
            elif m5 and m5 != reference[name]["md5"]:
                diffs.append(f"contig {name} has M5 {m5} in the CRAM but {reference[name]['md5']} in the reference")
        diffs += [f"contig {n} is in the reference but not in the CRAM" for n in reference if n not in sq]
        if diffs:
            mismatched.append(cram)
            first = first or (cram, diffs)
    if not mismatched:
        return []
    cram, diffs = first
    return [
        f"reference.fasta {show(fasta)} is not the reference the existing CRAMs were written with "
        f"({len(mismatched)} of {len(crams)} differ: {contig_sample(mismatched, 4)}); in {cram}: "
        f"{'; '.join(diffs[:3])}{' ...' if len(diffs) > 3 else ''}. Restore the original reference, "
        "or start a new results directory (move results/ away, or run with --directory elsewhere) "
        "to realign every sample with the new one."
    ]
