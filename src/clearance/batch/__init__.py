"""Screen a file of records (CSV, Parquet, JSON lines) on every core.

The unit of work is :func:`screen_partition` (a pandas DataFrame of records in, a DataFrame of
hits out) so the same function serves local processes here and a later dask / Spark
``mapInPandas`` runner. Bad rows are reported with their line number and skipped.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pandas as pd

from clearance.errors import InputWarning
from clearance.matching.screener import Query, Screener
from clearance.records_io import (
    FORMATS,
    INPUT_COLUMNS,
    format_of,
    parse_mapping,
    read_rows,
    text_of,
)

#: Reading is shared with monitoring (``clearance.records_io``); re-exported for callers here.
__all__ = [
    "FORMATS",
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "chunk_rows",
    "format_of",
    "parse_mapping",
    "read_records",
    "screen_partition",
    "screen_records",
    "write_results",
]

#: Output columns, as documented (input columns: :data:`clearance.records_io.INPUT_COLUMNS`).
OUTPUT_COLUMNS = (
    "query_id",
    "entity_id",
    "caption",
    "score",
    "datasets",
    "programs",
    "explanation",
)
#: Most records per unit of work handed to a worker process: a chunk's unseen tokens are looked
#: up together and its candidates pre-scored with one sparse product, so bigger is cheaper per
#: record, while every worker needs a few chunks for the load to even out.
CHUNK_ROWS = 2000
MIN_CHUNK_ROWS = 250
CHUNKS_PER_WORKER = 4


def read_records(
    path: Path, mapping: Mapping[str, str] | None = None, fmt: str | None = None
) -> tuple[pd.DataFrame, list[InputWarning]]:
    """Valid records of ``path`` (columns ``line`` + :data:`INPUT_COLUMNS`) and the bad rows.

    Reading and validation are :func:`clearance.records_io.read_rows` (shared with monitoring);
    here a row without an id is numbered by its line.
    """
    rows, problems = read_rows(path, mapping, fmt)
    records = [
        {
            "line": row.line,
            "id": row.id or str(row.line),
            "name": row.query.name,
            "schema": row.query.schema,
            "birth_date": row.query.birth_date,
            "country": row.query.country,
            "id_number": row.id_number,
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=["line", *INPUT_COLUMNS]), problems


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
            text_of(row.get("schema")),
            text_of(row.get("birth_date")),
            text_of(row.get("country")),
            (row["id_number"],) if text_of(row.get("id_number")) else (),
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
#: The records a forked worker inherits: its chunks are then sent as row ranges, not pickled.
_WORKER_RECORDS: pd.DataFrame | None = None


def _set_worker_screener(screener: Screener) -> None:
    global _WORKER_SCREENER
    _WORKER_SCREENER = screener


def _load_worker_screener(folder: str) -> None:
    _set_worker_screener(Screener.load(Path(folder)))


def _work(
    args: tuple[pd.DataFrame | tuple[int, int], float | None, int],
) -> tuple[int, pd.DataFrame]:
    chunk, threshold, limit = args
    assert _WORKER_SCREENER is not None
    if isinstance(chunk, tuple):
        assert _WORKER_RECORDS is not None
        chunk = _WORKER_RECORDS.iloc[chunk[0] : chunk[1]]
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
    screener.index.prepare_batch()
    parts: list[pd.DataFrame] = []
    rows = chunk_rows(len(records), workers)
    if workers <= 1 or len(records) <= rows:
        for chunk, threshold_, limit_ in _chunks(records, threshold, limit):
            parts.append(screen_partition(chunk, screener, threshold_, limit_))
            if progress:
                progress(len(chunk))
        return parts
    global _WORKER_RECORDS
    chunks: Iterable[tuple[pd.DataFrame | tuple[int, int], float | None, int]]
    if "fork" in multiprocessing.get_all_start_methods():
        _set_worker_screener(screener)
        _WORKER_RECORDS = records
        pool = multiprocessing.get_context("fork").Pool(workers)
        chunks = (
            ((start, start + rows), threshold, limit) for start in range(0, len(records), rows)
        )
    else:
        folder = screener.persist()
        pool = multiprocessing.get_context("spawn").Pool(
            workers, initializer=_load_worker_screener, initargs=(str(folder),)
        )
        chunks = _chunks(records, threshold, limit, rows)
    try:
        with pool:
            for count, part in pool.imap(_work, chunks):
                parts.append(part)
                if progress:
                    progress(count)
    finally:
        _WORKER_RECORDS = None  # not kept alive in this process after the run
    return parts
