"""Name normalisation: the one place where text becomes comparable tokens.

Every listed name and every query goes through :func:`normalize_name`, so whatever is folded
here (case, accents, scripts, look-alike letters, invisible characters, punctuation of legal
forms, titles) can never hide a match or make one. Tokens carry a kind, because a shared
particle ("de", "al") or legal form ("LLC") must weigh almost nothing in scoring.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

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
        "haji",
        "hajji",
        "hadji",
        "hajj",
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
    ]
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
}  # fmt: skip
#: Legal forms that are also ordinary words or particles: only legal forms after the first token.
AMBIGUOUS_LEGAL_FORMS = frozenset({"as", "ab", "ag", "sa", "co", "ao", "ad", "dd", "sc", "cv", "pc", "est", "sal", "oy"})  # fmt: skip
_LEGAL_SPAN = 6  # dotted forms such as "s.a. de c.v." span up to six tokens

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


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Cc", "Cs", "Co") or char in "\u034f\u115f\u1160\u3164\uffa0"


def _fold_word(word: str) -> str:
    """Fold look-alike letters in mixed-script words; transliterate everything else to ASCII."""
    has_latin = any("a" <= c.lower() <= "z" for c in word)
    if has_latin and any(c in CONFUSABLES for c in word):
        word = word.translate(_CONFUSABLE_TABLE)
    out = []
    for char in unicodedata.normalize("NFKD", word):
        if char.isascii():
            out.append(char)
        elif unicodedata.combining(char):
            continue
        elif "CJK" in unicodedata.name(char, ""):
            out.append(f" {anyascii(char)} ")  # one token per Han syllable
        else:
            out.append(anyascii(char))
    return "".join(out)


def clean_text(text: str) -> str:
    """Unicode-clean, ASCII, lower-case text: NFKC, invisibles removed, look-alikes folded."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if c.isspace() else c for c in text if not _is_invisible(c) or c.isspace())
    words = [_fold_word(w) for w in text.split()]
    folded = " ".join(words).casefold()
    for mark in _APOSTROPHES:
        folded = folded.replace(mark, "")
    return folded


def _words(segment: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(segment) if w.strip(".-")]


def _drop_titles(words: list[str]) -> list[str]:
    """Titles are dropped from the front (``Dr``, ``Sheikh``, ``Gen.``), never all words."""
    kept = list(words)
    while len(kept) > 1:
        word = kept[0].rstrip(".")
        if word not in TITLES or _DIGITS.match(kept[1].strip(".-")):
            break
        kept.pop(0)
    return kept


def _ordered_words(text: str) -> list[str]:
    """Words without leading titles, ``SURNAME, Given`` turned into ``Given SURNAME``.

    Titles may lead either part ("Haji ABU HASSAN, Khaled", "ABU HASSAN, Haji Khaled"). A part
    after the comma that is a legal form ("ACME, LTD.") stays where it is.
    """
    if text.count(",") != 1:
        return _drop_titles(_words(text.replace(",", " ")))
    head, tail = (_drop_titles(_words(part)) for part in text.split(","))
    if not head or not tail or re.sub(r"[^a-z]", "", "".join(tail)) in LEGAL_FORMS:
        return _drop_titles(head + tail)
    return tail + head


def _canonical_legal(parts: list[str]) -> list[tuple[str, int]]:
    """Tokens with kinds: dotted or spaced legal forms merged into one canonical LEGAL token."""
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(parts):
        found = None
        for j in range(min(len(parts), i + _LEGAL_SPAN), i, -1):
            span = parts[i:j]
            if j - i > 1 and any(len(p) > 4 for p in span):
                continue
            joined = "".join(span)
            canonical = LEGAL_FORMS.get(joined)
            if canonical is None:
                continue
            if i == 0 and (canonical in AMBIGUOUS_LEGAL_FORMS or len(parts) == j):
                continue
            found = (j, canonical)
            break
        if found:
            out.append((found[1], LEGAL))
            i = found[0]
        else:
            token = parts[i]
            out.append((token, PARTICLE if token in PARTICLES else NAME))
            i += 1
    if out and all(kind != NAME for _, kind in out):
        # a name made only of particles/legal words ("AS", "LA LA") is itself the name
        out = [(t, NAME) if k == PARTICLE else (t, k) for t, k in out]
    return out


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> NormalizedName:
    """Tokens of a name: see the module docstring for every rule applied."""
    words = _ordered_words(clean_text(text))
    parts = [p for w in words for p in _PART_SPLIT.split(w) if p]
    pairs = _canonical_legal(parts)
    return NormalizedName(tuple(t for t, _ in pairs), tuple(k for _, k in pairs))


def joined_hyphen_tokens(text: str) -> list[str]:
    """Hyphenated words as one token ("MS-13" -> "ms13"), so the index finds them joined too."""
    return [
        w.replace("-", "").replace(".", "")
        for w in _ordered_words(clean_text(text))
        if "-" in w.strip("-.") and w.replace("-", "").replace(".", "") not in LEGAL_FORMS
    ]


# ----------------------------------------------------------------------------------------------
# phonetic skeleton

_SKELETON_RULES = (
    ("dzh", "j"), ("dj", "j"), ("tch", "S"), ("sch", "S"), ("sh", "S"), ("ch", "S"), ("zh", "S"),
    ("ph", "f"), ("kh", "h"), ("ck", "k"), ("x", "ks"), ("q", "k"), ("c", "k"), ("z", "s"),
    ("w", "v"), ("dh", "d"), ("th", "t"), ("gh", "g"),
)  # fmt: skip
_VOWELS = frozenset("aeiouy")


@lru_cache(maxsize=131072)
def skeleton(token: str) -> str:
    """A transliteration-tolerant key: consonant skeleton after folding romanisation variants.

    Mohammed / Muhammad / Mohamed -> ``mhmd``; Qods / Quds -> ``kds``; Qaida / Qaeda -> ``kd``;
    Khussein (Hussein via Cyrillic) / Hussein -> ``hsn``;
    Dzhoakuin (Joaquin via Cyrillic) / Joaquin -> ``jkn``; Gzmn (vowels dropped) -> ``gsmn``.
    The first letter survives (vowels fold to ``a``: Usama / Osama).
    """
    if not token.isalpha():
        return token
    text = token
    for old, new in _SKELETON_RULES:
        text = text.replace(old, new)
    first = "a" if text[0] in _VOWELS else text[0]
    rest = [c for c in text[1:] if c not in _VOWELS]
    out = [first]
    for c in rest:
        if c != out[-1]:
            out.append(c)
    return "".join(out)
