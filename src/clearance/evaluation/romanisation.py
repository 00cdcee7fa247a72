"""Regional romanisations: how the same given name or surname is really written in Latin script.

Two tables, both from how romanisation systems and national customs differ (not from what any
matcher does):

- :data:`NAME_GROUPS`: spellings of one name across regions (Ahmad, Ahmed, Ahmet, Akhmed;
  Muhammad, Mohammed, Mehmet, Magomed...), from the Arabic, Persian, Turkish, Urdu, Russian,
  Chinese and Korean renderings found in passports, civil registers and payment files;
- :data:`REGIONAL_RULES`: letter correspondences between the romanisation customs of a region
  (French Maghreb "ou" for u and "dj" for j, Spanish "j" for kh, Turkish c for j and final
  devoicing, German and French renderings of Russian, Wade-Giles against pinyin, McCune-Reischauer
  against Revised Romanization), applied where the listed person's countries use them.
"""

from __future__ import annotations

import re
from random import Random

from clearance.evaluation.names import (
    ARABIC_NAME_COUNTRIES,
    ListedName,
    NameIndex,
    fold,
    fold_tokens,
)

#: Spellings of the same name in the romanisations of different regions (lower case).
NAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("muhammad", "mohammed", "mohamed", "mohammad", "muhammed", "mohamad", "mehmet", "magomed",
     "mukhammad", "muhamad", "mohd"),
    ("ahmad", "ahmed", "ahmet", "akhmed", "ahmat"),
    ("mahmoud", "mahmud", "mahmut", "makhmud", "mahmood"),
    ("hussein", "husayn", "hussain", "husain", "hossein", "huseyin", "hüseyin", "huseyn",
     "gusein", "hosein"),
    ("hassan", "hasan", "hasson", "gasan"),
    ("hasani", "hassani"),
    ("ali", "aly"),
    ("omar", "umar", "omer", "ömer", "oumar"),
    ("osman", "usman", "uthman", "othman", "outhman", "usmon"),
    ("yusuf", "youssef", "yousef", "yusef", "yousuf", "yusif", "yussuf", "jusuf", "iusuf"),
    ("ibrahim", "ebrahim", "ibragim", "brahim", "ibrohim"),
    ("ismail", "ismael", "esmail", "ismoil", "smail"),
    ("abdullah", "abdallah", "abdulla", "abdollah", "abdellah", "abdalla"),
    ("abdulrahman", "abdelrahman", "abdurrahman", "abdorrahman", "abdurakhman", "abderrahmane"),
    ("abdulaziz", "abdelaziz", "abdulazeez", "abdelaaziz"),
    ("khalid", "khaled", "halid", "halit", "khalit", "jalid"),
    ("khalil", "halil", "khaleel", "jalil"),
    ("hamid", "hamed", "hamit", "khamid"),
    ("rashid", "rachid", "rasheed", "reşit", "resit", "rashed", "rachide"),
    ("said", "saeed", "saeid", "sayed", "seyed", "seyyed", "sayyid", "saied"),
    ("saleh", "salih", "salekh"),
    ("jamal", "gamal", "cemal", "djamel", "jamel", "dzhamal"),
    ("jafar", "jaafar", "cafer", "djafar", "dzhafar", "jafer"),
    ("nasser", "nasir", "naser", "nacer", "nasır"),
    ("karim", "kareem", "kerim", "karime"),
    ("mansour", "mansur", "mansoor", "mansor"),
    ("qasim", "kasim", "qassem", "ghasem", "kassem", "gasim", "qassim", "kasym", "kassim"),
    ("mustafa", "mostafa", "moustafa", "mustapha", "mostapha"),
    ("yasser", "yasir", "yaser", "yassir"),
    ("walid", "waleed", "oualid", "velid"),
    ("zaid", "zayd", "zeid", "zayed"),
    ("faisal", "faysal", "feisal", "faycal"),
    ("tariq", "tarek", "tarik", "tareq", "tarique"),
    ("hamza", "hamzah", "hamze"),
    ("fatima", "fatma", "fatemeh", "fatimah", "fathima"),
    ("aisha", "ayesha", "aysha", "aicha", "ayşe", "ayse", "aishah"),
    ("zainab", "zeinab", "zaynab", "zeynep", "zainabou"),
    ("maryam", "mariam", "meryem", "miriam"),
    ("khadija", "hatice", "khadijah", "khadidja", "hadiza"),
    ("mehdi", "mahdi", "mehdy"),
    ("reza", "riza", "rıza"),
    ("javad", "jawad", "cevat"),
    ("mousavi", "musavi", "moussavi", "mosavi"),
    ("hosseini", "husseini", "hoseini", "husaini", "hosaini"),
    ("rezaei", "rezaee", "rezai", "rezaie"),
    ("ghasemi", "qasemi", "kasemi", "qassemi"),
    ("chaudhry", "chaudhary", "choudhury", "chowdhury", "chaudhri"),
    ("qureshi", "qureishi", "kureshi", "quraishi"),
    ("aleksandr", "alexander", "aleksander", "alexandr", "oleksandr"),
    ("aleksey", "alexey", "alexei", "aleksei", "oleksiy"),
    ("sergey", "sergei", "serguei", "sergiy", "serhiy"),
    ("dmitry", "dmitri", "dmitriy", "dmytro"),
    ("yevgeny", "evgeny", "evgeniy", "yevgeniy", "evgenii", "jewgeni"),
    ("yury", "yuri", "yuriy", "iurii", "juri"),
    ("nikolay", "nikolai", "mykola"),
    ("mikhail", "mikhael", "mihail", "mykhailo"),
    ("andrey", "andrei", "andriy"),
    ("fedor", "fyodor", "feodor", "fiodor"),
    ("pyotr", "petr", "piotr"),
    ("vladimir", "volodymyr", "wladimir"),
    ("yekaterina", "ekaterina", "katerina"),
    ("tatyana", "tatiana", "tatjana"),
    ("natalya", "natalia", "nataliya"),
    ("yuliya", "yulia", "iuliia", "julia"),
    ("zhang", "chang", "cheung", "teo"),
    ("wang", "wong", "ong"),
    ("chen", "chan", "tan", "chin"),
    ("liu", "lau", "lao", "lew"),
    ("huang", "wong", "hwang", "ng"),
    ("zhou", "chou", "chow", "chau"),
    ("zhao", "chao", "chiu"),
    ("xu", "hsu", "tsui", "hui"),
    ("guo", "kuo", "kwok", "quek"),
    ("lin", "lam", "lim"),
    ("yang", "yeung", "young", "yeo"),
    ("xie", "hsieh", "tse", "chia"),
    ("zheng", "cheng", "cheang", "tay"),
    ("li", "lee", "lei", "yi", "rhee", "ri"),
    ("park", "pak", "bak", "pack"),
    ("choi", "choe", "chwe"),
    ("jung", "chung", "jeong", "cheong"),
    ("kang", "gang"),
    ("cho", "jo", "joe"),
    ("yoon", "yun", "youn"),
    ("jang", "chang"),
    ("lim", "im", "rim"),
    ("kim", "gim"),
    ("shin", "sin", "shen"),
    ("kwon", "gwon"),
)  # fmt: skip

