"""Latin renderings of names written in other scripts, the way the lists and the press write them.

One script, one set of rules: a name in Greek, Cyrillic, Arabic/Persian/Urdu, Hebrew, Han,
Japanese kana (and kanji), Hangul, Georgian, Armenian, Devanagari or Thai gets a few Latin
renderings, most likely first, each of which is screened; a listed original-script name gets
the same renderings at index time. Every rule is a romanisation convention of its script,
never a name: Greek ELOT 743 and its phonetic reading of foreign names (ντ = d), Cyrillic per
language (Russian, Ukrainian h for г, Bulgarian sht for щ, Serbian, Belarusian, Kazakh),
abjads without short vowels (the letters written are kept, a few vowel fillings and the usual
equivalences p/b, v/f, v/w, o/u, e/i are offered), pinyin with Wade-Giles and the surname
first, Hepburn with the vowels katakana adds to foreign names taken out again, Revised and
McCune-Reischauer romanisation of Hangul with the conventional spellings of surnames.

Libraries: ``pypinyin`` (Han readings, Wade-Giles), ``pykakasi`` (kanji and kana readings),
``anyascii`` (the letter-by-letter fallback for Cyrillic, Georgian, Armenian, Thai).
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from anyascii import anyascii

#: Renderings offered for one name at most, and for one word of it; a listed name is
#: indexed under its likeliest few.
MAX_RENDERINGS = 16
MAX_WORD_RENDERINGS = 6
LISTED_RENDERINGS = 8

#: Characters that separate words besides white space (the katakana middle dot, ideographic
#: punctuation). A comma is kept with the word before it: "SURNAME, Given" is an order the
#: name's normalisation reads, in a name in any script (the Arabic comma is written ",").
_SEPARATORS = re.compile(r"[\s\u30fb\u00b7\u3001\u3000/]+")
_COMMA = re.compile(r"\s*[,\u060c]\s*")
#: Punctuation that belongs to the letter before it: the Hebrew geresh (and the apostrophe
#: typed for it) makes ג, ז, צ the j, zh and ch of foreign names.
_LETTER_MARKS = frozenset("\u05f3'")
_COMBINING = re.compile(r"[\u0300-\u036f]")


@lru_cache(maxsize=8192)
def script_of(char: str) -> str:
    """The script of one letter, by its Unicode name ("" for digits and punctuation)."""
    if not char.isalpha():
        return ""
    name = unicodedata.name(char, "")
    if name.startswith(("CJK", "KANGXI")):
        return "han"
    for script in _SCRIPTS:
        if name.startswith(script):
            return script.lower()
    return "latin" if char.isascii() or name.startswith("LATIN") else "other"


_SCRIPTS = (
    "GREEK", "CYRILLIC", "ARABIC", "HEBREW", "HIRAGANA", "KATAKANA", "HANGUL", "GEORGIAN",
    "ARMENIAN", "DEVANAGARI", "THAI", "LATIN",
)  # fmt: skip


@lru_cache(maxsize=65536)
def word_script(word: str) -> str:
    """The script of a word: that of its letters when they share one, "mixed" otherwise
    (kana with kanji is Japanese)."""
    scripts = {script_of(c) for c in word} - {""}
    if scripts <= {"hiragana", "katakana", "han"} and scripts - {"han"}:
        return "japanese"
    if len(scripts) == 1:
        return scripts.pop()
    return "mixed" if scripts else ""


@lru_cache(maxsize=16384)
def latin_renderings(text: str, listed: bool = False) -> tuple[str, ...]:
    """Latin renderings of ``text``, most likely first; () when it has no word in another
    script (Latin words, and mixed-script evasions, are left to normalisation).

    A name in a script without short vowels (Arabic, Hebrew) also gets its consonant
    reading, last; not a ``listed`` name, whose list gives its Latin spellings: indexed,
    bare consonants would meet every Latin name with that skeleton."""
    if text.isascii():
        return ()
    text = _COMMA.sub(", ", unicodedata.normalize("NFC", text))
    words = [w for w in _SEPARATORS.split(text) if w.strip(",")]
    japanese = any(word_script(w) in ("hiragana", "katakana", "japanese") for w in words)
    japanese = japanese or _japanese_family_name(words)
    options: list[tuple[str, ...]] = []
    consonants: list[str] = []  # each word as its consonants where its script writes no vowels
    for word in words:
        script = word_script(word)
        if script == "han" and japanese:
            script = "japanese"
        rule = _RULES.get(script)
        if rule is _korean and len(words) == 1:
            rule = _korean_name  # the whole name in one word, as Korean writes its people's
        if rule is None:
            if any(_RULES.get(script_of(c)) for c in word):
                # a word of mixed scripts ("GUΖMAN" with a Greek Z, "Aؠ"): look-alike
                # letters of an evasion, which normalisation folds by their shapes, not a
                # name written in another script
                return ()
            options.append((word,))
            consonants.append("")
            continue
        start, end = 0, len(word)  # punctuation around the word stays as it is
        while start < end and unicodedata.category(word[start])[0] in "PS":
            start += 1
        while end > start and unicodedata.category(word[end - 1])[0] in "PS":
            if word[end - 1] in _LETTER_MARKS and end - start > 1:
                break  # a geresh (צ׳: ch) is part of the letter before it
            end -= 1
        found = _unique(rule(word[start:end]))[:MAX_WORD_RENDERINGS]
        options.append(tuple(word[:start] + f + word[end:] for f in found))
        stripped = _STRIPPED.get(script)
        core = stripped(word[start:end]) if stripped else ""
        consonants.append(word[:start] + core + word[end:] if core else "")
    if all(len(o) == 1 and o[0] == w for o, w in zip(options, words, strict=True)):
        return ()
    products = (" ".join(choice) for choice in _best_products(options))
    found = _unique(r for p in products for r in (_ARTICLE_WORD.sub(r"\1al\3", p), p))
    if listed or not found or not any(consonants):
        return found[:MAX_RENDERINGS]
    first = [c or o[0] for c, o in zip(consonants, options, strict=True)]
    return _unique([*found[: MAX_RENDERINGS - 1], " ".join(first)])


def _best_products(options: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Combinations of the words' renderings, those of the likelier renderings first."""
    ranks = itertools.product(*(range(len(o)) for o in options))
    if _count(options) > 4096:  # too many to sort: the first renderings only, then each word's
        ranks = iter([(0,) * len(options)] + [
            tuple(r if i == k else 0 for i in range(len(options)))
            for k, o in enumerate(options) for r in range(1, len(o))
        ])  # fmt: skip
    chosen = sorted(ranks, key=lambda r: (sum(r), max(r, default=0)))[:MAX_RENDERINGS]
    return [tuple(o[i] for o, i in zip(options, r, strict=True)) for r in chosen]


