"""Variant rules: each turns a listed name into the kind of spelling a real query would use.

Every rule is generic (letters, tokens, name structure, tables of legal forms and spelling
correspondences); none knows any particular listed name. A rule returns None when it does not
apply or would produce a degenerate query (dropping a token from a one-token name), and the
caller counts those as skipped for that class.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from random import Random

from clearance.evaluation.names import (
    ARABIC_NAME_COUNTRIES,
    HISPANIC_COUNTRIES,
    PARTICLES,
    ListedName,
)
from clearance.evaluation.romanisation import romanisation
from clearance.evaluation.scripts import SCRIPT_FEW, SCRIPT_RULES, SCRIPT_TARGETS

_LETTERS = re.compile(r"[^\W\d_]+")
_VOWELS = frozenset("aeiouAEIOU")

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> dict[str, str]:
    """Keys next to each letter on a QWERTY keyboard (same row and the rows above/below)."""
    position = {c: (r, i) for r, row in enumerate(_KEYBOARD_ROWS) for i, c in enumerate(row)}
    result = {}
    for char, (row, col) in position.items():
        near = [
            other
            for other, (r, c) in position.items()
            if other != char and abs(r - row) <= 1 and abs(c - col) <= 1
        ]
        result[char] = "".join(sorted(near))
    return result


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


# ----------------------------------------------------------------------------------------------
# helpers


def match_case(template: str, text: str) -> str:
    """``text`` in the case style of ``template`` (UPPER, lower or Title)."""
    if template.isupper():
        return text.upper()
    if template.islower():
        return text.lower()
    return text[:1].upper() + text[1:].lower()


#: A one-word name needs this many letters for a letter-level edit: one changed letter in a
#: short acronym ("CJNG", "AQIS") makes another acronym, not a misspelling.
MIN_SINGLE_WORD_LENGTH = 5


def _letter_spans(text: str, min_length: int) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _LETTERS.finditer(text)]
    if len(text.split()) == 1:
        min_length = max(min_length, MIN_SINGLE_WORD_LENGTH)
    return [(start, end) for start, end in spans if end - start >= min_length]


def _is_latin(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(c, "") for c in letters)


@dataclass(slots=True)
class PersonParts:
    """A person's name as surnames and given names; ``comma`` keeps the list's ``SURNAME, Given`` form."""

    surnames: list[str]
    givens: list[str]
    comma: bool

    @classmethod
    def parse(cls, full: str) -> PersonParts | None:
        if full.count(",") > 1:
            return None
        if "," in full:
            before, after = full.split(",", 1)
            surnames, givens = before.split(), after.split()
            if not surnames or not givens:
                return None
            return cls(surnames, givens, comma=True)
        tokens = full.split()
        if len(tokens) < 2:
            return None
        return cls(tokens[-1:], tokens[:-1], comma=False)

    def render(self) -> str:
        if self.comma:
            return f"{' '.join(self.surnames)}, {' '.join(self.givens)}"
        return " ".join(self.givens + self.surnames)


def content_positions(tokens: list[str]) -> list[int]:
    """Positions of tokens that carry the name (not particles, not legal forms, whether the
    legal form trails the name or leads it: "LIMITED LIABILITY COMPANY TRIMIX")."""
    legal_start = _legal_form_start(tokens)
    end = legal_start if legal_start is not None else len(tokens)
    return [
        i
        for i in range(_legal_form_end(tokens[:end]), end)
        if tokens[i].strip(",.").lower() not in PARTICLES and _LETTERS.search(tokens[i])
    ]


# ----------------------------------------------------------------------------------------------
# letter-level rules


def typo(name: ListedName, rng: Random) -> str | None:
    """One keyboard slip in a token of four or more letters: substitution, insertion or deletion."""
    text = name.full
    spans = _letter_spans(text, 4)
    if not spans:
        return None
    start, end = rng.choice(spans)
    word = text[start:end]
    position = rng.randrange(1, len(word))
    original = word[position]
    neighbours = KEYBOARD_NEIGHBOURS.get(original.lower(), "etaoinsr")
    neighbour = match_case(original, rng.choice(neighbours)) if original.isalpha() else "e"
    operation = rng.choice(("substitute", "insert", "delete"))
    if operation == "substitute":
        word = word[:position] + neighbour + word[position + 1 :]
    elif operation == "insert":
        word = word[:position] + neighbour + word[position:]
    else:
        word = word[:position] + word[position + 1 :]
    return text[:start] + word + text[end:]


def transposition(name: ListedName, rng: Random) -> str | None:
    """Two adjacent, different letters swapped inside a token of four or more letters."""
    text = name.full
    choices = [
        (start, i)
        for start, end in _letter_spans(text, 4)
        for i in range(start + 1, end - 1)
        if text[i].lower() != text[i + 1].lower()
    ]
    if not choices:
        return None
    _, i = rng.choice(choices)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


_VOWEL_SET = frozenset("aeiou")


def _without_inner_vowels(word: str) -> str:
    return word[0] + "".join(c for c in word[1:] if c.lower() not in _VOWEL_SET)


def dropped_vowels(name: ListedName, rng: Random) -> str | None:
    """All vowels but a leading one removed from one token, as filter evaders write ("Gzmn")."""
    text = name.full
    spans = [
        (start, end)
        for start, end in _letter_spans(text, 4)
        if len(text[start:end]) - len(_without_inner_vowels(text[start:end])) >= 2
        and len(_without_inner_vowels(text[start:end])) >= 3
    ]
    if not spans:
        return None
    start, end = rng.choice(spans)
    return text[:start] + _without_inner_vowels(text[start:end]) + text[end:]


_ACCENTED = {
    "a": "áàâä",
    "e": "éèêë",
    "i": "íìîï",
    "o": "óòôö",
    "u": "úùûü",
    "n": "ñ",
    "c": "ç",
}


def accents(name: ListedName, rng: Random) -> str | None:
    """Accents removed where the listed name has them, otherwise added to one or two letters."""
    text = name.full
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped != decomposed:
        return unicodedata.normalize("NFC", stripped)
    positions = [
        i for i, c in enumerate(text) if c.lower() in _ACCENTED and i > 0 and text[i - 1].isalpha()
    ]
    if not positions:
        return None
    chars = list(text)
    for i in rng.sample(positions, min(len(positions), rng.choice((1, 2)))):
        accented = rng.choice(_ACCENTED[chars[i].lower()])
        chars[i] = accented.upper() if chars[i].isupper() else accented
    return "".join(chars)


def case(name: ListedName, rng: Random) -> str | None:
    """The same name in another letter case (UPPER, lower or Title)."""
    text = name.full
    options = {text.upper(), text.lower(), text.title()} - {text}
    if not options:
        return None
    return rng.choice(sorted(options))


#: Latin letters and the Cyrillic / Greek letters that look the same.
HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "оο",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
    "A": "АΑ",
    "B": "ВΒ",
    "C": "С",
    "E": "ЕΕ",
    "H": "НΗ",
    "I": "ІΙ",
    "K": "КΚ",
    "M": "МΜ",
    "N": "Ν",
    "O": "ОΟ",
    "P": "РΡ",
    "T": "ТΤ",
    "X": "ХΧ",
    "Y": "УΥ",
    "Z": "Ζ",
}


def homoglyphs(name: ListedName, rng: Random) -> str | None:
    """One to three Latin letters replaced by identical-looking Cyrillic or Greek letters."""
    text = name.full
    positions = [i for i, c in enumerate(text) if c in HOMOGLYPHS]
    if not positions:
        return None
    chars = list(text)
    for i in rng.sample(positions, min(len(positions), rng.randint(1, 3))):
        chars[i] = rng.choice(HOMOGLYPHS[chars[i]])
    return "".join(chars)


#: Zero-width space, non-joiner, joiner, word joiner, soft hyphen, zero-width no-break space.
INVISIBLE_CHARACTERS = ("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff")


def invisible(name: ListedName, rng: Random) -> str | None:
    """One to three invisible characters inserted between letters of a word."""
    text = name.full
    positions = [i for i in range(1, len(text)) if text[i - 1].isalpha() and text[i].isalpha()]
    if not positions:
        return None
    chosen = sorted(rng.sample(positions, min(len(positions), rng.randint(1, 3))), reverse=True)
    chars = list(text)
    for i in chosen:
        chars.insert(i, rng.choice(INVISIBLE_CHARACTERS))
    return "".join(chars)


#: Spelling correspondences between romanisation systems, as (pattern, replacement) pairs;
#: both directions are listed. Patterns are lower case and applied case-insensitively.
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("ou", "u"),
    ("(?<![aeiouq])u", "ou"),
    ("(?<=[bcdfghjklmnpqrstvwxz])o(?=[bcdfghjklmnpqrstvwxz])", "u"),
    ("(?<=[bcdfghjklmnpqrstvwxz])u(?=[bcdfghjklmnpqrstvwxz])", "o"),
    ("(?<=[bcdfghjklmnpqrstvwxz])e(?=[bcdfghjklmnpqrstvwxz])", "a"),
    ("(?<=[bcdfghjklmnpqrstvwxz])a(?=[bcdfghjklmnpqrstvwxz]$)", "e"),
    ("ai", "ae"),
    ("ae", "ai"),
    ("ee", "i"),
    ("oo", "u"),
    ("ph", "f"),
    ("kh", "h"),
    ("(?<![aeiou])h(?=[aeiou])", "kh"),
    ("q", "k"),
    ("dj", "j"),
    ("j", "dj"),
    ("ks", "x"),
    ("x", "ks"),
    ("sch", "sh"),
    ("sh", "ch"),
    ("ts", "tz"),
    ("ya", "ia"),
    ("ia", "ya"),
    ("yu", "iu"),
    ("ey$", "ei"),
    ("ei", "ey"),
    ("iy", "i"),
    ("(?<=[aeiou])y(?=[aeiou])", "i"),
    ("v", "w"),
    ("w", "v"),
    ("mm", "m"),
    ("(?<=[aeiou])m(?=[aeiou])", "mm"),
    ("dd", "d"),
    ("ss", "s"),
    ("ll", "l"),
    ("tt", "t"),
    ("aa", "a"),
    ("dh", "d"),
    ("th", "t"),
    ("gh", "g"),
    ("c(?=[aou])", "k"),
    ("k(?=[aou])", "c"),
    ("z", "s"),
)

_COMPILED_SPELLING_RULES = tuple((re.compile(p, re.IGNORECASE), r) for p, r in SPELLING_RULES)


def transliteration(name: ListedName, rng: Random) -> str | None:
    """One or two romanisation differences (ou/u, o/u, e/a, q/k, kh/h, doubled letters...)."""
    text = name.full
    if not _is_latin(text):
        return None
    words = [(m.start(), m.end()) for m in _LETTERS.finditer(text) if m.end() - m.start() >= 3]
    options = []
    for start, end in words:
        word = text[start:end]
        for pattern, replacement in _COMPILED_SPELLING_RULES:
            for match in pattern.finditer(word):
                options.append((start, end, match.start(), match.end(), replacement))
    if not options:
        return None
    picks = rng.sample(options, min(len(options), rng.choice((1, 2))))
    chars = list(text)
    edits = {}
    for start, end, m_start, m_end, replacement in picks:
        if any(start + m_start < e and s < start + m_end for s, e in edits):
            continue
        word = text[start:end]
        if word.isupper():
            replacement = replacement.upper()
        elif m_start == 0 and word[0].isupper():
            replacement = replacement.capitalize()
        edits[(start + m_start, start + m_end)] = replacement
    for (s, e), replacement in sorted(edits.items(), reverse=True):
        chars[s:e] = replacement
    return "".join(chars)


# ----------------------------------------------------------------------------------------------
# script rules

#: Latin to Cyrillic, longest sequences first (a Russian-style rendering of a Latin name).
_TO_CYRILLIC = (
    ("shch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "ё"),
    ("ye", "е"),
    ("a", "а"),
    ("b", "б"),
    ("c", "к"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "дж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "к"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "в"),
    ("x", "кс"),
    ("y", "й"),
    ("z", "з"),
)


def _to_cyrillic(word: str) -> str:
    lower = unicodedata.normalize("NFD", word.lower())
    lower = "".join(c for c in lower if not unicodedata.combining(c))
    out, i = [], 0
    while i < len(lower):
        for latin, cyrillic in _TO_CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    result = "".join(out)
    return result[:1].upper() + result[1:]


def cyrillic(name: ListedName, rng: Random) -> str | None:
    """A person's Latin-script name written in Cyrillic, as a Russian-language record would."""
    if not name.is_person or not _is_latin(name.full):
        return None
    return _LETTERS.sub(lambda m: _to_cyrillic(m.group()), name.full)


_ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
_ARABIC_SPELLING = (
    ("[أإآ]", "ا"),
    ("(?<![\u0600-\u06ff])ا(?!ل)", "أ"),
    ("ة(?![\u0600-\u06ff])", "ه"),
    ("ى(?![\u0600-\u06ff])", "ي"),
    ("ي(?![\u0600-\u06ff])", "ى"),
)
_CYRILLIC_SPELLING = (("ё", "е"), ("Ё", "Е"), ("е", "ё"), ("ъ", ""))


def original_script(name: ListedName, rng: Random) -> str | None:
    """The entity's original-script name (where the list gives one) in another common spelling.

    Arabic: vowel marks dropped, or hamza/alef, ta marbuta or alef maqsura written the other
    usual way; Cyrillic: ё/е. Other scripts have no generic variant and are skipped.
    """
    for script_name in name.original_script:
        if _ARABIC_DIACRITICS.search(script_name):
            return _ARABIC_DIACRITICS.sub("", script_name)
        rules = _ARABIC_SPELLING + _CYRILLIC_SPELLING
        options = [(m, r) for p, r in rules for m in re.finditer(p, script_name)]
        if options:
            match, replacement = rng.choice(options)
            return script_name[: match.start()] + replacement + script_name[match.end() :]
    return None


# ----------------------------------------------------------------------------------------------
# token and structure rules

