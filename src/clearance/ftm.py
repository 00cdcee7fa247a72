"""The FollowTheMoney (FtM) form of Clearance entities, built and checked with ``followthemoney``.

One listed :class:`~clearance.model.Entity` becomes several FtM records:

* the entity itself, id :func:`~clearance.model.ftm_id` (``us-ofac-sdn-6861``), with only
  properties its FtM schema has, each value cleaned by FtM's own type rules;
* a ``Sanction`` per designation (authority, program, listing date, source URL, legal basis in
  ``reason``, legal consequences in ``provisions``), or the ``Sanction`` entities imported;
* one relation entity per link (``UnknownLink``, ``Membership``, ``Family``, ``Ownership``,
  ``Directorship``, ``Associate``; ``same_as`` links become ``referents``);
* a ``CryptoWallet`` per digital currency address (``holder`` = the entity);
* a non-target stub (``target: false``) for a party known only by name: an unresolved
  "Linked To:" target, a vessel's ``owner`` or an aircraft's ``operator`` as listed.

What FtM cannot say travels in one top-level extension key, :data:`EXTENSION` (other FtM tools
ignore it): ``entity`` (the Clearance entity exactly, so importing an export gives equal
entities), ``extra`` (values FtM has no property for or rejects: ``secondarySanctionsRisk``, a
Vessel's ``idNumber``, an invalid phone, ...), and on derived records ``of``, the Clearance id
of the entity they were derived from. ``first_seen`` / ``last_seen`` / ``last_change`` are
set from the store's version history (:func:`clearance.export.timelines`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from clearance.model import (
    DATASET_OFAC_CONS,
    DATASET_OFAC_SDN,
    DATASET_REGISTER,
    DATASET_UN,
    SAME_AS,
    Entity,
    IdKind,
    NameKind,
    ftm_id,
    relation_kind,
    relations,
)

EXTENSION = "clearance"

#: List fields <-> FtM properties that hold them unchanged.
FLAT = {
    "programs": "program",
    "nationalities": "nationality",
    "citizenships": "citizenship",
    "countries": "country",
    "birth_places": "birthPlace",
    "topics": "topics",
}
NAME_PROPS = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.WEAK_ALIAS: "weakAlias",
    NameKind.FORMER: "previousName",
    NameKind.ORIGINAL_SCRIPT: "name",
}
ID_PROPS = {
    IdKind.PASSPORT: "passportNumber",
    IdKind.TAX_ID: "taxNumber",
    IdKind.RFC: "taxNumber",
    IdKind.SSN: "socialSecurityNumber",
    IdKind.REGISTRATION: "registrationNumber",
    IdKind.LEI: "leiCode",
    IdKind.SWIFT_BIC: "swiftBic",
    IdKind.IMO: "imoNumber",
    IdKind.MMSI: "mmsi",
    IdKind.CALL_SIGN: "callSign",
    IdKind.AIRCRAFT_SERIAL: "serialNumber",
    IdKind.AIRCRAFT_TAIL: "registrationNumber",
}
#: Who designates the parties of each built-in dataset, and where the list is published.
AUTHORITIES = {
    DATASET_OFAC_SDN: (
        "Office of Foreign Assets Control (OFAC), U.S. Department of the Treasury",
        "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
    ),
    DATASET_OFAC_CONS: (
        "Office of Foreign Assets Control (OFAC), U.S. Department of the Treasury",
        "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    ),
    DATASET_UN: (
        "United Nations Security Council",
        "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
    ),
    DATASET_REGISTER: (
        "U.S. Department of State / Office of Foreign Assets Control",
        "https://www.state.gov/foreign-terrorist-organizations/",
    ),
}
#: FtM relation schemata Clearance reads into links (import) and writes from them (export).
RELATION_SCHEMATA = frozenset(
    ("UnknownLink", "Membership", "Family", "Ownership", "Directorship", "Associate")
)


def schema_of(name: str) -> Any:
    """The followthemoney schema of that name, or ``None``."""
    return ftm_model.get(name)


def stub_id(dataset: str, name: str) -> str:
    """The id of the non-target stub standing for a party known by name only."""
    digest = hashlib.sha1(" ".join(name.casefold().split()).encode("utf-8")).hexdigest()[:16]
    return ftm_id(f"{dataset}:name-{digest}")


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


class _Builder:
    """One FtM record under construction: values cleaned by FtM, the rest kept as ``extra``."""

    def __init__(self, schema: str, record_id: str) -> None:
        self.proxy = EntityProxy(ftm_model.get(schema), {"id": record_id})
        self.extra: dict[str, list[str]] = {}

    def add(self, prop: str, value: str | None) -> None:
        if not value:
            return
        found = self.proxy.schema.get(prop)
        cleaned = None
        if found is not None and not found.stub:
            try:
                cleaned = self.proxy.unsafe_add(found, value)
            except Exception:  # FtM refuses the value (a self-reference): kept as extra
                cleaned = None
        if cleaned is None:
            values = self.extra.setdefault(prop, [])
            if value not in values:
                values.append(value)

    def record(self, dataset: str, **top: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.proxy.id,
            "schema": self.proxy.schema.name,
            "caption": self.proxy.caption,
            "datasets": [dataset],
            "target": False,  # derived records and stubs; the listed entity says True
            **top,
            "properties": self.proxy.properties,
        }
        if self.extra:
            data.setdefault(EXTENSION, {})["extra"] = self.extra
        return data


def to_ftm(entity: Entity, seen: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The FtM records of one entity: itself, its sanctions, relations, wallets and stubs.

    ``seen`` maps a timeline field (``first_seen``, ``last_seen``, ``last_change``) to its
    value for this entity, where the store's history is known.
    """
    own = ftm_id(entity.id)
    main = _Builder(entity.schema, own)
    stubs: dict[str, dict[str, Any]] = {}

    def reference(value: str, schema: str) -> str:
        """An entity reference: a Clearance id as FtM id, a bare name as a stub's id."""
        if ":" in value:
            return ftm_id(value)
        stub = stub_id(entity.dataset, value)
        if stub not in stubs:
            builder = _Builder(schema, stub)
            builder.add("name", value)
            stubs[stub] = builder.record(
                entity.dataset, caption=value, **{EXTENSION: {"of": entity.id, "stub": True}}
            )
        return stub

    for name in entity.names:
        main.add(NAME_PROPS[name.kind], name.full)
    primary = entity.names_of(NameKind.PRIMARY)
    if entity.schema == "Person" and primary:
        main.add("firstName", primary[0].first)
        main.add("lastName", primary[0].last)
    for attr, prop in FLAT.items():
        for value in getattr(entity, attr):
            main.add(prop, value)
    main.add("gender", entity.gender)
    for date in entity.birth_dates:
        main.add("birthDate", date.value)
        main.add("birthDate", date.end)
    for identifier in entity.identifiers:
        if identifier.kind is not IdKind.CRYPTO:
            main.add(_id_prop(entity.schema, identifier.kind), identifier.number)
    for address in entity.addresses:
        main.add("address", address.full)
    for prop, values in entity.properties.items():
        found = main.proxy.schema.get(prop)
        is_ref = found is not None and found.type == registry.entity
        for value in values:
            main.add(prop, reference(value, found.range.name) if is_ref else value)
    referents = [entity.id, *entity.referents]
    referents += [
        ftm_id(link.target_id) for link in entity.links if link.relation == SAME_AS and link.target_id
    ]
    top: dict[str, Any] = {
        "caption": entity.caption,
        "referents": list(dict.fromkeys(referents)),
        "target": entity.target,
        **(seen or {}),
    }
    record = main.record(entity.dataset, **top)
    record.setdefault(EXTENSION, {})["entity"] = entity.to_dict(with_source=False)
    derived = {EXTENSION: {"of": entity.id}}
    records = [record, *_sanctions(entity, own, derived)]
    for relation in relations([entity]):
        kind = relation_kind(relation.link.relation)
        assert kind is not None  # relations() leaves same_as out
        link = relation.link
        other = (
            ftm_id(link.target_id)
            if link.target_id
            else reference(link.target_name, kind.target_schema)
        )
        builder = _Builder(
            kind.schema, link.id or f"{own}-{kind.schema.lower()}-{_digest(link.relation, other)}"
        )
        builder.add(kind.self_prop, own)
        builder.add(kind.other_prop, other)
        for prop, values in relation.properties.items():
            for value in values:
                builder.add(prop, value)
        records.append(builder.record(entity.dataset, **derived))
    wallets: set[str] = set()
    for identifier in entity.identifiers:
        if identifier.kind is not IdKind.CRYPTO:
            continue
        wallet_id = f"{own}-wallet-{_digest(identifier.currency or '', identifier.number)}"
        if wallet_id in wallets:
            continue
        wallets.add(wallet_id)
        builder = _Builder("CryptoWallet", wallet_id)
        builder.add("publicKey", identifier.number)
        builder.add("currency", identifier.currency)
        builder.add("holder", own)
        records.append(builder.record(entity.dataset, **derived))
    return records + list(stubs.values())


