"""yente compatibility: the ``yente-client`` package and yente's documented request bodies
against a live Clearance server on loopback, with the real lists loaded."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yente_client

from api_support import LiveServer, app_for, prepared

pytestmark = pytest.mark.slow

#: Field names of a yente /match result (yente's ScoredEntityResponse).
RESULT_FIELDS = {
    "id", "caption", "schema", "properties", "datasets", "referents", "target",
    "first_seen", "last_seen", "last_change", "score", "features", "match", "explanations",
}  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(app_for()) as live:
        yield live


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[yente_client.Client]:
    with yente_client.Client(base_url=server.url, api_key=prepared().keys["screening"]) as c:
        yield c


def test_yente_client_match_finds_the_listed_person(client: yente_client.Client) -> None:
    # The SDN entry of GUZMAN LOERA gives 1954-12-25; his son GUZMAN LOPEZ (1986) must rank below.
    query = yente_client.Person(name=["Joaquin Guzman"], birthDate=["1954"], nationality=["mx"])
    response = client.match(query, limit=5)
    top = response.top
    assert top is not None
    assert top.id == "us-ofac-sdn-6861" and "us_ofac_sdn:6861" in top.referents
    assert "GUZMAN LOERA" in top.caption.upper()
    assert top.schema_ == "Person"
    assert top.match is True
    assert top.contributing_explanations, "a hit explains its score"
    assert top.datasets == ["us_ofac_sdn"]
    assert "Joaquin Guzman" in response.query["properties"]["name"]
    assert all(
        a.score >= b.score for a, b in zip(response.results, response.results[1:], strict=False)
    )


def test_documented_match_body_and_response_shape(server: LiveServer) -> None:
    """The request body of yente's documentation example, sent as raw JSON."""
    body = {
        "queries": {
            "q1": {
                "schema": "Person",
                "properties": {
                    "name": ["Arkadiii Romanovich Rotenberg"],
                    "birthDate": ["1951"],
                    "nationality": ["Russia"],
                },
            },
            "q2": {"schema": "Company", "properties": {"name": ["Tren de Aragua"]}},
        }
    }
    response = httpx.post(
        f"{server.url}/match/default",
        params={"algorithm": "logic-v1", "threshold": 0.7, "limit": 3},
        json=body,
        headers={"Authorization": f"ApiKey {prepared().keys['screening']}"},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"responses", "matcher", "limit"}
    assert data["limit"] == 3
    q1 = data["responses"]["q1"]
    assert q1["status"] == 200
    assert set(q1) == {"status", "results", "total", "query"}
    assert q1["query"]["schema"] == "Person"
    top = q1["results"][0]
    assert set(top) == RESULT_FIELDS
    assert "ROTENBERG" in top["caption"].upper()
    assert top["match"] is True
    assert all(isinstance(v, list) for v in top["properties"].values())
    assert top["features"] == {k: v["score"] for k, v in top["explanations"].items()}
    q2 = data["responses"]["q2"]
    assert any("ARAGUA" in r["caption"].upper() for r in q2["results"])


def test_dataset_scope_and_unknown_dataset(server: LiveServer) -> None:
    headers = {"X-API-Key": prepared().keys["screening"]}
    body = {"queries": {"a": {"schema": "Thing", "properties": {"name": ["Al-Qaida"]}}}}
    scoped = httpx.post(f"{server.url}/match/un_sc_sanctions", json=body, headers=headers).json()
    results = scoped["responses"]["a"]["results"]
    assert results and all(r["datasets"] == ["un_sc_sanctions"] for r in results)
    missing = httpx.post(f"{server.url}/match/eu_fsf", json=body, headers=headers)
    assert missing.status_code == 404
    assert "Unknown dataset" in missing.json()["detail"]


def test_search_fetch_catalog_health(client: yente_client.Client) -> None:
    found = client.search("Tren de Aragua", limit=5)
    assert found.results and "ARAGUA" in found.results[0].caption.upper()
    assert found.total.value >= 1
    entity = client.fetch(found.results[0].id)
    assert entity.id == found.results[0].id
    assert entity.properties["name"]
    catalog = client.datasets()
    names = {d.name for d in catalog.datasets}
    assert {"default", "us_ofac_sdn", "un_sc_sanctions", "us_designations"} <= names
    assert client.healthz().status == "ok"
    assert client.readyz().status == "ok"
    assert client.algorithms().best


def test_yente_client_gets_clear_errors(server: LiveServer) -> None:
    key = prepared().keys["screening"]
    with (
        yente_client.Client(base_url=server.url) as anonymous,
        pytest.raises(yente_client.AuthenticationError, match="X-API-Key"),
    ):
        anonymous.match(yente_client.Person(name=["Joaquin Guzman"]))
    with (
        yente_client.Client(base_url=server.url, api_key=key) as c,
        pytest.raises(yente_client.NotFoundError),
    ):
        c.fetch("us_ofac_sdn:does-not-exist")


def test_reconciliation_manifest_queries_and_suggest(server: LiveServer) -> None:
    headers = {"X-API-Key": prepared().keys["screening"]}
    manifest = httpx.get(f"{server.url}/reconcile/default", headers=headers).json()
    assert manifest["versions"] and manifest["defaultTypes"]
    assert manifest["suggest"]["entity"]["service_path"] == "/reconcile/default/suggest/entity"
    queries = {
        "q0": {"query": "Joaquin Guzman", "type": "Person", "limit": 3,
               "properties": [{"pid": "birthDate", "v": "1957"}]},
        "q1": {"query": "Cartel of the Suns"},
    }  # fmt: skip
    import json

    posted = httpx.post(
        f"{server.url}/reconcile/default", data={"queries": json.dumps(queries)}, headers=headers
    ).json()
    assert "GUZMAN" in posted["q0"]["result"][0]["name"].upper()
    assert posted["q0"]["result"][0]["type"] == [{"id": "Person", "name": "Person"}]
    assert 0 < posted["q0"]["result"][0]["score"] <= 100
    assert posted["q1"]["result"]
    got = httpx.get(
        f"{server.url}/reconcile/default", params={"queries": json.dumps(queries)}, headers=headers
    ).json()
    assert got["q0"]["result"][0]["id"] == posted["q0"]["result"][0]["id"]
    suggest = httpx.get(
        f"{server.url}/reconcile/default/suggest/entity", params={"prefix": "Tren de Aragua"},
        headers=headers,
    ).json()  # fmt: skip
    assert suggest["result"] and suggest["prefix"] == "Tren de Aragua"
    types = httpx.get(
        f"{server.url}/reconcile/default/suggest/type", params={"prefix": "per"}, headers=headers
    ).json()
    assert [t["id"] for t in types["result"]] == ["Person"]


def test_vessel_matched_by_imo_number(client: yente_client.Client) -> None:
    """BANEH (IMO 8508462) on the SDN list: found by its IMO number under another name,
    and by the number alone."""
    renamed = client.match(yente_client.Vessel(name=["Sea Star"], imoNumber=["IMO 8508462"]))
    assert renamed.top is not None and renamed.top.id == "us-ofac-sdn-15041"
    assert renamed.top.match is True
    assert "identifier" in renamed.top.explanations
    number_only = client.match(yente_client.Vessel(imoNumber=["8508462"]))
    assert number_only.top is not None and number_only.top.id == "us-ofac-sdn-15041"