def _count(options: list[tuple[str, ...]]) -> int:
    total = 1
    for o in options:
        total *= len(o)
    return total


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i.strip()))


#: A word and the next one's Arabic article: compound names are also written as one word
#: (نصر الله: Nasrallah, عبد الله: Abdallah), and that spelling is offered first.
_ARTICLE_WORD = re.compile(r"([^\s,]+) (al-)(\S+)")


# ----------------------------------------------------------------------------------------------
# Greek: ELOT 743, and the phonetic reading the press gives foreign names (ντ = d, μπ = b)


_GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", [
    "a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s",
    "s", "t", "y", "f", "ch", "ps", "o",
], strict=True))  # fmt: skip
#: Digraphs: (ELOT 743, phonetic); the phonetic one is how Greek writes foreign names.
_GREEK_DIGRAPHS = {
    "ου": ("ou", "u"), "αυ": ("av", "af"), "ευ": ("ev", "ef"), "ηυ": ("iv", "if"),
    "αι": ("ai", "e"), "ει": ("ei", "i"), "οι": ("oi", "i"), "υι": ("yi", "i"),
    "μπ": ("mp", "b"), "ντ": ("nt", "d"), "γκ": ("gk", "g"), "γγ": ("ng", "ng"),
    "γξ": ("nx", "nx"), "γχ": ("nch", "nch"), "τσ": ("ts", "ts"), "τζ": ("tz", "j"),
}  # fmt: skip
#: Greek letters that are vowels: ου before one is how Greek writes a foreign w (Σαμπαουί).
_GREEK_VOWELS = frozenset("αεηιουω")


def nxt_is(letters: list[tuple[str, str]], i: int, letter: str) -> bool:
    """``letters[i]`` is ``letter``."""
    return i < len(letters) and letters[i][0] == letter


#: Vowel digraphs: an accent on their first letter or a diaeresis on their second (σέικ,
#: αϊ) says the two letters are read apart.
_GREEK_VOWEL_DIGRAPHS = frozenset(["ου", "αυ", "ευ", "ηυ", "αι", "ει", "οι", "υι"])
_TONOS, _DIAERESIS = "\u0301", "\u0308"


def _greek(word: str) -> list[str]:
    """Three readings: the phonetic one the press gives foreign names (ντ = d, αι = e, ου
    before a vowel = w), ELOT 743, and the phonetic consonants with the vowels as written
    (Ιμπραιμ: Ibraim, Μουαμμαντ: Muammad), which a Latin name rendered letter for letter
    needs back."""
    letters: list[tuple[str, str]] = []  # (letter, its marks)
    for char in unicodedata.normalize("NFD", word.lower()):
        if _COMBINING.match(char):
            if letters:
                letters[-1] = (letters[-1][0], letters[-1][1] + char)
        else:
            letters.append((char, ""))
    out = []
    for reading in ("phonetic", "elot", "letters"):
        text, i = [], 0
        while i < len(letters):
            pair_text = "".join(c for c, _ in letters[i : i + 2])
            pair = _GREEK_DIGRAPHS.get(pair_text)
            if pair and pair_text in _GREEK_VOWEL_DIGRAPHS:
                apart = _TONOS in letters[i][1] or _DIAERESIS in letters[i + 1][1]
                if apart or (reading == "letters" and pair_text != "ου"):
                    pair = None
            if pair:
                nxt = letters[i + 2][0] if i + 2 < len(letters) else ""
                w = reading == "phonetic" and pair[0] == "ou" and nxt in _GREEK_VOWELS
                sound = "w" if w else pair[reading != "elot"]
                after_vowel = i > 0 and letters[i - 1][0] in _GREEK_VOWELS
                if pair_text == "γκ" and after_vowel and reading == "letters":
                    sound = "ng"  # γκ after a vowel is ng (Καγκ: Kang; Όλεγκ is Oleg)
                elif reading == "phonetic" and pair_text == "τσ":
                    sound = "ch"  # a foreign ch (Τσαγκ: Chang, -βιτς: -vich)
                text.append(sound)
                i += 2
                continue
            if reading == "phonetic" and letters[i][0] == "τ" and nxt_is(letters, i + 1, "ς"):
                text.append("ch")
                i += 2
                continue
            letter = _GREEK_LETTERS.get(letters[i][0], anyascii(letters[i][0]))
            if reading != "elot":
                letter = {"y": "i", "ch": "kh"}.get(letter, letter)
            text.append(letter)
            i += 1
        out.append("".join(text))
    if re.search("[oe]f$", out[0]):  # -οφ / -εφ: how Greek writes Slavic -ov / -ev
        out.insert(1, out[0][:-1] + "v")
    for lost_h in _GREEK_LOST_H:  # from the vowels as written
        breathed = lost_h.sub("h", out[-1])
        if breathed != out[-1]:
            out.insert(1, breathed)
    return out


