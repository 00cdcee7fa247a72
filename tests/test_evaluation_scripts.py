"""The script classes of the evaluation: a clerk's rendering of a Latin name, in its script."""

from __future__ import annotations

from random import Random

import pytest

from clearance.evaluation.names import ListedName
from clearance.evaluation.scripts import SCRIPT_RULES
from clearance.evaluation.variants import VARIANT_CLASS_BY_NAME
from clearance.matching.transliterate import word_script
from clearance.model import NameKind

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
