"""Names as they really arrive (scanned, cut at a field width, slipped, stripped of vowels,
spelled the Turkish way) still find the listed person; common names do not make one another;
birth dates are graded evidence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance.matching import DEFAULT_THRESHOLD, Screener, compare, frequency
from clearance.matching.normalize import (
    normalize_name,
    ocr_form,
    read_digits,
    word_break_slips,
    written_last,
)
from clearance.matching.scoring import (
    COMMON_PAIR_SIMILARITY,
    DOB_CONTRADICTS,
    DOB_EXACT,
    DOB_NEAR,
    DOB_SAME_YEAR,
    DOB_YEAR,
    WHOLE_NAME_BASE,
    AlignInput,
    align_many,
    birth_date_evidence,
    consonant_key,
    prefix_similarity,
    token_similarity,
    whole_name_scores,
)
from matching_lists import bundled_screener

GUZMAN = "us_ofac_sdn:6861"  # GUZMAN LOERA, Joaquin


@pytest.fixture(scope="module")
def screener() -> Screener:
    return bundled_screener()


def unit_row(query: str, listed: str) -> AlignInput:
    """The aligner's input for two names whose tokens all weigh one, no cut word."""
    first, second = normalize_name(query), normalize_name(listed)
    ones, twos = (1.0,) * len(first.tokens), (1.0,) * len(second.tokens)
    return (first.tokens, first.kinds, ones, second.tokens, second.kinds, twos, -1)


def top_ids(screener: Screener, name: str, **record: str) -> list[str]:
    return [h.entity_id for h in screener.screen(name, **record)]


@pytest.mark.parametrize(
    "damaged",
    [
        "GUZMAN L0ERA, Joaquin",  # a scanner's digit for a letter
        "UZMAN LOERA, Joaquin",  # first letter lost
        "GUZMAN LOERA, Joa",  # cut at a field width
        "GZMN LR, Jqn",  # inner vowels stripped from every word
        "GUZMAN LOERA, Joaqu1n",
        "GUZMAN LO ERA, Joaquin",  # a word split in two
    ],
)
def test_damaged_names_find_the_listed_person(screener: Screener, damaged: str) -> None:
    assert GUZMAN in top_ids(screener, damaged)


@pytest.mark.parametrize(
    ("damaged", "read_whole"),
    [
        ("GZMN L0R, Jqn", True),  # vowels stripped from every word and a scanner's digit
        ("UZMN LR, Jqn", True),  # first letter lost, then the vowels stripped
        ("GUZMANLOERA, Joaqin", False),  # two words run together and a slip in the third
        ("GUZMAN LOERA, oaqin", False),  # first letter lost and a slip in the same word
    ],
)
def test_names_damaged_twice_still_find_the_listed_person(
    screener: Screener, damaged: str, read_whole: bool
) -> None:
    """Two damages at once; where they leave too little of the words for token pairs, the
    name is read whole and the explanation says so."""
    hits = {h.entity_id: h for h in screener.screen(damaged, schema="Person")}
    assert GUZMAN in hits, damaged
    assert ("read whole" in hits[GUZMAN].explanation) == read_whole


def test_a_name_damaged_in_every_word_is_proposed_by_its_consonants(screener: Screener) -> None:
    """Vowels stripped and the words run together: no word is near a listed word, yet the
    whole consonant key proposes the listed name and scoring reads it whole."""
    expected = screener.screen("MUSONI, Straton")[0].entity_id
    hits = screener.screen("STRTNMSN")
    assert expected in [h.entity_id for h in hits]
    assert "read whole" in hits[0].explanation


def test_a_company_with_an_added_generic_word_is_the_listed_company(screener: Screener) -> None:
    listed = screener.screen("IRAN SAFFRON COMPANY", schema="Company")[0]
    for variant in ("IRAN SAFFRON TRADING COMPANY", "IRAN SAFFRON INTERNATIONAL"):
        hits = {h.entity_id: h.score for h in screener.screen(variant, schema="Company")}
        assert hits.get(listed.entity_id, 0.0) >= DEFAULT_THRESHOLD, variant


