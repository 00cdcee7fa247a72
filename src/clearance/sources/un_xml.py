"""UN Security Council consolidated list XML (root ``CONSOLIDATED_LIST``) -> entities.

Ids are ``un_sc_sanctions:<REFERENCE_NUMBER>`` (e.g. ``QDi.001``); a record without a reference
number, or repeating one, falls back to its ``DATAID`` with a warning. Alias quality "Good" and
"a.k.a." are strong aliases, "Low" weak ones, "f.k.a." former names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from clearance.countries import to_iso2
from clearance.errors import InputWarning, Location
from clearance.model import (
    DATASET_UN,
    DateValue,
    Entity,
    Identifier,
    IdKind,
    Name,
    NameKind,
)
from clearance.sources.building import add_address
from clearance.sources.ofac_remarks import apply_feature, parse_single_date
from clearance.sources.xmlutil import children, iter_xml, text

ROOTS = ("CONSOLIDATED_LIST",)
_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}


@dataclass(slots=True)
class UnXmlResult:
    entities: list[Entity]
    published: str | None
    warnings: list[InputWarning] = field(default_factory=list)


def read_un_xml(path: Path) -> UnXmlResult:
    """Parse the UN consolidated XML; raises :class:`InputError` for malformed or foreign XML."""
    result = UnXmlResult([], None)
    seen: dict[str, int] = {}
    for name, element in iter_xml(path, ROOTS, ("INDIVIDUAL", "ENTITY")):
        if name == "root":
            generated = element.get("dateGenerated")
            result.published = parse_single_date(generated[:10]) if generated else None
            continue
        if name not in ("INDIVIDUAL", "ENTITY"):
            continue
        line = element.sourceline or 0
        reference, dataid = text(element, "REFERENCE_NUMBER"), text(element, "DATAID")
        native = reference
        if not native or f"{DATASET_UN}:{native}" in seen:
            problem = "no REFERENCE_NUMBER" if not native else f"repeats {native}"
            if not dataid or f"{DATASET_UN}:{dataid}" in seen:
                result.warnings.append(
                    InputWarning(
                        Location(str(path), line, "REFERENCE_NUMBER"),
                        f"record {problem} and has no unique DATAID; skipped",
                        kind="duplicate_id",
                    )
                )
                continue
            result.warnings.append(
                InputWarning(
                    Location(str(path), line, "REFERENCE_NUMBER"),
                    f"record {problem}; using DATAID {dataid} as its id",
                    kind="duplicate_id",
                )
            )
            native = dataid
        entity = _entity(path, native, name, element)
        seen[entity.id] = line
        result.entities.append(entity)
    return result


def _entity(path: Path, native: str, record: str, element: etree._Element) -> Entity:
    schema = "Person" if record == "INDIVIDUAL" else "Organization"
    parts = [
        text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
    ]
    full = " ".join(p for p in parts if p)
    entity = Entity(
        id=f"{DATASET_UN}:{native}",
        schema=schema,
        names=[Name(full, NameKind.PRIMARY)] if full else [],
        dataset=DATASET_UN,
        programs=[p for p in [text(element, "UN_LIST_TYPE")] if p],
        listed_on=parse_single_date(text(element, "LISTED_ON") or ""),
        topics=["sanction"],
        source={
            "file": str(path),
            "line": element.sourceline,
            "format": "un_xml",
            "dataid": text(element, "DATAID"),
        },
    )
    original = text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        entity.names.append(Name(original, NameKind.ORIGINAL_SCRIPT))
    gender = (text(element, "GENDER") or "").lower()
    if gender in ("male", "female"):
        entity.gender = gender
    comments = text(element, "COMMENTS1")
    if comments:
        entity.add_property("notes", comments)
    for tag, prop in (("TITLE", "title"), ("DESIGNATION", "position")):
        for container in children(element, tag):
            for value in children(container, "VALUE"):
                if text(value):
                    entity.add_property(prop, text(value) or "")
    for container in children(element, "NATIONALITY"):
        for value in children(container, "VALUE"):
            code = to_iso2(text(value) or "")
            if code and code not in entity.nationalities:
                entity.nationalities.append(code)
    for alias in children(element, f"{record}_ALIAS"):
        _apply_alias(entity, alias)
    for address in children(element, f"{record}_ADDRESS"):
        _apply_address(entity, address)
    for dob in children(element, "INDIVIDUAL_DATE_OF_BIRTH"):
        _apply_birth_date(entity, dob)
    for pob in children(element, "INDIVIDUAL_PLACE_OF_BIRTH"):
        place = ", ".join(
            p for p in (text(pob, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p
        )
        if place and place not in entity.birth_places:
            entity.birth_places.append(place)
    for document in children(element, "INDIVIDUAL_DOCUMENT"):
        _apply_document(entity, document)
    return entity


def _apply_alias(entity: Entity, alias: etree._Element) -> None:
    name = text(alias, "ALIAS_NAME")
    if not name or any(n.full == name for n in entity.names):
        return
    kind = _ALIAS_KINDS.get((text(alias, "QUALITY") or "").lower(), NameKind.ALIAS)
    entity.names.append(Name(name, kind))


def _apply_address(entity: Entity, element: etree._Element) -> None:
    add_address(
        entity,
        street=text(element, "STREET"),
        city=text(element, "CITY"),
        region=text(element, "STATE_PROVINCE"),
        postal_code=text(element, "ZIP_CODE"),
        country_text=text(element, "COUNTRY"),
    )


def _apply_birth_date(entity: Entity, element: etree._Element) -> None:
    kind = (text(element, "TYPE_OF_DATE") or "").upper()
    date: DateValue | None = None
    if kind == "BETWEEN":
        start = parse_single_date(text(element, "FROM_YEAR") or "")
        end = parse_single_date(text(element, "TO_YEAR") or "")
        if start and end:
            date = DateValue(start, end=end)
    else:
        value = parse_single_date(text(element, "DATE") or "") or parse_single_date(
            text(element, "YEAR") or ""
        )
        if value:
            date = DateValue(value, circa=kind == "APPROXIMATELY")
    if date and date not in entity.birth_dates:
        entity.birth_dates.append(date)


def _apply_document(entity: Entity, element: etree._Element) -> None:
    number = text(element, "NUMBER")
    if not number:
        return
    label = " / ".join(
        p for p in (text(element, "TYPE_OF_DOCUMENT"), text(element, "TYPE_OF_DOCUMENT2")) if p
    )
    country = to_iso2(text(element, "ISSUING_COUNTRY") or text(element, "COUNTRY_OF_ISSUE") or "")
    notes = [
        f"{what} {value}"
        for what, value in (
            ("issued", text(element, "DATE_OF_ISSUE")),
            ("in", text(element, "CITY_OF_ISSUE")),
            ("note:", text(element, "NOTE")),
        )
        if value
    ]
    note = "; ".join(notes) or None
    if label and apply_feature(entity, label, number, country=country, note=note):
        return
    identifier = Identifier(IdKind.OTHER, number, country=country, label=label or None, note=note)
    if identifier not in entity.identifiers:
        entity.identifiers.append(identifier)
