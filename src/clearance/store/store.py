"""The versioned list store: every import is a version, activation switches one row.

An import writes its version row, entities, warnings and the dataset's active-version pointer in
ONE transaction. A crash or a killed process at any point rolls all of it back, so no half
version is ever visible and the previously active version stays active; there is no pending
state to clean up afterwards. An import that raises is recorded as a ``failed`` version without
entities, so the attempt stays on record.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from clearance.config import database_url
from clearance.errors import ClearanceError, InputWarning, Location
from clearance.model import Entity, entity_id_of
from clearance.sources.batch import SourceBatch
from clearance.store.codec import decode, encode
from clearance.store.diff import EntityChange, VersionDiff, changed_fields
from clearance.store.engine import make_engine, redacted_url, upgrade, write_connection
from clearance.store.tables import (
    STATUS_COMPLETE,
    STATUS_FAILED,
    ActiveVersion,
    DatasetVersion,
    EntityRecord,
    ImportWarningRecord,
)

log = logging.getLogger(__name__)

#: Rows per executemany: large enough for speed, small enough to bound memory.
INSERT_CHUNK = 2000
#: Rows fetched per round trip when streaming entities.
READ_CHUNK = 2000
#: Ids per ``IN (...)`` clause when loading changed entities for a diff.
ID_CHUNK = 500

OUTCOME_IMPORTED = "imported"
OUTCOME_UNCHANGED = "unchanged"

ActivationListener = Callable[["VersionInfo", "VersionInfo | None"], None]


class StoreError(ClearanceError):
    """A request the store cannot serve: unknown version, versions of different datasets..."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a dataset. ``activated_at`` is set while it is the active one."""

    id: int
    dataset: str
    label: str
    format: str
    content_hash: str
    files: tuple[str, ...]
    published: str | None
    imported_at: datetime
    entity_count: int
    warning_count: int
    status: str
    error: str | None = None
    activated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.activated_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "label": self.label,
            "format": self.format,
            "content_hash": self.content_hash,
            "files": list(self.files),
            "published": self.published,
            "imported_at": self.imported_at.isoformat(),
            "entity_count": self.entity_count,
            "warning_count": self.warning_count,
            "status": self.status,
            "error": self.error,
            "active": self.active,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }


@dataclass(slots=True)
class ImportResult:
    """What importing one batch did: a new active version, or nothing (same content stored)."""

    version: VersionInfo
    outcome: str  # OUTCOME_IMPORTED | OUTCOME_UNCHANGED
    previous: VersionInfo | None = None  # the active version the import replaced
    warnings: list[InputWarning] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "version": self.version.to_dict(),
            "previous_version": self.previous.id if self.previous else None,
            "warnings": [_warning_dict(w) for w in self.warnings],
        }


@dataclass(slots=True)
class ImportReport:
    """The results of one ``import_paths`` call, one per batch, in import order."""

    results: list[ImportResult] = field(default_factory=list)

    @property
    def versions(self) -> list[VersionInfo]:
        return [result.version for result in self.results]

    def to_dict(self) -> dict[str, Any]:
        return {"results": [result.to_dict() for result in self.results]}