_RUSSIAN = frozenset(["ru", "ua", "by", "kz", "kg", "uz", "tj", "tm", "md", "am", "ge", "az"])
#: The regions whose romanisation customs apply to a listed person, by country.
REGION_COUNTRIES: dict[str, frozenset[str]] = {
    "arabic": ARABIC_NAME_COUNTRIES,
    "persian": frozenset({"ir", "af", "tj"}),
    "turkish": frozenset({"tr", "az", "cy"}),
    "urdu": frozenset({"pk", "in", "bd", "af"}),
    "russian": _RUSSIAN,
    "chinese": frozenset({"cn", "tw", "hk", "mo", "sg", "my"}),
    "korean": frozenset({"kp", "kr"}),
}

_C = "[bcdfghjklmnpqrstvwxz]"

#: Letter correspondences between romanisation customs of each region, as (pattern,
#: replacement) on a lower-case word.
REGIONAL_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "arabic": (
        ("ou", "u"), ("(?<![aeiou])u", "ou"),  # French (Maghreb) against English
        ("kh", "h"), ("kh", "j"),  # Spanish renders kh as j (Khalid / Jalid)
        ("q", "k"), ("q", "g"),  # Gulf and Egyptian pronunciations
        ("j", "dj"), ("j", "g"),  # Algerian French; Egyptian hard g
        ("sh", "ch"),  # French
        ("dh", "z"), ("dh", "d"), ("th", "t"), ("th", "s"),
        ("aa", "a"), ("ee", "i"), ("oo", "u"),
        ("ay", "ei"), ("ei", "ay"),
        (f"(?<={_C})e(?={_C})", "a"), (f"(?<={_C})a(?={_C})", "e"),  # Ahmed / Ahmad
        ("^w", "ou"),  # French: Walid / Oualid
    ),
    "persian": (
        ("gh", "q"), ("q", "gh"),
        ("ou", "u"), ("(?<![aeiou])u", "o"), ("(?<![aeiou])o(?!u)", "ou"),
        ("ei", "ey"), ("ey", "ei"),
        ("v", "w"), ("j", "dj"),
        (f"(?<={_C})e(?={_C})", "a"), (f"(?<={_C})a(?={_C})", "e"),
        ("i$", "y"), ("ee", "i"),
    ),
    "turkish": (
        ("ch", "ç"), ("ç", "ch"), ("sh", "ş"), ("ş", "sh"),
        ("j", "c"), ("c", "j"),  # Turkish c is the English j (Cemal / Jamal)
        ("ü", "u"), ("u", "ü"), ("ö", "o"), ("ı", "i"), ("ğ", "g"),
        ("d$", "t"), ("b$", "p"),  # final devoicing (Mahmud / Mahmut, Ragib / Ragip)
    ),
    "urdu": (
        ("ee", "i"), ("i$", "ee"), ("oo", "u"), ("(?<![aeiou])u(?![aeiou])", "oo"),
        ("w", "v"), ("v", "w"), ("q", "k"), ("ph", "f"), ("f", "ph"),
        ("ai", "ay"), ("ay", "ai"), ("(?<=[aeiou])h$", ""),
        ("ss", "s"), ("(?<=[aeiou])s(?=[aeiou])", "ss"),
    ),
    "russian": (
        ("kh", "h"), ("kh", "ch"),  # Ukrainian-English; German
        ("^y", "j"), ("ya", "ja"), ("yu", "ju"), ("yu", "iu"), ("ya", "ia"),  # German; ICAO
        ("zh", "j"), ("zh", "sh"),  # French; German-style
        ("sh", "ch"), ("sh", "sch"),  # French; German
        ("ch", "tch"), ("ch", "tsch"),  # French; German
        ("ts", "tz"), ("ts", "c"),  # German; Polish/Czech
        ("ey", "ei"), ("ei", "ey"),
        ("iy$", "i"), ("iy$", "y"), ("y$", "i"), ("ii$", "y"),
        ("yev", "ev"), ("yo", "e"), ("ye", "e"),
        ("v$", "ff"),  # older French and German renderings (Ivanoff)
        ("ks", "x"), ("x", "ks"),
    ),
    "chinese": (
        ("zh", "ch"), ("^x", "hs"), ("^q", "ch"), ("^z(?!h)", "ts"), ("^c(?!h)", "ts"),
        ("^r", "j"), ("ong", "ung"), ("ian", "ien"), ("ie$", "ieh"), ("ui", "uei"),
        ("^b", "p"), ("^d", "t"), ("^g", "k"),  # Wade-Giles unaspirated initials
        ("^you", "yu"), ("^yi", "i"),
    ),
    "korean": (
        ("eo", "o"), ("eo", "u"), ("eu", "u"), ("ae", "ai"),
        ("^g", "k"), ("^d", "t"), ("^b", "p"), ("^j", "ch"),  # McCune-Reischauer initials
        ("oo", "u"), ("(?<![aeiou])u(?![aeiou])", "oo"),
    ),
}  # fmt: skip

