"""Name handling the evaluation needs, written independently of :mod:`clearance.matching`.

The test set must be an honest check of the matcher, so nothing here borrows its normaliser:
:func:`fold` is a deliberately simple comparison key (ASCII transliteration, case folding,
alphanumeric tokens) used only to keep negatives away from listed names and to find which
entities share a sampled name.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from anyascii import anyascii

from clearance.model import Entity, NameKind

_FOLD_TOKEN = re.compile(r"[a-z0-9]+")

#: Lowercase name particles that can be dropped or added without changing who is meant.
PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "y",
        "da",
        "das",
        "do",
        "dos",
        "di",
        "du",
        "le",
        "van",
        "von",
        "der",
        "den",
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "ben",
    }
)

#: Countries whose naming custom gives people two surnames (paternal, maternal).
HISPANIC_COUNTRIES = frozenset(
    [
        "mx",
        "co",
        "ve",
        "es",
        "ar",
        "pe",
        "cl",
        "ec",
        "gt",
        "hn",
        "sv",
        "ni",
        "cr",
        "pa",
        "cu",
        "do",
        "bo",
        "py",
        "uy",
        "pr",
    ]
)

#: Countries where an "al-" family prefix or "bin" patronymic is customary.
ARABIC_NAME_COUNTRIES = frozenset(
    [
        "sa",
        "ae",
        "qa",
        "kw",
        "bh",
        "om",
        "ye",
        "iq",
        "sy",
        "jo",
        "lb",
        "ps",
        "eg",
        "ly",
        "tn",
        "dz",
        "ma",
        "sd",
        "so",
        "mr",
        "af",
        "pk",
    ]
)

PERSON = "Person"


def fold_tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII alphanumeric tokens of ``text`` (any script, accents and case removed)."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    return tuple(_FOLD_TOKEN.findall(ascii_text))


def fold(text: str) -> str:
    """A comparison key that ignores case, accents, script, punctuation and token order."""
    return " ".join(sorted(fold_tokens(text)))


@dataclass(frozen=True, slots=True)
class ListedName:
    """One listed name of one entity, with what the variant rules need to know about it."""

    entity_id: str
    dataset: str
    schema: str
    full: str
    kind: NameKind
    countries: frozenset[str] = frozenset()
    gender: str | None = None
    original_script: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()  # as listed: full or partial ISO dates

    @property
    def is_person(self) -> bool:
        return self.schema == PERSON


def entity_countries(entity: Entity) -> frozenset[str]:
    """The countries whose naming customs apply: nationality and citizenship where listed,
    otherwise every country the entity is linked to (jurisdiction, addresses)."""
    codes = {*entity.nationalities, *entity.citizenships}
    if not codes:
        codes = {*entity.countries, *(a.country for a in entity.addresses if a.country)}
    return frozenset(c.lower() for c in codes)


#: Name kinds a variant is built from. Weak aliases are excluded on purpose: by design they
#: confirm a hit but must not raise one alone, so a miss on them is not a recall failure.
SAMPLED_KINDS = (NameKind.PRIMARY, NameKind.ALIAS, NameKind.FORMER)


def listed_names(entity: Entity) -> list[ListedName]:
    """The entity's sampleable names (primary, strong aliases, former names)."""
    countries = entity_countries(entity)
    scripts = tuple(n.full for n in entity.names if n.kind == NameKind.ORIGINAL_SCRIPT)
    birth_dates = tuple(d.value for d in entity.birth_dates if not d.end and not d.circa)
    seen: set[str] = set()
    result = []
    for name in entity.names:
        if name.kind not in SAMPLED_KINDS or not name.full.strip() or name.full in seen:
            continue
        seen.add(name.full)
        result.append(
            ListedName(
                entity_id=entity.id,
                dataset=entity.dataset,
                schema=entity.schema,
                full=name.full.strip(),
                kind=name.kind,
                countries=countries,
                gender=entity.gender,
                original_script=scripts,
                birth_dates=birth_dates,
            )
        )
    return result


