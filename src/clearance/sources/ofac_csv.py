"""OFAC legacy CSV: sdn.csv / add.csv / alt.csv / sdn_comments.csv and the cons_* equivalents.

The files are headerless CSV with CRLF line ends, ``-0- `` for an empty field and a final byte
0x1A (DOS end-of-file). A file that lacks the 0x1A marker but whose last record is complete is a
*partial* file (an excerpt); one whose last record is cut off is *truncated* and rejected.

Schema choice: OFAC does not tell companies from other organisations, so every non-individual,
non-vessel, non-aircraft row becomes an FtM ``Organization`` (the parent of ``Company`` in FtM,
so a Company query still matches it). Individuals become ``Person`` with ``first``/``last``
split from "SURNAME, Given".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clearance.countries import to_iso2
from clearance.errors import InputError, InputWarning, Location
from clearance.model import (
    DATASET_OFAC_CONS,
    DATASET_OFAC_SDN,
    Entity,
    Identifier,
    IdKind,
    Name,
    NameKind,
    resolve_links,
)
from clearance.sources.building import add_address
from clearance.sources.ofac_remarks import parse_remarks

EOF_MARKER = b"\x1a"
EMPTY = "-0-"
#: OFAC cuts the remarks column at this length and continues it in the comments file.
REMARKS_LIMIT = 1000

#: Column counts per file kind; detection reads the kind from the shape of the rows.
COLUMNS = {"primary": 12, "add": 6, "alt": 5, "comments": 2}

_SCHEMA_BY_TYPE = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}


@dataclass(slots=True)
class OfacTable:
    """The decoded rows of one OFAC CSV file, each with the line it starts on."""

    path: Path
    kind: str  # "primary" | "add" | "alt" | "comments"
    rows: list[tuple[int, list[str]]]
    complete: bool  # True when the file ends with the 0x1A marker (a whole official file)
    warnings: list[InputWarning] = field(default_factory=list)

    @property
    def dataset(self) -> str:
        return dataset_for(self.path)


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` for the non-SDN consolidated files (``cons_*``), else ``us_ofac_sdn``."""
    return DATASET_OFAC_CONS if path.name.lower().startswith("cons_") else DATASET_OFAC_SDN


def clean(value: str) -> str | None:
    """A field's text, or None for OFAC's empty marker ``-0-`` and blank fields."""
    text = value.strip()
    return None if not text or text == EMPTY else text


def decode(path: Path, data: bytes) -> tuple[str, list[InputWarning]]:
    """Decode OFAC bytes: UTF-8 (ASCII in practice), else Windows-1252 with a warning.

    Bytes that are neither (or NUL bytes: a binary or UTF-16 file) are an error naming the line.
    """
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            "NUL byte: not an OFAC CSV file (binary or UTF-16?)", Location(str(path), line)
        )
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc1252:
            bad_line = data[: exc1252.start].count(b"\n") + 1
            raise InputError(
                f"undecodable byte 0x{data[exc1252.start]:02x}: neither UTF-8 nor Windows-1252",
                Location(str(path), bad_line),
            ) from None
        warning = InputWarning(
            Location(str(path), line),
            f"not UTF-8 (byte 0x{data[exc.start]:02x}); read as Windows-1252",
            kind="encoding",
        )
        return text, [warning]


