"""refcohort.qc.recruitment: who is counted after QC, achieved against targets, and the
counts a shared report may show (the release's small-group rule)."""

from refcohort.qc import recruitment as rc


def gate(*rows):
    return [{"sample": s, "status": st, "joint_calling": jc} for s, st, jc in rows]


def test_counted_after_qc_duplicates_once():
    rows = gate(
        ("A", "PASS", "included"),
        ("B", "WARN", "included"),
        ("C", "FAIL", "excluded"),
        ("D", "FAIL", "included"),  # forced in by an override: not counted
        ("E", "PASS", "included"),
    )
    pairs = [
        {"sample_1": "E", "sample_2": "A", "kinship": "0.49"},  # A and E: one person
        {"sample_1": "A", "sample_2": "B", "kinship": "0.25"},  # parent and child: two
    ]
    assert rc.counted_samples(rows, ["A", "B", "C", "D", "E"], pairs) == ["A", "B"]
    assert rc.counted_samples(rows, ["E", "D", "C", "B", "A"], pairs) == ["E", "B"]


def sheet(spec):
    """{sample: population, sex, minority} from 'name:pop:sex[:minority]' words."""
    out = {}
    for word in spec.split():
        name, pop, sex, *minority = word.split(":")
        out[name] = {"population": pop, "sex": sex, "minority": minority[0] if minority else ""}
    return out


def by_key(rows):
    return {(r["kind"], r["group"], r["sex"]): r for r in rows}


def test_targets_gaps_and_what_may_be_shown():
    people = sheet(
        " ".join(f"F{i}:FI:female" for i in range(25))
        + " "
        + " ".join(f"M{i}:FI:male" for i in range(3))
        + " E1:EE:male E2:EE:female"
    )
    rows = by_key(
        rc.recruitment_rows(
            list(people),
            people,
            {"FI": {"female": 20, "male": 10, "all": 40}, "NL": {"all": 5}},
            {},
            min_group_size=20,
        )
    )
    fi_f, fi_m, fi = (rows[("population", "FI", s)] for s in ("female", "male", "all"))
    assert (fi_f["achieved"], fi_f["status"], fi_f["gap"]) == (25, "met", 0)
    assert (fi_m["achieved"], fi_m["status"], fi_m["gap"]) == (3, "gap", 7)
    assert (fi["achieved"], fi["gap"]) == (28, 12)
    # 3 FI males: a small group; the FI total would give it away (28 - 25): withheld too
    assert fi_m["shown"] == "< 20" and fi["shown"] == "withheld"
    assert fi_f["shown"] == "25"
    # a population with a target and nobody counted: 0, a gap
    nl = rows[("population", "NL", "all")]
    assert (nl["achieved"], nl["shown"], nl["status"], nl["gap"]) == (0, "0", "gap", 5)
    assert rows[("population", "EE", "all")]["status"] == "no target"
    everyone = rows[("population", rc.TOTAL, "all")]
    assert everyone["achieved"] == 30 and everyone["shown"] == "30"
    # nothing small is recoverable: each hidden count is on a cycle of hidden counts
    hidden = {k for k, r in rows.items() if not r["shown"].isdigit()}
    assert ("population", "FI", "male") in hidden and ("population", "FI", "all") in hidden


def test_minority_groups_are_a_table_of_their_own():
    people = sheet("A:FI:female:SAMI B:FI:male:SAMI C:FI:female D:EE:male:all")
    rows = by_key(rc.recruitment_rows(list(people), people, {}, {"SAMI": {"all": 3}}, 1))
    sami = rows[("minority", "SAMI", "all")]
    assert (sami["achieved"], sami["target"], sami["status"]) == (2, 3, "gap")
    # a group named like the total row's words cannot collide with it
    assert rows[("minority", "all", "male")]["achieved"] == 1
    assert rows[("minority", rc.TOTAL, "all")]["achieved"] == 3
    assert rows[("population", rc.TOTAL, "all")]["achieved"] == 4
    no_minority = sheet("A:FI:female C:FI:male")
    assert {r["kind"] for r in rc.recruitment_rows(["A", "C"], no_minority, {}, {}, 1)} == {
        "population"
    }
