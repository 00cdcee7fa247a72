"""Files of records to screen or monitor (CSV, TSV, JSON lines, Parquet), read in one place so
``screen-file``, ``monitor add`` and the API's batch jobs accept the same columns, formats and
``--map`` and apply the same rules (fail closed: no record with a usable name goes unscreened):

- a field that cannot be used (unknown schema or country, an unusable or impossible birth date)
  is left out of scoring for that record and reported with it, every such field, as a
  :class:`InputWarning` naming file, line and column; the record is still screened;
- a record without a name, a ragged CSV row (more or fewer fields than the header), a row that
  cannot be parsed (an unterminated quote) or a JSON line that is not an object is *rejected*:
  an :class:`InputWarning` kept apart, for the rejects file; it never aborts the rest of the file.

Columns: ``id,name,schema,birth_date,country,id_number``. Birth dates are read by
:mod:`clearance.dates`, countries by :mod:`clearance.countries`; the result is validated by the
matcher's own :meth:`Query.of`, so a record that reads here is one the screener accepts.
"""

from __future__ import annotations

import csv
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clearance.errors import InputError, InputWarning, Location

if TYPE_CHECKING:
    from clearance.matching.screener import Query

INPUT_COLUMNS = ("id", "name", "schema", "birth_date", "country", "id_number")
FORMATS = ("csv", "parquet", "jsonl")
#: Longest excerpt of a rejected row kept in the rejects file.
EXCERPT_CHARS = 300


#: File suffixes read as each format; output takes only the first of each, so that
#: ``--out hits.txt`` is refused rather than silently written as CSV.
SUFFIXES = {"csv": ("csv", "txt", "tsv"), "parquet": ("parquet", "pq"), "jsonl": ("jsonl", "ndjson", "json")}


def format_of(path: Path, explicit: str | None = None, *, writing: bool = False) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from ``explicit`` or the file suffix."""
    if explicit:
        if explicit not in FORMATS:
            raise InputError(
                f"unknown format {explicit!r} (use csv, parquet or jsonl)", Location(field="format")
            )
        return explicit
    suffix = path.suffix.lower().lstrip(".")
    for fmt, suffixes in SUFFIXES.items():
        if suffix in (suffixes[:1] if writing else suffixes):
            return fmt
    raise InputError(
        f"cannot tell the format of {path.name!r} (use .csv, .parquet or .jsonl"
        + (", or --format)" if writing else ")"),
        Location(str(path)),
    )


def parse_mapping(pairs: Iterable[str]) -> dict[str, str]:
    """``["theirs=ours", ...]`` -> ``{"theirs": "ours"}``: renames input columns to ours."""
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


def _first_undecodable_line(path: Path) -> int | None:
    """The number of the first line of ``path`` that is not UTF-8 (None if every line is)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def text_of(value: Any) -> str | None:
    """A cell as stripped text; ``None`` for empty cells, ``None`` and NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One record to screen. ``id`` is ``None`` when the row has none (``screen-file`` numbers
    such rows by line, monitoring refuses them); ``warnings`` name every field left out."""

    line: int
    id: str | None
    query: Query
    id_number: str | None
    warnings: tuple[InputWarning, ...] = ()

    def warning_texts(self) -> list[str]:
        """The warnings as the output's ``warnings`` column writes them: ``column: message``."""
        return [f"{w.location.field}: {w.message}" for w in self.warnings]


@dataclass(frozen=True, slots=True)
class Reject:
    """A row that cannot be screened (no name, ragged, unparseable), for the rejects file."""

    location: Location
    message: str
    excerpt: str = ""  # the row as written (cut at EXCERPT_CHARS), so it can be fixed

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(slots=True)
class ReadResult:
    """A file's records (with their field warnings) and its rejected rows."""

    rows: list[RecordRow] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def warnings(self) -> list[InputWarning]:
        """Every field warning of every record, in line order."""
        return [w for row in self.rows for w in row.warnings]


def read_rows(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    date_order: str | None = None,
) -> ReadResult:
    """Every record of ``path`` and its rejected rows (see the module docstring)."""
    result = ReadResult()
    for item in iter_rows(path, mapping, fmt, date_order):
        if isinstance(item, RecordRow):
            result.rows.append(item)
        else:
            result.rejects.append(item)
    return result


