"""The labelled test set: deterministic, stratified, correctly labelled, negatives clear of the lists."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from clearance.errors import InputError
from clearance.evaluation import NEAR_MISS, NEGATIVE, build_test_set
from clearance.evaluation.birthdates import DATE_CLASS_BY_NAME
from clearance.evaluation.cases import LOOKALIKE_CLASSES, POPULATION
from clearance.evaluation.generate import stratified_sample
from clearance.evaluation.names import NameIndex, fold, fold_tokens, listed_names
from clearance.evaluation.populations import cultures
from clearance.evaluation.variants import VARIANT_CLASS_BY_NAME
from clearance.model import DateValue, Entity, Name, NameKind
from clearance.register import load as load_register


def listed_persons() -> list[Entity]:
    """Persons as the bundled OFAC SDN and UN files list them."""
    return [
        Entity(
            "us_ofac_sdn:12345",
            "Person",
            [
                Name("GUZMAN LOERA, Joaquin Archivaldo"),
                Name("GUZMAN LOERA, Joaquin", NameKind.ALIAS),
                Name("CHAPO", NameKind.WEAK_ALIAS),
            ],
            nationalities=["mx"],
            gender="male",
            birth_dates=[DateValue("1957-04-04")],
        ),
        Entity(
            "us_ofac_sdn:17674",
            "Person",
            [
                Name("OSEGUERA CERVANTES, Ruben"),
                Name("OSEGUERA CERVANTES, Nemesio", NameKind.ALIAS),
            ],
            nationalities=["mx"],
            gender="male",
        ),
        Entity(
            "un_sc_sanctions:QDi.006",
            "Person",
            [
                Name("AIMAN MUHAMMED RABI AL-ZAWAHIRI"),
                Name("أيمن محمد ربيع الظواهري", NameKind.ORIGINAL_SCRIPT),
            ],
            nationalities=["eg"],
        ),
        Entity(
            "un_sc_sanctions:QDi.001",
            "Person",
            [
                Name("Saddam Hussein Al-Tikriti"),
                Name("صدام حسين التكريتي", NameKind.ORIGINAL_SCRIPT),
            ],
            nationalities=["iq"],
        ),
        Entity(
            "us_ofac_sdn:22790",
            "Person",
            [Name("MADURO MOROS, Nicolas")],
            nationalities=["ve"],
            birth_dates=[DateValue("1962-11-23")],
        ),
        Entity("us_ofac_sdn:9999", "Vessel", [Name("ADRIAN DARYA 1")]),
        Entity("us_ofac_sdn:173", "Organization", [Name("ANGLO-CARIBBEAN CO., LTD.")]),
    ]


@pytest.fixture(scope="module")
def entities() -> list[Entity]:
    return [*load_register(), *listed_persons()]


@pytest.fixture(scope="module")
def test_set(entities: list[Entity]):
    return build_test_set(entities, seed=7, sample=80, negatives=150, near_misses=60, lookalikes=20, population=20)


def test_same_seed_same_cases_whatever_the_entity_order(entities: list[Entity], test_set) -> None:
    shuffled = list(entities)
    random.Random(1).shuffle(shuffled)
    again = build_test_set(shuffled, seed=7, sample=80, negatives=150, near_misses=60, lookalikes=20, population=20)
    assert again.to_dict() == test_set.to_dict()
    other = build_test_set(entities, seed=8, sample=80, negatives=150, near_misses=60, lookalikes=20, population=20)
    assert other.to_dict()["cases"] != test_set.to_dict()["cases"]


def test_variants_are_labelled_with_the_entity_they_came_from(
    entities: list[Entity], test_set
) -> None:
    names_of = {e.id: {n.full for n in e.names} for e in entities}
    positives = [c for c in test_set.cases if not c.is_negative]
    assert len({c.variant_class for c in positives}) >= 15
    for case in positives:
        assert case.entity_id in case.expected_ids
        assert case.source in names_of[case.entity_id]
        if case.variant_class in DATE_CLASS_BY_NAME:
            assert case.query == case.source and case.birth_date  # exact name, a date
        else:
            assert case.query != case.source and case.birth_date is None
    # Weak aliases are never sampled: a miss on them is not a recall failure.
    assert all(c.source != "CHAPO" for c in positives)


def test_original_script_cases_come_from_the_listed_script_name(test_set) -> None:
    script_cases = [c for c in test_set.cases if c.variant_class == "original_script"]
    assert script_cases
    for case in script_cases:
        assert case.source in ("أيمن محمد ربيع الظواهري", "صدام حسين التكريتي")
        assert not any("a" <= ch.lower() <= "z" for ch in case.query)


def test_skipped_variants_are_counted_per_class(test_set) -> None:
    # Organisations have no surname to drop, no title, no Cyrillic rendering...
    for name in ("dropped_second_surname", "title", "cyrillic", "reordered"):
        assert test_set.skipped[name]["not_applicable"] > 0
    sampled = sum(test_set.sampled.values())
    made = Counter(c.variant_class for c in test_set.cases)
    for name, reasons in test_set.skipped.items():
        every_name = name in VARIANT_CLASS_BY_NAME and VARIANT_CLASS_BY_NAME[name].every_name
        assert made[name] + sum(reasons.values()) == (test_set.names if every_name else sampled)


def test_selected_classes_only_and_unchanged_by_the_selection(
    entities: list[Entity], test_set
) -> None:
    subset = build_test_set(
        entities,
        seed=7,
        sample=80,
        negatives=0,
        near_misses=0,
        lookalikes=0,
        population=0,
        classes=["typo", "homoglyphs"],
    )
    assert {c.variant_class for c in subset.cases} == {"typo", "homoglyphs"}
    full = [c for c in test_set.cases if c.variant_class in ("typo", "homoglyphs")]
    assert sorted(subset.cases, key=repr) == sorted(full, key=repr)
    with pytest.raises(InputError, match="unknown variant class typos"):
        build_test_set(entities, classes=["typos"])


def test_negatives_never_equal_contain_or_sit_inside_a_listed_name(
    entities: list[Entity], test_set
) -> None:
    listed = [frozenset(fold_tokens(n.full)) for e in entities for n in e.names]
    keys = {fold(n.full) for e in entities for n in e.names}
    negatives = [c for c in test_set.cases if c.is_negative]
    assert Counter(c.variant_class for c in negatives) == {
        NEGATIVE: 150,
        NEAR_MISS: 60,
        **dict.fromkeys(LOOKALIKE_CLASSES, 20),
        POPULATION: 2 * 20 * len(cultures()),
    }
    for case in negatives:
        tokens = frozenset(fold_tokens(case.query))
        assert fold(case.query) not in keys
        assert not any(tokens <= name for name in listed)
        assert not any(len(name) >= 2 and name <= tokens for name in listed)
        assert case.expected_ids == ()
    # negatives are distinct names; population names repeat as often as real names do
    distinct = [c for c in negatives if c.variant_class != POPULATION]
    assert len({(c.variant_class, fold(c.query)) for c in distinct}) == len(distinct)


def test_negatives_come_from_many_locales_and_scripts(test_set) -> None:
    negatives = [c for c in test_set.cases if c.variant_class == NEGATIVE]
    locales = {c.source.split()[1] for c in negatives}
    assert len(locales) >= 20
    assert {c.schema for c in negatives} == {"Person", "Company"}
    blocks = {"arabic": (0x600, 0x6FF), "cyrillic": (0x400, 0x4FF), "han": (0x4E00, 0x9FFF)}
    for low, high in blocks.values():
        assert any(any(low <= ord(ch) <= high for ch in c.query) for c in negatives)


def test_near_misses_reuse_a_distinctive_list_token(entities: list[Entity], test_set) -> None:
    near = [c for c in test_set.cases if c.variant_class == NEAR_MISS]
    for case in near:
        shared = set(fold_tokens(case.query)) & set(fold_tokens(case.source))
        assert shared, case
        assert case.entity_id is not None


def test_a_listed_near_miss_name_is_never_a_negative() -> None:
    nueva = Entity("us_ofac_sdn:39376", "Organization", [Name("LA NUEVA FAMILIA MICHOACANA")])
    familia = Entity("us_ofac_sdn:10000", "Organization", [Name("NUEVA FAMILIA MICHOACANA")])
    index = NameIndex.build([nueva, familia])
    assert index.overlap_reason("Nueva Familia Michoacana") == "equals_listed"
    assert index.overlap_reason("Familia Michoacana") == "inside_listed"
    assert index.overlap_reason("Nueva Familia Michoacana Trading LLC") == "contains_listed"
    assert index.overlap_reason("Familia Perez Logistics") is None
    # Dropping "LA" from one party's name gives the other party's name: ambiguous, skipped.
    result = build_test_set(
        [nueva, familia],
        seed=1,
        sample=2,
        negatives=0,
        near_misses=0,
        lookalikes=0,
        population=0,
        classes=["particles"],
    )
    assert result.cases == []
    assert result.skipped["particles"] == {"ambiguous": 1, "not_applicable": 1}


def test_the_same_name_on_two_lists_expects_both_entities() -> None:
    sdn = Entity("us_ofac_sdn:1", "Organization", [Name("TREN DE ARAGUA")])
    register = Entity("us_designations:tren-de-aragua", "Organization", [Name("Tren de Aragua")])
    result = build_test_set(
        [sdn, register], seed=3, sample=2, negatives=0, near_misses=0, lookalikes=0, population=0
    )
    assert result.cases
    for case in result.cases:
        assert case.expected_ids == ("us_designations:tren-de-aragua", "us_ofac_sdn:1")


def test_sample_is_stratified_by_dataset_and_schema(entities: list[Entity]) -> None:
    names = [n for e in entities for n in listed_names(e)]
    sample = stratified_sample(names, 60, seed=5)
    assert len(sample) == 60 == len(set(sample))
    strata = Counter((n.dataset, n.schema) for n in sample)
    # Small strata (one vessel, one organisation) are represented next to the register's 99.
    assert strata[("us_ofac_sdn", "Vessel")] == 1
    assert strata[("us_ofac_sdn", "Organization")] == 1
    assert strata[("un_sc_sanctions", "Person")] == 2
    assert stratified_sample(names, 60, seed=5) == sample
    assert len(stratified_sample(names, 10_000, seed=5)) == len(names)


def test_birth_date_classes_are_selectable_and_keep_the_exact_name(entities: list[Entity]) -> None:
    result = build_test_set(
        entities,
        seed=7,
        sample=1000,
        negatives=0,
        near_misses=0,
        lookalikes=0,
        population=0,
        classes=["dob_exact", "dob_one_year"],
    )
    made = Counter(c.variant_class for c in result.cases)
    assert set(made) == {"dob_exact", "dob_one_year"} and made["dob_exact"] == 3
    listed = {
        "GUZMAN LOERA, Joaquin Archivaldo": 1957,
        "GUZMAN LOERA, Joaquin": 1957,
        "MADURO MOROS, Nicolas": 1962,
    }
    for case in result.cases:
        assert case.query == case.source and case.birth_date
        year = listed[case.query]
        offsets = (0,) if case.variant_class == "dob_exact" else (-1, 1)
        assert int(case.birth_date[:4]) - year in offsets


def _skipped_as_ambiguous(
    companies: list[Entity], variant_class: str, reason: str, crowd: str
) -> NameIndex:
    """Variants of ``companies`` in ``variant_class``: some skipped for ``reason``, and every
    case kept meets fewer than ten listed parties by ``crowd`` (a NameIndex method)."""
    index = NameIndex.build(companies)
    test = build_test_set(
        companies, seed=3, sample=20, classes=[variant_class], negatives=0, near_misses=0,
        lookalikes=0, population=0,
    )
    assert test.skipped[variant_class].get(reason, 0) >= 1
    for case in test.cases:
        assert len(getattr(index, crowd)(case.query)) < 10
    return index


def test_a_cut_that_begins_many_listed_names_is_skipped_as_ambiguous() -> None:
    """"LIMITED LIABILIT" begins the names of a dozen listed companies: no screener can tell
    which one a field cut, so the variant is counted as skipped, not as a miss; a cut that
    keeps a distinctive word stays a case."""
    companies = [
        Entity(f"us_ofac_sdn:{900 + i}", "Company", [Name(f"LIMITED LIABILITY COMPANY {word}")])
        for i, word in enumerate(
            ["GEOS", "ALIS", "DRAKE", "TRIMIX", "ANGAR", "POINTER", "MANEL", "TENRON", "KONSTANTA", "BALTINFOKOM", "DOLTA"]
        )
    ]
    companies.append(Entity("us_ofac_sdn:999", "Company", [Name("GAZPROM TRANSGAZ UKHTA OOO")]))
    index = _skipped_as_ambiguous(companies, "truncated", "ambiguous_cut", "entities_beginning")
    assert len(index.entities_beginning("LIMITED LIABILIT")) == 11
    assert index.entities_beginning("GAZPROM TRANSGAZ U") == {"us_ofac_sdn:999"}


def test_a_drop_that_leaves_only_words_of_many_listed_names_is_skipped() -> None:
    """With its distinctive word left out, "KOREA X TRADING COMPANY" is "KOREA TRADING
    COMPANY", whose words are in a dozen listed names: skipped as ambiguous, not a miss; a
    drop that leaves a distinctive word stays a case."""
    words = ["HENGJIN", "SUNGRI", "MANPO", "TANGUN", "RUNGRA", "KORYO", "PUGANG", "OKRYU"]
    companies = [
        Entity(f"us_ofac_sdn:{800 + i}", "Company", [Name(f"KOREA {word} TRADING COMPANY")])
        for i, word in enumerate([*words, "HAEGUMGANG", "MIRAE", "PYONGJIN"])
    ]
    index = _skipped_as_ambiguous(
        companies, "dropped_token", "ambiguous_drop", "entities_containing"
    )
    assert len(index.entities_containing("Korea Trading Company")) == 11
    assert index.entities_containing("KOREA HENGJIN COMPANY") == {"us_ofac_sdn:800"}
