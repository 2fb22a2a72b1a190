"""The Beacon v2 server over the release: a FastAPI application (run by uvicorn).

Every answer is a Beacon v2 JSON document, errors included: a refused request, an unknown
path, a wrong method or an unforeseen failure get a ``beaconErrorResponse`` with the HTTP
status (400, 401, 404, 405, 413, 500), never a traceback. OpenAPI pages are off (they
would be HTML outside the Beacon schemas).

Access (``docs/beacon.md``): boolean and count answers are public. Record granularity
needs ``Authorization: Bearer <token>`` with a token the node configured
(:mod:`.settings`); without one, a record request is refused with 401 (a
``beaconErrorResponse``), or, where the node sets ``record_without_token: downgrade``,
answered at count granularity with ``returnedGranularity: count`` (the Beacon request
schema allows a lower granularity than requested, stated in the response's meta). A
wrong or malformed token is always refused (401).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
from importlib import metadata
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import responses
from .query import OPTIONS, QUERY_PARAMETERS, UNSUPPORTED, BeaconError, BeaconRequest, bad
from .query import interpret as interpret_request
from .records import genomic_variation
from .references import contig_table
from .release import read_header
from .settings import Settings, load_settings, release_version
from .store import open_store

MAX_BODY = 64 * 1024
REPEATABLE = ("start", "end", "filters")
RELEASE_ENV = "REFCOHORT_BEACON_RELEASE"
CONFIG_ENV = "REFCOHORT_BEACON_CONFIG"
log = logging.getLogger("refcohort.beacon")


def _rfc3339(ts: float | None = None) -> str:
    when = (
        datetime.datetime.fromtimestamp(ts, datetime.UTC)
        if ts
        else datetime.datetime.now(datetime.UTC)
    )
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _software() -> str:
    try:
        return metadata.version("refcohort")
    except metadata.PackageNotFoundError:
        return "0"


def _json(body: dict, status: int = 200, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _get_parameters(request: Request) -> tuple[dict, dict]:
    params: dict = {}
    options: dict = {}
    for key, value in request.query_params.multi_items():
        if key in QUERY_PARAMETERS or key in UNSUPPORTED:
            target = params
        elif key in OPTIONS:
            target = options
        else:
            raise bad(
                "unknown parameter (supported: " + ", ".join(QUERY_PARAMETERS + OPTIONS) + ")"
            )
        if key in target:
            if key not in REPEATABLE:
                raise bad(f"{key}: given more than once")
            previous = target[key]
            target[key] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            target[key] = value
    return params, options


async def _post_parameters(request: Request) -> tuple[dict, dict]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BeaconError(413, f"the request body is larger than {MAX_BODY} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise BeaconError(413, f"the request body is larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        doc = json.loads(raw) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise bad("the request body is not JSON") from None
    if not isinstance(doc, dict):
        raise bad("the request body must be a JSON object (a Beacon request)")
    meta = doc.get("meta") or {}
    query = doc.get("query") or {}
    if not isinstance(meta, dict) or not isinstance(query, dict):
        raise bad("meta and query must be JSON objects")
    params = query.get("requestParameters") or {}
    if isinstance(params, dict) and set(params) == {"g_variant"}:
        params = params["g_variant"]
    pagination = query.get("pagination") or {}
    if not isinstance(params, dict) or not isinstance(pagination, dict):
        raise bad("requestParameters and pagination must be JSON objects")
    options = {
        "requestedGranularity": query.get("requestedGranularity"),
        "includeResultsetResponses": query.get("includeResultsetResponses"),
        "testMode": query.get("testMode"),
        "filters": query.get("filters"),
        "skip": pagination.get("skip"),
        "limit": pagination.get("limit"),
        "apiVersion": meta.get("apiVersion"),
    }
    return params, options


class Beacon:
    """The node's state: settings, release header, store; answers ``/g_variants``."""

    def __init__(self, settings: Settings):
        self.settings = settings
        header = read_header(settings.release)
        self.node = responses.Node(
            settings=settings,
            header=header,
            contigs=contig_table(header.contigs, settings.assembly),
            version=release_version(settings),
            software=_software(),
            started=_rfc3339(),
            released=_rfc3339(Path(settings.release).stat().st_mtime),
        )
        self.groups = header.published
        self.store = open_store(settings.backend, settings.release, settings.sqlite_path or None)

    def granularity(self, request: Request, wanted: str) -> tuple[str, list[str]]:
        """The granularity to answer at, given the Authorization header (BeaconError 401
        for a wrong token, or for a record request without one in 'error' mode)."""
        auth = request.headers.get("authorization")
        authorized = False
        if auth is not None:
            scheme, _, token = auth.strip().partition(" ")
            if scheme.lower() != "bearer" or not self.settings.token_ok(token.strip()):
                raise BeaconError(401, "invalid bearer token")
            authorized = True
        if wanted != "record" or authorized:
            return wanted, []
        if self.settings.record_without_token == "error":
            raise BeaconError(401, "record granularity needs a bearer token issued by this node")
        return "count", [
            "record granularity needs a bearer token issued by this node: answered at count"
        ]

    def answer(self, request: Request, req: BeaconRequest) -> JSONResponse:
        granularity, notes = self.granularity(request, req.granularity)
        q = req.query
        start, end = q.window()
        matches = (s for s in self.store.fetch(q.chrom, start, end) if q.matches(s))
        headers = {"Cache-Control": "no-store"} if granularity == "record" else None
        if granularity == "boolean":
            total = 1 if next(matches, None) is not None else 0
            return _json(responses.results(self.node, req, granularity, total, notes=notes))
        if granularity == "count":
            total = sum(1 for _ in matches)
            return _json(responses.results(self.node, req, granularity, total, notes=notes))
        first = req.skip * req.limit
        page, total = [], 0
        base = str(request.base_url)
        source = responses.frequency_source(self.node, base)
        seq_id = self.node.contigs.sequence_ids[q.chrom]
        for site in matches:
            if first <= total < first + req.limit:
                page.append(genomic_variation(site, self.groups, seq_id, source))
            total += 1
        body = responses.results(self.node, req, granularity, total, page, notes)
        return _json(body, headers=headers)


