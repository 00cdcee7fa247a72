"""Monitoring building blocks on SQLite and PostgreSQL: alert workflow, optimistic locking,
four-eyes, suppression, the audit chain, business days, record files, candidate pass."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from clearance.model import Entity, Identifier, IdKind, Name, NameKind
from clearance.monitoring import audit
from clearance.monitoring.alerts import (
    AlertConflict,
    AlertError,
    HitFacts,
    Workflow,
    apply_hit,
    close_alert,
    lock_for_write,
)
from clearance.monitoring.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
)
from clearance.monitoring.candidates import RecordTokens, candidate_records
from clearance.monitoring.records import RecordInput, read_records, upsert_records
from clearance.monitoring.tables import Alert, AuditEvent, MonitoredRecord
from test_monitoring_fixtures import database_url, engine  # noqa: F401


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:  # noqa: F811
    return sessionmaker(engine, expire_on_commit=False)


def _record(sessions: sessionmaker[Session], record_id: str = "c1", name: str = "Ana Ruiz") -> str:
    record = RecordInput(record_id, name, "Person")
    with sessions.begin() as session:
        lock_for_write(session)
        upsert_records(session, [record], actor="loader", source="test")
    return record.content_hash()


def _hit(record_hash: str, entity_hash: str = "e" * 64, version: int = 1) -> HitFacts:
    return HitFacts(
        record_id="c1",
        record_hash=record_hash,
        entity_id="us_ofac_sdn:1",
        dataset="us_ofac_sdn",
        entity_caption="RUIZ, Ana",
        entity_hash=entity_hash,
        entity_version=version,
        score=0.91,
        explanation={"name": 0.91},
    )


def _apply(sessions: sessionmaker[Session], hit: HitFacts) -> str:
    with sessions.begin() as session:
        lock_for_write(session)
        return apply_hit(session, hit, actor="clearance", context={"trigger": "test"})


def _alert(sessions: sessionmaker[Session]) -> Alert:
    with sessions() as session:
        return session.scalars(select(Alert)).one()


# --- alerts ----------------------------------------------------------------------------------


def test_hit_opens_one_alert_and_repeats_are_idempotent(sessions: sessionmaker[Session]) -> None:
    record_hash = _record(sessions)
    assert _apply(sessions, _hit(record_hash)) == "opened"
    assert _apply(sessions, _hit(record_hash)) == "unchanged"
    assert _apply(sessions, _hit(record_hash, entity_hash="f" * 64, version=2)) == "updated"
    assert _apply(sessions, _hit(record_hash, entity_hash="a" * 64, version=1)) == "stale"
    with sessions() as session:
        assert session.scalar(select(text("count(*)")).select_from(Alert)) == 1
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["records.loaded", "alert.opened", "alert.updated"]


def test_live_pair_is_unique_in_the_schema(sessions: sessionmaker[Session]) -> None:
    record_hash = _record(sessions)
    _apply(sessions, _hit(record_hash))
    first = _alert(sessions)
    with pytest.raises(DBAPIError), sessions.begin() as session:
        duplicate = Alert(
            **{c.name: getattr(first, c.name) for c in Alert.__table__.columns if c.name != "id"}
        )
        session.add(duplicate)
        session.flush()


def test_workflow_without_four_eyes_is_final_at_once(sessions: sessionmaker[Session]) -> None:
    _apply(sessions, _hit(_record(sessions)))
    flow = Workflow(sessions, four_eyes=False)
    alert = _alert(sessions)
    assert flow.review(alert.id, "alice")["status"] == "in_review"
    done = flow.decide(alert.id, "alice", "true_match", "identity_confirmed", "passport seen")
    assert (done["status"], done["decision"], done["decided_by"]) == (
        "decided",
        "true_match",
        "alice",
    )
    with pytest.raises(AlertError, match="cannot be decided"):
        flow.decide(alert.id, "bob", "false_positive", "common_name_only")


def test_four_eyes_needs_a_different_user(sessions: sessionmaker[Session]) -> None:
    _apply(sessions, _hit(_record(sessions)))
    flow = Workflow(sessions, four_eyes=True)
    alert_id = _alert(sessions).id
    assert flow.decide(alert_id, "alice", "false_positive", "different_birth_date")["status"] == (
        "pending_confirmation"
    )
    with pytest.raises(AlertError, match="different user"):
        flow.confirm(alert_id, "alice")
    assert flow.confirm(alert_id, "bob", approve=False)["status"] == "in_review"
    flow.decide(alert_id, "alice", "false_positive", "different_birth_date")
    confirmed = flow.confirm(alert_id, "bob")
    assert (confirmed["status"], confirmed["confirmed_by"]) == ("decided", "bob")


def test_bad_decisions_are_refused(sessions: sessionmaker[Session]) -> None:
    _apply(sessions, _hit(_record(sessions)))
    flow = Workflow(sessions, four_eyes=False)
    alert_id = _alert(sessions).id
    with pytest.raises(AlertError, match="unknown decision"):
        flow.decide(alert_id, "alice", "maybe", "other", "x")
    with pytest.raises(AlertError, match="does not fit"):
        flow.decide(alert_id, "alice", "true_match", "common_name_only")
    with pytest.raises(AlertError, match="needs a note"):
        flow.decide(alert_id, "alice", "escalated", "other")
    with pytest.raises(AlertError, match="named user"):
        flow.review(alert_id, " ")
    with pytest.raises(AlertError, match="no alert"):
        flow.review(999, "alice")


def test_stale_version_gets_a_conflict(sessions: sessionmaker[Session]) -> None:
    _apply(sessions, _hit(_record(sessions)))
    flow = Workflow(sessions, four_eyes=False)
    alert = _alert(sessions)
    flow.review(alert.id, "alice", expected_version=alert.version)
    with pytest.raises(AlertConflict, match="alice"):
        flow.decide(
            alert.id, "bob", "false_positive", "common_name_only", expected_version=alert.version
        )


def test_two_analysts_deciding_at_once_exactly_one_wins(sessions: sessionmaker[Session]) -> None:
    _apply(sessions, _hit(_record(sessions)))
    alert = _alert(sessions)
    flow = Workflow(sessions, four_eyes=False)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(user: str, decision: str, reason: str) -> None:
        barrier.wait()
        try:
            outcomes[user] = flow.decide(
                alert.id, user, decision, reason, expected_version=alert.version
            )
        except AlertError as exc:
            outcomes[user] = exc

    threads = [
        threading.Thread(target=decide, args=("alice", "true_match", "identity_confirmed")),
        threading.Thread(target=decide, args=("bob", "false_positive", "common_name_only")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wins = [u for u, o in outcomes.items() if isinstance(o, dict)]
    losses = [o for o in outcomes.values() if isinstance(o, AlertConflict)]
    assert len(wins) == 1 and len(losses) == 1
    final = _alert(sessions)
    assert final.decided_by == wins[0] and final.version == alert.version + 1
    with sessions() as session:
        decided = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.decided")
        ).all()
        assert [e.actor for e in decided] == wins
        assert audit.verify_chain(session).ok


def test_confirmed_false_positive_is_suppressed_until_content_changes(
    sessions: sessionmaker[Session],
) -> None:
    record_hash = _record(sessions)
    _apply(sessions, _hit(record_hash))
    flow = Workflow(sessions, four_eyes=True)
    alert_id = _alert(sessions).id
    flow.decide(alert_id, "alice", "false_positive", "different_birth_date")
    assert _apply(sessions, _hit(record_hash)) == "unchanged"  # not final yet, nothing changed
    flow.confirm(alert_id, "bob")
    assert _apply(sessions, _hit(record_hash)) == "unchanged"  # suppressed
    assert _apply(sessions, _hit(record_hash, entity_hash="f" * 64, version=2)) == "reopened"
    reopened = _alert(sessions)
    assert (reopened.status, reopened.decision) == ("open", None)
    # the same again for a change of the record
    flow.decide(alert_id, "alice", "false_positive", "different_birth_date")
    flow.confirm(alert_id, "bob")
    new_hash = _record(sessions, name="Ana Ruiz Soto")
    assert _apply(sessions, _hit(new_hash, entity_hash="f" * 64, version=2)) == "reopened"
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "alert.reopened")
        ).all()
        assert [json.loads(e.detail)["changed"] for e in events] == [["entity"], ["record"]]
        assert json.loads(events[0].detail)["previous"]["decision"] == "false_positive"


def test_closed_alert_frees_the_pair(sessions: sessionmaker[Session]) -> None:
    record_hash = _record(sessions)
    _apply(sessions, _hit(record_hash))
    with sessions.begin() as session:
        lock_for_write(session)
        close_alert(
            session,
            session.scalars(select(Alert)).one(),
            actor="clearance",
            reason="entity delisted",
        )
    assert _apply(sessions, _hit(record_hash)) == "opened"
    with sessions() as session:
        statuses = sorted(session.scalars(select(Alert.status)).all())
    assert statuses == ["closed", "open"]


# --- audit -----------------------------------------------------------------------------------


def _chain(sessions: sessionmaker[Session], n: int = 5) -> None:
    for i in range(n):
        with sessions.begin() as session:
            audit.append_event(
                session, actor="alice", action="test.event", detail={"i": i, "text": "Müller ñ"}
            )


def _tamper(engine: Engine, sql: str) -> None:  # noqa: F811
    """Simulate an attacker with database rights: drop the append-only triggers, then edit."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        connection.execute(text(sql))


