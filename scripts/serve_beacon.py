#!/usr/bin/env python3
"""Serve the national release as a GA4GH Beacon v2 (refcohort.beacon; docs/beacon.md).

    python scripts/serve_beacon.py --release results/release/allele_frequencies.vcf.gz
        [--config beacon.yaml] [--host 127.0.0.1] [--port 8080]
        [--backend tabix|sqlite] [--db PATH] [--check]

Listens on loopback by default: put the node's reverse proxy (TLS) in front of it. The
settings file's keys are in docs/beacon.md; the bearer token that unlocks record
granularity comes from $REFCOHORT_BEACON_TOKEN or the file named by record_token_file.
--check loads everything, prints the served groups and exits (0) without serving.
`make serve [RELEASE=...] [SERVE_ARGS=...]` runs this.
"""

import argparse
import sys

import uvicorn

from refcohort.beacon import create_app, load_settings


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--release", required=True, help="the release VCF (bgzipped, with .tbi)")
    p.add_argument("--config", help="the node's Beacon settings (YAML)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--backend", choices=("tabix", "sqlite"), help="default: the settings'")
    p.add_argument("--db", dest="sqlite_path", help="SQLite copy (backend sqlite)")
    p.add_argument("--check", action="store_true", help="load, report and exit")
    args = p.parse_args(argv)
    try:
        settings = load_settings(
            args.release, args.config, backend=args.backend, sqlite_path=args.sqlite_path
        )
        app = create_app(settings)
    except (OSError, ValueError) as exc:
        print(f"serve_beacon: {exc}", file=sys.stderr)
        return 1
    beacon = app.state.beacon
    groups = ", ".join(f"{g.id} ({g.individuals})" for g in beacon.groups) or "none"
    print(
        f"Beacon {settings.beacon_id}: {settings.release} ({beacon.node.version[:19]}...), "
        f"{settings.backend}; groups served: {groups}; record granularity "
        + ("with a bearer token" if settings.records_enabled else "off (no token configured)"),
        file=sys.stderr,
    )
    if args.check:
        return 0
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
