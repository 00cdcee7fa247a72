"""FollowTheMoney ``Ownership`` entities and their parties, from FtM JSON lines.

Each line is an FtM entity (``{"id", "schema", "properties"}``), read and checked with the
``followthemoney`` package. ``Ownership`` lines (``owner``, ``asset``, ``percentage``,
``startDate``, ``endDate``) are the interests; ``Person`` / ``Company`` / ``Organization`` /
``LegalEntity`` lines are the parties (``name``, ``alias``, ``birthDate``, ``nationality`` /
``country`` / ``jurisdiction``, id numbers). Other schemata are skipped and counted. Every bad
line is reported with its number; any bad line refuses the file. (Lists in FtM JSON are read by
:mod:`clearance.sources.ftm_json`; this reader is for ownership graphs only.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData

from clearance.countries import to_iso2
from clearance.errors import InputWarning, Location
from clearance.model import DATASETS
from clearance.ownership.model import OWNERSHIP, Interest, OwnershipBatch, Party
from clearance.ownership.problems import Problems
from clearance.ownership.values import iso_date, parse_share

FORMAT = "ftm_ownership"
PARTY_SCHEMATA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "LegalEntity": "LegalEntity",
    "PublicBody": "Organization",
}
ID_PROPS = ("idNumber", "passportNumber", "taxNumber", "registrationNumber", "leiCode", "innCode")


def looks_like_ftm_ownership(path: Path) -> bool:
    head = path.read_bytes()[:65536].decode("utf-8", "replace")
    return '"schema"' in head and '"Ownership"' in head


def read_ftm_ownership(path: Path, dataset: str | None = None) -> OwnershipBatch:
    """Parse one FtM JSON lines file of ownership; :class:`OwnershipInputError` on bad lines."""
    problems = Problems()
    parties: dict[str, Party] = {}
    pending: list[tuple[int, Any]] = []
    skipped: list[InputWarning] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = Location(str(path), number)
            try:
                proxy = model.get_proxy(json.loads(line), cleaned=False)
            except (json.JSONDecodeError, InvalidData, TypeError, AttributeError) as exc:
                problems.add(where, f"not an FtM entity: {exc}")
                continue
            if proxy.id is None:
                problems.add(Location(str(path), number, "id"), "an entity needs an id")
            elif proxy.schema.name == "Ownership":
                pending.append((number, proxy))
            elif proxy.schema.name in PARTY_SCHEMATA:
                party = _party(proxy, path, number, problems)
                if party is not None:
                    parties[party.id] = party
            else:
                skipped.append(
                    InputWarning(where, f"schema {proxy.schema.name} skipped", "skipped_schema")
                )
    interests = [
        interest
        for number, proxy in pending
        if (interest := _interest(proxy, path, number, parties, problems)) is not None
    ]
    problems.raise_any()
    return OwnershipBatch(
        dataset=dataset or path.stem,
        parties=list(parties.values()),
        interests=interests,
        files=[path],
        label=path.name,
        format=FORMAT,
        warnings=skipped,
    )


def _party(proxy: Any, path: Path, number: int, problems: Problems) -> Party | None:
    names = proxy.get("name")
    if not names:
        problems.add(Location(str(path), number, "name"), "a party needs a name")
        return None
    def values(prop: str) -> list[str]:
        return proxy.get(prop, quiet=True)

    countries = [*values("nationality"), *values("country"), *values("jurisdiction")]
    births = values("birthDate")
    listed = proxy.id if proxy.id.split(":", 1)[0] in DATASETS and ":" in proxy.id else None
    return Party(
        id=proxy.id,
        schema=PARTY_SCHEMATA[proxy.schema.name],
        name=names[0],
        aliases=[*names[1:], *values("alias")],
        birth_date=sorted(births)[0] if births else None,
        country=next((iso for c in countries if (iso := to_iso2(c))), None),
        identifiers=[v for prop in ID_PROPS for v in values(prop)],
        listed_id=listed,
        source={"file": str(path), "line": number},
    )


def _interest(
    proxy: Any, path: Path, number: int, parties: dict[str, Party], problems: Problems
) -> Interest | None:
    ends: dict[str, str] = {}
    for prop in ("owner", "asset"):
        values = proxy.get(prop)
        if len(values) != 1 or values[0] not in parties:
            what = "no" if not values else "several" if len(values) > 1 else repr(values[0])
            problems.add(
                Location(str(path), number, prop),
                f"{prop} must be one party of this file (got {what})",
            )
            return None
        ends[prop] = values[0]
    percentages = proxy.get("percentage")
    try:
        share = parse_share(percentages[0]) if percentages else None
    except ValueError as exc:
        problems.add(Location(str(path), number, "percentage"), str(exc))
        return None
    dates: dict[str, str | None] = {}
    for prop in ("startDate", "endDate"):
        text = (proxy.get(prop) or [""])[0]
        dates[prop] = iso_date(text[:10]) if text else None
        if text and dates[prop] is None:
            problems.add(Location(str(path), number, prop), f"bad date {text!r}")
            return None
    interest = Interest(
        id=proxy.id,
        owner=ends["owner"],
        owned=ends["asset"],
        kind=OWNERSHIP,
        start=dates["startDate"],
        end=dates["endDate"],
        source={"file": str(path), "line": number},
    )
    if share is not None:
        interest.share = share
    return interest
