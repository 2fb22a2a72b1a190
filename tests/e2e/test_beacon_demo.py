"""The demo's release served as a Beacon (scripts/serve_beacon.py on loopback): every
endpoint's answer validates against the official Beacon v2 schemas (../shared/beacon-v2;
skips when absent, fails under CI=true), the served counts are the file's, and records
need the token. The records themselves are validated against the genomicVariations model
in tests/unit/test_beacon_api.py (with its VRS stand-in).
"""

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pysam
import pytest
from conftest import DEMO_RESULTS, ROOT
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMAS = ROOT.parent / "shared" / "beacon-v2"
SPEC = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
TOKEN = "demo-token-0123456789abcdef"

if not SCHEMAS.is_dir():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI=true but the Beacon v2 schemas are missing at {SCHEMAS}")
    pytest.skip(f"Beacon v2 schemas not found at {SCHEMAS}", allow_module_level=True)

REGISTRY = Registry().with_resources(
    (
        SPEC + str(p.relative_to(SCHEMAS)),
        Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT202012),
    )
    for p in SCHEMAS.rglob("*.json")
)


def valid(doc: dict, name: str) -> dict:
    schema = {"$ref": SPEC + "framework/json/responses/" + name}
    errors = list(Draft202012Validator(schema, registry=REGISTRY).iter_errors(doc))
    assert not errors, [e.message[:200] for e in errors[:3]]
    return doc


@pytest.fixture(scope="module")
def demo_beacon(demo_run):
    release = DEMO_RESULTS / "release" / "allele_frequencies.vcf.gz"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve_beacon.py"), "--release", str(release)]
        + ["--port", str(port)],
        env=dict(os.environ, REFCOHORT_BEACON_TOKEN=TOKEN),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    for _ in range(300):
        try:
            client.get("/info")
            break
        except httpx.TransportError:
            time.sleep(0.2)
    yield release, client
    client.close()
    proc.terminate()
    proc.wait(timeout=30)


def test_demo_release_served_as_the_file_says(demo_beacon):
    release, client = demo_beacon
    for path, name in [
        ("/info", "beaconInfoResponse.json"),
        ("/configuration", "beaconConfigurationResponse.json"),
        ("/map", "beaconMapResponse.json"),
        ("/entry_types", "beaconEntryTypesResponse.json"),
        ("/filtering_terms", "beaconFilteringTermsResponse.json"),
        ("/service-info", "ga4gh-service-info-1-0-0-schema.json"),
    ]:
        valid(client.get(path).json(), name)
    info = client.get("/info").json()["response"]["info"]["release"]
    served = set(info["servedGroups"])
    assert served == {"all", "EE", "FI", "NL", "F", "M"}  # docs/release.md: the demo's groups
    tbx = pysam.TabixFile(str(release))
    contigs = {
        line.split("ID=")[1].split(",")[0]: int(line.split("length=")[1][:-1])
        for line in tbx.header
        if line.startswith("##contig")
    }
    for contig, length in contigs.items():
        held = sum(1 for _ in tbx.fetch(contig)) if contig in tbx.contigs else 0
        counted = 0
        for start in range(0, length, 1_000_000):
            params = {
                "referenceName": contig,
                "start": start,
                "end": min(length, start + 10**6),
                "requestedGranularity": "count",
            }
            counted += valid(
                client.get("/g_variants", params=params).json(), "beaconCountResponse.json"
            )["responseSummary"]["numTotalResults"]
        assert counted == held, contig
    lines = list(tbx.fetch())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for line in lines[:: max(1, len(lines) // 150)]:
        chrom, pos, _, ref, alt, _, _, text = line.split("\t")
        info = dict(kv.split("=") for kv in text.split(";"))
        params = {
            "referenceName": chrom,
            "start": int(pos) - 1,
            "referenceBases": ref,
            "alternateBases": alt,
            "requestedGranularity": "record",
        }
        doc = valid(
            client.get("/g_variants", params=params, headers=auth).json(),
            "beaconResultsetsResponse.json",
        )
        (record,) = [
            r
            for r in doc["response"]["resultSets"][0]["results"]
            if r["variantInternalId"] == f"{chrom}:{pos}:{ref}:{alt}"
        ]
        entries = [f for b in record.get("frequencyInPopulations", []) for f in b["frequencies"]]
        entries += record.get("info", {}).get("unpublishedFrequencies", [])
        assert {f["groupId"] for f in entries} == served
        for f in entries:
            s = "" if f["groupId"] == "all" else "_" + f["groupId"]
            assert str(f["alleleNumber"]) == info[f"AN{s}"]
            assert (f["alleleCount"] is None) == (info[f"AC{s}"] == ".")
            if f["alleleFrequency"] is not None:
                assert f["alleleFrequency"] == float(info[f"AF{s}"])
        params["requestedGranularity"] = "record"
        anonymous = client.get("/g_variants", params=params)
        # records only with the node's token: the spec's error response, and nothing more
        assert anonymous.status_code == 401
        refusal = valid(anonymous.json(), "beaconErrorResponse.json")
        assert "response" not in refusal and "frequencyInPopulations" not in anonymous.text
