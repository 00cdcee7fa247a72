"""Run ``screen-file`` on a dask.distributed cluster, streaming, with flat memory.

The client reads the input as a stream with the local reader
(:func:`clearance.records_io.iter_rows`, so warnings, rejects and line numbers are a local
run's), submits it in chunks to the cluster, and keeps at most ``max_in_flight`` chunks outstanding.
Workers screen a chunk with the local partition function
(:func:`clearance.batch.screen_partition`); results come back and are appended to the output
in input order. Memory on the client is bounded by the chunks in flight, whatever the input size.

Each worker opens the screener once, in :class:`ScreenerPlugin` (also on workers that join
later). The index comes either from a folder every worker can read (``index_path``, e.g. a
shared ``CLEARANCE_HOME``), or, by default, the client ships the persisted index files (a few
MB) inside the plugin and each worker writes them to its local directory.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, Future, WorkerPlugin

from clearance.batch import (
    OUTPUT_COLUMNS,
    OUTPUT_SCHEMA,
    BatchSummary,
    format_of,
    output_frame,
    record_frame,
    screen_partition,
)
from clearance.errors import ClearanceError, InputError, Location
from clearance.matching.screener import Screener
from clearance.records_io import RecordRow, Reject, iter_rows

#: Records per chunk sent to a worker: big enough to amortise a round trip, small enough for
#: steady progress and low memory.
DEFAULT_CHUNK_ROWS = 5000
#: Chunks queued per worker thread, so a worker never waits for its next chunk.
IN_FLIGHT_PER_THREAD = 2
#: Seconds to wait for the scheduler before telling the user it cannot be reached.
CONNECT_TIMEOUT_S = 30

#: Screeners opened in this (worker) process, by index key.
_SCREENERS: dict[str, Screener] = {}


class ScreenerPlugin(WorkerPlugin):
    """Opens the screener for index ``key`` once per worker process, before any task runs.

    ``files`` (name -> bytes) ships the persisted index with the plugin; otherwise every worker
    reads it from ``index_path``.
    """

    def __init__(
        self, key: str, *, index_path: str | None = None, files: dict[str, bytes] | None = None
    ) -> None:
        if (index_path is None) == (files is None):
            raise ValueError("give exactly one of index_path and files")
        self.key = key
        self.index_path = index_path
        self.files = files
        self.name = f"clearance-screener-{key}"

    def setup(self, worker: Any) -> None:
        if self.files is not None:
            folder = Path(worker.local_directory) / "clearance-index" / self.key
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in self.files.items():
                (folder / name).write_bytes(data)
        else:
            folder = Path(str(self.index_path))
        try:
            _SCREENERS[self.key] = Screener.load(folder)
        except InputError as exc:
            raise InputError(
                f"a dask worker cannot open the index: {exc.reason}", exc.location
            ) from None

    def teardown(self, worker: Any) -> None:
        _SCREENERS.pop(self.key, None)


def screen_chunk(
    key: str, records: pd.DataFrame, threshold: float | None, limit: int, all_records: bool
) -> pd.DataFrame:
    """The task run on a worker: the local partition function with the worker's screener."""
    screener = _SCREENERS.get(key)
    if screener is None:
        raise ClearanceError(f"this worker has not opened index {key} (plugin not registered)")
    return screen_partition(records, screener, threshold, limit, all_records)


# ----------------------------------------------------------------------------------------------
# streaming input


def iter_records(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    date_order: str | None = None,
) -> Iterator[tuple[pd.DataFrame, list[Reject]]]:
    """:func:`clearance.batch.read_records` chunk by chunk: the same records (a frame of at most
    ``chunk_rows``), ids, line numbers, warnings and rejects, with memory bounded by the chunk.

    Both read the stream of :func:`clearance.records_io.iter_rows`, so they cannot differ.
    """
    rows: list[RecordRow] = []
    rejects: list[Reject] = []
    for item in iter_rows(path, mapping, fmt, date_order):
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        rows.append(item)
        if len(rows) == chunk_rows:
            yield record_frame(rows), rejects
            rows, rejects = [], []
    if rows or rejects:
        yield record_frame(rows), rejects


# ----------------------------------------------------------------------------------------------
# incremental output


