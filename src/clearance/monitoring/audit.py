"""The audit trail: append-only, keyed hash-chained events that an examiner can verify.

Every event's ``hash`` is ``HMAC-SHA256(key, prev_hash + canonical_json(event))`` under the audit
key named by its ``key_id`` (:mod:`clearance.monitoring.keys`: a key file or environment variable,
never the database). The event is its sequence number, time, actor, action, subject ids, detail
and key id. Without the key nobody can recompute a changed event's hash, so dropping the
append-only triggers and rewriting rows is detected; the triggers stay as a first guard only.

Events about an alert carry the alert's resulting state (:func:`alert_state`) in their detail, and
:func:`verify_chain` checks that every alert row still equals the state its last event records,
so ``UPDATE alerts SET decision = ...`` is detected too.

The head row (last ``seq`` and ``hash``) is signed as well. Deleting the tail *and* moving the head
back needs the key; against an insider who kept an old head from a backup, :func:`anchor` prints a
signed head to keep outside the database (a ticket, a WORM bucket, a printed log), and
``verify_chain(anchors=...)`` detects any truncation or rewrite before an anchored head.

Legacy events (written before migration 0006, ``key_id`` NULL) are verified under the old rule,
``sha256(prev_hash + canonical_json(event))``, and the report counts them: an insider could have
rewritten them before the keyed chain began. Migration 0006 re-signs none of them; it appends
keyed events that *state* what it found (:func:`seal_legacy`): ``audit.legacy_sealed`` with the
number of legacy events and their head hash, and one ``alert.state_sealed`` per existing alert
with its state at that moment. Legacy events must form a prefix of the chain followed at once by
that seal, so rewriting a keyed chain as an unkeyed one (no key needed for SHA-256) is detected.

Retention policy: decisions and their reasons must be kept for 10 years (31 CFR 501.601). Clearance
never deletes or updates audit events (migration 0002 installs triggers that refuse UPDATE and
DELETE on ``audit_events``); archive the database, do not prune it.

Writers first bump the single ``audit_head`` row, which takes the write lock on SQLite and a row
lock on PostgreSQL, so concurrent transactions extend the chain one after the other instead of
forking it; the unique ``prev_hash`` column is the backstop.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clearance.monitoring import keys
from clearance.monitoring.tables import Alert, AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1
ANCHOR_TYPE = "clearance-audit-anchor"
EXPORT_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "alert_id",
    "record_id",
    "entity_id",
    "detail",
    "key_id",
    "prev_hash",
    "hash",
)
#: The alert columns an event's ``state`` records and :func:`verify_chain` compares.
STATE_FIELDS = (
    "record_id",
    "entity_id",
    "status",
    "score",
    "decision",
    "reason_code",
    "note",
    "reviewer",
    "decided_by",
    "decided_at",
    "confirmed_by",
    "confirmed_at",
    "closed_reason",
    "closed_at",
    "review_task",
    "record_hash",
    "entity_hash",
    "entity_version",
    "version",
)


def canonical_json(value: Any) -> str:
    """One byte-exact JSON text per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _utc_text(value: datetime | None) -> str | None:
    """A time as naive-UTC ISO text, the same whether the database returns it aware or not."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def alert_state(alert: Any) -> dict[str, Any]:
    """The state of ``alert`` that the trail covers (decision, who, when, content, version)."""
    state: dict[str, Any] = {}
    for name in STATE_FIELDS:
        value = getattr(alert, name)
        state[name] = _utc_text(value) if isinstance(value, datetime) else value
    return state


def event_payload(event: AuditEvent) -> dict[str, Any]:
    payload = {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "alert_id": event.alert_id,
        "record_id": event.record_id,
        "entity_id": event.entity_id,
        "detail": json.loads(event.detail),
    }
    if event.key_id is not None:
        payload["key_id"] = event.key_id
    return payload


def event_hash(prev_hash: str, event: AuditEvent, ring: keys.KeyRing | None) -> str:
    """The chain hash of ``event`` after ``prev_hash``: HMAC under its key, SHA-256 if legacy."""
    return _link_hash(prev_hash, event_payload(event), event.key_id, ring, event.seq)


def _link_hash(
    prev_hash: str, payload: dict[str, Any], key_id: str | None, ring: keys.KeyRing | None, seq: int
) -> str:
    message = prev_hash + canonical_json(payload)
    if key_id is None:
        return hashlib.sha256(message.encode("utf-8")).hexdigest()
    if ring is None:
        raise keys.AuditKeyError(f"no audit key ring: event {seq} needs key {key_id!r}")
    return ring.mac(key_id, message)


def head_mac(ring: keys.KeyRing, key_id: str, seq: int, chain_hash: str) -> str:
    return ring.mac(key_id, f"head|{seq}|{chain_hash}")


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    alert_id: int | None = None,
    record_id: str | None = None,
    entity_id: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits or rolls back with it)."""
    ring = keys.require(create=True)
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq + 1))
    seq, prev_hash = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).one()
    event = AuditEvent(
        seq=seq,
        at=utc_now().isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        alert_id=alert_id,
        record_id=record_id,
        entity_id=entity_id,
        detail=canonical_json(detail or {}),
        key_id=ring.current_id,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(prev_hash, event, ring)
    session.add(event)
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .values(
            hash=event.hash,
            key_id=ring.current_id,
            mac=head_mac(ring, ring.current_id, seq, event.hash),
        )
    )
    return event


