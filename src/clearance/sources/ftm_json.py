"""FollowTheMoney (FtM) JSON lines: import (OpenSanctions, yente exports) and export.

Each line is ``{"id", "schema", "properties": {prop: [values]}, "datasets": [...]}``. Export
writes every fact as standard FtM properties (``name``, ``alias``, ``weakAlias``,
``previousName``, ``firstName``, ``lastName``, ``birthDate``, ``birthPlace``, ``nationality``,
``citizenship``, ``country``, ``gender``, ``passportNumber``, ``idNumber``, ``taxNumber``,
``registrationNumber``, ``leiCode``, ``swiftBic``, ``imoNumber``, ``mmsi``, ``serialNumber``,
``address``, ``topics``, ``program``, ``notes`` ...) so other FtM tools can read it, and crypto
addresses as separate ``CryptoWallet`` entities with a ``holder``, as OpenSanctions does.

Flat FtM properties cannot say which alias has which first name, that a birth date is a range
or approximate, or which label, country and note an identifier had. That structure travels in
one extra top-level key, ``"clearance"`` (ignored by other FtM tools), holding the entity's
names, identifiers, birth dates, addresses and links exactly. Importing our own export reads it
and gives back equal entities; importing a foreign file (no ``"clearance"`` key) builds the same
fields from the standard properties and attaches ``CryptoWallet`` lines to their holders.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clearance.errors import InputError, InputWarning, Location
from clearance.model import (
    SCHEMATA,
    Address,
    DateValue,
    Entity,
    Identifier,
    IdKind,
    Link,
    Name,
    NameKind,
)

EXTENSION = "clearance"

#: Our list fields <-> FtM properties that hold them unchanged.
_FLAT = {
    "programs": "program",
    "legal_basis": "legalBasis",
    "nationalities": "nationality",
    "citizenships": "citizenship",
    "countries": "country",
    "birth_places": "birthPlace",
    "topics": "topics",
}
_NAME_PROPS = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.WEAK_ALIAS: "weakAlias",
    NameKind.FORMER: "previousName",
    NameKind.ORIGINAL_SCRIPT: "name",
}
_ID_PROPS = {
    IdKind.PASSPORT: "passportNumber",
    IdKind.TAX_ID: "taxNumber",
    IdKind.RFC: "taxNumber",
    IdKind.REGISTRATION: "registrationNumber",
    IdKind.LEI: "leiCode",
    IdKind.SWIFT_BIC: "swiftBic",
    IdKind.IMO: "imoNumber",
    IdKind.MMSI: "mmsi",
    IdKind.AIRCRAFT_SERIAL: "serialNumber",
    IdKind.AIRCRAFT_TAIL: "registrationNumber",
}
#: FtM properties read into identifiers when importing a foreign file.
_IMPORT_ID_PROPS = {
    "passportNumber": IdKind.PASSPORT,
    "idNumber": IdKind.OTHER,
    "taxNumber": IdKind.TAX_ID,
    "innCode": IdKind.TAX_ID,
    "vatCode": IdKind.TAX_ID,
    "registrationNumber": IdKind.REGISTRATION,
    "ogrnCode": IdKind.REGISTRATION,
    "leiCode": IdKind.LEI,
    "swiftBic": IdKind.SWIFT_BIC,
    "imoNumber": IdKind.IMO,
    "mmsi": IdKind.MMSI,
    "serialNumber": IdKind.AIRCRAFT_SERIAL,
    "callSign": IdKind.CALL_SIGN,
}
#: Properties that export derives from structured fields; never copied into ``properties``.
_DERIVED = {
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "firstName",
    "lastName",
    "birthDate",
    "address",
    "listingDate",
    "gender",
    "idNumber",
    *_ID_PROPS.values(),
}
#: Schemata that are not listed parties but are mapped onto one.
_SCHEMA_ALIASES = {"PublicBody": "Organization"}


@dataclass(slots=True)
class FtmResult:
    entities: list[Entity]
    warnings: list[InputWarning] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# export


def to_ftm(entity: Entity) -> list[dict[str, Any]]:
    """The FtM records for one entity: the entity itself, then its crypto wallets."""
    props: dict[str, list[str]] = {}

    def add(prop: str, value: str | None) -> None:
        if value:
            values = props.setdefault(prop, [])
            if value not in values:
                values.append(value)

    for name in entity.names:
        add(_NAME_PROPS[name.kind], name.full)
    primary = entity.names_of(NameKind.PRIMARY)
    if entity.schema == "Person" and primary:
        add("firstName", primary[0].first)
        add("lastName", primary[0].last)
    for attr, prop in _FLAT.items():
        for value in getattr(entity, attr):
            add(prop, value)
    add("gender", entity.gender)
    add("listingDate", entity.listed_on)
    for date in entity.birth_dates:
        add("birthDate", date.value)
        add("birthDate", date.end)
    for identifier in entity.identifiers:
        if identifier.kind is not IdKind.CRYPTO:
            add(_ID_PROPS.get(identifier.kind, "idNumber"), identifier.number)
    for address in entity.addresses:
        add("address", address.full)
    for prop, values in entity.properties.items():
        for value in values:
            add(prop, value)
    record: dict[str, Any] = {
        "id": entity.id,
        "schema": entity.schema,
        "caption": entity.caption,
        "datasets": [entity.dataset],
        "target": True,
        "properties": props,
        EXTENSION: {
            "names": [_compact(asdict(n)) for n in entity.names],
            "identifiers": [_compact(asdict(i)) for i in entity.identifiers],
            "birth_dates": [_compact(asdict(d)) for d in entity.birth_dates],
            "addresses": [_compact(asdict(a)) for a in entity.addresses],
            "links": [_compact(asdict(link)) for link in entity.links],
        },
    }
    records = [record]
    for identifier in entity.identifiers:
        if identifier.kind is IdKind.CRYPTO:
            wallet_props = {"publicKey": [identifier.number], "holder": [entity.id]}
            if identifier.currency:
                wallet_props["currency"] = [identifier.currency]
            records.append(
                {
                    "id": f"{entity.id}:wallet:{identifier.number}",
                    "schema": "CryptoWallet",
                    "datasets": [entity.dataset],
                    "properties": wallet_props,
                }
            )
    return records


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop defaults (None, False) to keep lines short; the dataclass defaults restore them."""
    return {k: v for k, v in data.items() if v is not None and v is not False}