#: Given names common across the lists' regions, for an added middle name.
EXTRA_GIVEN_NAMES = (
    "Jose",
    "Maria",
    "Juan",
    "Luis",
    "Carlos",
    "Antonio",
    "Ali",
    "Ahmed",
    "Hassan",
    "Omar",
    "Ibrahim",
    "Abdul",
    "John",
    "David",
    "Michael",
    "Alexander",
    "Sergei",
    "Ivan",
    "Nikolai",
    "Wei",
    "Ming",
    "Reza",
    "Mehmet",
    "Kim",
    "Paul",
)

#: Generic words companies add to their names.
EXTRA_COMPANY_WORDS = ("Group", "International", "Trading", "Holding", "Global", "General")


def dropped_token(name: ListedName, rng: Random) -> str | None:
    """One content token left out of a name with three or more (a middle name, a word)."""
    if name.is_person:
        parts = PersonParts.parse(name.full)
        if parts is None or len(parts.surnames) + len(parts.givens) < 3:
            return None
        # A middle name or a further surname goes missing; the first of each stays, and so
        # does a word that is more than particles ("BEN AZZA" never becomes "BEN").
        options = [
            (side, i)
            for side, words in (("s", parts.surnames), ("g", parts.givens))
            for i in range(1, len(words))
            if any(w.lower() not in PARTICLES for j, w in enumerate(words) if j != i)
        ]
        if not options:
            return None
        side, i = rng.choice(options)
        (parts.surnames if side == "s" else parts.givens).pop(i)
        return parts.render()
    tokens = name.full.split()
    content = content_positions(tokens)
    if len(content) < 3:
        return None
    drop = rng.choice(content[1:])
    return " ".join(t for i, t in enumerate(tokens) if i != drop)


