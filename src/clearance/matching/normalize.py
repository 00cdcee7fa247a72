"""Name normalisation: the one place where text becomes comparable tokens.

Every listed name and every query goes through :func:`normalize_name`, so whatever is folded
here (case, accents, scripts, look-alike letters, invisible characters, punctuation of legal
forms, titles) can never hide a match or make one. Tokens carry a kind, because a shared
particle ("de", "al") or legal form ("LLC") must weigh almost nothing in scoring.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA

from clearance.matching import frequency
from clearance.matching.transliterate import latin_renderings

#: Token kinds. Only ``NAME`` tokens can make a match on their own.
NAME = 0
PARTICLE = 1
LEGAL = 2

#: Cyrillic and Greek letters that look like Latin ones, folded inside words that also carry
#: Latin letters (a mixed-script word is an evasion, not a transliteration).
CONFUSABLES = {
    # Cyrillic lower / upper
    "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "ѕ": "s", "т": "t", "у": "y", "х": "x",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Ё": "E", "Н": "H", "І": "I", "Ї": "I", "Ј": "J",
    "К": "K", "М": "M", "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W",
    # Greek lower / upper
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(CONFUSABLES)

#: Letters written interchangeably in one script, folded before transliteration: Arabic
#: hamza seats and alef forms, alef maqsura / yeh (and the Persian yeh and kaf), ta marbuta /
#: heh; the Cyrillic hard sign, often left out.
SCRIPT_VARIANTS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك", "ؤ": "و",
    "ئ": "ي", "ъ": "", "Ъ": "",
}  # fmt: skip

#: Honorifics and titles dropped from names (compared without a trailing dot).
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "cheikh",
        "cheik",
        "sheykh",
        "shekh",
        "haji",
        "hajji",
        "hadji",
        "hajj",
        "hj",  # Haji's own abbreviation (Malay, Indonesian: "Hj. Ahmad")
        "alhaji",
        "gen",
        "general",
        "col",
        "colonel",
        "lt",
        "ltcol",
        "maj",
        "major",
        "capt",
        "captain",
        "cpt",
        "sgt",
        "cmdr",
        "commander",
        "adm",
        "admiral",
        "brig",
        "brigadier",
        "rev",
        "reverend",
        "fr",
        "imam",
        "mullah",
        "mulla",
        "maulana",
        "mawlana",
        "maulvi",
        "mufti",
        "ayatollah",
        "hon",
        "excellency",
        "hrh",
        "don",
        "dona",
        "senor",
        "senora",
        "sr",
        "sra",
        "sra",
        "mme",
        "mlle",
        "herr",
        "frau",
        "eng",
        "ing",
        "lic",
        "licdo",
        "licda",
        "licenciado",
        "licenciada",
        "arq",
        "dra",
        "shri",
        "sri",
    ]
)
#: Titles also stand written without their vowels, as every word of a name may be ("Shkh
#: Omr", "Mllh Nmllh"), where four letters or more are left: fewer are as likely a name's
#: ("Snr" is Soner as well as Senor, "Mll" Malual as well as Mulla).
TITLES = TITLES | frozenset(
    stripped
    for stripped in (t[0] + "".join(c for c in t[1:] if c not in "aeiouy") for t in TITLES)
    if len(stripped) >= 4
)

#: Name particles: kept (they tell names apart) but weighed lightly and free to be missing.
PARTICLES = frozenset(
    [
        "de",
        "del",
        "della",
        "dela",
        "der",
        "den",
        "des",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "el",
        "al",
        "as",
        "ad",
        "ar",
        "an",
        "at",
        "az",
        "ash",
        "ath",
        "adh",
        "ud",
        "ul",
        "ur",
        "y",
        "e",
        "i",
        "und",
        "and",
        "of",
        "the",
        "van",
        "von",
        "ter",
        "ten",
        "bin",
        "ibn",
        "bint",
        "ben",
        "abu",
        "abou",
        "bou",
        "bu",
        "ould",
        "ag",
    ]
)

#: Legal forms: every spelling (letters only, lower case) -> one canonical token.
LEGAL_FORMS: dict[str, str] = {
    "llc": "llc", "ltd": "ltd", "limited": "ltd", "inc": "inc", "incorporated": "inc",
    "corp": "corp", "corporation": "corp", "co": "co", "company": "co", "plc": "plc",
    "llp": "llp", "lp": "lp", "lllp": "lllp", "gmbh": "gmbh", "ag": "ag", "kg": "kg",
    "sa": "sa", "sadecv": "sadecv", "sapidecv": "sapidecv", "sabdecv": "sabdecv", "sab": "sab",
    "sderl": "sderl", "sderldecv": "sderldecv", "srl": "srl", "sas": "sas", "sarl": "sarl",
    "spa": "spa", "sro": "sro", "doo": "doo", "dd": "dd", "ad": "ad", "ood": "ood",
    "eood": "eood", "jsc": "jsc", "ojsc": "ojsc", "pjsc": "pjsc", "cjsc": "cjsc", "ooo": "ooo",
    "zao": "zao", "oao": "oao", "pao": "pao", "ao": "ao", "tov": "tov", "fzco": "fzco",
    "fze": "fze", "fzllc": "fzllc", "dmcc": "dmcc", "bv": "bv", "nv": "nv", "ab": "ab",
    "as": "as", "asa": "asa", "oy": "oy", "oyj": "oyj", "kft": "kft", "zrt": "zrt", "spzoo": "spzoo",
    "sdnbhd": "sdnbhd", "bhd": "bhd", "pte": "pte", "pvt": "pvt", "ltda": "ltda", "cia": "cia",
    "sac": "sac", "saa": "saa", "eirl": "eirl", "wll": "wll", "est": "est", "sal": "sal",
    "sarlau": "sarlau", "scs": "scs", "snc": "snc", "cv": "cv", "sc": "sc", "pc": "pc",
    # Chinese (pinyin of 有限公司 / 股份有限公司 / 公司, as anyascii renders Han script)
    "youxiangongsi": "ltd", "gufenyouxiangongsi": "ltd", "gongsi": "co",
    "ca": "ca", "sl": "sl", "limitada": "ltda", "compania": "cia", "aktiengesellschaft": "ag",
}  # fmt: skip
#: Legal forms written out in words -> the canonical token(s) of their abbreviation, so
#: "PROFUTCOL SOCIEDAD ANONIMA" is "PROFUTCOL S.A." and "OPEN JOINT STOCK COMPANY" is "OJSC".
#: Words compare by :func:`fold` and tolerate one slip in words of six letters or more.
LEGAL_PHRASES: dict[str, str] = {
    "limited liability company": "llc", "limited liability partnership": "llp",
    "limited partnership": "lp", "public limited company": "plc", "private limited": "pte ltd",
    "private limited company": "pte ltd", "company limited": "co ltd",
    "sendirian berhad": "sdnbhd", "joint stock company": "jsc", "open joint stock company": "ojsc",
    "closed joint stock company": "cjsc", "public joint stock company": "pjsc",
    "sociedad anonima": "sa", "sociedade anonima": "sa", "societe anonyme": "sa",
    "compania anonima": "ca", "sociedad anonima de capital variable": "sadecv",
    "sociedad de responsabilidad limitada": "sderl",
    "sociedad de responsabilidad limitada de capital variable": "sderldecv",
    "sociedad limitada": "sl", "sociedad por acciones simplificada": "sas",
    "societa a responsabilita limitata": "srl", "societe a responsabilite limitee": "sarl",
    "gesellschaft mit beschrankter haftung": "gmbh", "besloten vennootschap": "bv",
    "naamloze vennootschap": "nv", "free zone establishment": "fze", "free zone company": "fzco",
    "obshchestvo s ogranichennoi otvetstvennostiu": "ooo", "aktsionernoe obshchestvo": "ao",
    "otkrytoe aktsionernoe obshchestvo": "oao", "zakrytoe aktsionernoe obshchestvo": "zao",
    "publichnoe aktsionernoe obshchestvo": "pao",
    "tovarystvo z obmezhenoiu vidpovidalnistiu": "tov",
    "spolka z ograniczona odpowiedzialnoscia": "spzoo",
    "drustvo s ogranicenom odgovornoscu": "doo",
}  # fmt: skip
#: Legal forms that are also ordinary words or particles: only legal forms after the first token.
AMBIGUOUS_LEGAL_FORMS = frozenset({"as", "ab", "ag", "sa", "co", "ao", "ad", "dd", "sc", "cv", "pc", "est", "sal", "oy"})  # fmt: skip
_LEGAL_SPAN = 6  # dotted forms such as "s.a. de c.v." span up to six tokens
#: Beginnings of legal forms: a legal form begins only at one of them or at a legal-form word.
_LEGAL_FORM_PREFIXES = frozenset(form[:n] for form in LEGAL_FORMS for n in range(len(form) + 1))
#: Words this long may carry one slip and still be a legal-form word ("LIMTIED", "COMAPNY").
_LEGAL_FUZZY_LENGTH = 6
#: Legal-form words this long or longer are read through a scanner's look-alike glyphs, and
#: inside a phrase through one slip.
_LEGAL_SLIP_LENGTH = 4
#: A dotted acronym written as one word ("T.G.A.", "L.L.C."): one token, its letters joined.
_DOTTED_ACRONYM = re.compile(r"^(?:[a-z0-9]\.){2,}[a-z0-9]?\.?$")

#: Characters removed outright: invisible format characters and apostrophes (Qa'ida = Qaida).
_APOSTROPHES = "'’`ʼʻ‘´"
_WORD_SPLIT = re.compile(r"[^0-9a-z.\-]+")
_PART_SPLIT = re.compile(r"[.\-]+")
_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name as tokens with kinds; ``key`` is its identity (equal keys = identical names)."""

    tokens: tuple[str, ...]
    kinds: tuple[int, ...]

    @property
    def key(self) -> str:
        return " ".join(self.tokens)

    def name_tokens(self) -> tuple[str, ...]:
        return tuple(t for t, k in zip(self.tokens, self.kinds, strict=True) if k == NAME)


