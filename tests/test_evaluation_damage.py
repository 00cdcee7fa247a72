"""Each real-world damage generator does exactly the damage it names, wherever it can."""

from __future__ import annotations

import re
from functools import cache
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.evaluation import variants as v
from clearance.evaluation.names import ListedName
from clearance.model import NameKind

GUZMAN = "GUZMAN LOERA, Joaquin Archivaldo"


def person(full: str) -> ListedName:
    return ListedName("us_ofac_sdn:1", "us_ofac_sdn", "Person", full, NameKind.PRIMARY)


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def ocr_edits(original: str, result: str) -> int | None:
    """Fewest confusion-table substitutions turning ``original`` into ``result`` (None: impossible)."""

    @cache
    def best(i: int, j: int) -> float:
        if i == len(original) and j == len(result):
            return 0
        options = []
        if i < len(original) and j < len(result) and original[i] == result[j]:
            options.append(best(i + 1, j + 1))
        for source, target in v.OCR_SUBSTITUTIONS:
            if original.startswith(source, i) and result.startswith(target, j):
                options.append(1 + best(i + len(source), j + len(target)))
        return min(options, default=float("inf"))

    found = best(0, 0)
    return None if found == float("inf") else int(found)


words = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=5).flatmap(
    lambda ws: st.lists(st.sampled_from([" ", "-", ", "]), min_size=len(ws) - 1, max_size=len(ws) - 1).map(
        lambda seps: "".join(w + s for w, s in zip(ws, [*seps, ""], strict=True))
    )
)
seeds = st.integers(0, 10_000)
SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(names, seeds)
def test_ocr_substitutes_one_or_two_confusions_from_the_table_only(full: str, seed: int) -> None:
    result = v.ocr(person(full), Random(seed))
    if result is None:
        assert not any(source in full for source, _ in v.OCR_SUBSTITUTIONS)
        return
    assert result != full
    assert ocr_edits(full, result) in (1, 2)


def test_ocr_confuses_letters_and_digits_in_both_directions() -> None:
    results = {v.ocr(person("GUZMAN L0ERA, Joaquin"), Random(s)) for s in range(200)}
    assert any("LOERA" in r for r in results)  # 0 read back as O
    assert any(any(c.isdigit() for c in r.replace("L0ERA", "")) for r in results)  # letter -> digit
    assert any("rn" in r for r in {v.ocr(person("Osman HAMID"), Random(s)) for s in range(200)} if r)
    first = {v.ocr(person(GUZMAN), Random(s))[0] for s in range(300)}
    assert "6" in first  # anywhere, the first letter included


@SETTINGS
@given(names, seeds)
def test_typo_anywhere_is_one_edit(full: str, seed: int) -> None:
    result = v.typo_anywhere(person(full), Random(seed))
    if result is None:
        # no word of three letters (of five in a one-word name: no edits to acronyms)
        shortest = v.MIN_SINGLE_WORD_LENGTH if " " not in full else 3
        assert all(len(w) < shortest for w in re.findall("[A-Za-z]+", full))
        return
    assert levenshtein(full, result) == 1


def test_typo_anywhere_changes_first_letters_too() -> None:
    results = [v.typo_anywhere(person(GUZMAN), Random(s)) for s in range(400)]
    starts = [[w[:1] for w in GUZMAN.split()]] * len(results)
    assert any([w[:1] for w in r.split()] != s for r, s in zip(results, starts, strict=True))


@SETTINGS
@given(names, seeds)
def test_transposition_anywhere_swaps_two_adjacent_letters(full: str, seed: int) -> None:
    result = v.transposition_anywhere(person(full), Random(seed))
    if result is None:
        return
    diffs = [i for i, (a, b) in enumerate(zip(result, full, strict=True)) if a != b]
    assert len(diffs) == 2 and diffs[1] == diffs[0] + 1
    assert full[diffs[0]].isalpha() and full[diffs[1]].isalpha()
    assert result[diffs[0]] == full[diffs[1]] and result[diffs[1]] == full[diffs[0]]


def test_transposition_anywhere_reaches_the_first_two_letters() -> None:
    assert "GZUMAN LOERA, Joaquin Archivaldo" in {
        v.transposition_anywhere(person(GUZMAN), Random(s)) for s in range(300)
    }


@SETTINGS
@given(names, seeds)
def test_transposition_separator_swaps_a_letter_with_a_space_hyphen_or_comma(
    full: str, seed: int
) -> None:
    result = v.transposition_separator(person(full), Random(seed))
    if result is None:
        assert not any(c in v.WORD_SEPARATORS for c in full)
        return
    diffs = [i for i, (a, b) in enumerate(zip(result, full, strict=True)) if a != b]
    assert len(diffs) == 2 and diffs[1] == diffs[0] + 1
    pair = {full[diffs[0]], full[diffs[1]]}
    assert pair & v.WORD_SEPARATORS and any(c.isalnum() for c in pair)


@SETTINGS
@given(names, seeds)
def test_first_letter_drops_or_mistypes_the_first_letter_of_one_word(full: str, seed: int) -> None:
    result = v.first_letter(person(full), Random(seed))
    if result is None:
        return
    starts = [k for k, c in enumerate(full) if c.isalpha() and (k == 0 or not full[k - 1].isalpha())]
    dropped = {full[:k] + full[k + 1 :] for k in starts}
    mistyped = {
        full[:k] + c + full[k + 1 :]
        for k in starts
        for near in [v.KEYBOARD_NEIGHBOURS[full[k].lower()]]
        for c in near + near.upper()
    }
    assert result in dropped | mistyped