@dataclass(slots=True)
class ChainReport:
    """Outcome of :func:`verify_chain`. ``broken_seq`` is the first chain link that fails;
    ``problems`` names everything found wrong (links, head, alert rows, anchors)."""

    ok: bool = True
    checked: int = 0
    broken_seq: int | None = None
    problem: str | None = None
    problems: list[str] = field(default_factory=list)
    legacy_events: int = 0
    keyed_events: int = 0
    key_ids: list[str] = field(default_factory=list)
    alerts_checked: int = 0
    anchors_checked: int = 0

    def fail(self, message: str, seq: int | None = None) -> None:
        self.ok = False
        self.problems.append(message)
        if seq is not None and self.broken_seq is None:
            self.broken_seq, self.problem = seq, message

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken_seq": self.broken_seq,
            "problem": self.problem,
            "problems": self.problems,
            "legacy_events": self.legacy_events,
            "keyed_events": self.keyed_events,
            "key_ids": self.key_ids,
            "alerts_checked": self.alerts_checked,
            "anchors_checked": self.anchors_checked,
        }

    def summary(self) -> str:
        """One paragraph for people: what was verified, and under which rule."""
        parts = [f"{self.checked} events verified"]
        if self.keyed_events:
            parts.append(
                f"{self.keyed_events} signed with HMAC-SHA256 under key(s) {', '.join(self.key_ids)}"
            )
        if self.legacy_events:
            parts.append(
                f"{self.legacy_events} legacy events (before migration 0006) verified under the "
                "old unkeyed SHA-256 rule only"
            )
        parts.append(f"{self.alerts_checked} alerts match the state their last event records")
        if self.anchors_checked:
            parts.append(f"{self.anchors_checked} anchors matched")
        return "; ".join(parts)


def _check_event(
    event: AuditEvent, expected_prev: str, ring: keys.KeyRing | None, keyed_from: int | None
) -> str | None:
    """What is wrong with one event given the hash before it, or ``None``."""
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the previous event's hash"
    if event.key_id is None and keyed_from is not None and event.seq > keyed_from:
        return (
            f"event carries no audit key although the keyed chain began at event {keyed_from} "
            "(unkeyed events may only precede it: forged)"
        )
    try:
        recomputed = event_hash(expected_prev, event, ring)
    except json.JSONDecodeError:
        return "detail is not valid JSON"
    except keys.AuditKeyError as exc:
        return str(exc)
    if not hmac.compare_digest(recomputed, event.hash):
        return "content does not match its hash (event altered or re-hashed without the key)"
    return None


