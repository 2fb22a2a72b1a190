"""Progress lines on stderr, and stderr (Python's and htslib's) sent to a rule's log."""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import traceback
from collections.abc import Iterator
from typing import TextIO


def log(tag: str, message: str) -> None:
    """Write ``[tag HH:MM:SS] message`` to stderr, flushed."""
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{tag} {stamp}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def stderr_to(fh: TextIO) -> Iterator[None]:
    """Send sys.stderr and file descriptor 2 (htslib's warnings, child processes) to ``fh``;
    an error raised inside is written there too (its traceback), so that the log says why
    the step failed."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        os.dup2(fh.fileno(), 2)
        with contextlib.redirect_stderr(fh):
            try:
                yield
            except Exception:
                traceback.print_exc(file=fh)
                raise
    finally:
        fh.flush()
        os.dup2(saved, 2)
        os.close(saved)
