"""Build the labelled test set from the loaded lists: sampled names, their variants, negatives.

Everything is derived from ``seed`` and the entities alone (sorted by id first), so the same
lists and seed always give the same cases, whatever order the store yields entities in.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from random import Random

from clearance.errors import InputError, Location
from clearance.evaluation.birthdates import (
    DATE_CLASS_BY_NAME,
    DATE_CLASSES,
    DOB_EXACT,
    DateClass,
    full_dates,
)
from clearance.evaluation.cases import EvalCase, EvalSet
from clearance.evaluation.defaults import (
    DEFAULT_LIMIT,
    DEFAULT_LOOKALIKES,
    DEFAULT_NEAR_MISSES,
    DEFAULT_NEGATIVES,
    DEFAULT_POPULATION,
    DEFAULT_SAMPLE,
    DEFAULT_SEED,
)
from clearance.evaluation.names import ListedName, NameIndex, fold, listed_names
from clearance.evaluation.negatives import (
    faker_negatives,
    lookalike_negatives,
    near_miss_negatives,
)
from clearance.evaluation.populations import cultures, population_cases
from clearance.evaluation.variants import VARIANT_CLASS_BY_NAME, VARIANT_CLASSES, VariantClass
from clearance.model import Entity

#: Each stratum (dataset, schema) gets at least this share of the sample, so small strata such
#: as vessels or the register are measured, not drowned by the thousands of SDN persons.
MIN_STRATUM_SHARE = 0.02


def select_classes(
    names: Sequence[str] | None,
) -> tuple[tuple[VariantClass, ...], tuple[DateClass, ...]]:
    """The name and birth-date classes to generate; all when ``names`` is empty. Unknown names
    are an error."""
    if not names:
        return VARIANT_CLASSES, DATE_CLASSES
    unknown = [n for n in names if n not in VARIANT_CLASS_BY_NAME and n not in DATE_CLASS_BY_NAME]
    if unknown:
        known = ", ".join([*VARIANT_CLASS_BY_NAME, *DATE_CLASS_BY_NAME])
        raise InputError(
            f"unknown variant class {', '.join(unknown)} (known: {known})",
            Location(field="classes"),
        )
    return (
        tuple(c for c in VARIANT_CLASSES if c.name in names),
        tuple(c for c in DATE_CLASSES if c.name in names),
    )


def stratified_sample(names: list[ListedName], size: int, seed: int) -> list[ListedName]:
    """``size`` names drawn per (dataset, schema) stratum: proportional, with a floor per stratum."""
    strata: dict[tuple[str, str], list[ListedName]] = defaultdict(list)
    for name in names:
        strata[(name.dataset, name.schema)].append(name)
    if size >= len(names):
        return sorted(names, key=_name_order)
    floor = max(1, math.ceil(size * MIN_STRATUM_SHARE))
    quotas = {
        key: min(len(members), max(floor, round(size * len(members) / len(names))))
        for key, members in strata.items()
    }
    # Trim the biggest quotas (never below the floor), or top up where names are left over,
    # until the quotas add up to exactly ``size``.
    keys = sorted(strata)
    while sum(quotas.values()) > size:
        key = max((k for k in keys if quotas[k] > floor), key=lambda k: quotas[k], default=None)
        if key is None:
            break
        quotas[key] -= 1
    while sum(quotas.values()) < size:
        key = max(keys, key=lambda k: len(strata[k]) - quotas[k])
        quotas[key] += 1
    sample: list[ListedName] = []
    for key in sorted(strata):
        members = sorted(strata[key], key=_name_order)
        sample.extend(Random(f"{seed}|sample|{key}").sample(members, quotas[key]))
    return sorted(sample, key=_name_order)


def _name_order(name: ListedName) -> tuple[str, str]:
    return (name.entity_id, name.full)


#: A name cut so short that what is left begins the listed names of this many other parties
#: (the hits a report keeps per query) names none of them: "LIMITED LIABILIT" or "JOINT STOCK
#: COMP" is the start of hundreds of company names, and no screener can tell which one was
#: meant. So does a name whose left words are all in as many other listed names ("KOREA
#: TRADING COMPANY" once its distinctive word is dropped, "MOHAMMAD, Haji"). Such a variant
#: is skipped as ambiguous, and counted.
AMBIGUOUS_REST = DEFAULT_LIMIT


def make_variants(
    names: Iterable[ListedName],
    classes: Sequence[VariantClass],
    index: NameIndex,
    seed: int,
    skipped: dict[str, Counter[str]],
) -> list[EvalCase]:
    """One variant per sampled name and class, labelled with the entities it refers to.

    Each (name, class) pair has its own random stream, so choosing fewer classes does not change
    the variants of the others. Variants that equal another party's listed name are skipped as
    ambiguous: a matcher is right to rank that party first.
    """
    cases = []
    for name in names:
        for variant_class in classes:
            rng = Random(f"{seed}|{variant_class.name}|{name.entity_id}|{name.full}")
            query = variant_class.rule(name, rng)
            if query is None:
                skipped[variant_class.name]["not_applicable"] += 1
                continue
            if query == name.full:
                skipped[variant_class.name]["unchanged"] += 1
                continue
            source = name.full
            if variant_class.name == "original_script":
                source = next(
                    (s for s in name.original_script if fold(s) == fold(query)),
                    name.original_script[0],
                )
            expected = index.entities_named(source) | {name.entity_id}
            if index.entities_named(query) - expected:
                skipped[variant_class.name]["ambiguous"] += 1
                continue
            if (
                variant_class.cuts
                and len(index.entities_beginning(query) - expected) >= AMBIGUOUS_REST
            ):
                # "LIMITED LIABILIT": what the field kept begins the names of many parties
                skipped[variant_class.name]["ambiguous_cut"] += 1
                continue
            if (
                variant_class.drops
                and len(index.entities_containing(query) - expected) >= AMBIGUOUS_REST
            ):
                # "KOREA TRADING COMPANY": the words left are in the names of many parties
                skipped[variant_class.name]["ambiguous_drop"] += 1
                continue
            cases.append(
                EvalCase(
                    query=query,
                    variant_class=variant_class.name,
                    schema=name.schema,
                    source=source,
                    expected_ids=tuple(sorted(expected)),
                    entity_id=name.entity_id,
                    dataset=name.dataset,
                )
            )
    return cases


def make_date_variants(
    names: Iterable[ListedName],
    classes: Sequence[DateClass],
    index: NameIndex,
    seed: int,
    skipped: dict[str, Counter[str]],
) -> list[EvalCase]:
    """The exact listed name of a sampled person with a listed full birth date, once per date
    class with that class's birth date on the record."""
    cases = []
    for name in names:
        dates = full_dates(name.birth_dates) if name.is_person else ()
        for date_class in classes:
            if not dates:
                skipped[date_class.name]["not_applicable"] += 1
                continue
            rng = Random(f"{seed}|{date_class.name}|{name.entity_id}|{name.full}")
            listed = dates[0]
            birth_date = date_class.rule(listed, rng)
            if birth_date is None:
                skipped[date_class.name]["not_applicable"] += 1
                continue
            if date_class.name != DOB_EXACT and any(d.isoformat() == birth_date for d in dates):
                skipped[date_class.name]["unchanged"] += 1  # another listed date of the person
                continue
            cases.append(
                EvalCase(
                    query=name.full,
                    variant_class=date_class.name,
                    schema=name.schema,
                    source=name.full,
                    expected_ids=tuple(sorted(index.entities_named(name.full) | {name.entity_id})),
                    entity_id=name.entity_id,
                    dataset=name.dataset,
                    birth_date=birth_date,
                )
            )
    return cases


