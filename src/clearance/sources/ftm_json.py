"""FollowTheMoney (FtM) JSON lines import: OpenSanctions / yente exports and Clearance's own.

Each line is ``{"id", "schema", "properties": {prop: [values]}, "datasets": [...]}``. Parties
(Person, Organization, Company, LegalEntity, Vessel, Airplane) become entities; the other
records attach to them:

* ``CryptoWallet`` -> a crypto identifier of its ``holder``;
* ``Sanction`` -> the ``entity``'s programs and listing date, the record kept in
  ``Entity.sanctions`` so it exports unchanged;
* ``UnknownLink``, ``Membership``, ``Family``, ``Ownership``, ``Directorship``, ``Associate``
  -> a :class:`~clearance.model.Link` on one end (relation from that end's side, other
  properties kept in ``Link.properties``).

``"target": false`` marks a context entity (a holding company, a relative): it is stored and
shown as a related party but never screened. Every value is checked with FtM's own type rules:
a value FtM rejects (a date, a country, a phone) or a property the schema lacks is dropped
with a warning naming file, line and property. Ids become ``<dataset>:<id>``; the file's id is
kept in ``referents``. Clearance's own export (:mod:`clearance.ftm`) carries each entity
exactly in its ``"clearance"`` key: such lines give back equal entities, and the records
derived from them (sanctions, relations, wallets, stubs) are not imported twice.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from clearance.errors import InputError, InputWarning, Location
from clearance.ftm import EXTENSION, FLAT, NAME_PROPS, RELATION_SCHEMATA, schema_of
from clearance.model import (
    RELATIONS,
    SCHEMATA,
    Address,
    DateValue,
    Entity,
    Identifier,
    IdKind,
    Link,
    Name,
    NameKind,
    ftm_id,
)

#: FtM properties read into identifiers when importing a foreign file.
_IMPORT_ID_PROPS = {
    "passportNumber": IdKind.PASSPORT,
    "idNumber": IdKind.OTHER,
    "taxNumber": IdKind.TAX_ID,
    "innCode": IdKind.TAX_ID,
    "vatCode": IdKind.TAX_ID,
    "socialSecurityNumber": IdKind.SSN,
    "registrationNumber": IdKind.REGISTRATION,
    "ogrnCode": IdKind.REGISTRATION,
    "leiCode": IdKind.LEI,
    "swiftBic": IdKind.SWIFT_BIC,
    "imoNumber": IdKind.IMO,
    "mmsi": IdKind.MMSI,
    "serialNumber": IdKind.AIRCRAFT_SERIAL,
    "callSign": IdKind.CALL_SIGN,
}
#: Properties read into structured fields; never copied into ``properties``.
_DERIVED = {
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "firstName",
    "lastName",
    "birthDate",
    "address",
    "gender",
    *FLAT.values(),
    *_IMPORT_ID_PROPS,
}
#: Schemata that are not listed parties but are mapped onto one.
_SCHEMA_ALIASES = {"PublicBody": "Organization"}
#: (relation schema, property of the end holding the link) -> the link's relation.
_RELATION_BY_END = {(k.schema, k.self_prop): name for name, k in RELATIONS.items()}
#: The two ends of each relation schema.
_PREFERRED_END = {
    "UnknownLink": ("subject", "object"),
    "Membership": ("member", "organization"),
    "Family": ("relative", "person"),
    "Ownership": ("asset", "owner"),
    "Directorship": ("director", "organization"),
    "Associate": ("person", "associate"),
}


@dataclass(slots=True)
class FtmResult:
    entities: list[Entity]
    warnings: list[InputWarning] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    path: Path
    default: str | None
    result: FtmResult = field(default_factory=lambda: FtmResult([]))
    by_id: dict[str, Entity] = field(default_factory=dict)
    native_ids: dict[str, str] = field(default_factory=dict)  # the file's id -> ours
    exact: set[str] = field(default_factory=set)  # entities read from our own extension

    def warn(self, line: int, prop: str, message: str, kind: str) -> None:
        self.result.warnings.append(InputWarning(Location(str(self.path), line, prop), message, kind))

    def dataset(self, data: dict[str, Any]) -> str:
        datasets = data.get("datasets") or []
        native = str(data["id"])
        dataset = str(datasets[0]) if datasets else self.default
        if not dataset:
            dataset = native.split(":", 1)[0] if ":" in native else "ftm"
        return dataset

    def our_id(self, native: str, dataset: str) -> str:
        """Our id for an id of the file (a party read earlier, else ``<dataset>:<id>``)."""
        found = self.native_ids.get(native)
        if found:
            return found
        return native if native.startswith(f"{dataset}:") else f"{dataset}:{native}"

    def clean(self, line: int, schema: Any, data: dict[str, Any]) -> dict[str, list[str]]:
        """The record's properties cleaned by FtM's type rules; each rejected value warned."""
        proxy = EntityProxy(schema, {"id": str(data["id"])})
        raw = data.get("properties") or {}
        if not isinstance(raw, dict):
            raise InputError("'properties' must be an object", Location(str(self.path), line))
        # countries first: FtM reads phone numbers with the entity's countries as hints
        order = sorted(raw, key=lambda p: schema.get(p) is None or schema.get(p).type != registry.country)
        for prop in order:
            values = raw[prop] if isinstance(raw[prop], list) else [raw[prop]]
            found = schema.get(prop)
            if found is None or found.stub:
                for value in values:
                    self.warn(
                        line, prop, f"{schema.name} has no property {prop!r}: {value!r} dropped",
                        "ftm_unknown_property",
                    )
                continue
            for value in values:
                if value is None or not str(value).strip():
                    continue
                try:
                    cleaned = proxy.unsafe_add(found, str(value))
                except Exception:  # FtM refuses it (a self-reference)
                    cleaned = None
                if cleaned is None:
                    self.warn(
                        line, prop, f"invalid {found.type.name} {value!r} for {prop}: dropped",
                        "ftm_invalid_value",
                    )
        return proxy.properties


def read_ftm(path: Path, dataset: str | None = None) -> FtmResult:
    """Read FtM JSON lines. The dataset comes from each line's ``datasets``, else ``dataset``.

    Bad JSON or a line without id/schema is an :class:`InputError` naming file and line;
    records of schemata Clearance does not use (Address, Passport, ...) are counted once per
    schema in a warning.
    """
    reader = _Reader(path, dataset)
    records = _load(path)
    skipped: Counter[str] = Counter()
    first_skipped: dict[str, int] = {}
    later: list[tuple[int, dict[str, Any]]] = []
    for line, data in records:
        schema = _SCHEMA_ALIASES.get(data["schema"], data["schema"])
        extension = data.get(EXTENSION) if isinstance(data.get(EXTENSION), dict) else {}
        if schema in SCHEMATA and "of" not in extension:
            _read_party(reader, line, data, schema, extension)
        elif schema in SCHEMATA or schema == "CryptoWallet" or schema == "Sanction" or (
            schema in RELATION_SCHEMATA
        ):
            later.append((line, data))
        else:
            skipped[schema] += 1
            first_skipped.setdefault(schema, line)
    if not records or (not reader.result.entities and not skipped and not later):
        raise InputError("empty file: no FtM entities", Location(str(path)))
    for line, data in later:
        extension = data.get(EXTENSION) if isinstance(data.get(EXTENSION), dict) else {}
        if extension.get("of") in reader.exact:
            continue  # derived from an entity read exactly: it holds this record already
        schema = data["schema"]
        if schema in SCHEMATA:
            _read_party(reader, line, data, schema, {})
        elif schema == "CryptoWallet":
            _attach_wallet(reader, line, data)
        elif schema == "Sanction":
            _attach_sanction(reader, line, data)
        else:
            _attach_relation(reader, line, data)
    for schema, count in skipped.items():
        reader.warn(
            first_skipped[schema], "schema", f"{count} {schema} record(s) skipped: not a listed party",
            "ftm_skipped_schema",
        )
    for entity in reader.result.entities:
        if entity.id not in reader.exact:
            _references_to_ids(reader, entity)
    return reader.result


def _load(path: Path) -> list[tuple[int, dict[str, Any]]]:
    with path.open("r", encoding="utf-8", errors="strict") as handle:
        try:
            lines = list(enumerate(handle, start=1))
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8: {exc.reason}", Location(str(path))) from None
    records = []
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
        records.append((line, data))
    return records


def _read_party(
    reader: _Reader, line: int, data: dict[str, Any], schema: str, extension: dict[str, Any]
) -> None:
    native = str(data["id"])
    source = {"file": str(reader.path), "line": line, "format": "ftm_json"}
    if isinstance(extension.get("entity"), dict):
        try:
            entity = Entity.from_dict({**extension["entity"], "source": source})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"invalid '{EXTENSION}.entity': {exc}", Location(str(reader.path), line, EXTENSION)
            ) from None
        reader.exact.add(entity.id)
    else:
        dataset = reader.dataset(data)
        entity = Entity(
            id=native if native.startswith(f"{dataset}:") else f"{dataset}:{native}",
            schema=schema,
            names=[],
            dataset=dataset,
            source=source,
            target=data.get("target") is not False,
            referents=list(dict.fromkeys([native, *map(str, data.get("referents") or [])])),
        )
        _fill(entity, reader.clean(line, schema_of(schema), data))
    if entity.id in reader.by_id:
        reader.warn(line, "id", f"duplicate id {entity.id}; kept the first", "duplicate_id")
        return
    reader.by_id[entity.id] = entity
    reader.native_ids[native] = entity.id
    reader.result.entities.append(entity)
    if entity.dataset not in reader.result.datasets:
        reader.result.datasets.append(entity.dataset)


def _fill(entity: Entity, props: dict[str, list[str]]) -> None:
    """The structured fields of a foreign entity from its (cleaned) FtM properties."""
    for attr, prop in FLAT.items():
        setattr(entity, attr, list(props.get(prop, [])))
    genders = [g for g in props.get("gender", []) if g in ("male", "female")]
    entity.gender = genders[0] if genders else None
    kinds = {v: k for k, v in NAME_PROPS.items() if k is not NameKind.ORIGINAL_SCRIPT}
    for prop, kind in kinds.items():
        for value in props.get(prop, []):
            if all(n.full != value for n in entity.names):
                entity.names.append(Name(value, kind))
    first = (props.get("firstName") or [None])[0]
    last = (props.get("lastName") or [None])[0]
    if first or last:
        primary = entity.names[0] if entity.names else None
        full = primary.full if primary else " ".join(p for p in (first, last) if p)
        name = Name(full, primary.kind if primary else NameKind.PRIMARY, first, last)
        entity.names[:1] = [name]
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
    entity.properties = {k: v for k, v in props.items() if k not in _DERIVED}


def _references_to_ids(reader: _Reader, entity: Entity) -> None:
    """Entity-typed properties (``parent``, ``owner`` ...) hold the file's ids: make them ours."""
    schema = schema_of(entity.schema)
    for prop, values in entity.properties.items():
        found = schema.get(prop)
        if found is not None and found.type == registry.entity:
            entity.properties[prop] = [reader.our_id(v, entity.dataset) for v in values]


