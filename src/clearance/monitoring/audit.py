"""The audit trail: append-only, hash-chained events that an examiner can verify.

Every event's ``hash`` is ``sha256(prev_hash + canonical_json(event))``, where the event is its
sequence number, time, actor, action, subject ids and detail. Changing, inserting or deleting any
row breaks the chain at that row, and :func:`verify_chain` names the first broken link.

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
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clearance.monitoring.tables import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1
EXPORT_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "alert_id",
    "record_id",
    "entity_id",
    "detail",
    "prev_hash",
    "hash",
)


def canonical_json(value: Any) -> str:
    """One byte-exact JSON text per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_now() -> datetime:
    return datetime.now(UTC)


def event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "alert_id": event.alert_id,
        "record_id": event.record_id,
        "entity_id": event.entity_id,
        "detail": json.loads(event.detail),
    }


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    """The chain hash of ``event`` following ``prev_hash``."""
    data = (prev_hash + canonical_json(event_payload(event))).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


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
        prev_hash=prev_hash,
    )
    event.hash = event_hash(prev_hash, event)
    session.add(event)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(hash=event.hash))
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of :func:`verify_chain`. ``broken_seq`` is the first link that fails."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "broken_seq": self.broken_seq,
            "problem": self.problem,
        }


def verify_chain(session: Session) -> ChainReport:
    """Recompute the whole chain; report the first missing, altered or re-linked event."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
    for event in rows:
        if event.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                f"event {expected_seq} is missing (next is {event.seq})",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, event.seq, "prev_hash does not match the previous event's hash"
            )
        try:
            recomputed = event_hash(expected_prev, event)
        except json.JSONDecodeError:
            return ChainReport(False, checked, event.seq, "detail is not valid JSON")
        if recomputed != event.hash:
            return ChainReport(
                False, checked, event.seq, "content does not match its hash (event altered)"
            )
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
        session.expunge(event)
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and (head.seq != checked or head.hash != expected_prev):
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"the chain head records {head.seq} events but {checked} are present (tail deleted)",
        )
    return ChainReport(True, checked)


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
            writer.writerow(payload)
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (use jsonl or csv)")
    return count
