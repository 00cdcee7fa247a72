"""Screen a file of records (CSV, Parquet, JSON lines) on every core.

The unit of work is :func:`screen_partition` (a pandas DataFrame of records in, a DataFrame of
hits out) so the same function serves local processes here and a later dask / Spark
``mapInPandas`` runner. Bad rows are reported with their line number and skipped.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from clearance.errors import InputError, InputWarning, Location
from clearance.matching.screener import Query, Screener

#: Input columns (``id_number`` optional) and output columns, as documented.
INPUT_COLUMNS = ("id", "name", "schema", "birth_date", "country", "id_number")
OUTPUT_COLUMNS = (
    "query_id",
    "entity_id",
    "caption",
    "score",
    "datasets",
    "programs",
    "explanation",
)
FORMATS = ("csv", "parquet", "jsonl")
#: Most records per unit of work handed to a worker process: a chunk's unseen tokens are looked
#: up together and its candidates pre-scored with one sparse product, so bigger is cheaper per
#: record, while every worker needs a few chunks for the load to even out.
CHUNK_ROWS = 2000
MIN_CHUNK_ROWS = 250
CHUNKS_PER_WORKER = 4


def format_of(path: Path, explicit: str | None = None) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from ``explicit`` or the file suffix."""
    if explicit:
        if explicit not in FORMATS:
            raise InputError(
                f"unknown format {explicit!r} (use csv, parquet or jsonl)", Location(field="format")
            )
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    if suffix in ("parquet", "pq"):
        return "parquet"
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    raise InputError(
        f"cannot tell the format of {path.name!r} (use .csv, .parquet or .jsonl)",
        Location(str(path)),
    )


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["old=new", ...]`` -> ``{"old": "new"}``: renames input columns to the expected names."""
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or new.strip() not in INPUT_COLUMNS:
            raise InputError(
                f"bad --map {pair!r} (use old=new with new one of {', '.join(INPUT_COLUMNS)})",
                Location(field="map"),
            )
        mapping[old.strip()] = new.strip()
    return mapping


def _read_frame(path: Path, fmt: str) -> tuple[pd.DataFrame, int]:
    """The raw table as strings and the line number of its first record."""
    try:
        if fmt == "csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False), 2
        if fmt == "parquet":
            return pd.read_parquet(path).astype(object), 1
        rows = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    rows.append({"__bad__": "empty line"})
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    rows.append({"__bad__": f"not JSON ({exc.msg})"})
                    continue
                rows.append(value if isinstance(value, dict) else {"__bad__": "not an object"})
        return pd.DataFrame(rows), 1
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {fmt} input: {exc}", Location(str(path))) from None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def read_records(
    path: Path, mapping: Mapping[str, str] | None = None, fmt: str | None = None
) -> tuple[pd.DataFrame, list[InputWarning]]:
    """Valid records of ``path`` (columns ``line`` + :data:`INPUT_COLUMNS`) and the bad rows.

    A row without a name, with an unknown schema, a malformed birth date or an unknown country
    is an :class:`InputWarning` naming its line and field; it is skipped, never fatal.
    """
    path = Path(path)
    fmt = format_of(path, fmt)
    frame, first_line = _read_frame(path, fmt)
    if mapping:
        frame = frame.rename(columns=dict(mapping))
    if "name" not in frame.columns:
        raise InputError(
            f"no 'name' column (columns: {', '.join(map(str, frame.columns))}; rename with --map)",
            Location(str(path)),
        )
    records: list[dict[str, Any]] = []
    problems: list[InputWarning] = []
    columns = set(frame.columns)
    for offset, row in enumerate(frame.to_dict("records")):
        line = first_line + offset
        bad = row.get("__bad__") if "__bad__" in columns else None
        if isinstance(bad, str):
            problems.append(InputWarning(Location(str(path), line), bad, kind="bad_row"))
            continue
        values = {c: _text(row.get(c)) if c in columns else None for c in INPUT_COLUMNS}
        try:
            query = Query.of(
                values["name"] or "",
                values["schema"],
                values["birth_date"],
                values["country"],
                (values["id_number"],) if values["id_number"] else (),
            )
        except InputError as exc:
            problems.append(
                InputWarning(Location(str(path), line, exc.location.field), exc.reason, "bad_row")
            )
            continue
        records.append(
            {
                "line": line,
                "id": values["id"] or str(line),
                "name": query.name,
                "schema": query.schema,
                "birth_date": query.birth_date,
                "country": query.country,
                "id_number": values["id_number"],
            }
        )
    result = pd.DataFrame(records, columns=["line", *INPUT_COLUMNS])
    return result, problems


def screen_partition(
    df: pd.DataFrame,
    screener: Screener,
    threshold: float | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """Hits for a partition of validated records: one row per hit (:data:`OUTPUT_COLUMNS`)."""
    queries = [
        Query.of(
            row["name"],
            _text(row.get("schema")),
            _text(row.get("birth_date")),
            _text(row.get("country")),
            (row["id_number"],) if _text(row.get("id_number")) else (),
        )
        for row in df.to_dict("records")
    ]
    results = screener.screen_many(queries, limit=limit, threshold=threshold)
    rows = []
    for query_id, hits in zip(df["id"].astype(str), results, strict=True):
        for hit in hits:
            rows.append(
                (
                    query_id,
                    hit.entity_id,
                    hit.caption,
                    hit.score,
                    hit.dataset,
                    ";".join(hit.programs),
                    hit.explanation,
                )
            )
    return pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))


def write_results(parts: Sequence[pd.DataFrame], path: Path, fmt: str | None = None) -> int:
    """Write hit partitions to ``path`` in its format; returns the number of rows."""
    path = Path(path)
    fmt = format_of(path, fmt)
    frame = pd.concat(list(parts), ignore_index=True) if parts else pd.DataFrame()
    if frame.empty:
        frame = pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return len(frame)


# ----------------------------------------------------------------------------------------------
# local processes

_WORKER_SCREENER: Screener | None = None


def _set_worker_screener(screener: Screener) -> None:
    global _WORKER_SCREENER
    _WORKER_SCREENER = screener


def _load_worker_screener(folder: str) -> None:
    _set_worker_screener(Screener.load(Path(folder)))


def _work(args: tuple[pd.DataFrame, float | None, int]) -> tuple[int, pd.DataFrame]:
    chunk, threshold, limit = args
    assert _WORKER_SCREENER is not None
    return len(chunk), screen_partition(chunk, _WORKER_SCREENER, threshold, limit)


def chunk_rows(records: int, workers: int) -> int:
    """Records per chunk: :data:`CHUNKS_PER_WORKER` chunks per worker, within bounds."""
    share = -(-records // max(1, workers * CHUNKS_PER_WORKER))
    return min(CHUNK_ROWS, max(MIN_CHUNK_ROWS, share))


def _chunks(
    records: pd.DataFrame, threshold: float | None, limit: int, rows: int = CHUNK_ROWS
) -> Iterator[tuple[pd.DataFrame, float | None, int]]:
    for start in range(0, len(records), rows):
        yield records.iloc[start : start + rows], threshold, limit


def screen_records(
    records: pd.DataFrame,
    screener: Screener,
    *,
    threshold: float | None = None,
    limit: int = 10,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[pd.DataFrame]:
    """Screen every record on ``workers`` processes (default: all cores), index loaded once each.

    Workers are forked with the screener already in memory where the platform forks; elsewhere
    each loads the persisted index from disk.
    """
    workers = workers or os.cpu_count() or 1
    parts: list[pd.DataFrame] = []
    rows = chunk_rows(len(records), workers)
    if workers <= 1 or len(records) <= rows:
        for chunk, threshold_, limit_ in _chunks(records, threshold, limit):
            parts.append(screen_partition(chunk, screener, threshold_, limit_))
            if progress:
                progress(len(chunk))
        return parts
    if "fork" in multiprocessing.get_all_start_methods():
        _set_worker_screener(screener)
        pool = multiprocessing.get_context("fork").Pool(workers)
    else:
        folder = screener.persist()
        pool = multiprocessing.get_context("spawn").Pool(
            workers, initializer=_load_worker_screener, initargs=(str(folder),)
        )
    with pool:
        for count, part in pool.imap(_work, _chunks(records, threshold, limit, rows)):
            parts.append(part)
            if progress:
                progress(count)
    return parts
