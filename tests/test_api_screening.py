"""Clearance's own endpoints on the real lists: /screen, batch jobs, lists, diff, OpenAPI."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from api_support import app_for, prepared
from clearance.api.convert import hit_payload
from conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app_for()) as c:
        yield c


def _h(role: str) -> dict[str, str]:
    return {"X-API-Key": prepared().keys[role]}


def test_screen_returns_ranked_explained_hits_with_consequences(client: TestClient) -> None:
    response = client.post(
        "/screen",
        json={"name": "Tren de Aragua", "schema": "Organization", "limit": 5},
        headers=_h("screening"),
    )
    assert response.status_code == 200, response.text
    data = response.json()
    hits = data["hits"]
    assert hits and "ARAGUA" in hits[0]["caption"].upper()
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert hits[0]["consequences"], "a hit says what it obliges the user to do"
    audit = (prepared().home / "audit.jsonl").read_text().splitlines()
    assert json.loads(audit[-1])["query"]["name"] == "Tren de Aragua"


def test_screen_rejects_bad_input_clearly(client: TestClient) -> None:
    response = client.post("/screen", json={"name": ""}, headers=_h("screening"))
    assert response.status_code == 422
    response = client.post("/screen", json={"name": "x", "limit": 10_000}, headers=_h("screening"))
    assert response.status_code == 422


def test_batch_job_progress_and_results(client: TestClient) -> None:
    rows = (
        "id,name,schema,birth_date,country\n1,Joaquin Guzman,Person,1954,mx\n2,Jane Doe,Person,,\n"
    )
    started = client.post(
        "/screen/batch", files={"file": ("customers.csv", rows, "text/csv")}, headers=_h("analyst")
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    deadline = time.monotonic() + 60
    while (job := client.get(f"/jobs/{job_id}", headers=_h("analyst")).json())["status"] not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "done", job
    assert job["rows_total"] == 2 and job["rows_done"] == 2
    csv = client.get(f"/jobs/{job_id}/results?format=csv", headers=_h("analyst"))
    table = pd.read_csv(io.StringIO(csv.text))
    assert "GUZMAN" in " ".join(table[table["query_id"] == 1]["caption"]).upper()
    parquet = client.get(f"/jobs/{job_id}/results?format=parquet", headers=_h("analyst"))
    assert len(pd.read_parquet(io.BytesIO(parquet.content))) == len(table)
    # screening keys cannot run batches; other keys do not see this job
    assert client.get(f"/jobs/{job_id}", headers=_h("screening")).status_code == 403


def test_lists_status_and_diff(client: TestClient) -> None:
    status = client.get("/lists", headers=_h("screening")).json()
    datasets = {v["dataset"] for v in status["active"]}
    assert {"us_ofac_sdn", "un_sc_sanctions", "us_designations"} <= datasets
    diff = client.get("/lists/diff", params={"dataset": "us_ofac_sdn"}, headers=_h("analyst"))
    assert diff.status_code == 200, diff.text
    assert set(diff.json()) >= {"added", "removed", "changed"}
    refused = client.post(
        "/lists/import", files={"files": ("x.csv", b"", "text/csv")}, headers=_h("analyst")
    )
    assert refused.status_code == 403


def test_openapi_documents_every_endpoint_with_a_response_model(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/match/{dataset}", "/search/{dataset}", "/entities/{entity_id}", "/screen",
                 "/screen/batch", "/jobs/{job_id}", "/lists", "/reconcile/{dataset}"):  # fmt: skip
        assert path in spec["paths"], path
    match_ok = spec["paths"]["/match/{dataset}"]["post"]["responses"]["200"]
    assert match_ok["content"]["application/json"]["schema"]["$ref"].endswith("EntityMatchResponse")


FIXTURES = REPO / "tests" / "fixtures"


def test_hit_payload_is_hit_to_dict() -> None:
    screener = prepared().services.screener()
    hits = [
        hit
        for name in ("Joaquin Guzman", "Tren de Aragua", "Cartel of the Suns", "BANEH")
        for hit in screener.screen(name, threshold=0.5)
    ]
    assert len(hits) > 5
    assert all(hit_payload(hit) == hit.to_dict() for hit in hits)


def test_scan_finds_listed_names_in_text_and_html(client: TestClient) -> None:
    text = (FIXTURES / "documents" / "04_tren_de_aragua_ms13.txt").read_bytes()
    response = client.post(
        "/scan", content=text, headers={**_h("analyst"), "Content-Type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    found = {m["entity_id"] for m in response.json()["mentions"]}
    assert {"us_designations:tren-de-aragua", "us_designations:mara-salvatrucha"} <= found
    page = FIXTURES / "documents" / "12_web_page.html"
    uploaded = client.post(
        "/scan", files={"file": (page.name, page.read_bytes(), "text/html")}, headers=_h("analyst")
    )
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["document"]["kind"] == "html"
    assert client.post("/scan", content=text, headers=_h("screening")).status_code == 403


def test_payment_verdicts_and_malformed_messages(client: TestClient) -> None:
    def send(name: str) -> Response:
        data = (FIXTURES / "payments" / name).read_bytes()
        return client.post("/payments/screen", files={"file": (name, data)}, headers=_h("analyst"))

    blocked = send("pacs008_creditor_listed.xml").json()
    assert blocked["verdict"] == "block"
    assert any(h["entity_id"] == "us_ofac_sdn:13021" for h in blocked["hits"])
    assert send("mt103_clear.txt").json()["verdict"] == "clear"
    malformed = send("mt103_unclosed_block4.txt")
    assert malformed.status_code == 400
    assert "block 4 is not closed" in malformed.json()["detail"]
