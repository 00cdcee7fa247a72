"""Names in other scripts: the romanisation conventions of each script, and screening the
bundled lists (which give Latin names only, but for the UN's Arabic ones) with them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearance import Screener
from clearance.matching.normalize import name_renderings
from clearance.matching.transliterate import (
    MAX_RENDERINGS,
    SUPPORTED_SCRIPTS,
    korean_spelling_key,
    latin_renderings,
    script_of,
    word_script,
)
from clearance.model import Entity, Name
from matching_lists import bundled_screener


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Αλέξης Τσίπρας", "alexis tsipras"),  # Greek ELOT 743
        ("Ντόναλντ", "donald"),  # Greek writes a foreign d as ντ
        ("Гліб", "Hlib"),  # Ukrainian: г is h
        ("Щерев", "Shterev"),  # Bulgarian: щ is sht
        ("Евгений", "Yevgeniy"),  # Russian: е at the start is ye
        ("حسن", "hasan"),  # Arabic: the short vowels filled in
        ("بكر", "bakr"),
        ("بوتين", "putin"),  # Arabic has no p: b stands for it
        ("פוטין", "putin"),  # Hebrew: the vowel letter is o or u
        ("张学良", "zhang xueliang"),  # pinyin, surname first, given name joined
        ("张学良", "chang hsuehliang"),  # Wade-Giles
        ("安倍晋三", "abe shinzo"),  # kanji read in Japanese, long vowels written once
        ("石川 健一", "ishikawa kenichi"),  # a family name of two kanji written apart: Japanese
        ("プーチン", "putin"),  # katakana's added vowels taken out of a foreign name
        ("박영식", "park yongsik"),  # Hangul: McCune-Reischauer, conventional surname, joined
        ("박영식", "park yeongsik"),  # Revised Romanization
        ("푸틴", "putin"),  # a foreign name in Hangul
        ("პუტინი", "p'ut'in"),  # Georgian: the nominative -i of foreign names dropped
        ("Փաշինյան", "P'ashinyan"),  # Armenian
        ("नरेन्द्र मोदी", "narendra modi"),  # Devanagari: the inherent a, dropped at the end
    ],
)
def test_script_conventions(text: str, expected: str) -> None:
    assert expected in latin_renderings(text)


def test_latin_and_mixed_script_words_are_left_to_normalisation() -> None:
    assert latin_renderings("Vladimir Putin") == ()
    assert word_script("Vlаdimir") == "mixed"  # a Cyrillic а inside: an evasion, folded
    assert latin_renderings("Vlаdimir") == ()
    assert [n.key for n in name_renderings("Vlаdimir")] == ["vladimir"]


def test_punctuation_around_a_word_is_kept_out_of_its_reading() -> None:
    assert "Jin Tiesan (jin tiesan)" in latin_renderings("Jin Tiesan (金铁三)")


@settings(deadline=None)  # the first call loads the readings of pypinyin and pykakasi
@given(st.text(max_size=30))
def test_renderings_are_few_latin_and_stable(text: str) -> None:
    renderings = latin_renderings(text)
    assert len(renderings) <= MAX_RENDERINGS
    assert len(set(renderings)) == len(renderings)
    assert renderings == latin_renderings.__wrapped__(text)
    for rendering in renderings:
        assert not any(script_of(c) in SUPPORTED_SCRIPTS for c in rendering), rendering


@pytest.fixture(scope="module")
def screener() -> Screener:
    return bundled_screener()


PUTIN, NASRALLAH, MADURO = "us_ofac_sdn:35096", "us_ofac_sdn:2686", "us_ofac_sdn:22790"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "entity_id"),
    [
        ("Βλαντιμίρ Πούτιν", PUTIN),
        ("ولاديمير بوتين", PUTIN),
        ("حسن نصر الله", NASRALLAH),
        ("نيكولاس مادورو", MADURO),
        ("李方伟", "us_ofac_sdn:11447"),
        ("ウラジーミル・プーチン", PUTIN),
        ("블라디미르 푸틴", PUTIN),
        ("ვლადიმერ პუტინი", PUTIN),
        ("Վլադիմիր Պուտին", PUTIN),
        ("ולדימיר פוטין", PUTIN),
        # beyond the examples
        ("Νικολάς Μαδούρο", MADURO),
        ("Ραμζάν Καντίροφ", "us_ofac_sdn:23343"),
        ("قاسم سلیمانی", "un_sc_sanctions:IRi.039"),  # Persian yeh
        ("김정은", "us_ofac_sdn:20157"),
        ("김여정", "us_ofac_sdn:21444"),
        ("ニコラス・マドゥロ", MADURO),
        ("니콜라스 마두로", MADURO),
        ("Նիկոլաս Մադուրո", MADURO),
        ("Олег Дерипаска", "us_ofac_sdn:24283"),
        ("ओसामा बिन लादेन", "us_ofac_sdn:6365"),
    ],
)
def test_names_in_other_scripts_find_the_listed_entity(
    screener: Screener, name: str, entity_id: str
) -> None:
    hits = screener.screen(name)
    assert entity_id in [h.entity_id for h in hits], name


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("김상훈", "us_ofac_sdn:27212"),  # Sang Hun is not KIM, Song Hun
        ("김은정", "us_ofac_sdn:20157"),  # Eun Jeong is not KIM, Jong Un turned around
        ("김경수", "us_ofac_sdn:21743"),  # Kyong Su is not KIM, Yong Su
        ("지성현", "us_ofac_sdn:27923"),  # 지 is no surname of the table; not JI, Songyan
    ],
)
def test_korean_names_a_syllable_apart_are_other_people(
    screener: Screener, name: str, other: str
) -> None:
    """A name read from Hangul is spelled by convention: a listed syllable a letter away is
    another name, not a slip (Korean names share few syllables, so near ones are common)."""
    assert other not in [h.entity_id for h in screener.screen(name, schema="Person")]


def test_korean_spellings_of_one_syllable_share_a_key() -> None:
    assert korean_spelling_key("Byeong-ho") == korean_spelling_key("pyong ho")
    assert korean_spelling_key("Sung Chul") == korean_spelling_key("seongcheol")
    assert korean_spelling_key("sang") != korean_spelling_key("song")
    assert korean_spelling_key("kyong") != korean_spelling_key("yong")
    assert korean_spelling_key("hasan") == korean_spelling_key("Hassan")


def test_latin_query_meets_an_original_script_list_name() -> None:
    """A list that gives a name in Arabic or Cyrillic only: its renderings are indexed, and
    the hit names the listed name as written."""
    listed = Screener.from_entities(
        [
            Entity("x:1", "Person", [Name("حسن نصر الله")]),
            Entity("x:2", "Person", [Name("Умаров Доку Хаматович")]),
            Entity("x:3", "Person", [Name("Ivan Petrov")]),
        ]
    )
    hits = listed.screen("Hassan Nasrallah")
    assert [h.entity_id for h in hits] == ["x:1"] and hits[0].matched_name == "حسن نصر الله"
    assert [h.entity_id for h in listed.screen("Doku Umarov")] == ["x:2"]


@pytest.mark.slow
def test_a_batch_mixing_scripts_is_screened_like_its_names_one_by_one(screener: Screener) -> None:
    """A batch large enough for the array path, whose non-Latin names render to other tokens
    than the name as written (李方伟: one word written, two rendered)."""
    names = ["李方伟", "ولاديمير بوتين", "GUZMAN LOERA, Joa", "Vladimir Putin"] * 12
    batch = screener.screen_many([{"name": n} for n in names])
    for name, hits in zip(names[:4], batch[:4], strict=True):
        assert [h.entity_id for h in hits][:1] == [h.entity_id for h in screener.screen(name)][:1]
    assert batch[0][0].entity_id == "us_ofac_sdn:11447" and batch[1][0].entity_id == PUTIN


@pytest.mark.slow
def test_renderings_do_not_change_latin_screening(screener: Screener) -> None:
    hits = screener.screen("Vladimir Putin")
    assert hits[0].entity_id == PUTIN and hits[0].score == 1.0


def test_greek_writes_foreign_j_and_w_as_the_press_does() -> None:
    """τζ is a foreign j (Τζαβάντ = Javad), ου before a vowel a w (Σαμπαουί = Sabawi)."""
    from clearance.matching.normalize import name_renderings

    def readings(text: str) -> set[str]:
        return {t for n in name_renderings(text) for t in n.tokens}

    assert "javad" in readings("Τζαβάντ")
    assert "sabawi" in readings("Σαμπαουί")
    assert "putin" in readings("Πούτιν")  # ου before a consonant stays u


def test_katakana_du_and_di_read_as_d() -> None:
    """ヅ and ヂ, all but unused for a foreign z or j, stand for du and di in a name."""
    from clearance.matching.normalize import name_renderings

    readings = {t for n in name_renderings("アブヅル・ハミド") for t in n.tokens}
    assert "abdoul" in readings and "hamid" in readings


def _readings(text: str) -> set[str]:
    return {n.key for n in name_renderings(text)}


def test_a_comma_keeps_the_surname_first_order_of_a_name_in_any_script() -> None:
    """"SURNAME, Given" in Hebrew or Arabic (the Arabic comma too) reads as in Latin."""
    assert latin_renderings("סלה, ג׳מל")[0] == "slah, jml"
    assert name_renderings("סלה, ג׳מל")[0].key == "jml slah"
    assert latin_renderings("مبارك، احمد")[0].startswith("mbark, ")


def test_abjad_alef_before_a_vowel_letter_only_carries_it() -> None:
    """اومار / אומר: Omar, not Aomar."""
    assert "shik omar" in _readings("شيك اومار")
    assert "omr" in {t for n in name_renderings("אומר") for t in n.tokens}


def test_abjad_consonant_reading_is_screened_but_not_indexed() -> None:
    """A query in an abjad also gets its consonants alone; a listed name does not."""
    assert "mbrk" in latin_renderings("مبارك")[-1]
    assert "mbrk" not in latin_renderings("مبارك", listed=True)


def test_arabic_writes_a_foreign_ch_as_tsh() -> None:
    assert "chaviz" in _readings("تشافيز")


def test_katakana_small_vowels_and_the_lone_h() -> None:
    """シェ is she (pykakasi reads shie); フ with no vowel heard is an h inside a word and
    an f or an h at its end; ユ keeps its u."""
    assert "sherif" in _readings("シェリフ")
    assert "ahmed saleh" in _readings("アフメド・サレフ")
    assert "yusf" in _readings("ユスフ")


def test_hangul_foreign_names_that_begin_like_a_korean_surname() -> None:
    """안와르 (Anwar) begins with the surname 안 (Ahn); 르 says it is foreign. ㅈ is also z."""
    assert "anwar" in _readings("안와르")
    assert "aziz" in _readings("아지즈")
    assert "kim chongun" in _readings("김정은")  # the given name kept joined


def test_a_one_word_hangul_name_is_korean_whatever_its_surname(screener: Screener) -> None:
    """현 is not among the conventional surnames, yet 현광일 alone is a Korean name (HYON Kwang
    Il); among other words it is a word of a foreign name, read as one."""
    assert "hyon kwangil" in _readings("현광일")
    assert "hyeongwangil" in _readings("현광일")
    assert not any(r.startswith("hyon ") for r in latin_renderings("현광일 하리스"))
    assert "pu tin" in _readings("푸틴") and "putin" in _readings("푸틴")
    hits = screener.screen("현광일", schema="Person")
    assert {"us_ofac_sdn:19534", "un_sc_sanctions:KPi.015"} <= {h.entity_id for h in hits}


def test_greek_accents_lost_h_and_ng() -> None:
    """An accent on the first vowel keeps a pair apart (σέικ: Sheik); Greek drops a foreign
    h (Φααντ: Fahad); τσ is a foreign ch; γκ after a vowel may be ng (Καγκ: Kang)."""
    assert "seik omar" in _readings("σέικ ομαρ")
    assert "fahad" in _readings("φααντ")
    assert "chol su" in _readings("τσολ σου")
    assert "kang" in _readings("καγκ")
