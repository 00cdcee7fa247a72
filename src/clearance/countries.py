"""Country names, adjectives and codes as the lists and customers write them -> ISO 3166-1
alpha-2 (lower case): ISO-2/3 codes, English and Spanish names, demonyms, common aliases.

OFAC writes "Korea, North", "Burma", "Congo, Democratic Republic of the", "Palestinian" or
"Region: Gaza"; the UN writes "Iran (Islamic Republic of)" or "Türkiye"; remarks say "Mexican".
pycountry knows the ISO names and codes; the table below adds the list-specific spellings.
Fuzzy search is deliberately not used: it maps "Kosovo" to Serbia, and a wrong country is worse
than none for screening. Lookups are cached because importers and matching call this per field.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

#: Spellings used by OFAC, the UN and remarks that pycountry does not know (keys are normalised).
_EXTRA_NAMES: dict[str, str] = {
    "korea north": "kp",
    "north korea": "kp",
    "dprk": "kp",
    "korea dprk": "kp",
    "korea south": "kr",
    "south korea": "kr",
    "republic of korea": "kr",
    "burma": "mm",
    "russia": "ru",
    "soviet union": "su",
    "ussr": "su",
    "congo democratic republic of the": "cd",
    "democratic republic of the congo": "cd",
    "congo kinshasa": "cd",
    "zaire": "cd",
    "congo republic of the": "cg",
    "republic of the congo": "cg",
    "congo brazzaville": "cg",
    "palestinian": "ps",
    "palestine": "ps",
    "state of palestine": "ps",
    "west bank": "ps",
    "gaza": "ps",
    "gaza strip": "ps",
    "north gaza": "ps",
    "northern gaza": "ps",
    "northern mali": "ml",
    "palestinian territories": "ps",
    "kosovo": "xk",
    "turkey": "tr",
    "macau": "mo",
    "cote d ivoire": "ci",
    "ivory coast": "ci",
    "man isle of": "im",
    "isle of man": "im",
    "north macedonia the republic of": "mk",
    "macedonia": "mk",
    "macedonia the former yugoslav republic of": "mk",
    "iran islamic republic of": "ir",
    "syria": "sy",
    "syrian arab republic": "sy",
    "laos": "la",
    "vietnam": "vn",
    "bolivia plurinational state of": "bo",
    "venezuela bolivarian republic of": "ve",
    "tanzania united republic of": "tz",
    "united republic of tanzania": "tz",
    "moldova republic of": "md",
    "bosnia herzegovina": "ba",
    "bosnia-herzegovina": "ba",
    "czechia": "cz",
    "cabo verde": "cv",
    "cape verde": "cv",
    "swaziland": "sz",
    "east timor": "tl",
    "brunei": "bn",
    "micronesia federated states of": "fm",
    "st vincent and the grenadines": "vc",
    "st kitts and nevis": "kn",
    "st lucia": "lc",
    "u k": "gb",
    "uk": "gb",
    "great britain": "gb",
    "england": "gb",
    "scotland": "gb",
    "united kingdom": "gb",
    "u s": "us",
    "usa": "us",
    "united states": "us",
    "united states of america": "us",
    "netherlands antilles": "an",
    "yugoslavia": "yu",
    "serbia and montenegro": "cs",
    "kafia kingi": "ss",
    "crimea": "ua",
    "hong kong sar": "hk",
    "macao sar": "mo",
    "vatican": "va",
    "holy see": "va",
}

#: Nationality adjectives that lists use instead of country names.
_ADJECTIVES: dict[str, str] = {
    "afghan": "af",
    "algerian": "dz",
    "american": "us",
    "belarusian": "by",
    "british": "gb",
    "burmese": "mm",
    "chinese": "cn",
    "colombian": "co",
    "cuban": "cu",
    "egyptian": "eg",
    "emirati": "ae",
    "french": "fr",
    "german": "de",
    "honduran": "hn",
    "indian": "in",
    "indonesian": "id",
    "iranian": "ir",
    "iraqi": "iq",
    "jordanian": "jo",
    "kuwaiti": "kw",
    "lebanese": "lb",
    "libyan": "ly",
    "malian": "ml",
    "mexican": "mx",
    "moroccan": "ma",
    "nicaraguan": "ni",
    "nigerian": "ng",
    "north korean": "kp",
    "pakistani": "pk",
    "filipino": "ph",
    "qatari": "qa",
    "russian": "ru",
    "saudi": "sa",
    "saudi arabian": "sa",
    "somali": "so",
    "south korean": "kr",
    "sudanese": "sd",
    "syrian": "sy",
    "tunisian": "tn",
    "turkish": "tr",
    "ukrainian": "ua",
    "venezuelan": "ve",
    "yemeni": "ye",
    "salvadoran": "sv",
    "guatemalan": "gt",
    "ecuadorian": "ec",
    "peruvian": "pe",
    "haitian": "ht",
    "brazilian": "br",
    "spanish": "es",
    "italian": "it",
}

#: More nationality adjectives (English, and Spanish in its masculine and feminine forms) that
#: customer files write in a country column; keys normalised like :func:`_normalise` does.
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "ar": ("argentine", "argentinian", "argentino", "argentina"),
    "at": ("austrian", "austriaco", "austriaca"),
    "au": ("australian", "australiano", "australiana"),
    "bd": ("bangladeshi",),
    "be": ("belgian", "belga"),
    "bo": ("bolivian", "boliviano", "boliviana"),
    "br": ("brasileno", "brasilena", "brasileiro", "brasileira"),
    "ca": ("canadian", "canadiense"),
    "ch": ("swiss", "suizo", "suiza"),
    "cl": ("chilean", "chileno", "chilena"),
    "cn": ("chino", "china"),
    "co": ("colombiano", "colombiana"),
    "cr": ("costa rican", "costarricense"),
    "cu": ("cubano", "cubana"),
    "de": ("aleman", "alemana"),
    "dk": ("danish", "dane", "danes", "danesa"),
    "do": ("dominican", "dominicano", "dominicana"),
    "ec": ("ecuatoriano", "ecuatoriana"),
    "es": ("spaniard", "espanol", "espanola"),
    "fi": ("finnish", "finn"),
    "fr": ("frances", "francesa"),
    "gb": ("britanico", "britanica", "ingles", "inglesa", "english", "scottish", "welsh"),
    "gr": ("greek", "griego", "griega"),
    "gt": ("guatemalteco", "guatemalteca"),
    "hn": ("hondureno", "hondurena"),
    "ht": ("haitiano", "haitiana"),
    "ie": ("irish", "irlandes", "irlandesa"),
    "il": ("israeli", "israeli"),
    "in": ("indio", "india"),
    "iq": ("iraqui",),
    "ir": ("irani", "persian"),
    "it": ("italiano", "italiana"),
    "jp": ("japanese", "japones", "japonesa"),
    "kp": ("norcoreano", "norcoreana"),
    "kr": ("korean", "surcoreano", "surcoreana", "coreano", "coreana"),
    "lb": ("libanes", "libanesa"),
    "ly": ("libio", "libia"),
    "mx": ("mexicano", "mexicana"),
    "ni": ("nicaraguense",),
    "nl": ("dutch", "netherlander", "holandes", "holandesa", "neerlandes", "neerlandesa"),
    "no": ("norwegian", "noruego", "noruega"),
    "pa": ("panamanian", "panameno", "panamena"),
    "pe": ("peruano", "peruana"),
    "pl": ("polish", "pole", "polaco", "polaca"),
    "pr": ("puerto rican", "puertorriqueno", "puertorriquena"),
    "pt": ("portuguese", "portugues", "portuguesa"),
    "py": ("paraguayan", "paraguayo", "paraguaya"),
    "ru": ("ruso", "rusa"),
    "sa": ("saudi", "saudita", "saudi arabian"),
    "se": ("swedish", "swede", "sueco", "sueca"),
    "sv": ("salvadoran", "salvadoreno", "salvadorena"),
    "sy": ("sirio", "siria"),
    "tr": ("turco", "turca"),
    "ua": ("ucraniano", "ucraniana"),
    "us": ("estadounidense", "norteamericano", "norteamericana", "us american"),
    "uy": ("uruguayan", "uruguayo", "uruguaya"),
    "ve": ("venezolano", "venezolana"),
    "ye": ("yemenita",),
}

#: Common aliases people write for a country (keys normalised).
_ALIASES: dict[str, str] = {
    "eeuu": "us",
    "ee uu": "us",
    "u s a": "us",
    "holland": "nl",
    "the netherlands": "nl",
    "persia": "ir",
    "uae": "ae",
    "u a e": "ae",
    "emirates": "ae",
    "ksa": "sa",
    "prc": "cn",
    "mainland china": "cn",
    "roc": "tw",
    "republic of china": "tw",
    "drc": "cd",
    "rdc": "cd",
    "bih": "ba",
    "reino unido": "gb",
    "gran bretana": "gb",
    "inglaterra": "gb",
    "corea del norte": "kp",
    "corea del sur": "kr",
    "birmania": "mm",
}


def _spanish_names() -> dict[str, str]:
    """Country names in Spanish, from pycountry's own translations of the ISO names."""
    import gettext

    try:
        spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    except OSError:  # translations not installed: English names and the tables still work
        return {}
    names: dict[str, str] = {}
    for record in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            text = getattr(record, attr, None)
            if text:
                names[_normalise(spanish.gettext(text))] = record.alpha_2.lower()
    return names