#: Greek has no h and drops a foreign one: two vowels that meet (Μοαμμαντ, Φααντ, Ιμπραιμ),
#: or a word that starts with a vowel (Ασαν), may have lost it (Mohammad, Fahad, Ibrahim,
#: Hasan).
_GREEK_LOST_H = (re.compile(r"^(?=[aeiou][a-z]{2})"), re.compile(r"(?<=[aeou])(?=[aeiou])"))


# ----------------------------------------------------------------------------------------------
# Cyrillic: the romanisation of each language that writes it

#: Letters that change with the language (before the letter-by-letter fallback): Ukrainian
#: writes г as h and и as y; Bulgarian щ as sht and ъ as a; Russian е at the start as ye.
_CYRILLIC_LANGUAGES: tuple[tuple[str, dict[str, str]], ...] = (
    ("гиГИ", {"г": "h", "Г": "H", "и": "y", "И": "Y"}),
    ("щъЩЪ", {"щ": "sht", "Щ": "Sht", "ъ": "a", "Ъ": "A"}),
    ("еЕ", {"е": "ye", "Е": "Ye"}),
)
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_RUSSIAN_YE = re.compile(r"(?:(?<=^)|(?<=[аеёиоуыэюяАЕЁИОУЫЭЮЯ]))[еЕ]")


def _cyrillic(word: str) -> list[str]:
    plain = anyascii(word)
    variants = []
    for letters, table in _CYRILLIC_LANGUAGES:
        if not any(c in word for c in letters):
            continue
        if "е" in table:  # Russian ye: only at the start and after a vowel
            text = _RUSSIAN_YE.sub(lambda m, ye=table: ye[m[0]], word)
        else:
            text = word.translate(str.maketrans(table))
        variants.append(anyascii(text))
    if _UKRAINIAN.intersection(word):
        return [*variants[:1], plain, *variants[1:]]  # a Ukrainian word: its h and y first
    return [plain, *variants]


# ----------------------------------------------------------------------------------------------
# Abjads: Arabic, Persian, Urdu and Hebrew write consonants and long vowels only

