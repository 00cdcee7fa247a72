"""ISO 20022 credit transfers (pacs.008 FI-to-FI, pain.001 customer initiation) into parties.

Namespace-agnostic: banks send many versions (pacs.008.001.02 to .12, pain.001.001.03 to .11)
whose element names for the parts Clearance reads are the same, so elements are matched by
local name. Structural problems a screening filter cannot work around (no debtor, a party with
nothing to screen, a malformed BIC, IBAN or amount) raise :class:`InputError` naming the XML
path and line: an unscreenable message must never pass as clear.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from clearance.countries import to_iso2
from clearance.errors import InputError, Location
from clearance.payments.parties import (
    FreeText,
    Party,
    PaymentMessage,
    Role,
    check_bic,
    iban_valid,
)
from clearance.sources.xmlutil import child, children, local, text

#: Root child element -> message type.
MESSAGE_ROOTS = {"FIToFICstmrCdtTrf": "pacs.008", "CstmrCdtTrfInitn": "pain.001"}

#: Party elements (PartyIdentification) and the account element that belongs to each.
PARTY_ELEMENTS: dict[str, tuple[Role, str | None]] = {
    "Dbtr": (Role.DEBTOR, "DbtrAcct"),
    "Cdtr": (Role.CREDITOR, "CdtrAcct"),
    "UltmtDbtr": (Role.ULTIMATE_DEBTOR, None),
    "UltmtCdtr": (Role.ULTIMATE_CREDITOR, None),
    "InitgPty": (Role.INITIATING_PARTY, None),
}

#: Agent elements (BranchAndFinancialInstitutionIdentification) and their account elements.
AGENT_ELEMENTS: dict[str, tuple[Role, str | None]] = {
    "InstgAgt": (Role.INSTRUCTING_AGENT, None),
    "InstdAgt": (Role.INSTRUCTED_AGENT, None),
    "DbtrAgt": (Role.DEBTOR_AGENT, "DbtrAgtAcct"),
    "CdtrAgt": (Role.CREDITOR_AGENT, "CdtrAgtAcct"),
    "IntrmyAgt1": (Role.INTERMEDIARY_AGENT, "IntrmyAgt1Acct"),
    "IntrmyAgt2": (Role.INTERMEDIARY_AGENT, "IntrmyAgt2Acct"),
    "IntrmyAgt3": (Role.INTERMEDIARY_AGENT, "IntrmyAgt3Acct"),
}

_AMOUNT_RE = re.compile(r"^\d{1,18}(?:\.\d{1,5})?$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class _Reader:
    """Parses one document; keeps the source name for error locations."""

    def __init__(self, source: str) -> None:
        self.source = source

    def location(self, element: etree._Element) -> Location:
        return Location(self.source, element.sourceline, xml_path(element))

    def fail(self, message: str, element: etree._Element) -> InputError:
        return InputError(message, self.location(element))

    def require(self, parent: etree._Element, name: str) -> etree._Element:
        found = child(parent, name)
        if found is None:
            raise self.fail(f"missing required element <{name}>", parent)
        return found

    # --- parties ------------------------------------------------------------------------------

    def address(self, element: etree._Element | None) -> tuple[list[str], str | None]:
        """Address lines (AdrLine, else the structured parts) and the ISO country."""
        if element is None:
            return [], None
        lines = [line for node in children(element, "AdrLine") if (line := text(node))]
        if not lines:
            street = " ".join(
                filter(None, (text(element, "StrtNm"), text(element, "BldgNb")))
            ).strip()
            town = " ".join(filter(None, (text(element, "PstCd"), text(element, "TwnNm")))).strip()
            lines = [part for part in (street, town, text(element, "CtrySubDvsn")) if part]
        country_text = text(element, "Ctry")
        country = None
        if country_text:
            country = to_iso2(country_text)
            if country is None:
                raise self.fail(
                    f"unknown country code {country_text!r}", self.require(element, "Ctry")
                )
        return lines, country

    def account(self, element: etree._Element | None) -> str | None:
        """IBAN (checked) or other account id of a ``...Acct`` element."""
        if element is None:
            return None
        ident = self.require(element, "Id")
        iban = child(ident, "IBAN")
        if iban is not None:
            value = (text(iban) or "").replace(" ", "").upper()
            if not iban_valid(value):
                raise self.fail(f"invalid IBAN {text(iban)!r} (format or check digits)", iban)
            return value
        other = child(ident, "Othr")
        value = text(other, "Id") if other is not None else None
        if not value:
            raise self.fail("account has neither <IBAN> nor <Othr><Id>", ident)
        return value

    def identifiers(self, ident: etree._Element | None) -> tuple[list[str], str | None]:
        """Ids under a party's ``Id`` (OrgId AnyBIC/BICOrBEI, LEI, Othr; PrvtId Othr)."""
        if ident is None:
            return [], None
        values: list[str] = []
        bic = None
        for node in ident.iter():
            name = local(node)
            if name in ("AnyBIC", "BICOrBEI", "BIC", "BICFI"):
                bic = check_bic(text(node) or "", self.location(node))
            elif name == "LEI" and text(node):
                values.append(text(node) or "")
            elif name == "Othr" and text(node, "Id"):
                values.append(text(node, "Id") or "")
        return values, bic

    def party(self, element: etree._Element, role: Role, account: etree._Element | None) -> Party:
        lines, country = self.address(child(element, "PstlAdr"))
        ids, bic = self.identifiers(child(element, "Id"))
        residence = text(element, "CtryOfRes")
        if country is None and residence:
            country = to_iso2(residence)
        return self.screenable(
            element, role, text(element, "Nm"), lines, country, account, bic, ids
        )

    def agent(self, element: etree._Element, role: Role, account: etree._Element | None) -> Party:
        institution = self.require(element, "FinInstnId")
        lines, country = self.address(child(institution, "PstlAdr"))
        bic_node = child(institution, "BICFI")
        if bic_node is None:
            bic_node = child(institution, "BIC")
        bic = (
            check_bic(text(bic_node) or "", self.location(bic_node))
            if bic_node is not None
            else None
        )
        ids = [value for value in (text(institution, "LEI"),) if value]
        clearing = child(institution, "ClrSysMmbId")
        if clearing is not None and text(clearing, "MmbId"):
            ids.append(text(clearing, "MmbId") or "")
        other = child(institution, "Othr")
        if other is not None and text(other, "Id"):
            ids.append(text(other, "Id") or "")
        name = text(institution, "Nm")
        return self.screenable(element, role, name, lines, country, account, bic, ids)

    def screenable(
        self,
        element: etree._Element,
        role: Role,
        name: str | None,
        lines: list[str],
        country: str | None,
        account: etree._Element | None,
        bic: str | None,
        ids: list[str],
    ) -> Party:
        """The party, refused when it carries nothing to screen (a silent pass otherwise)."""
        party = Party(
            role=role,
            location=self.location(element),
            name=name,
            address_lines=lines,
            country=country,
            account=self.account(account),
            bic=bic,
            identifiers=ids,
        )
        if not (party.name or party.bic or party.identifiers):
            raise self.fail(f"<{local(element)}> has no name, BIC or identifier to screen", element)
        return party

    def parties_of(self, container: etree._Element) -> list[Party]:
        """Every party and agent that is a direct child of ``container``, in document order."""
        result: list[Party] = []
        for element in container:
            name = local(element)
            if name in PARTY_ELEMENTS:
                role, account_tag = PARTY_ELEMENTS[name]
                account = child(container, account_tag) if account_tag else None
                result.append(self.party(element, role, account))
            elif name in AGENT_ELEMENTS:
                role, account_tag = AGENT_ELEMENTS[name]
                account = child(container, account_tag) if account_tag else None
                result.append(self.agent(element, role, account))
        return result

    # --- free text and amounts ----------------------------------------------------------------

    def free_texts(self, transaction: etree._Element) -> list[FreeText]:
        """Remittance information, instructions to agents and purpose of one transaction."""
        found: list[FreeText] = []

        def add(node: etree._Element | None, field: str) -> None:
            value = text(node)
            if node is not None and value:
                found.append(FreeText(field, value, self.location(node)))

        remittance = child(transaction, "RmtInf")
        if remittance is not None:
            # repeated Ustrd elements continue one text: a name may run across them
            lines = [value for node in children(remittance, "Ustrd") if (value := text(node))]
            if lines:
                first = children(remittance, "Ustrd")[0]
                found.append(FreeText("RmtInf/Ustrd", "\n".join(lines), self.location(first)))
            for structured in children(remittance, "Strd"):
                for node in children(structured, "AddtlRmtInf"):
                    add(node, "RmtInf/Strd/AddtlRmtInf")
        for tag in ("InstrForCdtrAgt", "InstrForNxtAgt"):
            for instruction in children(transaction, tag):
                add(child(instruction, "InstrInf"), f"{tag}/InstrInf")
        purpose = child(transaction, "Purp")
        if purpose is not None:
            add(child(purpose, "Prtry"), "Purp/Prtry")
            add(child(purpose, "Cd"), "Purp/Cd")
        return found

    def amount(self, element: etree._Element) -> tuple[str, str]:
        value = text(element) or ""
        currency = element.get("Ccy") or ""
        if not _AMOUNT_RE.match(value):
            raise self.fail(f"invalid amount {value!r}", element)
        if not _CURRENCY_RE.match(currency):
            raise self.fail(f"invalid or missing currency attribute Ccy={currency!r}", element)
        return value, currency


