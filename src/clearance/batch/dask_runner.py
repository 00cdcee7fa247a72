"""Run ``screen-file`` on a dask.distributed cluster, streaming, with flat memory.

The client reads the input in chunks, validates each chunk with the local reader
(:func:`clearance.batch.read_records`, so bad rows get the same messages and line numbers as a
local run), submits it to the cluster, and keeps at most ``max_in_flight`` chunks outstanding.
Workers screen a chunk with the local partition function
(:func:`clearance.batch.screen_partition`); results come back and are appended to the output
in input order. Memory on the client is bounded by the chunks in flight, whatever the input size.

Each worker opens the screener once, in :class:`ScreenerPlugin` (also on workers that join
later). The index comes either from a folder every worker can read (``index_path``, e.g. a
shared ``CLEARANCE_HOME``), or, by default, the client ships the persisted index files (a few
MB) inside the plugin and each worker writes them to its local directory.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, Future, WorkerPlugin

from clearance.batch import OUTPUT_COLUMNS, format_of, read_records, screen_partition
from clearance.errors import ClearanceError, InputError, InputWarning, Location
from clearance.matching.screener import Screener

#: Records per chunk sent to a worker: big enough to amortise a round trip, small enough for
#: steady progress and low memory.
DEFAULT_CHUNK_ROWS = 5000
#: Chunks queued per worker thread, so a worker never waits for its next chunk.
IN_FLIGHT_PER_THREAD = 2
#: Seconds to wait for the scheduler before telling the user it cannot be reached.
CONNECT_TIMEOUT_S = 30

#: Screeners opened in this (worker) process, by index key.
_SCREENERS: dict[str, Screener] = {}

_OUTPUT_SCHEMA = pa.schema(
    [(c, pa.float64() if c == "score" else pa.string()) for c in OUTPUT_COLUMNS]
)


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
    key: str, records: pd.DataFrame, threshold: float | None, limit: int
) -> pd.DataFrame:
    """The task run on a worker: the local partition function with the worker's screener."""
    screener = _SCREENERS.get(key)
    if screener is None:
        raise ClearanceError(f"this worker has not opened index {key} (plugin not registered)")
    return screen_partition(records, screener, threshold, limit)


# ----------------------------------------------------------------------------------------------
# streaming input


def _raw_chunks(path: Path, fmt: str, chunk_rows: int) -> Iterator[tuple[Any, int]]:
    """The input in raw chunks (a DataFrame, or a list of JSON lines) and each one's row count."""
    try:
        if fmt == "csv":
            with pd.read_csv(
                path, dtype=str, keep_default_na=False, chunksize=chunk_rows
            ) as reader:
                for frame in reader:
                    yield frame, len(frame)
        elif fmt == "parquet":
            for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
                yield batch.to_pandas(), batch.num_rows
        else:
            with path.open(encoding="utf-8") as handle:
                lines: list[str] = []
                for line in handle:
                    lines.append(line)
                    if len(lines) == chunk_rows:
                        yield lines, len(lines)
                        lines = []
                if lines:
                    yield lines, len(lines)
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise InputError(f"cannot read {fmt} input: {exc}", Location(str(path))) from None


def _source_column(columns: Any, mapping: Mapping[str, str], target: str) -> str:
    """The input column that becomes ``target`` once ``mapping`` renames the columns."""
    return next((old for old, new in mapping.items() if new == target and old in columns), target)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _with_line_ids(
    chunk: pd.DataFrame, first_line: int, mapping: Mapping[str, str]
) -> pd.DataFrame:
    """The chunk with a missing ``id`` set to the record's line number in the whole input.

    The local reader defaults ``id`` to the line number; read chunk by chunk it would use the
    line within the chunk, so the default is filled in here, from the original numbering.
    """
    column = _source_column(chunk.columns, mapping, "id")
    numbers = pd.Series(range(first_line, first_line + len(chunk)), index=chunk.index).astype(str)
    if column not in chunk.columns:
        return chunk.assign(**{column: numbers})
    ids = chunk[column].astype(object)
    return chunk.assign(**{column: ids.where(~ids.map(_blank), numbers).map(str)})


def _json_lines_with_line_ids(
    lines: list[str], first_line: int, mapping: Mapping[str, str]
) -> tuple[list[str], bool]:
    """:func:`_with_line_ids` for JSON lines, plus a last line ``{name: null}``.

    JSON lines may differ in their keys, so a chunk of bad lines alone has no ``name`` column,
    which the local reader (seeing the whole file) would take for a fatal error. The extra line
    gives every chunk the column; its own bad-row report is dropped by the caller. Also says
    whether any line of the chunk has a name key.
    """
    name_key = next((old for old, new in mapping.items() if new == "name"), "name")
    has_name = False
    result = []
    for number, text in enumerate(lines, start=first_line):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            has_name = has_name or name_key in value
            column = _source_column(value, mapping, "id")
            if _blank(value.get(column)):
                value[column] = str(number)
                text = json.dumps(value, ensure_ascii=False) + "\n"
        result.append(text if text.endswith("\n") else text + "\n")
    result.append(json.dumps({name_key: None}) + "\n")
    return result, has_name


