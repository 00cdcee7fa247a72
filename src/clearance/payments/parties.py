"""The parties and free-text fields of a payment message, independent of its wire format.

ISO 20022 and SWIFT MT carry the same business roles under different tags; both parsers map
them onto :class:`Role` so screening and verdicts are written once. Every party and text keeps
the place it came from (XML path and line, or MT field tag and line) so that a hit or a parse
error points an operator at the exact spot in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from clearance.countries import to_iso2
from clearance.errors import InputError, Location


class Role(StrEnum):
    """Business role of a party in a credit transfer (ISO 20022 names; MT fields map onto them)."""

    DEBTOR = "debtor"  # Dbtr / MT 50a ordering customer
    CREDITOR = "creditor"  # Cdtr / MT 59a beneficiary
    ULTIMATE_DEBTOR = "ultimate_debtor"  # UltmtDbtr
    ULTIMATE_CREDITOR = "ultimate_creditor"  # UltmtCdtr
    INITIATING_PARTY = "initiating_party"  # InitgPty (pain.001)
    DEBTOR_AGENT = "debtor_agent"  # DbtrAgt / MT 52a ordering institution
    CREDITOR_AGENT = "creditor_agent"  # CdtrAgt / MT 57a account with institution
    INTERMEDIARY_AGENT = "intermediary_agent"  # IntrmyAgt1-3 / MT 56a
    INSTRUCTING_AGENT = "instructing_agent"  # InstgAgt / MT sender (block 1)
    INSTRUCTED_AGENT = "instructed_agent"  # InstdAgt / MT receiver (block 2)
    SENDERS_CORRESPONDENT = "senders_correspondent"  # MT 53a
    RECEIVERS_CORRESPONDENT = "receivers_correspondent"  # MT 54a


#: Roles that are financial institutions: their BIC identifies them, a name is optional.
AGENT_ROLES = frozenset(
    {
        Role.DEBTOR_AGENT,
        Role.CREDITOR_AGENT,
        Role.INTERMEDIARY_AGENT,
        Role.INSTRUCTING_AGENT,
        Role.INSTRUCTED_AGENT,
        Role.SENDERS_CORRESPONDENT,
        Role.RECEIVERS_CORRESPONDENT,
    }
)

_BIC_RE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
_IBAN_RE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def is_bic(value: str) -> bool:
    """Whether ``value`` has the ISO 9362 shape (8 or 11 characters, country in 5-6)."""
    return bool(_BIC_RE.match(value)) and to_iso2(value[4:6]) is not None


def iban_valid(value: str) -> bool:
    """ISO 13616 shape and mod-97 check digits, so a mistyped IBAN is caught, not screened."""
    compact = value.replace(" ", "").upper()
    if not _IBAN_RE.match(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def check_bic(value: str, location: Location) -> str:
    """The BIC upper-cased, or an :class:`InputError` at ``location`` naming the bad value."""
    bic = value.strip().upper()
    if not is_bic(bic):
        raise InputError(f"invalid BIC {value!r}: expected 8 or 11 characters (ISO 9362)", location)
    return bic


def country_of_account(account: str | None) -> str | None:
    """The country an IBAN belongs to (its first two letters), when the account is an IBAN."""
    if account and iban_valid(account):
        return to_iso2(account[:2])
    return None


@dataclass(slots=True)
class Party:
    """One party or agent as the message states it; ``location`` says where (path or field)."""

    role: Role
    location: Location
    name: str | None = None
    address_lines: list[str] = field(default_factory=list)
    country: str | None = None  # ISO 3166-1 alpha-2, lower case
    account: str | None = None  # IBAN or other account number
    bic: str | None = None
    identifiers: list[str] = field(default_factory=list)  # LEI, org/private ids, clearing ids
    #: further ways the message may write the name (MT lines a name continues onto)
    name_variants: list[str] = field(default_factory=list)

    def country_or_derived(self) -> str | None:
        """Stated country, else the IBAN's, else the BIC's (letters 5-6)."""
        if self.country:
            return self.country
        derived = country_of_account(self.account)
        if derived:
            return derived
        return to_iso2(self.bic[4:6]) if self.bic else None

    def all_text(self) -> str:
        """Name and address lines as one text, for the mention scan that finds split names."""
        return "\n".join([self.name or "", *self.address_lines]).strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role.value,
            "location": str(self.location),
            "name": self.name,
            "address_lines": list(self.address_lines),
            "country": self.country_or_derived(),
            "account": self.account,
            "bic": self.bic,
            "identifiers": list(self.identifiers),
        }


@dataclass(slots=True)
class FreeText:
    """A free-text field (remittance information, instructions, purpose) to scan for names."""

    field: str  # e.g. "RmtInf/Ustrd", ":70:"
    text: str
    location: Location

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "location": str(self.location), "text": self.text}


@dataclass(slots=True)
class PaymentMessage:
    """A parsed message: its type, reference, amount, parties and free texts."""

    message_type: str  # "pacs.008", "pain.001" or "MT103"
    source: str  # file name or "<bytes>"
    reference: str | None = None
    amount: str | None = None
    currency: str | None = None
    parties: list[Party] = field(default_factory=list)
    free_texts: list[FreeText] = field(default_factory=list)
    transactions: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "message_type": self.message_type,
            "source": self.source,
            "reference": self.reference,
            "amount": self.amount,
            "currency": self.currency,
            "transactions": self.transactions,
            "parties": [p.to_dict() for p in self.parties],
            "free_texts": [t.to_dict() for t in self.free_texts],
        }