class ResultWriter:
    """Appends output partitions to ``path`` as they arrive (CSV, Parquet or JSON lines)."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = Path(path)
        self.fmt = fmt
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._parquet: pq.ParquetWriter | None = None
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.path, OUTPUT_SCHEMA)
        elif fmt == "csv":
            pd.DataFrame(columns=list(OUTPUT_COLUMNS)).to_csv(self.path, index=False)
        else:
            self.path.write_text("", encoding="utf-8")

    def write(self, hits: pd.DataFrame) -> None:
        if hits.empty:
            return
        hits = output_frame(hits[list(OUTPUT_COLUMNS)], self.fmt)
        if self._parquet is not None:
            table = pa.Table.from_pandas(hits, schema=OUTPUT_SCHEMA, preserve_index=False)
            self._parquet.write_table(table)
        elif self.fmt == "csv":
            hits.to_csv(self.path, mode="a", header=False, index=False)
        else:
            with self.path.open("a", encoding="utf-8") as handle:
                hits.to_json(handle, orient="records", lines=True, force_ascii=False)
        self.rows += len(hits)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----------------------------------------------------------------------------------------------
# the run


@dataclass(slots=True)
class DaskRunSummary(BatchSummary):
    """What a run did (:class:`BatchSummary`, and the cluster's part), for the CLI and tests."""

    chunks: int = 0
    workers: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        return self.records / self.elapsed_s if self.elapsed_s else 0.0


def _connect(scheduler: str | Client) -> tuple[Client, bool]:
    """A client for ``scheduler`` (an address or an existing client) and whether we own it."""
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"cannot reach the dask scheduler at {scheduler!r}: {exc}", Location(field="dask")
        ) from None


def screener_plugin(
    screener: Screener | None = None, index_path: Path | None = None
) -> ScreenerPlugin:
    """The plugin for a shared ``index_path``, else one shipping ``screener``'s persisted files
    (default: the store's active lists, :meth:`Screener.open`)."""
    if index_path is not None:
        folder = Path(index_path).resolve()
        return ScreenerPlugin(folder.name, index_path=str(folder))
    folder = (screener or Screener.open()).persist()
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return ScreenerPlugin(folder.name, files=files)


def run_dask(
    source: Path,
    out: Path,
    scheduler: str | Client,
    *,
    screener: Screener | None = None,
    index_path: Path | None = None,
    threshold: float | None = None,
    limit: int = 10,
    out_format: str | None = None,
    mapping: Mapping[str, str] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_in_flight: int | None = None,
    on_problem: Callable[[Reject], None] | None = None,
    on_records: Callable[[pd.DataFrame], None] | None = None,
    progress: Callable[[int], None] | None = None,
    date_order: str | None = None,
    all_records: bool = False,
) -> DaskRunSummary:
    """Screen ``source`` on the cluster at ``scheduler`` and write the output rows to ``out``.

    The output equals the local run's (same rows, order and scores). ``on_problem`` sees each
    rejected row as it is found, ``on_records`` each chunk of records read (with their
    warnings), ``progress`` the number of records in each finished chunk.
    """
    source, out = Path(source), Path(out)
    out_format = format_of(out, out_format, writing=True)
    started = time.perf_counter()
    summary = DaskRunSummary()
    plugin = screener_plugin(screener, index_path)
    client, owned = _connect(scheduler)
    pending: deque[tuple[int, Future]] = deque()
    registered = False
    try:
        client.register_plugin(plugin)
        registered = True
        threads = sum(client.nthreads().values())
        summary.workers = len(client.nthreads())
        in_flight = max_in_flight or max(1, threads * IN_FLIGHT_PER_THREAD)

        def finish_oldest() -> None:
            count, future = pending.popleft()
            rows = future.result()
            writer.write(rows)
            summary.count_output(rows)
            if progress:
                progress(count)

        with ResultWriter(out, out_format) as writer:
            chunks = iter_records(source, mapping, None, chunk_rows, date_order)
            for records, rejects in chunks:
                summary.rejects.extend(rejects)
                if on_problem:
                    for reject in rejects:
                        on_problem(reject)
                if records.empty:
                    continue
                summary.count_records(records)
                if on_records:
                    on_records(records)
                future = client.submit(
                    screen_chunk, plugin.key, records, threshold, limit, all_records, pure=False
                )
                pending.append((len(records), future))
                summary.chunks += 1
                while len(pending) >= in_flight:
                    finish_oldest()
            while pending:
                finish_oldest()
    finally:
        if pending:
            client.cancel([future for _, future in pending])
        if registered:  # frees the workers' screener on a long-lived cluster
            client.unregister_worker_plugin(plugin.name)
        if owned:
            client.close()
    summary.elapsed_s = time.perf_counter() - started
    return summary
