"""Names that must NOT alert: realistic people and companies from many locales, near misses and
look-alikes of listed names.

Negatives are checked against every listed name with :meth:`NameIndex.overlap_reason` (a simple
fold independent of the matcher), so a negative never equals a listed name, never is a listed
name with tokens left out, and never contains a whole listed name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from random import Random
from typing import Any

from clearance.evaluation.cases import (
    LOOKALIKE_NEAR_DISTANCE,
    LOOKALIKE_SWAPPED_SURNAME,
    LOOKALIKE_SWAPPED_TOKEN,
    NEAR_MISS,
    NEGATIVE,
    EvalCase,
)
from clearance.evaluation.names import PARTICLES, ListedName, NameIndex, fold
from clearance.evaluation.romanisation import SpellingIndex, spelling
from clearance.evaluation.variants import PersonParts, match_case

#: Faker locales the negatives are drawn from, in a fixed order (round robin keeps the mix even).
FAKER_LOCALES = (
    "en_US",
    "en_GB",
    "es_MX",
    "es_ES",
    "es_CO",
    "pt_BR",
    "fr_FR",
    "de_DE",
    "it_IT",
    "nl_NL",
    "pl_PL",
    "tr_TR",
    "ru_RU",
    "uk_UA",
    "ar_AA",
    "ar_SA",
    "fa_IR",
    "he_IL",
    "hi_IN",
    "id_ID",
    "vi_VN",
    "zh_CN",
    "ja_JP",
    "ko_KR",
)

#: Locales whose given names are written in Latin script, for near-miss person names.
LATIN_GIVEN_NAME_LOCALES = ("en_US", "es_MX", "es_ES", "pt_BR", "fr_FR", "de_DE", "it_IT", "tr_TR")

#: Share of person names among Faker negatives (the rest are companies).
PERSON_SHARE = 0.7

GENERIC_BUSINESS_WORDS = (
    "Logistics",
    "Trading",
    "Consulting",
    "Foods",
    "Textiles",
    "Energy",
    "Holdings",
    "Services",
    "Imports",
    "Construction",
    "Pharma",
    "Travel",
    "Motors",
    "Partners",
)
NEAR_MISS_LEGAL_FORMS = ("LLC", "S.A. de C.V.", "Ltd", "GmbH", "SA", "Inc.", "d.o.o.", "FZE")

#: A word found in more listed names than this is too common to make a near miss from.
MAX_DISTINCTIVE_FREQUENCY = 5

#: Attempts allowed per wanted negative before giving up (most candidates are accepted).
_ATTEMPTS_PER_NEGATIVE = 5


def _fakers(seed: int, locales: tuple[str, ...]) -> dict[str, Any]:
    """One seeded Faker per locale (imported here: Faker is slow to import, and only needed here)."""
    from faker import Faker

    fakers = {}
    for position, locale in enumerate(locales):
        fake = Faker(locale)
        fake.seed_instance(seed * 1009 + position)
        fakers[locale] = fake
    return fakers


def _without_honorifics(name: str, fake: Any) -> str:
    """The name without the titles and degrees Faker's locale puts around it ("Lic. Jorge
    Zamudio", "Dr. Juli Suryatmi, S.Farm"): a listed name with a title added is still that
    name, so the overlap with listed names is judged without them (the query keeps them)."""
    person = fake.provider("faker.providers.person")
    honorifics = {
        fold(word)
        for attribute in dir(person)
        if attribute.startswith(("prefixes", "suffixes"))
        for word in getattr(person, attribute, ())
        if isinstance(word, str)
    }
    words = name.replace(",", " ").split()
    # from either end, never below two words ("Bác Anh Lê": Anh is a title and a name)
    while len(words) > 2 and fold(words[0]) in honorifics:
        words.pop(0)
    while len(words) > 2 and fold(words[-1]) in honorifics:
        words.pop()
    return " ".join(words)


def faker_negatives(
    index: NameIndex, count: int, seed: int, dropped: Counter[str]
) -> list[EvalCase]:
    """``count`` Faker person and company names from many locales, clear of every listed name."""
    if count <= 0:
        return []
    fakers = _fakers(seed, FAKER_LOCALES)
    rng = Random(f"{seed}|negatives")
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for attempt in range(count * _ATTEMPTS_PER_NEGATIVE):
        if len(cases) == count:
            break
        locale = FAKER_LOCALES[attempt % len(FAKER_LOCALES)]
        is_person = rng.random() < PERSON_SHARE
        fake = fakers[locale]
        query = fake.name() if is_person else fake.company()
        key = fold(query)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        reason = index.overlap_reason(_without_honorifics(query, fake))
        if reason:
            dropped[reason] += 1
            continue
        seen.add(key)
        kind = "person" if is_person else "company"
        cases.append(
            EvalCase(
                query=query,
                variant_class=NEGATIVE,
                schema="Person" if is_person else "Company",
                source=f"faker {locale} {kind}",
            )
        )
    return cases


def _distinctive_token(name: ListedName, index: NameIndex) -> str | None:
    """The listed name's rarest word of four or more letters (its most identifying token)."""
    words = [
        w
        for w in name.full.replace(",", " ").split()
        if len(w) >= 4 and w.isalpha() and w.lower() not in PARTICLES
    ]
    if not words:
        return None
    rarest = min(words, key=lambda w: (index.document_frequency(w), w))
    return rarest if index.document_frequency(rarest) <= MAX_DISTINCTIVE_FREQUENCY else None