#: A letter: consonant (primary, alternatives) or mater lectionis, a letter that is a vowel
#: between consonants and a consonant at the start of a word or before a vowel.
_C, _MATER = 0, 1
_ARABIC: dict[str, tuple[int, tuple[str, ...]]] = {
    "ب": (_C, ("b", "p")), "پ": (_C, ("p",)), "ت": (_C, ("t",)), "ث": (_C, ("th", "s")),
    "ج": (_C, ("j", "g")), "چ": (_C, ("ch",)), "ح": (_C, ("h",)), "خ": (_C, ("kh",)),
    "د": (_C, ("d",)), "ذ": (_C, ("dh", "z")), "ر": (_C, ("r",)), "ز": (_C, ("z",)),
    "ژ": (_C, ("zh",)), "س": (_C, ("s",)), "ش": (_C, ("sh",)), "ص": (_C, ("s",)),
    "ض": (_C, ("d",)), "ط": (_C, ("t",)), "ظ": (_C, ("z",)), "ع": (_MATER, ("", "a")),
    "غ": (_C, ("gh",)), "ف": (_C, ("f", "v")), "ڤ": (_C, ("v",)), "ق": (_C, ("q",)),
    "ك": (_C, ("k",)), "ک": (_C, ("k",)), "گ": (_C, ("g",)), "ل": (_C, ("l",)),
    "م": (_C, ("m",)), "ن": (_C, ("n",)), "ه": (_C, ("h",)), "ھ": (_C, ("h",)),
    "ء": (_C, ("",)), "ٹ": (_C, ("t",)), "ڈ": (_C, ("d",)), "ڑ": (_C, ("r",)),
    "ں": (_C, ("n",)), "ة": (_C, ("a", "ah")),
    "ا": (_MATER, ("a",)), "أ": (_MATER, ("a",)), "إ": (_MATER, ("i",)), "آ": (_MATER, ("a",)),
    "ٱ": (_MATER, ("a",)), "ى": (_MATER, ("a",)), "و": (_MATER, ("w", "u", "o")),
    "ؤ": (_MATER, ("w", "u", "o")), "ي": (_MATER, ("y", "i", "e")),
    "ی": (_MATER, ("y", "i", "e")), "ئ": (_MATER, ("y", "i", "e")), "ے": (_MATER, ("y", "e", "i")),
}  # fmt: skip
_HEBREW: dict[str, tuple[int, tuple[str, ...]]] = {
    "ב": (_C, ("b", "v")), "ג": (_C, ("g",)), "ד": (_C, ("d",)), "ה": (_C, ("h",)),
    "ז": (_C, ("z",)), "ח": (_C, ("kh", "h")), "ט": (_C, ("t",)), "כ": (_C, ("k", "kh")),
    "ך": (_C, ("kh", "k")), "ל": (_C, ("l",)), "מ": (_C, ("m",)), "ם": (_C, ("m",)),
    "נ": (_C, ("n",)), "ן": (_C, ("n",)), "ס": (_C, ("s",)), "ע": (_MATER, ("", "a")),
    "פ": (_C, ("p", "f")), "ף": (_C, ("f",)), "צ": (_C, ("ts", "z")), "ץ": (_C, ("ts", "z")),
    "ק": (_C, ("k",)), "ר": (_C, ("r",)), "ש": (_C, ("sh", "s")), "ת": (_C, ("t",)),
    "א": (_MATER, ("a",)), "ו": (_MATER, ("v", "o", "u")), "י": (_MATER, ("y", "i", "e")),
}  # fmt: skip
#: Hebrew geresh: ג׳ j, ז׳ zh, צ׳ ch (sounds Hebrew lacks, in foreign names).
_GERESH = {"ג": "j", "ז": "zh", "צ": "ch"}
#: Arabic short-vowel marks, where a text carries them.
_HARAKAT = {"\u064e": "a", "\u0650": "i", "\u064f": "u"}
_ARTICLE = "ال"


def _abjad_parse(
    word: str, table: dict[str, tuple[int, tuple[str, ...]]]
) -> tuple[str, list[tuple[int, tuple[str, ...]]]]:
    """The Arabic article (as "al-") and the word's letters, each (kind, sounds)."""
    prefix = ""
    if table is _ARABIC and word.startswith(_ARTICLE) and len(word) > 3:
        prefix, word = "al-", word[2:]
    elif table is _HEBREW and word.startswith("אל-") and len(word) > 4:
        prefix, word = "al-", word[3:]  # the Arabic article in a Hebrew spelling
    letters: list[tuple[int, tuple[str, ...]]] = []
    for i, char in enumerate(word):
        if char in _HARAKAT and letters:
            letters.append((_MATER, ("", _HARAKAT[char])))
        elif char in ("\u05f3", "'") and letters and word[i - 1] in _GERESH:
            letters[-1] = (_C, (_GERESH[word[i - 1]],))
        elif char in table:
            kind, sounds = table[char]
            if letters and char in "وו" and word[i - 1] == char:  # וו / وّ: a doubled w is v
                if char == "ו" and i == len(word) - 1 and len(letters) > 1:
                    letters.append((_C, ("v",)))  # -וו after a consonant: -ov (Ivanov)
                elif char == "ו":
                    letters[-1] = (_C, ("v",))  # inside a word, Hebrew's consonant v (דווד)
                continue
            if char == "ش" and word[i - 1 : i] == "ت":  # تش: how Arabic writes a foreign ch
                letters[-1] = (_C, ("ch", "tsh"))
                continue
            letters.append((kind, sounds))
    if _abjad_initial_vowel(letters, table):
        letters[0] = (_C, ("",))  # read as nothing, before the vowel letter it carries
    return prefix, letters


def _abjad(word: str, table: dict[str, tuple[int, tuple[str, ...]]]) -> list[str]:
    """Renderings of a word written without short vowels: the letters as written, then with
    an ``a`` after the first consonant where no vowel follows it (Bkr: Bakr, Nsr: Nasr),
    with each of the usual equivalences (b/p, f/v, w/v, u/o, i/e) applied throughout the
    word, and last with an ``a`` wherever two consonants meet (Hsn: Hasan)."""
    prefix, letters = _abjad_parse(word, table)
    if not letters:
        return []
    base = _abjad_letters(letters, choice=lambda sounds: sounds[0], fill=0)
    variants = [base, _abjad_letters(letters, lambda s: s[0], fill=1)]
    seen = {a for k, s in letters for a in s[1 + (k == _MATER) :] if a and s[0]}
    for alternative in sorted(seen, key=_abjad_preference):

        def pick(sounds: tuple[str, ...], alt: str = alternative) -> str:
            return alt if alt in sounds[1:] else sounds[0]

        variants.append(_abjad_letters(letters, pick, fill=0))
        if alternative == "o":  # o at the end of a word (Maduro), u inside it
            variants.append(_abjad_letters(letters, lambda s: s[0], fill=0, final_o=True))
    variants.append(_abjad_letters(letters, lambda s: s[0], fill=len(letters)))
    return [prefix + v for v in variants]


