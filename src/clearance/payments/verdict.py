"""Screen a parsed payment message and decide: ``clear``, ``review`` or ``block``.

Every party is screened by name (and each way the message may split its name), with its
country and with its BIC, account and other ids as identifiers, so an agent known only by the
BIC of a listed bank is found. Every party's lines and every free-text field are also scanned
for mentions, which finds names split across lines and names hidden in remittance information.

Verdict rules:

* ``block`` — a hit scoring at least :data:`BLOCK_SCORE` on a party (any role: debtor, creditor,
  ultimate parties, initiating party, agents, correspondents) whose designation obliges holding
  the funds (:func:`clearance.legal.block_worthy`: any SDN, FTO/SDGT in force, UN freeze).
* ``review`` — any other hit at or above the threshold: a lower score, a program that does not
  block (non-SDN lists), or a mention in free text (a name in remittance information is a red
  flag for an analyst, not proof that the party has an interest in the funds).
* ``clear`` — no hit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearance.documents import mention_index
from clearance.documents.mentions import Mention, find_mentions
from clearance.errors import InputError, Location
from clearance.legal import block_worthy
from clearance.matching import DEFAULT_THRESHOLD, Hit, Screener
from clearance.payments.iso20022 import parse_iso20022
from clearance.payments.parties import AGENT_ROLES, FreeText, Party, PaymentMessage
from clearance.payments.swift_mt import parse_mt103

CLEAR, REVIEW, BLOCK = "clear", "review", "block"
VERDICTS = (CLEAR, REVIEW, BLOCK)  # in rising severity

#: A party hit needs at least this score to block on its own; below it, an analyst decides.
BLOCK_SCORE = 0.9

FREE_TEXT_ROLE = "free_text"


@dataclass(slots=True)
class PaymentHit:
    """A listed entity found in a message: where, how, and whether it obliges a block."""

    role: str  # a party Role value, or "free_text"
    location: Location
    query: str  # the name, identifier or text span that matched
    entity_id: str
    caption: str
    dataset: str
    programs: list[str]
    score: float
    match: str  # "name", "identifier" or "mention"
    explanation: str
    block_worthy: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "location": str(self.location),
            "query": self.query,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "dataset": self.dataset,
            "programs": list(self.programs),
            "score": round(self.score, 4),
            "match": self.match,
            "explanation": self.explanation,
            "block_worthy": self.block_worthy,
        }


@dataclass(slots=True)
class PaymentResult:
    """The verdict on one message with the reasons, the parties and every hit."""

    message: PaymentMessage
    verdict: str
    reasons: list[str] = field(default_factory=list)
    hits: list[PaymentHit] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.message.source,
            "message_type": self.message.message_type,
            "reference": self.message.reference,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "message": self.message.to_dict(),
            "hits": [h.to_dict() for h in self.hits],
        }


def parse_message(data: bytes, source: str = "<bytes>") -> PaymentMessage:
    """ISO 20022 XML (first character ``<``) or SWIFT MT103 (anything else)."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return parse_iso20022(data, source)
    return parse_mt103(data, source)


def _from_hit(role: str, location: Location, query: str, hit: Hit, match: str) -> PaymentHit:
    return PaymentHit(
        role=role,
        location=location,
        query=query,
        entity_id=hit.entity_id,
        caption=hit.caption,
        dataset=hit.dataset,
        programs=list(hit.programs),
        score=hit.score,
        match=match,
        explanation=hit.explanation,
        block_worthy=block_worthy(hit.programs, hit.dataset),
    )


def _from_mention(role: str, location: Location, mention: Mention) -> PaymentHit:
    return PaymentHit(
        role=role,
        location=location,
        query=mention.text,
        entity_id=mention.entity_id,
        caption=mention.caption,
        dataset=mention.dataset,
        programs=list(mention.programs),
        score=mention.score,
        match="mention",
        explanation=mention.explanation,
        block_worthy=block_worthy(mention.programs, mention.dataset),
    )


