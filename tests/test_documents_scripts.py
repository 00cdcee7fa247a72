"""Document scanning of running text in other scripts (Cyrillic, Arabic, Chinese, Japanese,
Korean) and of names as journalists write them (a partial name with a nickname, organisations
under one head noun), on the real lists + register."""

from __future__ import annotations

import pytest

from clearance.documents import mention_index, scan
from clearance.documents.mentions import Mention
from clearance.documents.phrasing import head_of
from clearance.documents.scripts import script_groups, vowels_left_out
from clearance.matching import Screener
from matching_lists import bundled_screener

PUTIN = "us_ofac_sdn:35096"
KADYROV = "us_ofac_sdn:23343"
NASRALLAH = "us_ofac_sdn:2686"
HIZBALLAH = {"us_designations:hizballah", "us_ofac_sdn:4697"}
LI_FANGWEI = "us_ofac_sdn:11447"
KIM_JONG_UN = "us_ofac_sdn:20157"
OSEGUERA = "us_ofac_sdn:17674"
SINALOA = {"us_designations:cartel-de-sinaloa", "us_ofac_sdn:11440"}
CJNG = {"us_designations:cartel-de-jalisco-nueva-generacion", "us_ofac_sdn:17671"}
GOLFO = {"us_designations:cartel-del-golfo", "us_ofac_sdn:10386"}
NORESTE = {"us_designations:cartel-del-noreste", "us_ofac_sdn:11438"}


@pytest.fixture(scope="module")
def screener() -> Screener:
    return bundled_screener()


