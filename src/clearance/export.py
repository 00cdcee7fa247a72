"""Export of the active lists: FtM JSON lines, CSV and Parquet, with each entity's history.

``first_seen`` / ``last_seen`` / ``last_change`` come from the store's versions of the dataset
(oldest first, up to the active one): the first version holding the entity, the active one,
and the version where its content (hash) last changed. A version's moment is the list's own
publication date where the files state a full one, else the time it was imported.

CLI ``clearance lists export`` and ``GET /datasets/{name}/entities.ftm.json`` are thin layers
over :func:`export_entities` / :func:`ftm_lines`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from clearance.ftm import to_ftm
from clearance.model import Entity, ftm_id

if TYPE_CHECKING:
    from clearance.store import Store

FORMATS = ("ftm", "csv", "parquet")
TIMELINE_FIELDS = ("first_seen", "last_seen", "last_change")
#: Table columns holding lists (Parquet keeps lists; CSV joins them with "; ").
LIST_COLUMNS = ("names", "birth_dates", "countries", "identifiers", "programs", "related")


def timelines(store: Store, datasets: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """``{entity id: {"first_seen", "last_seen", "last_change"}}`` for the active entities.

    Computed from the entities' content hashes in every stored version (no entity data is
    read) and remembered for the same active versions, so ``changed_since`` filters are cheap.
    """
    wanted = None if datasets is None else set(datasets)
    active = {
        v.dataset: v for v in store.active_versions() if wanted is None or v.dataset in wanted
    }
    key = (store.url, tuple(sorted(v.id for v in active.values())))
    cached = _TIMELINES.get(key)
    if cached is not None:
        return cached
    result = _timelines(store, active)
    _TIMELINES.clear()  # one entry: the latest active versions asked for
    _TIMELINES[key] = result
    return result


_TIMELINES: dict[tuple[str, tuple[int, ...]], dict[str, dict[str, str]]] = {}


def _timelines(store: Store, active: dict[str, Any]) -> dict[str, dict[str, str]]:
    from clearance.store.tables import EntityRecord

    if not active:
        return {}
    versions = [v for v in store.versions() if v.dataset in active and v.id <= active[v.dataset].id]
    moments = {v.id: _moment(v) for v in versions}
    active_ids = {v.id: v.dataset for v in active.values()}
    query = (
        select(EntityRecord.entity_id, EntityRecord.content_hash, EntityRecord.version_id)
        .where(EntityRecord.version_id.in_(list(moments)))
        .order_by(EntityRecord.version_id)
    )
    state: dict[str, tuple[str, str, str]] = {}  # id -> first seen, last change, hash
    result: dict[str, dict[str, str]] = {}
    with store.engine.connect() as connection:
        for entity_id, content_hash, version_id in connection.execute(query):
            moment = moments[version_id]
            known = state.get(entity_id)
            if known is None:
                state[entity_id] = known = (moment, moment, content_hash)
            elif known[2] != content_hash:
                state[entity_id] = known = (known[0], moment, content_hash)
            if version_id in active_ids:
                result[entity_id] = {
                    "first_seen": known[0],
                    "last_seen": moment,
                    "last_change": known[1],
                }
    return result


def _moment(version: Any) -> str:
    """A version's moment: the list's publication date where it is a full date (a month
    such as ``2025-12`` is no instant), else the time it was imported."""
    published = version.published or ""
    if len(published) == 10:
        return str(published)
    return str(version.imported_at.isoformat(timespec="seconds"))


def ftm_lines(entities: Iterable[Entity], seen: dict[str, dict[str, str]]) -> Iterator[str]:
    """Every FtM record of the entities as one JSON line each; a stub shared by several
    entities (the same "Linked To:" name) is written once."""
    written: set[str] = set()
    for entity in entities:
        for record in to_ftm(entity, seen.get(entity.id)):
            if record["id"] in written:
                continue
            written.add(record["id"])
            yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def write_ftm(
    entities: Iterable[Entity], out: Path | IO[str], seen: dict[str, dict[str, str]] | None = None
) -> int:
    """Write entities as FtM JSON lines; returns the number of entities written."""
    listed = list(entities)
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8") as handle:
            handle.writelines(ftm_lines(listed, seen or {}))
    else:
        out.writelines(ftm_lines(listed, seen or {}))
    return len(listed)


def table_rows(
    entities: Iterable[Entity], seen: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """One row per entity for CSV / Parquet: lists stay lists (CSV joins them with ``; ``)."""
    rows = []
    for entity in entities:
        rows.append(
            {
                "id": ftm_id(entity.id),
                "clearance_id": entity.id,
                "schema": entity.schema,
                "caption": entity.caption,
                "dataset": entity.dataset,
                "target": entity.target,
                "names": [n.full for n in entity.names],
                "birth_dates": [d.value for d in entity.birth_dates],
                "countries": list(
                    dict.fromkeys([*entity.nationalities, *entity.citizenships, *entity.countries])
                ),
                "identifiers": [f"{i.kind.value}:{i.number}" for i in entity.identifiers],
                "programs": list(entity.programs),
                "listed_on": entity.listed_on,
                "related": [
                    f"{link.relation}:{link.target_id or link.target_name}" for link in entity.links
                ],
                **{name: seen.get(entity.id, {}).get(name) for name in TIMELINE_FIELDS},
            }
        )
    return rows


def export_entities(
    store: Store, out: Path | IO[str], fmt: str, datasets: list[str] | None = None
) -> int:
    """Write the active entities (of ``datasets``, default all) to ``out`` (a file, or a text
    stream for ``ftm`` and ``csv``) in ``fmt``; returns the number of entities."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    seen = timelines(store, datasets)
    entities = store.entities(datasets=datasets)
    if fmt == "ftm":
        return write_ftm(entities, out, seen)
    import pandas as pd

    rows = table_rows(entities, seen)
    frame = pd.DataFrame(rows, columns=list(rows[0]) if rows else None)
    if fmt == "csv":
        for column in LIST_COLUMNS:
            if column in frame:
                frame[column] = frame[column].map("; ".join)
        frame.to_csv(out, index=False)
    else:
        frame.to_parquet(out, index=False)
    return len(rows)