class _CharacterTable(dict[int, str | None]):
    """A ``str.translate`` table that works out a character's replacement by ``rule`` the
    first time it meets it, so that names are translated in C rather than character by
    character in Python. A deletion is stored as None (CPython's ASCII fast path wants that)."""

    #: Characters remembered at most: real names use a few thousand; arbitrary input is
    #: translated correctly beyond that, only without being remembered.
    LIMIT = 65536

    def __init__(self, rule: Callable[[str], str]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str | None:
        replacement = self._rule(chr(code)) or None
        if len(self) < self.LIMIT:
            self[code] = replacement
        return replacement


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Cs", "Co") or char in "\u034f\u115f\u1160\u3164\uffa0"


def _visible(char: str) -> str:
    """The character with its script variant folded, or nothing if it is invisible (white
    space is kept: it separates words)."""
    return "".join(
        c for c in SCRIPT_VARIANTS.get(char, char) if c.isspace() or not _is_invisible(c)
    )


def _ascii(char: str) -> str:
    """One character of an NFKD-decomposed word in ASCII: accents dropped, each Han syllable
    its own token, every other script transliterated."""
    if char.isascii():
        return char
    if unicodedata.combining(char):
        return ""
    if "CJK" in unicodedata.name(char, ""):
        return f" {anyascii(char)} "
    return anyascii(char)


_VISIBLE_TABLE = _CharacterTable(_visible)
_ASCII_TABLE = _CharacterTable(_ascii)
_CONFUSABLE_CHARS = frozenset(CONFUSABLES)
#: A Latin letter in a lower-cased word: a character is Latin when its lower case begins
#: with a-z (A-Z, a-z, the Kelvin sign and dotted capital I).
_LATIN = re.compile("[a-z]")


def _fold_word(word: str) -> str:
    """Fold look-alike letters in mixed-script words; transliterate everything else to ASCII."""
    if word.isascii():
        return word
    if not _CONFUSABLE_CHARS.isdisjoint(word) and _LATIN.search(word.lower()):
        word = word.translate(_CONFUSABLE_TABLE)
    return unicodedata.normalize("NFKD", word).translate(_ASCII_TABLE)


def clean_text(text: str) -> str:
    """Unicode-clean, ASCII, lower-case text: NFKC, invisibles removed, look-alikes folded.

    ASCII text skips NFKC and transliteration: both leave every ASCII character as it is.
    """
    if text.isascii():
        if not text.isprintable():  # the only invisible ASCII characters are control ones
            text = text.translate(_VISIBLE_TABLE)
        words = text.split()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_VISIBLE_TABLE)
        words = [_fold_word(w) for w in text.split()]
    folded = " ".join(words).casefold()
    for mark in _APOSTROPHES:
        folded = folded.replace(mark, "")
    return folded


