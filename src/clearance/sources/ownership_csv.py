"""Ownership as a plain CSV: one interest per row.

Columns (header required, order free): ``owner_name, owner_id, owner_schema, owned_name,
owned_id, share, share_min, share_max, start, end``. ``share`` is ``30``, ``30%``, ``25-50%`` or
``>50%``; ``share_min`` / ``share_max`` give a range instead; none of them means "unknown"
(``0-100%``). An ``owner_id`` / ``owned_id`` of the form ``<list dataset>:<id>``
(``us_ofac_sdn:6861``) names a listed entity: a confirmed identification. A party without an
id is known by its name. Every bad row is reported with its line; any bad row refuses the file.
"""

from __future__ import annotations

import csv
from pathlib import Path

from clearance.errors import Location
from clearance.matching.scoring import canonical_schema
from clearance.model import DATASETS
from clearance.ownership.model import OWNERSHIP, Interest, OwnershipBatch, Party, Share
from clearance.ownership.problems import Problems
from clearance.ownership.values import iso_date, parse_share, share_range

FORMAT = "ownership_csv"
COLUMNS = (
    "owner_name",
    "owner_id",
    "owner_schema",
    "owned_name",
    "owned_id",
    "share",
    "share_min",
    "share_max",
    "start",
    "end",
)
REQUIRED = ("owner_name", "owned_name")


def looks_like_ownership_csv(path: Path) -> bool:
    head = path.read_bytes()[:2048].decode("utf-8-sig", "replace").splitlines()
    columns = {c.strip() for c in head[0].split(",")} if head else set()
    return set(REQUIRED) <= columns and "owned_id" in columns


def read_ownership_csv(path: Path, dataset: str | None = None) -> OwnershipBatch:
    """Parse one ownership CSV; :class:`OwnershipInputError` lists every bad row."""
    problems = Problems()
    parties: dict[str, Party] = {}
    interests: list[Interest] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        unknown = [c for c in header if c not in COLUMNS]
        if missing or unknown:
            text = "; ".join(
                filter(
                    None,
                    (
                        f"missing column(s) {', '.join(missing)}" if missing else "",
                        f"unknown column(s) {', '.join(unknown)}" if unknown else "",
                    ),
                )
            )
            problems.add(Location(str(path), 1), f"{text} (columns: {', '.join(COLUMNS)})")
            problems.raise_any()
        for row in reader:
            line = reader.line_num
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            if None in row:
                problems.add(Location(str(path), line), "more fields than the header has")
                continue
            interest = _row(path, line, values, parties, problems)
            if interest is not None:
                interests.append(interest)
    problems.raise_any()
    return OwnershipBatch(
        dataset=dataset or path.stem,
        parties=list(parties.values()),
        interests=interests,
        files=[path],
        label=path.name,
        format=FORMAT,
    )


def _row(
    path: Path, line: int, values: dict[str, str], parties: dict[str, Party], problems: Problems
) -> Interest | None:
    def where(field: str) -> Location:
        return Location(str(path), line, field)

    bad = len(problems.found)
    for field in REQUIRED:
        if not values.get(field):
            problems.add(where(field), f"{field} is empty")
    schema = None
    try:
        schema = canonical_schema(values.get("owner_schema")) or "LegalEntity"
    except ValueError as exc:
        problems.add(where("owner_schema"), str(exc))
    share = _share(values, where, problems)
    dates = {}
    for field in ("start", "end"):
        text = values.get(field, "")
        dates[field] = iso_date(text) if text else None
        if text and dates[field] is None:
            problems.add(where(field), f"bad date {text!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
    if len(problems.found) > bad or schema is None or share is None:
        return None
    owner = _party(values["owner_name"], values.get("owner_id", ""), schema, path, line, parties)
    owned = _party(values["owned_name"], values.get("owned_id", ""), "Company", path, line, parties)
    if owner.id == owned.id:
        problems.add(where("owned_id"), "a party cannot own itself")
        return None
    return Interest(
        id=f"line-{line}",
        owner=owner.id,
        owned=owned.id,
        kind=OWNERSHIP,
        share=share,
        start=dates["start"],
        end=dates["end"],
        source={"file": str(path), "line": line},
    )


def _share(values: dict[str, str], where: object, problems: Problems) -> Share | None:
    text, low, high = values.get("share", ""), values.get("share_min", ""), values.get("share_max", "")
    try:
        if text and (low or high):
            raise ValueError("give share or share_min/share_max, not both")
        if text:
            return parse_share(text)
        return share_range(
            float(low.rstrip("%")) if low else None, float(high.rstrip("%")) if high else None
        )
    except ValueError as exc:
        field = "share" if text else "share_min" if low else "share_max"
        problems.add(where(field), str(exc))  # type: ignore[operator]
        return None


def _party(
    name: str, party_id: str, schema: str, path: Path, line: int, parties: dict[str, Party]
) -> Party:
    key = party_id or f"name:{' '.join(name.casefold().split())}"
    party = parties.get(key)
    if party is None:
        listed = party_id if party_id.split(":", 1)[0] in DATASETS and ":" in party_id else None
        party = Party(key, schema, name, listed_id=listed, source={"file": str(path), "line": line})
        parties[key] = party
    elif name != party.name and name not in party.aliases:
        party.aliases.append(name)
    return party
