"""Access levels, refusals and privacy of the Beacon over HTTP (the server, schemas and
helpers of test_beacon_api.py): record granularity without a token is refused (or answered
at count where the node says so), a wrong token is refused, malformed and hostile
requests get a schema-valid beaconErrorResponse (never a traceback or a 500), and no
request gets more than the release publishes.
"""

import json
import random

import pytest
from test_beacon_api import AUTH, DEFAULT_NODE, check, g, node_server
from test_beacon_release import TOKEN, write_release

from refcohort.beacon.query import QUERY_PARAMETERS


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return write_release(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="module")
def beacon(tmp_path_factory, release):
    """Tabix look-ups, records with a token, downgraded to count without one."""
    yield from node_server(
        tmp_path_factory, release, DEFAULT_NODE + "record_without_token: downgrade\n"
    )


@pytest.fixture(scope="module")
def strict(tmp_path_factory, release):
    """SQLite look-ups, record requests without a token refused."""
    yield from node_server(
        tmp_path_factory,
        release,
        "record_token_file: tokens\nbackend: sqlite\nsqlite_path: DB\n"
        "record_without_token: error\nmax_range: 500\n",
    )


def test_record_without_a_token_is_answered_at_count(beacon):
    q = {"referenceName": "chr1", "start": "0", "end": "1000", "requestedGranularity": "record"}
    doc = check(g(beacon, **q))
    assert doc["meta"]["returnedGranularity"] == "count"
    assert doc["meta"]["receivedRequestSummary"]["requestedGranularity"] == "record"
    assert doc["responseSummary"]["numTotalResults"] == 13
    assert "response" not in doc and "frequencyInPopulations" not in json.dumps(doc)
    assert "bearer token" in doc["info"]["notes"][0]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ],
)
def test_a_wrong_token_is_refused(beacon, headers):
    for granularity in ("record", "count"):
        response = g(
            beacon,
            headers,
            referenceName="chr1",
            start="99",
            alternateBases="G",
            requestedGranularity=granularity,
        )
        doc = check(response, 401)
        assert "frequencyInPopulations" not in response.text and "responseSummary" not in doc
        assert response.headers["www-authenticate"].startswith("Bearer")


ERRORS = [
    ({"referenceName": "chr1", "start": "abc", "alternateBases": "A"}, 400),
    ({"referenceName": "chr1", "start": "-1", "alternateBases": "A"}, 400),
    ({"referenceName": "chr1", "start": "500", "end": "100"}, 400),
    ({"referenceName": "chr1", "start": "0", "end": "100000000"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "A", "assemblyId": "GRCh37"}, 400),
    ({"referenceName": "chr1;cat /etc/passwd", "start": "5", "alternateBases": "A"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "<script>alert(1)</script>"}, 400),
    ({"referenceName": "chr1", "start": "5' OR 1=1 --", "alternateBases": "A"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "A", "individualId": "S01"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "A", "filters": "NCIT:C16576"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "A", "limit": "-3"}, 400),
    ({"referenceName": "chr1", "start": "5", "alternateBases": "\x00A"}, 400),
    ({}, 400),
]


@pytest.mark.parametrize("params, status", ERRORS)
def test_bad_requests_get_beacon_errors(beacon, params, status):
    response = g(beacon, **params)
    doc = check(response, status)
    for word in ("passwd", "<script>", "OR 1=1", "S01"):
        assert word not in response.text
    assert doc["error"]["errorMessage"]


@pytest.mark.parametrize(
    "method, path, content, status",
    [
        ("GET", "/nowhere", None, 404),
        ("GET", "/g_variants/chr1:100:A:G/individuals", None, 404),
        ("DELETE", "/g_variants", None, 405),
        ("POST", "/g_variants", b"{not json", 400),
        ("POST", "/g_variants", b"[1, 2]", 400),
        ("POST", "/g_variants", json.dumps({"query": {"requestParameters": "chr1"}}).encode(), 400),
        ("POST", "/g_variants", b'{"query": {"requestParameters": {"start": [1]}}}', 400),
        ("POST", "/g_variants", b"{" + b" " * 70_000 + b"}", 413),
    ],
)
def test_bad_paths_methods_and_bodies(beacon, method, path, content, status):
    check(beacon.request(method, path, content=content), status)


