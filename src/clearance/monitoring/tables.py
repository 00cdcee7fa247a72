"""Database tables of ongoing monitoring, on the store's declarative ``Base``.

Migration ``0002`` creates exactly these tables (plus the triggers that make ``audit_events``
append-only); keep both in step.

Integrity rules the schema itself enforces, so that a crash or a race cannot lose or duplicate an
alert:

* at most one *live* (not closed) alert per (record, entity) pair — a partial unique index;
* ``alerts.version`` is bumped by every change; writers compare-and-set on it (optimistic locking);
* ``rescreen_runs.run_key`` is unique, so a list change is processed by one run, resumable;
* ``audit_events.prev_hash`` is unique: two writers can never both extend the same chain link.

Migration ``0006`` adds the audit key ids and head MAC, ``alerts.review_task`` and encrypts the
webhook secrets.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base

#: Alert states. ``closed`` alerts are history; every other state is "live".
STATUS_OPEN = "open"
STATUS_IN_REVIEW = "in_review"
STATUS_PENDING_CONFIRMATION = "pending_confirmation"
STATUS_DECIDED = "decided"
STATUS_CLOSED = "closed"
ALERT_STATUSES = (
    STATUS_OPEN,
    STATUS_IN_REVIEW,
    STATUS_PENDING_CONFIRMATION,
    STATUS_DECIDED,
    STATUS_CLOSED,
)

LIVE_ALERT_CONDITION = "status <> 'closed'"


class MonitoredRecord(Base):
    """A customer or counterparty kept under watch. Removal is soft: alerts keep their record."""

    __tablename__ = "monitored_records"

    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    schema: Mapped[str] = mapped_column(String(32), default="LegalEntity")
    birth_date: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str] = mapped_column(String(64))
    #: ``content_hash`` at the last screening against the full active lists; differs while a
    #: screening is pending (new or changed record, or a crash before it finished).
    screened_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    """A possible match between a monitored record and a listed entity, and its case state."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_live_pair",
            "record_id",
            "entity_id",
            unique=True,
            sqlite_where=text(LIVE_ALERT_CONDITION),
            postgresql_where=text(LIVE_ALERT_CONDITION),
        ),
        Index("ix_alerts_entity_status", "entity_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(300), ForeignKey("monitored_records.id"))
    entity_id: Mapped[str] = mapped_column(String(300))
    dataset: Mapped[str] = mapped_column(String(64))
    entity_caption: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), index=True)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    record_hash: Mapped[str] = mapped_column(String(64))
    entity_hash: Mapped[str] = mapped_column(String(64))
    #: Store version the entity content was read from; stale runs never overwrite newer content.
    entity_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(24))
    reason_code: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(128))
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[str | None] = mapped_column(String(128))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: A task for a person (e.g. the entity of a true match was delisted); ``None`` when none.
    review_task: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)


class AuditEvent(Base):
    """One link of the append-only, keyed hash chain (never updated, never deleted).

    ``key_id`` names the audit key whose HMAC is ``hash``; ``None`` marks a legacy event of
    before migration 0006, chained with plain SHA-256.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, kept as text so it hashes stably
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    alert_id: Mapped[int | None] = mapped_column(Integer, index=True)
    record_id: Mapped[str | None] = mapped_column(String(300), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    key_id: Mapped[str | None] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's tip (single row). Bumping it first serialises writers of the chain.

    ``mac`` signs ``(seq, hash)`` under ``key_id``, so the tip cannot be moved back over a
    truncated tail without the key.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(40))
    mac: Mapped[str | None] = mapped_column(String(64))


class RescreenRun(Base):
    """One re-screening of the monitored records for one list change (``run_key`` unique)."""

    __tablename__ = "rescreen_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_key: Mapped[str] = mapped_column(String(300), unique=True)
    dataset: Mapped[str] = mapped_column(String(64))
    old_version: Mapped[int | None] = mapped_column(Integer)
    new_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # running / done
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookEndpoint(Base):
    """A URL that receives signed notifications of new and re-opened alerts."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    #: The signing secret, encrypted under the audit key ring (``enc:v1:<key id>:...``).
    secret: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """Outbox row written in the alert's own transaction, so no notification is lost."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(Integer, ForeignKey("webhook_endpoints.id"))
    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("alerts.id"))
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending / delivered / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookAttempt(Base):
    """The delivery log: every HTTP attempt with its outcome."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(Integer, ForeignKey("webhook_deliveries.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float] = mapped_column(Float)
