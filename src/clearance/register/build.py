"""Build the designation register (``designations.json``) from the facts CSVs.

The facts files in ``../shared/data/designations/`` are hand-researched: one row per designation
action, with free-text notes that carry facts a screening user needs (the group's SDN entry, a
revocation, an unverified date). This builder turns every row into a *designation record* with
those facts parsed out, and groups records into *entries*, one per group.

Rules (documented here because users and reviewers read the register through them):

* **Entry id** — ``us_designations:<slug of the name as designated>`` (accents folded, apostrophes
  dropped, other punctuation to ``-``). Rows whose names give the same slug are one group and are
  merged into one entry with several records, e.g. Tren de Aragua (FTO row in ``us_fto_list.csv``
  and FTO+SDGT row in ``us_fto_sdgt_2025.csv``) or Cartel de los Soles (SDGT 2025-07-25 and FTO
  2025-11-24). Groups are never merged on aliases: aliases are shared between distinct groups.
* **Every row is kept** as a record with its source file and line, so "the register holds every
  row of the facts files" stays checkable.
* **Revocation** — notes such as ``REVOKED as FTO 2022-05-20`` or ``FTO REVOKED 2025-07-08`` mark
  the record revoked (kept, not deleted); ``... revocation date not retrieved`` marks it revoked
  with an unknown date. ``remains SDGT`` / ``already SDGT`` / ``also SDGT`` record designations
  the notes state the group holds besides the row's own.
* **Verified** — a record is unverified when any of its authority, citation or notes says
  UNVERIFIED, RECONSTRUCTED, "verify", "inference"/"inferred" or "not verified against"; the
  clauses that say so are kept as the reasons.
* **SDN entry** — the first ``ent <number>`` the notes mention is the group's own SDN entry
  (notes lead with it); later numbers are other parties (a leader, a distinct predecessor "do not
  conflate") and are not linked. The quoted SDN name and ``[TAG]`` programs noted next to the
  number are kept.
* **Weak aliases** — an alias the notes call weak (``'PCC' is a short, weak alias``) is marked
  weak; every other alias, short acronyms included, is a strong alias.

Run ``python -m clearance.register.build [--designations DIR] [--out FILE]``; the output is
deterministic (sorted keys, no timestamps), so re-running it on the same facts gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from clearance.errors import InputError, Location
from clearance.model import DATASET_REGISTER
from clearance.register import fold, slug

#: Columns every facts file must have, in this order.
COLUMNS = (
    "name_as_designated",
    "aliases",
    "designation",
    "authority",
    "date_designated",
    "federal_register_citation",
    "source_url",
    "notes",
)
DESIGNATION_PROGRAMS = {"FTO": ["FTO"], "SDGT": ["SDGT"], "both": ["FTO", "SDGT"]}
FORMAT_VERSION = 1

DEFAULT_DESIGNATIONS = Path(__file__).resolve().parents[3].parent / "shared/data/designations"
DEFAULT_OUTPUT = Path(__file__).with_name("designations.json")

_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_REVOKED_RE = re.compile(
    rf"(?:\b(?P<before>FTO|SDGT)\s+)?\bREVOKED\b(?:\s+as\s+(?P<after>FTO|SDGT))?(?:\s+(?P<date>{_ISO_DATE}))?",
    re.IGNORECASE,
)
_REVOCATION_RE = re.compile(r"(?:\b(?P<before>FTO|SDGT)\s+)?\brevocation\b", re.IGNORECASE)
_ALSO_RE = re.compile(r"\b(?:remains|already|also)\s+(?P<program>FTO|SDGT)\b", re.IGNORECASE)
_UNVERIFIED_RE = re.compile(
    r"\bUNVERIFIED\b|\bRECONSTRUCTED\b|\bverify\b|\binference\b|\binferred\b|\bnot verified against\b",
    re.IGNORECASE,
)
_ENT_RE = re.compile(r"\bent(?:ry|_num)?\s+(?P<ent>\d+)", re.IGNORECASE)
_ENT_NAME_RE = re.compile(
    r"\s*(?:primary(?:\s+name\s+is)?\s+|renamed\s+from\s+'[^']*'\s+to\s+)?'(?P<name>[^']+)'"
)
_ENT_TAGS_RE = re.compile(r"\s*(?P<tags>(?:\[[^\]\[]+\])+)")
_QUOTED_RE = re.compile(r"'([^']+)'")
_CLAUSE_SPLIT_RE = re.compile(r";|\.\s+(?=[A-Z'(])")


def _clauses(text: str) -> list[str]:
    """Sentences and ``;``-separated parts of a free-text field, parentheses rebalanced."""
    clauses = []
    for raw in _CLAUSE_SPLIT_RE.split(text):
        clause = raw.strip().rstrip(".").strip()
        if clause.startswith("(") and clause.count("(") > clause.count(")"):
            clause = clause[1:].strip()
        clause += ")" * max(0, clause.count("(") - clause.count(")"))
        if clause:
            clauses.append(clause)
    return clauses


def _split(value: str, sep: str) -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


def _dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _parse_revocation(notes: str, programs: list[str]) -> dict[str, Any] | None:
    """``{"programs": [...], "date": ISO or None}`` when the notes say the row was revoked."""
    match = _REVOKED_RE.search(notes)
    if match:
        program = match.group("before") or match.group("after")
        return {
            "programs": [program.upper()] if program else list(programs),
            "date": match.group("date"),
        }
    match = _REVOCATION_RE.search(notes)
    if match:
        program = match.group("before")
        return {"programs": [program.upper()] if program else list(programs), "date": None}
    return None


def _parse_sdn_entry(notes: str) -> dict[str, Any] | None:
    """The group's own SDN entry: the first ent number in the notes, with its noted name/tags."""
    mentions = list(_ENT_RE.finditer(notes))
    if not mentions:
        return None
    ent = mentions[0].group("ent")
    name: str | None = None
    tags: list[str] = []
    for mention in mentions:
        if mention.group("ent") != ent:
            continue
        rest = notes[mention.end() :]
        name_match = _ENT_NAME_RE.match(rest)
        if name_match:
            name = name or name_match.group("name")
            rest = rest[name_match.end() :]
        tags_match = _ENT_TAGS_RE.match(rest)
        if tags_match and not tags:
            tags = [t.strip() for t in re.findall(r"\[([^\]]+)\]", tags_match.group("tags"))]
    return {"id": f"us_ofac_sdn:{ent}", "name": name, "programs_noted": tags}