def test_whole_name_reading_needs_a_mark_of_damage_or_rare_words() -> None:
    """Read as consonants only where the query shows damage (digits, vowel-stripped words);
    a slip between names made of common names is another person, not a damaged name."""
    assert consonant_key("l0era") == "lr" and consonant_key("guzman") == consonant_key("gzmn")
    assert compare("SGR CRVNT5, Nmso", "OSEGUERA CERVANTES, Nemesio") >= WHOLE_NAME_BASE
    # the clean listed name as the query: no mark of damage, and too far apart letter by letter
    assert compare("OSEGUERA CERVANTES, Nemesio", "SGR CRVNT5, Nmso") < WHOLE_NAME_BASE
    for query, listed in (
        ("Luis Rodriguez Rivera", "RODRIGUEZ OLIVERA, Luis"),
        ("Maria Garcia Lopez", "GARCIA LOPES, Mario"),
    ):
        row = unit_row(query, listed)
        assert whole_name_scores([row])[0][0] == 0.0, query
        # one rule for one pair and for a batch: the scalar and array paths agree
        single = align_many([row]).scores[0]
        assert align_many([row] * 40).scores.tolist() == pytest.approx([single] * 40)


def test_digits_and_turkish_spelling(screener: Screener) -> None:
    for damaged, clean in (
        ("0SEGUERA CERVANTE5, Nemesio", "OSEGUERA CERVANTES, Nemesio"),
        ("ZERFAOUI, Ahmet", "ZERFAOUI, Ahmad"),
    ):
        expected = top_ids(screener, clean)[0]
        assert expected in top_ids(screener, damaged), damaged


def test_common_names_are_not_slips_of_one_another(screener: Screener) -> None:
    # a query token that is a common name is that name (Rivera is not Olivera)...
    assert token_similarity("rivera", "olivera")[0] <= COMMON_PAIR_SIMILARITY
    assert token_similarity("mary", "mark")[0] <= COMMON_PAIR_SIMILARITY
    # ...while a slip that makes no common name is still a slip of the listed one
    assert token_similarity("uzman", "guzman")[0] >= 0.8
    for person in ("Luis Rodriguez Rivera", "Mary J. Taylor", "Mehmet Kaya Celik"):
        assert not screener.screen(person, schema="Person"), person
    # a common name met by another, lesser-ranked name is two names too (Faisal is not
    # Faizullah)
    assert not screener.screen("Faisal Khan", schema="Person")


def test_a_short_word_that_lost_its_first_letter_or_swapped_two(screener: Screener) -> None:
    """Two or three letters left of a listed word ("oko" of Boko, "hol" of Chol), or its
    letters swapped ("ikm" for Kim) are too few for the edit distance, yet the rest of the
    name carries them; a common name left so ("Li" of Ali, "Im" of Kim) is that name."""
    assert token_similarity("oko", "boko")[0] >= 0.75
    assert token_similarity("hol", "chol")[0] >= 0.75
    assert token_similarity("ikm", "kim")[0] >= 0.7
    assert token_similarity("mik", "kim")[0] == 0.0  # the ends swapped: not neighbours
    assert token_similarity("li", "ali")[0] <= COMMON_PAIR_SIMILARITY
    assert token_similarity("oko", "kobo")[0] == 0.0  # a letter lost elsewhere is no slip
    rows = [unit_row("KANG, hol Su", "KANG CHOL SU")]
    single = align_many(rows).scores[0]
    assert align_many(rows * 40).scores.tolist() == pytest.approx([single] * 40)
    assert "Boko Haram" in [h.matched_name for h in screener.screen("oko Haram")]


def test_articles_and_vowel_less_abbreviations() -> None:
    """El-, Il- and Ul- are the Arabic article as French and Spanish clerks write it; "Bd" is
    Abd without its ayn, not the common name the source ranks it as (a common name written
    with its vowels, "Li", is still not a slip of Ali)."""
    assert token_similarity("el", "al")[1] == "transliteration"
    assert token_similarity("bd", "abd")[0] >= 0.7
    assert token_similarity("li", "ali")[0] <= COMMON_PAIR_SIMILARITY


def test_patronymics_of_other_fathers_are_other_names(screener: Screener) -> None:
    """Dmitriyevich and Yuryevich share their ending, not their father; a slip or another
    spelling of one father's name is still that patronymic."""
    assert token_similarity("dmitriyevich", "yuryevich")[0] <= COMMON_PAIR_SIMILARITY
    assert token_similarity("nikolayevich", "nikolaevich")[0] >= 0.9
    assert token_similarity("vladmirovich", "vladimirovich")[0] >= 0.9
    rows = [unit_row("Andrey Dmitriyevich Vorobyev", "VOROBYEV, Andrey Yuryevich")]
    single = align_many(rows).scores[0]
    assert align_many(rows * 40).scores.tolist() == pytest.approx([single] * 40)
    hits = screener.screen("Andrey Dmitriyevich Vorobyev", schema="Person")
    assert "us_ofac_sdn:40242" not in [h.entity_id for h in hits]