def _words(segment: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(segment) if w.strip(".-")]


def _drop_titles(words: list[str]) -> list[str]:
    """Titles are dropped from the front (``Dr``, ``Sheikh``, ``Gen.``), never all words, and
    never when only initials would be left ("LADY D" is a name, not a title and an initial)."""
    kept = list(words)
    while len(kept) > 1:
        word = kept[0].rstrip(".")
        if word not in TITLES or _DIGITS.match(kept[1].strip(".-")):
            break
        if all(len(w.strip(".-")) < 2 for w in kept[1:]):
            break
        kept.pop(0)
    return kept


def _parts(words: list[str]) -> list[str]:
    """Words split at dots and hyphens; a dotted acronym ("T.G.A.") stays one token ("tga")."""
    parts = []
    for word in words:
        if word.isalnum():  # no dot or hyphen to split at
            parts.append(word)
        elif _DOTTED_ACRONYM.match(word):
            parts.append(word.replace(".", ""))
        else:
            parts.extend(p for p in _PART_SPLIT.split(word) if p)
    return parts


def _ordered_words(text: str) -> tuple[list[str], bool]:
    """Words without leading titles, ``SURNAME, Given`` turned into ``Given SURNAME``, and
    whether the name was written that way (a person's name: its words are never legal forms).

    Titles may lead either part ("Haji ABU HASSAN, Khaled", "ABU HASSAN, Haji Khaled"); a part
    after the comma made only of titles ("Omar, Sheik") is dropped. A part after the comma
    that is a legal form ("ACME, LTD.", "WIV, SOCIEDAD ANONIMA") stays where it is.
    """
    if text.count(",") != 1:
        return _drop_titles(_words(text.replace(",", " "))), False
    head, tail = (_drop_titles(_words(part)) for part in text.split(","))
    if head and tail and all(w.rstrip(".") in TITLES for w in tail):
        return head, True
    tail_parts = _parts(tail)
    if not head or not tail or all(k == LEGAL for _, k in _canonical_legal(["x", *tail_parts])[1:]):
        return _drop_titles(head + tail), False
    return tail + head, True


