"""Clearance's own endpoints on the real lists: /screen, batch jobs, lists, diff, OpenAPI."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api_support import app_for, prepared

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
        "id,name,schema,birth_date,country\n1,Joaquin Guzman,Person,1957,mx\n2,Jane Doe,Person,,\n"
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