_COMPILED = {
    region: tuple((re.compile(p), r) for p, r in rules) for region, rules in REGIONAL_RULES.items()
}
_GROUP_OF = {fold(spelling): group for group in NAME_GROUPS for spelling in group}
_WORDS = re.compile(r"[^\W\d_]+")


def regions(name: ListedName) -> tuple[str, ...]:
    """The regions whose romanisation customs apply to the listed person."""
    return tuple(r for r, countries in REGION_COUNTRIES.items() if name.countries & countries)


def _styled(template: str, text: str) -> str:
    if template.isupper():
        return text.upper()
    if template[:1].isupper():
        return text[:1].upper() + text[1:]
    return text


def romanisation(name: ListedName, rng: Random) -> str | None:
    """A name written in another region's romanisation: a given name or surname in another
    usual spelling (Ahmad / Ahmet / Akhmed, Yury / Iurii, Zhang / Chang), or one letter
    correspondence of the person's region (kh / h / j, ou / u, zh / j, yu / iu)."""
    if not name.is_person:
        return None
    text = name.full
    # a known name is respelled for a person of the regions, or of unknown countries
    spelled = bool(regions(name)) or not name.countries
    words = [(m.start(), m.end()) for m in _WORDS.finditer(text) if m.end() - m.start() >= 2]
    whole: list[tuple[int, int, str]] = []
    letters: list[tuple[int, int, str]] = []
    for start, end in words:
        word = text[start:end]
        group = _GROUP_OF.get(fold(word)) if spelled else None
        if group:
            whole += [(start, end, s) for s in group if fold(s) != fold(word)]
        lower = word.lower()
        for region in regions(name):
            for pattern, replacement in _COMPILED[region]:
                for match in pattern.finditer(lower):
                    respelled = lower[: match.start()] + replacement + lower[match.end() :]
                    if respelled != lower:
                        letters.append((start, end, respelled))
    options = whole if whole and (not letters or rng.random() < 0.6) else letters
    if not options:
        return None
    start, end, spelling = rng.choice(options)
    return text[:start] + _styled(text[start:end], spelling) + text[end:]


