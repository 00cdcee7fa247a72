"""Each variant rule makes the kind of change its class names, and only applies where it can."""

from __future__ import annotations

import unicodedata
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance.evaluation import variants as v
from clearance.evaluation.names import ListedName, fold_tokens
from clearance.evaluation.scripts import SCRIPT_RULES
from clearance.model import NameKind

# Names as the bundled lists write them (OFAC SDN / UN).
GUZMAN = "GUZMAN LOERA, Joaquin Archivaldo"
ZAWAHIRI = "Ayman Muhammad Rabi al-Zawahiri"
FAMILIA = "LA NUEVA FAMILIA MICHOACANA"
SIS = "SIS d.o.o."
ANGLO = "ANGLO-CARIBBEAN CO., LTD."
SAN_SEBASTIAN = "CORPORACION SAN SEBASTIAN S.A. DE C.V."


def person(
    full: str, countries: str = "", gender: str | None = None, script: str = ""
) -> ListedName:
    return ListedName(
        "us_ofac_sdn:1",
        "us_ofac_sdn",
        "Person",
        full,
        NameKind.PRIMARY,
        frozenset(countries.split()),
        gender,
        (script,) if script else (),
    )


def company(full: str) -> ListedName:
    return ListedName("us_ofac_sdn:2", "us_ofac_sdn", "Organization", full, NameKind.PRIMARY)


def run(rule, name: ListedName, seeds: range = range(20)) -> list[str]:
    """The rule's output for several random streams (all must be non-None where it applies)."""
    return [rule(name, Random(seed)) for seed in seeds]


