"""The console and environment of a run.

The concise console of `refcohort run` and `make demo` (Snakemake's rich logger plugin,
``--logger rich``): lines that are noise on a console are left out of it, and only of it
(the run's log file under .snakemake/log keeps every line). And the PATH jobs see.

Left out: Snakemake's "Removing temporary output ..." (hundreds in a cohort run; the rich
plugin shows them although ``--quiet rules`` hides them from Snakemake's own logger).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

NOISE = ("Removing temporary output ", "Would remove temporary output ")


class ConsoleNoiseFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(NOISE)


def quiet_plugin_console(logger: logging.Logger) -> int:
    """Add the filter to the handlers that feed logger plugins (Snakemake hands their
    records over through a QueueHandler); return how many were found. Snakemake's own
    console and file handlers are left as they are."""
    found = 0
    for handler in logger.handlers:
        if isinstance(handler, logging.handlers.QueueHandler):
            if not any(isinstance(f, ConsoleNoiseFilter) for f in handler.filters):
                handler.addFilter(ConsoleNoiseFilter())
            found += 1
    return found


def put_first_on_path(folder: str | Path) -> None:
    """Put a folder first on PATH for this process and the jobs it starts (the venv's
    bin/, so that jobs find its tools and Python without an activated venv)."""
    current = os.environ.get("PATH", "")
    if current.split(os.pathsep)[:1] != [str(folder)]:
        os.environ["PATH"] = f"{folder}{os.pathsep}{current}"