def _seal_problem(event: AuditEvent, legacy_events: int, legacy_head: str) -> str | None:
    """What is wrong with the first keyed event after legacy ones (it must be the 0006 seal)."""
    detail = json.loads(event.detail)
    if (
        event.action != LEGACY_SEALED
        or detail.get("legacy_events") != legacy_events
        or detail.get("legacy_head") != legacy_head
    ):
        return (
            f"the {legacy_events} legacy events before it are not sealed by a keyed "
            f"{LEGACY_SEALED} event stating their number and head (the chain was rewritten)"
        )
    return None


def _first_keyed(session: Session) -> int | None:
    return session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.key_id.is_not(None)))


def _ring_for_verify(report: ChainReport) -> keys.KeyRing | None:
    try:
        return keys.load(create=False)
    except keys.AuditKeyError as exc:
        report.fail(str(exc))
        return None


def verify_chain(session: Session, anchors: Iterable[str] | None = None) -> ChainReport:
    """Recompute the whole chain, check the signed head, every alert row against its last
    event, and (given the lines of an anchor file) every anchored head."""
    report = ChainReport()
    ring = _ring_for_verify(report)
    keyed_from = _first_keyed(session)
    states: dict[int, Any] = {}
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        if event.seq != expected_seq:
            report.fail(f"event {expected_seq} is missing (next is {event.seq})", expected_seq)
            break
        problem = _check_event(event, expected_prev, ring, keyed_from)
        if problem is not None:
            report.fail(f"event {event.seq}: {problem}", event.seq)
            break
        if event.key_id is None:
            report.legacy_events += 1
        elif report.legacy_events and not report.keyed_events:
            problem = _seal_problem(event, report.legacy_events, expected_prev)
            if problem is not None:
                report.fail(f"event {event.seq}: {problem}", event.seq)
                break
        if event.key_id is not None:
            report.keyed_events += 1
            if event.key_id not in report.key_ids:
                report.key_ids.append(event.key_id)
        if event.alert_id is not None:
            states[event.alert_id] = (event.seq, json.loads(event.detail).get("state"))
        expected_prev = event.hash
        expected_seq += 1
        report.checked += 1
        session.expunge(event)
    if report.broken_seq is None and report.legacy_events and not report.keyed_events:
        report.fail(
            f"the {report.legacy_events} events are all unkeyed and not sealed by a keyed "
            f"{LEGACY_SEALED} event (migration 0006 writes one): the chain was rewritten "
            "without the key",
            report.checked,
        )
    if report.broken_seq is None:
        _check_head(session, report, ring, expected_prev)
    if report.broken_seq is None:
        _check_alerts(session, report, states)
    else:
        report.problems.append("alert rows not compared with the trail: the chain is broken")
    if anchors is not None:
        _check_anchors(session, report, ring, anchors)
    return report


def _check_head(
    session: Session, report: ChainReport, ring: keys.KeyRing | None, last_hash: str
) -> None:
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        report.fail("the chain head row is missing")
        return
    if head.seq != report.checked or head.hash != last_hash:
        report.fail(
            f"the chain head records {head.seq} events but {report.checked} are present "
            "(tail deleted or head moved)",
            report.checked + 1,
        )
        return
    if report.keyed_events == 0:
        return
    if head.key_id is None or head.mac is None or ring is None:
        report.fail("the chain head is not signed although the chain holds keyed events")
        return
    try:
        expected = head_mac(ring, head.key_id, head.seq, head.hash)
    except keys.AuditKeyError as exc:
        report.fail(f"the chain head: {exc}")
        return
    if not hmac.compare_digest(expected, head.mac):
        report.fail(
            "the chain head's signature is wrong (head rewritten without the key, e.g. after "
            "deleting the tail)",
            report.checked,
        )


def _state_mismatch(alert: Alert, recorded: dict[str, Any], seq: int) -> str | None:
    current = alert_state(alert)
    wrong = [name for name in STATE_FIELDS if current.get(name) != recorded.get(name)]
    if not wrong:
        return None
    details = ", ".join(
        f"{name} is {current.get(name)!r} but the trail says {recorded.get(name)!r}"
        for name in wrong
    )
    return f"alert {alert.id} was changed outside Clearance (last event {seq}): {details}"