def _spool(chunk: Any, fmt: str, path: Path) -> None:
    if fmt == "csv":
        chunk.to_csv(path, index=False)
    elif fmt == "parquet":
        chunk.to_parquet(path, index=False)
    else:
        path.write_text("".join(chunk), encoding="utf-8")


def _moved(warning: InputWarning, source: Path, offset: int) -> InputWarning:
    location = warning.location
    line = None if location.line is None else location.line + offset
    return InputWarning(Location(str(source), line, location.field), warning.message, warning.kind)


def iter_records(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Iterator[tuple[pd.DataFrame, list[InputWarning]]]:
    """:func:`clearance.batch.read_records` chunk by chunk: same records, ids, line numbers and
    bad-row warnings, with memory bounded by ``chunk_rows``.

    Each raw chunk is spooled to a temporary file and validated by the local reader, then its
    line numbers are shifted to the chunk's place in the input.
    """
    path = Path(path)
    fmt = format_of(path, fmt)
    mapping = dict(mapping or {})
    first_line = 2 if fmt == "csv" else 1  # the local reader's numbering: CSV has a header
    name_seen = False
    with tempfile.TemporaryDirectory(prefix="clearance-chunks-") as folder:
        spool = Path(folder) / f"chunk.{fmt}"
        offset = 0
        for chunk, rows in _raw_chunks(path, fmt, chunk_rows):
            if fmt == "jsonl":
                lines, has_name = _json_lines_with_line_ids(chunk, first_line + offset, mapping)
                name_seen = name_seen or has_name
                _spool(lines, fmt, spool)
            else:
                _spool(_with_line_ids(chunk, first_line + offset, mapping), fmt, spool)
            try:
                records, problems = read_records(spool, mapping, fmt)
            except InputError as exc:
                raise InputError(
                    exc.reason, Location(str(path), None, exc.location.field)
                ) from None
            records["line"] = records["line"].astype(int) + offset
            sentinel = first_line + rows if fmt == "jsonl" else None
            yield (
                records,
                [_moved(p, path, offset) for p in problems if p.location.line != sentinel],
            )
            offset += rows
    if fmt == "jsonl" and offset and not name_seen:
        raise InputError("no 'name' in any line (rename with --map)", Location(str(path)))


# ----------------------------------------------------------------------------------------------
# incremental output


class ResultWriter:
    """Appends hit partitions to ``path`` as they arrive (CSV, Parquet or JSON lines)."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = Path(path)
        self.fmt = fmt
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._parquet: pq.ParquetWriter | None = None
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self.path, _OUTPUT_SCHEMA)
        elif fmt == "csv":
            pd.DataFrame(columns=list(OUTPUT_COLUMNS)).to_csv(self.path, index=False)
        else:
            self.path.write_text("", encoding="utf-8")

    def write(self, hits: pd.DataFrame) -> None:
        if hits.empty:
            return
        hits = hits[list(OUTPUT_COLUMNS)]
        if self._parquet is not None:
            table = pa.Table.from_pandas(hits, schema=_OUTPUT_SCHEMA, preserve_index=False)
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
class DaskRunSummary:
    """What a run did, for the CLI's closing line and for tests."""

    records: int = 0
    hits: int = 0
    chunks: int = 0
    workers: int = 0
    elapsed_s: float = 0.0
    problems: list[InputWarning] = field(default_factory=list)

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
    on_problem: Callable[[InputWarning], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> DaskRunSummary:
    """Screen ``source`` on the cluster at ``scheduler`` and write the hits to ``out``.

    The output equals the local run's (same rows, order and scores). ``on_problem`` sees each
    skipped row as it is found, ``progress`` the number of records in each finished chunk.
    """
    source, out = Path(source), Path(out)
    out_format = format_of(out, out_format)
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
            hits = future.result()
            writer.write(hits)
            summary.records += count
            summary.hits += len(hits)
            if progress:
                progress(count)

        with ResultWriter(out, out_format) as writer:
            for records, problems in iter_records(source, mapping, chunk_rows=chunk_rows):
                summary.problems.extend(problems)
                if on_problem:
                    for problem in problems:
                        on_problem(problem)
                if records.empty:
                    continue
                future = client.submit(
                    screen_chunk, plugin.key, records, threshold, limit, pure=False
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