def added_token(name: ListedName, rng: Random) -> str | None:
    """A plausible extra token: another given name for a person, a generic word for a company."""
    if name.is_person:
        parts = PersonParts.parse(name.full)
        if parts is None:
            return None
        present = {g.lower() for g in parts.givens + parts.surnames}
        choices = [n for n in EXTRA_GIVEN_NAMES if n.lower() not in present]
        extra = match_case(parts.givens[0], rng.choice(choices))
        parts.givens.insert(1, extra)
        return parts.render()
    tokens = name.full.split()
    if not tokens:
        return None
    present = {t.lower() for t in tokens}
    choices = [w for w in EXTRA_COMPANY_WORDS if w.lower() not in present]
    extra = match_case(tokens[0], rng.choice(choices))
    legal_start = _legal_form_start(tokens)
    at = legal_start if legal_start is not None else len(tokens)
    return " ".join([*tokens[:at], extra, *tokens[at:]])


def dropped_second_surname(name: ListedName, rng: Random) -> str | None:
    """The maternal surname left out of a two-surname (Hispanic) person's name."""
    if not name.is_person or not (name.countries & HISPANIC_COUNTRIES):
        return None
    parts = PersonParts.parse(name.full)
    if parts is None:
        return None
    if not parts.comma:
        # "Given Paternal Maternal": the last token is the maternal surname.
        tokens = parts.givens + parts.surnames
        if len(tokens) < 3 or tokens[-2].lower() in PARTICLES:
            return None
        return " ".join(tokens[:-1])
    content = [s for s in parts.surnames if s.lower() not in PARTICLES]
    if len(content) != 2 or parts.surnames[-1].lower() in PARTICLES:
        return None
    # The second surname goes with the particles that join it ("FLORES DE MADURO" -> "FLORES").
    kept = parts.surnames[:-1]
    while kept and kept[-1].lower() in PARTICLES:
        kept.pop()
    parts.surnames = kept
    return parts.render()


def reordered(name: ListedName, rng: Random) -> str | None:
    """A person's name in the other order: "SURNAME, Given" <-> "Given SURNAME"."""
    if not name.is_person:
        return None
    parts = PersonParts.parse(name.full)
    if parts is None:
        return None
    if parts.comma:
        return " ".join(parts.givens + parts.surnames)
    return f"{' '.join(parts.surnames)}, {' '.join(parts.givens)}"


