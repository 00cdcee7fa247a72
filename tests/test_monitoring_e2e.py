"""End to end on the real SDN lists, on SQLite and PostgreSQL: import an older version, watch
records, import a newer one, check the alerts the diff implies, decide them, verify the audit
chain, draft the reports; and the fault cases (killed re-screen, list update during a run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from clearance.cli.main import app
from clearance.matching import Screener
from clearance.model import Entity
from clearance.monitoring import Monitor
from clearance.monitoring.alerts import Workflow
from clearance.monitoring.audit import verify_chain
from clearance.monitoring.business_days import add_business_days
from clearance.monitoring.records import RecordInput
from clearance.monitoring.reports import BLOCKED_PROPERTY, annual_report, report_draft
from clearance.monitoring.tables import Alert, AuditEvent, RescreenRun
from clearance.store import Store
from conftest import LISTS, REPO
from test_monitoring_fixtures import database_url  # noqa: F401

SDN = LISTS / "ofac_sdn"
OLDER, NEWER = SDN / "sdn_2024-04-04", SDN / "sdn_2024-05-03"
pytestmark = pytest.mark.slow


@dataclass
class ListChange:
    added: list[Entity]
    removed: list[Entity]
    changed: list[Entity]


@pytest.fixture(scope="session")
def change(tmp_path_factory: pytest.TempPathFactory) -> ListChange:
    """The real diff sdn_2024-04-04 -> sdn_2024-05-03 (403 added, 12 removed, 10 changed)."""
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('scratch') / 'scratch.sqlite'}")
    a = store.import_paths([OLDER]).results[0].version.id
    b = store.import_paths([NEWER]).results[0].version.id
    diff = store.diff(a, b)
    result = ListChange(
        added=[store.get_entity(i, version_id=b) for i in diff.added],  # type: ignore[misc]
        removed=[store.get_entity(i, version_id=a) for i in diff.removed],  # type: ignore[misc]
        changed=[store.get_entity(c.id, version_id=b) for c in diff.changed],  # type: ignore[misc]
    )
    store.close()
    return result


def _as_record(record_id: str, entity: Entity) -> RecordInput:
    return RecordInput(
        record_id, entity.caption, "Person" if entity.schema == "Person" else "LegalEntity"
    )


def _removed_parties(change: ListChange) -> list[Entity]:
    """Delisted people and organisations (customers are not aircraft or vessels)."""
    return [e for e in change.removed if e.schema not in ("Vessel", "Airplane")][:3]


def _records(change: ListChange) -> list[RecordInput]:
    """Customers named like entities the newer list adds, removes and changes, plus others."""
    added_people = [e for e in change.added if e.schema == "Person"][:4]
    added_orgs = [e for e in change.added if e.schema in ("Organization", "Company")][:2]
    records = [_as_record(f"new{i}", e) for i, e in enumerate(added_people + added_orgs)]
    records += [_as_record(f"gone{i}", e) for i, e in enumerate(_removed_parties(change))]
    records += [_as_record(f"chg{i}", e) for i, e in enumerate(change.changed[:2])]
    records += [
        RecordInput("plain1", "Margaret Thornbury", "Person", "1971"),
        RecordInput("plain2", "Blue Harbour Bakery LLC", "Company"),
    ]
    return records


def _pairs(monitor: Monitor, **where: object) -> set[tuple[str, str]]:
    with monitor.sessions() as session:
        query = select(Alert.record_id, Alert.entity_id)
        for column, value in where.items():
            query = query.where(getattr(Alert, column) == value)
        return {(r, e) for r, e in session.execute(query)}


def _expected_run_pairs(change: ListChange, records: list[RecordInput]) -> set[tuple[str, str]]:
    """Brute force: every record screened against the added and changed entities."""
    screener = Screener.from_entities(change.added + change.changed)
    found = set()
    for record in records:
        for hit in screener.screen(record.name, schema=record.schema, birth_date=record.birth_date):
            found.add((record.id, hit.entity_id))
    return found


def test_whole_flow_on_real_lists(change: ListChange, database_url: str) -> None:  # noqa: F811
    store = Store.open(database_url)
    store.import_paths([OLDER])
    monitor = Monitor(store)
    monitor.attach()
    records = _records(change)
    report = monitor.add_records(records, actor="onboarding", source="customers.csv")
    assert report.upsert.added == len(records) and report.screening.screened == len(records)
    before = _pairs(monitor)
    removed_ids = {e.id for e in change.removed}
    changed_ids = {e.id for e in change.changed}
    added_ids = {e.id for e in change.added}
    gone = {(f"gone{i}", e.id) for i, e in enumerate(_removed_parties(change))}
    assert gone and gone <= before
    assert not {e for _, e in before} & added_ids  # not listed yet

    # an analyst clears a changed entity's alert as a false positive (final, no four-eyes)
    chg_alert = _alert_id(monitor, "chg0", change.changed[0].id)
    Workflow(monitor.sessions, four_eyes=False).decide(
        chg_alert, "carol", "false_positive", "different_entity_type", "our client is a bakery"
    )

    store.import_paths([NEWER])  # the listener re-screens by diff

    with monitor.sessions() as session:
        run = session.scalars(select(RescreenRun).where(RescreenRun.old_version.is_not(None))).one()
        opened_by_run = {
            (e.record_id, e.entity_id)
            for e in session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "alert.opened", AuditEvent.detail.contains(run.run_key)
                )
            )
        }
    assert run.status == "done"
    # exactly the alerts the diff implies: what brute force over the changed entities finds,
    # minus pairs that already had a live alert
    expected = _expected_run_pairs(change, records)
    assert opened_by_run == {p for p in expected if p not in before}
    assert {
        (f"new{i}", e.id)
        for i, e in enumerate([e for e in change.added if e.schema == "Person"][:4])
    } <= opened_by_run
    assert {e for _, e in opened_by_run} <= added_ids | changed_ids
    # delisted entities: alerts closed, reason recorded
    for record_id, entity_id in before:
        if entity_id in removed_ids:
            with monitor.sessions() as session:
                alert = session.scalars(
                    select(Alert).where(Alert.record_id == record_id, Alert.entity_id == entity_id)
                ).one()
            assert alert.status == "closed" and "delisted" in (alert.closed_reason or "")
    # the suppressed false positive re-opened because its entity changed
    with monitor.sessions() as session:
        reopened = session.get(Alert, chg_alert)
    assert reopened is not None and (reopened.status, reopened.decision) == ("open", None)

    # decide with four-eyes: alice decides, bob confirms
    flow = Workflow(monitor.sessions, four_eyes=True)
    true_alert = _alert_id(
        monitor, "new0", next(e for e in change.added if e.schema == "Person").id
    )
    flow.review(true_alert, "alice")
    flow.decide(true_alert, "alice", "true_match", "name_dob_country_match", "onboarding docs")
    confirmed = flow.confirm(true_alert, "bob")
    assert confirmed["status"] == "decided"

    with monitor.sessions() as session:
        assert verify_chain(session).ok
        draft = report_draft(session, store, true_alert)
        annual_next = annual_report(session, store, confirmed_year(session, true_alert) + 1)
        annual_prev = annual_report(session, store, confirmed_year(session, true_alert) - 1)
        decided_on = session.get(Alert, true_alert).confirmed_at.date()  # type: ignore[union-attr]
    assert draft.kind == BLOCKED_PROPERTY  # an SDN blocks
    assert draft.due_date == add_business_days(decided_on, 10)
    markdown = draft.to_markdown()
    assert "31 CFR 501.603" in markdown and draft.data["blocked_person"]["name"] in markdown
    assert "bob" in markdown and str(draft.due_date) in markdown
    assert [e["alert_id"] for e in annual_next.entries] == [true_alert]
    assert annual_prev.entries == []
    store.close()


def confirmed_year(session: object, alert_id: int) -> int:
    alert = session.get(Alert, alert_id)  # type: ignore[attr-defined]
    return alert.confirmed_at.year


def _alert_id(monitor: Monitor, record_id: str, entity_id: str) -> int:
    with monitor.sessions() as session:
        return session.scalars(
            select(Alert.id).where(
                Alert.record_id == record_id,
                Alert.entity_id == entity_id,
                Alert.status != "closed",
            )
        ).one()


def _prepare(database_url: str, change: ListChange) -> tuple[Store, Monitor]:  # noqa: F811
    """Older list, records screened against it, then the newer list imported unattended."""
    store = Store.open(database_url)
    store.import_paths([OLDER])
    monitor = Monitor(store, write_batch=2)
    monitor.add_records(_records(change), actor="onboarding", source="customers.csv")
    store.import_paths([NEWER])  # no listener attached: re-screening is pending
    return store, monitor


def _live_pairs_unique(monitor: Monitor) -> set[tuple[str, str]]:
    with monitor.sessions() as session:
        rows = session.execute(
            select(Alert.record_id, Alert.entity_id, func.count())
            .where(Alert.status != "closed")
            .group_by(Alert.record_id, Alert.entity_id)
        ).all()
        assert verify_chain(session).ok
    assert all(count == 1 for _, _, count in rows)
    return {(r, e) for r, e, _ in rows}


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from clearance.monitoring import Monitor
    from clearance.store import Store

    class Crashing(Monitor):
        batches = 0
        def _write_hits(self, session, chunk, context, summary):
            super()._write_hits(session, chunk, context, summary)
            Crashing.batches += 1
            if Crashing.batches == 2:
                session.commit()
                os.kill(os.getpid(), signal.SIGKILL)

    Crashing(Store.open(sys.argv[1]), write_batch=2).catch_up()
    """
)