def _ends(reader: _Reader, line: int, data: dict[str, Any], prop: str) -> list[str]:
    values = (data.get("properties") or {}).get(prop) or []
    return [str(v) for v in (values if isinstance(values, list) else [values])]


def _holders(reader: _Reader, line: int, data: dict[str, Any], prop: str) -> list[Entity]:
    found = []
    for native in _ends(reader, line, data, prop):
        holder = reader.by_id.get(reader.our_id(native, reader.dataset(data)))
        if holder is None:
            reader.warn(
                line, prop, f"{data['schema']} {prop} {native} not in the file", "ftm_orphan"
            )
        else:
            found.append(holder)
    return found


def _attach_wallet(reader: _Reader, line: int, data: dict[str, Any]) -> None:
    props = reader.clean(line, schema_of("CryptoWallet"), data)
    currency = (props.get("currency") or [None])[0]
    for holder in _holders(reader, line, data, "holder"):
        for key in props.get("publicKey", []):
            if any(i.kind is IdKind.CRYPTO and i.number == key for i in holder.identifiers):
                continue
            holder.identifiers.append(
                Identifier(IdKind.CRYPTO, key, currency=currency, label="CryptoWallet")
            )


def _attach_sanction(reader: _Reader, line: int, data: dict[str, Any]) -> None:
    props = reader.clean(line, schema_of("Sanction"), data)
    props.pop("entity", None)
    for holder in _holders(reader, line, data, "entity"):
        holder.sanctions.append({"id": ftm_id(f"{holder.dataset}:{data['id']}"), "properties": props})
        for program in props.get("program", []):
            if program not in holder.programs:
                holder.programs.append(program)
        dates = sorted(props.get("listingDate", []) + props.get("startDate", []))
        if dates and (holder.listed_on is None or dates[0] < holder.listed_on):
            holder.listed_on = dates[0]


