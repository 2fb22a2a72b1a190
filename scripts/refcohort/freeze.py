"""Cohort freezes: which genomes a joint call set came from.

A freeze record names every sample of the cohort with the SHA-256 of the gVCF it was
joint-called from, the pipeline version, the reference and the date; each change of the
cohort (a batch added, samples removed) makes the next freeze. Both joint engines write
one: bcftools (the gVCFs merged this run) and hail (the cohort store's batches, see
refcohort.cohort_store). The joint VCF, the release and the report name the freeze.

Plain Python (no Hail), so the planning and its checks are unit-tested directly.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__

FREEZE_FORMAT = 1


class FreezeError(Exception):
    """A cohort that cannot be frozen as asked; the message says what to do."""


@dataclass
class Member:
    sample: str
    gvcf: str  # as the workflow names it
    sha256: str
    size: int = 0  # the gVCF's size and mtime when the checksum was taken: a later run
    mtime: float = 0.0  # re-reads the file only when they differ
    batch: str = ""  # the cohort-store batch holding it (hail engine)


@dataclass
class Batch:
    id: str
    path: str  # relative to the store
    samples: list[str]
    made_in: int  # the freeze that wrote it


@dataclass
class Freeze:
    number: int
    engine: str
    date: str
    pipeline: str
    reference: dict
    members: dict[str, Member]
    batches: list[Batch] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    format: int = FREEZE_FORMAT

    @property
    def samples(self) -> list[str]:
        return sorted(self.members)

    def header_line(self) -> str:
        """The VCF header line that names this freeze."""
        return (
            f"##cohort_freeze=<Number={self.number},Engine={self.engine},Date={self.date},"
            f"Samples={len(self.members)},Pipeline={self.pipeline.replace(' ', '_')}>"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "freeze record") -> Freeze:
        try:
            d = json.loads(text)
            if d.get("format") != FREEZE_FORMAT:
                raise FreezeError(
                    f"{where} has format {d.get('format')!r}; this pipeline reads format "
                    f"{FREEZE_FORMAT}. It was written by another pipeline version "
                    f"({d.get('pipeline', 'unknown')}); use that version, or start a new "
                    "cohort directory."
                )
            members = {s: Member(**m) for s, m in d.pop("members").items()}
            batches = [Batch(**b) for b in d.pop("batches")]
            return cls(members=members, batches=batches, **d)
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, FreezeError):
                raise
            raise FreezeError(f"{where} is not a readable freeze record ({e})") from e


@dataclass
class Plan:
    add: list[str]
    remove: list[str]
    keep: list[str]
    changed: list[str] = field(default_factory=list)  # kept, with another gVCF (bcftools)

    @property
    def changes(self) -> bool:
        return bool(self.add or self.remove or self.changed)


def sha256_file(path: str | Path, block: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def pipeline_version() -> str:
    """This pipeline's version, and the git commit when run from a checkout."""
    head = Path(__file__).resolve().parents[2] / ".git" / "HEAD"
    commit = ""
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            commit = (head.parent / ref[5:]).read_text().strip()
        else:
            commit = ref
    except OSError:
        pass
    return f"refcohort {__version__}" + (f" ({commit[:12]})" if commit else "")


def today() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stat_of(path: str | Path) -> tuple[int, float]:
    st = Path(path).stat()
    return st.st_size, st.st_mtime


def checksums_needed(current: Freeze | None, wanted: dict[str, str]) -> list[str]:
    """The wanted samples whose gVCF must be read for its checksum: new ones, and members
    whose gVCF's size or mtime is not what was recorded (the cheap check first)."""
    members = current.members if current else {}
    return [
        s
        for s in sorted(wanted)
        if s not in members or stat_of(wanted[s]) != (members[s].size, members[s].mtime)
    ]


