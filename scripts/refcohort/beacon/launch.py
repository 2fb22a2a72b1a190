"""Start the Beacon (scripts/serve_beacon.py) as a process on a free loopback port and
wait until it answers: what the tests and the benchmark do before they send requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SERVER = Path(__file__).resolve().parents[2] / "serve_beacon.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    release: str | Path,
    config: str | Path,
    log: str | Path,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[subprocess.Popen, str]:
    """(the server process, its base URL). Its output goes to ``log`` (a pipe nobody
    reads would fill and stall it); RuntimeError, with the log, when it exits or does not
    answer within ``timeout`` seconds."""
    port = free_port()
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, str(SERVER), "--release", str(release), "--config", str(config),
             "--port", str(port)],
            env=dict(os.environ) if env is None else env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"serve_beacon.py exited: {Path(log).read_text()[-3000:]}")
        try:
            httpx.get(base + "/info", timeout=2)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the Beacon did not answer in {timeout:.0f} s")
