"""Recruitment coverage (docs/structure.md#recruitment-coverage): the individuals the
collection holds after QC per population x sex and per minority group x sex, against the
targets in config (``recruitment``), with the counts a shared report may show.

Counted: samples the gate passed (PASS or WARN) and joint-called, each individual once
(a duplicate or MZ pair, KING kinship > 0.354, counts as one: the first in sheet order).
What may be shown follows the release's small-group rule (refcohort.release.privacy):
a count of fewer than ``release.min_group_size`` individuals (but not 0), and any count
that would let one be recovered by subtracting shown counts, is withheld; the exact
counts stay in the node's own table (results/qc/recruitment.tsv).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..release.privacy import Design
from ..release.samples import RELEASED_STATUSES, SEX_CODES, Sample

DUPLICATE_KINSHIP = 0.354  # KING: duplicate / MZ twin, the same genome twice
SEXES = ("female", "male", "all")
TOTAL = "(all)"  # the row of everyone counted (not a valid population or group code)
COLUMNS = ["kind", "group", "sex", "target", "achieved", "shown", "gap", "status"]


def counted_samples(
    gate_rows: Iterable[dict[str, str]],
    order: Sequence[str],
    pairs: Iterable[dict[str, str]],
) -> list[str]:
    """Samples counted as recruited individuals after QC, in sheet order: PASS or WARN,
    joint-called, and not the second of a duplicate/MZ pair."""
    passed = {
        r["sample"]
        for r in gate_rows
        if r["status"] in RELEASED_STATUSES and r["joint_calling"] == "included"
    }
    rank = {s: i for i, s in enumerate(order)}

    def position(sample: str) -> tuple[int, str]:
        return rank.get(sample, len(rank)), sample

    duplicates = sorted(
        tuple(sorted((p["sample_1"], p["sample_2"]), key=position))
        for p in pairs
        if float(p["kinship"]) > DUPLICATE_KINSHIP
    )
    dropped: set[str] = set()
    for first, second in sorted(duplicates, key=lambda d: (position(d[0]), position(d[1]))):
        if {first, second} <= passed and first not in dropped:
            dropped.add(second)
    return sorted(passed - dropped, key=position)


def _design(members: list[tuple[str, str, str]], min_group_size: int) -> dict[tuple, object]:
    """{(group label or TOTAL, sex word): Group} of the release's design (its groups and
    its rule) over (sample, group label, sex) members; the labels are coded for the
    design so that a minority named like a sex code cannot collide with one."""
    labels = sorted({g for _, g, _ in members})
    code = {g: f"G{i}" for i, g in enumerate(labels)}
    design = Design(
        [Sample(name, code[g], SEX_CODES.get(sex, "U")) for name, g, sex in members],
        min_group_size=min_group_size,
    )
    label = {c: g for g, c in code.items()} | {"all": TOTAL}
    word = {"F": "female", "M": "male", "U": "unknown", "all": "all"}
    return {(label[g.population], word[g.sex]): g for g in design.groups}


def _rows(
    kind: str,
    members: list[tuple[str, str, str]],
    targets: dict[str, dict[str, int]],
    min_group_size: int,
) -> list[dict[str, object]]:
    groups = _design(members, min_group_size)
    names = sorted({g for _, g, _ in members} | set(targets)) + [TOTAL]
    rows = []
    for name in names:
        for sex in SEXES:
            group = groups.get((name, sex))
            achieved = group.size if group else 0
            target = targets.get(name, {}).get(sex)
            if group is None:
                shown = "0"
            elif group.published:
                shown = str(achieved)
            elif group.size < min_group_size:
                shown = f"< {min_group_size}"
            else:
                shown = "withheld"  # would let a smaller group be recovered by subtraction
            rows.append(
                {
                    "kind": kind,
                    "group": name,
                    "sex": sex,
                    "target": "" if target is None else target,
                    "achieved": achieved,
                    "shown": shown,
                    "gap": max(0, target - achieved) if target is not None else "",
                    "status": (
                        "no target" if target is None else "met" if achieved >= target else "gap"
                    ),
                }
            )
    return rows


def recruitment_rows(
    counted: Sequence[str],
    sheet: dict[str, dict[str, str]],
    targets: dict[str, dict[str, int]],
    minority_targets: dict[str, dict[str, int]],
    min_group_size: int,
) -> list[dict[str, object]]:
    """Per population and per minority group (samples.tsv column ``minority``): female,
    male and all, with target, achieved, shown (under the small-group rule), gap and
    status (met, gap, no target); populations and groups with a target but nobody
    counted appear with 0. The minority groups are their own table (the release's rule
    within it): the counts outside a minority are never shown, so nothing can be
    subtracted across the two."""
    people = [(s, sheet[s]["population"], sheet[s]["sex"]) for s in counted if s in sheet]
    rows = _rows("population", people, targets, min_group_size)
    minority = [
        (s, sheet[s]["minority"], sheet[s]["sex"])
        for s in counted
        if s in sheet and sheet[s].get("minority")
    ]
    if minority or minority_targets:
        rows += _rows("minority", minority, minority_targets, min_group_size)
    return rows


def main(smk) -> None:
    """Rule count_recruitment: input table (the gate's), relatedness (optional); output
    table (results/qc/recruitment.tsv: the exact counts, the node's own record); params
    sheet ({sample: population, sex, minority}), order (sheet order), targets,
    minority_targets, min_group_size; log."""
    import sys

    from ..io import read_tsv, write_tsv

    sys.stderr = open(smk.log[0], "w")
    pairs = read_tsv(smk.input.relatedness[0]) if len(smk.input.relatedness) else []
    counted = counted_samples(read_tsv(smk.input.table), list(smk.params.order), pairs)
    rows = recruitment_rows(
        counted,
        dict(smk.params.sheet),
        dict(smk.params.targets),
        dict(smk.params.minority_targets),
        int(smk.params.min_group_size),
    )
    write_tsv(smk.output.table, COLUMNS, rows)
    print(f"{len(counted)} individuals counted after QC", file=sys.stderr)
    sys.stderr.flush()
