"""Names as journalists write them: coordinated organisation names under one head noun, and
the sentences that pair a partial person name with a nickname.

"Mexican cartels including Sinaloa and Jalisco Nueva Generación" and "the Gulf and Northeast
cartels" name four listed organisations, none of them in full: the head noun ("cartels") is
written once for all of them. The head nouns are not a table: they are the words the lists'
own organisation names put both in front, before a particle ("Cartel de Sinaloa", "Clan del
Golfo"), and at the end ("Sinaloa Cartel", "Gulf Clan"), each in at least ``HEAD_MIN_ENTITIES``
entities; a plural (cartels, cárteles) stands for its singular, and a head's translation
equivalents are those the lists name one entity with (harakat ~ movement). Each coordinated
name is then read with the head noun (and each equivalent) in both orders and looked up in
the mention index like any other name.

A partial person name ("Oseguera Cervantes", both surnames) is no mention alone, nor is a
nickname ("El Mencho"); the two in one sentence are, and the explanation says both were needed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Sequence

from clearance.matching.normalize import NAME, PARTICLES

#: A head noun stands first (before a particle) and last in this many entities' names each.
HEAD_MIN_ENTITIES = 3
MIN_HEAD_LENGTH = 4
#: Words that join coordinated names ("Sinaloa and Jalisco", "Sinaloa, Gulf or Northeast").
CONNECTORS = frozenset({"and", "or", "y", "e", "o", "et", "und", "as", "well", "plus"})
#: Words that introduce the names a head noun applies to ("cartels including Sinaloa").
LEAD_INS = frozenset(
    {
        "including",
        "include",
        "includes",
        "included",
        "incluidos",
        "incluido",
        "incluyendo",
        "como",
        "such",
        "as",
        "like",
        "namely",
        "notably",
        "especially",
        "particularly",
        "among",
        "them",
        "the",
        "el",
        "la",
        "los",
        "las",
        "of",
        "de",
        "del",
    }
)
ARTICLES = frozenset({"the", "el", "la", "los", "las"})
#: "of" before each name: "los cárteles de Sinaloa y del Golfo", "the cartels of ...".
OF = frozenset({"of", "de", "del"})
_JOINING = CONNECTORS | ARTICLES
#: Particles that may stand inside a name ("Jalisco de ..."), not those that join names.
_INNER = PARTICLES - _JOINING
#: What may stand between two coordinated names or a head noun and its names.
_GAP = re.compile(r"[\s,:\u2013\u2014-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])[\"'”’)»]*\s+|\n\s*\n")
MAX_CONJUNCT_TOKENS = 5


def derive_heads(
    names: Iterable[tuple[str, Sequence[tuple[str, int]]]],
) -> dict[str, tuple[str, ...]]:
    """Head nouns of organisation names, each with its translation equivalents (itself
    first): ``names`` is (entity id, key tokens with kinds) of every organisation name (no
    persons, no craft), grouped by entity.

    A head noun stands first before a particle in ``HEAD_MIN_ENTITIES`` entities' names and
    last in as many. Its translation equivalents are the head nouns of head-first languages
    (words that front as many names and never end one as a head) that an entity is named
    with, with the same other words ("Harakat al-X" and "al-X Movement": movement ~ harakat);
    they are tried in its place, never taken for a head noun in the text."""
    front: dict[str, set[str]] = defaultdict(set)
    back: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
    for entity_id, pairs in names:
        content = [t for t, k in pairs if k == NAME]
        if len(pairs) >= 3 and pairs[0][1] == NAME and pairs[1][1] != NAME:
            front[pairs[0][0]].add(entity_id)
            forms[entity_id].append(("front", pairs[0][0], tuple(content[1:])))
        if len(content) >= 2 and pairs[-1][1] == NAME:
            back[pairs[-1][0]].add(entity_id)
            forms[entity_id].append(("back", pairs[-1][0], tuple(content[:-1])))
    heads = {
        token
        for token, ids in front.items()
        if len(ids) >= HEAD_MIN_ENTITIES
        and len(back.get(token, ())) >= HEAD_MIN_ENTITIES
        and len(token) >= MIN_HEAD_LENGTH
        and token.isalpha()
        and token not in PARTICLES
    }
    # a head-first language's head noun: it fronts HEAD_MIN_ENTITIES names, and is no head
    # here itself (harakat, muassasat, jamia: never "X harakat")
    fronting = {
        token
        for token, ids in front.items()
        if len(ids) >= HEAD_MIN_ENTITIES and token not in heads and token.isalpha()
    }
    equivalents: dict[str, set[str]] = {head: {head} for head in heads}
    for entity_forms in forms.values():
        for side, first, rest in entity_forms:
            for other_side, last, other_rest in entity_forms:
                paired = side == "front" and other_side == "back" and rest == other_rest
                if paired and rest and first in fronting and last in heads:
                    equivalents[last].add(first)
    return {head: (head, *sorted(found - {head})) for head, found in sorted(equivalents.items())}


def head_of(token: str, heads: Container[str]) -> str | None:
    """The head noun a text token is, singular or plural (cartel, cartels, carteles)."""
    if token in heads:
        return token
    for suffix in ("s", "es"):
        if token.endswith(suffix) and token[: -len(suffix)] in heads:
            return token[: -len(suffix)]
    return None


def _capitalised(raw: str) -> bool:
    return raw[:1].isupper() or raw[:1].isdigit()


def _run_back(
    norms: Sequence[str], raws: Sequence[str], end: int, spaced: Callable[[int], bool]
) -> int:
    """First token of the capitalised name that ends just before ``end`` (particles inside
    it only, white space between its words), or ``end`` when none does."""
    start = end
    while start > 0 and end - start < MAX_CONJUNCT_TOKENS:
        if start < end and not spaced(start):
            break
        raw, norm = raws[start - 1], norms[start - 1]
        inner = norm in _INNER and start < end and start > 1
        if (_capitalised(raw) and norm not in _JOINING) or inner:
            start -= 1
        else:
            break
    while start < end and norms[start] in PARTICLES:
        start += 1
    return start


def _run_forward(
    norms: Sequence[str], raws: Sequence[str], start: int, spaced: Callable[[int], bool]
) -> int:
    """End of the capitalised name that starts at ``start`` (as :func:`_run_back`)."""
    end = start
    while end < len(norms) and end - start < MAX_CONJUNCT_TOKENS:
        if end > start and not spaced(end):
            break
        inner = end > start and norms[end] in _INNER
        if (_capitalised(raws[end]) and norms[end] not in _JOINING) or inner:
            end += 1
        else:
            break
    while end > start and norms[end - 1] in PARTICLES:
        end -= 1
    return end


def coordinated(
    text: str,
    norms: Sequence[str],
    raws: Sequence[str],
    starts: Sequence[int],
    ends: Sequence[int],
    head: int,
) -> list[tuple[int, int]]:
    """Token ranges of the names the head noun at token ``head`` applies to: those written
    just before it ("the Gulf and Northeast cartels") and those its lead-in introduces
    after it ("cartels including Sinaloa and Jalisco Nueva Generación")."""

    def joined(a: int, b: int) -> bool:  # only spacing, commas, dashes between tokens a, b
        return _GAP.fullmatch(text, ends[a], starts[b]) is not None

    def spaced(b: int) -> bool:  # only white space between tokens b - 1 and b
        return text[ends[b - 1] : starts[b]].isspace()

    found: list[tuple[int, int]] = []
    # before: NAME (, NAME)* (and|or) NAME head
    end = head
    while end > 0 and joined(end - 1, end):
        start = _run_back(norms, raws, end, spaced)
        if start == end:
            break
        found.append((start, end))
        position = start - 1
        while position >= 0 and norms[position] in ARTICLES and joined(position, position + 1):
            position -= 1
        connected = position >= 0 and joined(position, position + 1)
        if connected and norms[position] in CONNECTORS:
            while position > 0 and norms[position - 1] in CONNECTORS:
                position -= 1
            end = position
        elif connected and "," in text[ends[position] : starts[position + 1]]:
            end = position + 1
        else:
            break
    # after: head (lead-in)* NAME (, NAME)* (and|or) NAME
    position = head + 1
    lead = False
    while position < len(norms) and norms[position] in LEAD_INS and joined(position - 1, position):
        lead = lead or norms[position] not in ARTICLES
        position += 1
    if lead and position < len(norms) and joined(position - 1, position):
        while position < len(norms):
            end = _run_forward(norms, raws, position, spaced)
            if end == position:
                break
            found.append((position, end))
            position = end
            separated = position < len(norms) and joined(position - 1, position)
            comma = separated and "," in text[ends[position - 1] : starts[position]]
            moved = position
            while (
                moved < len(norms)
                and (norms[moved] in CONNECTORS or norms[moved] in ARTICLES or norms[moved] in OF)
                and joined(moved - 1, moved)
            ):
                moved += 1
            if moved == position and not comma:
                break
            if moved < len(norms) and not joined(moved - 1, moved):
                break
            position = moved
    return found


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` starts (a full stop and space, or a blank line)."""
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]
