"""Monitored records: customers and counterparties kept under watch, read from CSV/Parquet/JSONL.

Columns are those of ``screen-file`` (``id,name,schema,birth_date,country,id_number``); ``--map
ours=theirs`` renames a column of the input. Bad rows are skipped and reported as
:class:`InputWarning`s naming file, line and field; good rows are upserted by id with a content
hash, so re-adding an unchanged record is a no-op and a changed one is screened again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clearance.countries import to_iso2
from clearance.errors import InputError, InputWarning, Location
from clearance.model import SCHEMATA
from clearance.monitoring.audit import append_event, canonical_json, utc_now
from clearance.monitoring.tables import MonitoredRecord

COLUMNS = ("id", "name", "schema", "birth_date", "country", "id_number")
DEFAULT_SCHEMA = "LegalEntity"
_SCHEMA_BY_KEY = {s.casefold(): s for s in SCHEMATA} | {
    "individual": "Person",
    "entity": "LegalEntity",
    "organisation": "Organization",
    "aircraft": "Airplane",
}
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
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


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["name=full_name", ...]`` -> ``{"name": "full_name"}``, checking our column names."""
    mapping: dict[str, str] = {}
    for item in items:
        ours, sep, theirs = item.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise InputError(f"--map expects ours=theirs, got {item!r}")
        if ours not in COLUMNS:
            raise InputError(f"--map: unknown column {ours!r} (known: {', '.join(COLUMNS)})")
        mapping[ours] = theirs
    return mapping


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw row) pairs; Parquet rows are numbered from 1."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, delimiter="\t" if suffix == ".tsv" else ",")
            for row in reader:
                yield reader.line_num, row
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"invalid JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
    elif suffix == ".parquet":
        for number, row in enumerate(pq.read_table(path).to_pylist(), start=1):
            yield number, row
    else:
        raise InputError(
            "unsupported file type (use .csv, .tsv, .jsonl, .ndjson or .parquet)",
            Location(str(path)),
        )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def validate_row(
    row: dict[str, Any], mapping: dict[str, str], location: Location
) -> RecordInput | InputWarning:
    """A :class:`RecordInput`, or the warning that explains why the row is skipped."""
    if "__error__" in row:
        return InputWarning(location, row["__error__"], "bad_row")
    values = {col: _text(row.get(mapping.get(col, col))) for col in COLUMNS}

    def bad(column: str, message: str) -> InputWarning:
        return InputWarning(
            Location(location.file, location.line, mapping.get(column, column)), message, "bad_row"
        )

    if not values["id"]:
        return bad("id", "missing id")
    if not values["name"]:
        return bad("name", "missing name")
    schema = DEFAULT_SCHEMA
    if values["schema"]:
        found = _SCHEMA_BY_KEY.get(values["schema"].casefold())
        if found is None:
            return bad("schema", f"unknown schema {values['schema']!r}")
        schema = found
    if values["birth_date"] and not _DATE_RE.match(values["birth_date"]):
        return bad("birth_date", f"birth date {values['birth_date']!r} is not YYYY[-MM[-DD]]")
    country = None
    if values["country"]:
        country = to_iso2(values["country"])
        if country is None:
            return bad("country", f"unknown country {values['country']!r}")
    return RecordInput(
        id=values["id"],
        name=values["name"],
        schema=schema,
        birth_date=values["birth_date"],
        country=country,
        id_number=values["id_number"],
    )


@dataclass(slots=True)
class ReadResult:
    records: list[RecordInput] = field(default_factory=list)
    warnings: list[InputWarning] = field(default_factory=list)


def read_records(path: Path, mapping: dict[str, str] | None = None) -> ReadResult:
    """Validated records of ``path``; bad and duplicate rows become warnings with line numbers."""
    if not path.is_file():
        raise InputError("file not found", Location(str(path)))
    mapping = mapping or {}
    result = ReadResult()
    first_line: dict[str, int] = {}
    for line, row in _rows(path):
        location = Location(str(path), line)
        item = validate_row(row, mapping, location)
        if isinstance(item, InputWarning):
            result.warnings.append(item)
            continue
        if item.id in first_line:
            result.warnings.append(
                InputWarning(
                    Location(str(path), line, mapping.get("id", "id")),
                    f"duplicate id {item.id!r} (first on line {first_line[item.id]}); row skipped",
                    "duplicate_id",
                )
            )
            continue
        first_line[item.id] = line
        result.records.append(item)
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
