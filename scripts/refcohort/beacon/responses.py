"""The JSON documents the Beacon answers with (Beacon v2 Framework envelopes).

Informational: ``beaconInfoResponse`` (``/``, ``/info``), GA4GH service-info
(``/service-info``), ``beaconConfigurationResponse``, ``beaconMapResponse``,
``beaconEntryTypesResponse``, ``beaconFilteringTermsResponse``. Results:
``beaconBooleanResponse``, ``beaconCountResponse``, ``beaconResultsetsResponse``; and
``beaconErrorResponse`` for every refusal. ``tests/unit/test_beacon_api.py`` validates each
against the official schemas.
"""

from __future__ import annotations

from dataclasses import dataclass

from .query import BeaconRequest
from .references import Contigs
from .release import Header
from .settings import Settings

API_VERSION = "v2.0.0"
SPEC = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main"
VARIANT_SCHEMA = {"entityType": "genomicVariant", "schema": "ga4gh-beacon-variant-v2.0.0"}
INFO_SCHEMA = {"entityType": "info", "schema": "beacon-info-v2.0.0"}
STATUS = {"prod": "PROD", "test": "TEST", "dev": "DEV", "staging": "TEST"}


@dataclass(frozen=True)
class Node:
    """What every response needs: the settings, the release header and its version."""

    settings: Settings
    header: Header
    contigs: Contigs
    version: str  # the release's version (sha256:...)
    software: str  # this package's version
    started: str  # RFC 3339 time the service started
    released: str  # RFC 3339 modification time of the release file


def _base(node: Node, base_url: str) -> str:
    return (node.settings.public_url or base_url).rstrip("/")


def info_meta(node: Node) -> dict:
    return {
        "beaconId": node.settings.beacon_id,
        "apiVersion": API_VERSION,
        "returnedSchemas": [INFO_SCHEMA],
    }


def release_info(node: Node) -> dict:
    """The release as its header describes it: policy lines and groups (published with
    their individuals, withheld as such), assembly, contigs, version."""
    groups = []
    for g in node.header.groups:
        entry = {"id": g.id, "population": g.population, "sex": g.sex}
        if g.published:
            entry["individuals"] = g.individuals
        else:
            entry["status"] = "withheld"
        groups.append(entry)
    return {
        "version": node.version,
        "assemblyId": node.settings.assembly,
        "referenceNames": list(node.header.contigs),
        "releasePolicy": dict(node.header.policy),
        "releaseGroups": groups,
        "servedGroups": [g.id for g in node.header.published],
        "coordinates": "0-based: start inclusive, end exclusive (VCF POS - 1)",
        "maxRange": node.settings.max_range,
    }


def info(node: Node, base_url: str) -> dict:
    s = node.settings
    org = {"id": s.organization_id, "name": s.organization_name, "contactUrl": s.contact_url}
    if s.welcome_url:
        org["welcomeUrl"] = s.welcome_url
    response = {
        "id": s.beacon_id,
        "name": s.name,
        "apiVersion": API_VERSION,
        "environment": s.environment,
        "organization": org,
        "description": s.description,
        "version": f"v{node.software}",
        "welcomeUrl": s.welcome_url or _base(node, base_url) + "/",
        "createDateTime": node.released,
        "updateDateTime": node.started,
        "info": {"release": release_info(node)},
    }
    return {"meta": info_meta(node), "response": response}


def service_info(node: Node, base_url: str) -> dict:
    s = node.settings
    base = _base(node, base_url)
    out = {
        "id": s.beacon_id,
        "name": s.name,
        "type": {"group": "org.ga4gh", "artifact": "beacon", "version": API_VERSION},
        "description": s.description,
        "organization": {"name": s.organization_name, "url": s.welcome_url or base + "/"},
        "contactUrl": s.contact_url,
        "createdAt": node.released,
        "updatedAt": node.started,
        "environment": s.environment,
        "version": node.software,
    }
    if s.documentation_url:
        out["documentationUrl"] = s.documentation_url
    return out


def entry_type() -> dict:
    return {
        "id": "genomicVariant",
        "name": "Genomic Variants",
        "description": "Allele counts and frequencies of the release's variants per "
        "published population and sex group",
        "ontologyTermForThisType": {"id": "ENSGLOSSARY:0000092", "label": "Variant"},
        "partOfSpecification": "Beacon v2.0.0",
        "defaultSchema": {
            "id": VARIANT_SCHEMA["schema"],
            "name": "Default schema for a genomic variation",
            "referenceToSchemaDefinition": SPEC
            + "/models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json",
            "schemaVersion": API_VERSION,
        },
        "additionallySupportedSchemas": [],
        "nonFilteredQueriesAllowed": False,
    }


