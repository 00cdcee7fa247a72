"""Files of records to screen or monitor (CSV, TSV, JSON lines, Parquet), read in one place so
``screen-file`` and ``monitor add`` accept the same columns, formats and ``--map`` and report a
bad row the same way: an :class:`InputWarning` naming file, line and column, never fatal.

Columns: ``id,name,schema,birth_date,country,id_number``; fields are validated by the matcher's
own :meth:`Query.of`, so a record that reads here is one the screener accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clearance.errors import InputError, InputWarning, Location

if TYPE_CHECKING:
    import pandas as pd

    from clearance.matching.screener import Query

INPUT_COLUMNS = ("id", "name", "schema", "birth_date", "country", "id_number")
FORMATS = ("csv", "parquet", "jsonl")


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


def read_frame(path: Path, fmt: str) -> tuple[pd.DataFrame, int]:
    """The raw table as strings and the line number of its first record. JSON lines that are
    empty or not objects become rows with a ``__bad__`` reason, so line numbers stay right."""
    import pandas as pd

    try:
        if fmt == "csv":
            sep = "\t" if path.suffix.lower() == ".tsv" else ","
            return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep), 2
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
    except UnicodeDecodeError as exc:
        line = _first_undecodable_line(path)
        raise InputError(
            f"cannot read {fmt} input: not UTF-8 ({exc.reason}); save the file as UTF-8",
            Location(str(path), line=line),
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {fmt} input: {exc}", Location(str(path))) from None


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
    """One valid input row. ``id`` is ``None`` when the row has none: ``screen-file`` numbers
    such rows by line, monitoring refuses them."""

    line: int
    id: str | None
    query: Query
    id_number: str | None


def read_rows(
    path: Path, mapping: Mapping[str, str] | None = None, fmt: str | None = None
) -> tuple[list[RecordRow], list[InputWarning]]:
    """Valid rows of ``path`` and the bad ones as warnings naming line and (the file's) column.

    A missing ``name`` column is fatal; a row without a name, with an unknown schema, a
    malformed birth date or an unknown country is skipped with a warning.
    """
    from clearance.matching.screener import Query

    path = Path(path)
    frame, first_line = read_frame(path, format_of(path, fmt))
    mapping = dict(mapping or {})
    if mapping:
        frame = frame.rename(columns=mapping)
    if "name" not in frame.columns:
        raise InputError(
            f"no 'name' column (columns: {', '.join(map(str, frame.columns))}; rename with --map)",
            Location(str(path)),
        )
    theirs = {ours: old for old, ours in mapping.items()}
    columns = set(frame.columns)
    rows: list[RecordRow] = []
    problems: list[InputWarning] = []
    for offset, row in enumerate(frame.to_dict("records")):
        line = first_line + offset
        bad = row.get("__bad__") if "__bad__" in columns else None
        if isinstance(bad, str):
            problems.append(InputWarning(Location(str(path), line), bad, kind="bad_row"))
            continue
        values = {c: text_of(row.get(c)) if c in columns else None for c in INPUT_COLUMNS}
        try:
            query = Query.of(
                values["name"] or "",
                values["schema"],
                values["birth_date"],
                values["country"],
                (values["id_number"],) if values["id_number"] else (),
            )
        except InputError as exc:
            field = exc.location.field
            location = Location(str(path), line, theirs.get(field, field) if field else None)
            problems.append(InputWarning(location, exc.reason, "bad_row"))
            continue
        rows.append(RecordRow(line, values["id"], query, values["id_number"]))
    return rows, problems
