"""Scoring: token similarity, order-free token alignment, and secondary evidence.

A name score is the share of rarity-weighted tokens two names have in common, after pairing
their tokens one-to-one (best pairs first). Listed tokens missing from the query cost little
(a dropped second surname or middle name); query tokens missing from the listed name cost their
full weight. Secondary evidence (birth date, country, identifiers, schema) then moves the
score up or down, each adjustment recorded for the explanation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Indel

from clearance.matching.normalize import LEGAL, NAME, PARTICLE, skeleton

#: How a query token met a listed token (shown in explanations).
EXACT = "exact"
FUZZY = "fuzzy"
PHONETIC = "phonetic"
INITIAL = "initial"
JOINED = "joined"

#: Highest similarity of tokens that share a phonetic skeleton but are further apart than a
#: typo (transliteration variants, dropped vowels); lower the less alike they are spelled.
PHONETIC_SIMILARITY = 0.88
#: An initial ("J.") against the word it abbreviates.
INITIAL_SIMILARITY = 0.7
#: Weight of a listed token that the query lacks, relative to its full weight, once the tokens
#: both names share carry ``STRONG_EVIDENCE`` (nats of rarity) or more. With weaker shared
#: evidence (one common first name) missing listed tokens cost up to their full weight.
MISSING_LISTED_FACTOR = 0.25
STRONG_EVIDENCE = 8.0
#: Weight of a query token that the listed name lacks (an added word) relative to its weight.
EXTRA_QUERY_FACTOR = 0.6
#: Token weight factors by kind: particles and legal forms barely count.
KIND_FACTOR = {NAME: 1.0, PARTICLE: 0.15, LEGAL: 0.1}
#: A name whose pairs are all out of order (reordered name parts) loses this much.
ORDER_PENALTY = 0.02
#: A match needs one NAME token paired at least this well; otherwise the score is scaled down.
ANCHOR_SIMILARITY = 0.8
NO_ANCHOR_FACTOR = 0.3


#: Victor / Victoria, Mario / Maria: same skeleton, different names (a vowel ending differs
#: where both are written with their vowels, i.e. not a vowel-stripped evasion).
ENDING_PENALTY = 0.08
_VOWELS = frozenset("aeiouy")


def _ends_differ(a: str, b: str) -> bool:
    if not (any(c in _VOWELS for c in a[1:]) and any(c in _VOWELS for c in b[1:])):
        return False
    return (a[-1] in _VOWELS) != (b[-1] in _VOWELS) or (
        a[-1] in _VOWELS and b[-1] in _VOWELS and a[-1] != b[-1] and len(a) != len(b)
    )


def edits_allowed(length: int) -> int:
    """Edits tolerated for a token of ``length`` letters (short tokens need to be exact-ish)."""
    if length <= 2:
        return 0
    if length <= 5:
        return 1
    if length <= 8:
        return 2
    return 3


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity in [0, 1] of two normalised tokens and how they matched.

    Fuzzy: ``1 - edits / (length + 4)`` within :func:`edits_allowed`; short tokens must also
    share their first letter (so "sis" never meets "isis"). Phonetic: equal skeletons, graded
    by how much of the skeleton there is and how far the lengths differ.
    """
    if a == b:
        return 1.0, EXACT
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        if a[0] == b[0] and a.isalpha() and b.isalpha():
            return INITIAL_SIMILARITY, INITIAL
        return 0.0, ""
    if not (a.isalpha() and b.isalpha()):
        return 0.0, ""  # numbers and codes must be equal
    shortest = min(la, lb)
    allowed = edits_allowed(shortest)
    fuzzy = 0.0
    if allowed and (shortest > 5 or a[0] == b[0]):
        distance = OSA.distance(a, b, score_cutoff=allowed)
        if distance <= allowed:
            fuzzy = 1.0 - distance / (max(la, lb) + 4)
    if shortest >= 3:
        key = skeleton(a)
        if len(key) >= 2 and key == skeleton(b):
            spelled = Indel.normalized_similarity(a, b)
            phonetic = min(PHONETIC_SIMILARITY, 0.6 + 0.35 * spelled) - 0.04 * (len(key) < 4)
            if _ends_differ(a, b):
                phonetic -= ENDING_PENALTY
            if phonetic > fuzzy:
                return phonetic, PHONETIC
    if fuzzy > 0:
        return fuzzy, FUZZY
    return 0.0, ""


@dataclass(frozen=True, slots=True)
class Pair:
    """Query tokens ``query`` matched listed tokens ``listed`` with ``similarity`` by ``how``."""

    query: tuple[int, ...]
    listed: tuple[int, ...]
    similarity: float
    how: str


@dataclass(frozen=True, slots=True)
class Alignment:
    score: float
    pairs: tuple[Pair, ...]
    identical: bool