def _weak_aliases(notes: str, aliases: list[str]) -> list[str]:
    """Aliases the notes call weak (quoted in a clause that says "weak")."""
    by_key = {fold(alias): alias for alias in aliases}
    weak: list[str] = []
    for clause in _clauses(notes):
        if not re.search(r"\bweak\b", clause, re.IGNORECASE):
            continue
        for quoted in _QUOTED_RE.findall(clause):
            alias = by_key.get(fold(quoted))
            if alias is not None and alias not in weak:
                weak.append(alias)
    return weak


def _unverified_reasons(row: dict[str, str]) -> list[str]:
    reasons: list[str] = []
    for column in ("date_designated", "authority", "federal_register_citation", "notes"):
        for clause in _clauses(row[column]):
            if _UNVERIFIED_RE.search(clause):
                reasons.append(clause if column == "notes" else f"{column}: {clause}")
    return _dedupe(reasons)


def parse_record(row: dict[str, str], file_name: str, line: int) -> dict[str, Any]:
    """One facts row as a designation record; raises InputError naming the bad field."""

    def fail(column: str, message: str) -> InputError:
        return InputError(message, Location(file_name, line, column))

    name = row["name_as_designated"].strip()
    if not name or not slug(name):
        raise fail("name_as_designated", "empty name")
    designation = row["designation"].strip()
    if designation not in DESIGNATION_PROGRAMS:
        raise fail("designation", f"{designation!r} is not one of FTO, SDGT, both")
    programs = DESIGNATION_PROGRAMS[designation]
    designated = row["date_designated"].strip() or None
    if designated is not None:
        try:
            date.fromisoformat(designated)
        except ValueError:
            raise fail("date_designated", f"{designated!r} is not a YYYY-MM-DD date") from None
        if not re.fullmatch(_ISO_DATE, designated):
            raise fail("date_designated", f"{designated!r} is not a YYYY-MM-DD date")
    authority = _split(row["authority"], ";")
    if not authority:
        raise fail("authority", "empty authority")
    notes = row["notes"].strip()
    aliases = _dedupe(_split(row["aliases"], ";"))
    sources = _split(row["source_url"], " | ")
    revoked = _parse_revocation(notes, programs)
    reasons = _unverified_reasons(row)
    return {
        "source_file": file_name,
        "line": line,
        "name": name,
        "aliases": aliases,
        "weak_aliases": _weak_aliases(notes, aliases),
        "designation": designation,
        "programs": programs,
        "authority": authority,
        "date_designated": designated,
        "federal_register_citation": row["federal_register_citation"].strip() or None,
        "source_urls": [s for s in sources if re.match(r"https?://", s)],
        "source_references": [s for s in sources if not re.match(r"https?://", s)],
        "notes": notes,
        "verified": not reasons,
        "unverified_reasons": reasons,
        "revoked": revoked,
        "also_designated": _dedupe(m.upper() for m in _ALSO_RE.findall(notes)),
        "sdn_entry": _parse_sdn_entry(notes),
    }


