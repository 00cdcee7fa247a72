"""Listed Latin names written in another script, the way a foreign clerk or newspaper would.

The hard question for the matcher: a name in a script the list does not give. Each rule here
is a writing convention of the target script applied to the Latin spelling (Greek spells a
foreign d as ντ, Arabic writes long vowels only and no p, Hebrew leaves a out, Georgian adds
-ი to a foreign name, Japanese and Korean add vowels to consonants they cannot end a syllable
with). Chinese and Korean people's own names are written syllable by syllable from the
project's own tables (``data/cjk_syllables.json``), surname first and the given name joined.
None of it borrows :mod:`clearance.matching.transliterate`: rendering Latin into a script by
other hands is what makes the test honest. The reverse direction takes the UN's
Arabic-script names and romanises them as a French-speaking clerk would (ch, dj, ou, el-).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib import resources
from random import Random

from clearance.evaluation.names import ARABIC_NAME_COUNTRIES, ListedName

_WORD = re.compile(r"[^\W\d_]+")
_VOWELS = frozenset("aeiouy")


def _plain(text: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _latin_person(name: ListedName) -> bool:
    letters = [c for c in name.full if c.isalpha()]
    return (
        name.is_person
        and bool(letters)
        and all("LATIN" in unicodedata.name(c, "") for c in letters)
    )


def _by_table(word: str, table: dict[str, str], initial: dict[str, str] | None = None) -> str:
    """Longest match first; ``initial`` overrides the table at the start of the word."""
    out, i = [], 0
    longest = max(map(len, table))
    while i < len(word):
        for size in range(min(longest, len(word) - i), 0, -1):
            piece = word[i : i + size]
            found = (initial or {}).get(piece) if i == 0 else None
            found = found if found is not None else table.get(piece)
            if found is not None:
                out.append(found)
                i += size
                break
        else:
            i += 1  # a letter the script has no way to write (an apostrophe, a hyphen)
    return "".join(out)


def _rendered(name: ListedName, word_rule: Callable[[str], str]) -> str | None:
    """Every word of a Latin person's name in the target script ("SURNAME, Given" kept)."""
    if not _latin_person(name):
        return None
    text = _WORD.sub(lambda m: word_rule(_plain(m.group())), name.full)
    return text if text != name.full else None


# ----------------------------------------------------------------------------------------------
# Greek (the press: ντ for d, μπ for b, γκ for g, ου for u, final ς)

_GREEK = {
    "th": "θ", "ch": "τσ", "kh": "χ", "ph": "φ", "ps": "ψ", "sh": "σ", "ts": "τσ", "ou": "ου",
    "oo": "ου", "ee": "ι", "ai": "αϊ", "ei": "έι", "mb": "μπ", "nd": "ντ", "ng": "γκ",
    "a": "α", "b": "μπ", "c": "κ", "d": "ντ", "e": "ε", "f": "φ", "g": "γκ", "h": "", "i": "ι",
    "j": "τζ", "k": "κ", "l": "λ", "m": "μ", "n": "ν", "o": "ο", "p": "π", "q": "κ", "r": "ρ",
    "s": "σ", "t": "τ", "u": "ου", "v": "β", "w": "ου", "x": "ξ", "y": "ι", "z": "ζ",
}  # fmt: skip


def _greek_word(word: str) -> str:
    text = _by_table(word, _GREEK)
    return text[:-1] + "ς" if text.endswith("σ") else text