def _surname(name: ListedName) -> str | None:
    parts = PersonParts.parse(name.full)
    if parts is None:
        return None
    for surname in parts.surnames:
        if len(surname) >= 4 and surname.isalpha() and surname.lower() not in PARTICLES:
            return surname
    return None


def near_miss_negatives(
    names: list[ListedName], index: NameIndex, count: int, seed: int, dropped: Counter[str]
) -> list[EvalCase]:
    """Unlisted names built from list tokens, where a careless matcher over-alerts.

    A listed person's surname with an unrelated given name ("Maria OSEGUERA"), or a listed
    company's most distinctive word with generic business words and a legal form
    ("Sinaloa Logistics LLC"). Any result that equals, contains or sits inside a listed name is
    dropped, so e.g. a listed "LA FAMILIA MICHOACANA" can never be counted as a false alert.
    """
    if count <= 0 or not names:
        return []
    fakers = _fakers(seed + 1, LATIN_GIVEN_NAME_LOCALES)
    rng = Random(f"{seed}|near_misses")
    persons = [n for n in names if n.is_person]
    others = [n for n in names if not n.is_person]
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for _ in range(count * _ATTEMPTS_PER_NEGATIVE):
        if len(cases) == count:
            break
        use_person = bool(persons) and (not others or rng.random() < 0.5)
        if use_person:
            listed = rng.choice(persons)
            surname = _surname(listed)
            if surname is None:
                dropped["no_surname"] += 1
                continue
            given = fakers[rng.choice(LATIN_GIVEN_NAME_LOCALES)].first_name()
            query, schema = f"{given} {surname.title()}", "Person"
        else:
            listed = rng.choice(others)
            token = _distinctive_token(listed, index)
            if token is None:
                dropped["no_distinctive_token"] += 1
                continue
            words = rng.sample(GENERIC_BUSINESS_WORDS, rng.choice((1, 2)))
            legal = rng.choice(NEAR_MISS_LEGAL_FORMS)
            query = " ".join([token.title(), *words, legal])
            schema = "Company" if listed.schema in ("Company", "LegalEntity") else listed.schema
        key = fold(query)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        reason = index.overlap_reason(query)
        if reason:
            dropped[reason] += 1
            continue
        seen.add(key)
        cases.append(
            EvalCase(
                query=query,
                variant_class=NEAR_MISS,
                schema=schema,
                source=listed.full,
                entity_id=listed.entity_id,
                dataset=listed.dataset,
            )
        )
    return cases


# ----------------------------------------------------------------------------------------------
# look-alike negatives: people who are not listed but whose names resemble listed names


def _persons(names: list[ListedName]) -> list[tuple[ListedName, PersonParts]]:
    """Latin-script listed persons whose name splits into surnames and given names."""
    result = []
    for name in names:
        if not name.is_person or not all(c.isascii() or not c.isalpha() for c in name.full):
            continue
        parts = PersonParts.parse(name.full)
        if parts is not None:
            result.append((name, parts))
    return result


def _is_word(token: str, min_length: int = 3) -> bool:
    return len(token) >= min_length and token.isalpha() and token.lower() not in PARTICLES


def _swapped_surname(
    persons: list[tuple[ListedName, PersonParts]], rng: Random
) -> tuple[str, ListedName, str] | None:
    """The given names of one listed person with the surnames of another."""
    (a, a_parts), (b, b_parts) = rng.sample(persons, 2)
    if a.entity_id == b.entity_id or {fold(s) for s in a_parts.surnames} == {
        fold(s) for s in b_parts.surnames
    }:
        return None
    query = PersonParts(list(b_parts.surnames), list(a_parts.givens), b_parts.comma).render()
    return query, b, f"{a.full} + {b.full}"


