"""SWIFT MT103 (single customer credit transfer) into parties and free texts.

Accepts a whole FIN message (blocks ``{1:}`` to ``{5:}``) or block 4 alone. Each field is
checked against the MT103 format rules that matter for screening (mandatory fields, option
letters, 35-character lines, numbered 50F/59F lines, BICs, 32A value date and amount), and
any violation raises :class:`InputError` naming the field tag and the line in the file.
Block 1 and 2 give the sending and receiving institutions, which are screened like agents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clearance.countries import to_iso2
from clearance.errors import InputError, Location
from clearance.payments.parties import FreeText, Party, PaymentMessage, Role, check_bic

#: Party fields: tag without option letter -> (role, allowed option letters; "" = no letter).
PARTY_FIELDS: dict[str, tuple[Role, frozenset[str]]] = {
    "50": (Role.DEBTOR, frozenset("AFK")),
    "51": (Role.INSTRUCTING_AGENT, frozenset("A")),
    "52": (Role.DEBTOR_AGENT, frozenset("AD")),
    "53": (Role.SENDERS_CORRESPONDENT, frozenset("ABD")),
    "54": (Role.RECEIVERS_CORRESPONDENT, frozenset("ABD")),
    "55": (Role.INTERMEDIARY_AGENT, frozenset("ABD")),
    "56": (Role.INTERMEDIARY_AGENT, frozenset("ACD")),
    "57": (Role.CREDITOR_AGENT, frozenset("ABCD")),
    "59": (Role.CREDITOR, frozenset({"", "A", "F"})),
}

#: Free-text fields and the most lines each may have.
TEXT_FIELDS = {"70": 4, "72": 6, "77B": 3, "77T": 9999}

OTHER_FIELDS = frozenset(
    {"13C", "20", "23B", "23E", "26T", "32A", "33B", "36", "71A", "71F", "71G"}
)
REPEATABLE = frozenset({"13C", "23E", "71F"})
MANDATORY = ("20", "23B", "32A", "50", "59", "71A")
LINE_LIMIT = 35

_FIELD_RE = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BLOCK1_RE = re.compile(r"\{1:F01([A-Z0-9]{12})\d{10}\}")
_BLOCK2_RE = re.compile(r"\{2:(?:I(\d{3})([A-Z0-9]{12})|O(\d{3})\d{10}([A-Z0-9]{12}))")
_32A_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})([A-Z]{3})(\d[\d]{0,14},\d*)$")
_33B_RE = re.compile(r"^([A-Z]{3})(\d[\d]{0,14},\d*)$")
_50F_ID_RE = re.compile(r"^(?:/.{1,34}|[A-Z]{4}/[A-Z]{2}/.{1,27})$")
_NUMBERED_RE = re.compile(r"^([1-8])/(.+)$")


@dataclass(slots=True)
class Field:
    """One block-4 field: tag (e.g. ``50K``), its lines, and the file line it starts on."""

    tag: str
    lines: list[str]
    line: int

    @property
    def base(self) -> str:
        return self.tag[:2]

    @property
    def option(self) -> str:
        return self.tag[2:]


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str, field: Field | None = None, offset: int = 0) -> InputError:
        if field is None:
            return InputError(message, Location(self.source))
        return InputError(message, Location(self.source, field.line + offset, f":{field.tag}:"))

    # --- block 4 ------------------------------------------------------------------------------

    def fields(self, lines: list[str], first_line: int) -> list[Field]:
        result: list[Field] = []
        for number, raw in enumerate(lines, start=first_line):
            line = raw.rstrip("\r")
            match = _FIELD_RE.match(line)
            if match:
                result.append(Field(match.group(1), [match.group(2)], number))
            elif result:
                result[-1].lines.append(line)
            elif line.strip():
                raise InputError(
                    f"text before the first field tag: {line.strip()[:40]!r}",
                    Location(self.source, number),
                )
        return result

    def check_lines(self, field: Field, limit: int) -> None:
        if len(field.lines) > limit:
            raise self.fail(
                f"field has {len(field.lines)} lines, at most {limit} allowed", field, limit
            )
        for offset, line in enumerate(field.lines):
            if len(line) > LINE_LIMIT:
                raise self.fail(
                    f"line of {len(line)} characters, at most {LINE_LIMIT} allowed", field, offset
                )
            if not line.strip():
                raise self.fail("empty line inside the field", field, offset)

    def account_line(self, field: Field) -> tuple[str | None, list[str]]:
        """Split an optional leading ``/account`` line (also ``//clearing`` codes) off."""
        first, rest = field.lines[0], field.lines[1:]
        if first.startswith("/"):
            account = first.lstrip("/").strip()
            if not account:
                raise self.fail("empty account after '/'", field)
            return account, rest
        return None, field.lines

    # --- parties ------------------------------------------------------------------------------

    def party(self, field: Field) -> Party:
        role, options = PARTY_FIELDS[field.base]
        if field.option not in options:
            raise self.fail(
                f"option {field.option or '(none)'} is not allowed for field {field.base}", field
            )
        location = Location(self.source, field.line, f":{field.tag}:")
        if field.option == "F":
            return self.structured_party(field, role, location)
        self.check_lines(field, 5)
        account, rest = self.account_line(field)
        offset = len(field.lines) - len(rest)
        if field.option == "A":
            if len(rest) != 1:
                raise self.fail("option A takes an optional /account line and one BIC", field)
            bic = check_bic(rest[0], Location(self.source, field.line + offset, f":{field.tag}:"))
            return Party(role, location, account=account, bic=bic)
        if field.option in ("B", "C"):
            return Party(role, location, account=account, address_lines=list(rest))
        if not rest:
            raise self.fail("no name in the field", field)
        name, address = rest[0].strip(), [line.strip() for line in rest[1:4]]
        if len(rest) > 4:
            raise self.fail("more than 4 lines of name and address", field, offset + 4)
        variants = [f"{name} {address[0]}"] if address else []
        return Party(
            role,
            location,
            name=name,
            address_lines=address,
            country=_country_of_lines(address),
            account=account,
            name_variants=variants,
        )

    def structured_party(self, field: Field, role: Role, location: Location) -> Party:
        """50F / 59F: identifier line, then numbered lines (1/ name, 2/ address, 3/ CC/town)."""
        self.check_lines(field, 5)
        lines = field.lines
        account = None
        identifiers: list[str] = []
        start = 0
        if not _NUMBERED_RE.match(lines[0]):
            if not _50F_ID_RE.match(lines[0]):
                raise self.fail(f"bad party identifier line {lines[0]!r}", field)
            if lines[0].startswith("/"):
                account = lines[0][1:].strip()
            else:
                identifiers.append(lines[0])
            start = 1
        names: list[str] = []
        address: list[str] = []
        country = None
        for offset in range(start, len(lines)):
            match = _NUMBERED_RE.match(lines[offset])
            if not match:
                raise self.fail(
                    f"expected a numbered line like '1/NAME', got {lines[offset]!r}", field, offset
                )
            number, value = match.group(1), match.group(2).strip()
            if number == "1":
                names.append(value)
            elif number == "2":
                address.append(value)
            elif number == "3":
                country = to_iso2(value[:2]) if len(value) >= 2 else None
                if country is None or (len(value) > 2 and value[2] != "/"):
                    raise self.fail(
                        f"line 3/ must start with a country code: {value!r}", field, offset
                    )
                address.append(value[3:].strip())
            elif field.base == "59":
                raise self.fail(
                    f"59F allows only lines 1/, 2/ and 3/, got {number}/", field, offset
                )
            else:
                identifiers.append(f"{number}/{value}")
        if not names:
            raise self.fail("no 1/ name line", field)
        return Party(
            role,
            location,
            name=" ".join(names),
            address_lines=[line for line in address if line],
            country=country,
            account=account,
            identifiers=identifiers,
        )

    # --- other fields -------------------------------------------------------------------------

    def amount(self, field: Field, message: PaymentMessage) -> None:
        value = field.lines[0].strip()
        if field.tag == "32A":
            match = _32A_RE.match(value)
            if not match:
                raise self.fail(
                    f"expected YYMMDD + currency + amount like 250301USD1000,00, got {value!r}",
                    field,
                )
            year, month, day = (int(match.group(i)) for i in (1, 2, 3))
            try:
                date(2000 + year, month, day)
            except ValueError:
                raise self.fail(f"invalid value date {value[:6]!r}", field) from None
            message.currency, message.amount = match.group(4), match.group(5).replace(",", ".")
        elif not _33B_RE.match(value):
            raise self.fail(f"expected currency + amount like USD1000,00, got {value!r}", field)

    def simple(self, field: Field) -> None:
        value = field.lines[0].strip()
        if len(field.lines) != 1 or not value:
            raise self.fail("field must have exactly one non-empty line", field)
        if field.tag == "20" and (
            len(value) > 16 or value.startswith("/") or value.endswith("/") or "//" in value
        ):
            raise self.fail(f"invalid sender's reference {value!r}", field)
        if field.tag == "23B" and not re.fullmatch(r"[A-Z]{4}", value):
            raise self.fail(f"bank operation code must be 4 letters, got {value!r}", field)
        if field.tag == "71A" and value not in ("BEN", "OUR", "SHA"):
            raise self.fail(f"details of charges must be BEN, OUR or SHA, got {value!r}", field)


def _country_of_lines(address: list[str]) -> str | None:
    """Country named at the end of the last address line ("CULIACAN, SINALOA, MEXICO")."""
    if not address:
        return None
    last = address[-1]
    return to_iso2(last) or to_iso2(last.rsplit(",", 1)[-1].strip())


def _block4(text: str, reader: _Reader) -> tuple[list[str], int]:
    """Lines of block 4 and the file line of its first line."""
    if "{4:" not in text:
        if text.lstrip().startswith(":"):
            return text.splitlines(), 1
        raise InputError(
            "no block 4 ({4:) and no field tags: not an MT message", Location(reader.source)
        )
    start = text.index("{4:")
    first_line = text.count("\n", 0, start) + 1
    body = text[start + 3 :]
    end = re.search(r"(?m)^-\}", body)
    if end is None:
        raise InputError(
            "block 4 is not closed by a line '-}'", Location(reader.source, first_line)
        )
    lines = body[: end.start()].splitlines()
    if lines and not lines[0].strip():
        return lines[1:], first_line + 1
    return lines, first_line


def parse_mt103(data: bytes, source: str = "<bytes>") -> PaymentMessage:
    """An MT103 message as parties and free texts (see module doc for what is checked)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.lstrip("\ufeff")
    reader = _Reader(source)
    if not text.strip():
        raise InputError("empty message", Location(source))
    message = PaymentMessage("MT103", source)
    block2 = _BLOCK2_RE.search(text)
    if block2:
        message_type = block2.group(1) or block2.group(3)
        if message_type != "103":
            raise InputError(
                f"MT{message_type} is not supported: expected MT103", Location(source, 1, "{2:}")
            )
        receiver = block2.group(2) or block2.group(4)
        message.parties.append(_lt_party(receiver, Role.INSTRUCTED_AGENT, source, "{2:}"))
    block1 = _BLOCK1_RE.search(text)
    if block1:
        message.parties.append(_lt_party(block1.group(1), Role.INSTRUCTING_AGENT, source, "{1:}"))
    lines, first_line = _block4(text, reader)
    seen: set[str] = set()
    for field in reader.fields(lines, first_line):
        base = field.base if field.base in PARTY_FIELDS else field.tag
        if base in seen and field.tag not in REPEATABLE:
            raise reader.fail(f"field {base} appears more than once", field)
        seen.add(base)
        if field.base in PARTY_FIELDS:
            message.parties.append(reader.party(field))
        elif field.tag in TEXT_FIELDS:
            reader.check_lines(field, TEXT_FIELDS[field.tag])
            location = Location(source, field.line, f":{field.tag}:")
            message.free_texts.append(FreeText(f":{field.tag}:", "\n".join(field.lines), location))
        elif field.tag in ("32A", "33B"):
            reader.amount(field, message)
        elif field.tag in OTHER_FIELDS:
            if field.tag in ("20", "23B", "71A"):
                reader.simple(field)
            if field.tag == "20":
                message.reference = field.lines[0].strip()
        else:
            raise reader.fail(f"field {field.tag} is not part of an MT103", field)
    missing = [tag for tag in MANDATORY if tag not in seen]
    if missing:
        raise InputError(
            "missing mandatory field(s) "
            + ", ".join(f":{tag}a:" if tag in PARTY_FIELDS else f":{tag}:" for tag in missing),
            Location(source, first_line),
        )
    return message


def _lt_party(address: str, role: Role, source: str, block: str) -> Party:
    """The institution of a 12-character logical-terminal address (BIC8 + terminal + branch)."""
    location = Location(source, 1, block)
    branch = address[9:12]
    bic = check_bic(address[:8] + ("" if branch == "XXX" else branch), location)
    return Party(role, location, bic=bic)


def read_mt103(path: Path) -> PaymentMessage:
    """Parse an MT103 file (see :func:`parse_mt103`)."""
    return parse_mt103(path.read_bytes(), str(path))