def test_audit_chain_verifies_and_exports(sessions: sessionmaker[Session]) -> None:
    _chain(sessions)
    with sessions() as session:
        report = audit.verify_chain(session)
        assert report.ok and report.checked == 5
        out = io.StringIO()
        assert audit.export_events(session, out, "jsonl") == 5
        rows = [json.loads(line) for line in out.getvalue().splitlines()]
        csv_out = io.StringIO()
        audit.export_events(session, csv_out, "csv")
    assert rows[0]["prev_hash"] == audit.GENESIS_HASH
    assert all(rows[i]["prev_hash"] == rows[i - 1]["hash"] for i in range(1, 5))
    assert rows[2]["detail"] == {"i": 2, "text": "Müller ñ"}
    assert csv_out.getvalue().splitlines()[0].startswith("seq,at,actor,action")


def test_audit_table_refuses_updates_and_deletes(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
) -> None:
    _chain(sessions, 2)
    for sql in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(sql))


@pytest.mark.parametrize(
    ("sql", "broken", "problem"),
    [
        ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3", 3, "altered"),
        ("UPDATE audit_events SET detail = '[9]' WHERE seq = 4", 4, "altered"),
        ("DELETE FROM audit_events WHERE seq = 2", 2, "missing"),
        ("DELETE FROM audit_events WHERE seq = 5", 5, "tail deleted"),
    ],
)
def test_audit_verify_names_the_first_broken_link(
    sessions: sessionmaker[Session],
    engine: Engine,  # noqa: F811
    sql: str,
    broken: int,
    problem: str,
) -> None:
    _chain(sessions)
    _tamper(engine, sql)
    with sessions() as session:
        report = audit.verify_chain(session)
    assert not report.ok
    assert report.broken_seq == broken
    assert problem in (report.problem or "")