def write_ftm(entities: Iterable[Entity], path: Path) -> int:
    """Write entities as FtM JSON lines; returns the number of entities written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for entity in entities:
            for record in to_ftm(entity):
                out.write(json.dumps(record, ensure_ascii=False, sort_keys=True))
                out.write("\n")
            count += 1
    return count


# --------------------------------------------------------------------------------------------
# import


def read_ftm(path: Path, dataset: str | None = None) -> FtmResult:
    """Read FtM JSON lines. The dataset comes from each line's ``datasets``, else ``dataset``.

    Bad JSON or a line without id/schema is an :class:`InputError` naming file and line;
    records of schemata that are not listed parties (Sanction, Address, ...) are counted once per
    schema in a warning.
    """
    result = FtmResult([])
    wallets: list[tuple[int, dict[str, Any]]] = []
    skipped: Counter[str] = Counter()
    first_skipped: dict[str, int] = {}
    by_id: dict[str, Entity] = {}
    native_ids: dict[str, str] = {}
    with path.open("r", encoding="utf-8", errors="strict") as handle:
        try:
            lines = list(enumerate(handle, start=1))
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8: {exc.reason}", Location(str(path))) from None
    for line, raw in lines:
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", Location(str(path), line)) from None
        if not isinstance(data, dict) or not data.get("id") or not data.get("schema"):
            raise InputError(
                "not an FtM entity: needs 'id' and 'schema'", Location(str(path), line)
            )
        schema = _SCHEMA_ALIASES.get(data["schema"], data["schema"])
        if schema == "CryptoWallet":
            wallets.append((line, data))
            continue
        if schema not in SCHEMATA:
            skipped[schema] += 1
            first_skipped.setdefault(schema, line)
            continue
        entity = _entity(path, line, data, schema, dataset)
        if entity.id in by_id:
            result.warnings.append(
                InputWarning(
                    Location(str(path), line, "id"),
                    f"duplicate id {entity.id}; kept the first",
                    kind="duplicate_id",
                )
            )
            continue
        by_id[entity.id] = entity
        native_ids[str(data["id"])] = entity.id
        result.entities.append(entity)
        if entity.dataset not in result.datasets:
            result.datasets.append(entity.dataset)
    if not lines or (not result.entities and not skipped and not wallets):
        raise InputError("empty file: no FtM entities", Location(str(path)))
    for line, data in wallets:
        _attach_wallet(path, line, data, by_id, native_ids, result.warnings)
    for schema, count in skipped.items():
        result.warnings.append(
            InputWarning(
                Location(str(path), first_skipped[schema], "schema"),
                f"{count} {schema} record(s) skipped: not a listed party",
                kind="ftm_skipped_schema",
            )
        )
    return result


def _entity(
    path: Path, line: int, data: dict[str, Any], schema: str, default: str | None
) -> Entity:
    datasets = data.get("datasets") or []
    native = str(data["id"])
    dataset = datasets[0] if datasets else default
    if not dataset:
        dataset = native.split(":", 1)[0] if ":" in native else "ftm"
    entity_id = native if native.startswith(f"{dataset}:") else f"{dataset}:{native}"
    props: dict[str, list[str]] = {
        k: [str(v) for v in values] for k, values in (data.get("properties") or {}).items()
    }
    entity = Entity(
        id=entity_id,
        schema=schema,
        names=[],
        dataset=dataset,
        source={"file": str(path), "line": line, "format": "ftm_json"},
    )
    for attr, prop in _FLAT.items():
        setattr(entity, attr, list(props.get(prop, [])))
    genders = [g.lower() for g in props.get("gender", []) if g.lower() in ("male", "female")]
    entity.gender = genders[0] if genders else None
    entity.listed_on = (props.get("listingDate") or [None])[0]
    extension = data.get(EXTENSION)
    if isinstance(extension, dict):
        _structure_from_extension(entity, extension, path, line)
    else:
        _structure_from_properties(entity, props)
    entity.properties = {
        k: v for k, v in props.items() if k not in _DERIVED and k not in _FLAT.values()
    }
    return entity


def _structure_from_extension(
    entity: Entity, extension: dict[str, Any], path: Path, line: int
) -> None:
    try:
        entity.names = [
            Name(
                n["full"],
                NameKind(n.get("kind", "primary")),
                n.get("first"),
                n.get("last"),
                n.get("lang"),
            )
            for n in extension.get("names", [])
        ]
        entity.identifiers = [
            Identifier(**{**i, "kind": IdKind(i["kind"])}) for i in extension.get("identifiers", [])
        ]
        entity.birth_dates = [DateValue(**d) for d in extension.get("birth_dates", [])]
        entity.addresses = [Address(**a) for a in extension.get("addresses", [])]
        entity.links = [Link(**link) for link in extension.get("links", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"invalid '{EXTENSION}' structure: {exc}", Location(str(path), line, EXTENSION)
        ) from None


def _structure_from_properties(entity: Entity, props: dict[str, list[str]]) -> None:
    kinds = {v: k for k, v in _NAME_PROPS.items() if k is not NameKind.ORIGINAL_SCRIPT}
    for prop, kind in kinds.items():
        for value in props.get(prop, []):
            if all(n.full != value for n in entity.names):
                entity.names.append(Name(value, kind))
    firsts, lasts = props.get("firstName", []), props.get("lastName", [])
    if entity.names and (firsts or lasts):
        primary = entity.names[0]
        entity.names[0] = Name(
            primary.full, primary.kind, firsts[0] if firsts else None, lasts[0] if lasts else None
        )
    for value in props.get("birthDate", []):
        date = DateValue(value)
        if date not in entity.birth_dates:
            entity.birth_dates.append(date)
    for prop, kind in _IMPORT_ID_PROPS.items():
        for value in props.get(prop, []):
            identifier = Identifier(kind, value, label=prop)
            if identifier not in entity.identifiers:
                entity.identifiers.append(identifier)
    for value in props.get("address", []):
        entity.addresses.append(Address(full=value))


def _attach_wallet(
    path: Path,
    line: int,
    data: dict[str, Any],
    by_id: dict[str, Entity],
    native_ids: dict[str, str],
    warnings: list[InputWarning],
) -> None:
    props = data.get("properties") or {}
    holders = [native_ids.get(str(h), str(h)) for h in props.get("holder", [])]
    keys = props.get("publicKey", [])
    currency = (props.get("currency") or [None])[0]
    for holder_id in holders:
        holder = by_id.get(holder_id)
        if holder is None:
            warnings.append(
                InputWarning(
                    Location(str(path), line, "holder"),
                    f"CryptoWallet holder {holder_id} not in the file",
                    kind="orphan_wallet",
                )
            )
            continue
        for key in keys:
            if any(i.kind is IdKind.CRYPTO and i.number == key for i in holder.identifiers):
                continue
            holder.identifiers.append(
                Identifier(IdKind.CRYPTO, key, currency=currency, label="CryptoWallet")
            )
