"""The hail joint engine's two steps over the cohort store (refcohort.cohort_store):
`update` brings the store to the gated samples of this run (new genomes combined into a
new batch, removed ones taken out of theirs, a new freeze), `export` writes one shard of
the cohort as a joint VCF. Run by scripts/hail_cohort.py in the Hail environment."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from .cohort_store import Store, contig_problems, rewrite_plan
from .freeze import (
    Batch,
    Freeze,
    FreezeError,
    checksums_needed,
    next_freeze,
    plan,
    reference_fingerprint,
    sha256_file,
    write_atomic,
)
from .io import read_tsv


def say(message: str) -> None:
    print(f"[cohort {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wanted_gvcfs(table: str | Path) -> dict[str, str]:
    """{sample: Hail-ready gVCF} from a sample/gvcf TSV (the gated samples of the run)."""
    return {row["sample"]: row["gvcf"] for row in read_tsv(table)}


def write_outputs(freeze: Freeze, freeze_out: str | Path, header_out: str | Path) -> None:
    write_atomic(freeze_out, freeze.to_json())
    write_atomic(header_out, freeze.header_line() + "\n")


def update(args) -> Freeze:
    """Bring the store to the samples of ``args.gvcfs``; returns the current freeze."""
    store = Store(args.store)
    reference = reference_fingerprint(args.fai)
    left = store.clean_interrupted()
    if left:
        say(f"removed what an interrupted update left: {', '.join(p.name for p in left)}")
    current = store.open(reference)
    wanted = wanted_gvcfs(args.gvcfs)
    if not wanted:
        raise FreezeError("no sample passed the QC gate: there is no cohort to store")
    needed = checksums_needed(current, wanted)
    new = [s for s in needed if not current or s not in current.members]
    problems = contig_problems({s: wanted[s] for s in new}, args.fai)
    if problems:
        raise FreezeError("\n".join(problems))
    checksums = {s: sha256_file(wanted[s]) for s in needed}
    the_plan = plan(current, wanted, checksums)
    if current and not the_plan.changes:
        say(f"the cohort is unchanged: freeze {current.number}, {len(current.members)} samples")
        write_outputs(current, args.freeze, args.header)
        return current

    from . import hail_vds

    started = time.monotonic()
    hl = hail_vds.start(
        args.master, args.cores, args.memory_mb, store.tmp, args.hail_log, args.executor_mb
    )
    rg = hail_vds.reference_genome(args.fai, args.par, args.chrx, args.chry)
    kept, touched = rewrite_plan(current, the_plan.remove)
    number = (current.number if current else 0) + 1
    used = {b.id for b in current.batches} if current else set()
    batches: list[Batch] = list(kept)
    for old in touched:
        remaining = [s for s in old.samples if s not in the_plan.remove]
        if not remaining:
            say(f"batch {old.id}: every sample removed; the batch goes")
            continue
        batch = Batch(store.next_batch_id(used), "", remaining, number)
        gone = sorted(set(old.samples) - set(remaining))
        write_batch(
            store,
            batch,
            lambda tmp, o=old, g=gone: hail_vds.drop_samples(store.batch_path(o.id), g, tmp),
        )
        say(f"batch {old.id} rewritten as {batch.id} without {', '.join(gone)}")
        batches.append(batch)
    if the_plan.add:
        batch = Batch(store.next_batch_id(used), "", the_plan.add, number)
        gvcfs = {s: str(Path(wanted[s]).resolve()) for s in the_plan.add}
        size = args.interval_size or import_interval_size(rg)
        write_batch(store, batch, lambda tmp: hail_vds.combine(gvcfs, tmp, store.tmp, rg, size))
        names = ", ".join(the_plan.add[:10]) + (" ..." if len(the_plan.add) > 10 else "")
        say(f"batch {batch.id}: {len(the_plan.add)} new genome(s) combined ({names})")
        batches.append(batch)
    if len(batches) > args.max_batches:
        merged = Batch(
            store.next_batch_id(used), "", sorted(s for b in batches for s in b.samples), number
        )
        paths = [store.root / b.path for b in batches]
        write_batch(store, merged, lambda tmp: hail_vds.merge_batches(paths, tmp, store.tmp, rg))
        say(f"{len(batches)} batches merged into {merged.id} (max_batches {args.max_batches})")
        batches = [merged]
    hail_vds.stop(hl)
    freeze = next_freeze(current, the_plan, wanted, checksums, "hail", reference, batches)
    for path in store.commit(freeze, reference):
        say(f"deleted {path.name}: the new freeze no longer names it")
    shutil.rmtree(store.tmp, ignore_errors=True)
    write_outputs(freeze, args.freeze, args.header)
    say(
        f"freeze {freeze.number}: {len(freeze.members)} samples in {len(batches)} batch(es); "
        f"added {len(the_plan.add)}, removed {len(the_plan.remove)}; "
        f"{time.monotonic() - started:.1f} s in Hail"
    )
    return freeze


def import_interval_size(rg) -> int:
    """The combiner's import partition: Hail's genome default (1.2 Mb), smaller for a small
    genome so that a run still has a few dozen partitions to spread over cores."""
    return max(50_000, min(1_200_000, sum(rg.lengths.values()) // 32))


def write_batch(store: Store, batch: Batch, write) -> None:
    """Write a batch VDS beside the store's batches and move it in place whole."""
    final = store.batch_path(batch.id)
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    write(tmp)
    os.replace(tmp, final)
    batch.path = str(final.relative_to(store.root))