def read_facts_file(path: Path) -> list[dict[str, Any]]:
    """Parse one facts CSV into records; bad input raises InputError with file/line/field."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x})", Location(path.name, line)
        ) from None
    if not text.strip():
        raise InputError("empty file", Location(path.name, 1))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", Location(path.name, 1)) from None
    header = [h.strip() for h in header]
    for column in COLUMNS:
        if column not in header:
            raise InputError("missing column", Location(path.name, 1, column))
    records: list[dict[str, Any]] = []
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", Location(path.name, line)) from None
        if values and any(v.strip() for v in values):
            if len(values) != len(header):
                raise InputError(
                    f"{len(values)} fields, expected {len(header)}", Location(path.name, line)
                )
            records.append(parse_record(dict(zip(header, values, strict=True)), path.name, line))
        line = reader.line_num + 1
    if not records:
        raise InputError("no designation rows", Location(path.name, 2))
    return records


def _active_programs(records: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """Programs in force, and the revocations that ended the others.

    A program is in force when a record designates it after its latest revocation (an unknown
    revocation date counts as latest), or when notes state the group remains/also holds it.
    """
    revocations: dict[str, str | None] = {}
    for record in records:
        revoked = record["revoked"]
        if revoked is None:
            continue
        for program in revoked["programs"]:
            current = revocations.get(program, "")
            if current is not None and (revoked["date"] is None or revoked["date"] > current):
                revocations[program] = revoked["date"]
    active: set[str] = set()
    for record in records:
        active.update(record["also_designated"])
        for program in record["programs"]:
            if program not in revocations:
                active.add(program)
                continue
            revoked_on = revocations[program]
            designated = record["date_designated"]
            if revoked_on is not None and designated is not None and designated > revoked_on:
                active.add(program)
    ended = [
        {"program": program, "date": revoked_on}
        for program, revoked_on in sorted(revocations.items())
        if program not in active
    ]
    return sorted(active), ended


def build_entry(entry_id: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the records of one group into its register entry."""
    programs, revoked = _active_programs(records)
    weak = {fold(alias) for record in records for alias in record["weak_aliases"]}
    name = records[0]["name"]
    aliases: dict[str, dict[str, Any]] = {}
    for record in records:
        for alias in [record["name"], *record["aliases"]]:
            if alias.casefold() != name.casefold():
                aliases.setdefault(alias.casefold(), {"name": alias, "weak": fold(alias) in weak})
    in_force = [
        r for r in records if any(p in programs for p in r["programs"]) and not r["revoked"]
    ]
    dates = [r["date_designated"] for r in in_force if r["date_designated"]]
    sdn_links = _dedupe(r["sdn_entry"]["id"] for r in records if r["sdn_entry"])
    return {
        "id": entry_id,
        "name": name,
        "aliases": list(aliases.values()),
        "programs": programs,
        "revoked": revoked,
        "listed_on": min(dates) if dates else None,
        "authorities": _dedupe(a for r in in_force for a in r["authority"]),
        "sdn_links": sdn_links,
        "verified": all(r["verified"] for r in records),
        "designations": records,
    }


def build(designations_dir: Path) -> dict[str, Any]:
    """The register document for every ``*.csv`` facts file in ``designations_dir``."""
    files = sorted(designations_dir.glob("*.csv"))
    if not files:
        raise InputError("no facts files (*.csv)", Location(str(designations_dir)))
    grouped: dict[str, list[dict[str, Any]]] = {}
    sources = []
    for path in files:
        records = read_facts_file(path)
        sources.append(
            {
                "file": path.name,
                "rows": len(records),
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
        for record in records:
            grouped.setdefault(f"{DATASET_REGISTER}:{slug(record['name'])}", []).append(record)
    entries = [build_entry(entry_id, grouped[entry_id]) for entry_id in sorted(grouped)]
    dates = [
        r["date_designated"] for e in entries for r in e["designations"] if r["date_designated"]
    ]
    return {
        "format": FORMAT_VERSION,
        "dataset": DATASET_REGISTER,
        "newest_designation": max(dates) if dates else None,
        "sources": sources,
        "entries": entries,
    }


def render(document: dict[str, Any]) -> bytes:
    """Deterministic bytes of the register document."""
    return (json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write(designations_dir: Path, output: Path) -> dict[str, Any]:
    """Build and write atomically (a failed build leaves the previous file in place)."""
    document = build(designations_dir)
    tmp = output.with_suffix(output.suffix + ".tmp")
    tmp.write_bytes(render(document))
    tmp.replace(output)
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clearance.register.build",
        description="Write the built-in designation register from the facts CSVs.",
    )
    parser.add_argument("--designations", type=Path, default=DEFAULT_DESIGNATIONS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        document = write(args.designations, args.out)
    except (InputError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = sum(s["rows"] for s in document["sources"])
    print(f"{args.out}: {len(document['entries'])} entries from {rows} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