def test_another_real_name_in_place_of_a_listed_one_is_another_person() -> None:
    """One given name replaced by another real name is another person: not paired at all
    (Pedro for Mario) or paired only as another name (Marina for Mario, two edits apart),
    it costs more than the given name left out; a slip (Mrio) and one name's vowels
    romanised otherwise (Khalid / Khaled) are still the name."""
    listed = "Mario Julian Castillo Ramos"
    left_out = compare("Julian Castillo Ramos", listed)
    for other in ("Marina Julian Castillo Ramos", "Pedro Julian Castillo Ramos"):
        assert compare(other, listed) < min(left_out, DEFAULT_THRESHOLD), other
    assert compare("Mrio Julian Castillo Ramos", listed) >= DEFAULT_THRESHOLD
    assert token_similarity("khalid", "khaled")[0] >= 0.8
    assert token_similarity("young", "yong")[0] <= COMMON_PAIR_SIMILARITY
    # a family name made from a given name (a final "i") is another name; Ahmed is Ahmad
    assert token_similarity("mohammadi", "muhammad")[0] <= COMMON_PAIR_SIMILARITY
    assert token_similarity("ahmed", "ahmad")[0] >= 0.8
    # one rule for one pair and for a batch: the scalar and array paths agree
    for query in ("Marina Julian Castillo Ramos", "Pedro Julian Castillo Ramos"):
        row = unit_row(query, listed)
        single = align_many([row])
        assert align_many([row] * 40).scores.tolist() == [single.scores[0]] * 40
        assert align_many([row] * 40).another.tolist() == [single.another[0]] * 40


def test_an_unpaired_surname_costs_more_when_the_pairs_prove_little(screener: Screener) -> None:
    """ "John Lee Miller" is not 'LEE, John': both are among the commonest names, and the
    query's surname is not on the listed name."""
    assert not screener.screen("John Lee Miller", schema="Person")
    listed = screener.screen("John Lee", schema="Person", threshold=0.0)
    assert listed and listed[0].score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("person", "listed"),
    [
        ("Reza Kazemi", "KAZEMI, Mohammad Reza"),  # the listed given name missing
        ("Yusuf Adamu", "ADAMU, Salih Yusuf"),
        ("Han Wei", "WEI, Ta Han"),  # short, very common syllables
        ("Muhammad Ahmed", "AHMED, Muhammad Yunis"),  # two of the commonest names
    ],
)
def test_common_names_matching_part_of_a_listed_name_do_not_alert(
    screener: Screener, person: str, listed: str
) -> None:
    """Thousands of people are called "Reza Kazemi": matching two of the three names of
    'KAZEMI, Mohammad Reza' does not make one of them that person, while the full listed
    name still alerts, even with another birth date."""
    near = screener.screen(person, "Person", threshold=0.5)
    owner = {h.matched_name: h.entity_id for h in near}.get(listed)
    assert owner and not screener.screen(person, schema="Person")
    full = screener.screen(listed, schema="Person", birth_date="1901-02-03")
    assert owner in {h.entity_id for h in full}


def test_one_of_two_listed_names_is_not_the_person(screener: Screener) -> None:
    """"Liu Jun" read whole is the given name of 'HUO, Liujun' and lacks the surname, a whole
    end of a two-word name: one of the commonest Chinese names is not that person."""
    listed = screener.screen("HUO, Liujun", schema="Person", birth_date="1901-02-03")
    assert listed and listed[0].matched_name == "HUO, Liujun"
    assert listed[0].entity_id not in top_ids(screener, "Liu Jun", schema="Person")
    assert listed[0].entity_id in top_ids(screener, "Liujun Huo", schema="Person")


def test_two_different_common_names_are_no_pair_unless_the_rest_is_rare() -> None:
    """Jiang is not Zhang, Mahmoud is not Mohamed: where the rest of the name proves little,
    such a pair costs its shortfall again; the same pairing beside a rare name does not."""
    from clearance.matching.scoring import align

    def score(query: tuple[str, ...], listed: tuple[str, ...], weight: float) -> float:
        return align(
            query, (0,) * len(query), (weight,) * len(query),
            listed, (0,) * len(listed), (weight,) * len(listed),
        ).score  # fmt: skip

    common = score(("mahmoud", "hassan"), ("mohamed", "hassan"), 5.0)
    rare = score(("mahmoud", "zerfaoui"), ("mohamed", "zerfaoui"), 5.0)
    assert common < DEFAULT_THRESHOLD <= rare