_NON_WORD = re.compile(r"[^a-z0-9-]+")


def _normalise(value: str) -> str:
    """Lower-case ASCII words: "Côte d'Ivoire" -> "cote d ivoire", "Region: Gaza" -> "gaza"."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    text = text.casefold().strip()
    text = re.sub(r"^region\s*:\s*", "", text)
    text = text.replace("'", " ").replace(".", " ").replace("’", " ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for record in list(pycountry.historic_countries) + list(pycountry.countries):
        code = record.alpha_2.lower()
        for attr in ("name", "official_name", "common_name", "alpha_2", "alpha_3"):
            text = getattr(record, attr, None)
            if text:
                index[_normalise(text)] = code
    index.update(_EXTRA_NAMES)
    index.update(_ADJECTIVES)
    extra = {**_ALIASES, **{_normalise(d): c for c, ds in _DEMONYMS.items() for d in ds}}
    for key, code in {**_spanish_names(), **extra}.items():
        index.setdefault(key, code)  # an English or ISO reading is never overridden
    return index


_INDEX = _build_index()


@lru_cache(maxsize=8192)
def to_iso2(value: str) -> str | None:
    """ISO alpha-2 (lower case) for a country name, adjective or code; ``None`` when unknown.

    Total: never raises, returns ``None`` for empty, unknown or placeholder values (``-0-``).
    Tries the value itself, then reordered forms such as "Bahamas, The" -> "The Bahamas" and the
    part before a parenthesis ("Iran (Islamic Republic of)").
    """
    if not isinstance(value, str) or value.strip() == "na":  # UN: lower-case "na" = not available
        return None
    key = _normalise(value)
    if not key:
        return None
    candidates = [key]
    if "," in value:
        head, _, tail = value.partition(",")
        candidates.append(_normalise(f"{tail} {head}"))
        candidates.append(_normalise(head))
    if "(" in value:
        candidates.append(_normalise(value.split("(", 1)[0]))
    for candidate in candidates:
        if candidate.startswith("the "):
            candidate = candidate[4:]
        code = _INDEX.get(candidate)
        if code is not None:
            return code
    return None