def configuration(node: Node) -> dict:
    s = node.settings
    levels = ["PUBLIC", "CONTROLLED"] if s.records_enabled else ["PUBLIC"]
    response = {
        "$schema": SPEC + "/framework/json/configuration/beaconConfigurationSchema.json",
        "maturityAttributes": {"productionStatus": STATUS[s.environment]},
        "securityAttributes": {
            "defaultGranularity": s.default_granularity,
            "securityLevels": levels,
        },
        "entryTypes": {"genomicVariant": entry_type()},
        "info": {
            "release": release_info(node),
            "access": {
                "boolean": "PUBLIC",
                "count": "PUBLIC",
                "record": "CONTROLLED: an Authorization: Bearer token issued by the node"
                if s.records_enabled
                else "not offered (no token configured)",
                "recordWithoutToken": "answered at count granularity"
                if s.record_without_token == "downgrade"
                else "refused (401)",
            },
        },
    }
    return {"meta": info_meta(node), "response": response}


def beacon_map(node: Node, base_url: str) -> dict:
    base = _base(node, base_url)
    response = {
        "$schema": SPEC + "/framework/json/configuration/beaconMapSchema.json",
        "endpointSets": {
            "genomicVariant": {"entryType": "genomicVariant", "rootUrl": base + "/g_variants"}
        },
    }
    return {"meta": info_meta(node), "response": response}


def entry_types(node: Node) -> dict:
    return {"meta": info_meta(node), "response": {"entryTypes": {"genomicVariant": entry_type()}}}


def filtering_terms(node: Node) -> dict:
    return {"meta": info_meta(node), "response": {"filteringTerms": [], "resources": []}}


# ------------------------------------------------------------------ results and errors
def _summary(node: Node, request: BeaconRequest | None) -> dict:
    if request is None:
        request = BeaconRequest(
            granularity=node.settings.default_granularity, limit=node.settings.default_limit
        )
    out = {
        "apiVersion": request.api_version,
        "requestedSchemas": [VARIANT_SCHEMA],
        "pagination": {"skip": request.skip, "limit": request.limit},
        "requestedGranularity": request.granularity,
        "includeResultsetResponses": request.include,
        "testMode": request.test_mode,
    }
    if request.parameters:
        out["requestParameters"] = request.parameters
    return out


def response_meta(node: Node, request: BeaconRequest | None, granularity: str) -> dict:
    return {
        "beaconId": node.settings.beacon_id,
        "apiVersion": API_VERSION,
        "returnedSchemas": [VARIANT_SCHEMA],
        "returnedGranularity": granularity,
        "receivedRequestSummary": _summary(node, request),
        "testMode": bool(request and request.test_mode),
    }


def results(
    node: Node,
    request: BeaconRequest,
    granularity: str,
    total: int,
    records: list[dict] | None = None,
    notes: list[str] | None = None,
) -> dict:
    """A boolean, count or result-sets response for ``total`` matches (``records``: the
    page of records, for record granularity)."""
    out: dict = {"meta": response_meta(node, request, granularity)}
    summary = {"exists": total > 0}
    if granularity != "boolean":
        summary["numTotalResults"] = total
    out["responseSummary"] = summary
    if granularity == "record":
        include = request.include
        if include == "ALL":
            show = True
        else:  # HIT: only a set with matches; MISS: only one without; NONE: no sets
            show = include != "NONE" and (include == "HIT") == (total > 0)
        sets = []
        if show:
            sets.append(
                {
                    "id": node.settings.dataset_id,
                    "setType": "dataset",
                    "exists": total > 0,
                    "resultsCount": total,
                    "results": records or [],
                    "info": {"name": node.settings.dataset_name, "releaseVersion": node.version},
                }
            )
        out["response"] = {"resultSets": sets}
    if notes:
        out["info"] = {"notes": notes}
    return out


def error(node: Node, status: int, message: str, request: BeaconRequest | None = None) -> dict:
    granularity = request.granularity if request else node.settings.default_granularity
    return {
        "meta": response_meta(node, request, granularity),
        "error": {"errorCode": status, "errorMessage": message},
    }


def frequency_source(node: Node, base_url: str) -> dict[str, str]:
    s = node.settings
    return {
        "source": s.source,
        "sourceReference": s.source_reference or _base(node, base_url) + "/info",
        "version": node.version,
    }