def _abjad_stripped(word: str, table: dict[str, tuple[int, tuple[str, ...]]]) -> str:
    """The word's consonants only, its first letter kept ("Mbrk" for مبارك): what the
    letters say for sure. The vowels an abjad writes (و, ي, ا) stand for several (o/u,
    i/e/ay, a) and a foreign name's are often guessed, so a reading that keeps them meets
    the listed spelling worse than its consonants alone do (the scoring reads a word without
    vowels against the words with its skeleton)."""
    prefix, letters = _abjad_parse(word, table)
    if not letters:
        return ""
    text = _abjad_letters(letters, lambda s: s[0], fill=0)
    return prefix + text[:1] + re.sub("[aeiou]", "", text[1:])


def _abjad_initial_vowel(
    letters: list[tuple[int, tuple[str, ...]]], table: dict[str, tuple[int, tuple[str, ...]]]
) -> bool:
    """An alef that starts a word before a vowel letter only carries that vowel: Hebrew
    writes a first i, e, o or u as אי, או (אומר: Omar, איגור: Igor), Arabic a first o or u
    as او (اوسامة: Osama); Arabic اي is as often Ay- (Ayman) as I-."""
    return (
        len(letters) > 2
        and letters[0] == table.get("א" if table is _HEBREW else "ا")
        and letters[1][0] == _MATER
        and letters[1][1][0] in (("v", "y") if table is _HEBREW else ("w",))
        and letters[2][0] == _C
    )


#: The equivalences most often needed first: sounds Arabic and Hebrew lack (p, v) and the
#: vowels their letters leave open (o/u, e/i).
_ABJAD_PREFERENCE = ("p", "v", "o", "u", "f", "e", "i", "g", "kh", "h", "s", "z", "a", "k")


def _abjad_preference(sound: str) -> tuple[int, str]:
    order = _ABJAD_PREFERENCE
    return (order.index(sound) if sound in order else len(order), sound)


def _abjad_letters(
    letters: list[tuple[int, tuple[str, ...]]],
    choice: Callable[[tuple[str, ...]], str],
    fill: int,
    final_o: bool = False,
) -> str:
    """One reading: a mater is a consonant at the start of a word or before another mater
    (y, w, v), else a vowel (its second and later sounds); a word-final h after a consonant
    is read -ah; an ``a`` goes between the first ``fill`` pairs of consonants nothing
    separates."""
    out: list[str] = []
    previous_vowel = False
    last = len(letters) - 1
    for i, (kind, sounds) in enumerate(letters):
        if kind == _MATER and sounds[0] in ("a", "i"):
            text, vowel = choice(sounds), True
        elif kind == _MATER and not sounds[0]:  # ع / ע: a vowel at the start, else silent
            text, vowel = (sounds[1] if i == 0 else ""), i == 0
        elif kind == _MATER:
            consonant = i == 0 or (i < last and letters[i + 1][0] == _MATER and not previous_vowel)
            if consonant:
                text, vowel = (choice(sounds[:1] + tuple(s for s in sounds if s == "v")), False)
            else:
                vowels = sounds[1:]
                text = choice(vowels) if choice(vowels) in vowels else vowels[0]
                if final_o and i == last and "o" in vowels:
                    text = "o"
                vowel = True
        else:
            text, vowel = choice(sounds), False
            if text == "h" and i == last and i > 0 and not previous_vowel:
                text = "ah"
            elif fill and out and not previous_vowel and i > 0 and text:
                text, fill = "a" + text, fill - 1
        out.append(text)
        previous_vowel = vowel
    return "".join(out)


def _arabic(word: str) -> list[str]:
    return _abjad(word, _ARABIC)


def _hebrew(word: str) -> list[str]:
    return _abjad(word, _HEBREW)


#: The consonant reading of the scripts that write no short vowels, offered last.
_STRIPPED: dict[str, Callable[[str], str]] = {
    "arabic": lambda word: _abjad_stripped(word, _ARABIC),
    "hebrew": lambda word: _abjad_stripped(word, _HEBREW),
}


# ----------------------------------------------------------------------------------------------
# Han: pinyin (and Wade-Giles), surname first, the given name joined and apart

#: Two-character surnames (复姓): the given name follows them.
_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "夏侯", "司徒", "令狐", "长孙", "宇文", "轩辕",
        "端木", "西门", "南宫",
    ]
)


def _japanese_family_name(words: list[str]) -> bool:
    """Kanji words, the first of two signs written apart from the rest (石川 健一): a
    Japanese family name. Chinese writes a name without a space, or puts one after a surname
    of one sign (李 方伟) or a compound surname (欧阳 修)."""
    return (
        len(words) >= 2
        and all(word_script(w) == "han" and len(w) <= 4 for w in words)
        and len(words[0]) == 2
        and words[0] not in _COMPOUND_SURNAMES
    )