#: Particles a person's surname may carry, by the countries whose naming custom uses them.
_PARTICLE_COUNTRIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("de", HISPANIC_COUNTRIES | {"pt", "br", "fr", "it", "ph", "ao", "mz"}),
    ("van", frozenset({"nl", "be", "sr"})),
    ("von", frozenset({"de", "at", "ch"})),
)

_ATTACHED_ARTICLE = re.compile(r"\b(al|el)-(?=\w)", re.IGNORECASE)


def particles(name: ListedName, rng: Random) -> str | None:
    """A particle (de, del, la, al, bin...) dropped where the name has one; otherwise added to
    a person's surname where the naming custom of the person's countries has one."""
    tokens = name.full.split()
    legal_start = _legal_form_start(tokens)
    end = legal_start if legal_start is not None else len(tokens)
    present = [i for i in range(end) if tokens[i].strip(",").lower() in PARTICLES]
    if present and len(tokens) > 2:
        drop = rng.choice(present)
        kept = tokens[:drop] + tokens[drop + 1 :]
        if tokens[drop].endswith(",") and drop > 0:
            kept[drop - 1] += ","
        return " ".join(kept)
    attached = list(_ATTACHED_ARTICLE.finditer(name.full))
    if attached:
        match = rng.choice(attached)
        return name.full[: match.start()] + name.full[match.end() :]
    parts = PersonParts.parse(name.full) if name.is_person else None
    if parts is None:
        return None
    if name.countries & ARABIC_NAME_COUNTRIES:
        surname = parts.surnames[0]
        parts.surnames[0] = match_case(surname, "al-") + surname
        return parts.render()
    particle = next((p for p, c in _PARTICLE_COUNTRIES if name.countries & c), None)
    if particle is None:  # no naming custom known that would add one
        return None
    parts.surnames.insert(len(parts.surnames) - 1, match_case(parts.surnames[-1], particle))
    return parts.render()


def initials(name: ListedName, rng: Random) -> str | None:
    """A person's first given name shortened to its initial ("J. GUZMAN LOERA")."""
    if not name.is_person:
        return None
    parts = PersonParts.parse(name.full)
    if parts is None or len(parts.givens[0].strip(".")) < 3 or not parts.givens[0][0].isalpha():
        return None
    parts.givens[0] = parts.givens[0][0].upper() + "."
    return parts.render()


_TITLES_ANY = ("Dr.", "Sheikh", "Haji", "General", "Prof.", "Ing.", "Lic.", "Colonel")
_TITLES_MALE = ("Mr.", "Sr.", "Mullah", "Don")
_TITLES_FEMALE = ("Mrs.", "Ms.", "Sra.", "Dona")


def title(name: ListedName, rng: Random) -> str | None:
    """An honorific or rank in front of a person's name (Dr., Mr., Sheikh, General...)."""
    if not name.is_person:
        return None
    choices = _TITLES_ANY + {"male": _TITLES_MALE, "female": _TITLES_FEMALE}.get(
        name.gender or "", ()
    )
    chosen = rng.choice(choices)
    return f"{chosen.upper() if name.full.isupper() else chosen} {name.full}"


#: Spellings of the same legal form; a rule swaps one for another from its group.
LEGAL_FORMS: tuple[tuple[str, ...], ...] = (
    ("S.A. DE C.V.", "SA DE CV", "S.A. de C.V.", "SA de CV"),
    ("S. DE R.L. DE C.V.", "S DE RL DE CV", "S. de R.L. de C.V."),
    ("S. DE R.L.", "S DE RL"),
    ("CO., LTD.", "CO LTD", "COMPANY LIMITED", "Co., Ltd."),
    ("PTE. LTD.", "PTE LTD", "PRIVATE LIMITED"),
    ("SDN. BHD.", "SDN BHD", "SENDIRIAN BERHAD"),
    ("LLC", "L.L.C.", "Limited Liability Company"),
    ("LTD", "LTD.", "LIMITED", "Ltd."),
    ("INC", "INC.", "INCORPORATED", "Inc."),
    ("CORP", "CORP.", "CORPORATION"),
    ("CO", "CO.", "COMPANY"),
    ("S.A.", "SA", "SOCIEDAD ANONIMA"),
    ("C.A.", "CA", "COMPANIA ANONIMA"),
    ("S.R.L.", "SRL"),
    ("S.A.S.", "SAS"),
    ("S.L.", "SL"),
    ("S.P.A.", "SPA"),
    ("D.O.O.", "DOO", "d.o.o."),
    ("GMBH", "G.M.B.H.", "GmbH"),
    ("A.G.", "AG"),
    ("PLC", "P.L.C.", "PUBLIC LIMITED COMPANY"),
    ("LLP", "L.L.P."),
    ("B.V.", "BV"),
    ("N.V.", "NV"),
    ("FZE", "F.Z.E."),
    ("FZCO", "F.Z.C.O."),
    ("FZ-LLC", "FZ LLC"),
    ("JSC", "J.S.C.", "JOINT STOCK COMPANY"),
    ("OJSC", "OPEN JOINT STOCK COMPANY"),
    ("CJSC", "CLOSED JOINT STOCK COMPANY"),
    ("PJSC", "PUBLIC JOINT STOCK COMPANY"),
    ("OOO", "O.O.O."),
    ("A.S.", "AS"),
)


