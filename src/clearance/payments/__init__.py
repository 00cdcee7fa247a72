"""Payment messages: ISO 20022 pacs.008 / pain.001 and SWIFT MT103 parsed into parties and
free texts, screened, and given a verdict ``clear`` / ``review`` / ``block`` with reasons."""

from clearance.payments.iso20022 import parse_iso20022, read_iso20022
from clearance.payments.parties import FreeText, Party, PaymentMessage, Role
from clearance.payments.swift_mt import parse_mt103, read_mt103
from clearance.payments.verdict import (
    BLOCK,
    CLEAR,
    REVIEW,
    PaymentHit,
    PaymentResult,
    parse_message,
    screen_message,
    screen_payment,
)

__all__ = [
    "BLOCK",
    "CLEAR",
    "REVIEW",
    "FreeText",
    "Party",
    "PaymentHit",
    "PaymentMessage",
    "PaymentResult",
    "Role",
    "parse_iso20022",
    "parse_message",
    "parse_mt103",
    "read_iso20022",
    "read_mt103",
    "screen_message",
    "screen_payment",
]
