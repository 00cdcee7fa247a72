"""The entity model shared by every importer, the store, matching and all interfaces.

A designated party is an :class:`Entity`. Field names follow FollowTheMoney (FtM) where FtM has
one, so exporting to and importing from FtM JSON lines is a mechanical mapping
(see :mod:`clearance.sources.ftm_json`).

Entities are plain dataclasses that round-trip losslessly through :meth:`Entity.to_dict` /
:meth:`Entity.from_dict`; the store keeps that dict as JSON and hashes it to detect changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

#: Dataset names, also the prefix of every entity id (``<dataset>:<native id>``).
DATASET_OFAC_SDN = "us_ofac_sdn"
DATASET_OFAC_CONS = "us_ofac_cons"
DATASET_UN = "un_sc_sanctions"
DATASET_REGISTER = "us_designations"
DATASETS = (DATASET_OFAC_SDN, DATASET_OFAC_CONS, DATASET_UN, DATASET_REGISTER)

#: FtM schemata Clearance uses. OFAC "aircraft" maps to FtM ``Airplane``.
SCHEMATA = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")


class NameKind(StrEnum):
    """How a name relates to its entity; matching weighs them differently."""

    PRIMARY = "primary"  # the name as listed
    ALIAS = "alias"  # strong a.k.a. / n.k.a.
    WEAK_ALIAS = "weak_alias"  # OFAC "weak" aka, UN "low quality" alias, nicknames
    FORMER = "former"  # f.k.a.
    ORIGINAL_SCRIPT = "original_script"  # the name in its original (non-Latin) script


@dataclass(frozen=True, slots=True)
class Name:
    """One name of an entity. ``first``/``last`` are kept where the source separates them."""

    full: str
    kind: NameKind = NameKind.PRIMARY
    first: str | None = None
    last: str | None = None
    lang: str | None = None  # ISO 639 code or script hint where the source gives one


class IdKind(StrEnum):
    """Identifier kinds. ``STRONG_ID_KINDS`` are near-certain proof of identity when equal."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    CEDULA = "cedula"
    CURP = "curp"
    RFC = "rfc"
    TAX_ID = "tax_id"
    SSN = "ssn"
    DRIVER_LICENSE = "driver_license"
    REGISTRATION = "registration"  # company registration / business number
    LEI = "lei"
    SWIFT_BIC = "swift_bic"
    IMO = "imo"
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    AIRCRAFT_SERIAL = "aircraft_serial"
    AIRCRAFT_TAIL = "aircraft_tail"
    CRYPTO = "crypto"  # digital currency address; ``currency`` holds the ticker
    OTHER = "other"