def _han(word: str) -> list[str]:
    """Chinese readings first; a name of three or four signs may as well be Japanese (its
    reading comes last)."""
    from pypinyin import Style, lazy_pinyin

    def read(style: Style = Style.NORMAL) -> list[str]:  # signs pypinyin lacks: anyascii
        return [anyascii(s).strip().replace("v", "u").replace("'", "") for s in
                lazy_pinyin(word, style=style, errors=lambda text: list(text))]  # fmt: skip

    if len(word) > 4:  # not a personal name: the syllables, as the lists write companies
        return [" ".join(read())]
    split = 2 if word[:2] in _COMPOUND_SURNAMES else 1
    out = []
    for style in (Style.NORMAL, Style.WADEGILES):
        syllables = read(style)
        surname, given = "".join(syllables[:split]), syllables[split:]
        out.append(" ".join(filter(None, [surname, "".join(given)])))
        if len(given) > 1:
            out.append(" ".join([surname, *given]))
    japanese = _japanese(word, apart=True)[0] if len(word) >= 3 else ""
    if not japanese or "" in japanese.split(" "):  # 3+ signs, all of them read in Japanese
        return out
    return [*out, japanese]


# ----------------------------------------------------------------------------------------------
# Japanese: Hepburn, and katakana's added vowels taken out of foreign names

_MORA = re.compile(r"(?:[bcdfghjkmnprstvwyz]*[aeiou]|n(?![aeiouy]))")
_LONG = re.compile(r"([aeiou])\1+|ou")


#: ヅ and ヂ (zu, ji in Hepburn) are all but unused for a foreign z or j, which are ズ and ジ:
#: where they appear in a name they stand for du and di (アブヅル: Abdul), read as ドゥ and ディ.
_FOREIGN_DU_DI = str.maketrans({"ヅ": "ドゥ", "ヂ": "ディ"})
#: Kana with a small vowel that write sounds Japanese lacks, in foreign words; pykakasi
#: reads them letter by letter (シェ "shie", ティ "tei", ウィ "ui"), so they are read first.
_FOREIGN_KANA = {
    "シェ": "she", "ジェ": "je", "チェ": "che", "ティ": "ti", "ディ": "di", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ツァ": "tsa", "ツィ": "tsi",
    "ツェ": "tse", "ツォ": "tso", "イェ": "ye", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ヴ": "vu", "クァ": "kwa", "グァ": "gwa",
}  # fmt: skip
_FOREIGN_KANA_PATTERN = re.compile("|".join(sorted(_FOREIGN_KANA, key=len, reverse=True)))


def _japanese(word: str, apart: bool = False) -> list[str]:
    """Hepburn with long vowels written once (Shinzo, Taro); kanji read as words, kept
    ``apart`` (a family name and a given name written together)."""
    import pykakasi

    katakana = any(script_of(c) == "katakana" for c in word)
    word = _FOREIGN_KANA_PATTERN.sub(lambda m: _FOREIGN_KANA[m[0]], word.translate(_FOREIGN_DU_DI))
    parts = [re.sub(r"[^a-z]", "", i["hepburn"].lower()) for i in _kakasi(pykakasi).convert(word)]
    hepburn = "".join(parts)
    plain = _LONG.sub(lambda m: m[0][0], (" " if apart else "").join(parts))
    if not katakana:
        return [plain]
    foreign, breathed = _unkatakana(hepburn), _unkatakana(hepburn, final_h=True)
    readings = [foreign, foreign.replace("r", "l"), breathed, breathed.replace("r", "l")]
    if all(script_of(c) in ("katakana", "") or c.isascii() for c in word):
        return [*readings, plain]  # katakana alone is how Japanese writes foreign names
    return [plain, *readings]


@lru_cache(maxsize=1)
def _kakasi(module: object) -> object:
    return module.kakasi()  # type: ignore[attr-defined]


def _unkatakana(hepburn: str, final_h: bool = False) -> str:
    """A katakana foreign name's Latin source: the vowel katakana adds after a consonant
    (u; o after t and d) dropped where no vowel was heard, chi/ji/shi read ti/di/si, a
    leading u before a consonant read v (ウラジ: Vla-), long vowels written once. フ with
    no vowel heard is how katakana writes a lone h as well as an f: h inside a word (アフメド:
    Ahmed), f at its end (ユスフ: Yusuf), or h there too where ``final_h`` (サレフ: Saleh)."""
    moras = _MORA.findall(hepburn)
    out = []
    for i, mora in enumerate(moras):
        nxt = moras[i + 1] if i + 1 < len(moras) else ""
        long = nxt in ("u", "o", "i", "a", "e") and nxt == mora[-1] and len(mora) > 1
        if i == 0 and mora == "u" and nxt[:1] not in ("", "a", "e", "i", "o", "u"):
            out.append("v")
            continue
        if out and mora == out[-1][-1:] and mora in "aeiou" and len(mora) == 1:
            continue  # the second half of a long vowel
        mora = {"chi": "ti", "ji": "di", "shi": "si", "tsu": "tsu"}.get(mora, mora)
        closed = not nxt or nxt[0] not in "aeiou"
        added = (mora[-1] == "u" and mora not in ("tsu", "yu")) or (
            mora[-1] == "o" and mora[:-1] in "td"
        )
        if not long and closed and len(mora) > 1 and added:
            mora = mora[:-1]
            if mora == "f" and (nxt or final_h) and i > 0:
                mora = "h"
        out.append(mora)
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# Korean: Revised Romanization, McCune-Reischauer, and the conventional surname spellings

