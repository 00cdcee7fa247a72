"""Screen a file of records (CSV, Parquet, JSON lines) on every core.

The unit of work is :func:`screen_partition` (a pandas DataFrame of records in, a DataFrame of
output rows out) so the same function serves local processes here, the API's batch jobs and the
dask runner. Reading follows :mod:`clearance.records_io`: every record with a name is screened,
unusable fields are left out and listed in the record's ``warnings``, rows that cannot be
screened are rejects (written to the rejects file by :func:`clearance.records_io.write_rejects`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from clearance.matching.screener import Query, Screener
from clearance.records_io import (
    FORMATS,
    INPUT_COLUMNS,
    RecordRow,
    Reject,
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
    "RECORD_COLUMNS",
    "BatchSummary",
    "chunk_rows",
    "format_of",
    "output_frame",
    "parse_mapping",
    "read_records",
    "record_frame",
    "screen_partition",
    "screen_records",
    "write_results",
]

#: Output columns, as documented (input columns: :data:`clearance.records_io.INPUT_COLUMNS`).
#: ``status`` is ``hit`` or ``no_hit``: a record without hits gets one ``no_hit`` row when it
#: has warnings (so they are in the output) or when every record is asked for (``all_records``).
OUTPUT_COLUMNS = (
    "query_id",
    "line",
    "status",
    "entity_id",
    "caption",
    "score",
    "datasets",
    "programs",
    "explanation",
    "warnings",
    "list_versions",
)
_TYPES = {"line": pa.int64(), "score": pa.float64(), "warnings": pa.list_(pa.string())}
#: The Parquet schema of the output (fixed, so that partitions written apart agree).
OUTPUT_SCHEMA = pa.schema([(c, _TYPES.get(c, pa.string())) for c in OUTPUT_COLUMNS])
#: Columns of a frame of records to screen (:func:`read_records`).
RECORD_COLUMNS = ("line", *INPUT_COLUMNS, "warnings")
#: Most records per unit of work handed to a worker process: a chunk's unseen tokens are looked
#: up together and its candidates pre-scored with one sparse product, so bigger is cheaper per
#: record, while every worker needs a few chunks for the load to even out.
CHUNK_ROWS = 2000
MIN_CHUNK_ROWS = 250
CHUNKS_PER_WORKER = 4


def record_frame(rows: Iterable[RecordRow]) -> pd.DataFrame:
    """Records as a frame (:data:`RECORD_COLUMNS`); a row without an id is numbered by its line.
    ``birth_date`` holds every reading of an ambiguous date, ``;``-separated."""
    records = [
        {
            "line": row.line,
            "id": row.id or str(row.line),
            "name": row.query.name,
            "schema": row.query.schema,
            "birth_date": row.query.birth_date,
            "country": row.query.country,
            "id_number": row.id_number,
            "warnings": row.warning_texts(),
        }
        for row in rows
    ]
    return pd.DataFrame(records, columns=list(RECORD_COLUMNS))


def read_records(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    date_order: str | None = None,
) -> tuple[pd.DataFrame, list[Reject]]:
    """Every screenable record of ``path`` (:func:`record_frame`) and the rejected rows."""
    result = read_rows(path, mapping, fmt, date_order)
    return record_frame(result.rows), result.rejects


@dataclass(slots=True)
class BatchSummary:
    """What a screening run did: the same counts for ``screen-file`` (local or on dask),
    ``monitor add`` and the API's batch jobs."""

    records: int = 0  # records screened
    hits: int = 0  # output rows that are hits
    rows: int = 0  # output rows written (hits and no_hit rows)
    warned: int = 0  # records screened with at least one field left out
    field_warnings: Counter[str] = field(default_factory=Counter)  # by input column
    rejects: list[Reject] = field(default_factory=list)

    def count_records(self, records: pd.DataFrame) -> None:
        """Count a frame of records to screen (:func:`record_frame`)."""
        self.records += len(records)
        for texts in records["warnings"]:
            self.warned += bool(texts)
            self.field_warnings.update(text.partition(": ")[0] for text in texts)

    def count_output(self, rows: pd.DataFrame) -> None:
        """Count a partition of output rows (:func:`screen_partition`)."""
        self.rows += len(rows)
        self.hits += int((rows["status"] == "hit").sum())

    def to_dict(self) -> dict[str, Any]:
        return {
            "records_screened": self.records,
            "hits": self.hits,
            "rows_written": self.rows,
            "records_with_warnings": self.warned,
            "warnings_by_column": dict(sorted(self.field_warnings.items())),
            "rejected": len(self.rejects),
        }

    def line(self) -> str:
        """The closing line of a run, for people."""
        columns = ", ".join(f"{c} {n:,}" for c, n in sorted(self.field_warnings.items()))
        return (
            f"{self.records:,} records screened, {self.hits:,} hits, {self.rows:,} rows written; "
            f"{self.warned:,} records with fields left out"
            + (f" ({columns})" if columns else "")
            + f"; {len(self.rejects):,} rows rejected"
        )


