"""Beneficial Ownership Data Standard (BODS) 0.4: JSON (an array of statements) or JSON lines.

Statements are ``recordType`` ``entity``, ``person`` or ``relationship``. A record may be stated
several times (``recordStatus`` ``new`` / ``updated`` / ``closed``): the last statement of a
``recordId`` (by ``statementDate``, then file order) is the record; a ``closed`` one is gone.
A relationship's ``interests`` become :class:`~clearance.ownership.model.Interest`s with their
``type``, ``directOrIndirect``, ``share`` (``exact``, or ``minimum``/``maximum`` and their
exclusive forms, kept as a range) and dates. Every bad statement is reported with its
statement id; any bad statement refuses the whole file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clearance.countries import to_iso2
from clearance.errors import Location
from clearance.ownership.model import DIRECT, INDIRECT, UNKNOWN, Interest, OwnershipBatch, Party
from clearance.ownership.problems import Problems
from clearance.ownership.values import share_range

FORMAT = "bods"
RECORD_TYPES = ("entity", "person", "relationship")


def looks_like_bods(path: Path) -> bool:
    """Whether ``path`` starts like BODS statements (an array or lines of ``statementId`` objects)."""
    head = path.read_bytes()[:4096].decode("utf-8", "replace")
    return '"statementId"' in head and '"recordType"' in head


def read_bods(path: Path, dataset: str | None = None) -> OwnershipBatch:
    """Parse one BODS file; :class:`OwnershipInputError` lists every bad statement."""
    problems = Problems()
    statements = _statements(path, problems)
    problems.raise_any()
    latest: dict[str, tuple[str, int, dict[str, Any]]] = {}
    publisher = None
    for position, (line, statement) in enumerate(statements):
        where = _where(path, line, statement)
        if not isinstance(statement, dict):
            problems.add(where, "a statement must be a JSON object")
            continue
        missing = [k for k in ("statementId", "recordId", "recordType") if not statement.get(k)]
        if missing:
            problems.add(where, f"missing {', '.join(missing)}")
            continue
        if statement["recordType"] not in RECORD_TYPES:
            problems.add(where, f"unknown recordType {statement['recordType']!r}")
            continue
        publisher = publisher or (statement.get("publicationDetails") or {}).get("publicationDate")
        key = f"{statement['recordType']}:{statement['recordId']}"
        stamp = str(statement.get("statementDate") or "")
        previous = latest.get(key)
        if previous is None or (stamp, position) >= previous[:2]:
            latest[key] = (stamp, position, {**statement, "_line": line})
    parties: dict[str, Party] = {}
    relationships = []
    for _, _, statement in sorted(latest.values(), key=lambda item: item[1]):
        if statement.get("recordStatus") == "closed":
            continue
        if statement["recordType"] == "relationship":
            relationships.append(statement)
            continue
        party = _party(path, statement, problems)
        if party is not None:
            parties[party.id] = party
    interests = [
        interest
        for statement in relationships
        for interest in _interests(path, statement, parties, problems)
    ]
    problems.raise_any()
    return OwnershipBatch(
        dataset=dataset or path.stem,
        parties=list(parties.values()),
        interests=interests,
        files=[path],
        label=f"{path.name} {publisher}" if publisher else path.name,
        format=FORMAT,
    )


def _statements(path: Path, problems: Problems) -> list[tuple[int | None, Any]]:
    """(line, statement) pairs of a JSON array (no line numbers) or of JSON lines."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.add(Location(str(path), exc.lineno), f"not valid JSON: {exc.msg}")
            return []
        return [(None, statement) for statement in document]
    found: list[tuple[int | None, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            found.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            problems.add(Location(str(path), number), f"not valid JSON: {exc.msg}")
    return found


def _where(path: Path, line: int | None, statement: Any, field: str | None = None) -> Location:
    statement_id = statement.get("statementId") if isinstance(statement, dict) else None
    label = f"statement {statement_id}" if statement_id else "statement"
    return Location(str(path), line, f"{label}{'.' + field if field else ''}")


def _party(path: Path, statement: dict[str, Any], problems: Problems) -> Party | None:
    details = statement.get("recordDetails") or {}
    where = _where(path, statement["_line"], statement, "recordDetails")
    source = {"file": str(path), "line": statement["_line"], "statement": statement["statementId"]}
    identifiers = [
        str(i["id"]) for i in details.get("identifiers") or [] if isinstance(i, dict) and i.get("id")
    ]
    if statement["recordType"] == "person":
        names = [
            str(n.get("fullName") or " ".join(filter(None, (n.get("givenName"), n.get("familyName")))))
            for n in details.get("names") or []
            if isinstance(n, dict)
        ]
        names = [n for n in names if n.strip()]
        if not names:
            if details.get("personType") in ("anonymousPerson", "unknownPerson"):
                names = [f"{details['personType']} {statement['recordId']}"]
            else:
                problems.add(where, "a known person needs a name (names[].fullName)")
                return None
        countries = [
            c.get("code") for c in details.get("nationalities") or [] if isinstance(c, dict)
        ]
        return Party(
            id=str(statement["recordId"]),
            schema="Person",
            name=names[0],
            aliases=names[1:],
            birth_date=details.get("birthDate") or None,
            country=_country(countries),
            identifiers=identifiers,
            source=source,
        )
    name = details.get("name")
    if not name or not str(name).strip():
        kind = (details.get("entityType") or {}).get("type")
        if kind in ("anonymousEntity", "unknownEntity"):
            name = f"{kind} {statement['recordId']}"
        else:
            problems.add(where, "an entity needs a name")
            return None
    jurisdiction = (details.get("jurisdiction") or {}).get("code")
    kind = (details.get("entityType") or {}).get("type")
    return Party(
        id=str(statement["recordId"]),
        schema="Company" if kind == "registeredEntity" else "LegalEntity",
        name=str(name),
        aliases=[str(a) for a in details.get("alternateNames") or [] if a],
        country=_country([jurisdiction]),
        identifiers=identifiers,
        source=source,
    )


def _country(codes: list[Any]) -> str | None:
    for code in codes:
        if code and (iso := to_iso2(str(code))):
            return iso
    return None


def _interests(
    path: Path, statement: dict[str, Any], parties: dict[str, Party], problems: Problems
) -> list[Interest]:
    details = statement.get("recordDetails") or {}
    line = statement["_line"]
    subject, owner = details.get("subject"), details.get("interestedParty")
    for field, value in (("subject", subject), ("interestedParty", owner)):
        if not isinstance(value, str) or not value:
            # an unspecified party (a reason object) owns nothing we could screen
            if isinstance(value, dict) and field == "interestedParty":
                return []
            problems.add(_where(path, line, statement, field), f"{field} must be a record id")
            return []
        if value not in parties:
            problems.add(
                _where(path, line, statement, field),
                f"{field} {value!r} is no person or entity record of this file",
            )
            return []
    found = []
    for number, interest in enumerate(details.get("interests") or []):
        field = f"interests[{number}]"
        where = _where(path, line, statement, field)
        if not isinstance(interest, dict):
            problems.add(where, "an interest must be an object")
            continue
        share = interest.get("share") or {}
        try:
            if "exact" in share:
                bounds = share_range(share["exact"], share["exact"])
            else:
                bounds = share_range(
                    share.get("minimum", share.get("exclusiveMinimum")),
                    share.get("maximum", share.get("exclusiveMaximum")),
                )
        except (TypeError, ValueError) as exc:
            problems.add(Location(str(path), line, f"{where.field}.share"), str(exc))
            continue
        direct = interest.get("directOrIndirect") or UNKNOWN
        if direct not in (DIRECT, INDIRECT, UNKNOWN):
            problems.add(where, f"unknown directOrIndirect {direct!r}")
            continue
        found.append(
            Interest(
                id=f"{statement['recordId']}#{number}",
                owner=owner,
                owned=subject,
                kind=interest.get("type") or "unknownInterest",
                share=bounds,
                direct=direct,
                start=interest.get("startDate") or None,
                end=interest.get("endDate") or None,
                source={"file": str(path), "line": line, "statement": statement["statementId"]},
            )
        )
    return found
