"""The Beacon over HTTP: a real server (scripts/serve_beacon.py under uvicorn) on loopback,
real requests (httpx), every response validated against the official Beacon v2 JSON
Schemas in ../shared/beacon-v2 (the Framework's envelopes; records against the
genomicVariations default model). Skips when that folder is absent, fails under CI=true.

The schemas $ref each other by relative paths and by their raw.githubusercontent.com
addresses on the main branch: both resolve to the local copy (registered under those
addresses). The default model's ``variation`` also refers to the VRS 1.3 schema, which is
not in the copy: :data:`VRS_1_3` stands in for the parts a record uses (SequenceLocation,
SequenceInterval, Number, CURIE, as VRS 1.3 defines them); MolecularVariation and
SystemicVariation are reduced to their ``type`` discriminator, which a LegacyVariation
has not, so ``oneOf`` still requires exactly the LegacyVariation branch.
"""

import json
import os

import httpx
import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from test_beacon_release import SITES, TOKEN, write_release

from refcohort.beacon import launch

SCHEMAS = ROOT.parent / "shared" / "beacon-v2"
SPEC = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
RESPONSES = "framework/json/responses/"
VARIANT = "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
PUBLISHED = {"all", "EE", "FI", "F", "M"}
WITHHELD = {"EE_F", "EE_M", "FI_F", "FI_M"}

if not SCHEMAS.is_dir():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but the Beacon v2 schemas are missing at {SCHEMAS}")
    pytest.skip(f"Beacon v2 schemas not found at {SCHEMAS}", allow_module_level=True)

_CURIE = {"type": "string", "pattern": r"^\w[^:]*:.+$"}
_NUMBER = {
    "type": "object",
    "properties": {"type": {"const": "Number"}, "value": {"type": "integer"}},
    "required": ["type", "value"],
    "additionalProperties": False,
}
VRS_1_3 = {
    "definitions": {
        "CURIE": _CURIE,
        "Number": _NUMBER,
        "SequenceInterval": {
            "type": "object",
            "properties": {
                "type": {"const": "SequenceInterval"},
                "start": {"$ref": "#/definitions/Number"},
                "end": {"$ref": "#/definitions/Number"},
            },
            "required": ["type", "start", "end"],
            "additionalProperties": False,
        },
        "SequenceLocation": {
            "type": "object",
            "properties": {
                "_id": {"$ref": "#/definitions/CURIE"},
                "type": {"const": "SequenceLocation"},
                "sequence_id": {"$ref": "#/definitions/CURIE"},
                "interval": {"$ref": "#/definitions/SequenceInterval"},
            },
            "required": ["type", "sequence_id", "interval"],
            "additionalProperties": False,
        },
        "Location": {"oneOf": [{"$ref": "#/definitions/SequenceLocation"}]},
        "MolecularVariation": {
            "type": "object",
            "properties": {"type": {"enum": ["Allele", "Haplotype"]}},
            "required": ["type"],
        },
        "SystemicVariation": {
            "type": "object",
            "properties": {"type": {"enum": ["CopyNumber", "CopyNumberCount", "CopyNumberChange"]}},
            "required": ["type"],
        },
    }
}


def registry() -> Registry:
    resources = [
        (SPEC + str(p.relative_to(SCHEMAS)), json.loads(p.read_text()))
        for p in SCHEMAS.rglob("*.json")
    ]
    resources.append(("https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json", VRS_1_3))
    return Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
        for uri, doc in resources
    )


REGISTRY = registry()
_validators: dict = {}


def validate(doc: dict, schema: str) -> None:
    """Validate ``doc`` against the schema at ``schema`` (a path in the beacon-v2 copy)."""
    if schema not in _validators:
        _validators[schema] = Draft202012Validator({"$ref": SPEC + schema}, registry=REGISTRY)
    errors = sorted(_validators[schema].iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, f"{schema}: " + "; ".join(
        f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]
    )


