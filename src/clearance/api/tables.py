"""The API's database table, on the store's declarative ``Base`` (migration ``0003``).

API keys live in the same database as the lists so every worker process and every host of a
team deployment sees the same keys; only a salted HMAC of each secret is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from clearance.store.tables import Base


class ApiKeyRecord(Base):
    """One API key: who holds it, its role, the salted secret hash, and whether it is revoked."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    salt: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