def _legal_key(text: str) -> str:
    return re.sub(r"[\s.,]+", "", text).upper()


_LEGAL_GROUP_BY_KEY = {_legal_key(s): group for group in LEGAL_FORMS for s in group}
_LONGEST_LEGAL_FORM = max(len(s.split()) for group in LEGAL_FORMS for s in group)


def _legal_form_start(tokens: list[str]) -> int | None:
    """Where a trailing legal form starts in ``tokens`` (longest match), or None."""
    for length in range(min(_LONGEST_LEGAL_FORM, len(tokens) - 1), 0, -1):
        if _legal_key(" ".join(tokens[-length:])) in _LEGAL_GROUP_BY_KEY:
            return len(tokens) - length
    return None


def _legal_form_end(tokens: list[str]) -> int:
    """Where a leading legal form ends in ``tokens`` (longest match), or 0."""
    for length in range(min(_LONGEST_LEGAL_FORM, len(tokens) - 1), 0, -1):
        if _legal_key(" ".join(tokens[:length])) in _LEGAL_GROUP_BY_KEY:
            return length
    return 0


def legal_form(name: ListedName, rng: Random) -> str | None:
    """A trailing legal form written another usual way (LLC <-> L.L.C., SA DE CV <-> S.A. de C.V.)."""
    if name.is_person:
        return None
    tokens = name.full.split()
    start = _legal_form_start(tokens)
    if start is None:
        return None
    current = " ".join(tokens[start:])
    separator = ""
    if tokens[start - 1].endswith(","):
        separator = ","
    group = _LEGAL_GROUP_BY_KEY[_legal_key(current)]
    choices = [s for s in group if s.upper() != current.upper()]
    head = " ".join(tokens[:start]).rstrip(",")
    return f"{head}{separator} {rng.choice(choices)}"


# ----------------------------------------------------------------------------------------------
# real-world damage: how names break in scanners, fixed-width fields, hand keying and evasion.
# These are modelled on the damage, never on what a matcher handles: any position, the first
# letter included, digits, cuts, several words at once.

#: Glyph confusions of OCR engines on scanned passports, invoices and payment slips, as
#: (printed, read) pairs; the rule applies them in either direction.
OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("O", "0"),
    ("o", "0"),
    ("l", "1"),
    ("I", "1"),
    ("I", "l"),
    ("S", "5"),
    ("s", "5"),
    ("B", "8"),
    ("Z", "2"),
    ("z", "2"),
    ("G", "6"),
    ("rn", "m"),
    ("cl", "d"),
    ("vv", "w"),
    ("VV", "W"),
    ("e", "c"),
    ("a", "o"),
)

#: Every (from, to) substitution an OCR misreading may make.
OCR_SUBSTITUTIONS: tuple[tuple[str, str], ...] = tuple(
    pair for a, b in OCR_CONFUSIONS for pair in ((a, b), (b, a))
)


def ocr(name: ListedName, rng: Random) -> str | None:
    """One or two OCR glyph confusions anywhere in the name (O/0, l/1, I/l, S/5, rn/m, e/c...)."""
    text = name.full
    options = [
        (match.start(), match.start() + len(source), target)
        for source, target in OCR_SUBSTITUTIONS
        for match in re.finditer(re.escape(source), text)
    ]
    if not options:
        return None
    wanted = rng.choice((1, 2))
    chosen: list[tuple[int, int, str]] = []
    for start, end, target in rng.sample(options, len(options)):
        if len(chosen) == wanted:
            break
        if all(end <= s or e <= start for s, e, _ in chosen):
            chosen.append((start, end, target))
    for start, end, target in sorted(chosen, reverse=True):
        text = text[:start] + target + text[end:]
    return text