def _screen_party(party: Party, screener: Screener, threshold: float) -> list[PaymentHit]:
    identifiers = [value for value in (party.bic, party.account, *party.identifiers) if value]
    if party.bic:
        identifiers.append(party.bic[:8])  # lists give the 8-character BIC, messages often 11
    country = party.country_or_derived()
    queries = [name for name in (party.name, *party.name_variants) if name]
    if not queries and identifiers:
        queries = [party.bic or identifiers[0]]  # an agent known only by its identifiers
    hits: list[PaymentHit] = []
    schema = "Organization" if party.role in AGENT_ROLES else None
    for query in dict.fromkeys(queries):
        for hit in screener.screen(
            query, schema=schema, country=country, identifiers=identifiers, threshold=threshold
        ):
            match = "identifier" if query not in (party.name, *party.name_variants) else "name"
            hits.append(_from_hit(party.role.value, party.location, query, hit, match))
    lines = party.all_text()
    if lines:
        index = mention_index(screener)
        for mention in find_mentions(lines, index, threshold):
            hits.append(_from_mention(party.role.value, party.location, mention))
    return hits


def _screen_text(text: FreeText, screener: Screener, threshold: float) -> list[PaymentHit]:
    index = mention_index(screener)
    return [
        _from_mention(FREE_TEXT_ROLE, text.location, mention)
        for mention in find_mentions(text.text, index, threshold)
    ]


def _best_per_place(hits: list[PaymentHit]) -> list[PaymentHit]:
    """One hit per (role, location, entity): the highest score."""
    best: dict[tuple[str, str, str], PaymentHit] = {}
    for hit in hits:
        key = (hit.role, str(hit.location), hit.entity_id)
        if key not in best or hit.score > best[key].score:
            best[key] = hit
    return sorted(best.values(), key=lambda h: (-h.score, h.role, h.entity_id))


def _reason(hit: PaymentHit, verdict: str) -> str:
    where = "free text" if hit.role == FREE_TEXT_ROLE else hit.role.replace("_", " ")
    programs = ", ".join(hit.programs) or "no programs"
    why = (
        "designation obliges blocking"
        if verdict == BLOCK
        else "free-text mention"
        if hit.role == FREE_TEXT_ROLE
        else "designation does not oblige blocking"
        if not hit.block_worthy
        else f"score below {BLOCK_SCORE:.2f}"
    )
    return (
        f"{verdict}: {where} at {hit.location}: {hit.query!r} matches {hit.entity_id} "
        f"{hit.caption!r} ({programs}) by {hit.match}, score {hit.score:.2f}; {why}"
    )


def decide(message: PaymentMessage, hits: list[PaymentHit]) -> PaymentResult:
    """The verdict and reasons for ``hits`` (see the module docstring for the rules)."""
    reasons: list[str] = []
    verdict = CLEAR
    for hit in hits:
        blocks = hit.role != FREE_TEXT_ROLE and hit.block_worthy and hit.score >= BLOCK_SCORE
        level = BLOCK if blocks else REVIEW
        reasons.append(_reason(hit, level))
        if VERDICTS.index(level) > VERDICTS.index(verdict):
            verdict = level
    reasons.sort(key=lambda r: not r.startswith(BLOCK))
    return PaymentResult(message, verdict, reasons, hits)


def screen_message(
    message: PaymentMessage, screener: Screener, threshold: float | None = None
) -> PaymentResult:
    """Screen an already parsed message."""
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    hits: list[PaymentHit] = []
    for party in message.parties:
        hits += _screen_party(party, screener, limit)
    for text in message.free_texts:
        hits += _screen_text(text, screener, limit)
    return decide(message, _best_per_place(hits))


def screen_payment(
    path_or_bytes: Path | bytes,
    screener: Screener | None = None,
    threshold: float | None = None,
) -> PaymentResult:
    """Parse (ISO 20022 or MT103, detected) and screen one message.

    Raises :class:`~clearance.errors.InputError` naming the XML path or MT field and the line for
    a malformed message: nothing unparseable is ever reported as clear.
    """
    if isinstance(path_or_bytes, Path):
        try:
            data = path_or_bytes.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read file: {exc.strerror}", Location(str(path_or_bytes))
            ) from None
        message = parse_message(data, str(path_or_bytes))
    else:
        message = parse_message(path_or_bytes)
    return screen_message(message, screener or Screener.open(), threshold)