@dataclass(slots=True)
class NameIndex:
    """Every listed name (all kinds, all scripts) by fold key and by folded token.

    Used to decide which entities a variant legitimately points to, and to keep negatives
    from equalling, containing, or being contained in a listed name.
    """

    by_key: dict[str, set[str]] = field(default_factory=dict)
    token_sets: list[frozenset[str]] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    #: (folded tokens in written order joined by spaces, entity id), sorted: names by how
    #: they begin
    written: list[tuple[str, str]] = field(default_factory=list)
    #: the entities listing each of ``token_sets``
    set_entities: list[set[str]] = field(default_factory=list)

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> NameIndex:
        index = cls()
        seen_sets: dict[frozenset[str], int] = {}
        for entity in entities:
            for name in entity.names:
                tokens = fold_tokens(name.full)
                if not tokens:
                    continue
                index.by_key.setdefault(" ".join(sorted(tokens)), set()).add(entity.id)
                index.written.append((" ".join(tokens), entity.id))
                token_set = frozenset(tokens)
                if token_set in seen_sets:
                    index.set_entities[seen_sets[token_set]].add(entity.id)
                    continue
                seen_sets[token_set] = len(index.token_sets)
                for token in token_set:
                    index.postings.setdefault(token, []).append(len(index.token_sets))
                index.token_sets.append(token_set)
                index.set_entities.append({entity.id})
        index.written.sort()
        return index

    def entities_containing(self, text: str) -> set[str]:
        """Ids of entities with a listed name that has every word of ``text`` (under
        :func:`fold_tokens`), in any order."""
        tokens = frozenset(fold_tokens(text))
        if not tokens:
            return set()
        rarest = min(tokens, key=lambda t: len(self.postings.get(t, ())))
        found: set[str] = set()
        for position in self.postings.get(rarest, ()):
            if tokens <= self.token_sets[position]:
                found |= self.set_entities[position]
        return found

    def entities_beginning(self, text: str) -> set[str]:
        """Ids of entities with a listed name that begins with ``text`` as written (its last
        word may be cut short), under :func:`fold_tokens`."""
        start = " ".join(fold_tokens(text))
        if not start:
            return set()
        first = bisect.bisect_left(self.written, (start, ""))
        found: set[str] = set()
        for written, entity_id in self.written[first:]:
            if not written.startswith(start):
                break
            found.add(entity_id)
        return found

    def document_frequency(self, word: str) -> int:
        """How many distinct listed names contain ``word`` (after folding)."""
        tokens = fold_tokens(word)
        return min((len(self.postings.get(t, ())) for t in tokens), default=0)

    def entities_named(self, text: str) -> set[str]:
        """Ids of entities that list a name equal to ``text`` under :func:`fold`."""
        return set(self.by_key.get(fold(text), ()))

    def overlap_reason(self, text: str, *, strict: bool = False) -> str | None:
        """Why ``text`` cannot serve as a negative, or None if it is clear of every listed name.

        A negative is rejected when it equals a listed name, when all its tokens appear in one
        listed name (it could be that person with names left out), or when it contains all
        tokens of a listed name of two or more tokens (that name with extra tokens added).
        ``strict`` (for look-alikes built from list tokens) also rejects a name containing a
        one-word listed name ("HOUTHIS CORPORATION" names the listed "HOUTHIS").
        """
        tokens = frozenset(fold_tokens(text))
        if not tokens:
            return "empty"
        if fold(text) in self.by_key:
            return "equals_listed"
        rarest = min(tokens, key=lambda t: len(self.postings.get(t, ())))
        for position in self.postings.get(rarest, ()):
            if tokens <= self.token_sets[position]:
                return "inside_listed"
        candidates = {p for t in tokens for p in self.postings.get(t, ())}
        for position in candidates:
            listed = self.token_sets[position]
            if (len(listed) >= 2 or strict) and listed <= tokens:
                return "contains_listed"
        return None