def read_table(path: Path, kind: str | None = None) -> OfacTable:
    """Read one OFAC CSV file; ``kind`` is detected from the column count when not given.

    Raises :class:`InputError` for an empty, truncated or mis-shaped file, naming file and line.
    """
    data = path.read_bytes()
    body = data.rstrip(b"\r\n\t ")
    complete = body.endswith(EOF_MARKER)
    if complete:
        body = body[:-1]
    if not body.strip():
        raise InputError("empty file: no records", Location(str(path)))
    text, warnings = decode(path, body)
    ends_with_newline = data.rstrip(b"\x1a").endswith((b"\n", b"\r"))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            if record:
                rows.append((line, record))
            line = reader.line_num + 1
    except csv.Error as exc:
        if not complete:
            raise InputError(
                f"truncated file: the last record is cut off ({exc}) and the OFAC end-of-file "
                "marker 0x1A is missing",
                Location(str(path), line),
            ) from None
        raise InputError(f"malformed CSV: {exc}", Location(str(path), line)) from None
    if not rows:
        raise InputError("empty file: no records", Location(str(path)))
    if kind is None:
        kind = kind_for_columns(len(rows[0][1]))
        if kind is None:
            raise InputError(
                f"unexpected column count {len(rows[0][1])}: not an OFAC CSV file "
                "(expected 12 for sdn/cons_prim, 6 for add, 5 for alt, 2 for comments)",
                Location(str(path), rows[0][0]),
            )
    expected = COLUMNS[kind]
    last_line, last_record = rows[-1]
    if not complete and (len(last_record) != expected or not ends_with_newline):
        raise InputError(
            f"truncated file: the last record has {len(last_record)} of {expected} columns "
            "and the OFAC end-of-file marker 0x1A is missing",
            Location(str(path), last_line),
        )
    for row_line, record in rows:
        if len(record) != expected:
            what = "missing" if len(record) < expected else "extra"
            raise InputError(
                f"{what} columns: expected {expected}, found {len(record)}",
                Location(str(path), row_line),
            )
    return OfacTable(path, kind, rows, complete, warnings)


def kind_for_columns(count: int) -> str | None:
    return next((kind for kind, columns in COLUMNS.items() if columns == count), None)


def _ent_num(table: OfacTable, line: int, value: str) -> str:
    text = value.strip()
    if not text.isdigit():
        raise InputError(
            f"ent_num {text!r} is not a number", Location(str(table.path), line, "ent_num")
        )
    return str(int(text))


def _split_person_name(name: str) -> tuple[str | None, str | None]:
    """ "GUZMAN LOERA, Joaquin Archivaldo" -> ("Joaquin Archivaldo", "GUZMAN LOERA")."""
    last, sep, first = name.partition(", ")
    if not sep:
        return None, None
    return first.strip() or None, last.strip() or None


def _name(full: str, kind: NameKind, schema: str) -> Name:
    if schema == "Person":
        first, last = _split_person_name(full)
        return Name(full, kind, first, last)
    return Name(full, kind)


def split_programs(value: str | None) -> list[str]:
    """ "SDNTK] [FTO] [SDGT" -> ["SDNTK", "FTO", "SDGT"]."""
    if not value:
        return []
    return [p.strip(" []") for p in value.split("] [") if p.strip(" []")]


@dataclass(slots=True)
class _Record:
    line: int
    fields: list[str]
    remarks: str
    path: Path


def build_entities(
    primary: OfacTable,
    supplements: Iterable[OfacTable] = (),
    partials: Iterable[OfacTable] = (),
) -> tuple[list[Entity], list[InputWarning]]:
    """Entities from a primary table plus its add/alt/comments tables.

    ``partials`` are primary-shaped excerpts (no 0x1A marker) whose rows replace or add to the
    primary's rows by ent_num before the supplements are joined. Duplicate ent_nums keep the
    first row; supplement rows whose ent_num has no primary row are counted ``orphan_<kind>``
    warnings naming file and line.
    """
    warnings: list[InputWarning] = list(primary.warnings)
    dataset = primary.dataset
    records: dict[str, _Record] = {}
    for line, fields in primary.rows:
        ent = _ent_num(primary, line, fields[0])
        if ent in records:
            warnings.append(
                InputWarning(
                    Location(str(primary.path), line, "ent_num"),
                    f"duplicate ent_num {ent} (first on line {records[ent].line}); kept the first",
                    kind="duplicate_id",
                )
            )
            continue
        records[ent] = _Record(line, fields, clean(fields[11]) or "", primary.path)
    for partial in partials:
        warnings.extend(partial.warnings)
        for line, fields in partial.rows:
            ent = _ent_num(partial, line, fields[0])
            records[ent] = _Record(line, fields, clean(fields[11]) or "", partial.path)
    tables = sorted(supplements, key=lambda t: ("comments", "alt", "add").index(t.kind))
    for table in tables:
        if table.kind == "comments":
            warnings.extend(table.warnings)
            _apply_comments(table, records, warnings)
    entities = {ent: _entity(dataset, ent, rec) for ent, rec in records.items()}
    for table in tables:
        if table.kind == "comments":
            continue
        warnings.extend(table.warnings)
        apply = _apply_alt if table.kind == "alt" else _apply_add
        seen: set[tuple[str, str]] = set()
        for line, fields in table.rows:
            ent = _ent_num(table, line, fields[0])
            entity = entities.get(ent)
            location = Location(str(table.path), line, "ent_num")
            if entity is None:
                warnings.append(
                    InputWarning(
                        location,
                        f"{table.kind} row for ent_num {ent} which has no {primary.path.name} row",
                        kind=f"orphan_{table.kind}",
                    )
                )
                continue
            key = (ent, fields[1].strip())
            if key in seen:
                warnings.append(
                    InputWarning(
                        location, f"duplicate {table.kind} row {key[1]}", kind="duplicate_id"
                    )
                )
                continue
            seen.add(key)
            apply(entity, fields)
    built = list(entities.values())
    resolve_links(built)
    return built, warnings