@dataclass(frozen=True, slots=True)
class _LegalVocabulary:
    """Legal phrases keyed by their folded words; every folded legal-form word (the words a
    slip-tolerant lookup may correct to); the legal-only words of phrases (LEGAL even when
    the rest of their phrase is missing: "OBSHCHESTVO S OTVETSTVENNOSTYU X"); long legal
    words by consonant skeleton (for vowel-stripped spellings: "CMPNY"); the canonical token
    of each long legal form by its folded spelling (the first form listed wins); by length,
    the words a word of that length may be one slip from (a slip changes it by one at most)."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    words: dict[str, str]
    legal_only: frozenset[str]
    by_skeleton: dict[str, str]
    forms: dict[str, str]
    by_length: dict[int, dict[str, str]]
    #: the folded word of each legal-form word as written and as a scanner reads it
    #: (:func:`ocr_form`: "L1MlTED", "J01NT"), and of the written words by length (a slip
    #: is one edit of the word as written: "OBSNCHESTVO", "LIMITEDX")
    by_ocr: dict[str, str]
    short_skeletons: dict[str, str]
    written: dict[str, str]
    written_by_length: dict[int, dict[str, str]]


@lru_cache(maxsize=1)
def _legal_vocabulary() -> _LegalVocabulary:
    phrases = {
        tuple(fold(w) for w in phrase.split()): tuple(canonical.split())
        for phrase, canonical in LEGAL_PHRASES.items()
    }
    words = {w: w for key in phrases for w in key}
    words.update((fold(form), fold(form)) for form in LEGAL_FORMS if len(form) >= 6)
    legal_only = frozenset(
        fold(w)
        for phrase in LEGAL_PHRASES
        for w in phrase.split()
        if len(w) >= 5 and w not in _ORDINARY_LEGAL_WORDS
    )
    by_skeleton: dict[str, str] = {}
    for w in words:  # the first (English) word of a skeleton wins: company, not compania
        if len(w) >= 6 and len(skeleton(w)) >= 4:
            by_skeleton.setdefault(skeleton(w), w)
    forms: dict[str, str] = {}
    for form, canonical in LEGAL_FORMS.items():
        if len(form) >= 6:
            forms.setdefault(fold(form), canonical)
    by_length = {
        n: {w: w for w in words if abs(len(w) - n) <= 1} for n in range(max(map(len, words)) + 2)
    }
    written = {w: fold(w) for phrase in LEGAL_PHRASES for w in phrase.split()}
    written.update((form, fold(form)) for form in LEGAL_FORMS if len(form) >= 6)
    written = {w: f for w, f in written.items() if f in words}
    by_ocr = {ocr_form(w): f for w, f in written.items() if len(w) >= _LEGAL_SLIP_LENGTH}
    short_skeletons: dict[str, str] = {}
    for w, f in written.items():  # "JNT", "STCK", "OPN": joint, stock, open stripped of vowels
        if _LEGAL_SLIP_LENGTH <= len(w) < 6 and len(skeleton(w)) >= 3:
            short_skeletons.setdefault(skeleton(w), f)
    written_by_length = {
        n: {w: w for w in written if abs(len(w) - n) <= 1}
        for n in range(max(map(len, written)) + 2)
    }
    return _LegalVocabulary(
        phrases, words, legal_only, by_skeleton, forms, by_length, by_ocr, short_skeletons,
        written, written_by_length,
    )


#: Words that say what kind of firm a company is, not which one ("PASK TRADING" is PASK): they
#: weigh as little as a legal form, present or missing, beside a company's other words.
GENERIC_ORG_WORDS = frozenset(
    {
        "international", "intl", "group", "holding", "holdings", "trading", "general",
        "global", "industries", "enterprises", "enterprise", "services", "investments",
        "investment", "import", "export", "commercial", "worldwide",
    }
)  # fmt: skip

#: Words of written-out legal forms that are also ordinary words: never LEGAL on their own.
_ORDINARY_LEGAL_WORDS = frozenset(
    {"public", "private", "closed", "open", "capital", "variable", "establishment", "free"}
)
_LONGEST_LEGAL_PHRASE = max(len(phrase.split()) for phrase in LEGAL_PHRASES)
_LEGAL_VOWELS = frozenset("aeiou")


#: A word cut short is read as the legal-form word it begins from this many letters on.
LEGAL_PREFIX = 3


@lru_cache(maxsize=65536)
def is_legal_prefix(word: str) -> bool:
    """``word`` is the start of a written-out legal-form word ("comp", "limi", "obshch"),
    as a field cut leaves one; a word that is a whole legal-form word is not."""
    if len(word) < LEGAL_PREFIX or not word.isalpha():
        return False
    words = _legal_vocabulary().words
    folded = fold(word)
    if folded in words:
        return False
    return any(
        w.startswith(folded) and w not in _ORDINARY_LEGAL_WORDS
        for w in words
        if len(w) > len(folded)
    )


@lru_cache(maxsize=65536)
def _legal_word(part: str) -> str | None:
    """The folded legal-form word ``part`` is, allowing a slip in long words and a scanner's
    digits among its letters ("5tock", "aktsl0nernoe"), or None."""
    vocabulary = _legal_vocabulary()
    if len(part) >= _LEGAL_SLIP_LENGTH and ocr_form(part) in vocabulary.by_ocr:
        return vocabulary.by_ocr[ocr_form(part)]
    part = read_digits(part)
    if not part.isalpha():
        return None
    folded = fold(part)
    if folded in vocabulary.words:
        return folded
    if len(part) >= 4 and _LEGAL_VOWELS.isdisjoint(part[1:]):
        return vocabulary.by_skeleton.get(skeleton(part))
    if len(part) < _LEGAL_FUZZY_LENGTH:
        return None
    near = vocabulary.by_length.get(len(folded), {})
    found = process.extractOne(folded, near, scorer=OSA.distance, score_cutoff=1)
    return str(found[0]) if found else _written_slip(part)


def _written_slip(part: str) -> str | None:
    """The folded legal-form word ``part`` is one edit of as written ("OBSNCHESTVO"), or None."""
    vocabulary = _legal_vocabulary()
    near = vocabulary.written_by_length.get(len(part), {})
    found = process.extractOne(part, near, scorer=OSA.distance, score_cutoff=1)
    return vocabulary.written[found[0]] if found else None


@lru_cache(maxsize=65536)
def _legal_word_slipped(part: str) -> tuple[str, bool] | None:
    """The folded legal-form word a short word is one slip of ("JINT", "WTOCK", "SOCK" of
    JOINT / STOCK) or is without its vowels ("JNT", "STCK"), and whether it is a slip; None
    if neither. Trusted only inside a legal phrase (see :func:`_slipped_phrase`)."""
    if not part.isalpha() or len(part) >= _LEGAL_FUZZY_LENGTH:
        return None
    if len(part) >= 3 and _LEGAL_VOWELS.isdisjoint(part[1:]):
        found = _legal_vocabulary().short_skeletons.get(skeleton(part))
        if found:
            return found, False
    if len(part) < _LEGAL_SLIP_LENGTH:
        return None
    slipped = _written_slip(part)
    return (slipped, True) if slipped else None


def _legal_phrase(words: list[str | None], i: int) -> tuple[int, tuple[str, ...]] | None:
    """A legal form written out in words starting at ``words[i]``, the :func:`_legal_word` of
    each part: (end, canonical tokens)."""
    phrases = _legal_vocabulary().phrases
    end = min(len(words), i + _LONGEST_LEGAL_PHRASE)
    if None in words[i:end]:
        end = words.index(None, i)  # a phrase is made of legal-form words only
    for j in range(end, i + 1, -1):
        canonical = phrases.get(tuple(words[i:j]))  # type: ignore[arg-type]
        if canonical is not None:
            return j, canonical
    return None


def _slipped_phrase(
    parts: list[str], words: list[str | None], i: int
) -> tuple[int, tuple[str, ...]] | None:
    """:func:`_legal_phrase` of three words or more with short words damaged: one slipped
    ("PUBLIC JINT STOCK COMPANY") or any stripped of their vowels ("PBLC JNT STCK CMPNY")."""
    read = list(words)
    slips = 0
    for k in range(i, min(len(parts), i + _LONGEST_LEGAL_PHRASE)):
        if read[k] is not None:
            continue
        slipped = _legal_word_slipped(parts[k])
        if slipped is None:
            break
        read[k] = slipped[0]
        slips += slipped[1]
    if read == words or slips > 1:
        return None
    found = _legal_phrase(read, i)
    damaged = [k for k in range(i, len(words)) if read[k] != words[k]]
    if found and found[0] - i >= 3 and found[0] > damaged[0]:
        return found
    return None


def _single_legal(
    parts: list[str], words: list[str | None], i: int
) -> tuple[int, tuple[str, ...]] | None:
    """A dotted/spaced abbreviation ("s.a. de c.v.") or one legal word, slips allowed in long
    words ("LIMTIED"), starting at ``parts[i]`` (``words`` as for :func:`_legal_phrase`):
    (end, canonical tokens)."""
    word = words[i]
    end = i + 1  # a span of several parts is made of short ones: "s.a. de c.v."
    if len(parts[i]) <= 4:
        while end < min(len(parts), i + _LEGAL_SPAN) and len(parts[end]) <= 4:
            end += 1
    for j in range(end, i, -1):
        canonical = LEGAL_FORMS.get("".join(parts[i:j]))
        if canonical is None and j == i + 1 and word is not None:
            canonical = _legal_vocabulary().forms.get(word)
        if canonical is None and j == i + 1 and len(parts) > 1:
            canonical = _damaged_form(parts[i], last=i == len(parts) - 1)
        if canonical is None:
            continue
        if i == 0 and (canonical in AMBIGUOUS_LEGAL_FORMS or len(parts) == j):
            continue
        return j, (canonical,)
    return None


@lru_cache(maxsize=65536)
def _damaged_form(part: str, last: bool) -> str | None:
    """The canonical legal form a short abbreviation is with two adjacent letters swapped
    ("LCL", "TLD", "ZOA": LLC, LTD, ZAO) or, as the last word of a company's name (where
    legal forms stand), with its first letter lost or mistyped ("TD", "PTD", "POO", "NC":
    LTD, LTD, OOO, INC); None otherwise. A word that is itself a form stays that form."""
    if not 2 <= len(part) <= 4 or not part.isalpha() or part in LEGAL_FORMS:
        return None
    if 0 < frequency.rank(part) <= NAME_SYLLABLE_RANK:
        return None  # "WOO", "SOO", "GAO": a name, not "DOO" or "OAO" with a slip
    for k in range(len(part) - 1):
        swapped = part[:k] + part[k + 1] + part[k] + part[k + 2 :]
        if len(part) >= 3 and swapped in LEGAL_FORMS:
            return LEGAL_FORMS[swapped]
    if last:
        for form, canonical in _SHORT_FORMS:
            if form[1:] == part or (len(part) >= 3 and form[1:] == part[1:] and len(form) == len(part)):
                return canonical
    return None


#: A word this high in some population's ranking of names is never read as a damaged legal
#: form (Korean "Woo", "Soo", Chinese "Gao" are one letter from DOO, OOO, OAO).
NAME_SYLLABLE_RANK = 1000
#: Abbreviated legal forms of three or four letters, for :func:`_damaged_form`.
_SHORT_FORMS = tuple(
    (form, canonical) for form, canonical in LEGAL_FORMS.items() if 3 <= len(form) <= 4
)


#: Legal forms a company name may have run into ("CHOLSONLLC", "PETROPARSLIMITED"): none
#: that ends ordinary words ("UNIVERSAL", "FOOD", "ROSTOV", "KANSAS", "BEST").
_RUN_IN_FORMS = tuple(
    sorted(
        {
            "ltd", "llc", "plc", "llp", "inc", "corp", "jsc", "ojsc", "pjsc", "cjsc", "ooo",
            "zao", "oao", "pao", "gmbh", "fze", "fzco", "fzllc", "dmcc", "ltda", "sarl", "pte",
            "pvt", "bhd", "sdnbhd", "limited", "company", "corporation", "incorporated",
            "limitada",
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
#: A word split off a legal form it ran into keeps at least this many letters.
_RUN_IN_REST = 4


def _legal_breaks(parts: list[str]) -> list[str]:
    """The parts of a company name with the word breaks a legal form lost or gained put back:
    two parts that are one written-out legal word ("LIABI LITY", "OBSH CHESTVO") are joined;
    a name run into a legal form ("CHOLSONLLC") or a legal word run into a name or another
    legal word ("COMPANYANGAR", "LIABILITYCOMPANY") is split."""
    written = _legal_vocabulary().written
    out: list[str] = []
    todo = list(parts)
    while todo:
        part = todo.pop(0)
        if not part.isalpha() or _legal_word(part) is not None:
            out.append(part)
            continue
        if todo and todo[0].isalpha() and min(len(part), len(todo[0])) >= 3:
            joined = _legal_word(part + todo[0])
            if joined is not None and _legal_word(todo[0]) is None:
                out.append(part + todo.pop(0))
                continue
        if len(part) >= _RUN_IN_REST + 3:
            form = next(
                (f for f in _RUN_IN_FORMS if part.endswith(f) and len(part) - len(f) >= _RUN_IN_REST),
                None,
            )
            if form is not None:
                todo[:0] = [part[: -len(form)], form]
                continue
            word = max(
                (w for w in written if len(w) >= 5 and part.startswith(w) and len(part) - len(w) >= 3),
                key=len,
                default=None,
            )
            if word is not None:
                out.append(word)
                todo.insert(0, part[len(word) :])
                continue
        out.append(part)
    return out


def _canonical_legal(parts: list[str], legal: bool = True) -> list[tuple[str, int]]:
    """Tokens with kinds: legal forms (abbreviated, dotted, spaced or written out, run into a
    name or broken in two) merged into canonical LEGAL tokens; none when ``legal`` is False
    (a person's name)."""
    out: list[tuple[str, int]] = []
    legal_only = _legal_vocabulary().legal_only
    if legal and len(parts) > 0:
        parts = _legal_breaks(parts)
    words = [_legal_word(p) for p in parts] if legal else []
    i = 0
    while i < len(parts):
        found: tuple[int, tuple[str, ...]] | None = None
        if legal and (words[i] is not None or parts[i] in _LEGAL_FORM_PREFIXES):
            found = _legal_phrase(words, i) or _slipped_phrase(parts, words, i)
            found = found or _single_legal(parts, words, i)
        elif legal and _legal_word_slipped(parts[i]):
            found = _slipped_phrase(parts, words, i)
        if legal and not found and _damaged_form(parts[i], last=i == len(parts) - 1):
            found = _single_legal(parts, words, i)
        if found:
            out.extend((token, LEGAL) for token in found[1])
            i = found[0]
            continue
        token = parts[i]
        word = words[i] if legal and len(parts) > 1 else None
        if word in legal_only:
            out.append((token, LEGAL))  # a legal-form word whose phrase is incomplete
        elif legal and len(parts) > 1 and token in GENERIC_ORG_WORDS:
            out.append((token, LEGAL))  # "HOLDING", "TRADING": what kind of firm, not which
        else:
            out.append((token, PARTICLE if token in PARTICLES else NAME))
        i += 1
    if out and all(kind != NAME for _, kind in out):
        # a name made only of particles/legal/generic words ("AS", "LA LA", "GLOBAL GROUP")
        # is itself the name
        out = [
            (t, NAME) if k == PARTICLE or t in GENERIC_ORG_WORDS else (t, k) for t, k in out
        ]
    return out


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> NormalizedName:
    """Tokens of a name: see the module docstring for every rule applied."""
    words, person_order = _ordered_words(clean_text(text))
    pairs = _canonical_legal(_parts(words), legal=not person_order)
    tokens, kinds = zip(*pairs, strict=True) if pairs else ((), ())
    return NormalizedName(tokens, kinds)


#: A letter a slip moved across the comma of "SURNAME, Given": "HAMA,D Fathi", "HAMAD,F athi".
_COMMA_SLIP = re.compile(r"([A-Za-z]),([A-Za-z]) (?=[A-Za-z])")
#: Readings of comma slips tried per name, at most.
MAX_COMMA_SLIPS = 4


def comma_slips(text: str) -> list[str]:
    """``text`` with a letter that a slip moved across the comma of "SURNAME, Given" put
    back, each way it may have moved ("HAMA,D Fathi" and "HAMAD,F athi" are both read
    "HAMAD, Fathi"); empty when no letter sits alone against a comma."""
    found: list[str] = []
    for match in _COMMA_SLIP.finditer(text):
        before, letter_a, letter_b, after = (
            text[: match.start()], match.group(1), match.group(2), text[match.end() :]
        )
        found.append(f"{before}{letter_a}{letter_b}, {after}")  # it belonged before the comma
        found.append(f"{before}{letter_a}, {letter_b}{after}")  # it belonged after the space
    return found[:MAX_COMMA_SLIPS]


_LETTERS = re.compile(r"[A-Za-z]+")


def word_break_slips(text: str, known: Callable[[str], bool]) -> list[str]:
    """``text`` with a letter that a slip moved across a space or hyphen put back, where a
    word as written is not ``known`` (a listed word) and both words repaired are ("Shei
    kOmar": Sheik Omar; "MACHANGAL TD": MACHANGA LTD). Two known words are left alone: the
    slip would only turn one real name into another."""
    found: list[str] = []
    words = list(_LETTERS.finditer(text)) if text.isascii() else []
    for first, second in pairwise(words):
        if first.end() + 1 != second.start() or text[first.end()] not in " -":
            continue
        a, b = first.group().lower(), second.group().lower()
        if known(a) and known(b):
            continue
        for repaired_a, repaired_b in ((a + b[:1], b[1:]), (a[:-1], a[-1:] + b)):
            if repaired_a and repaired_b and known(repaired_a) and known(repaired_b):
                cut = len(first.group()) + (1 if len(repaired_a) > len(a) else -1)
                joined = first.group() + second.group()
                before, after = text[: first.start()], text[second.end() :]
                found.append(f"{before}{joined[:cut]}{text[first.end()]}{joined[cut:]}{after}")
    return found[:MAX_COMMA_SLIPS]


@lru_cache(maxsize=16384)
def name_renderings(text: str, listed: bool = False) -> tuple[NormalizedName, ...]:
    """The name normalised or, where it is written in another script, each of its Latin
    renderings (:mod:`~clearance.matching.transliterate`): every one is screened or, for a
    ``listed`` name, indexed. (The letter-by-letter fold of :func:`normalize_name` is not
    one: for an abjad it is a bare consonant string that meets unrelated names.)"""
    if text.isascii():
        return (normalize_name(text),)
    found: dict[str, NormalizedName] = {}
    for rendering in latin_renderings(text, listed):
        normalized = normalize_name(rendering)
        if normalized.tokens:
            found.setdefault(normalized.key, normalized)
    return tuple(found.values()) or (normalize_name(text),)


def joined_hyphen_tokens(text: str) -> list[str]:
    """Hyphenated words as one token ("MS-13" -> "ms13"), so the index finds them joined too."""
    words, _ = _ordered_words(clean_text(text))
    return [
        w.replace("-", "").replace(".", "")
        for w in words
        if "-" in w.strip("-.") and w.replace("-", "").replace(".", "") not in LEGAL_FORMS
    ]


# ----------------------------------------------------------------------------------------------
# transliteration fold and phonetic skeleton

#: Romanisation correspondences folded to one spelling, in order (longer sequences first):
#: Cyrillic "dzh"/"zh", Arabic "kh"/"gh"/"dh"/"th", Sh/Ch/Sch/Tch, Ph/F, Q/K, X/Ks, Z/S, W/V,
#: Y/I, Ou/Oo/U, Ee/I. "S" stands for the sh sound.
_FOLD_RULES = (
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("tch", "S"), ("sch", "S"), ("sh", "S"),
    ("ch", "S"), ("ph", "f"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ck", "k"), ("q", "k"),
    ("x", "ks"), ("z", "s"), ("w", "v"), ("y", "i"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
)  # fmt: skip
_SOFT_C = re.compile(r"c(?=[ei])")
_ARTICLES = frozenset({"al", "el", "il", "ul"})
#: Final consonants written voiceless in some romanisations (Turkish Ahmet, Mehmet, Yakup).
_FINAL_DEVOICED = {"d": "t", "b": "p"}
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=131072)
def fold(token: str) -> str:
    """A vowel-keeping transliteration key: spellings of one sound folded, doubles collapsed.

    Sheik / Cheik, Viv / Wiv, Omar / Ommar, Kompany / Company, Layth / Layt, Dzhon / Jon,
    Songian / Songyan, Hamzah / Hamza, El / Al fold alike. Tokens with digits are left as
    they are.
    """
    if not token.isalpha():
        return token
    if token in _ARTICLES:
        return "al"  # the Arabic article as Spanish and French clerks write it too: El-, Il-
    text = token
    for old, new in _FOLD_RULES:
        text = text.replace(old, new)
    text = _SOFT_C.sub("s", text).replace("c", "k")
    out = [text[0]]
    for c in text[1:]:
        if c != out[-1]:
            out.append(c)
    if len(out) > 3 and out[-1] == "h" and out[-2] in _VOWELS:
        out.pop()  # Arabic final -ah: Hamzah / Hamza
    return "".join(out)


@lru_cache(maxsize=131072)
def skeleton(token: str) -> str:
    """A transliteration-tolerant key: the consonant skeleton of :func:`fold`.

    Mohammed / Muhammad / Mohamed / Mehmet -> ``mhmt`` (a final d or b is written t or p in
    Turkish: Ahmet / Ahmad); Qods / Quds -> ``kds``; Qaida / Qaeda -> ``kd``;
    Khussein (Hussein via Cyrillic) / Hussein -> ``hsn``;
    Dzhoakuin (Joaquin via Cyrillic) / Joaquin -> ``jkn``; Gzmn (vowels dropped) -> ``gsmn``.
    The first letter survives (vowels fold to ``a``: Usama / Osama). Tokens whose fold is
    equal always share a skeleton.
    """
    if not token.isalpha():
        return token
    text = fold(token)
    first = "a" if text[0] in _VOWELS else text[0]
    out = [first]
    for c in text[1:]:
        if c not in _VOWELS and c != out[-1]:
            out.append(c)
    if len(out) > 2 and out[-1] == "h":
        out.pop()  # a final h is often silent: Salih / Slh, Saifullah / Sfllh
    if len(out) > 2 and out[-1] in _FINAL_DEVOICED:
        out[-1] = _FINAL_DEVOICED[out[-1]]  # Turkish spelling: Ahmet / Ahmad, Yakup / Yakub
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# damage: scanner confusions and cut words

#: Digits a scanner or a typist puts for look-alike letters, read back as those letters.
OCR_DIGITS = str.maketrans("0123456789", "olzeasgtbg")
#: Glyph groups a scanner merges or splits ("rn" / "m", "cl" / "d", "vv" / "w"), then
#: letters it confuses one for another (e / c, u / v, i / l), each group folded to one. Not
#: a / o: two vowels, where names differ for real (Rojas / Rojos); a slip costs those.
_OCR_GLYPHS = (("rn", "m"), ("cl", "d"), ("vv", "w"))
_OCR_LETTERS = str.maketrans("cvi", "eul")


@lru_cache(maxsize=131072)
def ocr_form(token: str) -> str:
    """The token as a scanner may have read it, look-alike glyphs folded to one spelling:
    "l0era" and "loera" or "mvharnmad" and "muhammad" share it. Tokens that are more than
    half digits (numbers, codes) are left as they are."""
    if not token.isalpha() and sum(c.isdigit() for c in token) * 2 > len(token):
        return token
    text = token.translate(OCR_DIGITS)
    for glyphs, letter in _OCR_GLYPHS:
        text = text.replace(glyphs, letter)
    return text.translate(_OCR_LETTERS)


def read_digits(token: str) -> str:
    """A token with a few digits among its letters read as letters ("l0era" -> "loera")."""
    if token.isalpha() or sum(c.isdigit() for c in token) * 2 > len(token):
        return token
    return token.translate(OCR_DIGITS)


#: The narrowest fixed-width name field of legacy systems (16 characters; MT103 name lines
#: are 35): a name written shorter than this was not cut by a field.
MIN_FIELD_WIDTH = 16


@lru_cache(maxsize=65536)
def written_last(text: str) -> int:
    """Position in ``normalize_name(text).tokens`` of the NAME token written last, -1 if
    none: where a fixed-width field cuts a name, this is the word it cuts."""
    visible = " ".join(unicodedata.normalize("NFKC", text).translate(_VISIBLE_TABLE).split())
    if len(visible) < MIN_FIELD_WIDTH:
        return -1  # shorter than any legacy name field (apostrophes count): not cut by one
    cleaned = clean_text(text)
    words = _words(cleaned.replace(",", " "))
    if not words:
        return -1
    last = normalize_name(words[-1]).tokens
    normalized = normalize_name(text)
    if not last or last[-1] not in normalized.tokens:
        return -1
    position = len(normalized.tokens) - 1 - normalized.tokens[::-1].index(last[-1])
    # a cut word may spell a particle ("Al" of "Alexis"): it counts as the word it begins
    return position if normalized.kinds[position] in (NAME, PARTICLE) else -1


def read_cut(text: str, normalized: NormalizedName) -> tuple[int, tuple[int, ...]]:
    """Where a field may have cut ``text`` (:func:`written_last`, -1 if nowhere) and the kinds
    of ``normalized`` (its normalised name) with the cut word read as what it begins: a
    legal-form word cut short ("COMP", "LIMI") weighs as the legal form, a cut word that
    spells a particle ("Al" of "Alexis") is a name."""
    cut = written_last(text)
    kinds = normalized.kinds
    if cut < 0:
        return cut, kinds
    kind = LEGAL if is_legal_prefix(normalized.tokens[cut]) else NAME
    return cut, (*kinds[:cut], kind, *kinds[cut + 1 :])
