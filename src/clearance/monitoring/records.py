"""Monitored records: customers and counterparties kept under watch, read from CSV/Parquet/JSONL.

Files are read by :mod:`clearance.records_io`, the ``screen-file`` reader: same columns
(``id,name,schema,birth_date,country,id_number``), same ``--map theirs=ours``, same rules (every
record with a name is kept; an unusable field is left out and reported as a warning naming file,
line and column; ragged or unparseable rows are rejects). Monitoring adds two rules: every
record needs an id, and an id appears once per file; a row breaking them is a reject too. Good
rows are upserted by id with a content hash, so re-adding an unchanged record is a no-op and a
changed one is screened again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clearance.errors import InputError, InputWarning, Location
from clearance.monitoring.audit import append_event, canonical_json, utc_now
from clearance.monitoring.tables import MonitoredRecord
from clearance.records_io import Reject, read_rows

#: Schema of a record whose file gives none (the matcher then compares with any schema).
DEFAULT_SCHEMA = "LegalEntity"
_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One validated input row."""

    id: str
    name: str
    schema: str = DEFAULT_SCHEMA
    birth_date: str | None = None
    country: str | None = None
    id_number: str | None = None

    def content_hash(self) -> str:
        """sha256 over the screened fields; suppression of a false positive is tied to it."""
        payload = {k: v for k, v in asdict(self).items() if k != "id"}
        return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class ReadResult:
    """The records to monitor, the fields left out of them (``warnings``: the records are kept)
    and the rows that cannot be monitored (``rejects``, for the rejects file)."""

    records: list[RecordInput] = field(default_factory=list)
    warnings: list[InputWarning] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def read_records(
    path: Path, mapping: Mapping[str, str] | None = None, date_order: str | None = None
) -> ReadResult:
    """Records of ``path``; rows without a name or an id and repeated ids are rejects with
    line numbers (the first row of an id wins). An ambiguous birth date is kept with both
    readings (``;``-separated), which the screener matches both."""
    if not path.is_file():
        raise InputError("file not found", Location(str(path)))
    read = read_rows(path, mapping, date_order=date_order)
    id_column = next((old for old, ours in (mapping or {}).items() if ours == "id"), "id")
    result = ReadResult(rejects=read.rejects)
    first_line: dict[str, int] = {}
    for row in read.rows:
        location = Location(str(path), row.line, id_column)
        if row.id is None:
            result.rejects.append(Reject(location, "no id: a monitored record needs one"))
            continue
        if row.id in first_line:
            result.rejects.append(
                Reject(location, f"duplicate id {row.id!r} (first on line {first_line[row.id]})")
            )
            continue
        first_line[row.id] = row.line
        result.warnings.extend(row.warnings)
        query = row.query
        result.records.append(
            RecordInput(
                id=row.id,
                name=query.name,
                schema=query.schema or DEFAULT_SCHEMA,
                birth_date=query.birth_date,
                country=query.country,
                id_number=row.id_number,
            )
        )
    result.rejects.sort(key=lambda r: r.location.line or 0)
    return result


@dataclass(slots=True)
class UpsertResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0


def upsert_records(
    session: Session, records: Iterable[RecordInput], *, actor: str, source: str
) -> UpsertResult:
    """Insert new ids, update changed ones (marking them for screening); audit the load."""
    result = UpsertResult()
    now = utc_now()
    digest = hashlib.sha256()
    batch: list[RecordInput] = []

    def flush() -> None:
        ids = [r.id for r in batch]
        existing = {
            row.id: row
            for row in session.execute(
                select(
                    MonitoredRecord.id, MonitoredRecord.content_hash, MonitoredRecord.active
                ).where(MonitoredRecord.id.in_(ids))
            )
        }
        inserts = []
        for record in batch:
            content_hash = record.content_hash()
            digest.update(f"{record.id}\t{content_hash}\n".encode())
            old = existing.get(record.id)
            if old is None:
                inserts.append(
                    {
                        **asdict(record),
                        "content_hash": content_hash,
                        "screened_hash": None,
                        "active": True,
                        "created_at": now,
                        "updated_at": now,
                        "removed_at": None,
                    }
                )
                result.added += 1
                continue
            if old.content_hash == content_hash and old.active:
                result.unchanged += 1
                continue
            if not old.active:
                result.reactivated += 1
            else:
                result.updated += 1
            session.execute(
                update(MonitoredRecord)
                .where(MonitoredRecord.id == record.id)
                .values(
                    **{k: v for k, v in asdict(record).items() if k != "id"},
                    content_hash=content_hash,
                    active=True,
                    removed_at=None,
                    updated_at=now,
                )
            )
        if inserts:
            session.execute(MonitoredRecord.__table__.insert(), inserts)
        batch.clear()

    for record in records:
        batch.append(record)
        if len(batch) >= _CHUNK:
            flush()
    if batch:
        flush()
    append_event(
        session,
        actor=actor,
        action="records.loaded",
        detail={
            "source": source,
            "added": result.added,
            "updated": result.updated,
            "reactivated": result.reactivated,
            "unchanged": result.unchanged,
            "content_digest": digest.hexdigest(),
        },
    )
    return result


def record_input(record: MonitoredRecord) -> RecordInput:
    return RecordInput(
        id=record.id,
        name=record.name,
        schema=record.schema,
        birth_date=record.birth_date,
        country=record.country,
        id_number=record.id_number,
    )