def _slip(original: str, rng: Random) -> str:
    """A key next to ``original`` on a QWERTY keyboard, in its case."""
    neighbours = KEYBOARD_NEIGHBOURS.get(original.lower(), "etaoinsr")
    return match_case(original, rng.choice(neighbours))


def typo_anywhere(name: ListedName, rng: Random) -> str | None:
    """One keying slip at any position of any word, the first letter included: a neighbouring
    key typed instead, a key added, a key missed, or a key doubled."""
    text = name.full
    spans = _letter_spans(text, 3)
    if not spans:
        return None
    start, end = rng.choice(spans)
    word = text[start:end]
    operation = rng.choice(("substitute", "insert", "delete", "double"))
    if operation == "insert":
        position = rng.randrange(0, len(word) + 1)
        near = word[min(position, len(word) - 1)]
        word = word[:position] + _slip(near, rng) + word[position:]
    else:
        position = rng.randrange(0, len(word))
        if operation == "substitute":
            word = word[:position] + _slip(word[position], rng) + word[position + 1 :]
        elif operation == "delete":
            word = word[:position] + word[position + 1 :]
        else:
            word = word[:position] + word[position] + word[position:]
    return text[:start] + word + text[end:]


def transposition_anywhere(name: ListedName, rng: Random) -> str | None:
    """Two adjacent, different letters swapped at any position of a word, the first two included."""
    text = name.full
    choices = [
        i
        for start, end in _letter_spans(text, 2)
        for i in range(start, end - 1)
        if text[i].lower() != text[i + 1].lower()
    ]
    if not choices:
        return None
    i = rng.choice(choices)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


#: Characters between words that a hand-keyed transposition can cross.
WORD_SEPARATORS = frozenset(" -,")


def transposition_separator(name: ListedName, rng: Random) -> str | None:
    """A letter swapped with the space, hyphen or comma next to it ("GUZMA NLOERA", "LOER,A")."""
    text = name.full
    choices = [
        i
        for i in range(len(text) - 1)
        if (text[i].isalnum() and text[i + 1] in WORD_SEPARATORS)
        or (text[i] in WORD_SEPARATORS and text[i + 1].isalnum())
    ]
    if not choices:
        return None
    i = rng.choice(choices)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def first_letter(name: ListedName, rng: Random) -> str | None:
    """The first letter of one word dropped or mistyped (a neighbouring key)."""
    text = name.full
    spans = _letter_spans(text, 3)
    if not spans:
        return None
    start, end = rng.choice(spans)
    word = text[start:end]
    word = word[1:] if rng.random() < 0.5 else _slip(word[0], rng) + word[1:]
    return text[:start] + word + text[end:]


#: Widths of name fields in legacy core-banking and payment formats (SWIFT MT103 name lines
#: are 35 characters; 16, 20 and 24 are common fixed-width fields of older systems).
FIELD_WIDTHS = (16, 20, 24, 35)


def truncated(name: ListedName, rng: Random) -> str | None:
    """The name cut at a common field width (16, 20, 24 or 35 characters), inside a word."""
    text = name.full
    widths = [
        w for w in FIELD_WIDTHS if len(text) > w and text[w - 1].isalnum() and text[w].isalnum()
    ]
    if not widths:
        return None
    return text[: rng.choice(widths)]


def _consonant_skeleton(word: str) -> str:
    return word[0] + "".join(c for c in word[1:] if c.lower() not in _VOWEL_SET)


#: Words shorter than this keep their vowels in ``vowels_all`` (particles, initials, "Li").
VOWELS_ALL_MIN_LENGTH = 3


def vowels_all(name: ListedName, rng: Random) -> str | None:
    """Inner vowels stripped from every word at once, as evaders write ("GZMN LR, Jqn")."""
    text = name.full
    result = _LETTERS.sub(
        lambda m: _consonant_skeleton(m.group())
        if len(m.group()) >= VOWELS_ALL_MIN_LENGTH
        else m.group(),
        text,
    )
    return result if result != text else None


#: A word split in two keeps at least this many letters on each side.
SPLIT_MIN_PART = 3