def test_concurrent_writers_extend_the_chain_without_forking(
    sessions: sessionmaker[Session],
) -> None:
    def write(worker: int) -> None:
        for i in range(10):
            with sessions.begin() as session:
                lock_for_write(session)
                audit.append_event(
                    session, actor=f"w{worker}", action="test.event", detail={"i": i}
                )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        report = audit.verify_chain(session)
    assert report.ok and report.checked == 30


# --- business days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2024, 5, 3), date(2024, 5, 17)),  # plain two weeks
        (date(2024, 5, 20), date(2024, 6, 4)),  # Memorial Day May 27
        (date(2024, 11, 22), date(2024, 12, 9)),  # Thanksgiving Nov 28
        (date(2024, 12, 20), date(2025, 1, 7)),  # Christmas and New Year
        (date(2025, 6, 13), date(2025, 6, 30)),  # Juneteenth (Thursday)
        (date(2022, 12, 30), date(2023, 1, 17)),  # New Year observed Jan 2, MLK Jan 16
    ],
)
def test_report_due_dates_skip_weekends_and_federal_holidays(start: date, due: date) -> None:
    assert add_business_days(start, 10) == due


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_due_date_is_the_tenth_business_day_after(start: date) -> None:
    due = add_business_days(start, 10)
    assert is_business_day(due)
    assert business_days_between(start, due) == 10
    assert 12 <= (due - start).days <= 22  # a weekend start gains a day or two; holidays add


# --- record files ----------------------------------------------------------------------------