def build_test_set(
    entities: Iterable[Entity],
    *,
    seed: int = DEFAULT_SEED,
    sample: int = DEFAULT_SAMPLE,
    negatives: int = DEFAULT_NEGATIVES,
    near_misses: int = DEFAULT_NEAR_MISSES,
    lookalikes: int = DEFAULT_LOOKALIKES,
    population: int = DEFAULT_POPULATION,
    classes: Sequence[str] | None = None,
) -> EvalSet:
    """The labelled test set for ``entities``: variants of ``sample`` listed names (of every
    listed name for a class of few, such as Chinese names in Han) and birth-date variants of
    exact names; negatives from Faker locales, near misses built from list tokens,
    ``lookalikes`` look-alikes of each kind and ``population`` people per common-name culture."""
    chosen, chosen_dates = select_classes(classes)
    ordered = sorted(entities, key=lambda e: e.id)
    index = NameIndex.build(ordered)
    names = [n for entity in ordered for n in listed_names(entity)]
    sampled = stratified_sample(names, sample, seed)
    skipped: dict[str, Counter[str]] = {c.name: Counter() for c in (*chosen, *chosen_dates)}
    cases = make_variants(sampled, [c for c in chosen if not c.every_name], index, seed, skipped)
    cases += make_variants(names, [c for c in chosen if c.every_name], index, seed, skipped)
    cases += make_date_variants(sampled, chosen_dates, index, seed, skipped)
    dropped: Counter[str] = Counter()
    cases += faker_negatives(index, negatives, seed, dropped)
    cases += near_miss_negatives(names, index, near_misses, seed, dropped)
    words = {w for culture in cultures() for w in culture.name_words()}
    cases += lookalike_negatives(names, index, lookalikes, seed, dropped, words)
    cases += population_cases(index, population, seed, dropped)
    strata = Counter(f"{n.dataset}/{n.schema}" for n in sampled)
    return EvalSet(
        seed=seed,
        entities=len(ordered),
        names=len(names),
        sampled=dict(sorted(strata.items())),
        cases=cases,
        skipped={k: dict(sorted(v.items())) for k, v in skipped.items() if v},
        negatives_dropped=dict(sorted(dropped.items())),
    )
