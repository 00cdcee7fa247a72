"""Versions of ownership datasets in the Clearance database (tables of migration ``0008``).

Like a list import, an ownership import writes its version row, every party and interest and the
dataset's active pointer in ONE transaction, and re-importing identical content is a no-op.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clearance.ownership.model import Interest, OwnershipBatch, Party
from clearance.ownership.tables import OwnershipActive, OwnershipRecord, OwnershipVersion
from clearance.store import Store
from clearance.store.engine import write_connection
from clearance.store.store import StoreError

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class OwnershipVersionInfo:
    id: int
    dataset: str
    label: str
    format: str
    content_hash: str
    files: tuple[str, ...]
    imported_at: datetime
    party_count: int
    interest_count: int
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "label": self.label,
            "format": self.format,
            "files": list(self.files),
            "imported_at": self.imported_at.isoformat(),
            "parties": self.party_count,
            "interests": self.interest_count,
            "active": self.active,
        }


class OwnershipStore:
    """Ownership datasets stored beside the lists, in the list store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def import_batch(self, batch: OwnershipBatch) -> tuple[OwnershipVersionInfo, bool]:
        """Store ``batch`` as the active version of its dataset; ``(version, created)``."""
        content_hash = batch.content_hash
        for version in self.versions(batch.dataset):
            if version.content_hash == content_hash:
                if not version.active:
                    self.activate(version.id)
                return self.version(version.id), False
        now = datetime.now(UTC)
        with write_connection(self.store.engine) as connection, connection.begin():
            version_id = connection.execute(
                insert(OwnershipVersion).values(
                    dataset=batch.dataset,
                    label=batch.label,
                    format=batch.format,
                    content_hash=content_hash,
                    files=[os.path.abspath(p) for p in batch.files],
                    imported_at=now,
                    party_count=len(batch.parties),
                    interest_count=len(batch.interests),
                )
            ).inserted_primary_key[0]
            rows: list[dict[str, Any]] = [
                {"version_id": version_id, "kind": "party", "record_id": p.id, "data": _json(p)}
                for p in batch.parties
            ]
            rows += [
                {"version_id": version_id, "kind": "interest", "record_id": i.id, "data": _json(i)}
                for i in batch.interests
            ]
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(OwnershipRecord), rows[start : start + CHUNK])
            _switch(connection, batch.dataset, version_id, now)
        return self.version(version_id), True

    def activate(self, version_id: int) -> OwnershipVersionInfo:
        version = self.version(version_id)
        with write_connection(self.store.engine) as connection, connection.begin():
            _switch(connection, version.dataset, version.id, datetime.now(UTC))
        return self.version(version_id)

    def versions(self, dataset: str | None = None) -> list[OwnershipVersionInfo]:
        query = _query().order_by(OwnershipVersion.id)
        if dataset is not None:
            query = query.where(OwnershipVersion.dataset == dataset)
        with self.store.engine.connect() as connection:
            return [_info(row) for row in connection.execute(query)]

    def active_versions(self) -> list[OwnershipVersionInfo]:
        return [v for v in self.versions() if v.active]

    def version(self, version_id: int) -> OwnershipVersionInfo:
        with self.store.engine.connect() as connection:
            row = connection.execute(_query().where(OwnershipVersion.id == int(version_id))).first()
        if row is None:
            raise StoreError(f"no ownership version {version_id}")
        return _info(row)

    def records(
        self, version_ids: Iterable[int]
    ) -> tuple[list[tuple[str, Party]], list[tuple[str, Interest]]]:
        """(dataset, party) and (dataset, interest) pairs of the given versions."""
        ids = list(version_ids)
        datasets = {v.id: v.dataset for v in self.versions()}
        parties: list[tuple[str, Party]] = []
        interests: list[tuple[str, Interest]] = []
        if not ids:
            return parties, interests
        query = (
            select(OwnershipRecord.version_id, OwnershipRecord.kind, OwnershipRecord.data)
            .where(OwnershipRecord.version_id.in_(ids))
            .order_by(OwnershipRecord.version_id, OwnershipRecord.kind, OwnershipRecord.record_id)
        )
        with self.store.engine.connect() as connection:
            for row in connection.execute(query):
                data = json.loads(row.data)
                if row.kind == "party":
                    parties.append((datasets[row.version_id], Party.from_dict(data)))
                else:
                    interests.append((datasets[row.version_id], Interest.from_dict(data)))
        return parties, interests


def _json(record: Party | Interest) -> str:
    return json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True)


def _query() -> Any:
    return select(*OwnershipVersion.__table__.columns, OwnershipActive.activated_at).outerjoin(
        OwnershipActive, OwnershipActive.version_id == OwnershipVersion.id
    )


def _info(row: Any) -> OwnershipVersionInfo:
    imported = row.imported_at
    if imported.tzinfo is None:
        imported = imported.replace(tzinfo=UTC)
    return OwnershipVersionInfo(
        id=row.id,
        dataset=row.dataset,
        label=row.label,
        format=row.format,
        content_hash=row.content_hash,
        files=tuple(row.files),
        imported_at=imported,
        party_count=row.party_count,
        interest_count=row.interest_count,
        active=row.activated_at is not None,
    )


def _switch(connection: Any, dataset: str, version_id: int, now: datetime) -> None:
    upsert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = upsert(OwnershipActive).values(
        dataset=dataset, version_id=version_id, activated_at=now
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[OwnershipActive.dataset],
            set_={"version_id": version_id, "activated_at": now},
        )
    )