def xml_path(element: etree._Element) -> str:
    """``Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/Dbtr``: local names, index where repeated."""
    parts: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        name = local(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if local(c) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/".join(reversed(parts))


def parse_root(data: bytes, source: str) -> etree._Element:
    """The document's root element, or an :class:`InputError` with the line of the XML error."""
    if not data.strip():
        raise InputError("empty message", Location(source))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"malformed XML: {exc.msg}", Location(source, exc.lineno)) from None


def message_element(root: etree._Element) -> etree._Element | None:
    """The pacs.008 / pain.001 body under ``Document`` (or the root itself without Document)."""
    if local(root) in MESSAGE_ROOTS:
        return root
    return next((c for c in root if local(c) in MESSAGE_ROOTS), None)


def parse_iso20022(data: bytes, source: str = "<bytes>") -> PaymentMessage:
    """A pacs.008 or pain.001 message as parties and free texts."""
    root = parse_root(data, source)
    reader = _Reader(source)
    body = message_element(root)
    if body is None:
        raise reader.fail(
            "not a pacs.008 or pain.001 message: expected <FIToFICstmrCdtTrf> or "
            f"<CstmrCdtTrfInitn>, found <{local(root)}>",
            root,
        )
    message_type = MESSAGE_ROOTS[local(body)]
    header = reader.require(body, "GrpHdr")
    reference = text(reader.require(header, "MsgId"))
    if not reference:
        raise reader.fail("empty <MsgId>", reader.require(header, "MsgId"))
    message = PaymentMessage(message_type, source, reference)
    message.parties += reader.parties_of(header)
    if message_type == "pacs.008":
        _read_pacs008(reader, body, message)
    else:
        _read_pain001(reader, body, message)
    return message


