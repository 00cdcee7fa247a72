"""Read-side queries over alerts, shared by the CLI, the HTTP API and the web pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.monitoring.alerts import AlertError, alert_summary
from clearance.monitoring.audit import event_payload, verify_alert
from clearance.monitoring.tables import ALERT_STATUSES, Alert, AuditEvent, MonitoredRecord


def list_alerts(
    session: Session,
    *,
    status: str | None = None,
    record_id: str | None = None,
    entity_id: str | None = None,
    review: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Alerts newest first, optionally filtered (``review``: only those with an open task)."""
    if status is not None and status not in ALERT_STATUSES:
        raise AlertError(f"unknown status {status!r} (use {', '.join(ALERT_STATUSES)})")
    query = select(Alert).order_by(Alert.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(Alert.status == status)
    if record_id is not None:
        query = query.where(Alert.record_id == record_id)
    if entity_id is not None:
        query = query.where(Alert.entity_id == entity_id)
    if review:
        query = query.where(Alert.review_task.is_not(None))
    return [alert_summary(a) for a in session.scalars(query)]


def alert_with_history(session: Session, alert_id: int) -> dict[str, Any]:
    """The alert, its monitored record and every audit event about it, oldest first.

    ``audit_problems`` lists what :func:`verify_alert` found wrong with this alert's trail or row
    (empty when it verifies), so every view of the alert can warn.
    """
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertError(f"no alert {alert_id}")
    record = session.get(MonitoredRecord, alert.record_id)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.alert_id == alert_id).order_by(AuditEvent.seq)
    ).all()
    return {
        **alert_summary(alert),
        "record": None
        if record is None
        else {
            "id": record.id,
            "name": record.name,
            "schema": record.schema,
            "birth_date": record.birth_date,
            "country": record.country,
            "id_number": record.id_number,
            "active": record.active,
        },
        "history": [event_payload(e) for e in events],
        "audit_problems": verify_alert(session, alert_id),
    }
