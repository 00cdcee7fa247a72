"""The versioned list store: every import is a version, activation switches one row.

An import first records an ``importing`` version row (with its process id and host) in a short
transaction of its own, then writes the entities, warnings, the row's ``complete`` status and
the dataset's active-version pointer in ONE transaction. A crash or a killed process rolls that
transaction back, so no half version is ever visible and the previously active version stays
active; the ``importing`` row stays behind and is marked ``failed`` ("interrupted") the next time
the store is opened and its process is gone. An import that raises is marked ``failed`` at once.
Either way the attempt stays on record (``lists versions``).

Lists only move forward: an import whose publication date is older than the active version's is
refused (:class:`OlderListError`) unless the caller allows it; that import, and every explicit
activation (a roll-back), is an event in the audit trail, in the transaction that activates.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, update
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
    STATUS_IMPORTING,
    ActiveVersion,
    DatasetVersion,
    EntityRecord,
    ImportWarningRecord,
    RescreenQueue,
)

log = logging.getLogger(__name__)

#: Rows per executemany: large enough for speed, small enough to bound memory.
INSERT_CHUNK = 2000
#: Rows fetched per round trip when streaming entities.
READ_CHUNK = 2000
#: Ids per ``IN (...)`` clause when loading changed entities for a diff.
ID_CHUNK = 500

#: An ``importing`` row of another host cannot have its process checked from here: it is taken
#: as interrupted once it is this old (no import comes anywhere near it).
FOREIGN_IMPORT_STALE_AFTER = timedelta(hours=24)
#: The actor of audit events the software itself causes (the built-in register).
SYSTEM_ACTOR = "clearance"

OUTCOME_IMPORTED = "imported"
OUTCOME_UNCHANGED = "unchanged"

ActivationListener = Callable[["VersionInfo", "VersionInfo | None"], None]
#: Called with a batch before it is written (result None), then with its result once committed.
ImportProgress = Callable[[SourceBatch, "ImportResult | None"], None]


class StoreError(ClearanceError):
    """A request the store cannot serve: unknown version, versions of different datasets..."""


class OlderListError(StoreError):
    """An import whose list was published before the active version of its dataset."""


def is_older(published: str | None, than: str | None) -> bool:
    """Whether ISO date ``published`` is before ``than``, compared at the precision both have
    (``2025-12`` is not older than ``2025-12-19``). False when either date is unknown: such a
    list cannot be ordered, so it is imported (its version shows no publication date)."""
    if not published or not than:
        return False
    length = min(len(published), len(than))
    return published[:length] < than[:length]


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
    #: It replaced a version published later (allowed on purpose, and audited).
    older: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "version": self.version.to_dict(),
            "previous_version": self.previous.id if self.previous else None,
            "older_than_previous": self.older,
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
        store.fail_interrupted_imports()
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

        # The register ships with this code: it is what this version of Clearance knows, even
        # after a downgrade, so its publication date does not have to move forward.
        result = self.import_batch_result(register.load_batch(), allow_older=True)
        if not result.version.active:
            return self.activate(result.version.id)
        return result.version

    # --- imports ---------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[Path | str],
        *,
        allow_older: bool = False,
        actor: str = SYSTEM_ACTOR,
        progress: ImportProgress | None = None,
    ) -> ImportReport:
        """Read list files or folders (formats detected) and import each batch as a version.

        Every file is parsed, and every batch checked against the active versions' publication
        dates, before anything is written, so bad input (``InputError``, naming file and line)
        or an older list (:class:`OlderListError`) leaves the store untouched. ``progress`` hears
        of each batch as it starts and as it is committed.
        """
        from clearance.sources import read_paths

        batches = read_paths([Path(p) for p in paths])
        if not allow_older:
            self._check_forward(batches)
        report = ImportReport()
        for batch in batches:
            if progress is not None:
                progress(batch, None)
            result = self.import_batch_result(batch, allow_older=allow_older, actor=actor)
            report.results.append(result)
            if progress is not None:
                progress(batch, result)
        return report

    def import_batch(self, batch: SourceBatch) -> VersionInfo:
        """Store ``batch`` as a new, active version (or return the stored one with its content)."""
        return self.import_batch_result(batch).version

    def import_batch_result(
        self, batch: SourceBatch, *, allow_older: bool = False, actor: str = SYSTEM_ACTOR
    ) -> ImportResult:
        """Like :meth:`import_batch`, saying whether a version was created and what it replaced.

        A batch published before the active version is refused unless ``allow_older``; then the
        activation is recorded in the audit trail as ``lists.imported_older`` by ``actor``.
        """
        existing = self._complete_version(batch.dataset, batch.content_hash)
        if existing is not None:
            return ImportResult(existing, OUTCOME_UNCHANGED, None, list(batch.warnings))
        entities, warnings = _unique_entities(batch)
        now = datetime.now(UTC)
        version_id = self._begin_import(batch, len(entities), len(warnings), now)
        try:
            previous_id, older = self._write_version(
                version_id, batch, entities, warnings, now, allow_older, actor
            )
        except IntegrityError as exc:
            existing = self._complete_version(batch.dataset, batch.content_hash)
            if existing is None:
                self._record_failure(version_id, exc)
                raise
            # Another process stored the same content between our check and our commit.
            self._drop_attempt(version_id)
            return ImportResult(existing, OUTCOME_UNCHANGED, None, warnings)
        except BaseException as exc:  # Ctrl-C included: the attempt is on record as failed
            self._record_failure(version_id, exc)
            raise
        version = self.version(version_id)
        previous = self.version(previous_id) if previous_id is not None else None
        self._notify(version, previous)
        return ImportResult(version, OUTCOME_IMPORTED, previous, warnings, older)

    def _check_forward(self, batches: Sequence[SourceBatch]) -> None:
        """Refuse the first new batch published before the version it would replace: the
        active one, or an earlier batch of the same call."""
        current = {
            v.dataset: (v.published, f"the active version {v.id} ({v.label})")
            for v in self.active_versions()
        }
        for batch in batches:
            if self._complete_version(batch.dataset, batch.content_hash) is not None:
                continue
            published, what = current.get(batch.dataset, (None, ""))
            _refuse_older(batch, published, what)
            if batch.published:
                current[batch.dataset] = (batch.published, f"{batch.label}, imported before it")

    def _begin_import(
        self, batch: SourceBatch, entity_count: int, warning_count: int, now: datetime
    ) -> int:
        """Record the attempt as ``importing`` (with this process's id and host), committed at
        once, so a process killed in the long transaction still leaves it on record."""
        with write_connection(self.engine) as connection, connection.begin():
            return connection.execute(
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
                    status=STATUS_IMPORTING,
                    pid=os.getpid(),
                    host=socket.gethostname(),
                )
            ).inserted_primary_key[0]

    def _write_version(
        self,
        version_id: int,
        batch: SourceBatch,
        entities: list[Entity],
        warnings: list[InputWarning],
        now: datetime,
        allow_older: bool,
        actor: str,
    ) -> tuple[int | None, bool]:
        """Entities, warnings, the ``complete`` status and activation, all in one transaction.

        Returns the version it replaced and whether that one was published later."""
        with write_connection(self.engine) as connection, connection.begin():
            active = _locked_active(connection, batch.dataset)
            older = active is not None and is_older(batch.published, active.published)
            if older and not allow_older:
                assert active is not None
                _refuse_older(
                    batch, active.published, f"the active version {active.id} ({active.label})"
                )
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
            connection.execute(
                update(DatasetVersion)
                .where(DatasetVersion.id == version_id)
                .values(status=STATUS_COMPLETE)
            )
            previous_id = _switch_active(connection, batch.dataset, version_id, now)
            if older:
                assert active is not None
                _audit(
                    connection,
                    actor,
                    "lists.imported_older",
                    {
                        "dataset": batch.dataset,
                        "version": version_id,
                        "published": batch.published,
                        "label": batch.label,
                        "replaced_version": active.id,
                        "replaced_published": active.published,
                    },
                )
        return previous_id, older

    def _record_failure(self, version_id: int, exc: BaseException) -> None:
        """Mark the attempt ``failed`` with the error (its entities were rolled back)."""
        reason = str(exc) or "interrupted"
        self._set_failed(version_id, f"{exc.__class__.__name__}: {reason}"[:2000])

    def _set_failed(self, version_id: int, error: str) -> None:
        try:
            with write_connection(self.engine) as connection, connection.begin():
                connection.execute(
                    update(DatasetVersion)
                    .where(
                        DatasetVersion.id == version_id,
                        DatasetVersion.status == STATUS_IMPORTING,
                    )
                    .values(status=STATUS_FAILED, error=error)
                )
        except SQLAlchemyError:
            log.exception("could not record the failed import of version %s", version_id)

    def _drop_attempt(self, version_id: int) -> None:
        """Remove the ``importing`` row of an attempt that turned out to store nothing new."""
        with write_connection(self.engine) as connection, connection.begin():
            connection.execute(
                DatasetVersion.__table__.delete().where(
                    DatasetVersion.id == version_id, DatasetVersion.status == STATUS_IMPORTING
                )
            )

    def fail_interrupted_imports(self) -> list[int]:
        """Mark ``failed`` every ``importing`` version whose process is gone; returns their ids.

        On this host an import's process is checked by pid and start time (a pid reused by a
        later process does not keep a dead import alive); another host's import is taken as
        interrupted after :data:`FOREIGN_IMPORT_STALE_AFTER`.
        """
        query = select(
            DatasetVersion.id, DatasetVersion.pid, DatasetVersion.host, DatasetVersion.imported_at
        ).where(DatasetVersion.status == STATUS_IMPORTING)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        here = socket.gethostname()
        failed: list[int] = []
        for row in rows:
            started = _aware(row.imported_at)
            assert started is not None
            if row.host == here:
                if _process_alive(row.pid, started):
                    continue
                error = f"interrupted: process {row.pid} ended before the import finished"
            elif datetime.now(UTC) - started > FOREIGN_IMPORT_STALE_AFTER:
                error = (
                    f"interrupted: process {row.pid} on {row.host} did not finish within "
                    f"{FOREIGN_IMPORT_STALE_AFTER}"
                )
            else:
                continue
            self._set_failed(row.id, error)
            failed.append(row.id)
        if failed:
            log.warning("marked interrupted imports as failed: versions %s", failed)
        return failed

    # --- activation ------------------------------------------------------------------------

    def activate(self, version_id: int | str, *, actor: str = SYSTEM_ACTOR) -> VersionInfo:
        """Make a stored, complete version the active one of its dataset (one transaction).

        Recorded in the audit trail (``lists.activated``, ``older`` when it rolls back to a list
        published before the one it replaces), in the same transaction."""
        version = self.version(version_id)
        if version.status != STATUS_COMPLETE:
            raise StoreError(f"version {version.id} is {version.status} and cannot be activated")
        if version.active:
            return version
        with write_connection(self.engine) as connection, connection.begin():
            active = _locked_active(connection, version.dataset)
            previous_id = _switch_active(connection, version.dataset, version.id, datetime.now(UTC))
            _audit(
                connection,
                actor,
                "lists.activated",
                {
                    "dataset": version.dataset,
                    "version": version.id,
                    "published": version.published,
                    "label": version.label,
                    "replaced_version": active.id if active else None,
                    "replaced_published": active.published if active else None,
                    "older": active is not None and is_older(version.published, active.published),
                },
            )
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


def _refuse_older(batch: SourceBatch, published: str | None, what: str) -> None:
    """Raise :class:`OlderListError` when ``batch`` was published before ``published``."""
    if is_older(batch.published, published):
        raise OlderListError(
            f"{batch.files[0]}: this {batch.dataset} list was published {batch.published}, "
            f"before {what}, published {published}. Refused, so that a stale file cannot "
            "replace a newer list; to go back on purpose, import it with --allow-older or "
            "activate a stored version with `clearance lists activate VERSION` (both audited)."
        )


def _locked_active(connection: Connection, dataset: str) -> Row[Any] | None:
    """The active version of ``dataset`` (id, label, published), locked until commit."""
    query = (
        select(DatasetVersion.id, DatasetVersion.label, DatasetVersion.published)
        .join(ActiveVersion, ActiveVersion.version_id == DatasetVersion.id)
        .where(ActiveVersion.dataset == dataset)
        .with_for_update(of=ActiveVersion)
    )
    return connection.execute(query).first()


def _audit(connection: Connection, actor: str, action: str, detail: dict[str, Any]) -> None:
    """Append an audit event inside the caller's transaction (it commits with the change)."""
    from sqlalchemy.orm import Session

    from clearance.monitoring.audit import append_event  # the trail shares this database

    with Session(bind=connection) as session:
        append_event(session, actor=actor, action=action, detail=detail)


def _process_alive(pid: int | None, started: datetime) -> bool:
    """Whether process ``pid`` of this host runs and is older than the import it would own."""
    import psutil

    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True
    # A process started after the import began cannot be its importer: the pid was reused.
    return created <= started.timestamp() + 1


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
    # The re-screen this activation owes is queued in the same transaction (never lost).
    connection.execute(
        insert(RescreenQueue).values(
            dataset=dataset, old_version=previous, new_version=version_id, queued_at=now
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
