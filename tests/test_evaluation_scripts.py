"""The script classes of the evaluation: a clerk's rendering of a Latin name, in its script."""

from __future__ import annotations

from collections import Counter
from random import Random

import pytest

from clearance.evaluation import build_test_set
from clearance.evaluation.names import ListedName
from clearance.evaluation.scripts import SCRIPT_RULES
from clearance.evaluation.variants import VARIANT_CLASS_BY_NAME
from clearance.matching.transliterate import word_script
from clearance.model import Entity, Name, NameKind

PUTIN = ListedName("x", "d", "Person", "PUTIN, Vladimir", NameKind.PRIMARY, frozenset({"ru"}))
SCRIPT = {
    "script_greek": "greek", "script_ukrainian": "cyrillic", "script_arabic": "arabic",
    "script_persian": "arabic", "script_hebrew": "hebrew", "script_georgian": "georgian",
    "script_armenian": "armenian", "script_katakana": "japanese", "script_hangul": "hangul",
}  # fmt: skip


@pytest.mark.parametrize(("name", "script"), SCRIPT.items())
def test_latin_person_written_in_the_script(name: str, script: str) -> None:
    rule = VARIANT_CLASS_BY_NAME[name].rule
    rendered = rule(PUTIN, Random(1))
    assert rendered
    words = [w for w in rendered.replace(",", " ").replace("・", " ").split()]
    assert {word_script(w) for w in words} == {script}


def test_companies_and_names_in_other_scripts_are_skipped() -> None:
    company = ListedName("x", "d", "Organization", "ACME LTD", NameKind.PRIMARY)
    arabic = ListedName("x", "d", "Person", "حسن نصر الله", NameKind.PRIMARY)
    for _, rule in SCRIPT_RULES[:-1]:
        assert rule(company, Random(1)) is None and rule(arabic, Random(1)) is None


def test_reverse_romanises_an_arabic_list_name() -> None:
    listed = ListedName(
        "x", "d", "Person", "SADDAM", NameKind.PRIMARY, original_script=("شريف يوسف",)
    )
    rendered = VARIANT_CLASS_BY_NAME["script_romanised"].rule(listed, Random(1))
    assert rendered and rendered.isascii() and rendered.startswith("Ch") and "ou" in rendered


def person(full: str, *countries: str) -> ListedName:
    return ListedName("x", "d", "Person", full, NameKind.PRIMARY, frozenset(countries))


def written(name: str, listed: ListedName, seed: int = 1) -> str | None:
    return VARIANT_CLASS_BY_NAME[name].rule(listed, Random(seed))


def test_a_chinese_name_in_han_surname_first_and_joined() -> None:
    for seed in range(20):
        rendered = written("script_chinese", person("LI, Fang-wei", "cn"), seed)
        assert rendered and len(rendered) == 3 and word_script(rendered) == "han"
        assert rendered[0] in "李黎"
    assert written("script_chinese", person("ZHANG Xiaoming", "tw")) == written(
        "script_chinese", person("ZHANG, Xiao Ming", "tw")
    )


def test_a_repeated_syllable_is_written_with_the_same_sign() -> None:
    for seed in range(20):
        rendered = written("script_chinese", person("ZHAO, Dongdong", "cn"), seed)
        assert rendered and rendered[1] == rendered[2]


@pytest.mark.parametrize(
    "listed",
    [
        person("LI, Fangwei"),  # no Chinese nationality
        person("CHAN, Eric", "hk"),  # a western given name
        person("Maimaitiming Maimaiti", "cn"),  # not a Chinese surname and given name
        person("JING HE, Lin", "tw"),  # two surnames
        person("TSAI, Hsein Tai", "tw"),  # Wade-Giles
        person("RI, Chun Song", "cn", "kp"),  # a Korean name
    ],
)
def test_names_the_chinese_class_cannot_write_are_skipped(listed: ListedName) -> None:
    assert written("script_chinese", listed) is None


@pytest.mark.parametrize(
    ("full", "hangul"),
    [
        ("KIM, Yong Chol", ("김영철", "김용철")),
        ("RI WON HO", ("리원호",)),
        ("HAN, Ch'o'l-man", ("한철만",)),
        ("HO\u2019, Yo\u2019ng-il", ("허영일",)),
        ("CHOE, Unjong", ("최은정", "최은종", "최운정", "최운종")),
        ("JONG Kyong Thaek", ("정경택", "종경택")),
    ],
)
def test_a_korean_name_in_hangul_surname_first_and_joined(
    full: str, hangul: tuple[str, ...]
) -> None:
    assert written("script_korean", person(full, "kp")) in hangul


@pytest.mark.parametrize(
    "listed",
    [person("KIM, Yong Chol"), person("PARK, Aleksei", "kp"), person("Jin Tiesan", "kp")],
)
def test_names_the_korean_class_cannot_write_are_skipped(listed: ListedName) -> None:
    assert written("script_korean", listed) is None


def test_the_classes_of_few_names_are_drawn_from_every_listed_name() -> None:
    """A sample of one name would hold one Chinese person at most; the class has them all."""
    entities = [
        Entity(f"p{i}", "Person", [Name(full)], nationalities=["cn"])
        for i, full in enumerate(["LI, Fangwei", "WANG, Junzheng", "ZHANG, Jian", "CHAN, Eric"])
    ]
    test_set = build_test_set(
        entities, seed=1, sample=1, negatives=0, near_misses=0, lookalikes=0, population=0,
        classes=["script_chinese", "typo"],
    )  # fmt: skip
    by_class = Counter(c.variant_class for c in test_set.cases)
    assert by_class == {"script_chinese": 3, "typo": 1}