def plan(
    current: Freeze | None, wanted: dict[str, str], checksums: dict[str, str], strict: bool = True
) -> Plan:
    """What changes from ``current`` to the cohort ``wanted`` ({sample: gVCF}), whose gVCFs
    have ``checksums`` ({sample: sha256}, for the samples checksums_needed() names).

    A sample already in the cohort is combined once: if its gVCF's checksum is no longer
    the one recorded, the gVCF changed after it was joint-called (re-made, or another
    genome under the same ID): ``strict`` (the cohort store, which never re-reads a
    genome) stops until that is resolved; otherwise (bcftools, which joint-calls every
    gVCF each time) the sample is listed as changed.
    """
    members = current.members if current else {}
    changed = [
        s
        for s in sorted(wanted)
        if s in members and s in checksums and checksums[s] != members[s].sha256
    ]
    if changed and strict:
        lines = "\n".join(
            f"    {s}: recorded {members[s].sha256[:16]}..., now {checksums[s][:16]}... "
            f"({wanted[s]})"
            for s in changed
        )
        raise FreezeError(
            f"the gVCFs of {len(changed)} sample(s) already in cohort freeze "
            f"{current.number} no longer match the checksums recorded when they were "
            f"combined:\n{lines}\nA genome is combined into the cohort once. If the gVCF was "
            "re-made on purpose (or the ID now names another genome), withdraw the sample "
            "first (remove it from the sheets and run), then add it again; otherwise restore "
            "the gVCF that was combined."
        )
    return Plan(
        add=sorted(set(wanted) - set(members)),
        remove=sorted(set(members) - set(wanted)),
        keep=sorted(set(wanted) & set(members)),
        changed=changed,
    )


def next_freeze(
    current: Freeze | None,
    the_plan: Plan,
    wanted: dict[str, str],
    checksums: dict[str, str],
    engine: str,
    reference: dict,
    batches: list[Batch] | None = None,
) -> Freeze:
    """The freeze after ``the_plan``; ``batches`` is the store's batch list after it (the
    hail engine), from which each member's batch is read."""
    batches = list(batches or [])
    batch_of = {s: b.id for b in batches for s in b.samples}
    members = {}
    for s in the_plan.keep + the_plan.add:
        old = current.members.get(s) if current else None
        size, mtime = stat_of(wanted[s])
        members[s] = Member(
            sample=s,
            gvcf=wanted[s],
            sha256=checksums.get(s) or old.sha256,
            size=size,
            mtime=mtime,
            batch=batch_of.get(s, ""),
        )
    return Freeze(
        number=(current.number if current else 0) + 1,
        engine=engine,
        date=today(),
        pipeline=pipeline_version(),
        reference=reference,
        members=members,
        batches=batches,
        added=the_plan.add,
        removed=the_plan.remove,
    )


def reference_fingerprint(fai: str | Path) -> dict:
    """The reference as a freeze names it: contig count and the MD5 of its names and
    lengths (from the .fai), so a store cannot be extended on another build."""
    pairs = [line.split("\t")[:2] for line in Path(fai).read_text().splitlines() if line]
    text = "\n".join(f"{name}\t{length}" for name, length in pairs)
    return {"contigs": len(pairs), "names_lengths_md5": hashlib.md5(text.encode()).hexdigest()}


def write_atomic(path: str | Path, text: str) -> None:
    """Write a small file whole or not at all (a killed run leaves the old one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def latest(folder: str | Path) -> Freeze | None:
    """The newest freeze record in a history folder (freeze-NNNN.json), or None."""
    records = sorted(Path(folder).glob("freeze-*.json"))
    return Freeze.from_json(records[-1].read_text(), str(records[-1])) if records else None


def record(
    history: str | Path,
    wanted: dict[str, str],
    checksums: dict[str, str],
    engine: str,
    reference: dict,
) -> Freeze:
    """The freeze of a cohort joint-called from every gVCF each run (the bcftools engine):
    the latest record again when nothing changed, else the next one, saved in
    ``history``."""
    current = latest(history)
    the_plan = plan(current, wanted, checksums, strict=False)
    if current and not the_plan.changes and current.reference == reference:
        return current
    freeze = next_freeze(current, the_plan, wanted, checksums, engine, reference)
    write_atomic(Path(history) / f"freeze-{freeze.number:04d}.json", freeze.to_json())
    return freeze
