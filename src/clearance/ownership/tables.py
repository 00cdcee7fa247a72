"""Tables of the ownership datasets, on the store's declarative ``Base`` (migration ``0008``).

An ownership dataset is versioned like a list (a version row, its records, one active pointer
per dataset switched in one transaction) but kept apart from the list tables: its parties are
not listed, so they must never become screening hits themselves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base


class OwnershipVersion(Base):
    """One imported version of one ownership dataset."""

    __tablename__ = "ownership_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[list[Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    party_count: Mapped[int] = mapped_column(Integer)
    interest_count: Mapped[int] = mapped_column(Integer)


class OwnershipRecord(Base):
    """A party (``kind`` "party") or interest ("interest") of one version, as JSON."""

    __tablename__ = "ownership_records"

    version_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("ownership_versions.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class OwnershipActive(Base):
    """The version evaluation uses for each ownership dataset; one row per dataset."""

    __tablename__ = "ownership_active"

    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer, ForeignKey("ownership_versions.id"))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
