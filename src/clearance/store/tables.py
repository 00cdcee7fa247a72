"""Database tables of the versioned list store, on the declarative ``Base`` other parts share.

Migration ``0001`` creates exactly these tables; keep both in step. Other parts (monitoring)
declare their tables on the same ``Base`` so one Alembic history covers the whole database.

Integrity rules the schema itself enforces:

* a dataset's ``complete`` versions have distinct content hashes (a partial unique index), so
  two processes importing the same files at once cannot both create a version;
* ``active_versions`` has one row per dataset: switching that row is the atomic activation;
* entity and warning rows belong to their version and go with it (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: A version whose entities are all stored; the only kind ever listed or activated.
STATUS_COMPLETE = "complete"
#: An import that raised while writing, or whose process died: kept (without entities) so the
#: attempt is on record.
STATUS_FAILED = "failed"
#: An import in progress, recorded (with its process id and host) in its own short transaction
#: before the long one that writes the entities; a row whose process is gone is marked failed
#: the next time the store is opened.
STATUS_IMPORTING = "importing"

COMPLETE_CONDITION = "status = 'complete'"


class Base(DeclarativeBase):
    """Declarative base of every Clearance table."""


class DatasetVersion(Base):
    """One imported version of one dataset: where it came from, when, and what it holds."""

    __tablename__ = "dataset_versions"
    __table_args__ = (
        Index(
            "uq_dataset_versions_complete_hash",
            "dataset",
            "content_hash",
            unique=True,
            sqlite_where=text(COMPLETE_CONDITION),
            postgresql_where=text(COMPLETE_CONDITION),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[Any]] = mapped_column(JSON)
    published: Mapped[str | None] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entity_count: Mapped[int] = mapped_column(Integer)
    warning_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    #: The importing process (migration 0005), to tell a running import from a killed one.
    pid: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(String(255))


class EntityRecord(Base):
    """An entity as stored in one version; ``data`` is the JSON of ``Entity.to_dict()``."""

    __tablename__ = "entities"

    version_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dataset_versions.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    schema: Mapped[str] = mapped_column(String(32))
    caption: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_entities_entity_id", "entity_id"),)


class ImportWarningRecord(Base):
    """A counted, skipped input problem of one version, with the file and line it names."""

    __tablename__ = "import_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dataset_versions.id", ondelete="CASCADE"), index=True
    )
    file: Mapped[str | None] = mapped_column(Text)
    line: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class ActiveVersion(Base):
    """The version screening uses for each dataset; one row per dataset."""

    __tablename__ = "active_versions"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, ForeignKey("dataset_versions.id"))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RescreenQueue(Base):
    """A re-screen owed to one activation, queued in the transaction that activates the version.

    The store only inserts; monitoring (:meth:`clearance.monitoring.Monitor.catch_up`) processes
    the rows with ``done_at`` unset, oldest first, and sets it when the re-screen finished, so a
    crash between activation and re-screen leaves the debt on record (migration 0006).
    """

    __tablename__ = "rescreen_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(64))
    old_version: Mapped[int | None] = mapped_column(Integer)
    new_version: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