def create_app(settings: Settings) -> FastAPI:
    beacon = Beacon(settings)
    node = beacon.node
    app = FastAPI(
        title=settings.name,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.beacon = beacon

    def fail(status: int, message: str, req: BeaconRequest | None = None, headers=None):
        return _json(responses.error(node, status, message, req), status, headers)

    @app.exception_handler(BeaconError)
    async def beacon_error(request: Request, exc: BeaconError):
        headers = None
        if exc.status == 401:
            error = ', error="invalid_token"' if "authorization" in request.headers else ""
            headers = {"WWW-Authenticate": f'Bearer realm="beacon"{error}'}
        return fail(exc.status, exc.message, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        words = {404: "no such endpoint (see /map)", 405: "method not allowed"}
        return fail(exc.status_code, words.get(exc.status_code, "request refused"))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return fail(400, "malformed request")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        log.exception("unexpected failure answering %s", request.url.path)
        return fail(500, "internal error")

    @app.get("/")
    @app.get("/info")
    async def get_info(request: Request):
        return _json(responses.info(node, str(request.base_url)))

    @app.get("/service-info")
    async def get_service_info(request: Request):
        return _json(responses.service_info(node, str(request.base_url)))

    @app.get("/configuration")
    async def get_configuration():
        return _json(responses.configuration(node))

    @app.get("/map")
    async def get_map(request: Request):
        return _json(responses.beacon_map(node, str(request.base_url)))

    @app.get("/entry_types")
    async def get_entry_types():
        return _json(responses.entry_types(node))

    @app.get("/filtering_terms")
    async def get_filtering_terms():
        return _json(responses.filtering_terms(node))

    @app.get("/g_variants")
    async def g_variants_get(request: Request):
        params, options = _get_parameters(request)
        req = interpret_request(params, options, settings, node.contigs)
        return beacon.answer(request, req)

    @app.post("/g_variants")
    async def g_variants_post(request: Request):
        params, options = await _post_parameters(request)
        req = interpret_request(params, options, settings, node.contigs)
        return beacon.answer(request, req)

    return app


def app_from_env() -> FastAPI:
    """An app for ``uvicorn --factory refcohort.beacon.app:app_from_env`` (e.g. with
    ``--workers``): the release from $REFCOHORT_BEACON_RELEASE, the settings file from
    $REFCOHORT_BEACON_CONFIG (optional)."""
    release = os.environ.get(RELEASE_ENV)
    if not release:
        raise SystemExit(f"set {RELEASE_ENV} to the release VCF")
    return create_app(load_settings(release, os.environ.get(CONFIG_ENV) or None))