def greek(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name written in Greek as the Greek press writes foreign names."""
    return _rendered(name, _greek_word)


# ----------------------------------------------------------------------------------------------
# Cyrillic, Ukrainian convention (h as г, i as і, y as и)

_UKRAINIAN = {
    "shch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш", "yu": "ю", "ya": "я",
    "ye": "є", "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "ґ", "h": "г",
    "i": "і", "j": "дж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к",
    "r": "р", "s": "с", "t": "т", "u": "у", "v": "в", "w": "в", "x": "кс", "y": "и", "z": "з",
}  # fmt: skip


def ukrainian(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name written in Ukrainian Cyrillic (г for h, і for i, и for y)."""
    return _rendered(name, lambda w: _by_table(w, _UKRAINIAN).capitalize())


# ----------------------------------------------------------------------------------------------
# Arabic and Persian (long vowels only; a foreign name gets its vowels written out)

_ARABIC_CONSONANTS = {
    "kh": "خ", "gh": "غ", "sh": "ش", "ch": "تش", "th": "ث", "dh": "ذ", "zh": "ج", "ph": "ف",
    "ts": "تس", "b": "ب", "c": "ك", "d": "د", "f": "ف", "g": "غ", "h": "ه", "j": "ج",
    "k": "ك", "l": "ل", "m": "م", "n": "ن", "p": "ب", "q": "ق", "r": "ر", "s": "س", "t": "ت",
    "v": "ف", "w": "و", "x": "كس", "y": "ي", "z": "ز",
}  # fmt: skip
_PERSIAN_CONSONANTS = {
    **_ARABIC_CONSONANTS, "ch": "چ", "zh": "ژ", "g": "گ", "p": "پ", "k": "ک", "y": "ی",
}  # fmt: skip
_LONG_VOWELS = {"aa": "ا", "ee": "ي", "ii": "ي", "ei": "ي", "ai": "ي", "ay": "ي", "ou": "و",
                "oo": "و", "uu": "و", "ow": "و", "aw": "و"}  # fmt: skip
_VOWEL_LETTER = {"a": "ا", "e": "ي", "i": "ي", "o": "و", "u": "و", "y": "ي"}
_SUFFIX_ALLAH = re.compile(r"(?<=.)[aiou]llah$")
_SYLLABLE = re.compile(r"aa|ee|ii|ei|ai|ay|ou|oo|uu|ow|aw|[aeiouy]|[^aeiouy]+")


def _abjad_word(word: str, consonants: dict[str, str], native: bool, yeh: str = "ي") -> str:
    """A clerk's Arabic-script spelling: a native name keeps its long vowels and the vowel of
    its last syllable, a foreign one every vowel; a vowel that starts the word gets an alef,
    -a at the end a ta marbuta (native) or alef, -allah is written الله."""
    allah = ""
    if _SUFFIX_ALLAH.search(word):
        word, allah = _SUFFIX_ALLAH.sub("", word), "الله"
    parts = _SYLLABLE.findall(word)
    vowel_positions = [i for i, p in enumerate(parts) if p[0] in _VOWELS and p != "y"]
    last_vowel = vowel_positions[-1] if vowel_positions else -1
    out = []
    for i, part in enumerate(parts):
        if part[0] not in _VOWELS or (part == "y" and i == 0):
            pieces = re.findall("kh|gh|sh|ch|th|dh|zh|ph|ts|.", part)
            letters = [consonants.get(p, "") for p in pieces]
            out.append("".join(c for j, c in enumerate(letters) if j == 0 or c != letters[j - 1]))
            continue
        if i == 0:
            out.append("ا" + ("" if part in ("a", "aa") else _VOWEL_LETTER.get(part[-1], "")))
        elif part in _LONG_VOWELS:
            out.append(_LONG_VOWELS[part])
        elif i == len(parts) - 1:
            out.append("ة" if native and part == "a" else _VOWEL_LETTER[part])
        elif not native or (i == last_vowel and part != "a"):
            out.append(_VOWEL_LETTER[part])
    return ("".join(out) + allah).replace("ي", yeh)


def _native(name: ListedName) -> bool:
    return bool(name.countries & ARABIC_NAME_COUNTRIES) or bool(name.countries & _PERSIAN_LANDS)


_PERSIAN_LANDS = frozenset({"ir", "af", "tj", "pk"})


def arabic(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in Arabic script as an Arabic newspaper writes it."""
    native = _native(name)
    return _rendered(name, lambda w: _abjad_word(w, _ARABIC_CONSONANTS, native))


def persian(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in Persian script (پ چ ژ گ, Persian yeh and kaf)."""
    native = _native(name)
    return _rendered(name, lambda w: _abjad_word(w, _PERSIAN_CONSONANTS, native, "ی"))


# ----------------------------------------------------------------------------------------------
# Hebrew (a left out inside a word, o/u as ו, i/e as י, final letter forms)

_HEBREW = {
    "sh": "ש", "ch": "צ׳", "kh": "ח", "th": "ת", "ph": "פ", "ts": "צ", "tz": "צ", "zh": "ז׳",
    "b": "ב", "c": "ק", "d": "ד", "f": "פ", "g": "ג", "h": "ה", "j": "ג׳", "k": "ק", "l": "ל",
    "m": "מ", "n": "נ", "p": "פ", "q": "ק", "r": "ר", "s": "ס", "t": "ט", "v": "ו", "w": "ו",
    "x": "קס", "y": "י", "z": "ז", "o": "ו", "u": "ו", "i": "י", "e": "", "a": "",
    "ou": "ו", "oo": "ו", "ee": "י", "ei": "י", "ai": "אי", "aa": "א",
}  # fmt: skip
_HEBREW_INITIAL = {"a": "א", "e": "א", "i": "אי", "o": "או", "u": "או", "v": "ו"}
_HEBREW_FINAL = {"כ": "ך", "מ": "ם", "נ": "ן", "פ": "ף", "צ": "ץ"}


def _hebrew_word(word: str) -> str:
    text = _by_table(word, _HEBREW, _HEBREW_INITIAL)
    if word.endswith("a"):
        text += "ה"
    return text[:-1] + _HEBREW_FINAL.get(text[-1], text[-1]) if text else text


def hebrew(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name written in Hebrew as the Israeli press writes foreign names."""
    return _rendered(name, _hebrew_word)


# ----------------------------------------------------------------------------------------------
# Georgian and Armenian (letter for sound; Georgian adds the nominative -ი)

_GEORGIAN = {
    "kh": "ხ", "gh": "ღ", "sh": "შ", "ch": "ჩ", "ts": "ც", "dz": "ძ", "zh": "ჟ", "th": "თ",
    "ph": "ფ", "a": "ა", "b": "ბ", "c": "კ", "d": "დ", "e": "ე", "f": "ფ", "g": "გ", "h": "ჰ",
    "i": "ი", "j": "ჯ", "k": "კ", "l": "ლ", "m": "მ", "n": "ნ", "o": "ო", "p": "პ", "q": "ყ",
    "r": "რ", "s": "ს", "t": "ტ", "u": "უ", "v": "ვ", "w": "ვ", "x": "ქს", "y": "ი", "z": "ზ",
}  # fmt: skip


def _georgian_word(word: str) -> str:
    text = _by_table(word, _GEORGIAN)
    return text + "ი" if word[-1:] not in _VOWELS else text


def georgian(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in Georgian, with the -ი Georgian gives names ending in a consonant."""
    return _rendered(name, _georgian_word)


_ARMENIAN = {
    "kh": "խ", "gh": "ղ", "sh": "շ", "ch": "չ", "ts": "ց", "dz": "ձ", "zh": "ժ", "th": "թ",
    "ph": "փ", "ou": "ու", "a": "ա", "b": "բ", "c": "կ", "d": "դ", "e": "ե", "f": "ֆ",
    "g": "գ", "h": "հ", "i": "ի", "j": "ջ", "k": "կ", "l": "լ", "m": "մ", "n": "ն", "o": "ո",
    "p": "պ", "q": "ք", "r": "ր", "s": "ս", "t": "տ", "u": "ու", "v": "վ", "w": "վ",
    "x": "քս", "y": "յ", "z": "զ",
}  # fmt: skip
_ARMENIAN_INITIAL = {"e": "է", "o": "օ"}


def armenian(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in Armenian (է and օ at the start of a word)."""
    return _rendered(name, lambda w: _by_table(w, _ARMENIAN, _ARMENIAN_INITIAL).capitalize())


# ----------------------------------------------------------------------------------------------
# Japanese katakana and Korean Hangul: syllables, with a vowel after a lone consonant

_KANA_ROWS = {
    "": "アイウエオ", "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サシスセソ", "z": "ザジズゼゾ",
    "t": "タチツテト", "d": "ダヂヅデド", "n": "ナニヌネノ", "h": "ハヒフヘホ", "b": "バビブベボ",
    "p": "パピプペポ", "m": "マミムメモ", "y": "ヤイユエヨ", "r": "ラリルレロ", "w": "ワウィウウェヲ",
    "f": "ファフィフフェフォ", "v": "バビブベボ", "j": "ジャジジュジェジョ", "sh": "シャシシュシェショ",
    "ch": "チャチチュチェチョ", "ts": "ツァツィツツェツォ", "ti": "", "kh": "ハヒフヘホ",
}  # fmt: skip
_KANA_TWO = ("f", "j", "sh", "ch", "ts", "w")  # rows of two-kana syllables (ファ, ジャ)
_JAPANESE_CONSONANT = {"c": "k", "q": "k", "x": "ks", "l": "r", "th": "s", "ph": "f", "zh": "j",
                       "gh": "g", "dh": "d"}  # fmt: skip
_VOWEL_INDEX = {"a": 0, "i": 1, "u": 2, "e": 3, "o": 4, "y": 1}


def _onsets_and_vowels(word: str, digraphs: tuple[str, ...]) -> list[tuple[str, str]]:
    """The word as (consonant, vowel) pairs; a consonant no vowel follows gets vowel ""."""
    units = re.findall("|".join([*digraphs, "[aeiouy]", "."]), word)
    pairs: list[tuple[str, str]] = []
    for unit in units:
        if unit[0] in "aeiou" or (unit == "y" and pairs and not pairs[-1][1] and pairs[-1][0]):
            if pairs and not pairs[-1][1] and pairs[-1][0] != "n*":
                pairs[-1] = (pairs[-1][0], unit[0] if unit != "y" else "i")
            elif pairs and pairs[-1][1] == unit[0]:
                continue  # a doubled vowel is written once
            else:
                pairs.append(("", unit[0]))
        else:
            pairs.append((unit, ""))
    return pairs


def _katakana_word(word: str) -> str:
    out = []
    pairs = _onsets_and_vowels(word, ("sh", "ch", "ts", "th", "ph", "kh", "gh", "dh", "zh"))
    for onset, vowel in pairs:
        onset = _JAPANESE_CONSONANT.get(onset, onset)
        if onset == "n" and not vowel:
            out.append("ン")
            continue
        if onset == "ks":
            out.append("ク")
            onset = "s"
        if not vowel:  # a lone consonant: u after most, o after t and d
            vowel = "o" if onset in ("t", "d") else "u"
            if onset == "y":
                continue
        row = _KANA_ROWS.get(onset) or _KANA_ROWS[""]
        index = _VOWEL_INDEX[vowel]
        if onset in _KANA_TWO:
            kana = re.findall(".[ァィゥェォャュョ]?", row)
            out.append(kana[index] if index < len(kana) else kana[-1])
        else:
            out.append(row[index])
    return "".join(out)


def katakana(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in katakana, words split by ・ as Japanese writes foreign names."""
    if not _latin_person(name):
        return None
    words = [w for w in _WORD.findall(_plain(name.full))]
    return "・".join(_katakana_word(w) for w in words) or None


_HANGUL_INITIAL = {"g": 0, "kk": 1, "n": 2, "d": 3, "r": 5, "l": 5, "m": 6, "b": 7, "s": 9,
                   "": 11, "j": 12, "ch": 14, "k": 15, "c": 15, "q": 15, "t": 16, "p": 17,
                   "h": 18, "v": 7, "f": 17, "z": 12, "th": 9, "sh": 9, "ph": 17, "kh": 15,
                   "x": 15, "w": 11, "y": 11, "zh": 12, "ts": 14, "gh": 0, "dh": 3}  # fmt: skip
_HANGUL_VOWEL = {"a": 0, "e": 5, "i": 20, "o": 8, "u": 13, "": 18}
_HANGUL_W_VOWEL = {"a": 9, "e": 15, "i": 16, "o": 14, "u": 13, "": 13}
_HANGUL_Y_VOWEL = {"a": 2, "e": 7, "i": 20, "o": 12, "u": 17, "": 20}
_HANGUL_FINAL = {"n": 4, "m": 16, "ng": 21, "l": 8, "k": 1, "p": 17, "t": 0}


def _hangul_word(word: str) -> str:
    pairs = _onsets_and_vowels(word, ("sh", "ch", "ts", "th", "ph", "kh", "gh", "dh", "zh", "ng"))
    out: list[list[int]] = []  # [initial, vowel, final] per syllable
    for i, (onset, vowel) in enumerate(pairs):
        nxt = pairs[i + 1] if i + 1 < len(pairs) else ("", "")
        coda = not vowel and out and out[-1][2] == 0 and onset in _HANGUL_FINAL
        if coda and onset != "t" and (onset != "l" or not nxt[1]):  # l + vowel: ㄹ + ㄹ below
            out[-1][2] = _HANGUL_FINAL[onset]
            continue
        if onset == "l" and out and out[-1][2] == 0 and vowel:
            out[-1][2] = _HANGUL_FINAL["l"] if i > 0 and pairs[i - 1][1] else 0
        table = _HANGUL_W_VOWEL if onset == "w" else _HANGUL_Y_VOWEL if onset == "y" else None
        medial = (table or _HANGUL_VOWEL)[vowel]
        if onset in ("sh",) and vowel in ("a", "o", "u"):
            medial = _HANGUL_Y_VOWEL[vowel]
        out.append([_HANGUL_INITIAL.get(onset, 11), medial, 0])
    return "".join(chr(0xAC00 + (a * 21 + b) * 28 + c) for a, b, c in out)


def hangul(name: ListedName, rng: Random) -> str | None:
    """A person's Latin name in Hangul, with the ㅡ Korean puts after a lone consonant."""
    if not _latin_person(name):
        return None
    return " ".join(_hangul_word(w) for w in _WORD.findall(_plain(name.full))) or None


# ----------------------------------------------------------------------------------------------
# Chinese and Korean people's own names in Han characters and Hangul, as their press writes them

#: Countries whose nationals' Latin names are romanised Chinese or Korean.
CHINESE_LANDS = frozenset({"cn", "hk", "mo", "tw"})
KOREAN_LANDS = frozenset({"kp", "kr"})
#: Syllables of a given name: Chinese and Korean given names have one or two.
_GIVEN_SYLLABLES = range(1, 3)
_SYLLABLES = "cjk_syllables.json"
#: A romanised word, with the apostrophes of McCune-Reischauer (Ch'o'l: 철, Ho': 허).
_ROMANISED_WORD = re.compile(r"[a-z']+")


@cache
def _syllable_table(name: str) -> dict[str, tuple[str, ...]]:
    """One table of ``data/cjk_syllables.json``: a romanised syllable and the characters that
    write it in names, commonest first (the project's own, not the matcher's readings)."""
    text = resources.files("clearance.evaluation").joinpath("data", _SYLLABLES).read_text("utf-8")
    return {syllable: tuple(signs) for syllable, signs in json.loads(text)[name].items()}


def _syllables(word: str, table: dict[str, tuple[str, ...]]) -> list[str] | None:
    """``word`` cut into syllables of ``table``, longer ones first (Xian, not Xi-an); None when
    it cannot be: a word in no romanisation of the table (Eric, Aleksei)."""
    if not word:
        return []
    for size in range(min(len(word), max(map(len, table))), 0, -1):
        rest = _syllables(word[size:], table) if word[:size] in table else None
        if rest is not None:
            return [word[:size], *rest]
    return None


def _surname_first(
    name: ListedName,
    lands: frozenset[str],
    surnames: dict[str, tuple[str, ...]],
    given: dict[str, tuple[str, ...]],
    rng: Random,
) -> str | None:
    """The name of a person of ``lands`` in the signs of the tables: the surname (before the
    comma, else the first word, as the lists write East Asian names) then the given name joined,
    no spaces, as the press of that country writes its people ("LI, Fangwei": 李方伟). None when
    a word is not romanised Chinese or Korean, or the name is not one surname of the tables and a
    given name of one or two syllables."""
    if not (_latin_person(name) and name.countries & lands):
        return None
    text = _plain(name.full).replace("\u2019", "'").replace("\u2018", "'")
    family, comma, rest = text.partition(",")
    words = _ROMANISED_WORD.findall(family)
    if not words or (comma and len(words) > 1):
        return None  # "JING HE, Lin": two surnames, a married woman's in Taiwan or Hong Kong
    givens = _ROMANISED_WORD.findall(rest) if comma else words[1:]
    pieces = [_syllables(w, given) for w in givens]
    syllables = [s for piece in pieces if piece is not None for s in piece]
    if None in pieces or words[0] not in surnames or len(syllables) not in _GIVEN_SYLLABLES:
        return None
    signs = {s: rng.choice(given[s]) for s in dict.fromkeys(syllables)}  # Taotao: 涛涛
    return rng.choice(surnames[words[0]]) + "".join(signs[s] for s in syllables)


def chinese(name: ListedName, rng: Random) -> str | None:
    """A Chinese person's pinyin name in Han characters, surname first and the given name joined
    (LI, Fangwei: 李方伟), as a Chinese newspaper writes it."""
    if name.countries & KOREAN_LANDS:
        return None  # a Korean's name in Han is hanja, not a pinyin reading
    tables = _syllable_table("han_surnames"), _syllable_table("han_given")
    return _surname_first(name, CHINESE_LANDS, *tables, rng)


def korean(name: ListedName, rng: Random) -> str | None:
    """A Korean person's romanised name in Hangul, surname first and the given name joined
    (KIM, Yong Chol: 김영철), as a Korean newspaper writes it."""
    tables = _syllable_table("hangul_surnames"), _syllable_table("hangul")
    return _surname_first(name, KOREAN_LANDS, *tables, rng)


# ----------------------------------------------------------------------------------------------
# the reverse: the lists' Arabic-script names romanised by a French-speaking clerk

_FRENCH = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "dj", "ح": "h",
    "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "ch", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m",
    "ن": "n", "ه": "h", "ة": "a", "و": "ou", "ي": "i", "ى": "a", "ئ": "i", "ؤ": "ou", "ء": "",
}  # fmt: skip
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def _french_word(word: str) -> str:
    article = ""
    if word.startswith("ال") and len(word) > 3:
        article, word = "El-", word[2:]
    letters = [_FRENCH.get(c, "") for c in word]
    out = []
    for i, letter in enumerate(letters):
        nxt = letters[i + 1] if i + 1 < len(letters) else ""
        out.append(letter)
        vowelled = letter[:1] in ("a", "i", "o") or nxt[:1] in ("a", "i", "o", "")
        if letter and not vowelled and i == 0:
            out.append("e")  # the clerk's short vowel after the first consonant: Mehdi, Hebib
    text = "".join(out)
    return article + text[:1].upper() + text[1:]


def romanised(name: ListedName, rng: Random) -> str | None:
    """The list's Arabic-script name of a person, romanised the French way (ch, dj, ou, El-)."""
    for script_name in name.original_script:
        if name.is_person and _ARABIC_WORD.search(script_name):
            return _ARABIC_WORD.sub(lambda m: _french_word(m.group()), script_name)
    return None


#: The classes of this module, by name (registered with the other variant classes).
SCRIPT_RULES: tuple[tuple[str, Callable[[ListedName, Random], str | None]], ...] = (
    ("script_greek", greek),
    ("script_ukrainian", ukrainian),
    ("script_arabic", arabic),
    ("script_persian", persian),
    ("script_hebrew", hebrew),
    ("script_georgian", georgian),
    ("script_armenian", armenian),
    ("script_katakana", katakana),
    ("script_hangul", hangul),
    ("script_chinese", chinese),
    ("script_korean", korean),
    ("script_romanised", romanised),
)

#: Recall targets per script class (issue 14): alphabets with vowels written >= 0.95; abjads
#: (no short vowels) and CJK syllabaries >= 0.85.
SCRIPT_TARGETS: dict[str, float] = {
    "script_greek": 0.95,
    "script_ukrainian": 0.95,
    "script_georgian": 0.95,
    "script_armenian": 0.95,
    "script_arabic": 0.85,
    "script_persian": 0.85,
    "script_hebrew": 0.85,
    "script_katakana": 0.85,
    "script_hangul": 0.85,
    "script_chinese": 0.85,
    "script_korean": 0.85,
    "script_romanised": 0.85,
}

#: Classes of a few hundred listed names (Chinese and Korean people), drawn from every listed
#: name rather than the sample.
SCRIPT_FEW = frozenset({"script_chinese", "script_korean"})