def by_text(mentions: list[Mention]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for mention in mentions:
        found.setdefault(mention.text, set()).add(mention.entity_id)
    return found


# --- one news article per script -------------------------------------------------------------

RUSSIAN = (
    "МОСКВА, 14 марта — РИА Новости. Президент России Владимир Путин провёл в Кремле совещание "
    "с постоянными членами Совета безопасности. По словам пресс-секретаря, обсуждались вопросы "
    "экономики и новых санкций. Глава Чечни Рамзан Кадыров также принял участие в заседании по "
    "видеосвязи.\nРанее министерство финансов США расширило санкционный список. Критики "
    "Владимира Путина заявили, что новые меры не изменят политику Москвы. Корреспондент Анна "
    "Смирнова сообщила о ремонте дорог."
)
ARABIC = (
    "بيروت (رويترز) - قال الأمين العام لحزب الله حسن نصر الله في كلمة متلفزة مساء الجمعة إن "
    "الحزب لن يتراجع عن مواقفه، مضيفا أن الضغوط الاقتصادية على لبنان لن تغير شيئا.\n"
    "وكانت وزارة الخزانة الأمريكية قد فرضت عقوبات جديدة على مسؤولين في الحزب. وقال رئيس "
    "الوزراء نجيب ميقاتي إن الحكومة تتابع الملف مع الشركاء الدوليين، فيما دعا وزير الخارجية "
    "إلى الحوار."
)
CHINESE = (
    "新华社北京3月14日电 美国财政部周二宣布，对中国商人李方伟及其控制的多家公司实施制裁。"
    "美方称，李方伟长期通过在大连和香港注册的公司向伊朗导弹项目出售石墨和特种钢材。\n"
    "中国外交部发言人王文斌在例行记者会上表示，中方坚决反对美方滥用单边制裁，"
    "将采取必要措施维护中国企业的正当权益。"
)
JAPANESE = (
    "【モスクワ共同】ロシアのウラジーミル・プーチン大統領は14日、クレムリンで安全保障会議を"
    "開いた。ペスコフ大統領報道官によると、会議では米国の追加制裁への対応が協議された。\n"
    "一方、岸田文雄首相は同日、記者団に対し、日本政府としても新たな制裁措置を検討していると"
    "述べた。"
)
KOREAN = (
    "[서울=연합뉴스] 블라디미르 푸틴 러시아 대통령은 14일 크렘린궁에서 안보회의를 주재했다. "
    "크렘린궁 대변인은 회의에서 미국의 추가 제재에 대한 대응이 논의됐다고 밝혔다.\n"
    "한편 북한의 김정은 국무위원장은 같은 날 미사일 발사 현장을 참관했다고 조선중앙통신이 "
    "보도했다. 한국 정부도 이날 새로운 수출 통제 조치를 발표했다."
)

ARTICLES = {
    "russian": (
        RUSSIAN,
        {
            "Владимир Путин": {PUTIN},
            "Владимира Путина": {PUTIN},  # genitive: case endings left out
            "Рамзан Кадыров": {KADYROV},
        },
        ["Анна Смирнова", "Москвы"],
    ),
    "arabic": (
        ARABIC,
        {"حزب الله": HIZBALLAH, "حسن نصر الله": {NASRALLAH}},  # لحزب: "of Hizballah"
        ["نجيب ميقاتي", "لبنان"],
    ),
    "chinese": (CHINESE, {"李方伟": {LI_FANGWEI}}, ["王文斌", "外交部"]),
    "japanese": (JAPANESE, {"ウラジーミル・プーチン": {PUTIN}}, ["岸田文雄"]),
    "korean": (
        KOREAN,
        {"블라디미르 푸틴": {PUTIN}, "김정은": {KIM_JONG_UN}},
        ["조선중앙통신"],
    ),
}


@pytest.mark.parametrize("script", sorted(ARTICLES))
def test_article_in_another_script(screener: Screener, script: str) -> None:
    text, expected, not_mentions = ARTICLES[script]
    mentions = scan(text, screener)
    found = by_text(mentions)
    for name, ids in expected.items():
        assert name in text
        assert ids <= found.get(name, set()), (name, found)
    assert set(found) == set(expected), f"unexpected mentions: {set(found) - set(expected)}"
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.score >= 0.8
        assert not mention.weak
        assert "read " in mention.explanation  # the Latin rendering it was matched by
    for name in not_mentions:
        assert name in text
        assert not any(m.start <= text.index(name) < m.end for m in mentions), name


def test_every_occurrence_has_its_own_offsets(screener: Screener) -> None:
    spans = [(m.start, m.end) for m in scan(CHINESE, screener) if m.entity_id == LI_FANGWEI]
    first = CHINESE.index("李方伟")
    second = CHINESE.index("李方伟", first + 1)
    assert spans == [(first, first + 3), (second, second + 3)]


@pytest.mark.parametrize(
    ("text", "written", "entity_id"),
    [
        ("وقال حسن نصر الله إن", "حسن نصر الله", NASRALLAH),
        ("التقى الوفد بحسن نصر الله أمس", "حسن نصر الله", NASRALLAH),  # ب "with" attached
        ("وحسن نصر الله قال", "حسن نصر الله", NASRALLAH),  # و "and" attached
        ("북한 김정은이 발표했다", "김정은", KIM_JONG_UN),  # the subject particle 이
        ("Он встретился с Владимиром Путиным.", "Владимиром Путиным", PUTIN),  # instrumental
    ],
)
def test_attached_letters_stay_out_of_the_offsets(
    screener: Screener, text: str, written: str, entity_id: str
) -> None:
    mentions = scan(text, screener)
    assert [m.entity_id for m in mentions] == [entity_id]
    start = text.index(written)
    assert (mentions[0].start, mentions[0].end, mentions[0].text) == (
        start,
        start + len(written),
        written,
    )


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Ο πρόεδρος Βλαντιμίρ Πούτιν δήλωσε χθες.", "Βλαντιμίρ Πούτιν"),
        ("הנשיא ולדימיר פוטין אמר אתמול.", "ולדימיר פוטין"),
        ("राष्ट्रपति व्लादिमीर पुतिन ने कहा। फिर", "व्लादिमीर पुतिन"),
    ],
)
def test_other_scripts_with_spaces(screener: Screener, text: str, written: str) -> None:
    mentions = scan(text, screener)
    assert [(m.entity_id, m.text) for m in mentions] == [(PUTIN, written)]
    assert text[mentions[0].start : mentions[0].end] == written


def test_two_sign_windows_and_ordinary_han_text_find_nothing(screener: Screener) -> None:
    """外交 reads 'wai jiao' / 'wei chiao' like some listed two-word names: no mention."""
    text = "外交部长维护和特别部门的例行会议将在北京举行，伊布和京剧团也参加。"
    assert scan(text, screener) == []


def test_script_groups_split_words_and_windows() -> None:
    groups = script_groups("ウラジーミル・プーチン大統領は、حسن نصر الله")
    texts = [[slot[0].text for slot in group] for group in groups]
    assert ["ウラジーミル", "プーチン"] in texts
    assert ["大統領"] in texts  # a Han window (three signs)
    assert ["حسن", "نصر", "الله"] in texts


def test_vowels_left_out() -> None:
    assert vowels_left_out("hzballah", "hizballah")
    assert not vowels_left_out("nasarallah", "ansarallah")


# --- names as journalists write them ---------------------------------------------------------