def export(args) -> None:
    """One shard of the cohort (the freeze's batches) as a bgzipped VCF."""
    from . import hail_vds

    freeze = Freeze.from_json(Path(args.freeze).read_text(), args.freeze)
    store = Store(args.store)
    missing = [b.path for b in freeze.batches if not (store.root / b.path).exists()]
    if missing:
        raise FreezeError(
            f"freeze {freeze.number} names batches that are not in {store.root}: "
            f"{', '.join(missing)}; the store and the freeze record do not belong together."
        )
    males = {row["sample"] for row in read_tsv_noheader(args.sexes) if row["sex"] == "M"}
    tmp = Path(args.tmp)
    hl = hail_vds.start(
        args.master, args.cores, args.memory_mb, tmp, args.hail_log, args.executor_mb
    )
    rg = hail_vds.reference_genome(args.fai, args.par, args.chrx, args.chry)
    hail_vds.export_shard(
        [store.root / b.path for b in freeze.batches],
        args.regions,
        males,
        args.out,
        rg,
    )
    hail_vds.stop(hl)
    shutil.rmtree(tmp, ignore_errors=True)


def read_tsv_noheader(path: str | Path) -> list[dict[str, str]]:
    """The gate's sample_sexes.txt: sample and bcftools sex code, no header."""
    rows = []
    for line in Path(path).read_text().splitlines():
        if line.strip():
            sample, sex = line.split("\t")[:2]
            rows.append({"sample": sample, "sex": sex})
    return rows


def counts(args) -> None:
    """Per-group AC/AN of the released samples straight from the store (a check beside the
    release, which counts from the joint VCF)."""
    from . import hail_vds

    freeze = Freeze.from_json(Path(args.freeze).read_text(), args.freeze)
    store = Store(args.store)
    sheet = {r["sample"]: r for r in read_tsv(args.samples)}
    left_out = {r["sample"] for r in read_tsv(args.excluded)}
    code = {"female": "F", "male": "M"}
    members = {
        s: (sheet[s]["population"], code.get(sheet[s]["sex"], "U"))
        for s in freeze.members
        if s not in left_out
    }
    groups = {
        r["group"]: (r["population"], r["sex"])
        for r in read_tsv(args.groups)
        if r["status"] == "published"
    }
    males = {s for s, (_, sex) in members.items() if sex == "M"}
    hl = hail_vds.start(args.master, args.cores, args.memory_mb, Path(args.tmp), args.hail_log)
    rg = hail_vds.reference_genome(args.fai, args.par, args.chrx, args.chry)
    hail_vds.group_counts(
        [store.root / b.path for b in freeze.batches], rg, groups, members, males, args.out
    )
    hail_vds.stop(hl)