def test_given_names_swapped_among_common_names_are_another_name() -> None:
    """'Ali Mohamed Hassan' written surname first is that name; "Mohamed Ali Hassan" (the
    given names swapped, no rotation of the listed order) is another common name."""
    from clearance.matching.scoring import align

    listed = ("ali", "mohamed", "hassan")

    def score(query: tuple[str, ...]) -> float:
        return align(query, (0,) * 3, (5.0,) * 3, listed, (0,) * 3, (5.0,) * 3).score

    assert score(("hassan", "ali", "mohamed")) >= DEFAULT_THRESHOLD  # surname first
    assert score(("mohamed", "ali", "hassan")) < DEFAULT_THRESHOLD


def test_a_cut_word_is_only_the_last_one_written() -> None:
    assert written_last("GUZMAN LOERA, Joa") == normalize_name("GUZMAN LOERA, Joa").tokens.index(
        "joa"
    )
    assert written_last("Joaquin Archivaldo Guz") == 2
    assert written_last("ACME TRADING COMPANY LTD") == -1  # ends in a legal form
    # a name shorter than the narrowest legacy field was not cut by one: "Muhammad Khan" is
    # not 'KHANANI, Muhammad' cut short
    assert written_last("Muhammad Khan") == -1
    assert prefix_similarity("joa", "joaquin") > 0.8
    assert prefix_similarity("mohamed", "mohammed") == 0.0  # another spelling, not a cut


def test_a_cut_name_is_not_missing_the_words_the_field_lost(screener: Screener) -> None:
    """The listed words after the one a field cut are not missing from the query; a legal
    form cut short ("COMP") weighs as the legal form."""
    full = screener.screen("GUZMAN LOERA, Joaquin")[0]
    cut = screener.screen("GUZMAN LOERA, Joa")
    assert cut and cut[0].entity_id == full.entity_id and cut[0].score >= DEFAULT_THRESHOLD
    assert compare("Muhammad Khan", "KHANANI, Muhammad") < DEFAULT_THRESHOLD


def test_a_field_cut_word_is_read_as_the_word_it_begins(screener: Screener) -> None:
    """The cut word reaches the listed words it begins at the candidate stage (the rest of
    the name is generic: "JOINT STOCK COMPANY"), may spell a particle ("Al" of "Alexis") and
    is a cut even where both words fold alike ("MATBA" / "MATBAA"); an apostrophe counts in
    the field width."""
    sber = [h.caption for h in screener.screen("JOINT STOCK COMPANY SBER")]
    assert sber and "SBERBANK" in sber[0]
    cut = screener.screen("ROMERO RODRIGUEZ, Al")
    assert cut and cut[0].caption == "ROMERO RODRIGUEZ, Alexis"
    assert cut[0].score >= DEFAULT_THRESHOLD
    # a common surname and a given name cut short: proposed, and first
    person = screener.screen("KUZNETSOVA, Anas", threshold=0.5)
    assert person and person[0].caption.startswith("KUZNETSOVA, Anastasiya")
    listed = "TURKEN DIJITAL MATBAA TEKNOLOJILERI BILGISAYAR BILISIM KIRTASIYE SANAYI"
    assert compare("TURKEN DIJITAL MATBA", listed) >= DEFAULT_THRESHOLD
    assert written_last("BA'ASYIR, Abduro") == 0  # 16 characters with its apostrophe
    # one listed word is not two joined ones because another word follows it
    assert compare("CORPOMEDIOS GV INVER", "CORPOMEDIOS GV INVERSIONES, C.A.") > 0.9


def test_a_letter_slipped_across_the_comma_is_put_back(screener: Screener) -> None:
    """'HAMA,D Fathi' and 'HAMAD,F athi' are 'HAMAD, Fathi' with a letter moved across the
    comma: found just below an exact hit, and the explanation says how it was read."""
    for slipped in ("HAMA,D Fathi", "HAMAD,F athi"):
        hits = screener.screen(slipped)
        assert hits and hits[0].matched_name == "HAMAD, Fathi"
        assert DEFAULT_THRESHOLD <= hits[0].score < 1.0
        assert "put back across a word break" in hits[0].explanation
    assert not screener.screen("SMITH,J ROBERT")  # an initial against the comma stays one