def _check_alerts(session: Session, report: ChainReport, states: dict[int, Any]) -> None:
    seen: set[int] = set()
    for alert in session.execute(select(Alert).order_by(Alert.id)).scalars():
        seen.add(alert.id)
        entry = states.get(alert.id)
        if entry is None:
            report.fail(f"alert {alert.id} has no event in the audit trail (inserted outside)")
        elif entry[1] is None:
            report.fail(f"alert {alert.id}: its last event {entry[0]} records no state")
        else:
            problem = _state_mismatch(alert, entry[1], entry[0])
            if problem is None:
                report.alerts_checked += 1
            else:
                report.fail(problem)
        session.expunge(alert)
    for alert_id in sorted(set(states) - seen):
        report.fail(f"alert {alert_id} is in the audit trail but missing from the alerts table")


def verify_alert(session: Session, alert_id: int) -> list[str]:
    """What is wrong with one alert's trail: its events, their neighbours, and its row.

    Cheaper than :func:`verify_chain` (only this alert's events and the links around them), for
    showing one alert; an empty list means nothing found.
    """
    problems: list[str] = []
    report = ChainReport()
    ring = _ring_for_verify(report)
    problems += report.problems
    keyed_from = _first_keyed(session)
    head = session.get(AuditHead, HEAD_ID)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.alert_id == alert_id).order_by(AuditEvent.seq)
    ).all()
    for event in events:
        before = session.get(AuditEvent, event.seq - 1) if event.seq > 1 else None
        expected_prev = GENESIS_HASH if event.seq == 1 else (before.hash if before else None)
        if expected_prev is None:
            problems.append(f"event {event.seq - 1}, before this alert's event {event.seq}, is missing")
        problem = _check_event(event, expected_prev or event.prev_hash, ring, keyed_from)
        if problem is not None:
            problems.append(f"event {event.seq}: {problem}")
        after = session.get(AuditEvent, event.seq + 1)
        at_head = head is not None and head.seq == event.seq and head.hash == event.hash
        if (after is None or after.prev_hash != event.hash) and not at_head:
            problems.append(f"the event after {event.seq} is missing or re-linked")
    alert = session.get(Alert, alert_id)
    if alert is None:
        if events:
            problems.append(f"alert {alert_id} is in the audit trail but missing from the table")
        return problems
    if not events:
        problems.append(f"alert {alert_id} has no event in the audit trail (inserted outside)")
        return problems
    last = events[-1]
    state = json.loads(last.detail).get("state")
    if last.key_id is None or state is None:
        problems.append(f"alert {alert_id}: its last event {last.seq} is not keyed or has no state")
    else:
        mismatch = _state_mismatch(alert, state, last.seq)
        if mismatch is not None:
            problems.append(mismatch)
    return problems


def anchor(session: Session) -> dict[str, Any]:
    """The current head, signed: keep it outside the database and verify against it later."""
    ring = keys.require(create=True)
    head = session.get(AuditHead, HEAD_ID)
    seq, chain_hash = (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)
    data: dict[str, Any] = {
        "type": ANCHOR_TYPE,
        "seq": seq,
        "hash": chain_hash,
        "at": utc_now().isoformat(timespec="seconds"),
        "key_id": ring.current_id,
    }
    data["mac"] = ring.mac(ring.current_id, canonical_json(data))
    return data


def _check_anchors(
    session: Session, report: ChainReport, ring: keys.KeyRing | None, lines: Iterable[str]
) -> None:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"anchor line {number}"
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or data.get("type") != ANCHOR_TYPE:
                raise ValueError("not a Clearance audit anchor")
            seq, chain_hash, key_id, mac = (data[k] for k in ("seq", "hash", "key_id", "mac"))
        except (ValueError, KeyError) as exc:
            report.fail(f"{where}: unreadable ({exc})")
            continue
        unsigned = {k: v for k, v in data.items() if k != "mac"}
        try:
            valid = ring is not None and hmac.compare_digest(
                ring.mac(key_id, canonical_json(unsigned)), str(mac)
            )
        except keys.AuditKeyError as exc:
            report.fail(f"{where}: {exc}")
            continue
        if not valid:
            report.fail(f"{where}: its signature is wrong (not written by `audit anchor`)")
            continue
        report.anchors_checked += 1
        if seq == 0:
            continue
        event = session.get(AuditEvent, seq)
        if event is None:
            report.fail(
                f"{where} (event {seq}, {data.get('at')}): event {seq} is missing: the trail "
                "was truncated after the anchor was taken",
                seq,
            )
        elif event.hash != chain_hash:
            report.fail(
                f"{where} (event {seq}, {data.get('at')}): event {seq} has a different hash: "
                "the trail up to it was rewritten",
                seq,
            )