def test_records_file_keeps_every_named_row_and_rejects_the_rest_with_line_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "cust_no,full_name,schema,birth_date,country,id_number\n"
        "1,Ana Ruiz,Person,1980-02-01,Mexico,\n"
        ",No Id,Person,,,\n"
        "3,,Person,,,\n"
        "4,Bad Date,Person,01/02/1980,,\n"
        "5,Bad Country,Person,,Atlantis,\n"
        "6,Bad Schema,Spaceship,,,\n"
        "1,Ana Again,Person,,,\n"
        "7,Acme S.A. de C.V.,company,,mx,RFC-123\n"
        "8,Too,Many,Fields,,,,\n",
        encoding="utf-8",
    )
    result = read_records(path, {"cust_no": "id", "full_name": "name"})
    # a field that cannot be used is left out, the record is still monitored
    assert [r.id for r in result.records] == ["1", "4", "5", "6", "7"]
    records = {r.id: r for r in result.records}
    assert records["1"].country == "mx" and records["7"].schema == "Company"
    assert records["4"].birth_date == "1980-02-01;1980-01-02"  # both readings are matched
    assert records["5"].country is None and records["6"].schema == "LegalEntity"
    assert [(w.location.line, w.location.field) for w in result.warnings] == [
        (5, "birth_date"),
        (6, "country"),
        (7, "schema"),
    ]
    assert [(r.location.line, r.location.field) for r in result.rejects] == [
        (3, "cust_no"),
        (4, "full_name"),
        (8, "cust_no"),
        (10, None),
    ]
    assert "first on line 2" in str(result.rejects[2])


def test_records_jsonl_and_parquet_read_the_same(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"id": "a", "name": "Ana Ruiz", "schema": "Person", "birth_date": "1980", "country": None},
        {"id": "b", "name": "Acme Ltd", "schema": None, "birth_date": None, "country": "GB"},
    ]
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    parquet = tmp_path / "r.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    from_jsonl = read_records(jsonl)
    assert from_jsonl.records == read_records(parquet).records
    assert from_jsonl.rejects[0].location.line == 3


# --- candidate pass --------------------------------------------------------------------------


def test_candidate_pass_finds_variants_and_identifiers() -> None:
    names = [
        "Joaquin Guzman Loera",
        "JOAQUÍN GUZMÁN",
        "Guzmán, Joaquín A.",
        "Joaquim Guzmann",  # typos on both tokens
        "Maria Guzman",  # one token only
        "Chapo Delivery LLC",  # weak alias only
        "Unrelated Person",
        "Иван Петров",  # Cyrillic, transliterated
    ]
    ids: list[str | None] = [None] * len(names)
    ids[6] = "g-123/45"
    index = RecordTokens.build(names, ids)
    entities = [
        Entity(
            "us_ofac_sdn:1",
            "Person",
            [
                Name("GUZMAN LOERA, Joaquin Archivaldo"),
                Name("CHAPO", NameKind.WEAK_ALIAS),
            ],
            identifiers=[Identifier(IdKind.PASSPORT, "G12345")],
        ),
        Entity("us_ofac_sdn:2", "Person", [Name("PETROV, Ivan")]),
    ]
    found = [names[i] for i in candidate_records(index, entities)]
    assert found == [
        "Joaquin Guzman Loera",
        "JOAQUÍN GUZMÁN",
        "Guzmán, Joaquín A.",
        "Joaquim Guzmann",
        "Unrelated Person",
        "Иван Петров",
    ]


def test_record_content_hash_ignores_id_and_tracks_fields() -> None:
    a = RecordInput("1", "Ana Ruiz", "Person", "1980")
    assert a.content_hash() == dataclasses.replace(a, id="2").content_hash()
    assert a.content_hash() != dataclasses.replace(a, birth_date="1981").content_hash()


def test_upsert_detects_changes_and_reactivation(sessions: sessionmaker[Session]) -> None:
    rows = [RecordInput("1", "Ana Ruiz"), RecordInput("2", "Bo Li")]
    with sessions.begin() as session:
        lock_for_write(session)
        first = upsert_records(session, rows, actor="t", source="a")
    with sessions.begin() as session:
        lock_for_write(session)
        session.execute(
            MonitoredRecord.__table__.update().where(MonitoredRecord.id == "2").values(active=False)
        )
        again = upsert_records(
            session,
            [RecordInput("1", "Ana Ruiz Soto"), RecordInput("2", "Bo Li")],
            actor="t",
            source="b",
        )
    assert (first.added, again.updated, again.reactivated, again.unchanged) == (2, 1, 1, 0)