def _joined_items(
    longer: tuple[str, ...],
    longer_kinds: tuple[int, ...],
    parts: tuple[str, ...],
    parts_kinds: tuple[int, ...],
    flip: bool,
) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
    """One token of ``longer`` against two adjacent NAME tokens of ``parts`` ("abubakr" /
    "abu bakr", "ms13" / "ms 13"); spelled alike, not merely sounding alike."""
    items = []
    for i, token in enumerate(longer):
        if len(token) < 4 or longer_kinds[i] != NAME:
            continue
        for j in range(len(parts) - 1):
            first, second = parts[j], parts[j + 1]
            if (
                token[0] != first[0]
                or parts_kinds[j + 1] != NAME
                or abs(len(first) + len(second) - len(token)) > 2
            ):
                continue
            similarity, how = token_similarity(token, first + second)
            if how in (EXACT, FUZZY) and similarity >= ANCHOR_SIMILARITY:
                items.append(
                    ((j, j + 1), (i,), similarity) if flip else ((i,), (j, j + 1), similarity)
                )
    return items


def _greedy(items: list[tuple[float, tuple[int, ...], tuple[int, ...], float, str]]) -> list[Pair]:
    """Pairs by descending weighted similarity, each token used once."""
    items.sort(key=lambda item: -item[0])
    used_q: set[int] = set()
    used_l: set[int] = set()
    pairs: list[Pair] = []
    for _, qs, ls, similarity, how in items:
        if used_q.isdisjoint(qs) and used_l.isdisjoint(ls):
            used_q.update(qs)
            used_l.update(ls)
            pairs.append(Pair(qs, ls, similarity, how))
    return pairs


def align(
    query: tuple[str, ...],
    query_kinds: tuple[int, ...],
    query_weights: tuple[float, ...],
    listed: tuple[str, ...],
    listed_kinds: tuple[int, ...],
    listed_weights: tuple[float, ...],
) -> Alignment:
    """Best one-to-one pairing of tokens (greedy on weighted similarity) and the name score.

    Joined/split tokens ("abubakr" / "abu bakr") are only tried when single tokens leave
    something unpaired on both sides.
    """
    items: list[tuple[float, tuple[int, ...], tuple[int, ...], float, str]] = []
    for i, q in enumerate(query):
        wq = query_weights[i]
        for j, n in enumerate(listed):
            similarity, how = token_similarity(q, n)
            if similarity > 0.0:
                items.append((similarity * (wq + listed_weights[j]), (i,), (j,), similarity, how))
    pairs = _greedy(items)
    if len(pairs) < len(query) and len(pairs) < len(listed) and (len(query) > 1 or len(listed) > 1):
        joined = _joined_items(query, query_kinds, listed, listed_kinds, flip=False)
        joined += _joined_items(listed, listed_kinds, query, query_kinds, flip=True)
        if joined:
            for qs, ls, similarity in joined:
                weight = sum(query_weights[i] for i in qs) + sum(listed_weights[j] for j in ls)
                items.append((similarity * weight, qs, ls, similarity, JOINED))
            pairs = _greedy(items)

    covered_q = covered_l = matched_q = matched_l = 0.0
    anchored = False
    for pair in pairs:
        weight_q = sum(query_weights[i] for i in pair.query)
        weight_l = sum(listed_weights[j] for j in pair.listed)
        matched_q += weight_q
        matched_l += weight_l
        covered_q += pair.similarity * weight_q
        covered_l += pair.similarity * weight_l
        if (
            not anchored
            and pair.similarity >= ANCHOR_SIMILARITY
            and any(query_kinds[i] == NAME for i in pair.query)
            and any(listed_kinds[j] == NAME for j in pair.listed)
        ):
            anchored = True
    total_q = matched_q + EXTRA_QUERY_FACTOR * (sum(query_weights) - matched_q)
    shortfall = max(0.0, 1.0 - covered_l / STRONG_EVIDENCE)
    missing_factor = MISSING_LISTED_FACTOR + (1.0 - MISSING_LISTED_FACTOR) * shortfall
    total_l = matched_l + missing_factor * (sum(listed_weights) - matched_l)
    denominator = total_q + total_l
    score = (covered_q + covered_l) / denominator if denominator > 0 else 0.0
    if not anchored:
        score *= NO_ANCHOR_FACTOR
    pairs.sort(key=lambda p: p.query[0])
    if len(pairs) > 1:
        positions = [p.listed[0] for p in pairs]
        if positions != sorted(positions):
            score -= ORDER_PENALTY
    identical = query == listed
    if not identical:
        score = min(score, 0.99)
    return Alignment(max(0.0, min(1.0, score)), tuple(pairs), identical)


# ----------------------------------------------------------------------------------------------
# secondary evidence

#: Score changes from evidence (documented in FEATURE_DOCS).
DOB_EXACT = 0.06
DOB_YEAR = 0.04
DOB_NEAR = -0.03
DOB_CONTRADICTS = -0.15
COUNTRY_MATCH = 0.03
COUNTRY_CONTRADICTS = -0.05
ID_MATCH_WEAK = 0.1
ID_DIFFERS = -0.03
#: A strong identifier (passport, IMO, crypto address...) equal on both sides puts the score
#: at least this high, whatever the name.
STRONG_ID_FLOOR = 0.95
SCHEMA_MISMATCH = -0.25


@dataclass(frozen=True, slots=True)
class Evidence:
    """One secondary-evidence feature and its effect on the score."""

    feature: str
    delta: float
    detail: str