STRONG_ID_KINDS = frozenset(
    {
        IdKind.PASSPORT,
        IdKind.NATIONAL_ID,
        IdKind.CEDULA,
        IdKind.CURP,
        IdKind.RFC,
        IdKind.TAX_ID,
        IdKind.SSN,
        IdKind.LEI,
        IdKind.SWIFT_BIC,
        IdKind.IMO,
        IdKind.MMSI,
        IdKind.AIRCRAFT_SERIAL,
        IdKind.CRYPTO,
        IdKind.REGISTRATION,
    }
)


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identity document or registry number, as listed (``label`` keeps the source's wording)."""

    kind: IdKind
    number: str
    country: str | None = None  # ISO 3166-1 alpha-2, lower case, where known
    label: str | None = None  # e.g. "Passport", "C.U.R.P.", "Digital Currency Address - XBT"
    currency: str | None = None  # crypto ticker for IdKind.CRYPTO
    note: str | None = None  # issue/expiry dates and other qualifiers


@dataclass(frozen=True, slots=True)
class DateValue:
    """A full or partial ISO date (``1966``, ``1966-07``, ``1966-07-17``), or a range to ``end``."""

    value: str
    end: str | None = None
    circa: bool = False


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, lower case, where known


@dataclass(frozen=True, slots=True)
class Link:
    """A relation to another party ("Linked To:" in OFAC remarks, register <-> SDN entries,
    FtM ``Ownership`` / ``Family`` / ... entities).

    ``relation`` is a key of :data:`RELATIONS` (or a family word such as ``"son"``, see
    :data:`FAMILY_WORDS`), read from this entity's side: ``owned_by`` on the asset,
    ``owner_of`` on the owner. ``id`` and ``properties`` keep an imported FtM relation entity's
    own id and further properties (``percentage``, ``startDate``, ...) so it exports unchanged.
    """

    relation: str  # e.g. "linked_to", "same_as", "member_of", "owned_by", "son"
    target_name: str
    target_id: str | None = None  # resolved entity id, when known
    id: str | None = None  # the FtM relation entity's id, when imported from FtM
    properties: dict[str, list[str]] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class RelationKind:
    """How a :class:`Link` relation becomes an FtM relation entity."""

    schema: str  # FtM schema, e.g. "Ownership"
    self_prop: str  # the property naming the entity holding the link
    other_prop: str  # the property naming the link's target
    target_schema: str = "LegalEntity"  # schema of a stub made for an unresolved target


#: Link relations and the FtM relation entity each one is. ``same_as`` is no entity: it
#: becomes ``referents``.
RELATIONS: dict[str, RelationKind] = {
    "linked_to": RelationKind("UnknownLink", "subject", "object"),
    "linked_from": RelationKind("UnknownLink", "object", "subject"),
    "member_of": RelationKind("Membership", "member", "organization", "Organization"),
    "has_member": RelationKind("Membership", "organization", "member"),
    "owner_of": RelationKind("Ownership", "owner", "asset"),
    "owned_by": RelationKind("Ownership", "asset", "owner"),
    "director_of": RelationKind("Directorship", "director", "organization", "Organization"),
    "has_director": RelationKind("Directorship", "organization", "director"),
    "associate": RelationKind("Associate", "person", "associate", "Person"),
    "associate_of": RelationKind("Associate", "associate", "person", "Person"),
    "family": RelationKind("Family", "person", "relative", "Person"),
    "relative_of": RelationKind("Family", "relative", "person", "Person"),
}
#: OFAC's "<word> of <name>" family clauses: the entity is the ``relative`` of ``person``.
FAMILY_WORDS = re.compile(
    r"^(?:half-)?(?:wife|husband|son|daughter|brother|sister|father|mother)(?:-in-law)?$"
)
SAME_AS = "same_as"


def relation_kind(relation: str) -> RelationKind | None:
    """The FtM relation entity a link relation is; ``None`` for ``same_as``."""
    if relation == SAME_AS:
        return None
    if FAMILY_WORDS.match(relation):
        return RELATIONS["relative_of"]
    return RELATIONS.get(relation, RELATIONS["linked_to"])


@dataclass(slots=True)
class Entity:
    """A listed party: person, organisation/company, vessel or aircraft.

    ``properties`` holds further FtM-named facts as lists of strings (``title``, ``website``,
    ``email``, ``phone``, ``flag``, ``vesselType``, ``tonnage``, ``grossRegisteredTonnage``,
    ``owner``, ``buildDate``, ``legalForm``, ``incorporationDate``, ``notes``, ``secondarySanctionsRisk``,
    ``organizationType``, ...). ``source`` records where the record came from (file, line, raw fields).
    """

    id: str
    schema: str
    names: list[Name]
    dataset: str = ""
    programs: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    listed_on: str | None = None  # ISO date of listing, where known
    birth_dates: list[DateValue] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2, lower case
    citizenships: list[str] = field(default_factory=list)  # ISO alpha-2, lower case
    countries: list[str] = field(
        default_factory=list
    )  # other country links (jurisdiction, flag...)
    gender: str | None = None  # "male" / "female"
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # FtM topics, e.g. "sanction", "crime.terror"
    properties: dict[str, list[str]] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    #: False for context entities of an FtM file (a holding company, a relative): stored,
    #: exported and shown as related parties, never screened (no hit by themselves).
    target: bool = True
    #: Other ids of the same entity: the source's own FtM id, ``same_as`` entries.
    referents: list[str] = field(default_factory=list)
    #: FtM ``Sanction`` entities imported for this entity (id and properties, ``entity``
    #: omitted); exported as given. Empty for the official lists: export derives the sanction.
    sanctions: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.dataset and ":" in self.id:
            self.dataset = self.id.split(":", 1)[0]

    @property
    def native_id(self) -> str:
        return self.id.split(":", 1)[1] if ":" in self.id else self.id

    @property
    def caption(self) -> str:
        """The display name: the primary name, else the first name listed."""
        for name in self.names:
            if name.kind == NameKind.PRIMARY:
                return name.full
        return self.names[0].full if self.names else self.id

    def names_of(self, *kinds: NameKind) -> list[Name]:
        return [n for n in self.names if n.kind in kinds]

    def add_property(self, prop: str, value: str) -> None:
        values = self.properties.setdefault(prop, [])
        if value not in values:
            values.append(value)

    # --- serialisation -------------------------------------------------------------------

    def to_dict(self, with_source: bool = True) -> dict[str, Any]:
        """The entity as JSON-ready data. Fields added after the first release are left out
        at their defaults, so entities stored before them keep their content hash."""
        data = asdict(self)
        if not with_source:
            data.pop("source")
        return drop_late_defaults(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            id=data["id"],
            schema=data["schema"],
            dataset=data.get("dataset", ""),
            names=[
                Name(n["full"], NameKind(n["kind"]), n.get("first"), n.get("last"), n.get("lang"))
                for n in data.get("names", [])
            ],
            programs=list(data.get("programs", [])),
            legal_basis=list(data.get("legal_basis", [])),
            listed_on=data.get("listed_on"),
            birth_dates=[DateValue(**d) for d in data.get("birth_dates", [])],
            birth_places=list(data.get("birth_places", [])),
            nationalities=list(data.get("nationalities", [])),
            citizenships=list(data.get("citizenships", [])),
            countries=list(data.get("countries", [])),
            gender=data.get("gender"),
            identifiers=[
                Identifier(**{**i, "kind": IdKind(i["kind"])}) for i in data.get("identifiers", [])
            ],
            addresses=[Address(**a) for a in data.get("addresses", [])],
            links=[Link(**link) for link in data.get("links", [])],
            topics=list(data.get("topics", [])),
            properties={k: list(v) for k, v in data.get("properties", {}).items()},
            source=dict(data.get("source", {})),
            target=bool(data.get("target", True)),
            referents=list(data.get("referents", [])),
            sanctions=[dict(s) for s in data.get("sanctions", [])],
        )

    def content_hash(self) -> str:
        """Hash of the entity's content, excluding ``source`` (line numbers move between files)."""
        payload = json.dumps(self.to_dict(with_source=False), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_LATE_DEFAULTS: dict[str, Any] = {"target": True, "referents": [], "sanctions": []}
_LATE_LINK_DEFAULTS: dict[str, Any] = {"id": None, "properties": {}}


def drop_late_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out fields added after the first release where they hold their defaults (in
    place), so entities stored before them keep their content hash."""
    for key, default in _LATE_DEFAULTS.items():
        if key in data and data[key] == default:
            del data[key]
    for link in data.get("links", []):
        for key, default in _LATE_LINK_DEFAULTS.items():
            if key in link and link[key] == default:
                del link[key]
    return data


# --- relations ------------------------------------------------------------------------------


def resolve_links(entities: list[Entity]) -> None:
    """Point each link whose target is named (``Linked To: HAMAS``) at the entity of that name
    in the same list, where exactly one entity carries the name (primary name or alias)."""
    owners: dict[str, set[str]] = {}
    for entity in entities:
        for name in entity.names:
            if name.kind in (NameKind.PRIMARY, NameKind.ALIAS, NameKind.FORMER):
                owners.setdefault(_name_key(name.full), set()).add(entity.id)
    for entity in entities:
        for index, link in enumerate(entity.links):
            if link.target_id is not None:
                continue
            found = owners.get(_name_key(link.target_name), set()) - {entity.id}
            if len(found) == 1:
                entity.links[index] = Link(
                    link.relation, link.target_name, next(iter(found)), link.id, link.properties
                )


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace(",", " ").split())


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation between two parties as FtM states it, e.g. ``Ownership`` with ``owner`` and
    ``asset``. ``ends`` maps each end property to the Clearance entity id (``None`` where the
    party is known by name only, see ``names``); ``properties`` holds the rest
    (``percentage``, ``startDate``, ``relationship`` ...)."""

    schema: str
    ends: dict[str, str | None]
    names: dict[str, str]
    properties: dict[str, list[str]]
    link: Link
    holder: str  # id of the entity the link is stored on


def relations(entities: Iterable[Entity], schema: str | None = None) -> list[Relation]:
    """Every relation the entities hold (``same_as`` excluded), optionally of one FtM schema
    only: ``relations(store.entities(), "Ownership")`` gives all ownerships. A relation
    imported from FtM is held by both its ends (same ``link.id``) and listed once."""
    found: list[Relation] = []
    seen: set[str] = set()
    for entity in entities:
        for link in entity.links:
            kind = relation_kind(link.relation)
            if kind is None or (schema is not None and kind.schema != schema):
                continue
            if link.id is not None:
                if link.id in seen:
                    continue
                seen.add(link.id)
            properties = {k: list(v) for k, v in link.properties.items()}
            if kind.schema == "Family" and FAMILY_WORDS.match(link.relation):
                properties.setdefault("relationship", [link.relation])
            found.append(
                Relation(
                    kind.schema,
                    {kind.self_prop: entity.id, kind.other_prop: link.target_id},
                    {kind.self_prop: entity.caption, kind.other_prop: link.target_name},
                    properties,
                    link,
                    entity.id,
                )
            )
    return found


# --- FtM ids ---------------------------------------------------------------------------------

_KEEP = re.compile(r"[0-9A-Za-z]")
_ESCAPE = re.compile(r"\.-([0-9a-f]{2})")


def ftm_id(entity_id: str) -> str:
    """The FtM-valid form of a Clearance id: ``us_ofac_sdn:6861`` -> ``us-ofac-sdn-6861``.

    FtM ids allow ``[0-9a-zA-Z.-]`` (alphanumeric at both ends). The dataset's ``_`` become
    ``-``; in the native id any other character is written ``.-`` plus its UTF-8 bytes in hex
    (``.`` only where ``-`` follows it, or at the end), so :func:`entity_id_of` reverses it.
    """
    dataset, sep, native = entity_id.partition(":")
    if not sep:
        return _escape(entity_id)
    return f"{_escape(dataset.replace('_', '-'))}-{_escape(native)}"


def _escape(text: str) -> str:
    out: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        safe = _KEEP.match(char) or (
            index not in (0, last)
            and (char == "-" or (char == "." and text[index + 1] != "-"))
        )
        out.append(char if safe else "".join(f".-{b:02x}" for b in char.encode("utf-8")))
    return "".join(out)


def _unescape(text: str) -> str:
    raw = bytearray()
    position = 0
    for match in _ESCAPE.finditer(text):
        raw += text[position : match.start()].encode("utf-8")
        raw.append(int(match.group(1), 16))
        position = match.end()
    raw += text[position:].encode("utf-8")
    return raw.decode("utf-8", errors="replace")


def entity_id_of(identifier: str, datasets: Iterable[str]) -> str:
    """The Clearance id for an id in either form: ``us-ofac-sdn-6861`` (FtM, see
    :func:`ftm_id`) becomes ``us_ofac_sdn:6861`` given the known datasets; a Clearance id, or
    an id of no known dataset, comes back unchanged."""
    if ":" in identifier:
        return identifier
    for dataset in sorted(datasets, key=len, reverse=True):
        prefix = ftm_id(f"{dataset}:x")[:-1]
        if identifier.startswith(prefix) and len(identifier) > len(prefix):
            return f"{dataset}:{_unescape(identifier[len(prefix):])}"
    return identifier