_SKELETON_RULES = (
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),
    ("q", "k"),
    ("c", "k"),
    ("w", "v"),
    ("z", "s"),
)
_SKELETON_DROP = frozenset("aeiouy")


def skeleton(word: str) -> str:
    """The consonants of a folded word with common romanisation pairs merged and doubled
    letters collapsed: two spellings of one name share it (Mohamad / Muhammad -> mhmd)."""
    text = fold(word).replace(" ", "")
    for source, target in _SKELETON_RULES:
        text = text.replace(source, target)
    consonants = [c for c in text if c not in _SKELETON_DROP]
    return "".join(c for i, c in enumerate(consonants) if i == 0 or c != consonants[i - 1])


def spelling(token: str) -> str:
    """One key for every spelling of a folded name token: its name group, else its skeleton."""
    group = _GROUP_OF.get(token)
    return f"={group[0]}" if group else skeleton(token)


#: Honorifics and titles written before a name on the lists ("Haji Ahmad Shah", "Mullah
#: Mohammed Shah", "Seyed Reza..."): religious, scholarly and courtesy titles, in their usual
#: romanisations (the evaluation's own list, folded; it does not borrow the matcher's). A
#: person named "Ahmed Shah" IS the listed "Haji Ahmad Shah" by name. Words that are also
#: ordinary names or surnames in their own right (Said, Hafez, Amir, Malik, Imam) are not
#: on it.
HONORIFICS = frozenset(
    {
        "haji", "hajji", "hadji", "hajj", "alhaji", "alhajji", "alhaj", "elhadj", "hadj",
        "mullah", "mulla", "molla", "mollah", "moulla",
        "maulvi", "mawlawi", "maulavi", "mawlavi", "moulvi", "molvi", "mawlvi", "mowlawi",
        "maulana", "mawlana", "moulana", "molana",
        "sheikh", "shaikh", "sheik", "shaykh", "shaykhah", "sheykh", "cheikh", "cheik",
        "sayyid", "sayyed", "seyed", "seyyed", "syed", "seyyid",
        "qari", "hafiz", "hafidh", "mufti", "ustad", "ustadh", "ustaz",
        "dr", "doctor", "prof", "professor", "mr", "mrs", "ms", "sir",
    }
)  # fmt: skip


class SpellingIndex:
    """Listed names by spelling-insensitive key, to tell a name that IS a listed name in
    another spelling ("Hossein Mousavi" for "MUSAVI, Hossein"), or the listed name less its
    honorifics ("Muhammad Shah" for "Mullah Mohammed Shah"), from a different name.

    A listed name is keyed as written and, where it carries :data:`HONORIFICS` and at least
    two other words, without them (a one-word name left by "Sheikh Ahmad" would make every
    Ahmad listed). Only the listed side is stripped: a drawn "Ali Sheikh" has the surname
    Sheikh."""

    def __init__(self, index: NameIndex) -> None:
        self.keys = {self._key(tokens) for tokens in index.token_sets}
        for tokens in index.token_sets:
            plain = tokens - HONORIFICS
            if plain != tokens and len(plain) >= 2:
                self.keys.add(self._key(plain))

    @staticmethod
    def _key(tokens: frozenset[str]) -> frozenset[str]:
        return frozenset(spelling(t) for t in tokens)

    def is_listed(self, text: str) -> bool:
        return self._key(frozenset(fold_tokens(text))) in self.keys