def _id_prop(schema: str, kind: IdKind) -> str:
    """The FtM property for an identifier kind on this schema (``idNumber`` where FtM has no
    specific one; a schema without ``idNumber``, such as Vessel, gets ``registrationNumber``)."""
    prop = ID_PROPS.get(kind, "idNumber")
    found = ftm_model.get(schema)
    if found is not None and found.get(prop) is None and found.get("registrationNumber"):
        return "registrationNumber"
    return prop


def _sanctions(entity: Entity, own: str, derived: dict[str, Any]) -> list[dict[str, Any]]:
    """The entity's ``Sanction`` records: those imported, else one for its designation."""
    if entity.sanctions:
        out = []
        for index, sanction in enumerate(entity.sanctions):
            builder = _Builder("Sanction", str(sanction.get("id") or f"{own}-sanction-{index}"))
            builder.add("entity", own)
            for prop, values in (sanction.get("properties") or {}).items():
                for value in values:
                    builder.add(prop, value)
            out.append(builder.record(entity.dataset, **derived))
        return out
    if not (entity.programs or entity.listed_on or entity.dataset in AUTHORITIES):
        return []
    from clearance.legal import consequences_for_entity

    builder = _Builder("Sanction", f"{own}-sanction")
    builder.add("entity", own)
    authority, url = AUTHORITIES.get(entity.dataset, (None, None))
    builder.add("authority", authority)
    builder.add("sourceUrl", url)
    builder.add("listingDate", entity.listed_on)
    for program in entity.programs:
        builder.add("program", program)
    for basis in entity.legal_basis:
        builder.add("reason", basis)
    for consequence in consequences_for_entity(entity):
        builder.add("provisions", f"{consequence.title}: {consequence.obligation}")
    return [builder.record(entity.dataset, **derived)]
