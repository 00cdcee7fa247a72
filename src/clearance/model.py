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
    """A relation to another party ("Linked To:" in OFAC remarks, register <-> SDN entries)."""

    relation: str  # e.g. "linked_to", "same_as", "associate", "owned_by"
    target_name: str
    target_id: str | None = None  # resolved entity id, when known


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
        data = asdict(self)
        if not with_source:
            data.pop("source")
        return data

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
        )

    def content_hash(self) -> str:
        """Hash of the entity's content, excluding ``source`` (line numbers move between files)."""
        payload = json.dumps(self.to_dict(with_source=False), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
