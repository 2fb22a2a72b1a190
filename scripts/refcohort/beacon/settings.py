"""The node's Beacon settings: a YAML file (every key optional) and the token variable.

Keys and defaults are :data:`DEFAULTS`; ``docs/beacon.md`` describes each. The bearer
tokens that unlock record granularity come from the environment variable
``REFCOHORT_BEACON_TOKEN`` (one token) and/or the file named by ``record_token_file`` (one
token a line, ``#`` comments); only their SHA-256 digests are kept. No token configured:
nobody gets records.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

TOKEN_ENV = "REFCOHORT_BEACON_TOKEN"
MIN_TOKEN_LENGTH = 16
GRANULARITIES = ("boolean", "count", "record")
ENVIRONMENTS = ("prod", "test", "dev", "staging")


@dataclass(frozen=True)
class Settings:
    release: Path
    beacon_id: str = "org.example.refcohort.beacon"
    name: str = "National reference cohort Beacon"
    description: str = (
        "Allele counts and frequencies of the national reference cohort's release, per "
        "published population and sex group"
    )
    organization_id: str = "org.example"
    organization_name: str = "National node (set organization_name)"
    contact_url: str = "mailto:beacon@example.org"
    welcome_url: str = ""
    documentation_url: str = ""
    environment: str = "test"
    public_url: str = ""  # the URL the proxy serves it at; default: the request's base URL
    assembly: str = "GRCh38"
    assembly_aliases: tuple[str, ...] = ("hg38", "GCA_000001405.15", "GCF_000001405.26")
    dataset_id: str = "national-release"
    dataset_name: str = "National reference cohort allele frequencies"
    source: str = "National reference cohort release"
    source_reference: str = ""  # default: this beacon's /info URL
    release_version: str = ""  # default: the release's SHA-256 (its .sha256 or computed)
    default_granularity: str = "boolean"
    max_range: int = 1_000_000
    default_limit: int = 10
    max_limit: int = 100
    record_without_token: str = "error"  # or "downgrade" (answer at count)
    record_token_file: str = ""
    backend: str = "tabix"
    sqlite_path: str = ""
    token_digests: frozenset[bytes] = field(default=frozenset(), repr=False)

    @property
    def records_enabled(self) -> bool:
        return bool(self.token_digests)

    def token_ok(self, token: str) -> bool:
        """Whether ``token`` is one of the configured tokens (constant-time compare)."""
        digest = hashlib.sha256(token.encode("utf-8", "replace")).digest()
        ok = False
        for known in self.token_digests:
            ok |= hmac.compare_digest(digest, known)
        return ok


DEFAULTS = {
    f.name: f.default for f in fields(Settings) if f.name not in ("release", "token_digests")
}


def _read_tokens(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def load_settings(
    release: str | Path,
    config: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides,
) -> Settings:
    """Settings from the YAML file ``config`` (if any), then ``overrides`` (the CLI's),
    and the tokens from ``env`` (default: os.environ). Raises ValueError on a bad key or
    value."""
    env = os.environ if env is None else env
    values: dict = {}
    if config:
        loaded = yaml.safe_load(Path(config).read_text()) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{config}: expected a mapping of settings")
        values.update(loaded)
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown Beacon setting(s): {', '.join(unknown)}")
    for key, value in values.items():
        default = DEFAULTS[key]
        if isinstance(default, tuple):
            if isinstance(value, str) or not isinstance(value, list | tuple):
                raise ValueError(f"{key}: expected a list")
            values[key] = tuple(str(v) for v in value)
        elif isinstance(default, int) and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{key}: expected an integer")
        elif isinstance(default, str) and not isinstance(value, str):
            values[key] = str(value)
    checks = {
        "default_granularity": GRANULARITIES,
        "environment": ENVIRONMENTS,
        "record_without_token": ("downgrade", "error"),
        "backend": ("tabix", "sqlite"),
    }
    for key, allowed in checks.items():
        if key in values and values[key] not in allowed:
            raise ValueError(f"{key}: {values[key]!r} is not one of {', '.join(allowed)}")
    for key in ("max_range", "default_limit", "max_limit"):
        if key in values and values[key] < 1:
            raise ValueError(f"{key}: must be at least 1")
    tokens = []
    if env.get(TOKEN_ENV):
        tokens.append(env[TOKEN_ENV].strip())
    if values.get("record_token_file"):
        path = Path(values["record_token_file"])
        if config and not path.is_absolute():
            path = Path(config).parent / path
        tokens += _read_tokens(path)
    short = [t for t in tokens if len(t) < MIN_TOKEN_LENGTH]
    if short:
        raise ValueError(f"record tokens must be at least {MIN_TOKEN_LENGTH} characters long")
    digests = frozenset(hashlib.sha256(t.encode()).digest() for t in tokens)
    return Settings(release=Path(release), token_digests=digests, **values)


def release_version(settings: Settings) -> str:
    """The configured release version, else ``sha256:<hex>`` of the release (its
    ``.sha256`` sidecar when present, as the pipeline writes it)."""
    if settings.release_version:
        return settings.release_version
    sidecar = Path(str(settings.release) + ".sha256")
    if sidecar.exists():
        words = sidecar.read_text().split()
        if words and len(words[0]) == 64:
            return f"sha256:{words[0]}"
    digest = hashlib.sha256()
    with open(settings.release, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"