LEGACY_SEALED = "audit.legacy_sealed"
STATE_SEALED = "alert.state_sealed"


def seal_legacy(connection: Any) -> int:
    """Migration 0006: append keyed events stating the legacy chain and every alert's state.

    Re-signs nothing: the legacy events keep their unkeyed hashes. Returns the events written.
    Works on a Core connection (inside the migration), with the tables as 0006 leaves them.
    """
    from sqlalchemy import DateTime, Float, Integer, String, column, table

    events = table(
        "audit_events",
        *(column(n) for n in ("seq", "at", "actor", "action", "alert_id", "record_id")),
        *(column(n) for n in ("entity_id", "detail", "key_id", "prev_hash", "hash")),
    )
    head = table("audit_head", column("id"), column("seq"), column("hash"), column("key_id"),
                 column("mac"))
    typed = {"score": Float(), "entity_version": Integer(), "version": Integer()}
    stamps = ("decided_at", "confirmed_at", "closed_at")
    alerts = table(
        "alerts",
        column("id", Integer()),
        *(
            column(n, DateTime(timezone=True) if n in stamps else typed.get(n, String()))
            for n in STATE_FIELDS
        ),
    )
    seq, chain_hash = connection.execute(
        select(head.c.seq, head.c.hash).where(head.c.id == HEAD_ID)
    ).one()
    rows = connection.execute(select(alerts).order_by(alerts.c.id)).all()
    if seq == 0 and not rows:
        return 0
    ring = keys.require(create=True)
    key_id = ring.current_id
    at = utc_now().isoformat(timespec="microseconds")
    pending: list[tuple[str, int | None, Any, dict[str, Any]]] = []
    if seq:
        pending.append(
            (
                LEGACY_SEALED,
                None,
                None,
                {"legacy_events": seq, "legacy_head": chain_hash, "rule": "sha256"},
            )
        )
    for row in rows:
        pending.append((STATE_SEALED, row.id, row, {"state": alert_state(row)}))
    for action, alert_id, row, detail in pending:
        seq += 1
        payload = {
            "seq": seq,
            "at": at,
            "actor": "clearance",
            "action": action,
            "alert_id": alert_id,
            "record_id": row.record_id if row is not None else None,
            "entity_id": row.entity_id if row is not None else None,
            "detail": detail,
            "key_id": key_id,
        }
        link = _link_hash(chain_hash, payload, key_id, ring, seq)
        connection.execute(
            events.insert().values(
                **{**payload, "detail": canonical_json(detail)}, prev_hash=chain_hash, hash=link
            )
        )
        chain_hash = link
    connection.execute(
        head.update()
        .where(head.c.id == HEAD_ID)
        .values(seq=seq, hash=chain_hash, key_id=key_id, mac=head_mac(ring, key_id, seq, chain_hash))
    )
    return len(pending)


def iter_events(session: Session) -> Iterator[dict[str, Any]]:
    """Every event in order, as the examiner sees it (detail decoded)."""
    for event in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        payload = event_payload(event)
        payload["prev_hash"] = event.prev_hash
        payload["hash"] = event.hash
        session.expunge(event)
        yield payload


def export_events(session: Session, out: IO[str], fmt: str = "jsonl") -> int:
    """Write the trail as JSON lines or CSV (detail as canonical JSON); returns the count."""
    count = 0
    if fmt == "jsonl":
        for payload in iter_events(session):
            out.write(canonical_json(payload) + "\n")
            count += 1
    elif fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for payload in iter_events(session):
            payload["detail"] = canonical_json(payload["detail"])
            payload.setdefault("key_id", None)
            writer.writerow(payload)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use jsonl or csv)")
    return count