def _apply_comments(
    table: OfacTable, records: dict[str, _Record], warnings: list[InputWarning]
) -> None:
    for line, fields in table.rows:
        ent = _ent_num(table, line, fields[0])
        text = clean(fields[1])
        record = records.get(ent)
        if record is None:
            warnings.append(
                InputWarning(
                    Location(str(table.path), line, "ent_num"),
                    f"comment for ent_num {ent} which has no primary row",
                    kind="orphan_comments",
                )
            )
            continue
        if not text:
            continue
        if len(record.remarks) >= REMARKS_LIMIT:
            record.remarks += text  # the comment continues the cut-off remarks mid-word
        else:
            warnings.append(
                InputWarning(
                    Location(str(table.path), line, "remarks"),
                    f"comment for ent_num {ent} does not continue its remarks (files from "
                    "different dates?); appended as further clauses",
                    kind="comment_mismatch",
                )
            )
            record.remarks = f"{record.remarks.rstrip('.')}; {text}" if record.remarks else text


def _entity(dataset: str, ent: str, record: _Record) -> Entity:
    fields = record.fields
    name = clean(fields[1]) or ""
    sdn_type = (clean(fields[2]) or "").lower()
    schema = _SCHEMA_BY_TYPE.get(sdn_type, "Organization")
    entity = Entity(
        id=f"{dataset}:{ent}",
        schema=schema,
        names=[_name(name, NameKind.PRIMARY, schema)] if name else [],
        dataset=dataset,
        programs=split_programs(clean(fields[3])),
        topics=["sanction"],
        source={"file": str(record.path), "line": record.line, "format": "ofac_csv"},
    )
    titles = [t.strip() for t in (clean(fields[4]) or "").split("; ") if t.strip()]
    for title in titles:
        entity.add_property("title", title)
    call_sign = clean(fields[5])
    if call_sign:
        entity.add_property("callSign", call_sign)
        entity.identifiers.append(Identifier(IdKind.CALL_SIGN, call_sign, label="Call Sign"))
    for prop, index in (
        ("vesselType", 6),
        ("tonnage", 7),
        ("grossRegisteredTonnage", 8),
        ("owner", 10),
    ):
        value = clean(fields[index])
        if value:
            entity.add_property(prop, value)
    flag = clean(fields[9])
    if flag:
        code = to_iso2(flag)
        entity.add_property("flag", code or flag)
        if code and code not in entity.countries:
            entity.countries.append(code)
    if record.remarks:
        parse_remarks(entity, record.remarks, titles=titles)
    return entity


def _apply_alt(entity: Entity, fields: list[str]) -> None:
    name = clean(fields[3])
    if not name:
        return
    kind = _ALT_KINDS.get((clean(fields[2]) or "aka").lower(), NameKind.ALIAS)
    if all(n.full != name for n in entity.names):
        entity.names.append(_name(name, kind, entity.schema))
    remarks = clean(fields[4])
    if remarks:
        entity.add_property("notes", remarks)


def _apply_add(entity: Entity, fields: list[str]) -> None:
    street, city, country_text, remarks = (clean(fields[i]) for i in (2, 3, 4, 5))
    if not any((street, city, country_text)):
        return
    add_address(entity, street=street, city=city, country_text=country_text)
    if remarks:
        entity.add_property("notes", remarks)