def test_a_letter_slipped_across_a_space_is_put_back(screener: Screener) -> None:
    """A word the lists lack that a letter moved across a space or hyphen would make two
    listed words is read repaired too ("SBE RBANK": SBER BANK); two listed words are left
    as they are (a slip between them would only make another real name)."""
    known = screener.index.vocab_ids.__contains__
    assert word_break_slips("SBE RBANK", known) == ["SBER BANK"]
    assert word_break_slips("MACHANGAL TD", known) == ["MACHANGA LTD"]
    assert word_break_slips("Maria Lopez", known) == []
    hits = screener.screen("Shei kOmar")
    assert hits and hits[0].matched_name.lower() == "sheik omar"
    assert "put back across a word break" in hits[0].explanation


@given(st.text("abcilmnorsuvw0123456789", max_size=12))
def test_ocr_form_is_a_fold(token: str) -> None:
    """Reading a token again changes nothing, and a digit read as its letter reads alike."""
    assert ocr_form(ocr_form(token)) == ocr_form(token)
    assert ocr_form(read_digits(token)) == ocr_form(token) or read_digits(token) == token


def test_population_ranks() -> None:
    assert frequency.is_common("john") and frequency.is_common("mehmet")
    assert not frequency.is_common("zerfaoui")
    assert frequency.ranks(["john", "zerfaoui", "x" * 40]).tolist() == [
        frequency.rank("john"),
        0,
        0,
    ]
    assert frequency.rank_weight(1) < frequency.rank_weight(100) < frequency.rank_weight(0)


def test_birth_dates_are_graded() -> None:
    listed = (("1957-04-04", None),)

    def delta(query: str | list[str]) -> float:
        found = birth_date_evidence(query, listed)
        assert found is not None
        return found.delta

    assert delta("1957-04-04") == DOB_EXACT
    assert delta("1957") == DOB_YEAR
    for near in ("1958-04-04", "1957-04-06", "1957-04-14", "1957-03-04"):
        assert delta(near) == DOB_NEAR, near
    assert delta("1957-04-32") == DOB_YEAR  # no such day: compared to the month, equal
    assert delta("1957-11-20") == DOB_SAME_YEAR
    assert delta("1962-04-04") == delta("1990-01-01") == DOB_CONTRADICTS
    assert delta(["1957-05-04", "1957-04-04"]) == DOB_EXACT  # both readings of 04/05/1957
    assert birth_date_evidence("1960", (("1955", "1962"),)).delta == DOB_YEAR  # type: ignore[union-attr]


def test_a_listed_year_alone_is_near_only_a_year_off() -> None:
    """One digit off in a year alone (1956 for 1986) is a dozen years wide: no slip."""
    listed = (("1986", None),)
    for near in ("1985-06-02", "1987-01-30"):
        assert birth_date_evidence(near, listed).delta == DOB_NEAR, near  # type: ignore[union-attr]
    for other in ("1956-06-02", "1981-06-02", "1996-06-02"):
        assert birth_date_evidence(other, listed).delta == DOB_CONTRADICTS, other  # type: ignore[union-attr]
    # with the month listed, a slip in the year is a slip
    assert birth_date_evidence("1956-06-02", (("1986-06", None),)).delta == DOB_NEAR  # type: ignore[union-attr]


def test_exact_name_with_a_near_birth_date_alerts_below_the_matching_date(
    screener: Screener,
) -> None:
    info = screener.index.entities[
        next(i for i, e in enumerate(screener.index.entities) if e.id == GUZMAN)
    ]
    date = info.birth_dates[0][0]
    year = int(date[:4])
    same = screener.screen("GUZMAN LOERA, Joaquin", birth_date=date)[0]
    near = screener.screen("GUZMAN LOERA, Joaquin", birth_date=f"{year + 1}{date[4:]}")[0]
    far = screener.screen("GUZMAN LOERA, Joaquin", birth_date=f"{year + 11}{date[4:]}")[0]
    assert same.entity_id == near.entity_id == far.entity_id == GUZMAN
    assert same.score > near.score > far.score >= DEFAULT_THRESHOLD
    # a day that does not exist is read at the month it still gives: below the exact date
    month = screener.screen("GUZMAN LOERA, Joaquin", birth_date=f"{date[:8]}32")[0]
    assert month.entity_id == GUZMAN and DEFAULT_THRESHOLD <= month.score < same.score
