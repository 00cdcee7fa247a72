"""Re-screening of monitored records: on every list change, and when records are added or changed.

List change (``Monitor.on_activation``, registered as a store activation listener): only what the
diff can affect is re-screened, in the *reverse* direction. A small ``Screener`` is built over just
the added and changed entities, the vectorised candidate pass (:mod:`.candidates`) picks the few
monitored records that could match them, and only those are scored. Hits open alerts (or update /
re-open existing ones); alerts on removed entities are closed with the reason, or get a review
task when a person decided them.

Crash and race safety:

* the re-screen an activation owes is queued (``rescreen_queue``) in the very transaction that
  activates the version, so a crash between activation and re-screen cannot lose it;
  :meth:`Monitor.catch_up` works through the queue oldest first and marks an entry done in the
  transaction that finishes its run. The next ``lists import``/``update``, ``monitor`` or
  ``alerts`` command and the next server start call it, and ``lists status`` shows what is
  still pending;
* each run is keyed by ``<dataset>:<old version>-><new version>#<queue id>`` (unique); a crashed
  run stays ``running`` and is resumed by the next catch-up; redoing is idempotent because an
  alert is only opened when no live alert exists for the pair (partial unique index) and only
  updated when the record or entity content hash differs;
* results are written in short transactions that start by taking the monitoring write lock;
* a run that finishes after a newer list version was activated closes the alerts it opened on
  entities that are no longer listed, and never overwrites an alert holding newer entity content;
* records are screened against the full lists; if the lists changed meanwhile, they are screened
  again, so a record added during a list update is never left unscreened against the new version;
* a delisting never closes an alert a person decided as a true match or escalated: it opens a
  review task on it (:func:`clearance.monitoring.alerts.close_or_review`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from clearance.model import Entity
from clearance.monitoring import webhooks
from clearance.monitoring.alerts import (
    HitFacts,
    apply_hit,
    close_alert,
    close_or_review,
    lock_for_write,
    note_no_longer_matching,
)
from clearance.monitoring.audit import append_event, canonical_json, utc_now
from clearance.monitoring.candidates import RecordTokens, candidate_records
from clearance.monitoring.records import (
    RecordInput,
    UpsertResult,
    read_records,
    upsert_records,
)
from clearance.monitoring.tables import STATUS_CLOSED, Alert, MonitoredRecord, RescreenRun
from clearance.records_io import Reject
from clearance.store.tables import RescreenQueue

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "clearance"
RUN_RUNNING = "running"
RUN_DONE = "done"
WRITE_BATCH = 200
_RETRIES = 5


@dataclass(slots=True)
class RunSummary:
    """Figures of one re-screening run (printed by the CLI and the benchmark)."""

    run_key: str
    dataset: str
    old_version: int | None
    new_version: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    records: int = 0
    candidates: int = 0
    hits: int = 0
    opened: int = 0
    updated: int = 0
    reopened: int = 0
    unchanged: int = 0
    stale: int = 0
    closed: int = 0
    review_tasks: int = 0
    no_longer_matching: int = 0
    skipped_changed_records: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    resumed: bool = False
    already_done: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ScreenSummary:
    """Figures of screening new/changed records against the full active lists."""

    screened: int = 0
    hits: int = 0
    opened: int = 0
    updated: int = 0
    reopened: int = 0
    unchanged: int = 0
    no_longer_matching: int = 0
    passes: int = 0


@dataclass(slots=True)
class AddReport:
    """What ``monitor add`` did: the upsert, skipped rows and the screening that followed."""

    upsert: UpsertResult
    warnings: list[str]
    screening: ScreenSummary
    rejects: list[Reject] = field(default_factory=list)  # rows not monitored (rejects file)


def _retrying(sessions: sessionmaker[Session], work: Callable[[Session], Any]) -> Any:
    """Run ``work`` in one transaction; retry the whole batch on lock / race errors."""
    for attempt in range(_RETRIES):
        try:
            with sessions.begin() as session:
                lock_for_write(session)
                return work(session)
        except (IntegrityError, OperationalError) as exc:
            if attempt == _RETRIES - 1:
                raise
            log.warning("retrying monitoring transaction after %s", type(exc).__name__)
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


class Monitor:
    """Monitoring over one :class:`clearance.store.Store`.

    ``screener_factory`` builds the full-list screener (default ``Screener.open``) and
    ``small_screener`` a screener over a few entities (default ``Screener.from_entities``).
    """

    def __init__(
        self,
        store: Any,
        *,
        screener_factory: Callable[[], Any] | None = None,
        small_screener: Callable[[Sequence[Entity]], Any] | None = None,
        write_batch: int = WRITE_BATCH,
    ) -> None:
        self.store = store
        self.sessions: sessionmaker[Session] = sessionmaker(store.engine, expire_on_commit=False)
        self._screener_factory = screener_factory
        self._small_screener = small_screener
        self.write_batch = write_batch

    # --- wiring ----------------------------------------------------------------------------

    def attach(self) -> None:
        """Re-screen on every activation of a new list version in this store."""
        self.store.add_activation_listener(self.on_activation)

    def on_activation(self, new_version: Any, old_version: Any) -> None:
        """Store listener: do the re-screens owed (this activation's among them), then notify."""
        self.catch_up()
        webhooks.deliver_pending(self.sessions)

    def full_screener(self) -> Any:
        if self._screener_factory is not None:
            return self._screener_factory()
        from clearance.matching import Screener

        return Screener.open(store=self.store)

    def screener_over(self, entities: Sequence[Entity]) -> Any:
        if self._small_screener is not None:
            return self._small_screener(entities)
        from clearance.matching import Screener

        return Screener.from_entities(entities)

    # --- records ---------------------------------------------------------------------------

    def add_file(
        self,
        path: Path,
        mapping: dict[str, str] | None = None,
        *,
        actor: str,
        date_order: str | None = None,
    ) -> AddReport:
        """Read, validate and upsert a records file, then screen what is new or changed."""
        result = read_records(path, mapping, date_order)
        report = self.add_records(
            result.records,
            actor=actor,
            source=str(path),
            warnings=[str(w) for w in result.warnings],
        )
        report.rejects = result.rejects
        return report

    def add_records(
        self,
        records: Iterable[RecordInput],
        *,
        actor: str,
        source: str,
        warnings: list[str] | None = None,
        screen: bool = True,
    ) -> AddReport:
        """Upsert ``records``; with ``screen`` (default) screen new/changed ones at once.

        Re-screens still owed to earlier activations are done first, over the records watched
        until now; the new ones are then screened against the full active lists.
        """
        if screen:
            self.catch_up()
        upsert = _retrying(
            self.sessions,
            lambda session: upsert_records(session, records, actor=actor, source=source),
        )
        screening = self.screen_pending(actor=actor) if screen else ScreenSummary()
        return AddReport(upsert, warnings or [], screening)

    def remove(self, ids: Sequence[str], *, actor: str, reason: str = "record removed") -> int:
        """Stop monitoring ``ids`` (kept for the record, never deleted); close their alerts."""

        def work(session: Session) -> int:
            now = utc_now()
            removed = 0
            for chunk_start in range(0, len(ids), 1000):
                chunk = list(ids[chunk_start : chunk_start + 1000])
                result = session.execute(
                    update(MonitoredRecord)
                    .where(MonitoredRecord.id.in_(chunk), MonitoredRecord.active)
                    .values(active=False, removed_at=now, updated_at=now)
                )
                removed += result.rowcount
                alerts = session.scalars(
                    select(Alert).where(Alert.record_id.in_(chunk), Alert.status != STATUS_CLOSED)
                ).all()
                for alert in alerts:
                    close_alert(session, alert, actor=actor, reason=f"record removed: {reason}")
            append_event(
                session,
                actor=actor,
                action="records.removed",
                detail={"ids": list(ids), "removed": removed, "reason": reason},
            )
            return removed

        return _retrying(self.sessions, work)

    def assume_screened(self, *, actor: str) -> None:
        """Declare every record screened against the active versions, without screening.

        For migrating a customer base that the previous system screened against these very
        versions: later list changes are then re-screened by diff from here on.
        """

        def work(session: Session) -> None:
            session.execute(
                update(MonitoredRecord)
                .where(MonitoredRecord.active)
                .values(screened_hash=MonitoredRecord.content_hash)
            )
            session.execute(
                update(RescreenQueue)
                .where(RescreenQueue.done_at.is_(None))
                .values(done_at=utc_now())
            )
            append_event(
                session,
                actor=actor,
                action="records.assumed_screened",
                detail={"versions": self._active_versions()},
            )

        _retrying(self.sessions, work)

    def screen_pending(self, *, actor: str = SYSTEM_ACTOR) -> ScreenSummary:
        """Screen every record whose content was not yet screened against the full lists."""
        summary = ScreenSummary()
        while True:
            summary.passes += 1
            versions = self._active_versions()
            screener = self.full_screener()
            screened_ids: list[str] = []
            while True:
                with self.sessions() as session:
                    batch = session.scalars(
                        select(MonitoredRecord)
                        .where(
                            MonitoredRecord.active,
                            (MonitoredRecord.screened_hash.is_(None))
                            | (MonitoredRecord.screened_hash != MonitoredRecord.content_hash),
                        )
                        .order_by(MonitoredRecord.id)
                        .limit(self.write_batch)
                    ).all()
                if not batch:
                    break
                hits = _screen_rows(screener, batch)
                results = [
                    (record.id, record.content_hash, self._record_facts(record, found, versions))
                    for record, found in zip(batch, hits, strict=True)
                ]
                _retrying(
                    self.sessions,
                    lambda session, results=results: self._write_record_results(
                        session, results, actor, summary
                    ),
                )
                screened_ids += [r.id for r in batch]
                summary.screened += len(batch)
            if self._active_versions() == versions:
                return summary
            # The lists changed while screening: screen this pass's records again.
            _retrying(
                self.sessions,
                lambda session, ids=screened_ids: session.execute(
                    update(MonitoredRecord)
                    .where(MonitoredRecord.id.in_(ids))
                    .values(screened_hash=None)
                ),
            )

    def _record_facts(
        self, record: MonitoredRecord, hits: list[Any], versions: dict[str, int]
    ) -> list[HitFacts]:
        facts = []
        for hit in hits:
            entity = self._hit_entity(hit)
            if entity is not None:
                version = versions.get(entity.dataset, 0)
                facts.append(_facts(record.id, record.content_hash, entity, version, hit))
        return facts

    def _hit_entity(self, hit: Any) -> Entity | None:
        return self.store.get_entity(hit.entity_id)

    def _write_record_results(
        self,
        session: Session,
        results: list[tuple[str, str, list[HitFacts]]],
        actor: str,
        summary: ScreenSummary,
    ) -> None:
        for record_id, content_hash, hits in results:
            current = session.get(MonitoredRecord, record_id)
            if current is None or current.content_hash != content_hash or not current.active:
                continue  # changed again meanwhile: it stays pending and is screened next round
            context = {"trigger": "record_screening", "record_hash": content_hash}
            hit_entities = set()
            for hit in hits:
                outcome = apply_hit(session, hit, actor=actor, context=context)
                hit_entities.add(hit.entity_id)
                summary.hits += 1
                _count(summary, outcome)
            for alert in session.scalars(
                select(Alert).where(Alert.record_id == record_id, Alert.status != STATUS_CLOSED)
            ).all():
                if alert.entity_id not in hit_entities and alert.record_hash != content_hash:
                    _mark_no_longer_matching(
                        session, alert, record_hash=content_hash, actor=actor, context=context
                    )
                    summary.no_longer_matching += 1
            current.screened_hash = content_hash

    # --- list changes ----------------------------------------------------------------------

    def _active_versions(self) -> dict[str, int]:
        return {v.dataset: int(v.id) for v in self.store.active_versions()}

    def _has_records(self) -> bool:
        with self.sessions() as session:
            return (
                session.scalar(select(MonitoredRecord.id).where(MonitoredRecord.active).limit(1))
                is not None
            )

    def catch_up(self, datasets: Sequence[str] | None = None) -> list[RunSummary]:
        """Do the re-screens queued by activations, oldest first (resuming crashed runs).

        An entry is done without a run when nothing is monitored (the records added later are
        screened against the full lists). ``datasets`` limits the work to those datasets.
        """
        summaries = []
        for entry in pending_rescreens(self.sessions):
            if datasets is not None and entry.dataset not in datasets:
                continue
            if not self._has_records():
                _retrying(self.sessions, lambda session, e=entry.id: _mark_done(session, e))
                continue
            summary = self.rescreen_change(
                entry.dataset, entry.old_version, entry.new_version, queue_id=entry.id
            )
            if not summary.already_done:
                summaries.append(summary)
            else:
                _retrying(self.sessions, lambda session, e=entry.id: _mark_done(session, e))
        return summaries

    def rescreen_change(
        self,
        dataset: str,
        old_version: int | None,
        new_version: int,
        *,
        queue_id: int | None = None,
    ) -> RunSummary:
        """Re-screen for the diff ``old_version -> new_version`` (``None``: first import);
        ``queue_id`` is the queue entry the finished run marks done."""
        started = time.perf_counter()
        run_key = f"{dataset}:{old_version if old_version is not None else 'none'}->{new_version}"
        if queue_id is not None:
            run_key += f"#{queue_id}"
        summary = RunSummary(run_key, dataset, old_version, new_version)
        existing = self._start_run(summary)
        if existing is not None:
            return existing
        added, removed, changed = self._diff(dataset, old_version, new_version)
        summary.added, summary.removed, summary.changed = len(added), len(removed), len(changed)
        entities = [
            e
            for e in (self.store.get_entity(i, version_id=new_version) for i in added + changed)
            if e is not None
        ]
        summary.seconds["diff"] = time.perf_counter() - started

        if entities:
            self._rescreen_entities(summary, entities, new_version, run_key)
        mark = time.perf_counter()
        if removed:
            self._close_delisted(summary, removed, dataset, old_version, new_version, run_key)
        self._close_no_longer_active(summary, {e.id for e in entities}, run_key)
        summary.seconds["close"] = time.perf_counter() - mark
        summary.seconds["total"] = time.perf_counter() - started
        self._finish_run(summary, queue_id)
        return summary

    def _rescreen_entities(
        self, summary: RunSummary, entities: list[Entity], new_version: int, run_key: str
    ) -> None:
        mark = time.perf_counter()
        with self.sessions() as session:
            rows = session.execute(
                select(
                    MonitoredRecord.id,
                    MonitoredRecord.name,
                    MonitoredRecord.schema,
                    MonitoredRecord.birth_date,
                    MonitoredRecord.country,
                    MonitoredRecord.id_number,
                    MonitoredRecord.content_hash,
                ).where(MonitoredRecord.active)
            ).all()
            changed_ids = [e.id for e in entities]
            live = session.execute(
                select(Alert.id, Alert.record_id, Alert.entity_id).where(
                    Alert.entity_id.in_(changed_ids), Alert.status != STATUS_CLOSED
                )
            ).all()
        summary.records = len(rows)
        summary.seconds["load_records"] = time.perf_counter() - mark

        mark = time.perf_counter()
        index = RecordTokens.build([r.name for r in rows], [r.id_number for r in rows])
        candidates = set(candidate_records(index, entities).tolist())
        position = {r.id: i for i, r in enumerate(rows)} if live else {}
        candidates |= {position[a.record_id] for a in live if a.record_id in position}
        summary.candidates = len(candidates)
        summary.seconds["candidates"] = time.perf_counter() - mark

        mark = time.perf_counter()
        by_id = {e.id: e for e in entities}
        screener = self.screener_over(entities)
        facts: list[HitFacts] = []
        chosen = [rows[i] for i in sorted(candidates)]
        for row, hits in zip(chosen, _screen_rows(screener, chosen), strict=True):
            for hit in hits:
                entity = by_id.get(hit.entity_id)
                if entity is not None:
                    facts.append(_facts(row.id, row.content_hash, entity, new_version, hit))
        summary.hits = len(facts)
        summary.seconds["score"] = time.perf_counter() - mark

        mark = time.perf_counter()
        context = {"trigger": "list_change", "run": run_key}
        hit_pairs = {(f.record_id, f.entity_id) for f in facts}
        for start in range(0, len(facts), self.write_batch):
            chunk = facts[start : start + self.write_batch]
            _retrying(
                self.sessions,
                lambda session, chunk=chunk: self._write_hits(session, chunk, context, summary),
            )
        misses = [a for a in live if (a.record_id, a.entity_id) not in hit_pairs]
        if misses:
            _retrying(
                self.sessions,
                lambda session: self._write_misses(
                    session, misses, by_id, new_version, context, summary
                ),
            )
        summary.seconds["write"] = time.perf_counter() - mark

    def _write_hits(
        self, session: Session, chunk: list[HitFacts], context: dict[str, Any], summary: RunSummary
    ) -> None:
        for hit in chunk:
            record_hash = session.scalar(
                select(MonitoredRecord.content_hash).where(MonitoredRecord.id == hit.record_id)
            )
            if record_hash != hit.record_hash:
                summary.skipped_changed_records += 1  # its own pending screening covers it
                continue
            _count(summary, apply_hit(session, hit, actor=SYSTEM_ACTOR, context=context))

    def _write_misses(
        self,
        session: Session,
        misses: Sequence[Any],
        by_id: dict[str, Entity],
        new_version: int,
        context: dict[str, Any],
        summary: RunSummary,
    ) -> None:
        for miss in misses:
            alert = session.get(Alert, miss.id)
            entity = by_id[miss.entity_id]
            if alert is None or alert.status == STATUS_CLOSED:
                continue
            if alert.entity_version > new_version or alert.entity_hash == entity.content_hash():
                continue
            _mark_no_longer_matching(
                session,
                alert,
                entity_hash=entity.content_hash(),
                entity_version=new_version,
                actor=SYSTEM_ACTOR,
                context=context,
            )
            summary.no_longer_matching += 1

    def _close_delisted(
        self,
        summary: RunSummary,
        removed: list[str],
        dataset: str,
        old_version: int | None,
        new_version: int,
        run_key: str,
    ) -> None:
        reason = f"entity delisted: removed from {dataset} in version {new_version}" + (
            f" (was in version {old_version})" if old_version is not None else ""
        )

        def work(session: Session, chunk: list[str]) -> None:
            alerts = session.scalars(
                select(Alert).where(Alert.entity_id.in_(chunk), Alert.status != STATUS_CLOSED)
            ).all()
            for alert in alerts:
                outcome = close_or_review(
                    session, alert, actor=SYSTEM_ACTOR, reason=reason, run=run_key
                )
                _count_closing(summary, outcome)

        for start in range(0, len(removed), 500):
            chunk = removed[start : start + 500]
            _retrying(self.sessions, lambda session, chunk=chunk: work(session, chunk))

    def _close_no_longer_active(
        self, summary: RunSummary, entity_ids: set[str], run_key: str
    ) -> None:
        """A newer version may have delisted what this (older) run just alerted on."""
        if not entity_ids:
            return
        gone = [eid for eid in sorted(entity_ids) if self.store.get_entity(eid) is None]
        if not gone:
            return

        def work(session: Session) -> None:
            for alert in session.scalars(
                select(Alert).where(Alert.entity_id.in_(gone), Alert.status != STATUS_CLOSED)
            ).all():
                outcome = close_or_review(
                    session,
                    alert,
                    actor=SYSTEM_ACTOR,
                    reason="entity delisted: not in the active list version",
                    run=run_key,
                )
                _count_closing(summary, outcome)

        _retrying(self.sessions, work)

    def _diff(
        self, dataset: str, old_version: int | None, new_version: int
    ) -> tuple[list[str], list[str], list[str]]:
        """Entity ids added, removed and changed between two versions of ``dataset``."""
        if old_version is None:
            ids = [e.id for e in self.store.entities(version_ids=[new_version])]
            return ids, [], []
        diff = self.store.diff(old_version, new_version)
        return (
            sorted(_ids(diff.added)),
            sorted(_ids(diff.removed)),
            sorted(_ids(diff.changed)),
        )

    def _start_run(self, summary: RunSummary) -> RunSummary | None:
        """Claim the run key; return the stored summary when that run already finished."""

        def work(session: Session) -> RunSummary | None:
            run = session.scalars(
                select(RescreenRun).where(RescreenRun.run_key == summary.run_key)
            ).one_or_none()
            if run is None:
                session.add(
                    RescreenRun(
                        run_key=summary.run_key,
                        dataset=summary.dataset,
                        old_version=summary.old_version,
                        new_version=summary.new_version,
                        status=RUN_RUNNING,
                        counts="{}",
                        started_at=utc_now(),
                    )
                )
                append_event(
                    session,
                    actor=SYSTEM_ACTOR,
                    action="rescreen.started",
                    detail={"run": summary.run_key},
                )
                return None
            if run.status == RUN_DONE:
                done = RunSummary(**{**json.loads(run.counts), "already_done": True})
                return done
            summary.resumed = True
            append_event(
                session,
                actor=SYSTEM_ACTOR,
                action="rescreen.resumed",
                detail={"run": summary.run_key},
            )
            return None

        return _retrying(self.sessions, work)

    def _finish_run(self, summary: RunSummary, queue_id: int | None) -> None:
        """Mark the run done and its queue entry paid, in one transaction."""

        def work(session: Session) -> None:
            session.execute(
                update(RescreenRun)
                .where(RescreenRun.run_key == summary.run_key)
                .values(
                    status=RUN_DONE,
                    counts=canonical_json(summary.to_dict()),
                    finished_at=utc_now(),
                )
            )
            if queue_id is not None:
                _mark_done(session, queue_id)
            detail = {k: v for k, v in summary.to_dict().items() if k != "seconds"}
            append_event(session, actor=SYSTEM_ACTOR, action="rescreen.finished", detail=detail)

        _retrying(self.sessions, work)


def pending_rescreens(sessions: sessionmaker[Session]) -> list[RescreenQueue]:
    """Re-screens owed to activations and not yet done, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(RescreenQueue)
                .where(RescreenQueue.done_at.is_(None))
                .order_by(RescreenQueue.id)
            )
        )


def pending_rescreen_lines(engine: Any) -> list[str]:
    """One line per pending re-screen, for ``lists status``: what is owed and since when."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    lines = []
    for entry in pending_rescreens(sessions):
        with sessions() as session:
            run = session.scalars(
                select(RescreenRun).where(RescreenRun.run_key.endswith(f"#{entry.id}"))
            ).one_or_none()
        state = (
            f"run {run.status} since {run.started_at:%Y-%m-%d %H:%M}"
            if run is not None
            else "not started"
        )
        old = f"version {entry.old_version}" if entry.old_version is not None else "nothing"
        lines.append(
            f"re-screen pending: {entry.dataset} {old} -> version {entry.new_version}, queued "
            f"{entry.queued_at:%Y-%m-%d %H:%M}, {state} (done by the next `clearance monitor "
            "rescreen`, import or server start)"
        )
    return lines


def _mark_done(session: Session, queue_id: int) -> None:
    session.execute(
        update(RescreenQueue)
        .where(RescreenQueue.id == queue_id, RescreenQueue.done_at.is_(None))
        .values(done_at=utc_now())
    )


def _screen_rows(screener: Any, rows: Sequence[Any], chunk: int = 1000) -> list[list[Any]]:
    """Screen record rows (``name, schema, birth_date, country, id_number``) in batches."""
    results: list[list[Any]] = []
    for start in range(0, len(rows), chunk):
        queries = [
            {
                "name": row.name,
                "schema": row.schema,
                "birth_date": row.birth_date,
                "country": row.country,
                "identifiers": (row.id_number,) if row.id_number else (),
            }
            for row in rows[start : start + chunk]
        ]
        results += screener.screen_many(queries)
    return results


def _ids(items: Iterable[Any]) -> list[str]:
    """Entity ids from a diff section (ids, entities, or change records with ``id``)."""
    return [item if isinstance(item, str) else item.id for item in items]


def _explanation(hit: Any) -> dict[str, Any]:
    """What the matcher said about the hit, kept with the alert for the analyst and examiner."""
    data = hit.to_dict() if hasattr(hit, "to_dict") else {"explanation": str(hit)}
    keep = ("explanation", "matched_name", "name_kind", "features", "tokens", "list_version")
    return {k: data[k] for k in keep if k in data}


def _facts(record_id: str, record_hash: str, entity: Entity, version: int, hit: Any) -> HitFacts:
    return HitFacts(
        record_id=record_id,
        record_hash=record_hash,
        entity_id=entity.id,
        dataset=entity.dataset,
        entity_caption=entity.caption,
        entity_hash=entity.content_hash(),
        entity_version=version,
        score=float(hit.score),
        explanation=_explanation(hit),
    )


def _count_closing(summary: RunSummary, outcome: str) -> None:
    if outcome == "closed":
        summary.closed += 1
    elif outcome == "review":
        summary.review_tasks += 1


def _count(summary: RunSummary | ScreenSummary, outcome: str) -> None:
    if hasattr(summary, outcome):
        setattr(summary, outcome, getattr(summary, outcome) + 1)


def _mark_no_longer_matching(
    session: Session,
    alert: Alert,
    *,
    actor: str,
    context: dict[str, Any],
    record_hash: str | None = None,
    entity_hash: str | None = None,
    entity_version: int | None = None,
) -> None:
    """Keep the alert (an analyst decides), but record the new content and that it stopped hitting."""
    values: dict[str, Any] = {"updated_at": utc_now(), "version": alert.version + 1}
    if record_hash is not None:
        values["record_hash"] = record_hash
    if entity_hash is not None:
        values["entity_hash"] = entity_hash
    if entity_version is not None:
        values["entity_version"] = entity_version
    result = session.execute(
        update(Alert).where(Alert.id == alert.id, Alert.version == alert.version).values(**values)
    )
    if result.rowcount == 1:
        session.expire(alert)
        note_no_longer_matching(session, alert, actor=actor, context=context)