def iter_rows(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    fmt: str | None = None,
    date_order: str | None = None,
) -> Iterator[RecordRow | Reject]:
    """:func:`read_rows` as a stream, in input order: a record or a :class:`Reject`.

    Memory stays flat whatever the file size (a CSV row is re-read only when it is rejected).
    A missing ``name`` column is fatal (:class:`InputError`), as is a file that is not UTF-8.
    """
    from clearance.dates import DATE_ORDERS

    if date_order is not None and date_order not in DATE_ORDERS:
        raise InputError(
            f"unknown date order {date_order!r} (use dmy or mdy)", Location(field="date_order")
        )
    path = Path(path)
    fmt = format_of(path, fmt)
    mapping = dict(mapping or {})
    theirs = {ours: old for old, ours in mapping.items()}
    for line, values, reason, excerpt in _raw_rows(path, fmt, mapping):
        if values is None:
            yield Reject(Location(str(path), line), reason, excerpt)
        else:
            yield _record(path, line, values, theirs, date_order)


def _check_columns(path: Path, columns: Iterable[str]) -> None:
    """A file without a ``name`` column is refused as a whole (most likely a missing --map)."""
    columns = list(columns)
    if "name" not in columns:
        raise InputError(
            f"no 'name' column (columns: {', '.join(map(str, columns))}; rename with --map)",
            Location(str(path)),
        )


def _record(
    path: Path,
    line: int,
    values: Mapping[str, Any],
    theirs: Mapping[str, str],
    date_order: str | None,
) -> RecordRow | Reject:
    """One row's record, every unusable field a warning; a row without a name is rejected."""
    from clearance.countries import to_iso2
    from clearance.dates import parse_birth_date
    from clearance.matching.scoring import canonical_schema
    from clearance.matching.screener import Query

    cells = {c: text_of(values.get(c)) for c in INPUT_COLUMNS}
    if cells["name"] is None:
        column = theirs.get("name", "name")
        return Reject(Location(str(path), line, column), "no name: nothing to screen")
    warnings: list[InputWarning] = []

    def warn(column: str, message: str) -> None:
        where = Location(str(path), line, theirs.get(column, column))
        warnings.append(InputWarning(where, message, kind="field"))

    schema = cells["schema"]
    try:
        schema = canonical_schema(schema)
    except ValueError as exc:
        warn("schema", f"{exc}; screened against every type")
        schema = None
    reading = parse_birth_date(cells["birth_date"], date_order)
    if reading.warning:
        warn("birth_date", reading.warning)
    country = None
    if cells["country"] is not None:
        country = to_iso2(cells["country"])
        if country is None:
            warn("country", f"unknown country {cells['country']!r}; left out of scoring")
    identifiers = (cells["id_number"],) if cells["id_number"] else ()
    query = Query.of(cells["name"], schema, reading.text, country, identifiers)
    return RecordRow(line, cells["id"], query, cells["id_number"], tuple(warnings))


#: A raw row: its line, its values (``None`` when rejected), the reason and the row as written.
RawRow = tuple[int, "dict[str, Any] | None", str, str]


def _raw_rows(path: Path, fmt: str, mapping: Mapping[str, str]) -> Iterator[RawRow]:
    """Every row, columns renamed by ``mapping``; rejected rows with their reason. Parquet rows
    are numbered from 1."""
    try:
        if fmt == "parquet":
            yield from _parquet_rows(path, mapping)
            return
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if fmt == "csv":
                delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
                yield from _csv_rows(path, handle, delimiter, mapping)
            else:
                yield from _json_rows(path, handle, mapping)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"cannot read {fmt} input: not UTF-8 ({exc.reason}); save the file as UTF-8",
            Location(str(path), line=_first_undecodable_line(path)),
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read {fmt} input: {exc}", Location(str(path))) from None


