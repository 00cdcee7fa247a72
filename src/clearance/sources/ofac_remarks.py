"""OFAC remarks -> structured entity fields.

The SDN remarks field is a ``;``-separated list of clauses ("DOB 17 Jul 1966; POB Michoacan,
Mexico; Passport A123 (Mexico) issued 01 Jan 2010; a.k.a. 'El Mencho'; Linked To: X."). The OFAC
XML carries most of the same facts as ``idList`` entries whose ``idType`` is the clause label
("Passport", "Website", "Secondary sanctions risk:"). :func:`apply_feature` is the ONE table of
labels both importers use, so a label is interpreted the same way whichever format it came in.

Clauses nobody recognises are never dropped: they are kept in ``properties['notes']`` and
reported by :func:`parse_remarks`, which is how remarks coverage is measured.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from clearance.countries import to_iso2
from clearance.model import DateValue, Entity, Identifier, IdKind, Link, Name, NameKind

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

# --------------------------------------------------------------------------------------------
# clause splitting and dates


def split_clauses(remarks: str) -> list[str]:
    """Split remarks on ``;`` outside parentheses; drop the final period OFAC appends.

    Semicolons inside parentheses belong to a nested list (e.g. a passport note) and are kept.
    """
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    if "(" not in text:
        parts = text.split(";")
    else:
        parts = []
        depth = 0
        start = 0
        for match in _SPLIT_CHARS.finditer(text):
            char = match.group()
            if char == "(":
                depth += 1
            elif char == ")":
                depth = max(depth - 1, 0)
            elif depth == 0:
                parts.append(text[start : match.start()])
                start = match.end()
        parts.append(text[start:])
    return [c.strip() for c in parts if c.strip()]


_SPLIT_CHARS = re.compile(r"[();]")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]* (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_US_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def parse_single_date(text: str) -> str | None:
    """ "17 Jul 1966" -> "1966-07-17", "Jul 1966" -> "1966-07", "1966" -> "1966"; else None."""
    value = text.strip().rstrip(".").strip()
    if match := _DAY_MONTH_YEAR.match(value):
        day, month, year = match.groups()
        month_no = _MONTHS.get(month.lower())
        if month_no and 1 <= int(day) <= 31:
            return f"{year}-{month_no:02d}-{int(day):02d}"
        return None
    if match := _MONTH_YEAR.match(value):
        month_no = _MONTHS.get(match.group(1).lower())
        return f"{match.group(2)}-{month_no:02d}" if month_no else None
    if match := _ISO.match(value):
        year, month, day = match.groups()
        if month and not 1 <= int(month) <= 12:
            return None
        if day and not 1 <= int(day) <= 31:
            return None
        return "-".join(part for part in (year, month, day) if part)
    if match := _US_DATE.match(value):
        month, day, year = match.groups()
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{month}-{day}"
    return None


def parse_date(text: str) -> DateValue | None:
    """A remarks date: exact, month-year, year, "circa ...", or a range "1960 to 1962"."""
    value = text.strip().rstrip(".").strip()
    circa = False
    lowered = value.lower()
    for prefix in ("circa ", "approximately ", "about "):
        if lowered.startswith(prefix):
            circa = True
            value = value[len(prefix) :].strip()
            break
    for separator in (" to ", " - ", "-"):
        if separator in value:
            start_text, _, end_text = value.partition(separator)
            start, end = parse_single_date(start_text), parse_single_date(end_text)
            if start and end:
                return DateValue(start, end=end, circa=circa)
    single = parse_single_date(value)
    return DateValue(single, circa=circa) if single else None


# --------------------------------------------------------------------------------------------
# the label table shared by the remarks parser and the OFAC XML idList

#: Exact labels (case-insensitive, trailing ":" / "-" ignored) of identifier kinds.
_ID_LABELS: dict[str, IdKind] = {
    "passport": IdKind.PASSPORT,
    "national id no.": IdKind.NATIONAL_ID,
    "cedula no.": IdKind.CEDULA,
    "c.u.r.p.": IdKind.CURP,
    "curp #": IdKind.CURP,
    "r.f.c.": IdKind.RFC,
    "tax id no.": IdKind.TAX_ID,
    "ssn": IdKind.SSN,
    "driver's license no.": IdKind.DRIVER_LICENSE,
    "legal entity number": IdKind.LEI,
    "swift/bic": IdKind.SWIFT_BIC,
    "mmsi": IdKind.MMSI,
    "vessel registration identification": IdKind.IMO,
    "aircraft manufacturer's serial number (msn)": IdKind.AIRCRAFT_SERIAL,
    "aircraft construction number (also called l/n or s/n or f/n)": IdKind.AIRCRAFT_SERIAL,
    "aircraft tail number": IdKind.AIRCRAFT_TAIL,
    "previous aircraft tail number": IdKind.AIRCRAFT_TAIL,
    "other vessel call sign": IdKind.CALL_SIGN,
    "vessel call sign": IdKind.CALL_SIGN,
    "call sign": IdKind.CALL_SIGN,
    "nit #": IdKind.TAX_ID,
    "ruc #": IdKind.TAX_ID,
    "rif #": IdKind.TAX_ID,
    "v.a.t. number": IdKind.TAX_ID,
    "unified social credit code (uscc)": IdKind.REGISTRATION,
    "d.n.i.": IdKind.NATIONAL_ID,
    "c.u.i.": IdKind.NATIONAL_ID,
    "c.u.i.t.": IdKind.TAX_ID,
    "c.u.i.p.": IdKind.NATIONAL_ID,
    "identification number": IdKind.NATIONAL_ID,
    "personal id card": IdKind.NATIONAL_ID,
    "national foreign id number": IdKind.NATIONAL_ID,
    "italian fiscal code": IdKind.TAX_ID,
    "registration number": IdKind.REGISTRATION,
    "registration id": IdKind.REGISTRATION,
    "business registration number": IdKind.REGISTRATION,
    "business registration document #": IdKind.REGISTRATION,
    "company number": IdKind.REGISTRATION,
    "uk company number": IdKind.REGISTRATION,
    "commercial registry number": IdKind.REGISTRATION,
    "chamber of commerce number": IdKind.REGISTRATION,
    "trade license no.": IdKind.REGISTRATION,
    "c.r. no.": IdKind.REGISTRATION,
    "folio mercantil no.": IdKind.REGISTRATION,
    "matricula mercantil no": IdKind.REGISTRATION,
    "government gazette number": IdKind.REGISTRATION,
    "economic register number (cbls)": IdKind.REGISTRATION,
    "central registration system number": IdKind.REGISTRATION,
    "istanbul chamber of comm. no.": IdKind.REGISTRATION,
    "public registration number": IdKind.REGISTRATION,
    "d-u-n-s number": IdKind.REGISTRATION,
    "certificate of incorporation number": IdKind.REGISTRATION,
    "enterprise number": IdKind.REGISTRATION,
    "license": IdKind.REGISTRATION,
}

#: Keywords that classify identifier labels not in the table (checked in this order).
_ID_KEYWORDS: tuple[tuple[str, IdKind], ...] = (
    ("passport", IdKind.PASSPORT),
    ("pasaporte", IdKind.PASSPORT),
    ("passeport", IdKind.PASSPORT),
    ("cedula", IdKind.CEDULA),
    ("curp", IdKind.CURP),
    ("driver", IdKind.DRIVER_LICENSE),
    ("social security", IdKind.SSN),
    ("tax", IdKind.TAX_ID),
    ("fiscal", IdKind.TAX_ID),
    ("v.a.t.", IdKind.TAX_ID),
    ("fein", IdKind.TAX_ID),
    ("registration", IdKind.REGISTRATION),
    ("register", IdKind.REGISTRATION),
    ("registry", IdKind.REGISTRATION),
    ("company", IdKind.REGISTRATION),
    ("commerce", IdKind.REGISTRATION),
    ("commercial", IdKind.REGISTRATION),
    ("business", IdKind.REGISTRATION),
    ("license", IdKind.REGISTRATION),
    ("licence", IdKind.REGISTRATION),
    ("birth certificate", IdKind.NATIONAL_ID),
    ("electoral", IdKind.NATIONAL_ID),
    ("voter", IdKind.NATIONAL_ID),
    ("residen", IdKind.NATIONAL_ID),
    ("tazkira", IdKind.NATIONAL_ID),
    ("cartilla", IdKind.NATIONAL_ID),
    ("i.f.e.", IdKind.NATIONAL_ID),
    ("c.i.f.", IdKind.TAX_ID),
    ("rtn", IdKind.TAX_ID),
    ("tributaria", IdKind.TAX_ID),
    ("identidad", IdKind.NATIONAL_ID),
    ("n.i.e.", IdKind.NATIONAL_ID),
    ("rfc", IdKind.RFC),
    ("identification", IdKind.NATIONAL_ID),
    ("identity", IdKind.NATIONAL_ID),
    ("national id", IdKind.NATIONAL_ID),
    ("id card", IdKind.NATIONAL_ID),
    ("id no", IdKind.NATIONAL_ID),
    ("personal id", IdKind.NATIONAL_ID),
)

#: Labels whose value is a plain property (FtM names where FtM has one).
_PROPERTY_LABELS: dict[str, str] = {
    "website": "website",
    "email address": "email",
    "email": "email",
    "phone number": "phone",
    "telephone": "phone",
    "phone": "phone",
    "fax": "fax",
    "fax number": "fax",
    "organization type": "organizationType",
    "target type": "targetType",
    "secondary sanctions risk": "secondarySanctionsRisk",
    "additional sanctions information": "additionalSanctionsInformation",
    "transactions prohibited for persons owned or controlled by u.s. financial institutions": (
        "transactionsProhibited"
    ),
    "aircraft model": "model",
    "aircraft operator": "operator",
    "aircraft mode s transponder code": "modeSTransponderCode",
    "vessel type": "vesselType",
    "other vessel type": "vesselType",
    "issuer name": "issuerName",
    "equity ticker": "ticker",
    "isin": "isinCode",
    "bik (ru)": "bikCode",
    "title": "title",
    "position": "position",
}

#: Labels whose value is a date property.
_DATE_LABELS: dict[str, str] = {
    "organization established date": "incorporationDate",
    "vessel year of build": "buildDate",
    "aircraft manufacture date": "buildDate",
}

#: Labels whose value is a country (ISO2 kept in a property and in ``countries``).
_COUNTRY_LABELS: dict[str, str] = {
    "vessel flag": "flag",
    "other vessel flag": "flag",
    "former vessel flag": "pastFlags",
    "nationality of registration": "registrationCountry",
}

#: Sanctions-administration labels: kept verbatim ("label value") in ``sanctionsInformation``.
_SANCTIONS_INFO = re.compile(
    r"^(?:(?:listing|effective) date \(.*\)|purchase/sales for divestment date \(.*\)"
    r"|executive order \d+ (?:directive determination|directive information|information)"
    r"|caatsa section \d+ information|ifca determination|for more information on directives.*)$"
)
_CRYPTO = re.compile(r"^digital currency address - (\w+)$", re.IGNORECASE)
_COUNTRY_IN_PARENS = re.compile(r"\s*\(([^()]+)\)")
_ID_NOTE = re.compile(
    r"\s+(?:issued|expires|issue date|expiration date|expire date|valid until|valid to)\b.*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def _label_key(label: str) -> str:
    key = " ".join(label.split()).casefold()
    while key.endswith((":", " -", "-")) and len(key) > 1:
        key = key.rstrip(":").rstrip("-").rstrip()
    return key


@lru_cache(maxsize=16384)
def id_kind_for(label: str) -> IdKind | None:
    """The identifier kind of an OFAC label ("Passport", "NIT #", "Kenyan ID No."), else None."""
    key = _label_key(label)
    if key in _ID_LABELS:
        return _ID_LABELS[key]
    if key.endswith("#") and key[:-1].strip() in _ID_LABELS:  # "R.F.C. #"
        return _ID_LABELS[key[:-1].strip()]
    if _CRYPTO.match(key):
        return IdKind.CRYPTO
    for keyword, kind in _ID_KEYWORDS:
        if keyword in key:
            return kind
    if _GENERIC_ID_LABEL.search(key):
        return IdKind.OTHER
    return None


#: Endings that make an unknown label an identifier label ("Serial No.", "Permit Number").
_GENERIC_ID_LABEL = re.compile(
    r"(?:\bno\.?|\bnumber|#|\bid|\bcode|\bcard|\bcertificate|\bpermit|\bidentification"
    r"|numberid|\(\w+\))$"
)


def split_id_value(value: str) -> tuple[str, str | None, str | None]:
    """ "A123 (Mexico) issued 01 Jan 2010" -> ("A123", "mx", "issued 01 Jan 2010").

    The country is the last parenthesised part that is a country; other parentheses stay in the
    number ("HRA 738077 (Stuttgart)").
    """
    text = value.strip()
    note = None
    if match := _ID_NOTE.search(text):
        note = match.group(0).strip()
        text = text[: match.start()].strip()
    country = None
    for match in reversed(list(_COUNTRY_IN_PARENS.finditer(text))):
        code = to_iso2(match.group(1))
        if code:
            country = code
            text = (text[: match.start()] + text[match.end() :]).strip()
            break
    return text.strip(" ,"), country, note


def apply_feature(
    entity: Entity,
    label: str,
    value: str,
    *,
    country: str | None = None,
    note: str | None = None,
) -> str | None:
    """Apply one labelled fact (a remarks clause or an XML ``idList`` entry) to ``entity``.

    ``country`` is the ISO2 code when the source gives it separately (XML ``idCountry``); in a
    remarks clause it is read from the value's parentheses. Returns the kind of fact recognised
    (e.g. ``"id:passport"``, ``"website"``), or None when the label is unknown.
    """
    key = _label_key(label)
    value = value.strip()
    if not value:
        return None
    if key == "gender":
        gender = value.strip().lower()
        if gender in ("male", "female"):
            entity.gender = gender
            return "gender"
        return None
    if key in _PROPERTY_LABELS:
        prop = _PROPERTY_LABELS[key]
        entity.add_property(prop, value)
        return prop
    if key in _DATE_LABELS:
        date = parse_date(value)
        entity.add_property(_DATE_LABELS[key], date.value if date else value)
        return _DATE_LABELS[key]
    if key in _COUNTRY_LABELS:
        code = to_iso2(value)
        if not code:
            return None
        entity.add_property(_COUNTRY_LABELS[key], code)
        if code not in entity.countries:
            entity.countries.append(code)
        return _COUNTRY_LABELS[key]
    if _SANCTIONS_INFO.match(key):
        entity.add_property("sanctionsInformation", f"{label.strip()} {value}".strip())
        return "sanctions_information"
    kind = id_kind_for(label)
    if kind is None:
        return None
    number, parsed_country, parsed_note = split_id_value(value)
    currency = None
    if kind is IdKind.CRYPTO:
        currency = _CRYPTO.match(key).group(1).upper()  # type: ignore[union-attr]
        number = value.split()[0]
    elif kind is IdKind.IMO and number.upper().startswith("IMO"):
        number = number[3:].strip()
    if not number:
        return None
    notes = "; ".join(part for part in (parsed_note, note) if part) or None
    identifier = Identifier(
        kind=kind,
        number=number,
        country=country or parsed_country,
        label=label.strip().rstrip(":").strip(),
        currency=currency,
        note=notes,
    )
    if identifier not in entity.identifiers:
        entity.identifiers.append(identifier)
    return f"id:{kind.value}"


# --------------------------------------------------------------------------------------------
# remarks clauses


@dataclass(frozen=True, slots=True)
class Clause:
    """One remarks clause and what it was recognised as (``None``: unrecognised, kept in notes)."""

    text: str
    kind: str | None


_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)
_NAME_CLAUSE = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.|d\.b\.a\.)\s*(.+)$", re.IGNORECASE)
#: OFAC lists its weak aliases in the remarks, so remarks names are weak (f.k.a.: former).
_NAME_KINDS = {
    "a.k.a.": NameKind.WEAK_ALIAS,
    "n.k.a.": NameKind.WEAK_ALIAS,
    "d.b.a.": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}
_BARE_WEBSITE = re.compile(r"^((?:https?://|www\.)\S+)(?: \(website\))?$", re.IGNORECASE)
_BARE_EMAIL = re.compile(r"^(?:email:\s*)?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)(?: \(email\))?\.?$", re.I)
_STATUS = re.compile(r"^ICTY indictee.*$", re.IGNORECASE)
_FIELD_CLAUSE = re.compile(
    r"^(DOB|POB|nationality(?! of registration)|citizen|Linked To|Gender|ethnicity|tribe|subtribe)"
    r"\s*:?\s+(.+)$",
    re.IGNORECASE,
)
_IMO_CLAUSE = re.compile(r"^(?:identification number|company number)\s+IMO\s+(\d+)$", re.I)
_RELATIVE = re.compile(
    r"^((?:half-)?(?:wife|husband|son|daughter|brother|sister|father|mother)(?:-in-law)?) of (.+)$",
    re.IGNORECASE,
)
_MEMBER_OF = re.compile(r"^member ([A-Z][A-Z-]+)$", re.IGNORECASE)
_OFFICES_WORLDWIDE = re.compile(
    r"^(?:and )?all (?:other )?(?:offices|branches)(?: worldwide)?$", re.IGNORECASE
)
#: Words that make a digit-free clause a position held ("Former Minister of Interior").
_POSITION_WORDS = re.compile(
    r"\b(?:minister|president|director|commander|chairman|chairperson|general|secretary|"
    r"governor|advisor|adviser|chief|head|deputy|member|leader|colonel|officer|manager|"
    r"ambassador|judge|mayor|senator|deputy|founder|official|representative|lt\. col)\b",
    re.IGNORECASE,
)


def _looks_like_position(text: str) -> bool:
    return not any(ch.isdigit() for ch in text) and bool(_POSITION_WORDS.search(text))


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].strip()
    return value


def _apply_field(entity: Entity, field: str, value: str) -> str | None:
    field = field.lower()
    value = value.strip()
    if field == "dob":
        date = parse_date(value)
        if date is None:
            return None
        if date not in entity.birth_dates:
            entity.birth_dates.append(date)
        return "birth_date"
    if field == "pob":
        if value not in entity.birth_places:
            entity.birth_places.append(value)
        return "birth_place"
    if field in ("nationality", "citizen"):
        target = entity.nationalities if field == "nationality" else entity.citizenships
        code = to_iso2(value.removeprefix("possibly ").strip())
        if code is None:
            return None
        if code not in target:
            target.append(code)
        return field
    if field == "linked to":
        link = Link("linked_to", value)
        if link not in entity.links:
            entity.links.append(link)
        return "linked_to"
    if field == "gender":
        return apply_feature(entity, "Gender", value)
    if field in ("ethnicity", "tribe", "subtribe"):
        entity.add_property("tribe" if field == "subtribe" else field, value)
        return field
    return None


def _longest_known_label(text: str) -> tuple[str, str] | None:
    """Split "Registration Number 123 (Iran)" into the longest label the table knows and its value."""
    match = _KNOWN_LABEL.match(text)
    return (match.group("label"), match.group("value")) if match else None


def _identifier_label(text: str) -> tuple[str, str] | None:
    """Split "Kenyan ID No. 12773667" at the first token holding a digit: (label, number).

    For labels the table does not know; a label is accepted only if it reads like an identifier
    label (see :func:`id_kind_for`). A lone short capital token after "No."/"Number" belongs to
    the number ("Personal ID No. E 427689").
    """
    tokens = text.split()
    index = next((i for i, token in enumerate(tokens) if any(ch.isdigit() for ch in token)), None)
    if index is None:
        return None
    label_tokens, value_tokens = tokens[:index], tokens[index:]
    if (
        len(label_tokens) > 1
        and re.fullmatch(r"[A-Z]{1,3}-?", label_tokens[-1])
        and label_tokens[-2].lower().rstrip(".") in ("no", "number", "#", "id")
    ):
        value_tokens.insert(0, label_tokens.pop())
    if not label_tokens:
        return None
    return " ".join(label_tokens), " ".join(value_tokens)


def _label_pattern(key: str) -> str:
    return r"\s+".join(re.escape(word) for word in key.split())


#: Every label the table knows, longest first so the longest one wins ("Email Address" over
#: "Email"), with an optional ":"/"-" after it, then the value.
_KNOWN_LABEL = re.compile(
    r"^(?P<label>(?:"
    + "|".join(
        sorted(
            (
                _label_pattern(key)
                for key in (
                    *_ID_LABELS,
                    *_PROPERTY_LABELS,
                    *_DATE_LABELS,
                    *_COUNTRY_LABELS,
                    "gender",
                    "digital currency address",
                )
            ),
            key=len,
            reverse=True,
        )
    )
    + r"|(?:listing|effective) date \([^()]*\)|purchase/sales for divestment date \([^()]*\)"
    r"|executive order \d+ (?:directive determination|directive information|information)"
    r"|caatsa section \d+ information|ifca determination"
    r"|for more information on directives\S*(?: \S+)*?)(?:\s*[:#-])?)\s+(?P<value>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


def _classify(entity: Entity, clause: str, titles: frozenset[str]) -> str | None:
    text = _ALT.sub("", clause).strip()
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()  # the XML remarks wrap clauses: "(Linked To: HAMAS)"
    if not text:
        return None
    if clause in titles or text in titles:
        entity.add_property("title", text)
        return "title"
    if match := _NAME_CLAUSE.match(text):
        name = _strip_quotes(match.group(2))
        if not name:
            return None
        kind = _NAME_KINDS[match.group(1).lower()]
        if all(n.full != name for n in entity.names):
            entity.names.append(Name(name, kind))
        return "name"
    if match := _IMO_CLAUSE.match(text):
        return apply_feature(entity, "Vessel Registration Identification", f"IMO {match.group(1)}")
    if match := _FIELD_CLAUSE.match(text):
        return _apply_field(entity, match.group(1), match.group(2))
    if split := _longest_known_label(text):
        label, value = split
        # "Digital Currency Address - XBT 1abc": the currency belongs to the label
        if _label_key(label) == "digital currency address":
            currency, _, address = value.partition(" ")
            return apply_feature(entity, f"Digital Currency Address - {currency}", address)
        return apply_feature(entity, label, value)
    if (split := _identifier_label(text)) and id_kind_for(split[0]) is not None:
        return apply_feature(entity, *split)
    if match := _RELATIVE.match(text):
        link = Link(match.group(1).lower(), match.group(2).strip())
        if link not in entity.links:
            entity.links.append(link)
        return "relative"
    if match := _MEMBER_OF.match(text):
        link = Link("member_of", match.group(1))
        if link not in entity.links:
            entity.links.append(link)
        return "member_of"
    if match := _BARE_WEBSITE.match(text):
        entity.add_property("website", match.group(1))
        return "website"
    if match := _BARE_EMAIL.match(text):
        entity.add_property("email", match.group(1))
        return "email"
    if _STATUS.match(text):
        entity.add_property("status", text)
        return "status"
    if _OFFICES_WORLDWIDE.match(text):
        entity.add_property("sanctionsInformation", text)
        return "sanctions_information"
    if _looks_like_position(text):
        entity.add_property("position", text)
        return "position"
    return None


def parse_remarks(entity: Entity, remarks: str, *, titles: Iterable[str] = ()) -> list[Clause]:
    """Parse ``remarks`` into ``entity``; unrecognised clauses go to ``properties['notes']``.

    ``titles`` are the entity's titles from the title column: OFAC repeats them in the remarks,
    and such a clause is recognised as the title rather than left as a note.
    """
    title_set = frozenset(t.strip() for t in titles if t.strip())
    result: list[Clause] = []
    for clause in split_clauses(remarks):
        kind = _classify(entity, clause, title_set)
        if kind is None:
            entity.add_property("notes", clause)
        result.append(Clause(clause, kind))
    return result
