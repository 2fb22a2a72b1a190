"""``refcohort``: the one documented way to run the pipeline on a cohort of one's own
(installed into the .venv by ``make deps``; docs/usage.md).

    .venv/bin/refcohort run my-cohort/config.yaml --dry-run   # what would run
    .venv/bin/refcohort run my-cohort/config.yaml             # run it
    .venv/bin/refcohort run my-cohort/config.yaml --profile slurm -- --slurm-no-account

It runs this checkout's Snakefile with the Python of the environment it is installed in,
in the config file's folder (results/, logs/ and .snakemake/ go there, never into the
checkout or the demo), with a profile of profiles/ (default: local), a concise console
(one progress bar, failures with their log, the run's summary; ``--detail`` for
Snakemake's full output) and the values of ``--set-scatter`` checked first. Anything
after ``--`` goes to Snakemake unchanged.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout (scripts/refcohort/cli.py)
PROFILES = ("default", "slurm", "gpu")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="refcohort", description=__doc__.split("\n\n")[0].replace("``", "")
    )
    sub = ap.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="run (or dry-run) the pipeline on a cohort",
        description="Run the pipeline on the cohort that CONFIG describes, in CONFIG's folder.",
    )
    run.add_argument("config", help="the cohort's config file (its folder is the run's folder)")
    run.add_argument(
        "-n", "--dry-run", action="store_true", help="show what would run; run nothing"
    )
    run.add_argument("--cores", default="all", help="cores to use [all]")
    run.add_argument(
        "--profile", default="default", choices=PROFILES, help="profiles/<name> [default]"
    )
    run.add_argument("--workdir", help="run folder [the config file's folder]")
    run.add_argument("--shards", type=int, help="interval shards (--set-scatter shard=N) [4]")
    run.add_argument(
        "--detail", action="store_true", help="Snakemake's full output (every job and command)"
    )
    return ap


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; what follows ``--`` is passed to Snakemake as it is."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    if "--" in argv:
        argv = argv[: argv.index("--")]
    opts = parser().parse_args(argv)
    opts.snakemake_args = extra
    return opts


def scatter_problem(args: list[str]) -> str:
    """A --set-scatter value Snakemake would refuse with a traceback (non-numeric,
    negative) or accept to a run that cannot work (0): the message, or ''."""
    for i, arg in enumerate(args):
        if arg != "--set-scatter":
            continue
        for item in args[i + 1 :]:
            if item.startswith("-"):
                break
            name, _, value = item.partition("=")
            if not re.fullmatch(r"\d+", value) or int(value) < 1:
                return (
                    f"--set-scatter {item}: the number of {name or 'shard'}s must be a whole "
                    "number of at least 1"
                )
    return ""


def snakemake_command(opts: argparse.Namespace) -> list[str]:
    config = Path(opts.config).resolve()
    workdir = Path(opts.workdir).resolve() if opts.workdir else config.parent
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--workflow-profile",
        str(ROOT / "profiles" / opts.profile),
        "--directory",
        str(workdir),
        "--configfile",
        str(config),
        "--cores",
        str(opts.cores),
    ]
    if opts.dry_run:
        cmd.append("--dry-run")
    if opts.shards is not None:
        cmd += ["--set-scatter", f"shard={opts.shards}"]
    if opts.detail:
        cmd.append("--printshellcmds")
    elif not opts.dry_run:
        cmd += ["--logger", "rich"]
    return cmd + list(opts.snakemake_args)


def main(argv: list[str] | None = None) -> int:
    opts = parse(argv)
    config = Path(opts.config)
    if not config.is_file():
        print(
            f"refcohort: no config file {config} (give the cohort's config.yaml)", file=sys.stderr
        )
        return 2
    if opts.shards is not None and opts.shards < 1:
        print("refcohort: --shards must be at least 1", file=sys.stderr)
        return 2
    cmd = snakemake_command(opts)
    problem = scatter_problem(cmd)
    if problem:
        print(f"refcohort: {problem}", file=sys.stderr)
        return 2
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(cmd, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
