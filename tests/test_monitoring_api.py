"""The alerts HTTP endpoints and web pages: roles, the workflow, 409 on a lost race, reports."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from fastapi.testclient import TestClient

from clearance.api import ApiSettings, create_app
from clearance.api.security import KeyStore, Role
from clearance.api.services import Services
from clearance.monitoring import Monitor
from clearance.monitoring.alerts import HitFacts, apply_hit, close_or_review, lock_for_write
from clearance.monitoring.records import RecordInput, upsert_records
from clearance.monitoring.tables import Alert
from clearance.store import Store
from conftest import LISTS

pytestmark = pytest.mark.slow


@dataclass
class Setup:
    client: TestClient
    ui: TestClient
    keys: dict[str, str]
    alert_id: int
    url: str


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    home = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{home / 'clearance.sqlite'}"
    store = Store.open(url)
    store.import_paths([LISTS / "ofac_sdn" / "sdn_2024-05-03"])
    listed = store.get_entity("us_ofac_sdn:48239")
    assert listed is not None
    monitor = Monitor(store)
    monitor.add_records(
        [RecordInput("c1", listed.caption, "Person")], actor="onboarding", source="test"
    )
    settings = ApiSettings(
        database_url=url, jobs_dir=str(home / "jobs"), rate_per_second=1000, rate_burst=1000
    )
    services = Services(settings)
    services.open()
    keys = KeyStore(url)
    tokens = {
        "alice": keys.create("alice", Role.ANALYST)[1],
        "bob": keys.create("bob", Role.ANALYST)[1],
        "screen": keys.create("screening app", Role.SCREENING)[1],
        "admin": keys.create("admin", Role.ADMIN)[1],
    }
    client = TestClient(create_app(settings, services=services))
    ui = TestClient(create_app(replace(settings, auth=False), services=services))
    alerts = client.get("/alerts", headers=_h(tokens["alice"])).json()["alerts"]
    yield Setup(client, ui, tokens, alerts[0]["id"], url)
    store.close()


def _h(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def test_alerts_need_the_analyst_role(setup: Setup) -> None:
    assert setup.client.get("/alerts").status_code == 401
    assert setup.client.get("/alerts", headers=_h(setup.keys["screen"])).status_code == 403
    listed = setup.client.get("/alerts?status=open", headers=_h(setup.keys["alice"])).json()
    assert [a["record_id"] for a in listed["alerts"]] == ["c1"]
    assert (
        setup.client.get("/alerts?status=bogus", headers=_h(setup.keys["alice"])).status_code == 400
    )
    assert setup.client.get("/alerts/999", headers=_h(setup.keys["alice"])).status_code == 404


def test_workflow_over_http(setup: Setup) -> None:
    alice, bob = _h(setup.keys["alice"]), _h(setup.keys["bob"])
    path = f"/alerts/{setup.alert_id}"
    detail = setup.client.get(path, headers=alice).json()
    assert detail["record"]["id"] == "c1" and detail["history"][0]["action"] == "alert.opened"
    version = detail["version"]
    review = setup.client.post(f"{path}/review", json={"expected_version": version}, headers=alice)
    assert review.status_code == 200 and review.json()["reviewer"] == "alice"
    stale = setup.client.post(
        f"{path}/decide",
        json={
            "decision": "false_positive",
            "reason_code": "common_name_only",
            "expected_version": version,
        },
        headers=bob,
    )
    assert stale.status_code == 409 and "alice" in stale.json()["detail"]
    decided = setup.client.post(
        f"{path}/decide",
        json={
            "decision": "true_match",
            "reason_code": "identity_confirmed",
            "note": "KYC file",
            "expected_version": version + 1,
        },
        headers=alice,
    )
    assert decided.status_code == 200 and decided.json()["decided_by"] == "alice"
    report = setup.client.get(f"{path}/report?format=md", headers=alice)
    assert report.status_code == 200 and "31 CFR 501.603" in report.text
    assert setup.client.get("/audit/verify", headers=alice).status_code == 403
    assert setup.client.get("/audit/verify", headers=_h(setup.keys["admin"])).json()["ok"]


def test_web_pages_render_and_act(setup: Setup) -> None:
    page = setup.ui.get("/ui/alerts?status=")
    assert page.status_code == 200 and f"/ui/alerts/{setup.alert_id}" in page.text
    detail = setup.ui.get(f"/ui/alerts/{setup.alert_id}")
    assert detail.status_code == 200 and "History" in detail.text
    refused = setup.ui.post(
        f"/ui/alerts/{setup.alert_id}",
        data={
            "action": "decide",
            "expected_version": "1",
            "decision": "true_match",
            "reason_code": "common_name_only",
        },
        follow_redirects=False,
    )
    assert refused.status_code == 303 and "error=" in refused.headers["location"]


def _second_alert(setup: Setup) -> tuple[Store, int]:
    """A second alert (record c2 on a real SDN entity), opened through the library."""
    store = Store.open(setup.url)
    entity = store.get_entity("us_ofac_sdn:22790")
    assert entity is not None
    record = RecordInput("c2", entity.caption, "Person")
    monitor = Monitor(store)
    with monitor.sessions.begin() as session:
        lock_for_write(session)
        upsert_records(session, [record], actor="onboarding", source="test")
        apply_hit(
            session,
            HitFacts(
                "c2",
                record.content_hash(),
                entity.id,
                entity.dataset,
                entity.caption,
                entity.content_hash(),
                1,
                0.97,
                {},
            ),
            actor="clearance",
            context={"trigger": "test"},
        )
        alert_id = session.query(Alert.id).filter(Alert.record_id == "c2").scalar()
    return store, alert_id


def test_api_takes_the_user_from_the_key_and_four_eyes_ignores_case(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body naming a user is refused; a key named like the decider in other case or spacing
    cannot confirm; a delisting's review task is listed and resolved over HTTP and the web."""
    monkeypatch.setenv("CLEARANCE_FOUR_EYES", "1")
    store, alert_id = _second_alert(setup)
    alice = _h(setup.keys["alice"])
    shouting = _h(KeyStore(setup.url).create(" ALICE ", Role.ANALYST)[1])
    path = f"/alerts/{alert_id}"
    body = {"decision": "true_match", "reason_code": "identity_confirmed", "user": "bob"}
    refused = setup.client.post(f"{path}/decide", json=body, headers=alice)
    assert refused.status_code == 422 and "user" in refused.text
    del body["user"]
    decided = setup.client.post(f"{path}/decide", json=body, headers=alice)
    assert decided.json()["status"] == "pending_confirmation"
    assert decided.json()["decided_by"] == "alice"
    same = setup.client.post(f"{path}/confirm", json={}, headers=shouting)
    assert same.status_code == 400 and "four-eyes" in same.json()["detail"]
    confirmed = setup.client.post(f"{path}/confirm", json={}, headers=_h(setup.keys["bob"]))
    assert confirmed.json()["status"] == "decided" and confirmed.json()["confirmed_by"] == "bob"

    monitor = Monitor(store)
    with monitor.sessions.begin() as session:
        lock_for_write(session)
        outcome = close_or_review(
            session, session.get(Alert, alert_id), actor="clearance", reason="entity delisted"
        )
    assert outcome == "review"
    tasks = setup.client.get("/alerts?review=true", headers=alice).json()["alerts"]
    assert [a["id"] for a in tasks] == [alert_id] and "entity delisted" in tasks[0]["review_task"]
    page = setup.ui.get("/ui/alerts?review=1")
    assert f"/ui/alerts/{alert_id}" in page.text and "review needed" in page.text
    assert "Keep the decision" in setup.ui.get(f"/ui/alerts/{alert_id}").text
    no_note = setup.client.post(
        f"{path}/resolve-review", json={"close": False, "note": " "}, headers=alice
    )
    assert no_note.status_code == 400
    kept = setup.client.post(
        f"{path}/resolve-review", json={"close": False, "note": "still listed by UN"}, headers=alice
    )
    assert kept.status_code == 200
    assert (kept.json()["status"], kept.json()["review_task"]) == ("decided", None)
    verified = setup.client.get("/audit/verify", headers=_h(setup.keys["admin"])).json()
    assert verified["ok"], verified["problems"]
    store.close()
