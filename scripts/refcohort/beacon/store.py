"""Look-ups in the release: tabix over the bgzipped VCF itself, or an SQLite copy.

Both answer :meth:`fetch` the same way: the records whose REF span ``[pos - 1, pos - 1 +
len(REF))`` overlaps the 0-based, half-open ``[start, end)``, in file order (tabix's own
rule for VCF). :class:`TabixStore` reads the published file and its ``.tbi`` (nothing to
build or keep in step); :class:`SqliteStore` reads a database built from the file once
(:func:`build_sqlite`) and rebuilt when the file's size or modification time changes.
``docs/beacon.md`` gives the measured speed of each; tabix is the default.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pysam

from .release import Site, parse_line

SCHEMA_VERSION = "1"
BACKENDS = ("tabix", "sqlite")


class TabixStore:
    """Records straight from the bgzipped VCF through its tabix index (pysam)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._tbx = pysam.TabixFile(str(self.path))
        self._contigs = set(self._tbx.contigs)

    def fetch(self, chrom: str, start: int, end: int) -> Iterator[Site]:
        if chrom not in self._contigs or end <= start:
            return iter(())
        return (parse_line(line) for line in self._tbx.fetch(chrom, max(0, start), end))

    def close(self) -> None:
        self._tbx.close()


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return f"{SCHEMA_VERSION}:{st.st_size}:{st.st_mtime_ns}"


def build_sqlite(vcf: str | Path, db: str | Path, batch: int = 50_000) -> Path:
    """Copy the records of ``vcf`` into a new SQLite file ``db`` (written beside it under a
    temporary name, then renamed: a reader never sees half a database)."""
    vcf, db = Path(vcf), Path(db)
    tmp = db.with_name(db.name + f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        con.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE sites (chrom TEXT, start0 INTEGER, end0 INTEGER,"
            " ref TEXT, alt TEXT, info TEXT);"
        )
        span = 0
        rows: list[tuple] = []
        with gzip.open(vcf, "rt") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                s = parse_line(line)
                span = max(span, len(s.ref))
                rows.append((s.chrom, s.start0, s.end0, s.ref, s.alt, s.info))
                if len(rows) >= batch:
                    con.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?)", rows)
                    rows.clear()
        con.executemany("INSERT INTO sites VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute("CREATE INDEX sites_pos ON sites (chrom, start0)")
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("fingerprint", _fingerprint(vcf)), ("max_span", str(span))],
        )
        con.commit()
    finally:
        con.close()
    os.replace(tmp, db)
    return db


class SqliteStore:
    """Records from an SQLite copy of the release, (re)built when missing or stale."""

    def __init__(self, vcf: str | Path, db: str | Path):
        self.path, self.db = Path(vcf), Path(db)
        if self._stale():
            build_sqlite(self.path, self.db)
        # read-only; used from the server's event-loop thread only
        self._con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, check_same_thread=False)
        (span,) = self._con.execute("SELECT value FROM meta WHERE key = 'max_span'").fetchone()
        self._span = int(span)

    def _stale(self) -> bool:
        if not self.db.exists():
            return True
        try:
            con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
            try:
                row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            finally:
                con.close()
        except sqlite3.DatabaseError:
            return True
        return row is None or row[0] != _fingerprint(self.path)

    def fetch(self, chrom: str, start: int, end: int) -> Iterator[Site]:
        if end <= start:
            return iter(())
        rows = self._con.execute(
            "SELECT start0, ref, alt, info FROM sites WHERE chrom = ? AND start0 > ?"
            " AND start0 < ? AND end0 > ? ORDER BY start0, rowid",
            (chrom, max(0, start) - self._span, end, max(0, start)),
        )
        return (Site(chrom, s + 1, ref, alt, info) for s, ref, alt, info in rows)

    def close(self) -> None:
        self._con.close()


def open_store(backend: str, vcf: str | Path, db: str | Path | None = None):
    """A TabixStore or an SqliteStore (which needs ``db``, its database path)."""
    if backend == "tabix":
        return TabixStore(vcf)
    if backend == "sqlite":
        if db is None:
            raise ValueError("the sqlite backend needs a database path (sqlite_path / --db)")
        return SqliteStore(vcf, db)
    raise ValueError(f"unknown backend {backend!r} (one of {', '.join(BACKENDS)})")