def _year(value: str) -> int | None:
    head = value[:4]
    return int(head) if len(head) == 4 and head.isdigit() else None


def birth_date_evidence(query: str, listed: tuple[tuple[str, str | None], ...]) -> Evidence | None:
    """A matching birth date raises the score, a contradicting one lowers it."""
    year = _year(query)
    if year is None or not listed:
        return None
    best: Evidence | None = None
    gap_min = None
    for start, end in listed:
        start_year = _year(start)
        if start_year is None:
            continue
        end_year = _year(end) if end else None
        if end_year is not None and start_year <= year <= end_year:
            return Evidence("birth_date", DOB_YEAR, f"{query} within {start}..{end}")
        if len(query) >= 10 and len(start) >= 10:
            if query[:10] == start[:10]:
                return Evidence("birth_date", DOB_EXACT, f"{query} = {start}")
            if start_year == year:
                best = best or Evidence("birth_date", DOB_NEAR, f"{query} same year as {start}")
                continue
        if start_year == year:
            return Evidence("birth_date", DOB_YEAR, f"{query} year = {start}")
        gap = (
            abs(start_year - year)
            if end_year is None
            else min(abs(start_year - year), abs(end_year - year))
        )
        gap_min = gap if gap_min is None else min(gap_min, gap)
    if best is not None:
        return best
    if gap_min is None:
        return None
    listed_text = ", ".join(s for s, _ in listed[:3])
    if gap_min <= 1:
        return Evidence("birth_date", DOB_NEAR, f"{query} one year from {listed_text}")
    return Evidence("birth_date", DOB_CONTRADICTS, f"{query} differs from {listed_text}")


def country_evidence(query: str, listed: frozenset[str]) -> Evidence | None:
    if not listed:
        return None
    if query in listed:
        return Evidence("country", COUNTRY_MATCH, f"{query} listed")
    return Evidence("country", COUNTRY_CONTRADICTS, f"{query} not in {', '.join(sorted(listed))}")


def normalize_identifier(value: str) -> str:
    """Identifier numbers compare without spaces, dashes, dots and case."""
    return "".join(c for c in value.upper() if c.isalnum())


#: Labels users write before a number ("IMO 7406784", "Passport No. X123"); lists do not.
IDENTIFIER_LABELS = ("PASSPORTNO", "PASSPORT", "NATIONALID", "IMO", "MMSI", "CURP", "RFC", "NO")


def identifier_forms(value: str) -> tuple[str, ...]:
    """The normalised number, and the number without a leading label where it has one."""
    number = normalize_identifier(value)
    forms = [number] if number else []
    for label in IDENTIFIER_LABELS:
        rest = number[len(label) :]
        if number.startswith(label) and len(rest) >= 5 and any(c.isdigit() for c in rest):
            forms.append(rest)
            break
    return tuple(forms)


def identifier_evidence(
    query: tuple[str, ...], listed: tuple[tuple[str, str, bool], ...]
) -> tuple[Evidence | None, bool]:
    """Evidence from identifiers and whether a strong identifier matched exactly."""
    if not query or not listed:
        return None, False
    for number in query:
        for kind, listed_number, strong in listed:
            if number == listed_number:
                if strong:
                    return Evidence("identifier", 0.0, f"{kind} {listed_number} (strong)"), True
                return Evidence("identifier", ID_MATCH_WEAK, f"{kind} {listed_number}"), False
    if any(strong for _, _, strong in listed):
        return Evidence("identifier", ID_DIFFERS, "no listed identifier equals the query's"), False
    return None, False


#: Query schema -> listed schemata it is compatible with (FtM's hierarchy, loosely).
COMPATIBLE_SCHEMATA = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Organization": frozenset({"Organization", "Company", "LegalEntity"}),
    "Company": frozenset({"Organization", "Company", "LegalEntity"}),
    "LegalEntity": frozenset({"Person", "Organization", "Company", "LegalEntity"}),
    "Vessel": frozenset({"Vessel"}),
    "Airplane": frozenset({"Airplane"}),
}
#: Schema names users may give and what they mean.
SCHEMA_ALIASES = {
    "person": "Person",
    "individual": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "company": "Company",
    "legalentity": "LegalEntity",
    "entity": "LegalEntity",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Airplane",
    "airplane": "Airplane",
}


def canonical_schema(value: str | None) -> str | None:
    """The FtM schema for a user's schema name; ``None`` for empty; ValueError if unknown."""
    if value is None or not str(value).strip():
        return None
    key = str(value).strip().replace(" ", "").replace("_", "").casefold()
    if key not in SCHEMA_ALIASES:
        raise ValueError(
            f"unknown schema {value!r} (use Person, Organization, Company, LegalEntity, "
            "Vessel or Aircraft)"
        )
    return SCHEMA_ALIASES[key]


def schema_evidence(query: str | None, listed: str) -> Evidence | None:
    if query is None or listed in COMPATIBLE_SCHEMATA.get(query, frozenset({query})):
        return None
    return Evidence("schema", SCHEMA_MISMATCH, f"query is a {query}, listed is a {listed}")