def screen_partition(
    df: pd.DataFrame,
    screener: Screener,
    threshold: float | None = None,
    limit: int = 10,
    all_records: bool = False,
) -> pd.DataFrame:
    """Output rows (:data:`OUTPUT_COLUMNS`) for a partition of records: one per hit, and a
    ``no_hit`` row for a record without hits that has warnings, or for every one if
    ``all_records``. Each row names the list versions it was screened against."""
    records = df.to_dict("records")
    queries = [
        Query.of(
            row["name"],
            text_of(row.get("schema")),
            text_of(row.get("birth_date")),
            text_of(row.get("country")),
            (row["id_number"],) if text_of(row.get("id_number")) else (),
        )
        for row in records
    ]
    results = screener.screen_many(queries, limit=limit, threshold=threshold)
    versions = ";".join(f"{d}={v}" for d, v in sorted(screener.versions.items()))
    rows: list[tuple[Any, ...]] = []
    for record, hits in zip(records, results, strict=True):
        query_id = str(record["id"])
        line = record.get("line")
        line = None if line is None or line != line else int(line)
        warnings = list(record.get("warnings") or ())
        for hit in hits:
            rows.append(
                (
                    query_id,
                    line,
                    "hit",
                    hit.entity_id,
                    hit.caption,
                    hit.score,
                    hit.dataset,
                    ";".join(hit.programs),
                    hit.explanation,
                    warnings,
                    versions,
                )
            )
        if not hits and (all_records or warnings):
            rows.append((query_id, line, "no_hit", *[None] * 6, warnings, versions))
    frame = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    return frame.astype({"line": "Int64", "score": "float64"})


def output_frame(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Output rows as ``fmt`` writes them: in CSV the warnings are one ``; ``-joined cell, in
    Parquet and JSON lines a list."""
    if fmt != "csv":
        return frame
    return frame.assign(warnings=frame["warnings"].map(lambda w: "; ".join(w)))


def write_results(parts: Sequence[pd.DataFrame], path: Path, fmt: str | None = None) -> int:
    """Write output partitions to ``path`` in its format; returns the number of rows."""
    path = Path(path)
    fmt = format_of(path, fmt)
    frames = [p for p in parts if not p.empty]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        frame = pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = output_frame(frame, fmt)
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        table = pa.Table.from_pandas(frame, schema=OUTPUT_SCHEMA, preserve_index=False)
        pq.write_table(table, path)
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
    args: tuple[pd.DataFrame | tuple[int, int], float | None, int, bool],
) -> tuple[int, pd.DataFrame]:
    chunk, threshold, limit, all_records = args
    assert _WORKER_SCREENER is not None
    if isinstance(chunk, tuple):
        assert _WORKER_RECORDS is not None
        chunk = _WORKER_RECORDS.iloc[chunk[0] : chunk[1]]
    return len(chunk), screen_partition(chunk, _WORKER_SCREENER, threshold, limit, all_records)


def chunk_rows(records: int, workers: int) -> int:
    """Records per chunk: :data:`CHUNKS_PER_WORKER` chunks per worker, within bounds."""
    share = -(-records // max(1, workers * CHUNKS_PER_WORKER))
    return min(CHUNK_ROWS, max(MIN_CHUNK_ROWS, share))


def _chunks(
    records: pd.DataFrame,
    threshold: float | None,
    limit: int,
    all_records: bool,
    rows: int = CHUNK_ROWS,
) -> Iterator[tuple[pd.DataFrame, float | None, int, bool]]:
    for start in range(0, len(records), rows):
        yield records.iloc[start : start + rows], threshold, limit, all_records


def screen_records(
    records: pd.DataFrame,
    screener: Screener,
    *,
    threshold: float | None = None,
    limit: int = 10,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    all_records: bool = False,
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
        for chunk, *options in _chunks(records, threshold, limit, all_records):
            parts.append(screen_partition(chunk, screener, *options))
            if progress:
                progress(len(chunk))
        return parts
    global _WORKER_RECORDS
    chunks: Iterable[tuple[pd.DataFrame | tuple[int, int], float | None, int, bool]]
    if "fork" in multiprocessing.get_all_start_methods():
        _set_worker_screener(screener)
        _WORKER_RECORDS = records
        pool = multiprocessing.get_context("fork").Pool(workers)
        chunks = (
            ((start, start + rows), threshold, limit, all_records)
            for start in range(0, len(records), rows)
        )
    else:
        folder = screener.persist()
        pool = multiprocessing.get_context("spawn").Pool(
            workers, initializer=_load_worker_screener, initargs=(str(folder),)
        )
        chunks = _chunks(records, threshold, limit, all_records, rows)
    try:
        with pool:
            for count, part in pool.imap(_work, chunks):
                parts.append(part)
                if progress:
                    progress(count)
    finally:
        _WORKER_RECORDS = None  # not kept alive in this process after the run
    return parts