def check(response: httpx.Response, status: int = 200) -> dict:
    """The JSON of a Beacon response, validated against its envelope (and each record
    against the genomicVariations model); an error's status must be ``status``."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    doc = response.json()
    if status != 200:
        validate(doc, RESPONSES + "beaconErrorResponse.json")
        assert doc["error"]["errorCode"] == status
        return doc
    granularity = doc["meta"]["returnedGranularity"]
    envelope = {
        "boolean": "beaconBooleanResponse.json",
        "count": "beaconCountResponse.json",
        "record": "beaconResultsetsResponse.json",
    }[granularity]
    validate(doc, RESPONSES + envelope)
    for result_set in doc.get("response", {}).get("resultSets", []):
        for record in result_set["results"]:
            validate(record, VARIANT)
    return doc


def serve(release, config, env=None):
    """Start scripts/serve_beacon.py on a free loopback port; return (process, base URL)."""
    env = {k: v for k, v in (env or os.environ).items() if k != "REFCOHORT_BEACON_TOKEN"}
    return launch.start(release, config, config.with_suffix(".log"), env=env)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return write_release(tmp_path_factory.mktemp("release"))


def node_server(tmp_path_factory, release, text):
    """Yield an httpx client of a Beacon serving ``release`` with the settings ``text``
    (YAML; DB: a path for the SQLite copy) and TOKEN in its token file."""
    folder = tmp_path_factory.mktemp("node")
    (folder / "tokens").write_text(TOKEN + "\n")
    config = folder / "beacon.yaml"
    config.write_text(text.replace("DB", str(folder / "release.sqlite")))
    proc, base = serve(release, config)
    client = httpx.Client(base_url=base, timeout=30)
    yield client
    client.close()
    proc.terminate()
    proc.wait(timeout=30)


DEFAULT_NODE = "record_token_file: tokens\nbeacon_id: org.test.beacon\n"


@pytest.fixture(scope="module")
def beacon(tmp_path_factory, release):
    """Tabix look-ups, records with a token, downgraded to count without one."""
    yield from node_server(tmp_path_factory, release, DEFAULT_NODE)


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def g(client, headers=None, **params):
    return client.get("/g_variants", params=params, headers=headers)


def records(doc) -> list[dict]:
    return [r for s in doc["response"]["resultSets"] for r in s["results"]]


INFORMATIONAL = [
    ("/", "beaconInfoResponse.json"),
    ("/info", "beaconInfoResponse.json"),
    ("/service-info", "ga4gh-service-info-1-0-0-schema.json"),
    ("/configuration", "beaconConfigurationResponse.json"),
    ("/map", "beaconMapResponse.json"),
    ("/entry_types", "beaconEntryTypesResponse.json"),
    ("/filtering_terms", "beaconFilteringTermsResponse.json"),
]


@pytest.mark.parametrize("path, schema", INFORMATIONAL)
def test_informational_endpoints_validate(beacon, path, schema):
    response = beacon.get(path)
    assert response.status_code == 200
    validate(response.json(), RESPONSES + schema)


def test_info_and_configuration_report_the_release_policy(beacon, release):
    from refcohort.beacon import read_header

    header = read_header(release)
    info = beacon.get("/info").json()["response"]
    assert info["id"] == "org.test.beacon"
    policy = info["info"]["release"]["releasePolicy"]
    assert policy == header.policy and "small_counts" in policy and "small_groups" in policy
    groups = {g["id"]: g for g in info["info"]["release"]["releaseGroups"]}
    assert {k for k, v in groups.items() if "individuals" in v} == PUBLISHED
    assert {k for k, v in groups.items() if v.get("status") == "withheld"} == WITHHELD
    config = beacon.get("/configuration").json()["response"]
    assert config["info"]["release"]["releasePolicy"] == header.policy
    assert config["securityAttributes"]["securityLevels"] == ["PUBLIC", "CONTROLLED"]
    assert (
        beacon.get("/map")
        .json()["response"]["endpointSets"]["genomicVariant"]["rootUrl"]
        .endswith("/g_variants")
    )


def test_boolean_count_and_record_answers(beacon):
    q = {"referenceName": "chr1", "start": "199", "end": "200"}
    doc = check(g(beacon, **q))
    assert doc["meta"]["returnedGranularity"] == "boolean"
    assert doc["responseSummary"] == {"exists": True}
    doc = check(g(beacon, requestedGranularity="count", **q))
    assert doc["responseSummary"] == {"exists": True, "numTotalResults": 2}
    doc = check(g(beacon, AUTH, requestedGranularity="record", **q))
    assert doc["meta"]["returnedGranularity"] == "record"
    assert [r["variantInternalId"] for r in records(doc)] == ["chr1:200:A:C", "chr1:200:A:T"]
    assert (
        g(beacon, AUTH, requestedGranularity="record", **q).headers["cache-control"] == "no-store"
    )
    doc = check(
        g(beacon, requestedGranularity="count", referenceName="chr2", start="0", end="1000")
    )
    assert doc["responseSummary"] == {"exists": False, "numTotalResults": 0}


def test_post_requests_answer_as_get(beacon):
    body = {
        "meta": {"apiVersion": "v2.0.0"},
        "query": {
            "requestParameters": {
                "referenceName": "1",
                "start": [299],
                "referenceBases": "AT",
                "alternateBases": "A",
            },
            "requestedGranularity": "record",
        },
    }
    doc = check(beacon.post("/g_variants", json=body, headers=AUTH))
    assert [r["variantInternalId"] for r in records(doc)] == ["chr1:300:AT:A"]
    body["query"]["requestParameters"] = {
        "g_variant": {"referenceName": "refseq:NC_000001.11", "start": [0], "end": [1000]}
    }
    body["query"]["requestedGranularity"] = "count"
    doc = check(beacon.post("/g_variants", json=body))
    assert doc["responseSummary"]["numTotalResults"] == 13  # the '*' record is not served


def test_records_carry_the_file_counts_exactly(beacon, release):
    """Every served record's frequencies equal the file's AC, AN, AF of each published
    group ('.' stays unpublished); nothing of any other group."""
    doc = check(
        g(
            beacon,
            AUTH,
            requestedGranularity="record",
            referenceName="chr1",
            start="0",
            end="2000",
            limit="0",
        )
    )
    got = {r["variantInternalId"]: r for r in records(doc)}
    assert len(got) == 13
    for chrom, pos, ref, alt, values, _ in SITES:
        if alt == "*" or chrom != "chr1":
            continue
        record = got[f"{chrom}:{pos}:{ref}:{alt}"]
        assert record["variation"]["location"]["interval"]["start"]["value"] == pos - 1
        assert record["variation"]["location"]["interval"]["end"]["value"] == pos - 1 + len(ref)
        assert record["variation"]["location"]["sequence_id"] == "refseq:NC_000001.11"
        published = {
            f["groupId"]: f
            for block in record.get("frequencyInPopulations", [])
            for f in block["frequencies"]
        }
        hidden = {f["groupId"]: f for f in record.get("info", {}).get("unpublishedFrequencies", [])}
        assert set(published) | set(hidden) == PUBLISHED and not set(published) & set(hidden)
        for group in PUBLISHED:
            ac, an = values.get(group, (0, {"all": 20, "EE": 8, "FI": 12, "F": 12, "M": 8}[group]))
            entry = published.get(group) or hidden[group]
            assert (entry["alleleCount"], entry["alleleNumber"]) == (ac, an), (pos, group)
            if ac is None or an == 0:
                assert group in hidden and entry["alleleFrequency"] is None
            else:
                assert entry["alleleFrequency"] == ac / an
    assert "frequencyInPopulations" not in got["chr1:700:T:C"]  # every count suppressed


def test_coordinates_over_http(beacon):
    def ids(**q):
        doc = check(g(beacon, AUTH, requestedGranularity="record", referenceName="chr1", **q))
        return [r["variantInternalId"] for r in records(doc)]

    assert ids(start="0", alternateBases="A") == ["chr1:1:G:A"]
    assert ids(start="1", alternateBases="A") == []
    assert ids(start="300", referenceBases="T", alternateBases="") == ["chr1:300:AT:A"]
    assert ids(start="400", referenceBases="", alternateBases="TT") == ["chr1:400:A:ATT"]
    assert ids(start="499", alternateBases="G") == ["chr1:500:A:G"]
    assert ids(start="599", end="600") == ["chr1:600:CA:C"]
    assert ids(start="600", end="601") == ["chr1:600:CA:C", "chr1:601:A:G"]
    # pagination: skip counts pages of `limit` records
    assert ids(start="0", end="250", limit="2", skip="1") == ["chr1:200:A:C", "chr1:200:A:T"]