class Store:
    """Versioned storage of list entities in SQLite or PostgreSQL (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._listeners: list[ActivationListener] = []

    # --- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (creating or upgrading) the store at ``url`` and make sure the register is loaded."""
        engine = make_engine(url or database_url())
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(
                f"cannot open the database {redacted_url(str(engine.url))}: {reason}".strip()
            ) from exc
        store = cls(engine)
        store.ensure_register()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def ensure_register(self) -> VersionInfo:
        """Import the built-in register unless this exact register is already the active one."""
        from clearance import register

        result = self.import_batch_result(register.load_batch())
        if not result.version.active:
            return self.activate(result.version.id)
        return result.version

    # --- imports ---------------------------------------------------------------------------

    def import_paths(self, paths: Sequence[Path | str]) -> ImportReport:
        """Read list files or folders (formats detected) and import each batch as a version.

        Every file is parsed before anything is written, so bad input (``InputError``, naming
        file and line) leaves the store untouched.
        """
        from clearance.sources import read_paths

        batches = read_paths([Path(p) for p in paths])
        return ImportReport([self.import_batch_result(batch) for batch in batches])

    def import_batch(self, batch: SourceBatch) -> VersionInfo:
        """Store ``batch`` as a new, active version (or return the stored one with its content)."""
        return self.import_batch_result(batch).version

    def import_batch_result(self, batch: SourceBatch) -> ImportResult:
        """Like :meth:`import_batch`, saying whether a version was created and what it replaced."""
        existing = self._complete_version(batch.dataset, batch.content_hash)
        if existing is not None:
            return ImportResult(existing, OUTCOME_UNCHANGED, None, list(batch.warnings))
        entities, warnings = _unique_entities(batch)
        now = datetime.now(UTC)
        try:
            version_id, previous_id = self._write_version(batch, entities, warnings, now)
        except IntegrityError:
            existing = self._complete_version(batch.dataset, batch.content_hash)
            if existing is None:
                raise
            # Another process stored the same content between our check and our commit.
            return ImportResult(existing, OUTCOME_UNCHANGED, None, warnings)
        except Exception as exc:
            self._record_failure(batch, len(entities), len(warnings), now, exc)
            raise
        version = self.version(version_id)
        previous = self.version(previous_id) if previous_id is not None else None
        self._notify(version, previous)
        return ImportResult(version, OUTCOME_IMPORTED, previous, warnings)

    def _write_version(
        self,
        batch: SourceBatch,
        entities: list[Entity],
        warnings: list[InputWarning],
        now: datetime,
    ) -> tuple[int, int | None]:
        """Version row, entities, warnings and activation, all in one transaction."""
        with write_connection(self.engine) as connection, connection.begin():
            version_id = connection.execute(
                insert(DatasetVersion).values(
                    dataset=batch.dataset,
                    label=batch.label,
                    format=batch.format,
                    content_hash=batch.content_hash,
                    files=[os.path.abspath(p) for p in batch.files],
                    published=batch.published,
                    imported_at=now,
                    entity_count=len(entities),
                    warning_count=len(warnings),
                    status=STATUS_COMPLETE,
                )
            ).inserted_primary_key[0]
            _bulk_insert(
                connection,
                EntityRecord.__table__,
                ENTITY_COLUMNS,
                (_entity_row(version_id, e) for e in entities),
            )
            _bulk_insert(
                connection,
                ImportWarningRecord.__table__,
                WARNING_COLUMNS,
                (_warning_row(version_id, w) for w in warnings),
            )
            previous_id = _switch_active(connection, batch.dataset, version_id, now)
        return version_id, previous_id

    def _record_failure(
        self,
        batch: SourceBatch,
        entity_count: int,
        warning_count: int,
        now: datetime,
        exc: Exception,
    ) -> None:
        """Keep a ``failed`` version row (no entities) so the failed attempt is on record."""
        try:
            with write_connection(self.engine) as connection, connection.begin():
                connection.execute(
                    insert(DatasetVersion).values(
                        dataset=batch.dataset,
                        label=batch.label,
                        format=batch.format,
                        content_hash=batch.content_hash,
                        files=[os.path.abspath(p) for p in batch.files],
                        published=batch.published,
                        imported_at=now,
                        entity_count=entity_count,
                        warning_count=warning_count,
                        status=STATUS_FAILED,
                        error=f"{exc.__class__.__name__}: {exc}"[:2000],
                    )
                )
        except SQLAlchemyError:
            log.exception("could not record the failed import of %s", batch.label)

    # --- activation ------------------------------------------------------------------------

    def activate(self, version_id: int | str) -> VersionInfo:
        """Make a stored, complete version the active one of its dataset (one transaction)."""
        version = self.version(version_id)
        if version.status != STATUS_COMPLETE:
            raise StoreError(f"version {version.id} is {version.status} and cannot be activated")
        if version.active:
            return version
        with write_connection(self.engine) as connection, connection.begin():
            previous_id = _switch_active(connection, version.dataset, version.id, datetime.now(UTC))
        activated = self.version(version.id)
        self._notify(activated, self.version(previous_id) if previous_id is not None else None)
        return activated

    def add_activation_listener(self, listener: ActivationListener) -> None:
        """Call ``listener(new_version, old_version)`` after each activation in this process."""
        self._listeners.append(listener)

    def _notify(self, new: VersionInfo, old: VersionInfo | None) -> None:
        # The activation is committed: a failing listener must not undo it or hide the others.
        for listener in self._listeners:
            try:
                listener(new, old)
            except Exception:
                log.exception("activation listener %r failed", listener)

    # --- versions --------------------------------------------------------------------------

    def versions(
        self, dataset: str | None = None, include_failed: bool = False
    ) -> list[VersionInfo]:
        """Stored versions, oldest first; failed imports only when asked for."""
        query = _version_query().order_by(DatasetVersion.id)
        if dataset is not None:
            query = query.where(DatasetVersion.dataset == dataset)
        if not include_failed:
            query = query.where(DatasetVersion.status == STATUS_COMPLETE)
        with self.engine.connect() as connection:
            return [_version_info(row) for row in connection.execute(query)]

    def active_versions(self) -> list[VersionInfo]:
        """The active version of each dataset, by dataset name."""
        query = _version_query().where(ActiveVersion.dataset.is_not(None))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(DatasetVersion.dataset))
            return [_version_info(row) for row in rows]

    def version(self, version_id: int | str) -> VersionInfo:
        """One version by id; :class:`StoreError` when there is none."""
        number = _version_number(version_id)
        with self.engine.connect() as connection:
            row = connection.execute(_version_query().where(DatasetVersion.id == number)).first()
        if row is None:
            raise StoreError(f"no list version {version_id}")
        return _version_info(row)

    def previous_version(self, version_id: int | str) -> VersionInfo | None:
        """The complete version of the same dataset imported just before ``version_id``."""
        version = self.version(version_id)
        query = (
            _version_query()
            .where(
                DatasetVersion.dataset == version.dataset,
                DatasetVersion.status == STATUS_COMPLETE,
                DatasetVersion.id < version.id,
            )
            .order_by(DatasetVersion.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _version_info(row) if row is not None else None

    def warnings(self, version_id: int | str) -> list[InputWarning]:
        """The counted input warnings stored with a version, in file/line order."""
        number = _version_number(version_id)
        query = (
            select(ImportWarningRecord)
            .where(ImportWarningRecord.version_id == number)
            .order_by(ImportWarningRecord.id)
        )
        with self.engine.connect() as connection:
            return [
                InputWarning(Location(row.file, row.line, row.field), row.message, row.kind)
                for row in connection.execute(query)
            ]

    # --- entities --------------------------------------------------------------------------

    def entities(
        self,
        datasets: Iterable[str] | None = None,
        version_ids: Iterable[int | str] | None = None,
    ) -> Iterator[Entity]:
        """Entities of the given versions (default: the active ones), optionally by dataset."""
        wanted = set(datasets) if datasets is not None else None
        if version_ids is None:
            versions = self.active_versions()
        else:
            versions = [self.version(v) for v in version_ids]
        ids = [v.id for v in versions if wanted is None or v.dataset in wanted]
        if not ids:
            return
        query = (
            select(EntityRecord.data)
            .where(EntityRecord.version_id.in_(ids))
            .order_by(EntityRecord.version_id, EntityRecord.entity_id)
        )
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=READ_CHUNK).execute(query)
            for rows in result.partitions():
                # One json.loads over the whole chunk is cheaper than one call per row.
                for data in json.loads("[" + ",".join(row[0] for row in rows) + "]"):
                    yield Entity.from_dict(data)

    def resolve_id(self, entity_id: str) -> str:
        """The Clearance id (``us_ofac_sdn:6861``) for an id in either form, the FtM form
        (``us-ofac-sdn-6861``, see :func:`clearance.model.ftm_id`) included."""
        if ":" in entity_id:
            return entity_id
        with self.engine.connect() as connection:
            datasets = connection.execute(select(DatasetVersion.dataset).distinct()).scalars()
            return entity_id_of(entity_id, list(datasets))

    def get_entity(self, entity_id: str, version_id: int | str | None = None) -> Entity | None:
        """An entity of the active version of its dataset, or of the given version (either id
        form, see :meth:`resolve_id`)."""
        entity_id = self.resolve_id(entity_id)
        query = select(EntityRecord.data).where(EntityRecord.entity_id == entity_id)
        if version_id is None:
            query = query.join(ActiveVersion, ActiveVersion.version_id == EntityRecord.version_id)
        else:
            query = query.where(EntityRecord.version_id == _version_number(version_id))
        with self.engine.connect() as connection:
            data = connection.execute(query).scalar()
        return decode(data) if data is not None else None

    def entity_versions(self, entity_id: str) -> list[VersionInfo]:
        """Every complete version holding ``entity_id``, oldest first."""
        entity_id = self.resolve_id(entity_id)
        query = (
            _version_query()
            .join(EntityRecord, EntityRecord.version_id == DatasetVersion.id)
            .where(EntityRecord.entity_id == entity_id, DatasetVersion.status == STATUS_COMPLETE)
            .order_by(DatasetVersion.id)
        )
        with self.engine.connect() as connection:
            return [_version_info(row) for row in connection.execute(query)]

    # --- diffs -----------------------------------------------------------------------------

    def diff(self, version_a: int | str, version_b: int | str) -> VersionDiff:
        """Entities added, removed and changed (with field names) from ``version_a`` to ``b``."""
        old, new = self.version(version_a), self.version(version_b)
        if old.dataset != new.dataset:
            raise StoreError(
                f"versions {old.id} ({old.dataset}) and {new.id} ({new.dataset}) belong to "
                "different datasets"
            )
        with self.engine.connect() as connection:
            old_hashes = _hashes(connection, old.id)
            new_hashes = _hashes(connection, new.id)
            changed_ids = sorted(
                entity_id
                for entity_id, content_hash in new_hashes.items()
                if entity_id in old_hashes and old_hashes[entity_id] != content_hash
            )
            changes: list[EntityChange] = []
            for start in range(0, len(changed_ids), ID_CHUNK):
                chunk = changed_ids[start : start + ID_CHUNK]
                old_data = _entity_data(connection, old.id, chunk)
                new_data = _entity_data(connection, new.id, chunk)
                changes.extend(
                    EntityChange(
                        entity_id,
                        _caption(new_data[entity_id]),
                        changed_fields(old_data[entity_id], new_data[entity_id]),
                    )
                    for entity_id in chunk
                )
        return VersionDiff(
            dataset=new.dataset,
            old=old.id,
            new=new.id,
            added=sorted(new_hashes.keys() - old_hashes.keys()),
            removed=sorted(old_hashes.keys() - new_hashes.keys()),
            changed=changes,
        )

    def _complete_version(self, dataset: str, content_hash: str) -> VersionInfo | None:
        query = _version_query().where(
            DatasetVersion.dataset == dataset,
            DatasetVersion.content_hash == content_hash,
            DatasetVersion.status == STATUS_COMPLETE,
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _version_info(row) if row is not None else None


# --- helpers ------------------------------------------------------------------------------


def _version_query() -> Any:
    return select(*DatasetVersion.__table__.columns, ActiveVersion.activated_at).outerjoin(
        ActiveVersion, ActiveVersion.version_id == DatasetVersion.id
    )


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _version_info(row: Row[Any]) -> VersionInfo:
    imported_at = _aware(row.imported_at)
    assert imported_at is not None
    return VersionInfo(
        id=row.id,
        dataset=row.dataset,
        label=row.label,
        format=row.format,
        content_hash=row.content_hash,
        files=tuple(row.files),
        published=row.published,
        imported_at=imported_at,
        entity_count=row.entity_count,
        warning_count=row.warning_count,
        status=row.status,
        error=row.error,
        activated_at=_aware(row.activated_at),
    )


def _version_number(version_id: int | str) -> int:
    try:
        return int(version_id)
    except (TypeError, ValueError):
        raise StoreError(f"not a list version id: {version_id!r}") from None


def _unique_entities(batch: SourceBatch) -> tuple[list[Entity], list[InputWarning]]:
    """The batch's entities with repeated ids dropped (first kept), each drop a warning."""
    seen: set[str] = set()
    entities: list[Entity] = []
    warnings = list(batch.warnings)
    for entity in batch.entities:
        if entity.id in seen:
            source = entity.source
            warnings.append(
                InputWarning(
                    Location(source.get("file"), source.get("line"), "id"),
                    f"duplicate entity id {entity.id}; kept the first",
                    kind="duplicate_id",
                )
            )
            continue
        seen.add(entity.id)
        entities.append(entity)
    return entities, warnings


#: Column order of :func:`_entity_row` and :func:`_warning_row`.
ENTITY_COLUMNS = ("version_id", "entity_id", "schema", "caption", "content_hash", "data")
WARNING_COLUMNS = ("version_id", "file", "line", "field", "kind", "message")


def _bulk_insert(
    connection: Connection, table: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Bulk insert inside the caller's transaction: ``COPY`` on PostgreSQL (several times
    faster than multi-row INSERTs there), chunked executemany elsewhere."""
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(dict(zip(columns, row, strict=True)))
        if len(chunk) == INSERT_CHUNK:
            connection.execute(insert(table), chunk)
            chunk = []
    if chunk:
        connection.execute(insert(table), chunk)


def _entity_row(version_id: int, entity: Entity) -> tuple[Any, ...]:
    data, content_hash = encode(entity)
    return (version_id, entity.id, entity.schema, entity.caption, content_hash, data)


def _warning_row(version_id: int, warning: InputWarning) -> tuple[Any, ...]:
    location = warning.location
    return (
        version_id,
        location.file,
        location.line,
        location.field,
        warning.kind,
        warning.message,
    )


def _warning_dict(warning: InputWarning) -> dict[str, Any]:
    location = warning.location
    return {
        "file": location.file,
        "line": location.line,
        "field": location.field,
        "kind": warning.kind,
        "message": warning.message,
    }


def _switch_active(
    connection: Connection, dataset: str, version_id: int, now: datetime
) -> int | None:
    """Point ``dataset`` at ``version_id``; returns the version it pointed at before."""
    previous = connection.execute(
        select(ActiveVersion.version_id).where(ActiveVersion.dataset == dataset).with_for_update()
    ).scalar()
    upsert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = upsert(ActiveVersion).values(
        dataset=dataset, version_id=version_id, activated_at=now
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[ActiveVersion.dataset],
            set_={"version_id": version_id, "activated_at": now},
        )
    )
    return previous


def _hashes(connection: Connection, version_id: int) -> dict[str, str]:
    query = select(EntityRecord.entity_id, EntityRecord.content_hash).where(
        EntityRecord.version_id == version_id
    )
    return {row.entity_id: row.content_hash for row in connection.execute(query)}


def _entity_data(connection: Connection, version_id: int, ids: list[str]) -> dict[str, Any]:
    query = select(EntityRecord.entity_id, EntityRecord.data).where(
        EntityRecord.version_id == version_id, EntityRecord.entity_id.in_(ids)
    )
    return {row.entity_id: json.loads(row.data) for row in connection.execute(query)}


def _caption(data: dict[str, Any]) -> str:
    return Entity.from_dict(data).caption