def merge_split(name: ListedName, rng: Random) -> str | None:
    """Two adjacent words run together ("GUZMANLOERA"), or one word split in two ("GUZ MAN")."""
    text = name.full
    merges = [
        i
        for i in range(1, len(text) - 1)
        if text[i] in " -" and text[i - 1].isalnum() and text[i + 1].isalnum()
    ]
    splits = [
        i
        for start, end in _letter_spans(text, 2 * SPLIT_MIN_PART)
        for i in range(start + SPLIT_MIN_PART, end - SPLIT_MIN_PART + 1)
    ]
    options = [("merge", i) for i in merges] if merges else []
    if splits and (not options or rng.random() < 0.5):
        options = [("split", i) for i in splits]
    if not options:
        return None
    operation, i = rng.choice(options)
    if operation == "merge":
        return text[:i] + text[i + 1 :]
    return text[:i] + " " + text[i:]


#: The damages ``combined`` draws two of; a cut field is always the last damage applied.
COMBINABLE = ("ocr", "typo_anywhere", "first_letter", "vowels_all", "merge_split", "truncated")


def combined(name: ListedName, rng: Random) -> str | None:
    """Two different damages in one name (say an OCR confusion in a name cut at a field width)."""
    rules = {c: VARIANT_CLASS_BY_NAME[c].rule for c in COMBINABLE}
    pairs = [(a, b) for a in COMBINABLE for b in COMBINABLE if a != b and a != "truncated"]
    for first, second in rng.sample(pairs, len(pairs)):
        once = rules[first](name, rng)
        if once is None or once == name.full:
            continue
        twice = rules[second](replace(name, full=once), rng)
        if twice is None or twice == once:
            continue
        if second == "truncated" and twice == name.full[: len(twice)]:
            continue  # the cut removed the first damage
        return twice
    return None


# ----------------------------------------------------------------------------------------------
# registry


#: Kinds of variant class and their recall targets: a benign class is a legitimate way of
#: writing the name, a damaged one how real data breaks, an adversarial one deliberate evasion.
BENIGN = "benign"
DAMAGED = "damaged"
ADVERSARIAL = "adversarial"


@dataclass(frozen=True, slots=True)
class VariantClass:
    """A named kind of variation; ``damaged`` ones model how real data breaks, ``adversarial``
    ones deliberate filter evasion."""

    name: str
    rule: Callable[[ListedName, Random], str | None]
    adversarial: bool = False
    damaged: bool = False
    #: A recall target of its own (the per-script targets); None: its kind's target.
    target: float | None = None
    #: Its names may be cut at a field width, so what is left may begin many listed names.
    cuts: bool = False
    #: It leaves words out, so the words left may all be in many listed names.
    drops: bool = False
    #: It applies to a small part of the lists (Chinese, Korean people): built from every listed
    #: name, not the sample, which holds too few of them to measure.
    every_name: bool = False

    @property
    def kind(self) -> str:
        return ADVERSARIAL if self.adversarial else DAMAGED if self.damaged else BENIGN

    @property
    def description(self) -> str:
        return (self.rule.__doc__ or "").strip().splitlines()[0]


VARIANT_CLASSES: tuple[VariantClass, ...] = (
    VariantClass("typo", typo, damaged=True),
    VariantClass("transposition", transposition, damaged=True),
    VariantClass("dropped_token", dropped_token, drops=True),
    VariantClass("added_token", added_token),
    VariantClass("dropped_second_surname", dropped_second_surname),
    VariantClass("reordered", reordered),
    VariantClass("particles", particles),
    VariantClass("accents", accents),
    VariantClass("transliteration", transliteration),
    VariantClass("romanisation", romanisation),
    VariantClass("cyrillic", cyrillic),
    VariantClass("original_script", original_script),
    VariantClass("initials", initials),
    VariantClass("title", title),
    VariantClass("legal_form", legal_form),
    VariantClass("case", case),
    VariantClass("homoglyphs", homoglyphs, adversarial=True),
    VariantClass("invisible", invisible, adversarial=True),
    VariantClass("dropped_vowels", dropped_vowels, adversarial=True),
    VariantClass("ocr", ocr, damaged=True),
    VariantClass("typo_anywhere", typo_anywhere, damaged=True),
    VariantClass("transposition_anywhere", transposition_anywhere, damaged=True),
    VariantClass("transposition_separator", transposition_separator, damaged=True),
    VariantClass("first_letter", first_letter, damaged=True),
    VariantClass("truncated", truncated, damaged=True, cuts=True),
    VariantClass("vowels_all", vowels_all, adversarial=True),
    VariantClass("merge_split", merge_split, damaged=True),
    VariantClass("combined", combined, damaged=True, cuts=True),
    *(
        VariantClass(name, rule, target=SCRIPT_TARGETS[name], every_name=name in SCRIPT_FEW)
        for name, rule in SCRIPT_RULES
    ),
)

VARIANT_CLASS_BY_NAME = {c.name: c for c in VARIANT_CLASSES}
