"""Issue 13, decisions: on SQLite and PostgreSQL, an insider with write access to the database
cannot forge the audit trail or an alert's decision unseen, four-eyes cannot be dodged by
spelling a name differently, and webhook secrets are not readable from the database."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from clearance.cli.main import app
from clearance.monitoring import audit, keys, webhooks
from clearance.monitoring.alerts import (
    AlertError,
    HitFacts,
    Workflow,
    apply_hit,
    lock_for_write,
)
from clearance.monitoring.records import RecordInput, upsert_records
from clearance.monitoring.tables import Alert, AuditEvent
from clearance.store.engine import alembic_config, make_engine, upgrade, write_connection
from test_monitoring_fixtures import database_url, engine  # noqa: F401

SECRET = "s3cret-shared-with-the-receiver"


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:  # noqa: F811
    return sessionmaker(engine, expire_on_commit=False)


def _open_alert(sessions: sessionmaker[Session], record_id: str = "c1") -> int:
    record = RecordInput(record_id, "Ana Ruiz", "Person")
    with sessions.begin() as session:
        lock_for_write(session)
        upsert_records(session, [record], actor="loader", source="test")
        apply_hit(
            session,
            HitFacts(
                record_id,
                record.content_hash(),
                "us_ofac_sdn:1",
                "us_ofac_sdn",
                "RUIZ, Ana",
                "e" * 64,
                1,
                0.93,
                {"name": 0.93},
            ),
            actor="clearance",
            context={"trigger": "test"},
        )
    with sessions() as session:
        return session.scalars(select(Alert.id).where(Alert.record_id == record_id)).one()


def _true_match(sessions: sessionmaker[Session]) -> int:
    alert_id = _open_alert(sessions)
    flow = Workflow(sessions, four_eyes=False)
    flow.review(alert_id, "alice")
    flow.decide(alert_id, "alice", "true_match", "identity_confirmed", "passport seen")
    return alert_id


def _sql(
    engine: Engine,  # noqa: F811
    *statements: str | tuple[str, dict[str, object]],
    drop_triggers: bool = True,
) -> None:
    """An insider with database rights: drop the append-only triggers, then edit."""
    with engine.begin() as connection:
        if drop_triggers:
            if connection.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            else:
                connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
                connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, {})
            connection.execute(text(sql), params)


def _rehash(engine: Engine, *, unkeyed: bool) -> None:  # noqa: F811
    """Recompute every hash and the head the only way one can without the key (SHA-256),
    keeping the key ids or dropping them (passing the chain off as a legacy one)."""
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()
    prev = audit.GENESIS_HASH
    updates = []
    for row in rows:
        payload = {
            k: row[k] for k in ("seq", "at", "actor", "action", "alert_id", "record_id", "entity_id")
        }
        payload["detail"] = json.loads(row["detail"])
        if not unkeyed:
            payload["key_id"] = row["key_id"]
        digest = hashlib.sha256((prev + audit.canonical_json(payload)).encode()).hexdigest()
        updates.append((row["seq"], prev, digest))
        prev = digest
    statements: list[str | tuple[str, dict[str, object]]] = [
        "UPDATE audit_events SET prev_hash = 'x' || seq, hash = 'y' || seq"
    ]
    if unkeyed:
        statements.append("UPDATE audit_events SET key_id = NULL")
    statements += [
        f"UPDATE audit_events SET prev_hash = '{p}', hash = '{h}' WHERE seq = {s}"
        for s, p, h in updates
    ]
    statements.append(
        f"UPDATE audit_head SET seq = {len(rows)}, hash = '{prev}', key_id = NULL, mac = NULL"
    )
    _sql(engine, *statements)


def _verify(sessions: sessionmaker[Session], anchors: list[str] | None = None) -> audit.ChainReport:
    with sessions() as session:
        return audit.verify_chain(session, anchors=anchors)


# --- the keyed chain ----------------------------------------------------------------------------


@pytest.mark.parametrize("unkeyed", [False, True], ids=["rehashed", "passed-off-as-legacy"])
def test_forged_chain_after_dropping_triggers_is_detected(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
    unkeyed: bool,
) -> None:
    alert_id = _true_match(sessions)
    assert _verify(sessions).ok
    # turn the true match into a cleared false positive, trail and row alike, then re-hash
    with sessions() as session:
        decided = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.decided")
        ).one()
        detail = json.loads(decided.detail)
    detail["decision"] = detail["state"]["decision"] = "false_positive"
    detail["reason_code"] = detail["state"]["reason_code"] = "common_name_only"
    _sql(
        engine,
        (
            "UPDATE audit_events SET detail = :detail WHERE seq = :seq",
            {"detail": audit.canonical_json(detail), "seq": decided.seq},
        ),
        "UPDATE alerts SET decision = 'false_positive', reason_code = 'common_name_only' "
        f"WHERE id = {alert_id}",
    )
    _rehash(engine, unkeyed=unkeyed)
    report = _verify(sessions)
    assert not report.ok
    if unkeyed:
        assert "not sealed" in (report.problem or "")
    else:
        assert report.broken_seq == 1 and "without the key" in (report.problem or "")
    with sessions() as session:
        assert audit.verify_alert(session, alert_id)  # alerts show warns too


def test_truncated_tail_and_rewritten_head_are_detected(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
) -> None:
    alert_id = _open_alert(sessions)
    with sessions() as session:
        kept = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        backup = session.execute(text("SELECT seq, hash, key_id, mac FROM audit_head")).one()
        kept_hash = session.get(AuditEvent, kept).hash  # type: ignore[union-attr]
    Workflow(sessions, four_eyes=False).decide(alert_id, "alice", "true_match", "identity_confirmed")
    with sessions() as session:
        anchor = audit.canonical_json(audit.anchor(session))
    assert _verify(sessions, [anchor]).ok

    # drop the decision and move the head back by hand: the head's signature gives it away
    _sql(
        engine,
        f"DELETE FROM audit_events WHERE seq > {kept}",
        f"UPDATE audit_head SET seq = {kept}, hash = '{kept_hash}'",
        f"UPDATE alerts SET status = 'open', decision = NULL, reason_code = NULL, note = NULL, "
        f"reviewer = NULL, decided_by = NULL, decided_at = NULL, version = 1 WHERE id = {alert_id}",
    )
    report = _verify(sessions)
    assert not report.ok and "signature" in (report.problem or "")

    # an insider who kept the old signed head from a backup: only the anchor can tell
    _sql(
        engine,
        f"UPDATE audit_head SET key_id = '{backup.key_id}', mac = '{backup.mac}'",
        drop_triggers=False,
    )
    assert _verify(sessions).ok
    report = _verify(sessions, [anchor])
    assert not report.ok and "truncated" in (report.problem or "")


def test_anchor_detects_a_rewrite_and_refuses_a_forged_anchor(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
) -> None:
    _true_match(sessions)
    with sessions() as session:
        anchor = audit.anchor(session)
    line = audit.canonical_json(anchor)
    forged = audit.canonical_json({**anchor, "seq": anchor["seq"] + 5})
    report = _verify(sessions, [line, forged, "not json"])
    assert [p.split(":")[0] for p in report.problems] == ["anchor line 2", "anchor line 3"]
    assert "signature" in report.problems[0]
    _rehash(engine, unkeyed=True)
    report = _verify(sessions, [line])
    assert any("rewritten" in p for p in report.problems)


def test_rewritten_alert_row_is_detected_by_verify_and_show(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
    database_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alert_id = _true_match(sessions)
    _sql(
        engine,
        f"UPDATE alerts SET decision = 'false_positive' WHERE id = {alert_id}",
        drop_triggers=False,
    )
    report = _verify(sessions)
    assert not report.ok and report.broken_seq is None  # the chain itself is intact
    [problem] = report.problems
    assert f"alert {alert_id}" in problem
    assert "decision is 'false_positive' but the trail says 'true_match'" in problem

    monkeypatch.setenv("CLEARANCE_DATABASE_URL", database_url)
    runner = CliRunner()
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 1 and "decision is 'false_positive'" in verify.output
    show = runner.invoke(app, ["alerts", "show", str(alert_id)])
    assert show.exit_code == 1
    assert "WARNING: audit verification failed" in show.output
    assert json.loads(show.stdout)["audit_problems"]
    # an alert row inserted outside Clearance has no event at all
    _sql(
        engine,
        "INSERT INTO alerts (record_id, entity_id, dataset, entity_caption, status, score, "
        "explanation, record_hash, entity_hash, entity_version, created_at, updated_at, version) "
        "SELECT record_id, 'us_ofac_sdn:2', dataset, entity_caption, 'closed', score, "
        "explanation, record_hash, entity_hash, entity_version, created_at, updated_at, 1 "
        f"FROM alerts WHERE id = {alert_id}",
        drop_triggers=False,
    )
    assert any("has no event" in p for p in _verify(sessions).problems)


def test_cli_anchor_append_and_verify_against_it(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
    database_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _true_match(sessions)
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", database_url)
    runner = CliRunner()
    anchors = tmp_path / "anchors.jsonl"
    first = runner.invoke(app, ["audit", "anchor", "--append", str(anchors)])
    assert first.exit_code == 0 and json.loads(first.stdout)["type"] == audit.ANCHOR_TYPE
    assert anchors.read_text(encoding="utf-8") == first.stdout
    ok = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)])
    assert ok.exit_code == 0 and "1 anchors matched" in ok.output
    _sql(engine, "DELETE FROM audit_events WHERE seq > 2")
    broken = runner.invoke(app, ["audit", "verify", "--anchor", str(anchors)])
    assert broken.exit_code == 1 and "truncated" in broken.output


# --- keys ----------------------------------------------------------------------------------


def test_key_file_is_private_refused_when_readable_and_rotates(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key_path = tmp_path / "keys" / "audit.keys"
    monkeypatch.setenv("CLEARANCE_AUDIT_KEY_FILE", str(key_path))
    _open_alert(sessions)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    first = keys.require().current_id
    second = keys.rotate()
    with sessions() as session:
        alert_id = session.scalars(select(Alert.id)).one()
    Workflow(sessions, four_eyes=False).decide(alert_id, "alice", "true_match", "identity_confirmed")
    report = _verify(sessions)
    assert report.ok and report.key_ids == [first, second]

    # an old key lost: what it signed can no longer be verified, and verify says which key
    lines = key_path.read_text(encoding="utf-8").splitlines()
    key_path.write_text("\n".join(line for line in lines if not line.startswith(first)) + "\n")
    report = _verify(sessions)
    assert not report.ok and first in (report.problem or "")

    os.chmod(key_path, 0o644)
    with pytest.raises(keys.AuditKeyError, match="chmod 600"):
        keys.require()


def test_environment_key_for_teams(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = keys.new_secret(), keys.new_secret()
    monkeypatch.setenv(keys.ENV_KEYS, f"team-2025:{old}")
    _open_alert(sessions, "c1")
    monkeypatch.setenv(keys.ENV_KEYS, f"team-2025:{old}, team-2026:{new}")
    _open_alert(sessions, "c2")
    report = _verify(sessions)
    assert report.ok and report.key_ids == ["team-2025", "team-2026"]
    with pytest.raises(keys.AuditKeyError, match=keys.ENV_KEYS):
        keys.rotate()
    monkeypatch.setenv(keys.ENV_KEYS, f"team-2026:{new}")  # someone dropped the old key
    assert not _verify(sessions).ok
    monkeypatch.setenv(keys.ENV_KEYS, "team-2026:tooshort")
    with pytest.raises(keys.AuditKeyError, match="at least 32 bytes"):
        keys.require()


# --- legacy databases --------------------------------------------------------------------------


def _legacy_database(url: str) -> None:
    """A database at migration 0003 with events chained by the old unkeyed rule, an alert and a
    webhook endpoint with a plain-text secret, as Clearance wrote them before 0006."""
    db = make_engine(url)
    with write_connection(db) as connection, connection.begin():
        command.upgrade(alembic_config(connection), "0003")
    prev = audit.GENESIS_HASH
    with db.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO monitored_records (id, name, schema, content_hash, active, "
                "created_at, updated_at) VALUES ('c1', 'Ana Ruiz', 'Person', 'r', true, "
                "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO alerts (record_id, entity_id, dataset, entity_caption, status, score, "
                "explanation, record_hash, entity_hash, entity_version, decision, reason_code, "
                "decided_by, created_at, updated_at, version) VALUES ('c1', 'us_ofac_sdn:1', "
                "'us_ofac_sdn', 'RUIZ, Ana', 'decided', 0.9, '{}', 'r', 'e', 1, 'true_match', "
                "'identity_confirmed', 'alice', '2025-01-01 00:00:00', '2025-01-01 00:00:00', 2)"
            )
        )
        for seq, action in enumerate(("alert.opened", "alert.decided"), start=1):
            payload = {
                "seq": seq,
                "at": f"2025-01-01T00:00:0{seq}.000000+00:00",
                "actor": "alice",
                "action": action,
                "alert_id": 1,
                "record_id": "c1",
                "entity_id": "us_ofac_sdn:1",
                "detail": {"n": seq},
            }
            digest = hashlib.sha256((prev + audit.canonical_json(payload)).encode()).hexdigest()
            connection.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor, action, alert_id, record_id, "
                    "entity_id, detail, prev_hash, hash) VALUES (:seq, :at, :actor, :action, "
                    ":alert_id, :record_id, :entity_id, :detail, :prev, :hash)"
                ),
                {**payload, "detail": audit.canonical_json(payload["detail"]), "prev": prev,
                 "hash": digest},
            )
            prev = digest
        connection.execute(text("UPDATE audit_head SET seq = 2, hash = :h"), {"h": prev})
        connection.execute(
            text(
                "INSERT INTO webhook_endpoints (url, secret, active, created_at) VALUES "
                "('http://127.0.0.1/hook', :secret, true, '2025-01-01 00:00:00')"
            ),
            {"secret": SECRET},
        )
    db.dispose()


@pytest.fixture
def legacy_url(database_url: str) -> str:  # noqa: F811
    """``database_url`` rebuilt from scratch as a pre-0006 database."""
    db = make_engine(database_url)
    with db.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    db.dispose()
    if database_url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(database_url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    _legacy_database(database_url)
    return database_url


def test_migration_seals_legacy_events_without_resigning_them(legacy_url: str) -> None:
    db = make_engine(legacy_url)
    with db.connect() as connection:
        before = connection.execute(text("SELECT seq, hash FROM audit_events ORDER BY seq")).all()
    upgrade(db)
    sessions = sessionmaker(db, expire_on_commit=False)
    report = _verify(sessions)
    assert report.ok, report.problems
    assert (report.legacy_events, report.alerts_checked) == (2, 1)
    assert "2 legacy events (before migration 0006) verified under the old unkeyed" in (
        report.summary()
    )
    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [(e.seq, e.hash) for e in events[:2]] == [tuple(r) for r in before]
        assert [e.key_id is None for e in events] == [True, True, False, False]
        assert [e.action for e in events[2:]] == [audit.LEGACY_SEALED, audit.STATE_SEALED]
        secret = session.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
        endpoint = webhooks.active_endpoints(session)[0]
        assert keys.is_encrypted(secret) and SECRET not in secret
        assert webhooks.endpoint_secret(endpoint) == SECRET
    # the legacy alert's state is covered from the migration on
    _sql(db, "UPDATE alerts SET decision = 'false_positive'", drop_triggers=False)
    assert any("decision is 'false_positive'" in p for p in _verify(sessions).problems)
    db.dispose()


# --- four-eyes and webhooks --------------------------------------------------------------------


@pytest.mark.parametrize("confirmer", ["ANA ", " ana", "Ana", "ａｎａ", "A na"])
def test_four_eyes_compares_users_case_and_whitespace_insensitively(
    sessions: sessionmaker[Session], confirmer: str
) -> None:
    alert_id = _open_alert(sessions)
    flow = Workflow(sessions, four_eyes=True)
    assert flow.decide(alert_id, "ana", "true_match", "identity_confirmed")["status"] == (
        "pending_confirmation"
    )
    with pytest.raises(AlertError, match="four-eyes"):
        flow.confirm(alert_id, confirmer)
    assert flow.confirm(alert_id, " bob  ")["confirmed_by"] == "bob"


def test_cli_confirm_by_the_decider_in_capitals_is_refused(
    sessions: sessionmaker[Session],
    database_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alert_id = _open_alert(sessions)
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", database_url)
    monkeypatch.setenv("CLEARANCE_FOUR_EYES", "1")
    runner = CliRunner()
    decide = ["alerts", "decide", str(alert_id), "--decision", "true_match"]
    decided = runner.invoke(app, [*decide, "--reason", "identity_confirmed", "--user", "ana"])
    assert decided.exit_code == 0 and "pending_confirmation" in decided.output
    confirm = runner.invoke(app, ["alerts", "confirm", str(alert_id), "--user", "ANA "])
    assert confirm.exit_code == 1 and "different user" in confirm.output


def test_webhook_secret_is_encrypted_at_rest(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLEARANCE_AUDIT_KEY_FILE", str(tmp_path / "audit.keys"))
    with sessions.begin() as session:
        endpoint = webhooks.add_endpoint(session, "http://127.0.0.1/hook", SECRET)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()
    assert SECRET not in stored and stored.startswith("enc:v1:")
    assert webhooks.endpoint_secret(endpoint) == SECRET
    keys.rotate()  # secrets sealed under the old key still open after a rotation
    assert webhooks.endpoint_secret(endpoint) == SECRET