def test_full_name_with_nickname(screener: Screener) -> None:
    text = "Rubén Oseguera Cervantes – known as 'El Mencho' – leads the CJNG."
    found = by_text(scan(text, screener))
    assert OSEGUERA in found["Rubén Oseguera Cervantes"]
    assert OSEGUERA in found["El Mencho"]


def test_both_surnames_with_the_nickname_in_one_sentence(screener: Screener) -> None:
    text = 'Authorities said Oseguera Cervantes, known as "El Mencho", escaped the raid.'
    mentions = [m for m in scan(text, screener) if m.entity_id == OSEGUERA]
    partial = next(m for m in mentions if m.text == "Oseguera Cervantes")
    assert not partial.weak
    assert text[partial.start : partial.end] == "Oseguera Cervantes"
    assert "El Mencho" in partial.explanation and "both were needed" in partial.explanation
    nickname = next(m for m in mentions if m.text == "El Mencho")
    assert "confirmed by 'Oseguera Cervantes'" in nickname.explanation
    # the other listed Oseguera Cervantes (Antonio) has no nickname there: not reported
    assert {m.entity_id for m in scan(text, screener)} == {OSEGUERA}


@pytest.mark.parametrize(
    "text",
    [
        "El Mencho was seen in Jalisco, residents said.",  # the nickname alone stays weak
        "Analysts said Oseguera Cervantes had expanded the business.",  # surnames alone
        "Oseguera Cervantes was named. Later, El Mencho was seen.",  # not in one sentence
    ],
)
def test_partial_name_or_nickname_alone_is_no_mention(screener: Screener, text: str) -> None:
    assert [m for m in scan(text, screener) if m.entity_id == OSEGUERA] == []


def test_organisations_under_one_head_noun_after_it(screener: Screener) -> None:
    text = "Washington designated Mexican cartels including Sinaloa and Jalisco Nueva Generación."
    mentions = scan(text, screener)
    found = by_text(mentions)
    assert found["Sinaloa"] >= SINALOA
    assert found["Jalisco Nueva Generación"] >= CJNG
    assert set(found) == {"Sinaloa", "Jalisco Nueva Generación"}
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert "head noun 'cartels'" in mention.explanation
        assert mention.programs  # the designation comes with it


def test_organisations_under_one_head_noun_before_it(screener: Screener) -> None:
    text = "Violence between the Gulf and Northeast cartels left Tamaulipas in fear."
    found = by_text(scan(text, screener))
    assert found["Gulf"] >= GOLFO
    assert NORESTE & found["Northeast cartels"]
    assert set(found) == {"Gulf", "Northeast cartels"}


@pytest.mark.parametrize(
    "text",
    [
        "Los cárteles como Sinaloa y Golfo pelean por la frontera.",
        "La violencia entre los cárteles de Sinaloa y del Golfo dejó cientos de muertos.",
    ],
)
def test_head_noun_lists_in_spanish(screener: Screener, text: str) -> None:
    found = by_text(scan(text, screener))
    assert found["Sinaloa"] >= SINALOA
    assert GOLFO & found["Golfo"]


@pytest.mark.parametrize(
    "text",
    [
        "Farmers in Sinaloa and Jalisco said the cartel had raised extortion fees.",
        "The oil cartel and the Texas and Oklahoma producers met in Houston.",
        "The Texas and Oklahoma cartels of the 1920s controlled the price of cattle.",
        "A cartel, including small Sinaloa farms, fixed tomato prices.",
    ],
)
def test_cartel_in_an_unrelated_sentence_finds_nothing(screener: Screener, text: str) -> None:
    assert scan(text, screener) == []


def test_head_nouns_come_from_the_lists(screener: Screener) -> None:
    heads = mention_index(screener).heads
    assert {"cartel", "organization", "movement"} <= set(heads)
    assert "sinaloa" not in heads and "golfo" not in heads
    assert "harakat" in heads["movement"]  # Harakat al-X / al-X Movement in the lists
    assert "harakat" not in heads  # an equivalent is tried, never taken for a head noun
    assert head_of("cartels", heads) == "cartel"
    assert head_of("carteles", heads) == "cartel"


def test_head_noun_translation_equivalent_from_the_lists(screener: Screener) -> None:
    text = "Iraqi militias such as the Nujaba and Sabireen movements claimed the attack."
    mentions = [m for m in scan(text, screener) if m.text == "Nujaba"]
    assert {m.entity_id for m in mentions} >= {
        "us_designations:harakat-al-nujaba",
        "us_ofac_sdn:26446",
    }
    assert "'harakat' in another name of the lists" in mentions[0].explanation
