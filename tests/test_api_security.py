"""Security of the HTTP API: keys, roles, rate limits, size limits, audit log, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import Depends, Request
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from clearance.api import ApiSettings, create_app
from clearance.api.security import (
    KeyStore,
    Principal,
    Role,
    SessionSigner,
    TokenBucketLimiter,
    audit,
    require,
)
from clearance.cli.main import app as cli
from clearance.errors import InputError
from clearance.store.tables import Base


@pytest.fixture()
def settings(tmp_path: Path) -> ApiSettings:
    return ApiSettings(
        database_url=f"sqlite:///{tmp_path / 'keys.sqlite'}",
        jobs_dir=str(tmp_path / "jobs"),
        audit_log=str(tmp_path / "audit.jsonl"),
        rate_per_second=1.0,
        rate_burst=3,
        max_body_bytes=2048,
    )


def _app_with_probe(settings: ApiSettings):
    """The real app plus two endpoints that exercise the guard and the 500 path directly."""
    app = create_app(settings)

    @app.post("/probe/admin")
    def admin_probe(
        request: Request, body: dict, principal: Principal = Depends(require(Role.ADMIN))
    ) -> dict:
        audit(request, "/probe/admin", {"size": len(body)}, 1)
        return {"key": principal.key_id}

    @app.get("/probe/crash")
    def crash(principal: Principal = Depends(require(Role.SCREENING))) -> dict:
        raise RuntimeError("secret internal detail")

    return app


def test_keys_are_stored_hashed_and_verified(settings: ApiSettings) -> None:
    store = KeyStore(settings.database_url)
    key, token = store.create("ops team", Role.ANALYST)
    assert token.startswith(f"clr_{key.key_id}_")
    with store.engine.connect() as conn:
        stored = " ".join(
            str(v) for row in conn.exec_driver_sql("select * from api_keys") for v in row
        )
    assert token.split("_", 2)[2] not in stored
    assert store.verify(token).role is Role.ANALYST
    assert store.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.verify("not-a-key") is None
    store.revoke(key.key_id)
    assert store.verify(token) is None
    assert not store.has_active_keys()
    with pytest.raises(InputError, match="unknown role"):
        store.create("x", "superuser")
    with pytest.raises(InputError, match="no API key"):
        store.revoke("doesnotexist")


def test_token_bucket_refuses_over_burst_and_says_when_to_retry(tmp_path: Path) -> None:
    limiter = TokenBucketLimiter(rate=2.0, burst=2, path=tmp_path / "ratelimit.sqlite")
    assert limiter.take("k") == 0.0
    assert limiter.take("k") == 0.0
    wait = limiter.take("k")
    assert 0.0 < wait <= 0.5
    assert limiter.take("other") == 0.0


def test_session_cookie_is_signed(tmp_path: Path) -> None:
    signer = SessionSigner(b"s" * 32)
    cookie = signer.sign("abc123")
    assert signer.key_id_of(cookie) == "abc123"
    assert signer.key_id_of(cookie.replace("abc123", "admin1")) is None
    assert SessionSigner(b"t" * 32).key_id_of(cookie) is None
    assert signer.key_id_of(signer.sign("abc123", now=0)) is None  # expired


def test_unauthenticated_wrong_role_and_over_limit_are_refused(settings: ApiSettings) -> None:
    keys = KeyStore(settings.database_url)
    _, screening = keys.create("screening user", Role.SCREENING)
    _, admin = keys.create("admin user", Role.ADMIN)
    with TestClient(_app_with_probe(settings)) as client:
        response = client.post("/probe/admin", json={})
        assert response.status_code == 401
        assert "X-API-Key" in response.json()["detail"]

        response = client.post("/probe/admin", json={}, headers={"X-API-Key": "clr_bad_key"})
        assert response.status_code == 401
        assert "Invalid or revoked" in response.json()["detail"]

        response = client.post("/probe/admin", json={}, headers={"X-API-Key": screening})
        assert response.status_code == 403
        assert "'admin' role" in response.json()["detail"]

        for scheme in ("ApiKey", "Bearer"):
            response = client.post(
                "/probe/admin", json={"a": 1}, headers={"Authorization": f"{scheme} {admin}"}
            )
            assert response.status_code == 200, response.text
        # Burst of 3 at 1 request/s: the fourth request in a row is refused.
        response = client.post("/probe/admin", json={}, headers={"X-API-Key": admin})
        assert response.status_code == 200
        response = client.post("/probe/admin", json={}, headers={"X-API-Key": admin})
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert "Rate limit exceeded" in response.json()["detail"]


def test_body_limit_gives_413_with_a_clear_message(settings: ApiSettings) -> None:
    _, admin = KeyStore(settings.database_url).create("admin", Role.ADMIN)
    with TestClient(_app_with_probe(settings)) as client:
        response = client.post("/probe/admin", json={"x": "a" * 5000}, headers={"X-API-Key": admin})
        assert response.status_code == 413
        assert "limit for this endpoint is 2,048 bytes" in response.json()["detail"]

        def chunks():
            yield b'{"x": "'
            yield b"a" * 4000
            yield b'"}'

        response = client.post(
            "/probe/admin",
            content=chunks(),
            headers={"X-API-Key": admin, "Content-Type": "application/json"},
        )
        assert response.status_code == 413


def test_errors_hide_internals_and_name_a_request_id(settings: ApiSettings) -> None:
    _, key = KeyStore(settings.database_url).create("user", Role.SCREENING)
    with TestClient(_app_with_probe(settings), raise_server_exceptions=False) as client:
        response = client.get("/probe/crash", headers={"X-API-Key": key})
    assert response.status_code == 500
    body = response.json()
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]


def test_audit_log_records_who_screened_what(settings: ApiSettings) -> None:
    key, token = KeyStore(settings.database_url).create("alice", Role.ADMIN)
    with TestClient(_app_with_probe(settings)) as client:
        client.post("/probe/admin", json={"a": 1, "b": 2}, headers={"X-API-Key": token})
    lines = Path(settings.audit_log).read_text().splitlines()
    record = json.loads(lines[-1])
    assert record["key_id"] == key.key_id
    assert record["key_name"] == "alice"
    assert record["role"] == "admin"
    assert record["endpoint"] == "/probe/admin"
    assert record["query"] == {"size": 2}
    assert record["results"] == 1


def test_health_and_docs_need_no_key_and_cors_is_closed(settings: ApiSettings) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/openapi.json").status_code == 200
        response = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in response.headers
    open_settings = settings.with_changes(cors_origins=("https://app.example",))
    with TestClient(create_app(open_settings)) as client:
        response = client.get("/healthz", headers={"Origin": "https://app.example"})
        assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_keys_cli_creates_lists_and_revokes() -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli, ["keys", "create", "--name", "ci", "--role", "admin", "-f", "json"]
    )
    assert created.exit_code == 0, created.output
    key = json.loads(created.output)
    assert key["key"].startswith("clr_")
    listed = json.loads(runner.invoke(cli, ["keys", "list", "-f", "json"]).output)
    assert [k["key_id"] for k in listed] == [key["key_id"]]
    assert "key" not in listed[0]
    revoked = runner.invoke(cli, ["keys", "revoke", key["key_id"]])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    missing = runner.invoke(cli, ["keys", "revoke", "nope"])
    assert missing.exit_code == 2 and "no API key" in missing.output


def test_api_keys_table_matches_its_migration(settings: ApiSettings) -> None:
    """Migration 0003 and ``clearance.api.tables`` describe the same table."""
    store = KeyStore(settings.database_url)

    def only_api_keys(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or name == "api_keys"

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": only_api_keys})
        assert compare_metadata(context, Base.metadata) == []