_INITIALS_RR = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "-", "j", "jj", "ch", "k", "t",
    "p", "h",
]
_INITIALS_MR = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "-", "ch", "tch", "ch'", "k'",
    "t'", "p'", "h",
]
_VOWELS_RR = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
]
_VOWELS_MR = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
]
_FINALS = [
    "-", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
]
#: Surnames and their spellings in passports and the press, by Hangul syllable.
_SURNAMES = {
    "김": ("kim", "gim"), "이": ("lee", "yi", "ri", "rhee", "i"), "리": ("ri", "lee"),
    "박": ("park", "pak", "bak"), "최": ("choi", "choe"), "정": ("jung", "jeong", "chung", "jong"),
    "강": ("kang", "gang"), "조": ("cho", "jo"), "윤": ("yoon", "yun"), "장": ("jang", "chang"),
    "임": ("lim", "im", "rim"), "림": ("rim", "lim"), "한": ("han",), "오": ("oh", "o"),
    "서": ("seo", "suh", "so"), "신": ("shin", "sin"), "권": ("kwon", "gwon"),
    "황": ("hwang",), "안": ("ahn", "an"), "송": ("song",), "류": ("ryu", "yoo", "yu"),
    "유": ("yoo", "yu", "ryu"), "홍": ("hong",), "전": ("jeon", "chun", "jon"),
    "고": ("ko", "go"), "문": ("moon", "mun"), "양": ("yang",), "손": ("son", "sohn"),
    "배": ("bae", "pae"), "백": ("baek", "paek"), "노": ("roh", "noh", "ro"),
    "로": ("ro", "roh"), "리용": ("ri",),
}  # fmt: skip


def _hangul_syllables(word: str, initials: list[str], vowels: list[str]) -> list[str]:
    out = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            out.append(anyascii(char))
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        text = initials[initial].replace("-", "") + vowels[vowel]
        out.append(text + _FINALS[final].replace("-", ""))
    return [s.replace("'", "") for s in out]


def _korean(word: str, alone: bool = False) -> list[str]:
    """A Korean personal name keeps its given name joined (김은정: kim eunjeong): its
    syllables are one name, and apart they would pair in any order and each meet a listed
    syllable a letter away (eun jeong as Jong Un, sang as Song). A word that is the whole
    name (``alone``), as Korean writes its people's names, is read as one whatever its first
    syllable, after its foreign readings where the surname table lacks that syllable: the
    surname then in McCune-Reischauer and Revised (현광일: hyon kwangil, hyeon kwangil)."""
    foreign = _foreign_hangul(word)
    rr = _hangul_syllables(word, _INITIALS_RR, _VOWELS_RR)
    known = word[0] in _SURNAMES
    if not 2 <= len(word) <= 4 or not (known or (alone and korean_name(word))):
        return [*foreign[: MAX_WORD_RENDERINGS - 1], "".join(rr)]
    mr = _hangul_syllables(word[0], _INITIALS_MR, _VOWELS_MR)
    surnames = _SURNAMES.get(word[0]) or _unique([mr[0], rr[0]])
    given = ["".join(g) for g in _given_syllables(word)]
    out = [f"{surnames[0]} {g}" for g in given] + [f"{s} {given[0]}" for s in surnames[1:]]
    if not (known and korean_name(word)):  # 르, 스, 드, or a surname the table lacks
        return [*foreign[:3], *out, *foreign[3:]]
    return [*out[:3], *foreign[:1], *out[3:], *foreign[1:]]


_korean_name = functools.partial(_korean, alone=True)


def _given_syllables(word: str) -> list[list[str]]:
    """The syllables after the surname: McCune-Reischauer, Revised, and MR with ch as j."""
    mr = _hangul_syllables(word[1:], _INITIALS_MR, _VOWELS_MR)
    rr = _hangul_syllables(word[1:], _INITIALS_RR, _VOWELS_RR)
    return [mr, rr, [s.replace("ch", "j", 1) for s in mr]]


def korean_syllables_apart(word: str) -> list[str]:
    """A Korean personal name's readings with the given name's syllables apart ("kim jong
    un"), for finding it in running text where a list writes them apart; screening keeps
    them joined (:func:`_korean`). Only a word that begins with a surname of the table: in
    running text most words of two to four syllables are no name."""
    if not korean_name(word) or word[0] not in _SURNAMES:
        return []
    surname = _SURNAMES[word[0]][0]
    return list(dict.fromkeys(" ".join([surname, *g]) for g in _given_syllables(word)))


def korean_name(text: str) -> bool:
    """One word of two to four Hangul syllables, none a lone consonant
    (:func:`_lone_consonant`): how Korean writes its people's names, whatever the surname
    (현광일 as well as 김영철), whose readings are spellings by convention, not typing (see
    :func:`korean_spelling_key`)."""
    return (
        2 <= len(text) <= 4
        and text.isalpha()
        and word_script(text) == "hangul"
        and not any(_lone_consonant(c) for c in text)
    )