def letters_distance(a: str, b: str) -> int:
    """Levenshtein distance, for checking that a typo is exactly one edit."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


latin_names = st.lists(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12
    ),
    min_size=1,
    max_size=4,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(latin_names, st.integers(0, 10_000))
def test_typo_is_one_edit_in_one_word(full: str, seed: int) -> None:
    result = v.typo(person(full), Random(seed))
    if " " not in full and len(full) < v.MIN_SINGLE_WORD_LENGTH:
        assert result is None  # a one-letter change to a short acronym is another acronym
        return
    assert result is not None and result != full
    assert letters_distance(result, full) == 1
    assert len(result.split()) == len(full.split())


@settings(max_examples=200, deadline=None)
@given(latin_names, st.integers(0, 10_000))
def test_transposition_swaps_two_adjacent_letters(full: str, seed: int) -> None:
    result = v.transposition(person(full), Random(seed))
    if result is None:  # a short acronym, or every word is one repeated letter
        short = " " not in full and len(full) < v.MIN_SINGLE_WORD_LENGTH
        assert short or all(len(set(w.lower())) == 1 for w in full.split())
        return
    diffs = [i for i, (a, b) in enumerate(zip(result, full, strict=True)) if a != b]
    assert len(diffs) == 2 and diffs[1] == diffs[0] + 1
    assert sorted(result) == sorted(full)


@settings(max_examples=200, deadline=None)
@given(latin_names, st.integers(0, 10_000))
def test_adversarial_rules_keep_the_visible_name(full: str, seed: int) -> None:
    name = person(full)
    looks_like = {glyph: latin for latin, glyphs in v.HOMOGLYPHS.items() for glyph in glyphs}
    homoglyphs = v.homoglyphs(name, Random(seed))
    if homoglyphs is None:  # no letter of the name has a look-alike
        assert not set(full) & set(v.HOMOGLYPHS)
        homoglyphs = full
    assert homoglyphs != full or not set(full) & set(v.HOMOGLYPHS)
    assert "".join(looks_like.get(c, c) for c in homoglyphs) == full
    invisible = v.invisible(name, Random(seed))
    assert invisible is not None and invisible != full
    assert "".join(c for c in invisible if c not in v.INVISIBLE_CHARACTERS) == full


def test_no_letter_edits_in_short_acronyms() -> None:
    for acronym in ("CJNG", "AQIS", "LNFM"):
        assert v.typo(company(acronym), Random(0)) is None
        assert v.transposition(company(acronym), Random(0)) is None
    assert v.typo(company("HAMAS"), Random(0)) is not None


def test_homoglyphs_use_cyrillic_or_greek_letters() -> None:
    for result in run(v.homoglyphs, person(GUZMAN)):
        swapped = [c for c in result if c not in GUZMAN]
        assert 1 <= len(swapped) <= 3
        assert all(unicodedata.name(c).split()[0] in ("CYRILLIC", "GREEK") for c in swapped)


def test_dropped_vowels_removes_inner_vowels_of_one_word() -> None:
    for result in run(v.dropped_vowels, person(GUZMAN)):
        changed = [(a, b) for a, b in zip(result.split(), GUZMAN.split(), strict=True) if a != b]
        assert len(changed) == 1
        short, word = changed[0]
        assert short[0] == word[0] and not set(short[1:].lower()) & set("aeiou")
    assert v.dropped_vowels(person("OSA, Li"), Random(0)) is None  # nothing long enough


def test_case_and_accents() -> None:
    for result in run(v.case, company(FAMILIA)):
        assert result != FAMILIA and result.upper() == FAMILIA
    stripped = v.accents(company("CÁRTELES UNIDOS"), Random(0))
    assert stripped == "CARTELES UNIDOS"
    for result in run(v.accents, person(GUZMAN)):
        base = "".join(
            c for c in unicodedata.normalize("NFD", result) if not unicodedata.combining(c)
        )
        assert base == GUZMAN and result != GUZMAN


def test_transliteration_applies_spelling_rules_not_random_letters() -> None:
    results = run(v.transliteration, person(ZAWAHIRI), range(60))
    assert all(r and r != ZAWAHIRI for r in results)
    assert "Ayman Mohammad Rabi al-Zawahiri" in results  # u -> o between consonants
    assert any("Muhamad" in r for r in results)  # doubled letter simplified
    dicko = set(run(v.transliteration, person("DICKO, Jafar"), range(60)))
    assert "DICKO, Djafar" in dicko  # the word's case style is kept
    assert v.transliteration(person("Сергей Иванов"), Random(0)) is None  # Latin names only


def test_cyrillic_renders_a_latin_person_name_in_cyrillic() -> None:
    result = v.cyrillic(person("BASHANKAYEV, Badma Nikolayevich"), Random(0))
    assert result == "Башанкаев, Бадма Николаевич"
    assert v.cyrillic(company(FAMILIA), Random(0)) is None


def test_original_script_respells_the_listed_arabic_name() -> None:
    marked = "أَيْمَن الظواهري"
    assert v.original_script(person(ZAWAHIRI, script=marked), Random(0)) == "أيمن الظواهري"
    plain = "أيمن محمد ربيع الظواهري"
    for result in run(v.original_script, person(ZAWAHIRI, script=plain)):
        assert result != plain and len(result) == len(plain)
    article = "تنظيم القاعدة"  # the article "ال" never gets a hamza
    assert all("أل" not in r for r in run(v.original_script, person(ZAWAHIRI, script=article)))
    assert v.original_script(person(ZAWAHIRI), Random(0)) is None  # no original script listed
    assert v.original_script(person(ZAWAHIRI, script="王伟"), Random(0)) is None


def test_dropped_token_keeps_first_given_name_and_first_surname() -> None:
    results = set(run(v.dropped_token, person(GUZMAN)))
    assert results == {"GUZMAN, Joaquin Archivaldo", "GUZMAN LOERA, Joaquin"}
    assert v.dropped_token(person("SALIM, Suhayl"), Random(0)) is None  # two tokens only
    for result in run(v.dropped_token, company("BANK FOR FOREIGN TRADE OF RSFSR")):
        assert len(result.split()) == 5 and result.startswith("BANK ")


def test_dropped_token_leaves_legal_forms_and_particles_out_of_the_count() -> None:
    # names on the SDN list: a leading legal form is not content, so two words are too few
    assert v.dropped_token(company("LIMITED LIABILITY COMPANY BALTINFOKOM"), Random(0)) is None
    assert v.dropped_token(company("JSC SPO ARKTIKA"), Random(0)) is None
    for result in run(v.dropped_token, company("LIMITED LIABILITY COMPANY ARKTIK LOGISTIK X")):
        assert result.startswith("LIMITED LIABILITY COMPANY ")
    # "BEN AZZA, Youssef": the surname never shrinks to its particle
    assert v.dropped_token(person("BEN AZZA, Youssef"), Random(0)) is None


def test_added_token_adds_a_given_name_or_a_generic_company_word() -> None:
    for result in run(v.added_token, person(GUZMAN)):
        surnames, givens = result.split(", ")
        assert surnames == "GUZMAN LOERA" and len(givens.split()) == 3
        assert givens.split()[0] == "Joaquin" and givens.split()[2] == "Archivaldo"
    for result in run(v.added_token, company(SAN_SEBASTIAN)):
        assert result.endswith(" S.A. DE C.V.")  # inserted before the legal form
        assert len(result.split()) == len(SAN_SEBASTIAN.split()) + 1


def test_dropped_second_surname_only_for_hispanic_two_surname_persons() -> None:
    assert v.dropped_second_surname(person(GUZMAN, "mx"), Random(0)) == "GUZMAN, Joaquin Archivaldo"
    assert v.dropped_second_surname(person(GUZMAN, "ru"), Random(0)) is None
    assert v.dropped_second_surname(person("OSEGUERA, Ruben", "mx"), Random(0)) is None
    with_particle = person("DE LA CRUZ REYNA, Jose", "mx")
    assert v.dropped_second_surname(with_particle, Random(0)) == "DE LA CRUZ, Jose"
    married = person("FLORES DE MADURO, Cilia Adela", "ve")
    assert v.dropped_second_surname(married, Random(0)) == "FLORES, Cilia Adela"


def test_reordered_swaps_surname_and_given_names() -> None:
    assert v.reordered(person(GUZMAN), Random(0)) == "Joaquin Archivaldo GUZMAN LOERA"
    assert v.reordered(person(ZAWAHIRI), Random(0)) == "al-Zawahiri, Ayman Muhammad Rabi"
    assert v.reordered(company(FAMILIA), Random(0)) is None


def test_particles_dropped_or_added() -> None:
    assert set(run(v.particles, company(FAMILIA))) == {"NUEVA FAMILIA MICHOACANA"}
    assert v.particles(person(ZAWAHIRI), Random(0)) == "Ayman Muhammad Rabi Zawahiri"
    assert v.particles(person(GUZMAN, "mx"), Random(0)) == "GUZMAN DE LOERA, Joaquin Archivaldo"
    assert v.particles(person("HIJAZI, Samir", "sy"), Random(0)) == "AL-HIJAZI, Samir"
    assert v.particles(person("TROFIMOV, Andriy", "ru ua"), Random(0)) is None  # no such custom
    assert v.particles(person("MEER, Jan", "nl"), Random(0)) == "VAN MEER, Jan"
    # A particle inside the legal form is not a name particle.
    assert v.particles(company(SAN_SEBASTIAN), Random(0)) is None


def test_initials_and_titles_for_persons_only() -> None:
    assert v.initials(person(GUZMAN), Random(0)) == "GUZMAN LOERA, J. Archivaldo"
    assert v.initials(person(ZAWAHIRI), Random(0)) == "A. Muhammad Rabi al-Zawahiri"
    assert v.initials(company(FAMILIA), Random(0)) is None
    for result in run(v.title, person(GUZMAN, gender="male")):
        title, rest = result.split(" ", 1)
        assert rest == GUZMAN and title.rstrip(".").isalpha()
        assert title not in ("Mrs.", "Ms.", "Sra.", "Dona")
    assert v.title(company(FAMILIA), Random(0)) is None


@pytest.mark.parametrize(
    ("listed", "spellings"),
    [
        (SIS, {"SIS DOO"}),
        (ANGLO, {"ANGLO-CARIBBEAN CO LTD", "ANGLO-CARIBBEAN COMPANY LIMITED"}),
        (
            SAN_SEBASTIAN,
            {"CORPORACION SAN SEBASTIAN SA DE CV", "CORPORACION SAN SEBASTIAN SA de CV"},
        ),
        ("KAVOSH LLC", {"KAVOSH L.L.C.", "KAVOSH Limited Liability Company"}),
    ],
)
def test_legal_form_swaps_spellings_of_the_same_form(listed: str, spellings: set[str]) -> None:
    results = set(run(v.legal_form, company(listed), range(40)))
    assert spellings <= results
    assert all(fold_tokens(r)[0] == fold_tokens(listed)[0] for r in results)
    assert v.legal_form(company(FAMILIA), Random(0)) is None
    assert v.legal_form(person(GUZMAN), Random(0)) is None


def test_every_class_is_registered_once_with_a_description() -> None:
    names = [c.name for c in v.VARIANT_CLASSES]
    assert len(names) == len(set(names)) == len(v.VARIANT_CLASS_BY_NAME)
    assert {name for name, _ in SCRIPT_RULES} <= set(names)
    assert {c.name for c in v.VARIANT_CLASSES if c.adversarial} == {
        "homoglyphs",
        "invisible",
        "dropped_vowels",
        "vowels_all",
    }
    assert {c.kind for c in v.VARIANT_CLASSES} == {v.BENIGN, v.DAMAGED, v.ADVERSARIAL}
    assert all(c.description for c in v.VARIANT_CLASSES)
