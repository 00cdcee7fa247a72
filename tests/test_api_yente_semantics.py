"""yente 5.5's parameter semantics, the FtM boundary and OpenRefine reconciliation, against a
live Clearance server with the real lists, checked with yente-client's and yente's models."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yente_client
from followthemoney import model as ftm_model
from yente_client.models import Entity as YenteEntity
from yente_client.models import SearchResponse

import yente_models
from api_support import LiveServer, app_for, prepared
from clearance.api import ApiSettings, create_app
from clearance.api.convert import entity_countries
from clearance.api.security import KeyStore, Role
from clearance.api.services import Services
from clearance.model import ftm_id
from clearance.store import Store
from conftest import LISTS
from test_ftm import OPENSANCTIONS_STYLE, assert_valid_ftm

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(app_for()) as live:
        yield live


def _get(server: LiveServer, path: str, role: str = "screening", **params: Any) -> httpx.Response:
    headers = {"X-API-Key": prepared().keys[role]}
    return httpx.get(f"{server.url}{path}", params=params, headers=headers, timeout=60)


def _match(server: LiveServer, body: dict[str, Any], **params: Any) -> httpx.Response:
    headers = {"X-API-Key": prepared().keys["screening"]}
    return httpx.post(
        f"{server.url}/match/default", json=body, params=params, headers=headers, timeout=60
    )


def _person(**props: list[str]) -> dict[str, Any]:
    return {"queries": {"q": {"schema": "Person", "properties": props}}}


def _no_nulls(data: Any) -> bool:
    if isinstance(data, dict):
        return all(v is not None and _no_nulls(v) for v in data.values())
    if isinstance(data, list):
        return all(v is not None and _no_nulls(v) for v in data)
    return True


def test_entity_ids_both_forms_and_nested(server: LiveServer) -> None:
    store = prepared().services.store()
    holder = next(
        e
        for e in store.entities(datasets=["us_ofac_sdn"])
        if any(link.relation == "linked_to" and link.target_id for link in e.links)
    )
    target = next(link.target_id for link in holder.links if link.target_id)
    nested = _get(server, f"/entities/{ftm_id(holder.id)}")
    assert nested.status_code == 200
    data = YenteEntity.model_validate(nested.json())
    assert data.id == ftm_id(holder.id) and holder.id in data.referents and data.target
    assert data.first_seen is not None and data.last_change is not None
    [sanction] = data.properties["sanctions"]
    assert isinstance(sanction, YenteEntity) and sanction.schema_ == "Sanction"
    reverse = ftm_model.get("UnknownLink").get("subject").reverse.name  # unknownLinkTo
    links = data.properties[reverse]
    objects = [o for link in links for o in link.properties["object"]]  # type: ignore[union-attr]
    assert any(isinstance(o, YenteEntity) and o.id == ftm_id(target) for o in objects)
    assert _get(server, f"/entities/{holder.id}").json()["id"] == ftm_id(holder.id)
    flat = _get(server, f"/entities/{ftm_id(holder.id)}", nested="false").json()
    assert "sanctions" not in flat["properties"]
    assert all(isinstance(v, str) for vs in flat["properties"].values() for v in vs)
    adjacent = yente_models.EntityAdjacentResponse.model_validate(
        _get(server, f"/entities/{ftm_id(holder.id)}/adjacent").json()
    )
    assert adjacent.adjacent["sanctions"].total.value == 1
    one = yente_models.AdjacentResultsResponse.model_validate(
        _get(server, f"/entities/{ftm_id(holder.id)}/adjacent/{reverse}").json()
    )
    assert one.total.value == len(links)
    assert _get(server, f"/entities/{ftm_id(holder.id)}/adjacent/name").status_code == 404


def test_algorithms_valid_under_yente_model(server: LiveServer) -> None:
    response = yente_models.AlgorithmResponse.model_validate(_get(server, "/algorithms").json())
    assert response.best == response.algorithms[0].name
    assert "name" in response.algorithms[0].features


def test_match_cutoff_config_schema_and_empty_batch(server: LiveServer) -> None:
    body = _person(name=["Joaquin Guzman"])
    capped = _match(server, body, threshold=0.6, cutoff=0.99).json()["responses"]["q"]["results"]
    assert capped and min(r["score"] for r in capped) < 0.99  # the cutoff is capped at 0.6
    assert all(r["score"] >= 0.6 for r in capped)
    default = _match(server, body, threshold=0.9).json()["responses"]["q"]["results"]
    assert all(r["score"] >= 0.9 for r in default)  # default cutoff = the threshold
    bad_config = {**body, "config": {"nm_number_mismatch": 0.1}}
    assert _match(server, bad_config).status_code == 400
    bad_schema = {"queries": {"q": {"schema": "Persn", "properties": {"name": ["X"]}}}}
    assert _match(server, bad_schema).status_code == 400
    assert _match(server, {"queries": {}}).status_code == 400


def test_every_birth_date_and_country_of_a_query_counts(server: LiveServer) -> None:
    listed = _match(server, _person(name=["Joaquin Guzman Loera"], birthDate=["1954-12-25"]))
    both = _match(
        server, _person(name=["Joaquin Guzman Loera"], birthDate=["1970-01-01", "1954-12-25"])
    )
    score = {r["id"]: r["score"] for r in listed.json()["responses"]["q"]["results"]}
    again = {r["id"]: r["score"] for r in both.json()["responses"]["q"]["results"]}
    assert again["us-ofac-sdn-6861"] == score["us-ofac-sdn-6861"]
    one = _match(server, _person(name=["Joaquin Guzman Loera"], nationality=["mx"]))
    two = _match(server, _person(name=["Joaquin Guzman Loera"], nationality=["fr", "mx"]))
    first = {r["id"]: r["score"] for r in one.json()["responses"]["q"]["results"]}
    second = {r["id"]: r["score"] for r in two.json()["responses"]["q"]["results"]}
    assert second["us-ofac-sdn-6861"] == first["us-ofac-sdn-6861"]


def test_dataset_scope_include_dataset(server: LiveServer) -> None:
    body = {"queries": {"a": {"schema": "Thing", "properties": {"name": ["Al-Qaida"]}}}}
    only_un = _match(server, body, include_dataset="un_sc_sanctions", cutoff=0.3, threshold=0.3)
    results = only_un.json()["responses"]["a"]["results"]
    assert results and all(r["datasets"] == ["un_sc_sanctions"] for r in results)
    assert _match(server, body, include_dataset="eu_fsf").status_code == 400


def test_search_filters_before_pagination_with_real_total(server: LiveServer) -> None:
    page = SearchResponse.model_validate(_get(server, "/search/default", q="bank", limit=2).json())
    assert page.total.value > 2 and len(page.results) == 2
    following = _get(server, "/search/default", q="bank", limit=2, offset=2).json()
    assert following["total"]["value"] == page.total.value
    assert {r["id"] for r in following["results"]}.isdisjoint({r.id for r in page.results})
    iran = _get(server, "/search/default", q="bank", countries="ir", limit=50).json()
    assert iran["results"] and iran["total"]["value"] == len(iran["results"])
    first = _get(server, "/search/default", q="bank", countries="ir", limit=1).json()
    assert first["total"] == iran["total"]  # filtered before the page is cut
    assert [r["id"] for r in first["results"]] == [r["id"] for r in iran["results"][:1]]
    store = prepared().services.store()
    assert all("ir" in entity_countries(store.get_entity(r["id"])) for r in iran["results"])
    vessels = _get(server, "/search/default", q="bank", schema="Vessel").json()
    assert all(r["schema"] == "Vessel" for r in vessels["results"])
    legal = _get(server, "/search/default", q="bank", schema="LegalEntity", limit=50).json()
    assert legal["results"] and all(
        ftm_model.get(r["schema"]).is_a(ftm_model.get("LegalEntity")) for r in legal["results"]
    )
    assert _get(server, "/search/default", q="bank", schema="Bank").status_code == 400


def test_changed_since(server: LiveServer) -> None:
    assert _get(server, "/search/default", q="bank", changed_since="yesterday").status_code == 400
    assert _match(server, _person(name=["X"]), changed_since="2024-13-45").status_code == 400
    everything = _get(server, "/search/un_sc_sanctions", changed_since="2000-01-01").json()
    future = _get(server, "/search/un_sc_sanctions", changed_since="2999-01-01").json()
    assert everything["total"]["value"] == 1003 and future["total"]["value"] == 0
    body = _person(name=["Joaquin Guzman"])
    assert _match(server, body, changed_since="2999-01-01").json()["responses"]["q"]["results"] == []


def test_identifiers_are_searchable(server: LiveServer) -> None:
    by_imo = _get(server, "/search/default", q="8508462").json()
    assert by_imo["results"][0]["id"] == "us-ofac-sdn-15041"
    store = prepared().services.store()
    holder, address = next(
        (e, i.number)
        for e in store.entities(datasets=["us_ofac_sdn"])
        for i in e.identifiers
        if i.kind.value == "crypto"
    )
    by_wallet = _get(server, "/search/default", q=address).json()
    assert by_wallet["results"][0]["id"] == ftm_id(holder.id)


def test_manifest_updatez_and_export(server: LiveServer) -> None:
    manifest = _get(server, "/manifest").json()
    assert {"default", "us_ofac_sdn"} <= {d["name"] for d in manifest["datasets"]}
    headers = {"X-API-Key": prepared().keys["admin"]}
    updated = httpx.post(
        f"{server.url}/updatez", params={"sync": "true"}, headers=headers, timeout=120
    )
    assert updated.status_code == 200 and updated.json() == {"status": "ok"}
    headers = {"X-API-Key": prepared().keys["screening"]}
    assert httpx.post(f"{server.url}/updatez", headers=headers).status_code == 403
    export = _get(server, "/datasets/un_sc_sanctions/entities.ftm.json")
    assert export.status_code == 200
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert_valid_ftm(lines)
    assert sum(line["schema"] == "Person" for line in lines) > 700
    assert _get(server, "/datasets/nope/entities.ftm.json").status_code == 404


def test_reconciliation_for_openrefine(server: LiveServer) -> None:
    key = prepared().keys["screening"]
    raw = httpx.get(f"{server.url}/reconcile/default", params={"api_key": key})
    assert raw.status_code == 200  # no header: OpenRefine sends the key in the URL
    manifest = yente_models.FreebaseManifest.model_validate(raw.json())
    assert manifest.batchSize > 0
    assert manifest.suggest.entity.service_path.endswith(f"?api_key={key}")
    assert manifest.extend.propose_properties.service_path.endswith(f"?api_key={key}")
    assert f"api_key={key}" in manifest.preview.url
    queries = {"q0": {"query": "Joaquin Guzman", "type": "Person"}}
    posted = httpx.post(
        f"{server.url}/reconcile/default",
        params={"api_key": key},
        data={"queries": json.dumps(queries)},
    ).json()
    result = yente_models.FreebaseEntityResult.model_validate(posted["q0"])
    assert _no_nulls(posted)
    top = result.result[0]
    proposed = yente_models.FreebaseExtendPropertiesResponse.model_validate(
        httpx.get(
            f"{server.url}/reconcile/default/extend/property",
            params={"api_key": key, "type": "Person"},
        ).json()
    )
    ids = [p.id for p in proposed.properties]
    assert ids[:5] == ["birthDate", "nationality", "country", "program", "listingDate"]
    extend = {"ids": [top.id], "properties": [{"id": p} for p in ids[:5]] + [{"id": "idNumber"}]}
    extended = yente_models.FreebaseExtendResponse.model_validate(
        httpx.post(
            f"{server.url}/reconcile/default",
            params={"api_key": key},
            data={"extend": json.dumps(extend)},
        ).json()
    )
    row = extended.rows[top.id]
    assert row["birthDate"] and row["program"] and "listingDate" in row
    assert row["nationality"][0].str == "Mexico"  # rendered caption
    un = next(e for e in prepared().services.store().entities(datasets=["un_sc_sanctions"]))
    listed = {"ids": [ftm_id(un.id)], "properties": [{"id": "listingDate"}, {"id": "authority"}]}
    got = httpx.post(
        f"{server.url}/reconcile/default",
        params={"api_key": key},
        data={"extend": json.dumps(listed)},
    ).json()["rows"][ftm_id(un.id)]
    assert got["listingDate"] == [{"str": un.listed_on}]
    assert got["authority"] == [{"str": "United Nations Security Council"}]
    preview = httpx.get(
        f"{server.url}/reconcile/default/preview", params={"api_key": key, "id": top.id}
    )
    assert preview.status_code == 200 and "GUZMAN" in preview.text.upper()
    for kind, model in (
        ("entity", yente_models.FreebaseEntitySuggestResponse),
        ("type", yente_models.FreebaseTypeSuggestResponse),
        ("property", yente_models.FreebasePropertySuggestResponse),
    ):
        suggest = httpx.get(
            f"{server.url}/reconcile/default/suggest/{kind}",
            params={"api_key": key, "prefix": "Guzman" if kind == "entity" else "p"},
        ).json()
        model.model_validate(suggest)
        assert suggest["result"] and _no_nulls(suggest)
    assert httpx.get(f"{server.url}/reconcile/default", params={"api_key": "x"}).status_code == 401


@pytest.fixture(scope="module")
def ftm_server() -> Iterator[tuple[LiveServer, str]]:
    """A server whose store holds the UN list and an imported OpenSanctions-style file."""
    home = Path(tempfile.mkdtemp(prefix="clearance-ftm-api-"))
    url = f"sqlite:///{home / 'clearance.sqlite'}"
    path = home / "os_demo.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in OPENSANCTIONS_STYLE))
    with Store.open(url) as store:
        store.import_paths([LISTS / "un/UN_consolidated.xml", path])
    settings = ApiSettings(
        database_url=url, jobs_dir=str(home / "jobs"), audit_log=str(home / "audit.jsonl"),
        rate_per_second=1000.0, rate_burst=1000,
    )  # fmt: skip
    services = Services(settings)
    services.open()
    key = KeyStore(url).create("test", Role.SCREENING)[1]
    with LiveServer(create_app(settings, services=services)) as live:
        yield live, key


def test_imported_ftm_dataset_is_reachable(ftm_server: tuple[LiveServer, str]) -> None:
    server, key = ftm_server
    with yente_client.Client(base_url=server.url, api_key=key) as client:
        found = client.match(yente_client.Person(name=["Ivan Petrov"]), datasets=["os_demo"])
        assert found.top is not None and found.top.id == "os-demo-NK-owner"
        assert "NK-owner" in found.top.referents
        reverse = ftm_model.get("Ownership").get("owner").reverse.name
        ownership = found.top.properties[reverse][0]
        assert isinstance(ownership, YenteEntity)
        [asset] = ownership.properties["asset"]
        assert isinstance(asset, YenteEntity) and asset.caption == "Petrov Holding Ltd"
        assert asset.target is False
        holding = client.match(yente_client.Company(name=["Petrov Holding Ltd"]), datasets=["os_demo"])
        assert holding.results == []  # a non-target is context, never a hit by itself
        search = client.search("Petrov", datasets=["os_demo"])
        assert search.results
    headers = {"X-API-Key": key}
    assert httpx.get(f"{server.url}/reconcile/os_demo", headers=headers).status_code == 200