def _read_pacs008(reader: _Reader, body: etree._Element, message: PaymentMessage) -> None:
    transactions = children(body, "CdtTrfTxInf")
    if not transactions:
        raise reader.fail("no <CdtTrfTxInf> transaction in the message", body)
    for transaction in transactions:
        for required in ("Dbtr", "Cdtr", "DbtrAgt", "CdtrAgt"):
            reader.require(transaction, required)
        amount, currency = reader.amount(reader.require(transaction, "IntrBkSttlmAmt"))
        message.amount = message.amount or amount
        message.currency = message.currency or currency
        message.parties += reader.parties_of(transaction)
        message.free_texts += reader.free_texts(transaction)
    message.transactions = len(transactions)


def _read_pain001(reader: _Reader, body: etree._Element, message: PaymentMessage) -> None:
    payments = children(body, "PmtInf")
    if not payments:
        raise reader.fail("no <PmtInf> payment information block in the message", body)
    count = 0
    for payment in payments:
        reader.require(payment, "Dbtr")
        reader.require(payment, "DbtrAgt")
        message.parties += reader.parties_of(payment)
        transactions = children(payment, "CdtTrfTxInf")
        if not transactions:
            raise reader.fail("no <CdtTrfTxInf> transaction in <PmtInf>", payment)
        for transaction in transactions:
            reader.require(transaction, "Cdtr")
            amount_parent = reader.require(transaction, "Amt")
            amount, currency = reader.amount(reader.require(amount_parent, "InstdAmt"))
            message.amount = message.amount or amount
            message.currency = message.currency or currency
            message.parties += reader.parties_of(transaction)
            message.free_texts += reader.free_texts(transaction)
            count += 1
    message.transactions = count


def read_iso20022(path: Path) -> PaymentMessage:
    """Parse a message file (see :func:`parse_iso20022`)."""
    return parse_iso20022(path.read_bytes(), str(path))
