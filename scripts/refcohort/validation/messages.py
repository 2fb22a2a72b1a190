"""How the checks word what they find: values as they read in a message, the list of
problems the run stops with, why an ID is invalid, and jsonschema errors in plain words.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

from ..sheets import ID_PATTERN, ID_REGEX

MAX_LISTED = 40  # problems shown before "... and N more"
# Characters a shell gives a meaning to. No FASTQ path may contain them (every path is
# quoted in the rules' commands too; this is the second line of defence). Spaces are
# allowed: quoting makes them safe and shared drives often have them.
SHELL_CHARACTERS = set("$`;|&<>(){}[]*?!#'\"\\\n\r\t")


def show(value) -> str:
    """A value as it reads in a message: quoted text, '(empty)' for empty cells."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def format_problems(problems: list[str]) -> str:
    """Every problem on its own line (the first MAX_LISTED), under a count."""
    listed = problems[:MAX_LISTED]
    text = "\n".join(f"  - {p}" for p in listed)
    if len(problems) > MAX_LISTED:
        text += f"\n  ... and {len(problems) - MAX_LISTED} more"
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{len(problems)} {noun} found before any job ran (nothing was started):\n{text}"


def shell_characters(value: str) -> list[str]:
    """The shell characters in a value, sorted."""
    return sorted({c for c in value if c in SHELL_CHARACTERS})


def describe_mode(path: Path) -> str:
    """A file's permissions as `ls -l` shows them ('unknown' when it cannot be read)."""
    try:
        return stat.filemode(path.stat().st_mode)
    except OSError:
        return "unknown"


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
    bad = shell_characters(value)
    if bad:
        return f"it contains the shell character{'s' if len(bad) > 1 else ''} {' '.join(bad)}"
    if not value[0].isalnum():
        return f"it starts with {value[0]!r}"
    other = sorted({c for c in value if not (c.isalnum() and c.isascii()) and c not in "_.-"})
    return f"it contains {' '.join(repr(c) for c in other)}"


ID_RULE = "use only letters, digits, '_', '.' and '-', starting with a letter or digit"
PATTERN_WORDS = {
    f"^{ID_PATTERN}$": "id",
    "^[A-Z]{2}$": (
        "a two-letter country code in capitals (ISO 3166-1 alpha-2, e.g. FI, EE, NL, GB)"
    ),
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
# Bounds of a number: what is wrong and what to write, for the bound `want`.
BOUND_WORDS = {
    "minimum": "is below the minimum {want}; use a value of at least {want}",
    "maximum": "is above the maximum {want}; use a value of at most {want}",
    "exclusiveMinimum": "is too small; use a value greater than {want}",
    "exclusiveMaximum": "is too large; use a value smaller than {want}",
}


# What a value is, in words; the first type that fits (bool before int: True is an int).
VALUE_WORDS = (
    (bool, "true/false"),
    (int, "a whole number"),
    (float, "a decimal number"),
    (str, "text"),
    (list, "a list"),
    (dict, "a mapping"),
)


def type_name(value) -> str:
    """What kind of value a config or sheet value is, in words."""
    for kind, words in VALUE_WORDS:
        if isinstance(value, kind):
            return words
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
        wanted = " or ".join(
            TYPE_WORDS.get(t, t) for t in (want if isinstance(want, list) else [want])
        )
        return f"{show(value)} is {type_name(value)}; write {wanted}"
    if v in BOUND_WORDS:
        return f"{show(value)} {BOUND_WORDS[v].format(want=want)}"
    if v == "minLength":
        if want == 1:
            return "is empty; fill it in"
        return f"{show(value)} is shorter than {want} characters"
    if v == "maxLength":
        return (
            f"is {len(value)} characters long; use at most {want} (IDs name files and folders, "
            "and very long names break file systems and tools)"
        )
    if v == "minItems":
        return f"lists {len(value)} item(s); list at least {want}"
    if v == "minProperties":
        return f"sets {len(value)} key(s); set at least {want}"
    return error.message
