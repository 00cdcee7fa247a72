"""Names that must NOT alert: realistic people and companies from many locales, and near misses.

Negatives are checked against every listed name with :meth:`NameIndex.overlap_reason` (a simple
fold independent of the matcher), so a negative never equals a listed name, never is a listed
name with tokens left out, and never contains a whole listed name.
"""

from __future__ import annotations

from collections import Counter
from random import Random
from typing import Any

from clearance.evaluation.cases import NEAR_MISS, NEGATIVE, EvalCase
from clearance.evaluation.names import PARTICLES, ListedName, NameIndex, fold
from clearance.evaluation.variants import PersonParts

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
        reason = index.overlap_reason(query)
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