def _swapped_token(
    persons: list[tuple[ListedName, PersonParts]], rng: Random
) -> tuple[str, ListedName, str] | None:
    """One name of a listed person replaced by a name of another listed person in the same
    role (a given name by a given name, a surname by a surname)."""
    (listed, parts), (other, other_parts) = rng.sample(persons, 2)
    side = rng.choice(("surnames", "givens"))
    own, theirs = getattr(parts, side), getattr(other_parts, side)
    positions = [i for i, t in enumerate(own) if _is_word(t)]
    donors = [t for t in theirs if _is_word(t) and fold(t) not in {fold(o) for o in own}]
    if not positions or not donors:
        return None
    replaced = list(own)
    replaced[rng.choice(positions)] = rng.choice(donors)
    kept = PersonParts(list(parts.surnames), list(parts.givens), parts.comma)
    setattr(kept, side, replaced)
    return kept.render(), listed, f"{listed.full} + {other.full}"


#: A real different name this many edits from a listed one: beyond a typo, near enough to fool
#: a lenient matcher (Rivera / Olivera, Karim / Kamil).
NEAR_DISTANCE = (2, 3)

def _near_names(word: str, pool: list[str]) -> list[str]:
    """Real names of the pool two or three edits from ``word``, that are not another spelling
    of it (same name group or consonant skeleton) nor its prefix or extension."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    folded = fold(word)
    low, high = NEAR_DISTANCE
    found = process.extract(
        folded, pool, scorer=Levenshtein.distance, score_cutoff=high, limit=None
    )
    key = spelling(folded)
    return [
        candidate
        for candidate, distance, _ in found
        if distance >= low
        and spelling(candidate) != key
        and not candidate.startswith(folded)
        and not folded.startswith(candidate)
    ]


def _near_distance(
    persons: list[tuple[ListedName, PersonParts]], pool: list[str], rng: Random
) -> tuple[str, ListedName, str] | None:
    """One name of a listed person replaced by a different real name two or three edits away."""
    listed, parts = rng.choice(persons)
    side = rng.choice(("surnames", "givens"))
    own = list(getattr(parts, side))
    positions = [i for i, t in enumerate(own) if _is_word(t, 4)]
    if not positions:
        return None
    position = rng.choice(positions)
    near = _near_names(own[position], pool)
    if not near:
        return None
    own[position] = match_case(own[position], rng.choice(sorted(near)))
    kept = PersonParts(list(parts.surnames), list(parts.givens), parts.comma)
    setattr(kept, side, own)
    return kept.render(), listed, listed.full


def name_pool(words: set[str]) -> list[str]:
    """Folded real names to draw near-distance look-alikes from: the words of the population
    tables (not list tokens: aliases on the lists are mostly other spellings of one name)."""
    return sorted({fold(w) for w in words} - {""})


def lookalike_negatives(
    names: list[ListedName],
    index: NameIndex,
    count: int,
    seed: int,
    dropped: Counter[str],
    population_words: set[str],
) -> list[EvalCase]:
    """``count`` look-alikes of each kind; any that equals, contains or sits inside a listed
    name, or is a listed name in another spelling, is dropped, so none is a listed name."""
    persons = _persons(names)
    if count <= 0 or len(persons) < 2:
        return []
    pool = [w for w in name_pool(population_words) if len(w) >= 4 and w.isalpha()]
    spellings = SpellingIndex(index)
    makers: dict[str, Callable[[Random], tuple[str, ListedName, str] | None]] = {
        LOOKALIKE_SWAPPED_SURNAME: lambda rng: _swapped_surname(persons, rng),
        LOOKALIKE_SWAPPED_TOKEN: lambda rng: _swapped_token(persons, rng),
        LOOKALIKE_NEAR_DISTANCE: lambda rng: _near_distance(persons, pool, rng),
    }
    cases: list[EvalCase] = []
    for kind, make in makers.items():
        rng = Random(f"{seed}|{kind}")
        seen: set[str] = set()
        made = 0
        for _ in range(count * _ATTEMPTS_PER_NEGATIVE * 2):
            if made == count:
                break
            result = make(rng)
            if result is None:
                dropped[f"{kind}:not_applicable"] += 1
                continue
            query, listed, source = result
            key = fold(query)
            if key in seen:
                dropped[f"{kind}:duplicate"] += 1
                continue
            reason = index.overlap_reason(query, strict=True)
            if reason is None and spellings.is_listed(query):
                reason = "listed_in_another_spelling"
            if reason:
                dropped[f"{kind}:{reason}"] += 1
                continue
            seen.add(key)
            made += 1
            cases.append(
                EvalCase(
                    query=query,
                    variant_class=kind,
                    schema=listed.schema,
                    source=source,
                    entity_id=listed.entity_id,
                    dataset=listed.dataset,
                )
            )
    return cases