def test_killed_rescreen_resumes_without_losing_or_duplicating_alerts(
    change: ListChange,
    database_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    store, monitor = _prepare(database_url, change)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, database_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert child.returncode == -9, child.stderr  # killed mid-run
    with monitor.sessions() as session:
        run = session.scalars(select(RescreenRun).where(RescreenRun.old_version.is_not(None))).one()
        partial = session.scalar(select(func.count()).select_from(Alert))
    assert run.status == "running" and partial > 0
    [summary] = monitor.catch_up()
    assert summary.resumed and summary.run_key == run.run_key
    live = _live_pairs_unique(monitor)

    # the same change processed without a crash, in a fresh database, gives the same alerts
    clean_store = Store.open(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    clean_store.import_paths([OLDER])
    clean = Monitor(clean_store)
    clean.add_records(_records(change), actor="onboarding", source="customers.csv")
    clean_store.import_paths([NEWER])
    clean.catch_up()
    assert live == _live_pairs_unique(clean)
    assert monitor.catch_up() == []  # done: nothing left
    store.close()
    clean_store.close()


def test_list_update_during_a_rescreen_and_concurrent_runs(
    change: ListChange,
    database_url: str,  # noqa: F811
) -> None:
    store = Store.open(database_url)
    older = store.import_paths([OLDER]).results[0].version.id
    monitor = Monitor(store, write_batch=2)
    monitor.add_records(_records(change), actor="onboarding", source="customers.csv")
    middle = store.import_paths([SDN / "sdn_2024-05-01"]).results[0].version.id
    store.import_paths([NEWER])
    # a run for the older change finishes only after the newest version is active...
    late = monitor.rescreen_change("us_ofac_sdn", older, middle)
    assert late.opened > 0
    # ...and two workers catch up at the same time
    results: list[object] = []
    workers = [
        threading.Thread(target=lambda: results.append(Monitor(store).catch_up())) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    live = _live_pairs_unique(monitor)
    removed_ids = {e.id for e in change.removed}
    assert not {e for _, e in live} & removed_ids  # nothing left open on delisted entities
    expected = _expected_run_pairs(change, _records(change))
    assert {p for p in expected if p[1] in {e.id for e in change.added}} <= live
    store.close()


def test_cli_flow(change: ListChange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", url)
    store = Store.open(url)
    store.import_paths([OLDER])
    store.close()
    person = next(e for e in change.added if e.schema == "Person")
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "cust,full_name,type\n"
        f'c1,"{person.caption}",Person\n'
        ",missing id,Person\n"
        "c2,Margaret Thornbury,Person\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "monitor",
            "add",
            str(customers),
            "--map",
            "cust=id",
            "--map",
            "full_name=name",
            "--map",
            "type=schema",
            "--user",
            "ops",
            "--format",
            "json",
        ],
    )
    assert added.exit_code == 1, added.output  # the row without an id is rejected, the rest added
    assert '"added": 2' in added.output and "line 3" in added.output
    store = Store.open(url)
    store.import_paths([NEWER])  # imported by another tool, no listener
    store.close()
    rescreen = runner.invoke(app, ["monitor", "rescreen", "--format", "json"])
    assert rescreen.exit_code == 0 and '"opened": 1' in rescreen.output
    listing = runner.invoke(app, ["alerts", "list", "--status", "open", "--format", "json"])
    assert person.id in listing.output
    alert_id = _first_id(listing.output)
    assert runner.invoke(app, ["alerts", "review", str(alert_id), "-u", "alice"]).exit_code == 0
    decided = runner.invoke(
        app,
        [
            "alerts",
            "decide",
            str(alert_id),
            "--decision",
            "true_match",
            "--reason",
            "identity_confirmed",
            "-u",
            "alice",
        ],
    )
    assert decided.exit_code == 0 and "decided" in decided.output
    again = runner.invoke(
        app,
        [
            "alerts",
            "decide",
            str(alert_id),
            "--decision",
            "false_positive",
            "--reason",
            "common_name_only",
            "-u",
            "bob",
        ],
    )
    assert again.exit_code == 1 and "cannot be decided" in again.output
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output
    report = runner.invoke(app, ["reports", "blocked-property", str(alert_id)])
    assert report.exit_code == 0 and "501.603" in report.output
    export = runner.invoke(
        app, ["audit", "export", "--format", "csv", "-o", str(tmp_path / "audit.csv")]
    )
    assert export.exit_code == 0
    assert (tmp_path / "audit.csv").read_text(encoding="utf-8").count("alert.decided") == 1


def _first_id(output: str) -> int:
    return json.loads(output)[0]["id"]


def test_cli_lists_import_rescreens_monitored_records(
    change: ListChange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`clearance lists import` of a newer SDN version opens the alerts its diff implies and
    closes those on delisted entities, with no `monitor rescreen` in between."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", url)
    runner = CliRunner()
    first = runner.invoke(app, ["lists", "import", str(OLDER)])
    assert first.exit_code == 0, first.output
    person = next(e for e in change.added if e.schema == "Person")
    delisted = _removed_parties(change)[0]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,schema\n"
        f'new,"{person.caption}",Person\n'
        f'gone,"{delisted.caption}",{_as_record("gone", delisted).schema}\n'
        "plain,Margaret Thornbury,Person\n",
        encoding="utf-8",
    )
    added = runner.invoke(app, ["monitor", "add", str(customers), "--format", "json"])
    assert added.exit_code == 0, added.output
    before = json.loads(
        runner.invoke(app, ["alerts", "list", "--status", "open", "--format", "json"]).output
    )
    assert {(a["record_id"], a["entity_id"]) for a in before} == {("gone", delisted.id)}

    newer = runner.invoke(app, ["lists", "import", str(NEWER)])
    assert newer.exit_code == 0, newer.output

    alerts = json.loads(runner.invoke(app, ["alerts", "list", "--format", "json"]).output)
    live = {(a["record_id"], a["entity_id"]) for a in alerts if a["status"] != "closed"}
    closed = {(a["record_id"], a["entity_id"]) for a in alerts if a["status"] == "closed"}
    assert ("new", person.id) in live
    assert ("gone", delisted.id) in closed
    assert not any(record == "plain" for record, _ in live | closed)
    rescreen = runner.invoke(app, ["monitor", "rescreen", "--format", "json"])
    assert rescreen.exit_code == 0 and json.loads(rescreen.output)["runs"] == []


def _alert_by_record(runner: CliRunner, record_id: str) -> dict:
    alerts = json.loads(runner.invoke(app, ["alerts", "list", "--format", "json"]).output)
    return next(a for a in alerts if a["record_id"] == record_id)


def test_delisting_opens_a_review_task_instead_of_closing_a_true_match(
    change: ListChange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A customer decided as a true match stays decided when the newer SDN delists the entity:
    a person gets a review task; an undecided alert on another delisted entity is closed."""
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    assert runner.invoke(app, ["lists", "import", str(OLDER)]).exit_code == 0
    decided_party, open_party = _removed_parties(change)[:2]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,schema\n"
        + "".join(
            f'{rid},"{e.caption}",{_as_record(rid, e).schema}\n'
            for rid, e in (("match", decided_party), ("other", open_party))
        ),
        encoding="utf-8",
    )
    assert runner.invoke(app, ["monitor", "add", str(customers)]).exit_code == 0
    match = _alert_by_record(runner, "match")
    decide = ["alerts", "decide", str(match["id"]), "--decision", "true_match"]
    decided = runner.invoke(app, [*decide, "--reason", "identity_confirmed", "-u", "alice"])
    assert decided.exit_code == 0, decided.output

    assert runner.invoke(app, ["lists", "import", str(NEWER)]).exit_code == 0

    match = _alert_by_record(runner, "match")
    assert (match["status"], match["decision"]) == ("decided", "true_match")
    assert "delisted" in match["review_task"] and "alice" in match["review_task"]
    assert _alert_by_record(runner, "other")["status"] == "closed"
    listed = runner.invoke(app, ["alerts", "list", "--review", "--format", "json"])
    assert [a["id"] for a in json.loads(listed.output)] == [match["id"]]
    resolve = ["alerts", "resolve-review", str(match["id"]), "-u", "bob"]
    assert runner.invoke(app, [*resolve, "--close", "--note", " "]).exit_code == 1
    closed = runner.invoke(app, [*resolve, "--close", "--note", "delisting confirmed by OFAC"])
    assert closed.exit_code == 0 and "closed" in closed.output
    final = _alert_by_record(runner, "match")
    assert final["review_task"] is None and "bob" in final["closed_reason"]
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0 and "intact" in verify.output


KILLED_IMPORT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from clearance.monitoring import Monitor
    from clearance.store import Store

    class Killed(Monitor):
        def _write_hits(self, session, chunk, context, summary):
            super()._write_hits(session, chunk, context, summary)
            session.commit()
            os.kill(os.getpid(), signal.SIGKILL)  # killed after the first alert is written

    store = Store.open()
    Killed(store, write_batch=1).attach()
    store.import_paths([Path(sys.argv[1])])
    """
)


def test_killed_import_leaves_its_rescreen_queued_shown_and_resumed(
    change: ListChange, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import killed during its re-screen: `lists status` says what is owed, and the next
    command (here the same import again, which is "unchanged") finishes it: no alert is lost."""
    monkeypatch.setenv("CLEARANCE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    assert runner.invoke(app, ["lists", "import", str(OLDER)]).exit_code == 0
    people = [e for e in change.added if e.schema == "Person"][:2]
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "id,name,schema\n" + "".join(f'new{i},"{e.caption}",Person\n' for i, e in enumerate(people)),
        encoding="utf-8",
    )
    assert runner.invoke(app, ["monitor", "add", str(customers)]).exit_code == 0
    child = subprocess.run(
        [sys.executable, "-c", KILLED_IMPORT, str(NEWER)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert child.returncode == -9, child.stderr
    status = runner.invoke(app, ["lists", "status"])
    assert "re-screen pending: us_ofac_sdn" in status.output and "running" in status.output
    pending = json.loads(runner.invoke(app, ["lists", "status", "--format", "json"]).output)
    assert len(pending["pending_rescreens"]) == 1

    again = runner.invoke(app, ["lists", "import", str(NEWER)])
    assert again.exit_code == 0 and "unchanged" in again.output
    alerts = json.loads(runner.invoke(app, ["alerts", "list", "--format", "json"]).output)
    assert {(a["record_id"], a["entity_id"]) for a in alerts} >= {
        (f"new{i}", e.id) for i, e in enumerate(people)
    }
    assert "re-screen pending" not in runner.invoke(app, ["lists", "status"]).output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