@SETTINGS
@given(names, seeds)
def test_truncated_cuts_at_a_listed_width_inside_a_word(full: str, seed: int) -> None:
    result = v.truncated(person(full), Random(seed))
    if result is None:
        assert not any(
            len(full) > w and full[w - 1].isalnum() and full[w].isalnum() for w in v.FIELD_WIDTHS
        )
        return
    assert len(result) in v.FIELD_WIDTHS
    assert full.startswith(result)
    assert result[-1].isalnum() and full[len(result)].isalnum()  # mid-word


def test_truncated_at_mt103_width() -> None:
    long_name = "AL-ZAWAHIRI, Ayman Muhammad Rabi Abdel Aziz"
    assert {v.truncated(person(long_name), Random(s)) for s in range(60)} >= {long_name[:35]}
    assert v.truncated(person("SALEH, Qasim"), Random(0)) is None  # shorter than every field


@SETTINGS
@given(names, seeds)
def test_vowels_all_strips_inner_vowels_of_every_word(full: str, seed: int) -> None:
    result = v.vowels_all(person(full), Random(seed))
    original_words = [w for w in full.replace(",", " ").replace("-", " ").split()]
    result_words = [w for w in (result or full).replace(",", " ").replace("-", " ").split()]
    assert len(original_words) == len(result_words)
    for word, short in zip(original_words, result_words, strict=True):
        if len(word) < v.VOWELS_ALL_MIN_LENGTH:
            assert short == word
            continue
        assert short[0] == word[0]
        assert not set(short[1:].lower()) & set("aeiou")
        assert short[1:] == "".join(c for c in word[1:] if c.lower() not in "aeiou")
    if result is None:
        assert all(
            len(w) < v.VOWELS_ALL_MIN_LENGTH or not set(w[1:].lower()) & set("aeiou")
            for w in original_words
        )


def test_vowels_all_as_in_the_issue() -> None:
    assert v.vowels_all(person("GUZMAN LOERA, Joaquin"), Random(0)) == "GZMN LR, Jqn"


@SETTINGS
@given(names, seeds)
def test_merge_split_joins_two_words_or_splits_one(full: str, seed: int) -> None:
    result = v.merge_split(person(full), Random(seed))
    if result is None:
        return

    def squash(text: str) -> str:
        return text.replace(" ", "").replace("-", "")

    assert squash(result) == squash(full)
    assert abs(len(result) - len(full)) == 1
    if len(result) > len(full):  # split: a space inside a word, 3+ letters on each side
        i = next(k for k, (a, b) in enumerate(zip(result, full, strict=False)) if a != b)
        assert result[i] == " " and full[i - v.SPLIT_MIN_PART : i + v.SPLIT_MIN_PART].isalpha()


def test_combined_is_two_damages() -> None:
    listed = [GUZMAN, "OSEGUERA CERVANTES, Nemesio", "AL-ZAWAHIRI, Ayman Muhammad Rabi"]
    results = [(f, v.combined(person(f), Random(s))) for f in listed for s in range(100)]
    assert all(r and r != f for f, r in results)
    # two damages make two edits or more (rare exceptions where the second undoes part of the first)
    two = sum(levenshtein(f, r) >= 2 for f, r in results if r)
    assert two >= 0.95 * len(results)


def test_new_classes_are_registered_with_their_kind() -> None:
    by_name = v.VARIANT_CLASS_BY_NAME
    for name in ("ocr", "typo_anywhere", "first_letter", "truncated", "merge_split", "combined"):
        assert by_name[name].kind == v.DAMAGED
    assert by_name["vowels_all"].kind == v.ADVERSARIAL
    assert by_name["case"].kind == v.BENIGN


def test_romanisation_respells_one_word_by_the_tables_of_the_person_region() -> None:
    from clearance.evaluation import romanisation as r
    from clearance.evaluation.names import fold

    cases = [
        ("ZERFAOUI, Ahmad", "dz"),
        ("BASHANKAYEV, Badma Nikolayevich", "ru"),
        ("ZHANG, Wei", "cn"),
        ("KIM, Jong Un", "kp"),
        ("YILMAZ, Mehmet", "tr"),
        ("HOSSEINI, Mohammad Reza", "ir"),
    ]
    for full, country in cases:
        listed = ListedName(
            "x:1", "x", "Person", full, NameKind.PRIMARY, frozenset({country})
        )
        results = {r.romanisation(listed, Random(s)) for s in range(30)}
        assert None not in results and len(results) >= 2
        for result in results:
            changed = [
                (a, b) for a, b in zip(full.split(), result.split(), strict=True) if a != b
            ]
            assert len(changed) == 1
            old, new = (fold(w) for w in changed[0])
            same_group = any(old in g and new in g for g in r.NAME_GROUPS)
            by_rule = any(
                re.sub(pattern, replacement, old, count=1) == new
                or any(
                    old[: m.start()] + replacement + old[m.end() :] == new
                    for m in re.finditer(pattern, old)
                )
                for region in r.regions(listed)
                for pattern, replacement in r.REGIONAL_RULES[region]
            )
            assert same_group or by_rule, (full, result)
    # a name of no region with such customs keeps its spelling
    smith = ListedName("x:2", "x", "Person", "SMITH, John", NameKind.PRIMARY, frozenset({"us"}))
    assert v.romanisation(smith, Random(0)) is None
    assert {"ZERFAOUI, Ahmet", "ZERFAOUI, Ahmed"} <= {
        v.romanisation(
            ListedName("x", "x", "Person", "ZERFAOUI, Ahmad", NameKind.PRIMARY, frozenset({"dz"})),
            Random(s),
        )
        for s in range(60)
    }