def _attach_relation(reader: _Reader, line: int, data: dict[str, Any]) -> None:
    """A link on each end that is in the file (same relation id on both, so it is exported
    once and :func:`~clearance.model.relations` lists it once)."""
    schema = data["schema"]
    props = reader.clean(line, schema_of(schema), data)
    first, second = _PREFERRED_END[schema]
    dataset = reader.dataset(data)
    attached = False
    for self_prop, other_prop in ((first, second), (second, first)):
        holders = [
            reader.by_id[reader.our_id(n, dataset)]
            for n in _ends(reader, line, data, self_prop)
            if reader.our_id(n, dataset) in reader.by_id
        ]
        rest = {k: v for k, v in props.items() if k not in (self_prop, other_prop)}
        for holder in holders:
            for native in _ends(reader, line, data, other_prop):
                target_id = reader.our_id(native, dataset)
                target = reader.by_id.get(target_id)
                if target is None:
                    reader.warn(
                        line, other_prop, f"{schema} {other_prop} {native} not in the file",
                        "ftm_orphan",
                    )
                link = Link(
                    _RELATION_BY_END[(schema, self_prop)],
                    target.caption if target is not None else native,
                    target_id,
                    ftm_id(f"{dataset}:{data['id']}"),
                    rest,
                )
                if link not in holder.links:
                    holder.links.append(link)
                attached = True
    if not attached:
        reader.warn(line, first, f"{schema} {data['id']}: neither end is in the file", "ftm_orphan")