def test_nothing_beyond_the_file(beacon):
    """No request gets a withheld group, an INFO key no published group owns, a sample ID
    or records without a token."""
    texts = []
    for q in ({"start": "899", "alternateBases": "G"}, {"start": "0", "end": "2000"}):
        for headers in (None, AUTH):
            for granularity in ("boolean", "count", "record"):
                r = g(
                    beacon,
                    headers,
                    referenceName="chr1",
                    requestedGranularity=granularity,
                    limit="0",
                    **q,
                )
                check(r)
                texts.append(r.text)
                if headers is None:
                    assert "resultSets" not in r.json().get("response", {})
    text = "\n".join(texts)
    for word in ("S10", "SAMPLES", "EE_M", "FI_F", "FI_M", "EE_F", "AC_Hom", "AC_Het", "Hemi"):
        assert word not in text
    for q in ({"individualId": "S01"}, {"biosampleId": "S01"}, {"filters": "S01"}):
        check(g(beacon, AUTH, referenceName="chr1", start="0", end="100", **q), 400)
    body = {
        "query": {
            "requestParameters": {"referenceName": "chr1", "start": [0], "end": [900]},
            "filters": [{"id": "EE_M"}],
            "requestedGranularity": "record",
        }
    }
    check(beacon.post("/g_variants", json=body, headers=AUTH), 400)


def test_strict_node_refuses_records_without_a_token_and_agrees(beacon, strict):
    q = {"referenceName": "chr1", "start": "99", "alternateBases": "G"}
    response = g(strict, requestedGranularity="record", **q)
    check(response, 401)
    assert "frequencyInPopulations" not in response.text
    check(g(strict, referenceName="chr1", start="0", end="501"), 400)  # max_range 500
    for query in (
        {"start": "0", "end": "500"},
        {"start": "199", "alternateBases": "N"},
        {"start": "300", "referenceBases": "T", "alternateBases": ""},
        {"start": "400", "end": "500", "variantType": "INS"},
    ):
        a = check(g(beacon, AUTH, requestedGranularity="record", referenceName="chr1", **query))
        b = check(g(strict, AUTH, requestedGranularity="record", referenceName="chr1", **query))
        assert a["responseSummary"] == b["responseSummary"]
        # the same records, but for the URL each server gives as the source reference
        same = json.dumps(a["response"]).replace(str(beacon.base_url).rstrip("/"), "")
        assert same == json.dumps(b["response"]).replace(str(strict.base_url).rstrip("/"), "")


HOSTILE = [
    "",
    "-1",
    "1e9",
    "0x10",
    "99999999999999999999",
    "chr1",
    "A",
    "NNNN",
    "' OR 1=1 --",
    "%00",
    "\u202e",
    "../../etc/passwd",
    "record",
    "true",
    "1,2,3",
    "1,",
    ",",
    "A" * 2000,
]


def test_random_hostile_requests_never_fail_the_server(beacon):
    """Random values from a hostile list in every parameter: each answer is a schema-valid
    200 or 4xx, never a 500."""
    rng = random.Random(3)
    names = [
        *QUERY_PARAMETERS,
        "requestedGranularity",
        "skip",
        "limit",
        "includeResultsetResponses",
        "testMode",
    ]
    for _ in range(150):
        params = {"referenceName": "chr1", "start": str(rng.randrange(0, 1000))}
        for name in rng.sample(names, rng.randint(1, 4)):
            params[name] = rng.choice(HOSTILE)
        response = g(beacon, AUTH if rng.random() < 0.5 else None, **params)
        assert response.status_code in (200, 400, 401), (params, response.status_code)
        check(response, response.status_code)
        body = {"query": {"requestParameters": params, "requestedGranularity": params.get("x")}}
        response = beacon.post("/g_variants", json=body)
        assert response.status_code in (200, 400), (params, response.status_code)
        check(response, response.status_code)