#: Spellings of one Korean sound in McCune-Reischauer, Revised Romanization, North Korean
#: usage and passports (Seong, Song, Sung; Byong, Pyong; Thaek, Taek; Young, Yong).
_KOREAN_SPELLINGS = (
    ("yeo", "yo"), ("you", "yo"), ("eo", "o"), ("eu", "u"), ("oo", "u"), ("ou", "o"),
    ("ee", "i"), ("ae", "e"), ("u", "o"), ("th", "t"), ("ph", "p"), ("kh", "k"), ("ch", "c"),
    ("sh", "s"), ("j", "c"), ("b", "p"), ("d", "t"), ("g", "k"), ("r", "l"),
)  # fmt: skip


def korean_spelling_key(text: str) -> str:
    """The romanisations of one string of Korean syllables folded to one key: two keys that
    differ are different syllables (Sang and Song, Kyong and Yong), not two spellings. A
    letter written twice counts once (Hassan for 하산, Kimm)."""
    key = "".join(c for c in text.lower() if c.isalpha())
    for spelling, folded in _KOREAN_SPELLINGS:
        key = key.replace(spelling, folded)
    return "".join(c for i, c in enumerate(key) if i == 0 or c != key[i - 1])


def _lone_consonant(char: str) -> bool:
    """A syllable of a consonant and ㅡ alone (르, 스, 드): how Korean writes a consonant no
    vowel follows in a foreign word, and rare in Korean given names."""
    code = ord(char) - 0xAC00
    return 0 <= code < 11172 and code % 28 == 0 and (code % 588) // 28 == 18 and code // 588 != 11


def _foreign_hangul(word: str) -> list[str]:
    """A foreign name written in Hangul read back (:func:`_unhangul`), then with the letters
    Korean writes with its own nearest sounds: ㄹ for l as well as r, ㅍ for f, ㅂ for v, ㅈ
    for z (Aziz: 아지즈)."""
    plain = _unhangul(word)
    lateral = plain.replace("r", "l")
    return list(
        dict.fromkeys(
            [
                plain,
                lateral,
                plain.replace("p", "f").replace("b", "v"),
                plain.replace("j", "z"),
                lateral.replace("p", "f").replace("j", "z"),
            ]
        )
    )


def _unhangul(word: str) -> str:
    """A foreign name written in Hangul: the ㅡ (eu) Korean adds to lone consonants dropped,
    a final-and-initial ㄹ (ll before a vowel) written once, r before a vowel."""
    out = []
    for char in word:
        code = ord(char) - 0xAC00
        if not 0 <= code < 11172:
            out.append(anyascii(char))
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        onset = _INITIALS_RR[initial].replace("-", "")
        nucleus = "" if _VOWELS_RR[vowel] == "eu" and onset else _VOWELS_RR[vowel]
        coda = {"ng": "ng", "l": "l"}.get(_FINALS[final], _FINALS[final].replace("-", ""))
        if out and onset == "r" and out[-1].endswith("l"):
            onset = ""
        out.append(onset + nucleus + coda)
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# Georgian, Armenian, Devanagari, Thai: letter by letter with the script's own conventions


def _georgian(word: str) -> list[str]:
    plain = anyascii(word)
    if len(plain) > 4 and plain.endswith("i") and plain[-2] not in "aeiou":
        return [plain, plain[:-1]]  # the nominative -i Georgian adds to foreign names
    return [plain]


def _armenian(word: str) -> list[str]:
    return [anyascii(word.replace("ու", "u").replace("Ու", "U").replace("ՈՒ", "U"))]


_VIRAMA = "\u094d"
_DEVANAGARI_VOWELS = frozenset(["A", "AA", "I", "II", "U", "UU", "E", "AI", "O", "AU"])


def _devanagari(word: str) -> list[str]:
    """Consonants carry an inherent a unless a vowel sign or virama follows; Hindi drops
    it at the end of a word after a single consonant (Modi, not Moda)."""
    out = []
    for i, char in enumerate(word):
        out.append(anyascii(char))
        nxt = word[i + 1] if i + 1 < len(word) else ""
        consonant = unicodedata.name(char, "").split()[-1] not in _DEVANAGARI_VOWELS
        if unicodedata.category(char) != "Lo" or not consonant:
            continue
        if nxt and unicodedata.category(nxt) in ("Mn", "Mc"):
            continue  # a vowel sign, virama or nukta follows
        if nxt or (i > 0 and word[i - 1] == _VIRAMA):  # kept after a final cluster
            out.append("a")
    return ["".join(out)]


def _plain(word: str) -> list[str]:
    return [anyascii(word)]


_RULES: dict[str, Callable[[str], list[str]]] = {
    "greek": _greek,
    "cyrillic": _cyrillic,
    "arabic": _arabic,
    "hebrew": _hebrew,
    "han": _han,
    "hiragana": _japanese,
    "katakana": _japanese,
    "japanese": _japanese,
    "hangul": _korean,
    "georgian": _georgian,
    "armenian": _armenian,
    "devanagari": _devanagari,
    "thai": _plain,
}
#: The scripts given Latin renderings (kana with kanji is "japanese").
SUPPORTED_SCRIPTS = frozenset(_RULES)
