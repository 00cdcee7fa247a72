"""Alerts and their case workflow: open -> in_review -> decided, with optional four-eyes.

Re-screening calls :func:`apply_hit` / :func:`close_alert`; analysts call :class:`Workflow`. Every
change bumps ``alerts.version`` through a compare-and-set UPDATE, so of two analysts deciding the
same alert exactly one wins and the other gets :class:`AlertConflict` naming who changed it. Every
change is also an audit event in the same transaction.

A *final* false-positive decision suppresses the pair for as long as the content hashes of both the
record and the entity stay those it was decided on; a change of either re-opens the alert.

People decide: a machine never undoes a person's decision. When the entity of an alert decided as
a true match or escalated (final or awaiting confirmation) is delisted, :func:`close_or_review`
opens a review task on it instead of closing it; a person resolves it with
:meth:`Workflow.resolve_review` (close the alert, or keep the decision).

Four-eyes compares users case- and whitespace-insensitively (:func:`same_user`): ``ana`` and
``ANA `` are one person.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clearance.errors import ClearanceError
from clearance.monitoring import webhooks
from clearance.monitoring.audit import HEAD_ID, alert_state, append_event, utc_now
from clearance.monitoring.tables import (
    STATUS_CLOSED,
    STATUS_DECIDED,
    STATUS_IN_REVIEW,
    STATUS_OPEN,
    STATUS_PENDING_CONFIRMATION,
    Alert,
    AuditHead,
)

TRUE_MATCH = "true_match"
FALSE_POSITIVE = "false_positive"
ESCALATED = "escalated"

#: Reason codes an analyst may give for each decision (kept short and stable for reporting).
REASON_CODES: dict[str, tuple[str, ...]] = {
    TRUE_MATCH: (
        "identity_confirmed",
        "identifier_match",
        "name_dob_country_match",
        "owned_or_controlled",  # 50 Percent Rule
        "other",
    ),
    FALSE_POSITIVE: (
        "different_birth_date",
        "different_country",
        "different_identifier",
        "different_entity_type",
        "common_name_only",
        "other",
    ),
    ESCALATED: ("insufficient_information", "legal_review", "senior_review", "other"),
}
DECISIONS = tuple(REASON_CODES)
#: Decisions a person made that a machine must not undo (a delisting opens a review task).
PERSON_DECISIONS = (TRUE_MATCH, ESCALATED)


class AlertError(ClearanceError):
    """A workflow step that is not allowed (wrong state, unknown alert, bad reason code)."""


class AlertConflict(AlertError):
    """Another user changed the alert since the caller read it (optimistic lock lost)."""


def four_eyes_default() -> bool:
    """Four-eyes is on when ``CLEARANCE_FOUR_EYES`` is 1/true/yes."""
    return os.environ.get("CLEARANCE_FOUR_EYES", "").strip().lower() in ("1", "true", "yes", "on")


def lock_for_write(session: Session) -> None:
    """Take the monitoring write lock first thing in a transaction.

    A no-op UPDATE of the audit head takes SQLite's write lock (so later reads cannot go stale)
    and a row lock on PostgreSQL, which serialises monitoring writers without deadlocks.
    """
    session.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=AuditHead.seq))


def alert_summary(alert: Alert) -> dict[str, Any]:
    """The alert as plain data (API responses, webhook bodies, exports)."""
    return {
        "id": alert.id,
        "record_id": alert.record_id,
        "entity_id": alert.entity_id,
        "dataset": alert.dataset,
        "entity_caption": alert.entity_caption,
        "status": alert.status,
        "score": alert.score,
        "decision": alert.decision,
        "reason_code": alert.reason_code,
        "note": alert.note,
        "reviewer": alert.reviewer,
        "decided_by": alert.decided_by,
        "decided_at": _iso(alert.decided_at),
        "confirmed_by": alert.confirmed_by,
        "confirmed_at": _iso(alert.confirmed_at),
        "closed_reason": alert.closed_reason,
        "closed_at": _iso(alert.closed_at),
        "review_task": alert.review_task,
        "created_at": _iso(alert.created_at),
        "updated_at": _iso(alert.updated_at),
        "record_hash": alert.record_hash,
        "entity_hash": alert.entity_hash,
        "entity_version": alert.entity_version,
        "version": alert.version,
        "explanation": json.loads(alert.explanation or "{}"),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def is_suppressed(alert: Alert) -> bool:
    """A final false-positive decision: the pair stays quiet while both hashes are unchanged."""
    return alert.status == STATUS_DECIDED and alert.decision == FALSE_POSITIVE


@dataclass(frozen=True, slots=True)
class HitFacts:
    """What re-screening found for one (record, entity) pair."""

    record_id: str
    record_hash: str
    entity_id: str
    dataset: str
    entity_caption: str
    entity_hash: str
    entity_version: int
    score: float
    explanation: dict[str, Any]


def live_alert(session: Session, record_id: str, entity_id: str) -> Alert | None:
    return session.scalars(
        select(Alert).where(
            Alert.record_id == record_id,
            Alert.entity_id == entity_id,
            Alert.status != STATUS_CLOSED,
        )
    ).one_or_none()


def log_alert_event(
    session: Session, alert_id: int, *, actor: str, action: str, detail: dict[str, Any] | None = None
) -> None:
    """Append the audit event of a change to an alert, with the alert's resulting state.

    Every writer of ``alerts`` calls this after its UPDATE, so the last event of each alert
    records exactly what its row must hold (checked by ``audit verify``).
    """
    alert = session.get(Alert, alert_id)
    assert alert is not None  # the caller just wrote it
    append_event(
        session,
        actor=actor,
        action=action,
        alert_id=alert_id,
        record_id=alert.record_id,
        entity_id=alert.entity_id,
        detail={**(detail or {}), "state": alert_state(alert)},
    )


def apply_hit(session: Session, hit: HitFacts, *, actor: str, context: dict[str, Any]) -> str:
    """Open, update or re-open the pair's alert; returns what happened.

    Outcomes: ``opened``, ``reopened`` (a suppressed false positive whose record or entity
    changed), ``updated`` (content or score changed on a live alert), ``unchanged`` and ``stale``
    (the hit was computed from an older entity version than the alert already holds).
    """
    alert = live_alert(session, hit.record_id, hit.entity_id)
    now = utc_now()
    if alert is None:
        alert = Alert(
            record_id=hit.record_id,
            entity_id=hit.entity_id,
            dataset=hit.dataset,
            entity_caption=hit.entity_caption,
            status=STATUS_OPEN,
            score=hit.score,
            explanation=json.dumps(hit.explanation, sort_keys=True),
            record_hash=hit.record_hash,
            entity_hash=hit.entity_hash,
            entity_version=hit.entity_version,
            created_at=now,
            updated_at=now,
            version=1,
        )
        session.add(alert)
        session.flush()
        log_alert_event(
            session,
            alert.id,
            actor=actor,
            action="alert.opened",
            detail={**context, "score": hit.score, "entity_hash": hit.entity_hash},
        )
        webhooks.enqueue(session, alert.id, "alert.opened", alert_summary(alert))
        return "opened"
    if hit.entity_version < alert.entity_version:
        return "stale"
    record_changed = alert.record_hash != hit.record_hash
    entity_changed = alert.entity_hash != hit.entity_hash
    if not record_changed and not entity_changed:
        return "unchanged"
    changed = [
        name for name, flag in (("record", record_changed), ("entity", entity_changed)) if flag
    ]
    values: dict[str, Any] = {
        "record_hash": hit.record_hash,
        "entity_hash": hit.entity_hash,
        "entity_version": hit.entity_version,
        "entity_caption": hit.entity_caption,
        "score": hit.score,
        "explanation": json.dumps(hit.explanation, sort_keys=True),
        "updated_at": now,
        "version": alert.version + 1,
    }
    outcome = "updated"
    if is_suppressed(alert):
        outcome = "reopened"
        values.update(
            status=STATUS_OPEN,
            decision=None,
            reason_code=None,
            note=None,
            reviewer=None,
            decided_by=None,
            decided_at=None,
            confirmed_by=None,
            confirmed_at=None,
        )
    previous = {
        "status": alert.status,
        "decision": alert.decision,
        "reason_code": alert.reason_code,
        "decided_by": alert.decided_by,
        "score": alert.score,
    }
    _compare_and_set(session, alert, values)
    log_alert_event(
        session,
        alert.id,
        actor=actor,
        action=f"alert.{outcome}",
        detail={
            **context,
            "changed": changed,
            "previous": previous,
            "score": hit.score,
            "entity_hash": hit.entity_hash,
            "record_hash": hit.record_hash,
        },
    )
    if outcome == "reopened":
        webhooks.enqueue(session, alert.id, "alert.reopened", alert_summary(alert))
    return outcome


def note_no_longer_matching(
    session: Session, alert: Alert, *, actor: str, context: dict[str, Any]
) -> None:
    """Record on a live alert that the changed record or entity no longer scores as a hit."""
    log_alert_event(
        session, alert.id, actor=actor, action="alert.no_longer_matching", detail=context
    )


def close_alert(session: Session, alert: Alert, *, actor: str, reason: str, **detail: Any) -> None:
    """Close a live alert (entity delisted, record removed), keeping its decision and reason."""
    now = utc_now()
    previous_status = alert.status
    _compare_and_set(
        session,
        alert,
        {
            "status": STATUS_CLOSED,
            "closed_reason": reason,
            "closed_at": now,
            "updated_at": now,
            "version": alert.version + 1,
        },
    )
    log_alert_event(
        session,
        alert.id,
        actor=actor,
        action="alert.closed",
        detail={"reason": reason, "previous_status": previous_status, **detail},
    )


def close_or_review(
    session: Session, alert: Alert, *, actor: str, reason: str, **detail: Any
) -> str:
    """Close a live alert whose entity left the list, unless a person decided it.

    An alert decided as a true match or escalated keeps its decision: a review task is opened
    for a person (``review``), or left as it is when one is already open (``unchanged``).
    Otherwise the alert is closed (``closed``).
    """
    if alert.decision not in PERSON_DECISIONS:
        close_alert(session, alert, actor=actor, reason=reason, **detail)
        return "closed"
    if alert.review_task is not None:
        return "unchanged"
    task = (
        f"{reason}; the {alert.decision} decision by {alert.decided_by} stands until a person "
        "closes the alert or keeps it"
    )
    _compare_and_set(
        session,
        alert,
        {"review_task": task, "updated_at": utc_now(), "version": alert.version + 1},
    )
    log_alert_event(
        session,
        alert.id,
        actor=actor,
        action="alert.review_task_opened",
        detail={"reason": reason, **detail},
    )
    return "review"


def _compare_and_set(session: Session, alert: Alert, values: dict[str, Any]) -> None:
    """UPDATE ... WHERE version = <read version>; raise :class:`AlertConflict` if it moved."""
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.version == alert.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.expire(alert)
        current = session.get(Alert, alert.id)
        who = (current.decided_by or current.reviewer or "another user") if current else "someone"
        raise AlertConflict(
            f"alert {alert.id} was changed by {who} since you read it "
            f"(now version {current.version if current else '?'}); reload and try again"
        )
    session.expire(alert)


class Workflow:
    """Analyst actions on alerts. Each call is one transaction with its audit event."""

    def __init__(self, sessions: Any, *, four_eyes: bool | None = None) -> None:
        self.sessions = sessions
        self.four_eyes = four_eyes_default() if four_eyes is None else four_eyes

    def _load(self, session: Session, alert_id: int, expected_version: int | None) -> Alert:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise AlertError(f"no alert {alert_id}")
        if expected_version is not None and alert.version != expected_version:
            raise AlertConflict(
                f"alert {alert_id} is at version {alert.version}, you read version "
                f"{expected_version}; it was changed by "
                f"{alert.confirmed_by or alert.decided_by or alert.reviewer or 'another user'}"
            )
        return alert

    def review(self, alert_id: int, user: str, *, expected_version: int | None = None) -> dict:
        """open -> in_review: ``user`` takes the alert."""
        user = clean_user(user)
        with self.sessions.begin() as session:
            lock_for_write(session)
            alert = self._load(session, alert_id, expected_version)
            if alert.status != STATUS_OPEN:
                raise AlertError(f"alert {alert_id} is {alert.status}, not open")
            _compare_and_set(
                session,
                alert,
                {
                    "status": STATUS_IN_REVIEW,
                    "reviewer": user,
                    "updated_at": utc_now(),
                    "version": alert.version + 1,
                },
            )
            log_alert_event(session, alert_id, actor=user, action="alert.review_started")
            return alert_summary(session.get(Alert, alert_id))  # type: ignore[arg-type]

    def decide(
        self,
        alert_id: int,
        user: str,
        decision: str,
        reason_code: str,
        note: str = "",
        *,
        expected_version: int | None = None,
    ) -> dict:
        """Record a decision with its reason; final at once unless four-eyes is on."""
        user = clean_user(user)
        if decision not in REASON_CODES:
            raise AlertError(f"unknown decision {decision!r} (use {', '.join(DECISIONS)})")
        if reason_code not in REASON_CODES[decision]:
            raise AlertError(
                f"reason code {reason_code!r} does not fit {decision} "
                f"(use {', '.join(REASON_CODES[decision])})"
            )
        if reason_code == "other" and not note.strip():
            raise AlertError("reason code 'other' needs a note")
        with self.sessions.begin() as session:
            lock_for_write(session)
            alert = self._load(session, alert_id, expected_version)
            if alert.status not in (STATUS_OPEN, STATUS_IN_REVIEW):
                raise AlertError(f"alert {alert_id} is {alert.status}; it cannot be decided now")
            now = utc_now()
            final = not self.four_eyes
            _compare_and_set(
                session,
                alert,
                {
                    "status": STATUS_DECIDED if final else STATUS_PENDING_CONFIRMATION,
                    "decision": decision,
                    "reason_code": reason_code,
                    "note": note,
                    "reviewer": alert.reviewer or user,
                    "decided_by": user,
                    "decided_at": now,
                    "confirmed_by": None,
                    "confirmed_at": None,
                    "updated_at": now,
                    "version": alert.version + 1,
                },
            )
            log_alert_event(
                session,
                alert_id,
                actor=user,
                action="alert.decided",
                detail={
                    "decision": decision,
                    "reason_code": reason_code,
                    "note": note,
                    "final": final,
                    "record_hash": alert.record_hash,
                    "entity_hash": alert.entity_hash,
                },
            )
            return alert_summary(session.get(Alert, alert_id))  # type: ignore[arg-type]

    def confirm(
        self,
        alert_id: int,
        user: str,
        *,
        approve: bool = True,
        note: str = "",
        expected_version: int | None = None,
    ) -> dict:
        """Four-eyes: a *different* user approves the decision (final) or sends it back."""
        user = clean_user(user)
        with self.sessions.begin() as session:
            lock_for_write(session)
            alert = self._load(session, alert_id, expected_version)
            if alert.status != STATUS_PENDING_CONFIRMATION:
                raise AlertError(f"alert {alert_id} is {alert.status}, not awaiting confirmation")
            if same_user(alert.decided_by, user):
                raise AlertError(
                    f"four-eyes: {alert.decided_by} made this decision and {user!r} is the same "
                    "user; a different user must confirm it"
                )
            now = utc_now()
            values: dict[str, Any] = {"updated_at": now, "version": alert.version + 1}
            if approve:
                values.update(status=STATUS_DECIDED, confirmed_by=user, confirmed_at=now)
            else:
                values.update(status=STATUS_IN_REVIEW)
            decision, decided_by = alert.decision, alert.decided_by
            _compare_and_set(session, alert, values)
            log_alert_event(
                session,
                alert_id,
                actor=user,
                action="alert.confirmed" if approve else "alert.confirmation_rejected",
                detail={"decision": decision, "decided_by": decided_by, "note": note},
            )
            return alert_summary(session.get(Alert, alert_id))  # type: ignore[arg-type]

    def resolve_review(
        self,
        alert_id: int,
        user: str,
        *,
        close: bool,
        note: str,
        expected_version: int | None = None,
    ) -> dict:
        """A person resolves an alert's review task: close the alert, or keep its decision."""
        user = clean_user(user)
        if not note.strip():
            raise AlertError("resolving a review task needs a note (why close or keep)")
        with self.sessions.begin() as session:
            lock_for_write(session)
            alert = self._load(session, alert_id, expected_version)
            if alert.review_task is None:
                raise AlertError(f"alert {alert_id} has no open review task")
            task, now = alert.review_task, utc_now()
            values: dict[str, Any] = {
                "review_task": None,
                "updated_at": now,
                "version": alert.version + 1,
            }
            if close:
                values.update(
                    status=STATUS_CLOSED,
                    closed_reason=f"closed by {user} after review: {note}",
                    closed_at=now,
                )
            _compare_and_set(session, alert, values)
            log_alert_event(
                session,
                alert_id,
                actor=user,
                action="alert.review_resolved",
                detail={"task": task, "close": close, "note": note},
            )
            return alert_summary(session.get(Alert, alert_id))  # type: ignore[arg-type]


def clean_user(user: str | None) -> str:
    """The user name as recorded: surrounding whitespace removed, inner runs made one space."""
    cleaned = " ".join(unicodedata.normalize("NFKC", user or "").split())
    if not cleaned:
        raise AlertError("a named user is required")
    return cleaned


def same_user(a: str | None, b: str | None) -> bool:
    """Whether two user names are one person for four-eyes: case and whitespace do not count."""
    if a is None or b is None:
        return False
    return "".join(clean_user(a).split()).casefold() == "".join(clean_user(b).split()).casefold()
