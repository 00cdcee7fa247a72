"""OFAC XML (SDN.XML / CONSOLIDATED.XML, root ``sdnList``) -> entities.

``idList`` entries are interpreted by :func:`clearance.sources.ofac_remarks.apply_feature`, the
same label table the CSV remarks parser uses, so "Passport", "Website" or "Secondary sanctions
risk:" mean the same in both formats. The ``remarks`` element holds what OFAC did not structure
("(Linked To: HAMAS)") and goes through the remarks parser as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from clearance.countries import to_iso2
from clearance.errors import InputWarning, Location
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
from clearance.sources.ofac_csv import split_programs
from clearance.sources.ofac_remarks import apply_feature, parse_date, parse_remarks
from clearance.sources.xmlutil import child, iter_xml, local, text

ROOTS = ("sdnList",)
_SCHEMA_BY_TYPE = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}


@dataclass(slots=True)
class OfacXmlResult:
    entities: list[Entity]
    published: str | None
    warnings: list[InputWarning] = field(default_factory=list)


def dataset_for(path: Path) -> str:
    """``us_ofac_cons`` for consolidated (non-SDN) XML, ``us_ofac_sdn`` for SDN.XML."""
    return DATASET_OFAC_CONS if "cons" in path.name.lower() else DATASET_OFAC_SDN


def read_ofac_xml(path: Path, dataset: str | None = None) -> OfacXmlResult:
    """Parse an OFAC XML file; raises :class:`InputError` for malformed or foreign XML."""
    dataset = dataset or dataset_for(path)
    result = OfacXmlResult([], None)
    seen: dict[str, int] = {}
    declared_count = None
    for name, element in iter_xml(path, ROOTS, ("sdnEntry", "publshInformation")):
        if name == "publshInformation":
            published = text(element, "Publish_Date")
            if published:
                month, _, rest = published.partition("/")
                day, _, year = rest.partition("/")
                if year and month.isdigit() and day.isdigit():
                    result.published = f"{year}-{int(month):02d}-{int(day):02d}"
            count = text(element, "Record_Count")
            declared_count = int(count) if count and count.isdigit() else None
        elif name == "sdnEntry":
            entity = _entity(path, dataset, element)
            if entity is None:
                result.warnings.append(
                    InputWarning(
                        Location(str(path), element.sourceline, "uid"),
                        "sdnEntry without uid skipped",
                        kind="missing_id",
                    )
                )
                continue
            if entity.id in seen:
                result.warnings.append(
                    InputWarning(
                        Location(str(path), element.sourceline, "uid"),
                        f"duplicate uid {entity.native_id} (first on line {seen[entity.id]}); "
                        "kept the first",
                        kind="duplicate_id",
                    )
                )
                continue
            seen[entity.id] = element.sourceline or 0
            result.entities.append(entity)
    if declared_count is not None and declared_count != len(seen):
        result.warnings.append(
            InputWarning(
                Location(str(path), None, "Record_Count"),
                f"Record_Count says {declared_count} entries, the file has {len(seen)}",
                kind="record_count",
            )
        )
    resolve_links(result.entities)
    return result


def _full_name(first: str | None, last: str | None, schema: str) -> str:
    if schema == "Person" and first and last:
        return f"{last}, {first}"
    return " ".join(part for part in (first, last) if part)


def _entity(path: Path, dataset: str, entry: etree._Element) -> Entity | None:
    uid = text(entry, "uid")
    if not uid:
        return None
    schema = _SCHEMA_BY_TYPE.get((text(entry, "sdnType") or "").lower(), "Organization")
    first, last = text(entry, "firstName"), text(entry, "lastName")
    full = _full_name(first, last, schema)
    entity = Entity(
        id=f"{dataset}:{uid}",
        schema=schema,
        names=[Name(full, NameKind.PRIMARY, first, last if schema == "Person" else None)]
        if full
        else [],
        dataset=dataset,
        programs=split_programs(
            "] [".join(p for p in (text(e) for e in _items(entry, "programList")) if p)
        ),
        topics=["sanction"],
        source={"file": str(path), "line": entry.sourceline, "format": "ofac_xml"},
    )
    titles = [t.strip() for t in (text(entry, "title") or "").split("; ") if t.strip()]
    for title in titles:
        entity.add_property("title", title)
    for aka in _items(entry, "akaList"):
        a_first, a_last = text(aka, "firstName"), text(aka, "lastName")
        a_full = _full_name(a_first, a_last, schema)
        if not a_full or any(n.full == a_full for n in entity.names):
            continue
        if (text(aka, "category") or "").lower() == "weak":
            kind = NameKind.WEAK_ALIAS
        elif (text(aka, "type") or "").lower() == "f.k.a.":
            kind = NameKind.FORMER
        else:
            kind = NameKind.ALIAS
        person = schema == "Person"
        entity.names.append(
            Name(a_full, kind, a_first if person else None, a_last if person else None)
        )
    for item in _items(entry, "idList"):
        _apply_id(entity, item)
    for item in _items(entry, "nationalityList"):
        code = to_iso2(text(item, "country") or "")
        if code and code not in entity.nationalities:
            entity.nationalities.append(code)
    for item in _items(entry, "citizenshipList"):
        code = to_iso2(text(item, "country") or "")
        if code and code not in entity.citizenships:
            entity.citizenships.append(code)
    for item in _items(entry, "dateOfBirthList"):
        raw = text(item, "dateOfBirth")
        date = parse_date(raw) if raw else None
        if date and date not in entity.birth_dates:
            entity.birth_dates.append(date)
        elif raw and not date:
            entity.add_property("notes", f"DOB {raw}")
    for item in _items(entry, "placeOfBirthList"):
        place = text(item, "placeOfBirth")
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for item in _items(entry, "addressList"):
        _apply_address(entity, item)
    vessel = child(entry, "vesselInfo")
    if vessel is not None:
        _apply_vessel(entity, vessel)
    remarks = text(entry, "remarks")
    if remarks:
        if remarks.startswith("(") and remarks.endswith(")"):
            remarks = remarks[1:-1]
        parse_remarks(entity, remarks, titles=titles)
    return entity


def _items(entry: etree._Element, list_name: str) -> list[etree._Element]:
    container = child(entry, list_name)
    return list(container) if container is not None else []


def _apply_id(entity: Entity, item: etree._Element) -> None:
    label, number = text(item, "idType"), text(item, "idNumber")
    if not label or not number:
        return
    country = to_iso2(text(item, "idCountry") or "")
    notes = [
        f"{what} {value}"
        for what, value in (
            ("issued", text(item, "issueDate")),
            ("expires", text(item, "expirationDate")),
        )
        if value
    ]
    kind = apply_feature(entity, label, number, country=country, note="; ".join(notes) or None)
    if kind is None:
        entity.add_property("notes", f"{label} {number}")


def _apply_address(entity: Entity, item: etree._Element) -> None:
    street = ", ".join(
        p for p in (text(item, "address1"), text(item, "address2"), text(item, "address3")) if p
    )
    add_address(
        entity,
        street=street,
        city=text(item, "city"),
        region=text(item, "stateOrProvince"),
        postal_code=text(item, "postalCode"),
        country_text=text(item, "country"),
    )


def _apply_vessel(entity: Entity, vessel: etree._Element) -> None:
    for element in vessel:
        value = text(element)
        if not value:
            continue
        name = local(element)
        if name == "callSign":
            entity.add_property("callSign", value)
            identifier = Identifier(IdKind.CALL_SIGN, value, label="Call Sign")
            if identifier not in entity.identifiers:
                entity.identifiers.append(identifier)
        elif name == "vesselFlag":
            code = to_iso2(value)
            entity.add_property("flag", code or value)
            if code and code not in entity.countries:
                entity.countries.append(code)
        elif name == "vesselOwner":
            entity.add_property("owner", value)
        else:
            entity.add_property(name, value)