def _parquet_rows(path: Path, mapping: Mapping[str, str]) -> Iterator[RawRow]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        _check_columns(path, (mapping.get(c, c) for c in parquet.schema_arrow.names))
        line = 0
        for batch in parquet.iter_batches(batch_size=5000):
            for row in batch.to_pylist():
                line += 1
                yield line, {mapping.get(k, k): v for k, v in row.items()}, "", ""
    except (pa.ArrowException, ValueError) as exc:
        raise InputError(f"cannot read parquet input: {exc}", Location(str(path))) from None


def _json_rows(path: Path, handle: Iterable[str], mapping: Mapping[str, str]) -> Iterator[RawRow]:
    """JSON lines; keys may differ per line, so only a file where no line names a ``name`` is
    refused as a whole (after reading it), a line without one is rejected."""
    named = False
    for line, text in enumerate(handle, start=1):
        if not text.strip():
            continue  # a blank line is no record
        try:
            value = json.loads(text)
        except ValueError as exc:
            yield line, None, f"not JSON ({exc.msg})", _excerpt(text)
            continue
        if not isinstance(value, dict):
            yield line, None, "not a JSON object", _excerpt(text)
            continue
        values = {mapping.get(k, k): v for k, v in value.items()}
        named = named or "name" in values
        yield line, values, "", ""
    if not named:
        raise InputError("no 'name' in any line (rename with --map)", Location(str(path)))


def _csv_rows(
    path: Path, handle: Iterable[str], delimiter: str, mapping: Mapping[str, str]
) -> Iterator[RawRow]:
    """CSV rows numbered by the physical line they start on (a quoted field may span lines).

    A row is rejected when it has more or fewer fields than the header, or when it cannot be
    parsed; a row whose quote swallowed the following lines (an unterminated quote) is rejected
    alone and the lines after it are read again, so one bad quote never loses the rest.
    """
    source = iter(handle)
    pending: deque[str] = deque()  # lines to read again after a rejected multi-line row
    taken: list[str] = []
    last = 0  # number of the last line handed to the parser

    def lines() -> Iterator[str]:
        nonlocal last
        while True:
            text = pending.popleft() if pending else next(source, None)
            if text is None:
                return
            last += 1
            taken.append(text)
            yield text

    header: list[str] | None = None
    while True:
        taken.clear()
        start = last + 1
        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        problem = None
        try:
            fields = next(reader)
        except StopIteration:
            if header is None:
                raise InputError("empty file: no header", Location(str(path))) from None
            return
        except csv.Error as exc:
            fields, problem = [], f"cannot be parsed ({exc})"
            if "unexpected end of data" in str(exc):
                problem = "unterminated quote: the quoted field never closes"
            elif len(taken) > 1:
                problem = f"unbalanced quote: the quoted field opened here runs on ({exc})"
        if header is None:
            if problem is not None:
                raise InputError(f"the header {problem}", Location(str(path), start))
            header = [mapping.get(name.strip(), name.strip()) for name in fields]
            _check_columns(path, header)
            continue
        if problem is None and not any(f.strip() for f in fields):
            continue  # a blank line (or only separators) is no record
        if problem is None and len(fields) != len(header):
            problem = f"{len(fields)} fields where the header has {len(header)}"
            if len(taken) > 1:
                problem = f"unbalanced quote: a field runs over {len(taken)} lines ({problem})"
        if problem is not None:
            yield start, None, problem, _excerpt(taken[0] if taken else "")
            pending.extendleft(reversed(taken[1:]))  # read the swallowed lines again
            last = start
            continue
        yield start, dict(zip(header, fields, strict=True)), "", ""


def _excerpt(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "..."


#: Columns of a rejects file.
REJECT_COLUMNS = ("line", "column", "reason", "record")


def write_rejects(rejects: Iterable[Reject], path: Path) -> int:
    """Write the rejected rows to ``path`` (CSV, :data:`REJECT_COLUMNS`), header-only when
    there are none so that an old rejects file never outlives the run; returns the count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for reject in rejects:
            location = reject.location
            writer.writerow((location.line, location.field or "", reject.message, reject.excerpt))
            count += 1
    return count


def default_rejects_path(out: Path) -> Path:
    """Where the rejects go when no ``--rejects`` is given: beside the output,
    ``<output name>.rejects.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.rejects.csv")
