"""Scoring: token similarity, order-free token alignment, and secondary evidence.

Tokens are paired one-to-one (best pairs first). The name score is the rarity-weighted quality
of the pairs times how much of both names they cover: listed tokens missing from the query
cost little (a dropped second surname or middle name), query tokens missing from the listed
name a little more, and both missing at once (one shared token, each side with its own
others) a lot, and another real name in place of a listed one (Igor for Victor) more. Where
the pairs prove little among people (common names of some population,
:mod:`frequency`), a query that covers only part of the listed name, pairs two different
common names or swaps its given names is not taken for the listed person. Secondary evidence
(birth date, country, identifiers, schema) then moves the score up or down, each adjustment
recorded for the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel, Levenshtein, Prefix

from clearance.matching import frequency
from clearance.matching.normalize import (
    GENERIC_ORG_WORDS,
    LEGAL,
    NAME,
    PARTICLE,
    fold,
    ocr_form,
    read_digits,
    skeleton,
)

#: How a query token met a listed token (shown in explanations).
EXACT = "exact"
TRANSLITERATION = "transliteration"
FUZZY = "fuzzy"
PHONETIC = "phonetic"
INITIAL = "initial"
JOINED = "joined"
OCR = "ocr"
PREFIX = "prefix"

#: Tokens spelled alike once romanisation variants are folded (Sheik / Cheik, Wiv / Viv,
#: Ommar / Omar); short ones less, where folding merges more distinct names.
FOLD_SIMILARITY = 0.93
SHORT_FOLD_SIMILARITY = 0.86
SHORT_FOLD_LENGTH = 4
#: Highest similarity of tokens that share a phonetic skeleton but are further apart than a
#: transliteration or typo (dropped vowels); lower the less alike they are spelled, and none
#: below ``MIN_PHONETIC_SPELLING`` (``MIN_SHORT_PHONETIC_SPELLING`` for skeletons of three
#: letters or fewer, where "gang" / "guoying" would otherwise meet).
PHONETIC_SIMILARITY = 0.88
MIN_PHONETIC_SPELLING = 0.6
MIN_SHORT_PHONETIC_SPELLING = 0.7
#: A vowel-stripped token ("Hssn", "Gzmn") against a word with its skeleton: the usual
#: spelling floor does not apply (there is nothing left to spell alike).
STRIPPED_SIMILARITY = 0.85
#: Two consonants ("Km", "Lr") stand for a word of at most this many letters.
MAX_STRIPPED_PAIR = 5
#: An initial ("J.") against the word it abbreviates.
INITIAL_SIMILARITY = 0.7
#: What a scanner's look-alike glyphs cost (0 / O, rn / m, e / c): the tokens are compared
#: again as :func:`~clearance.matching.normalize.ocr_form` reads them, less this.
OCR_COST = 0.05
#: A query token that is a common name (Rivera, Mary, Naseri) met only by a slip or a
#: scanner confusion (Olivera, Mark, Baseri) is another name: at most this (below an anchor);
#: unless the two differ only in vowels written in the same places (Khalid / Khaled, Bassem /
#: Bassam), as one name romanised two ways does. Two common names that sound alike where one
#: is the other with a final "i" (Mohammadi / Muhammad, Ebrahimi / Ibrahim: a family name
#: made from a given name) are two names too.
COMMON_PAIR_SIMILARITY = 0.4
#: A word cut at a field width ("Joa" for "Joaquin"), the name's last written word, against
#: the word it begins: ``PREFIX_BASE + PREFIX_SPAN * share of the word kept``; one or two
#: letters count as an initial.
PREFIX_BASE = 0.76
PREFIX_SPAN = 0.2
MIN_PREFIX = 3
#: Fuzzy similarity is ``1 - edits / (length + FUZZY_SLACK)``: one slip costs a 4-letter
#: token 0.22 and a 10-letter one 0.1.
FUZZY_SLACK = 0.5
#: Score costs of the parts of each name the pairs leave uncovered (shares of rarity weight):
#: query tokens the listed name lacks, listed tokens the query lacks, and both at once.
EXTRA_QUERY_COST = 0.45
MISSING_LISTED_COST = 0.28
BOTH_MISSING_COST = 0.6
#: A real name (ranked in some population, written with its vowels) in the query where the
#: listed name has another is evidence of another person, not a name added and one left out:
#: Igor Nazario for Victor Nazario (neither paired), Maryam Alberto for Mario Alberto (paired
#: only as another name: at most ``COMMON_PAIR_SIMILARITY`` and ``ANOTHER_NAME_EDITS`` edits
#: or more apart; Tatjana / Tatyana, one edit, is one name romanised two ways). The smaller
#: of the two shares (the query's other names, the listed names they stand in for) costs
#: this much coverage.
SUBSTITUTED_COST = 0.5
ANOTHER_NAME_EDITS = 2
#: Listed tokens missing cost up to twice as much when the pairs carry less than
#: ``STRONG_EVIDENCE`` nats of rarity (one given name is not enough to forgive a surname).
STRONG_EVIDENCE = 12.0
#: Query tokens unpaired cost up to twice as much when the pairs carry less than
#: ``POPULATION_EVIDENCE`` nats (a common given name and surname: thousands of people), and
#: one at either end of a query of ``END_TOKENS`` tokens or more counts up to twice.
POPULATION_EVIDENCE = 18.0
END_TOKENS = 3
#: What the pairs prove among people: the population nats of their query tokens
#: (:func:`frequency.rank_weight`, whatever the listed token: "fang" is not "fangwei"),
#: times the similarity; a pair with a query token ranked in no population proves
#: ``PEOPLE_EVIDENCE``. Below ``PEOPLE_EVIDENCE`` (a name thousands of people share), a
#: query that matches only part of a listed name is not that person: a listed first token
#: (the given name), or either token of a two-token name, the query lacks (see
#: :func:`_ends_missing`) costs up to ``FIRST_MISSING_COST`` times its share of weight
#: more, and two different names paired short of equal, one of them common (Mahmoud /
#: Mohamed, Hashemi / Hashim, Jiang / Zhang, Faisal / Faizullah: see :func:`_two_names`) lose
#: up to ``COMMON_PAIR_DOUBT`` times their shortfall again. Below ``FEW_PEOPLE_EVIDENCE``
#: (two of the commonest names: "Muhammad Ahmed") any listed token missing costs up to
#: ``FEW_PEOPLE_MISSING`` times more.
PEOPLE_EVIDENCE = 20.0
FIRST_MISSING_COST = 2.0
COMMON_PAIR_DOUBT = 3.0
FEW_PEOPLE_EVIDENCE = 12.0
FEW_PEOPLE_MISSING = 2.0
#: Below ``PEOPLE_EVIDENCE``, pairs in an order that is no rotation of the listed one (not
#: the surname moved to the front or back, but given names swapped: Kim Un Jong for 'KIM,
#: Jong Un', Ali Mohamed Hassan for 'Hasan Mohamed Ali') cost up to this much coverage.
SHUFFLED_COST = 1.0
#: What the people rules above take off leaves at least this share of the coverage without
#: them: a common surname alone against a listed full name ("Petrov" / 'Ivan Petrov') is a
#: weak match that a search still lists, never nothing, and never an alert (at most half).
PEOPLE_FLOOR = 0.5
#: Kept for the index's pre-score: share of a missing listed token's weight it counts.
MISSING_LISTED_FACTOR = MISSING_LISTED_COST
#: Token weight factors by kind: particles and legal forms barely count.
KIND_FACTOR = {NAME: 1.0, PARTICLE: 0.15, LEGAL: 0.1}
#: A token of n letters carries at most ``SHORT_TOKEN_WEIGHT * n + 1`` nats, however rare it
#: is in the lists: "bo" or "yu" are rare on sanctions lists and common among people.
SHORT_TOKEN_WEIGHT = 2.0
#: A name whose pairs are all out of order (reordered name parts) loses this much.
ORDER_PENALTY = 0.02
#: A match needs one NAME token paired at least this well; otherwise the score is scaled down.
ANCHOR_SIMILARITY = 0.8
NO_ANCHOR_FACTOR = 0.3


#: Victor / Victoria, Daniel / Daniela: alike but different names (a vowel ending differs
#: where both are written with their vowels, i.e. not a vowel-stripped evasion).
ENDING_PENALTY = 0.1
_VOWELS = frozenset("aeiouy")


def _ends_differ(a: str, b: str) -> bool:
    """Only the endings differ, and in a vowel (Victor / Victoria, Daniel / Daniela)."""
    if not (a.startswith(b[:-1]) or b.startswith(a[:-1])):
        return False  # the difference is not (only) at the end: a slip, not another ending
    if not (_has_vowels(a) and _has_vowels(b)):
        return False
    return (a[-1] in _VOWELS) != (b[-1] in _VOWELS) or (
        a[-1] in _VOWELS and b[-1] in _VOWELS and a[-1] != b[-1] and len(a) != len(b)
    )


def _vowel_swap(a: str, b: str) -> bool:
    """Equal-length tokens that differ in exactly one letter, a vowel on both sides."""
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return len(differ) == 1 and differ[0][0] in _VOWELS and differ[0][1] in _VOWELS


def _common_name(token: str) -> bool:
    """A common name (:func:`frequency.is_common`) written with a vowel: the source ranks a
    few vowel-less abbreviations too ("Bd", "Mhd"), which are writings of names, not names."""
    return frequency.is_common(token) and not _VOWELS.isdisjoint(token)


def _has_vowels(token: str) -> bool:
    """Vowels after the first letter: a token without them was written vowel-stripped."""
    return not _VOWELS.isdisjoint(token[1:])


def edits_allowed(length: int) -> int:
    """Edits tolerated between tokens the longer of which has ``length`` letters (three
    letters or fewer: none, so "jie" never meets "jia"; "koy" may still meet "kony")."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    if length <= 8:
        return 2
    return 3


@lru_cache(maxsize=262144)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity in [0, 1] of two normalised tokens and how they matched.

    Memoised: a pure function of the two strings, and batch queries meet the same
    (query token, listed token) pairs again and again (common given names).

    The spelling rules (:func:`_spelling_similarity`) on the tokens, and again on their
    :func:`~clearance.matching.normalize.ocr_form` less ``OCR_COST`` (a scanner's look-alike
    glyphs). ``a`` is the query's token: where it is itself a common name
    (:mod:`frequency`), it is that name, not a slip or scanner confusion of another, so
    those are worth at most ``COMMON_PAIR_SIMILARITY`` (Rivera / Olivera, Naseri / Baseri).
    """
    similarity, how = _spelling_similarity(a, b)
    if similarity < 1.0 - OCR_COST:
        form_a, form_b = ocr_form(a), ocr_form(b)
        if form_a != a or form_b != b:
            read = _spelling_similarity(form_a, form_b)[0] - OCR_COST
            if read > similarity:
                similarity, how = read, OCR
    slip = how in (FUZZY, OCR) and not _vowels_differ(a, b)
    family = how == PHONETIC and _common_name(b) and _nisba(a, b)
    if (slip or family) and _common_name(a):
        similarity = min(similarity, COMMON_PAIR_SIMILARITY)
    if how in (FUZZY, PHONETIC, OCR) and _other_father(a, b):
        similarity = min(similarity, COMMON_PAIR_SIMILARITY)
    return similarity, how


def begins(cut: str, word: str) -> bool:
    """``cut`` (its digits read as letters) is the start of the longer ``word``, as written or
    folded ("MATBA" of "MATBAA", though both fold to "matba")."""
    cut = read_digits(cut)
    if not cut or len(word) <= len(cut) or not cut.isalpha():
        return False
    return word.startswith(cut) or fold(word).startswith(fold(cut))


def _nisba(a: str, b: str) -> bool:
    """One token ends in "i" after a consonant, the other in a consonant (Mohammadi /
    Muhammad): a name and the family name made from it, not one name spelled two ways."""
    if len(a) < 3 or len(b) < 3:
        return False

    def ends_in_i(t: str) -> bool:
        return t[-1] == "i" and t[-2] not in _VOWELS

    return ends_in_i(a) != ends_in_i(b) and (a[-1] not in _VOWELS or b[-1] not in _VOWELS)


#: Endings of East Slavic patronymics (Ivanovich, Petrovna, Mykolayovych).
PATRONYMIC_ENDINGS = ("ovich", "evich", "ovych", "evych", "ovna", "evna")


def _other_father(a: str, b: str) -> bool:
    """Two patronymics whose fathers' names are more than a slip apart (Dmitriyevich /
    Yuryevich): the ending they share is grammar, so their letters are alike while the
    names are not. The fathers' names may differ as much as a slip of a name that long, and a
    scanner's confusions are read first (Vlaclimirovich is Vladimirovich)."""
    if not (a.endswith(PATRONYMIC_ENDINGS) and b.endswith(PATRONYMIC_ENDINGS)):
        return False
    father_a = a[: -4 if a.endswith(("ovna", "evna")) else -5]
    father_b = b[: -4 if b.endswith(("ovna", "evna")) else -5]
    allowed = max(1, edits_allowed(max(len(father_a), len(father_b))))
    return all(
        OSA.distance(fold(x), fold(y), score_cutoff=allowed + 1) > allowed
        for x, y in ((father_a, father_b), (ocr_form(father_a), ocr_form(father_b)))
    )


#: The longest query word that may be a short slip of a listed word (:func:`_short_slip`);
#: longer words are within ordinary edit distance of it.
MAX_SHORT_SLIP = 3


def _short_slip(a: str, b: str) -> bool:
    """The query word ``a`` is the listed word ``b`` with its first letter lost ("oko" for
    Boko) or two neighbouring letters swapped ("ikm" for Kim): slips in words too short for
    the edit distance to allow them, as they leave no first sound to go by."""
    if not 2 <= len(a) <= MAX_SHORT_SLIP:
        return False
    if len(b) == len(a) + 1:
        return b[1:] == a
    return len(b) == len(a) and any(
        a[:i] + a[i + 1] + a[i] + a[i + 2 :] == b for i in range(len(a) - 1)
    )


def _vowels_differ(a: str, b: str) -> bool:
    """Tokens of one length that differ only where both have a vowel (Khalid / Khaled): one
    name's vowels romanised otherwise; a letter added or dropped (Young / Yong) is not."""
    return len(a) == len(b) and all(
        x == y or (x in _VOWELS and y in _VOWELS) for x, y in zip(a, b, strict=True)
    )


def prefix_similarity(cut: str, word: str) -> float:
    """Similarity of a word cut short (the last written word of a name written at least as
    long as a field, see :func:`~clearance.matching.normalize.written_last`) to ``word`` it
    may begin, as written, folded or with its digits read as letters; 0 if it begins none.
    One or two letters left count as an initial."""
    if not begins(cut, word):
        return 0.0
    cut = read_digits(cut)
    if len(fold(word)) <= len(fold(cut)):
        return 0.0  # the same word spelled otherwise (Mohamed / Mohammed), not cut
    if len(cut) < MIN_PREFIX:
        return INITIAL_SIMILARITY
    return PREFIX_BASE + PREFIX_SPAN * len(cut) / len(word)


def _spelling_similarity(a: str, b: str) -> tuple[float, str]:
    """:func:`token_similarity` without look-alike glyphs and name frequency.

    Exact 1.0; equal :func:`~clearance.matching.normalize.fold` (romanisation variants)
    0.93, 0.86 for tokens of four letters or fewer; fuzzy ``1 - edits / (length + 0.5)``
    within :func:`edits_allowed`, on the folded spelling where that is closer (tokens of
    three letters must also share their first sound), or a short slip of the listed word
    (:func:`_short_slip`: "oko" for Boko, "ikm" for Kim); phonetic: equal
    skeletons, graded by how alike the spellings are. A differing vowel ending (Victor /
    Victoria) costs ``ENDING_PENALTY``.
    """
    if a == b:
        return 1.0, EXACT
    la, lb = len(a), len(b)
    if la == 1 or lb == 1:
        if a[0] == b[0] and a.isalpha() and b.isalpha():
            return INITIAL_SIMILARITY, INITIAL
        return 0.0, ""
    if not (a.isalpha() and b.isalpha()):
        return 0.0, ""  # numbers and codes must be equal
    folded_a, folded_b = fold(a), fold(b)
    if folded_a == folded_b:
        short = min(la, lb) <= SHORT_FOLD_LENGTH
        return (SHORT_FOLD_SIMILARITY if short else FOLD_SIMILARITY), TRANSLITERATION
    shortest = min(la, lb)
    allowed = edits_allowed(max(la, lb)) if shortest >= 3 else 0
    if not allowed and la == lb == 3 and _vowel_swap(a, b):
        allowed = 1  # Pak / Pek, Gon / Gun: a vowel romanised another way, even in short names
    ending = ENDING_PENALTY if _ends_differ(folded_a, folded_b) else 0.0
    fuzzy = 0.0
    if allowed and (shortest > 3 or a[0] == b[0] or folded_a[0] == folded_b[0]):
        raw = OSA.distance(a, b, score_cutoff=allowed)
        folded = OSA.distance(folded_a, folded_b, score_cutoff=allowed)
        if min(raw, folded) <= allowed:
            length = max(la, lb) if raw <= folded else max(len(folded_a), len(folded_b))
            fuzzy = 1.0 - min(raw, folded) / (length + FUZZY_SLACK) - ending
    if not fuzzy and _short_slip(a, b):
        fuzzy = 1.0 - 1.0 / (lb + FUZZY_SLACK)
    if shortest >= 3 or (shortest == 2 and max(la, lb) <= MAX_STRIPPED_PAIR):
        key = phonetic_key(a)
        if len(key) >= 2 and key == phonetic_key(b):
            if not (_has_vowels(a) and _has_vowels(b)):
                # vowel-stripped ("Hssn" for "Hussein"): same first letter, two vowels gone
                stripped = a[0] == b[0] and la != lb
                phonetic = (STRIPPED_SIMILARITY - 0.04 * (len(key) < 4)) if stripped else 0.0
            else:
                spelled = Indel.normalized_similarity(folded_a, folded_b)
                floor = MIN_SHORT_PHONETIC_SPELLING if len(key) <= 3 else MIN_PHONETIC_SPELLING
                phonetic = min(PHONETIC_SIMILARITY, 0.55 + 0.4 * spelled) if spelled >= floor else 0
                phonetic -= 0.04 * (len(key) < 4) + ending
            if phonetic > fuzzy:
                return phonetic, PHONETIC
    if fuzzy > 0:
        return fuzzy, FUZZY
    return 0.0, ""


@dataclass(frozen=True, slots=True)
class TokenTraits:
    """What :func:`similarity_arrays` needs of many tokens, as arrays (object arrays for text)."""

    tokens: np.ndarray
    folded: np.ndarray  # fold() of each token
    skeletons: np.ndarray  # skeleton() where a phonetic match is possible, else ""
    length: np.ndarray
    alpha: np.ndarray
    vowels: np.ndarray  # _has_vowels(): written with its vowels
    initial: np.ndarray  # code of the first letter, of the token and of its fold
    folded_initial: np.ndarray
    folded_last: np.ndarray  # code of the fold's last letter
    folded_length: np.ndarray
    folded_vowels: np.ndarray  # _has_vowels() of the fold
    common: np.ndarray  # _common_name()
    patronymic: np.ndarray  # ends as a patronymic (for _other_father)
    read: np.ndarray  # ocr_form() differs from the token
    ocr: TokenTraits | None  # the traits of the ocr_form() of each token (None: these are)

    @classmethod
    def of(
        cls,
        tokens: Sequence[str],
        folded: Sequence[str] | None = None,
        skeletons: Sequence[str] | None = None,
        forms: bool = True,
    ) -> TokenTraits:
        """Traits of ``tokens`` (with those of their OCR forms unless ``forms`` is False);
        their folds and skeletons are computed unless given."""
        count = len(tokens)
        folded = folded if folded is not None else [fold(t) for t in tokens]
        skeletons = skeletons if skeletons is not None else [phonetic_key(t) for t in tokens]
        read = [ocr_form(t) for t in tokens] if forms else list(tokens)
        common = frequency.ranks(tokens) if forms else np.zeros(count, dtype=np.int64)
        vowels = np.fromiter(map(_has_vowels, tokens), dtype=bool, count=count)
        initial = np.fromiter((ord(t[0]) if t else 0 for t in tokens), np.int32, count)
        return cls(
            tokens=np.array(tokens, dtype=object),
            folded=np.array(folded, dtype=object),
            skeletons=np.array(skeletons, dtype=object),
            length=np.fromiter(map(len, tokens), dtype=np.int32, count=count),
            alpha=np.fromiter(map(str.isalpha, tokens), dtype=bool, count=count),
            vowels=vowels,
            initial=initial,
            folded_initial=np.fromiter((ord(t[0]) if t else 0 for t in folded), np.int32, count),
            folded_last=np.fromiter((ord(t[-1]) if t else 0 for t in folded), np.int32, count),
            folded_length=np.fromiter(map(len, folded), dtype=np.int32, count=count),
            folded_vowels=np.fromiter(map(_has_vowels, folded), dtype=bool, count=count),
            common=(common > 0)
            & (common <= frequency.COMMON_RANK)
            & (vowels | np.isin(initial, _VOWEL_CODES)),  # a vowel anywhere: _common_name()
            patronymic=np.fromiter((t.endswith(PATRONYMIC_ENDINGS) for t in tokens), bool, count),
            read=np.fromiter((r != t for r, t in zip(read, tokens, strict=True)), bool, count),
            ocr=cls.of(read, forms=False) if forms else None,
        )

    def take(self, positions: np.ndarray) -> TokenTraits:
        return TokenTraits(
            *(
                getattr(self, name)[positions]
                for name in self.__dataclass_fields__
                if name != "ocr"
            ),
            ocr=self.ocr.take(positions) if self.ocr is not None else None,
        )


def phonetic_key(token: str) -> str:
    """The skeleton two tokens must share to match phonetically, "" where none can (two
    letters only when both are consonants: "km" for "Kim", never "al" for "Ali")."""
    if len(token) < 2 or not token.isalpha():
        return ""
    if len(token) == 2 and not _VOWELS.isdisjoint(token):
        return ""
    key = skeleton(token)
    return key if len(key) >= 2 else ""


def similarity_arrays(first: TokenTraits, second: TokenTraits) -> np.ndarray:
    """:func:`token_similarity` (the number) of each pair (``first[i]``, ``second[i]``),
    computed in arrays with vectorised edit distances: the same rules in the same order, for
    the many pairs of a batch's token lookups and alignments (one pair alone is cheaper with
    :func:`token_similarity`; a test holds the two to the same numbers on real names)."""
    result, slip, sound = _spelling_arrays(first, second)
    todo = np.flatnonzero((result < 1.0 - OCR_COST) & (first.read | second.read))
    if len(todo):
        assert first.ocr is not None and second.ocr is not None
        read = _spelling_arrays(first.ocr.take(todo), second.ocr.take(todo))[0] - OCR_COST
        better = read > result[todo]
        result[todo[better]] = read[better]
        slip[todo[better]] = True
        sound[todo[better]] = False
    named = np.flatnonzero(sound & first.common & second.common)
    pairs = zip(first.tokens[named], second.tokens[named], strict=True)
    named = named[np.asarray([_nisba(a, b) for a, b in pairs], dtype=bool)]
    result[named] = np.minimum(result[named], COMMON_PAIR_SIMILARITY)
    capped = np.flatnonzero(slip & first.common)
    pairs = zip(first.tokens[capped], second.tokens[capped], strict=True)
    vowels = [_vowels_differ(a, b) for a, b in pairs]
    capped = capped[~np.asarray(vowels, dtype=bool)]
    result[capped] = np.minimum(result[capped], COMMON_PAIR_SIMILARITY)
    alike = (result > COMMON_PAIR_SIMILARITY) & (result < FOLD_SIMILARITY)
    fathers = np.flatnonzero(alike & first.patronymic & second.patronymic)
    pairs = zip(first.tokens[fathers], second.tokens[fathers], strict=True)
    fathers = fathers[np.asarray([_other_father(a, b) for a, b in pairs], dtype=bool)]
    result[fathers] = COMMON_PAIR_SIMILARITY
    return result


def _spelling_arrays(
    first: TokenTraits, second: TokenTraits
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_spelling_similarity` of each pair, where it is a fuzzy (slip) match and where a
    phonetic one."""
    result = np.zeros(len(first.tokens))
    shortest = np.minimum(first.length, second.length)
    longest = np.maximum(first.length, second.length)
    alpha = first.alpha & second.alpha
    equal = first.tokens == second.tokens
    result[equal] = 1.0
    initial = ~equal & (shortest == 1) & alpha & (first.initial == second.initial)
    result[initial] = INITIAL_SIMILARITY
    words = ~equal & (shortest > 1) & alpha
    same_fold = words & (first.folded == second.folded)
    result[same_fold] = np.where(
        shortest[same_fold] <= SHORT_FOLD_LENGTH, SHORT_FOLD_SIMILARITY, FOLD_SIMILARITY
    )
    rest = np.flatnonzero(words & ~same_fold)
    a, b = first.take(rest), second.take(rest)
    short, long = shortest[rest], longest[rest]
    # fuzzy: within edits_allowed(longest), short tokens sounding alike at the start
    allowed = np.select([long <= 3, long <= 5, long <= 8], [0, 1, 2], 3)
    allowed = np.where(short >= 3, allowed, 0)
    three = np.flatnonzero((a.length == 3) & (b.length == 3))
    swaps = [_vowel_swap(x, y) for x, y in zip(a.tokens[three], b.tokens[three], strict=True)]
    allowed[three[np.asarray(swaps, dtype=bool)]] = 1
    sound = (a.initial == b.initial) | (a.folded_initial == b.folded_initial)
    todo = np.flatnonzero((allowed > 0) & ((short > 3) | sound))
    raw = _pairwise(OSA.distance, a.tokens[todo], b.tokens[todo])
    folded = _pairwise(OSA.distance, a.folded[todo], b.folded[todo])
    edits = np.minimum(raw, folded)
    close = edits <= allowed[todo]
    fuzzy_at, raw, folded, edits = todo[close], raw[close], folded[close], edits[close]
    # phonetic: the same skeleton (of two letters or more)
    keyed = (short >= 3) | ((short == 2) & (long <= MAX_STRIPPED_PAIR))
    phonetic_at = np.flatnonzero(keyed & (a.skeletons != "") & (a.skeletons == b.skeletons))
    ending = np.zeros(len(rest))
    scored = np.union1d(fuzzy_at, phonetic_at)
    ending[scored] = np.where(
        _ends_differ_arrays(a.take(scored), b.take(scored)), ENDING_PENALTY, 0.0
    )
    fuzzy = np.zeros(len(rest))
    folded_length = np.maximum(a.folded_length[fuzzy_at], b.folded_length[fuzzy_at])
    length = np.where(raw <= folded, long[fuzzy_at], folded_length)
    fuzzy[fuzzy_at] = 1.0 - edits / (length + FUZZY_SLACK) - ending[fuzzy_at]
    # a short slip (a first letter lost, two neighbours swapped): the pairs it may be
    longer = b.length - a.length
    short_pair = (a.length >= 2) & (a.length <= MAX_SHORT_SLIP) & (longer >= 0) & (longer <= 1)
    short = np.flatnonzero((fuzzy == 0) & short_pair)
    pairs = zip(a.tokens[short], b.tokens[short], strict=True)
    short = short[np.fromiter((_short_slip(x, y) for x, y in pairs), bool, len(short))]
    fuzzy[short] = 1.0 - 1.0 / (b.length[short] + FUZZY_SLACK)
    phonetic = np.zeros(len(rest))
    key = np.fromiter(map(len, a.skeletons[phonetic_at]), np.int64, len(phonetic_at))
    short_key = (key < 4).astype(np.float64)
    written = a.vowels[phonetic_at] & b.vowels[phonetic_at]
    stripped = (a.initial[phonetic_at] == b.initial[phonetic_at]) & (
        a.length[phonetic_at] != b.length[phonetic_at]
    )
    spelled = _pairwise(
        Indel.normalized_similarity, a.folded[phonetic_at], b.folded[phonetic_at], np.float64
    )
    floor = np.where(key <= 3, MIN_SHORT_PHONETIC_SPELLING, MIN_PHONETIC_SPELLING)
    alike = np.where(
        spelled >= floor, np.minimum(PHONETIC_SIMILARITY, 0.55 + 0.4 * spelled), 0.0
    ) - (0.04 * short_key + ending[phonetic_at])
    vowel_stripped = np.where(stripped, STRIPPED_SIMILARITY - 0.04 * short_key, 0.0)
    phonetic[phonetic_at] = np.where(written, alike, vowel_stripped)
    result[rest] = np.where(phonetic > fuzzy, phonetic, np.maximum(fuzzy, 0.0))
    slip = np.zeros(len(first.tokens), dtype=bool)
    slip[rest] = (phonetic <= fuzzy) & (fuzzy > 0)
    sound = np.zeros(len(first.tokens), dtype=bool)
    sound[rest] = (phonetic > fuzzy) & (phonetic > 0)
    return result, slip, sound


_VOWEL_CODES = np.array([ord(c) for c in "aeiouy"], dtype=np.int32)


def _ends_differ_arrays(a: TokenTraits, b: TokenTraits) -> np.ndarray:
    """:func:`_ends_differ` of each pair's folds: one fold starts with the other but for its
    last letter (common prefix), both are written with vowels, and the last letters differ
    in being vowels, or are different vowels of names of different lengths."""
    prefix = _pairwise(Prefix.similarity, a.folded, b.folded)
    only_end = (prefix >= b.folded_length - 1) | (prefix >= a.folded_length - 1)
    vowel_a = np.isin(a.folded_last, _VOWEL_CODES)
    vowel_b = np.isin(b.folded_last, _VOWEL_CODES)
    differ = (vowel_a != vowel_b) | (
        vowel_a & vowel_b & (a.folded_last != b.folded_last) & (a.folded_length != b.folded_length)
    )
    return only_end & a.folded_vowels & b.folded_vowels & differ


def _pairwise(
    scorer: Callable[..., float], first: np.ndarray, second: np.ndarray, dtype: type = np.int64
) -> np.ndarray:
    """``scorer`` of each pair (``first[i]``, ``second[i]``), in C (float scores in float64,
    as the scorer gives them one by one)."""
    if not len(first):
        return np.zeros(0, dtype=dtype)
    return np.asarray(process.cpdist(first, second, scorer=scorer, dtype=dtype))


@dataclass(frozen=True, slots=True)
class Pair:
    """Query tokens ``query`` matched listed tokens ``listed`` with ``similarity`` by ``how``."""

    query: tuple[int, ...]
    listed: tuple[int, ...]
    similarity: float
    how: str


@dataclass(frozen=True, slots=True)
class Alignment:
    score: float
    pairs: tuple[Pair, ...]
    identical: bool
    #: > 0 where the score is the name read as one damaged string (:func:`whole_name_scores`):
    #: the similarity of the two consonant keys
    whole_name: float = 0.0


#: A word read as two joined parts is at least this many letters longer than either part.
JOIN_REST = 2


def _joined_items(
    longer: tuple[str, ...],
    longer_kinds: tuple[int, ...],
    parts: tuple[str, ...],
    parts_kinds: tuple[int, ...],
    flip: bool,
) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
    """One token of ``longer`` against two adjacent NAME tokens of ``parts`` ("abubakr" /
    "abu bakr", "ms13" / "ms 13"); spelled alike, not merely sounding alike."""
    starts: dict[str, list[int]] = {}  # first letter -> adjacent pairs (j, j + 1) it starts
    for j in range(len(parts) - 1):
        if parts_kinds[j + 1] == NAME:
            starts.setdefault(parts[j][0], []).append(j)
    items: list[tuple[tuple[int, ...], tuple[int, ...], float]] = []
    if not starts:
        return items
    for i, token in enumerate(longer):
        if len(token) < 4 or longer_kinds[i] != NAME:
            continue
        for j in starts.get(token[0], ()):
            first, second = parts[j], parts[j + 1]
            if abs(len(first) + len(second) - len(token)) > 2:
                continue
            if len(token) < max(len(first), len(second)) + JOIN_REST:
                continue  # the word is one part with a scrap: "corpomedios" / "corpomedios gv"
            similarity, how = token_similarity(token, first + second)
            if how in (EXACT, TRANSLITERATION, FUZZY) and similarity >= ANCHOR_SIMILARITY:
                items.append(
                    ((j, j + 1), (i,), similarity) if flip else ((i,), (j, j + 1), similarity)
                )
    return items


def _greedy(items: list[tuple[float, tuple[int, ...], tuple[int, ...], float, str]]) -> list[Pair]:
    """Pairs by descending weighted similarity, each token used once."""
    items.sort(key=lambda item: -item[0])
    used_q: set[int] = set()
    used_l: set[int] = set()
    pairs: list[Pair] = []
    for _, qs, ls, similarity, how in items:
        if used_q.isdisjoint(qs) and used_l.isdisjoint(ls):
            used_q.update(qs)
            used_l.update(ls)
            pairs.append(Pair(qs, ls, similarity, how))
    return pairs


def capped_weight(token: str, weight: float) -> float:
    """A token's weight, at most ``SHORT_TOKEN_WEIGHT`` nats per letter (plus one)."""
    return min(weight, SHORT_TOKEN_WEIGHT * len(token) + 1.0)


#: Batches of at least this many (query, name) pairs are aligned in arrays...
ARRAY_PAIRS = 32
#: ...where names of at most this many tokens are paired all at once, in groups of names of
#: up to each of ``ARRAY_GROUPS`` tokens; longer names (rare) item by item, same greedy rule.
ARRAY_GROUPS = (4, 8, 16)
ARRAY_TOKENS = ARRAY_GROUPS[-1]

#: One (query, listed name) pair to align: tokens, kinds and weights of each side, and the
#: position of the query token that may be a word cut short (its last written word, -1: none).
AlignInput = tuple[
    tuple[str, ...],
    tuple[int, ...],
    tuple[float, ...],
    tuple[str, ...],
    tuple[int, ...],
    tuple[float, ...],
    int,
]


class Alignments:
    """The alignments of many (query, listed name) pairs (see :func:`align_many`).

    Token pairs are kept in arrays, one column per pair in the order the greedy took them:
    first and second query token (-1: none), first and second listed token, similarity.
    """

    def __init__(self, inputs: Sequence[AlignInput], slots: int) -> None:
        self.inputs = inputs
        shape = (len(inputs), slots)
        self.query_1 = np.full(shape, -1, dtype=np.int64)
        self.query_2 = np.full(shape, -1, dtype=np.int64)
        self.listed_1 = np.full(shape, -1, dtype=np.int64)
        self.listed_2 = np.full(shape, -1, dtype=np.int64)
        self.similarity = np.zeros(shape)
        self.scores = np.zeros(len(inputs))
        self.identical = np.zeros(len(inputs), dtype=bool)
        self.whole_name = np.zeros(len(inputs))
        #: a pair of the alignment is two different names (:func:`_another_name`)
        self.another = np.zeros(len(inputs), dtype=bool)

    def set_pairs(self, row: int, pairs: list[Pair]) -> None:
        """Store one row's pairs (greedy order), replacing what it held."""
        for column in (self.query_1, self.query_2, self.listed_1, self.listed_2):
            column[row] = -1
        self.similarity[row] = 0.0
        for k, pair in enumerate(pairs):
            self.query_1[row, k] = pair.query[0]
            self.query_2[row, k] = pair.query[1] if len(pair.query) > 1 else -1
            self.listed_1[row, k] = pair.listed[0]
            self.listed_2[row, k] = pair.listed[1] if len(pair.listed) > 1 else -1
            self.similarity[row, k] = pair.similarity

    def __getitem__(self, row: int) -> Alignment:
        """Alignment ``row`` with its token pairs in query order (for explanations)."""
        query, listed, cut = self.inputs[row][0], self.inputs[row][3], self.inputs[row][6]
        pairs = []
        columns = zip(
            self.query_1[row].tolist(),
            self.query_2[row].tolist(),
            self.listed_1[row].tolist(),
            self.listed_2[row].tolist(),
            self.similarity[row].tolist(),
            strict=True,
        )
        for q1, q2, l1, l2, similarity in columns:
            if q1 < 0:
                continue
            qs = (q1,) if q2 < 0 else (q1, q2)
            ls = (l1,) if l2 < 0 else (l1, l2)
            joined = q2 >= 0 or l2 >= 0
            how = JOINED if joined else pair_similarity(query[q1], listed[l1], q1 == cut)[1]
            pairs.append(Pair(qs, ls, similarity, how))
        pairs.sort(key=lambda p: p.query[0])
        return Alignment(
            float(self.scores[row]),
            tuple(pairs),
            bool(self.identical[row]),
            float(self.whole_name[row]),
        )


#: Similarities of many (query token, listed token) pairs, as ``token_similarity(a, b)[0]``.
Similarities = Callable[[list[str], list[str]], Sequence[float] | np.ndarray]


def token_similarities(queries: list[str], listed: list[str]) -> list[float]:
    """:func:`token_similarity` of each pair, one by one (an index does it faster)."""
    return [token_similarity(a, b)[0] for a, b in zip(queries, listed, strict=True)]


#: A name damaged in several words at once (vowels stripped from every word, a scanner's
#: digits beside a slip, words run together or split, a first letter lost) leaves too little
#: of each word for token pairs; read as one string it is still the listed name.
#: A query with a visible mark of damage (a word with digits among its letters, or a word of
#: three letters or more written without vowels) is read as its consonants: it scores
#: ``WHOLE_NAME_BASE`` at a key similarity of ``WHOLE_NAME_SIMILARITY``, rising to
#: ``WHOLE_NAME_BASE + WHOLE_NAME_SPAN`` for equal keys, keys of ``WHOLE_NAME_KEY`` letters
#: or more. Any other query is read with all its letters, needs ``WRITTEN_SIMILARITY`` on
#: ``WRITTEN_KEY`` letters or more, and at most one common name among its words: a slip
#: between two names made of common names (Rivera / Olivera) is another person; but the
#: same letters in the same order with only the word breaks moved ("KIMS E GON") are the
#: name, from ``MOVED_BREAKS_KEY`` letters on ("YKA-YC" is the tail number YK-AYC).
WHOLE_NAME_SIMILARITY = 0.8
WHOLE_NAME_BASE = 0.8
WHOLE_NAME_SPAN = 0.12
WHOLE_NAME_KEY = 7
MOVED_BREAKS_KEY = 5
WRITTEN_SIMILARITY = 0.9
WRITTEN_KEY = 10
WRITTEN_COMMON_WORDS = 1


@lru_cache(maxsize=262144)
def consonant_key(token: str) -> str:
    """A token's first letter and the consonants after it, digits read as the letters they
    stand for ("l0era" -> "lr", "Gzmn" and "Guzman" -> "gzmn")."""
    read = read_digits(token)
    return read[:1] + "".join(c for c in read[1:] if c not in _VOWELS)


@lru_cache(maxsize=65536)
def damage_marked(tokens: tuple[str, ...], kinds: tuple[int, ...]) -> bool:
    """The query shows damage no ordinary name has: a NAME word with digits among its
    letters, or one of three letters or more with no vowel after its first letter."""
    for token, kind in zip(tokens, kinds, strict=True):
        if kind != NAME or len(token) < 3:
            continue
        if token.isalpha():
            if not _has_vowels(token):
                return True
        elif any(c.isalpha() for c in token) and any(c.isdigit() for c in token):
            return True
    return False


@lru_cache(maxsize=131072)
def name_keys(tokens: tuple[str, ...], kinds: tuple[int, ...]) -> tuple[str, str]:
    """A name's words but legal forms as one string: their consonant keys, and as written
    (generic company words such as "trading" are written out, so they stay: a merged
    "TradingCorporation" still reads as the listed name)."""
    words = [
        t for t, k in zip(tokens, kinds, strict=True) if k != LEGAL or t in GENERIC_ORG_WORDS
    ]
    return "".join(map(consonant_key, words)), "".join(words)


@lru_cache(maxsize=65536)
def _common_words(tokens: tuple[str, ...], kinds: tuple[int, ...]) -> int:
    """How many of a name's words are common names (:func:`frequency.is_common`)."""
    return sum(
        1 for t, k in zip(tokens, kinds, strict=True) if k == NAME and frequency.is_common(t)
    )


def whole_name_scores(
    inputs: Sequence[AlignInput], another: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per (query, listed name) pair: the score of the name read as one damaged string (0
    where the strings are too short or too far apart), and the similarity behind it.
    A query with no mark of damage is not read whole where a word pair of its alignment is
    two different names (``another``, see :func:`_another_name`): its letters are alike
    because the rest of the name is the same, not because the name is damaged."""
    scores = np.zeros(len(inputs))
    keys = np.zeros(len(inputs))
    rows, query, listed, floor = [], [], [], []
    for p, x in enumerate(inputs):
        marked = damage_marked(x[0], x[1])
        side = 0 if marked else 1
        a, b = name_keys(x[0], x[1])[side], name_keys(x[3], x[4])[side]
        moved_breaks = not marked and a == b  # the same letters, only word breaks moved
        if not (marked or moved_breaks) and (
            _common_words(x[0], x[1]) > WRITTEN_COMMON_WORDS
            or (another is not None and another[p])
        ):
            continue
        shortest = MOVED_BREAKS_KEY if moved_breaks else WHOLE_NAME_KEY if marked else WRITTEN_KEY
        if min(len(a), len(b)) < shortest:
            continue
        rows.append(p)
        query.append(a)
        listed.append(b)
        floor.append(WHOLE_NAME_SIMILARITY if marked else WRITTEN_SIMILARITY)
    if not rows:
        return scores, keys
    similarity = _pairwise(Levenshtein.normalized_similarity, query, listed, np.float64)
    lowest = np.asarray(floor)
    good = similarity >= lowest
    at = np.asarray(rows, dtype=np.int64)[good]
    keys[at] = similarity[good]
    share = (similarity[good] - lowest[good]) / (1.0 - lowest[good])
    scores[at] = WHOLE_NAME_BASE + WHOLE_NAME_SPAN * share
    return scores, keys


def _read_whole(result: Alignments) -> None:
    """Where reading the name whole scores higher than its token pairs, take that score."""
    scores, keys = whole_name_scores(result.inputs, result.another)
    better = scores > result.scores
    result.scores[better] = scores[better]
    result.whole_name[better] = keys[better]


def align_many(
    inputs: Sequence[AlignInput], similarities: Similarities = token_similarities
) -> Alignments:
    """Best one-to-one pairing of tokens (greedy on weighted similarity) and the name score
    of every (query, listed name) pair; ``align_many([x])[0]`` is :func:`align` of ``x``.

    The greedy takes, among the token pairs whose tokens are both still free, the one with the
    highest ``similarity * (query weight + listed weight)`` (the first in query-token, then
    listed-token order on a tie). Joined/split tokens ("abubakr" / "abu bakr") are only tried
    when single tokens leave something unpaired on either side. From :data:`ARRAY_PAIRS`
    pairs on, the greedy and the score run on arrays for all pairs at once (one step per
    token pair taken); fewer pairs (one query screened on its own) are aligned one by one,
    where array set-up would cost more than it saves. Both give the same numbers.
    """
    slots = max((min(len(x[0]), len(x[3])) for x in inputs), default=0)
    result = Alignments(inputs, max(1, slots))
    if len(inputs) < ARRAY_PAIRS:
        for p, x in enumerate(inputs):
            pairs = _greedy(_items(x))
            if _unpaired(len(pairs), len(x[0]), len(x[3])):
                pairs = _with_joined(x) or pairs
            result.set_pairs(p, pairs)
            score, result.identical[p], result.another[p] = alignment_score(pairs, x)
            result.scores[p] = score
        _read_whole(result)
        return result
    query, listed = _Side.of(inputs, 0), _Side.of(inputs, 3)
    size = np.maximum(query.counts, listed.counts)
    arrays = (query.counts > 0) & (listed.counts > 0) & (size <= ARRAY_TOKENS)
    for p in np.flatnonzero(~arrays).tolist():
        result.set_pairs(p, _greedy(_items(inputs[p])))
    low = 0
    for high in ARRAY_GROUPS:  # names of similar lengths together: little padding
        rows = np.flatnonzero(arrays & (size > low) & (size <= high))
        if len(rows):
            _greedy_arrays(inputs, rows, result, similarities, query.take(rows), listed.take(rows))
        low = high
    pairs = np.count_nonzero(result.query_1 >= 0, axis=1)
    rows = np.flatnonzero(_unpaired(pairs, query.counts, listed.counts))
    for p in rows[_may_join(query.take(rows), listed.take(rows))].tolist():
        joined = _with_joined(inputs[p])
        if joined:
            result.set_pairs(p, joined)
    _score_alignments(result, query, listed)
    _read_whole(result)
    return result


def _unpaired(pairs: Any, query: Any, listed: Any) -> Any:
    """Single tokens left something unpaired on either side (numbers or arrays): a word
    split in two leaves one of its parts unpaired, whatever the other side has left."""
    return ((pairs < query) | (pairs < listed)) & ((query > 1) | (listed > 1))


def _may_join(query: _Side, listed: _Side) -> np.ndarray:
    """Per row, False where :func:`_joined_items` certainly finds nothing either way: no
    NAME token of four letters or more starts like an adjacent pair of the other side
    (second one a NAME) with about its length."""

    def joins(longer: _Side, parts: _Side) -> np.ndarray:
        # every (token i of longer, adjacent pair j, j + 1 of parts) of every row, flat
        adjacent = np.maximum(parts.counts - 1, 0)
        cells = longer.counts * adjacent
        row = np.repeat(np.arange(len(cells)), cells)
        within = np.arange(int(cells.sum())) - np.repeat(np.cumsum(cells) - cells, cells)
        per_token = np.repeat(adjacent, cells)
        i, j = within // np.maximum(per_token, 1), within % np.maximum(per_token, 1)
        length = longer.lengths[row, i]
        candidate = (
            (length >= 4)
            & (longer.kinds[row, i] == NAME)
            & (parts.kinds[row, j + 1] == NAME)
            & (longer.initials[row, i] == parts.initials[row, j])
            & (np.abs(parts.lengths[row, j] + parts.lengths[row, j + 1] - length) <= 2)
        )
        return np.bincount(row[candidate], minlength=len(cells)) > 0

    return joins(query, listed) | joins(listed, query)


def _with_joined(x: AlignInput) -> list[Pair] | None:
    """The greedy redone with joined/split token pairs, where the names have any."""
    query, query_kinds, query_weights, listed, listed_kinds, listed_weights, _ = x
    joined = _joined_items(query, query_kinds, listed, listed_kinds, flip=False)
    joined += _joined_items(listed, listed_kinds, query, query_kinds, flip=True)
    if not joined:
        return None
    items = _items(x)
    for qs, ls, similarity in joined:
        weight = sum(query_weights[i] for i in qs) + sum(listed_weights[j] for j in ls)
        items.append((similarity * weight, qs, ls, similarity, JOINED))
    return _greedy(items)


def align(
    query: tuple[str, ...],
    query_kinds: tuple[int, ...],
    query_weights: tuple[float, ...],
    listed: tuple[str, ...],
    listed_kinds: tuple[int, ...],
    listed_weights: tuple[float, ...],
    cut: int = -1,
) -> Alignment:
    """The alignment of one query against one listed name (see :func:`align_many`)."""
    x = (query, query_kinds, query_weights, listed, listed_kinds, listed_weights, cut)
    return align_many([x])[0]


def pair_similarity(query_token: str, listed_token: str, cut: bool) -> tuple[float, str]:
    """:func:`token_similarity`, or for a query word that may be cut short (``cut``) its
    :func:`prefix_similarity` where that is higher."""
    similarity, how = token_similarity(query_token, listed_token)
    if cut:
        prefix = prefix_similarity(query_token, listed_token)
        if prefix > similarity:
            return prefix, PREFIX
    return similarity, how


def _items(x: AlignInput) -> list[tuple[float, tuple[int, ...], tuple[int, ...], float, str]]:
    """Every token pair with a similarity, weighted, in query-token then listed-token order."""
    query, _, query_weights, listed, _, listed_weights, cut = x
    items = []
    for i, q in enumerate(query):
        wq = query_weights[i]
        for j, n in enumerate(listed):
            similarity, how = pair_similarity(q, n, i == cut)
            if similarity > 0.0:
                items.append((similarity * (wq + listed_weights[j]), (i,), (j,), similarity, how))
    return items


def _greedy_arrays(
    inputs: Sequence[AlignInput],
    rows: np.ndarray,
    result: Alignments,
    similarities: Similarities,
    query: _Side,
    listed: _Side,
) -> None:
    """:func:`_greedy` over single-token pairs for many rows at once, into ``result``
    (``query`` and ``listed``: those rows' sides)."""
    q_len, l_len = query.counts, listed.counts
    width_q, width_l = int(q_len.max()), int(l_len.max())
    cells = q_len * l_len
    # flat position of every real cell (row b, query token i, listed token j)
    row_of = np.repeat(np.arange(len(rows)), cells)
    within = np.arange(int(cells.sum())) - np.repeat(np.cumsum(cells) - cells, cells)
    l_rep = np.repeat(l_len, cells)
    i_of, j_of = within // l_rep, within % l_rep
    pairs = [(inputs[p][0], inputs[p][3]) for p in rows.tolist()]
    similarity = np.zeros((len(rows), width_q, width_l))
    similarity[row_of, i_of, j_of] = similarities(
        [q for query_tokens, listed_tokens in pairs for q in query_tokens for _ in listed_tokens],
        [n for query_tokens, listed_tokens in pairs for _ in query_tokens for n in listed_tokens],
    )
    # a query word that may be cut short: pair_similarity's prefix rule on its row
    for b, p in enumerate(rows.tolist()):
        cut = inputs[p][6]
        if cut >= 0:
            word, listed_tokens = inputs[p][0][cut], inputs[p][3]
            prefix = [prefix_similarity(word, n) for n in listed_tokens]
            row = similarity[b, cut, : len(listed_tokens)]
            similarity[b, cut, : len(listed_tokens)] = np.maximum(row, prefix)
    weight_q = query.weights[:, :width_q]
    weight_l = listed.weights[:, :width_l]
    weight = np.where(
        similarity > 0.0, similarity * (weight_q[:, :, None] + weight_l[:, None, :]), -np.inf
    )
    flat = weight.reshape(len(rows), -1)
    targets = rows
    everything = np.arange(len(rows))
    for k in range(min(width_q, width_l)):
        best = np.argmax(flat, axis=1)
        taken = np.isfinite(flat[everything, best])
        if not taken.any():
            break
        b, best = everything[taken], best[taken]
        i, j = best // width_l, best % width_l
        result.query_1[targets[b], k] = i
        result.listed_1[targets[b], k] = j
        result.similarity[targets[b], k] = similarity[b, i, j]
        weight[b, i, :] = -np.inf
        weight[b, :, j] = -np.inf


@dataclass(frozen=True, slots=True)
class _Side:
    """One side (query or listed name) of many alignment inputs as arrays, one row per input,
    padded after each name's last token (lengths and weights 0, initials 0, kinds -1)."""

    counts: np.ndarray  # tokens per name
    lengths: np.ndarray
    initials: np.ndarray  # code of each token's first letter
    kinds: np.ndarray
    weights: np.ndarray
    ranked: np.ndarray  # a ranked name of some population (frequency.rank() > 0)
    nats: np.ndarray  # frequency.rank_weight() of ranked names, else 0
    common: np.ndarray  # frequency.is_common()
    voiced: np.ndarray  # _real_name(): ranked or a patronymic, with a vowel (not "Md", "Hn")

    @classmethod
    def of(cls, inputs: Sequence[AlignInput], start: int) -> _Side:
        """The side whose tokens, kinds and weights are at ``start`` (0: query, 3: listed)."""
        names = [x[start] for x in inputs]
        counts = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
        tokens = [t for name in names for t in name]
        row_of = np.repeat(np.arange(len(names)), counts)
        column = np.arange(len(tokens)) - np.repeat(np.cumsum(counts) - counts, counts)
        shape = (len(names), int(counts.max(initial=0)))

        def padded(values: Any, fill: float) -> np.ndarray:
            table = np.full(shape, fill)
            table[row_of, column] = values
            return table

        first_letters = np.array(tokens, dtype="<U1").view(np.uint32) if tokens else []
        ranks = frequency.ranks(tokens)
        return cls(
            counts=counts,
            lengths=padded(np.fromiter(map(len, tokens), np.int64, len(tokens)), 0),
            initials=padded(first_letters, 0),
            kinds=padded([k for x in inputs for k in x[start + 1]], -1),
            weights=padded([w for x in inputs for w in x[start + 2]], 0.0),
            ranked=padded(ranks > 0, False).astype(bool),
            nats=padded(np.log(np.maximum(ranks, 1) / frequency.ZIPF_SHARE) * (ranks > 0), 0.0),
            common=padded((ranks > 0) & (ranks <= frequency.COMMON_RANK), False).astype(bool),
            voiced=padded(_real_names(tokens, ranks), False).astype(bool),
        )

    def take(self, rows: np.ndarray) -> _Side:
        return _Side(*(getattr(self, name)[rows] for name in self.__dataclass_fields__))


def _another_name(pair: Pair, query: tuple[str, ...], listed: tuple[str, ...]) -> bool:
    """A pair that stands for two different names: one token to one, worth no more than
    ``COMMON_PAIR_SIMILARITY`` (see :func:`token_similarity`) and ``ANOTHER_NAME_EDITS`` or
    more edits apart (Maryam / Mario; not Tatjana / Tatyana, one name romanised two ways)."""
    if pair.similarity > COMMON_PAIR_SIMILARITY or len(pair.query) > 1 or len(pair.listed) > 1:
        return False
    return OSA.distance(query[pair.query[0]], listed[pair.listed[0]]) >= ANOTHER_NAME_EDITS


def _real_name(token: str) -> bool:
    """A name some population has (:func:`frequency.rank`) or a patronymic, written with
    its vowels (a vowel-stripped "Yn" may be ranked, but it is a damaged word, not another
    name)."""
    return (frequency.rank(token) > 0 or token.endswith(PATRONYMIC_ENDINGS)) and _has_vowels(
        token
    )


def _real_names(tokens: Sequence[str], ranks: np.ndarray) -> np.ndarray:
    """:func:`_real_name` of each token, given its :func:`frequency.ranks` (the same tests,
    without a rank lookup per token)."""
    count = len(tokens)
    fathers = np.fromiter((t.endswith(PATRONYMIC_ENDINGS) for t in tokens), bool, count)
    return ((ranks > 0) | fathers) & np.fromiter(map(_has_vowels, tokens), bool, count)


def cut_tail(x: AlignInput, partner: int, paired: set[int]) -> float:
    """The weight of the listed words a field cut took off: where the query's last written
    word (``x[6]``) is paired with listed word ``partner`` and begins it, the listed words
    after ``partner`` that nothing in the query pairs were never in the field, so they are
    not missing from it (``paired``: the listed positions the alignment pairs)."""
    query, _, _, listed, _, listed_weights, cut = x
    if cut < 0 or partner < 0 or not begins(query[cut], listed[partner]):
        return 0.0
    return sum(
        capped_weight(listed[j], listed_weights[j])
        for j in range(partner + 1, len(listed))
        if j not in paired
    )


def alignment_score(pairs: list[Pair], x: AlignInput) -> tuple[float, bool, bool]:
    """The name score of one alignment (``pairs`` in greedy order), whether the names are
    identical and whether a pair is two different names (:func:`_another_name`);
    :func:`_score_alignments` computes the same for many at once.

    ``quality`` is the weighted mean similarity of the pairs; the shares of each name's
    weight left uncovered cost ``EXTRA_QUERY_COST`` / ``MISSING_LISTED_COST`` each and
    ``BOTH_MISSING_COST`` together; pairs out of order cost ``ORDER_PENALTY`` and only an
    identical name reaches 1.0.
    """
    query, query_kinds, query_weights, listed, listed_kinds, listed_weights, _ = x
    weights_q = [capped_weight(t, w) for t, w in zip(query, query_weights, strict=True)]
    weights_l = [capped_weight(t, w) for t, w in zip(listed, listed_weights, strict=True)]
    total_q, total_l = sum(weights_q), sum(weights_l)
    identical = query == listed
    if not pairs or total_q <= 0 or total_l <= 0:
        return 0.0, identical, False
    matched_q = matched_l = weighted = evidence = doubtful = people = 0.0
    anchored = False
    for pair in pairs:
        weight_q = sum(weights_q[i] for i in pair.query)
        weight_l = sum(weights_l[j] for j in pair.listed)
        matched_q += weight_q
        matched_l += weight_l
        weighted += pair.similarity * (weight_q + weight_l)
        evidence += pair.similarity * weight_l
        ranks = [frequency.rank(query[i]) for i in pair.query]
        if all(ranks):
            people += pair.similarity * sum(map(frequency.rank_weight, ranks))
        else:
            people += PEOPLE_EVIDENCE
        if _two_names(
            all(_real_name(query[i]) for i in pair.query),
            all(frequency.rank(listed[j]) > 0 for j in pair.listed),
            all(frequency.is_common(query[i]) for i in pair.query),
            all(frequency.is_common(listed[j]) for j in pair.listed),
        ):
            doubtful += (1.0 - pair.similarity) * (weight_q + weight_l)
        if (
            not anchored
            and pair.similarity >= ANCHOR_SIMILARITY
            and any(query_kinds[i] == NAME for i in pair.query)
            and any(listed_kinds[j] == NAME for j in pair.listed)
        ):
            anchored = True
    pair_weight = matched_q + matched_l
    quality = weighted / pair_weight if pair_weight > 0 else 0.0
    shortfall = doubtful / pair_weight if pair_weight > 0 else 0.0
    extra = max(0.0, 1.0 - matched_q / total_q)
    partner = next((p.listed[0] for p in pairs if p.query == (x[6],) and len(p.listed) == 1), -1)
    taken = {j for pair in pairs for j in pair.listed}
    cut = cut_tail(x, partner, taken)
    total_l -= cut
    missing = max(0.0, 1.0 - matched_l / total_l)
    paired = {i for pair in pairs for i in pair.query}
    ends = (0, len(query) - 1) if len(query) >= END_TOKENS else ()
    end_extra = sum(weights_q[i] for i in ends if i not in paired) / total_q
    first = sum(weights_l[j] for j in _ends_missing(len(listed), taken, cut > 0)) / total_l
    positions = [p.listed[0] for p in sorted(pairs, key=lambda p: p.query[0])]
    descents = sum(b < a for a, b in pairwise(positions))
    shuffled = float(descents > 1 or (descents == 1 and positions[-1] > positions[0]))
    # tokens held by a pair that is not two different names, and each side's other names
    held = [p for p in pairs if not _another_name(p, query, listed)]
    held_q = {i for p in held for i in p.query}
    held_l = {j for p in held for j in p.listed}
    other_q = sum(
        weights_q[i]
        for i, token in enumerate(query)
        if i not in held_q and query_kinds[i] == NAME and _real_name(token)
    )
    other_l = sum(
        weights_l[j] for j in range(len(listed)) if j not in held_l and listed_kinds[j] == NAME
    )
    other_l = max(0.0, other_l - cut)  # less what a field cut took
    substituted = min(other_q / total_q, other_l / total_l)
    parts = (quality, shortfall, extra, end_extra, missing, first, shuffled, evidence, people)
    score = float(_name_score(*parts, substituted))
    if not anchored:
        score *= NO_ANCHOR_FACTOR
    if positions != sorted(positions):
        score -= ORDER_PENALTY
    if not identical:
        score = min(score, 0.99)
    return max(0.0, min(1.0, score)), identical, len(held) < len(pairs)


def _ends_missing(count: int, taken: set[int], cut: bool) -> list[int]:
    """The listed positions that count as a missing end of a name of ``count`` tokens
    (``taken``: the paired ones): its first token (the given name, or an East Asian surname),
    and where the name is two tokens, the second too, unless a field cut took it (``cut``): a
    query that has only one of two names ("Liu Jun" read whole against 'HUO, Liujun') lacks
    a whole end of it. The array path of :func:`_score_alignments` computes the same."""
    ends = [0, 1] if count == 2 and not cut else [0] if count > 1 else []
    return [j for j in ends if j not in taken]


def _two_names(voiced_q: Any, ranked_l: Any, common_q: Any, common_l: Any) -> Any:
    """Whether a pair is of two names people bear: paired short of equal, they are two names,
    not one name misspelt. Both common (Mahmoud / Mohamed), or the query's a common name
    written with its vowels ("Md" is a stripped form, not a name) and the listed word a name
    ranked in some population (Mohammadi / Mahmoudi, Faisal / Faizullah). A query word that
    is not common may be a slip or another spelling of the listed name (Husin, Nadja, Deb),
    as :func:`token_similarity` has it. For one pair (bools) or many (arrays)."""
    return common_q & (common_l | (voiced_q & ranked_l))


def _name_score(
    quality: Any,
    shortfall: Any,
    extra: Any,
    end_extra: Any,
    missing: Any,
    first_missing: Any,
    shuffled: Any,
    evidence: Any,
    people: Any,
    substituted: Any,
) -> Any:
    """The name score from an alignment's parts, for one alignment (floats) or many (arrays):
    :func:`alignment_score` and :func:`_score_alignments` both end here.

    ``quality`` times the coverage: the shares of each name's weight left uncovered (query:
    ``extra``, listed: ``missing``) cost ``EXTRA_QUERY_COST`` / ``MISSING_LISTED_COST`` each
    and ``BOTH_MISSING_COST`` together. Where the pairs prove little (their listed weight,
    ``evidence``, below ``STRONG_EVIDENCE`` / ``POPULATION_EVIDENCE`` nats: common names),
    what is left uncovered costs up to twice as much, and a query token left unpaired at
    either end of the name (``end_extra``: its given name or surname, not a middle name)
    counts up to twice.

    Where the pairs prove little among people (``people``: see :data:`PEOPLE_EVIDENCE`), the
    listed name's first token left unpaired, or either token of a two-token name
    (``first_missing``: its share of the listed weight, :func:`_ends_missing`) costs more,
    every missing listed token more again below :data:`FEW_PEOPLE_EVIDENCE`, pairs in no rotation of the listed order (``shuffled``, 0 or
    1) cost :data:`SHUFFLED_COST`, and the shortfall of pairs of two different common names
    (``shortfall``: its share of the pairs' weight) is taken off the quality again. These
    people costs leave at least :data:`PEOPLE_FLOOR` of the coverage without them.

    Whatever the evidence, another real name in place of a listed one (``substituted``: the
    smaller of the two sides' shares, see :data:`SUBSTITUTED_COST`) costs coverage.
    """
    weak = np.maximum(0.0, 1.0 - evidence / STRONG_EVIDENCE)
    common = np.maximum(0.0, 1.0 - evidence / POPULATION_EVIDENCE)
    crowd = np.maximum(0.0, 1.0 - people / PEOPLE_EVIDENCE)
    few = np.maximum(0.0, 1.0 - people / FEW_PEOPLE_EVIDENCE)
    extra_cost = EXTRA_QUERY_COST * (1.0 + common) * np.minimum(1.0, extra + common * end_extra)
    plain = (
        1.0
        - extra_cost
        - MISSING_LISTED_COST * (1.0 + weak) * missing
        - BOTH_MISSING_COST * extra * missing
        - SUBSTITUTED_COST * substituted
    )
    people_cost = (
        MISSING_LISTED_COST * FEW_PEOPLE_MISSING * few * missing
        + FIRST_MISSING_COST * crowd * first_missing
        + SHUFFLED_COST * crowd * shuffled
    )
    coverage = np.maximum(plain - people_cost, PEOPLE_FLOOR * plain)
    quality = np.maximum(0.0, quality - COMMON_PAIR_DOUBT * crowd * shortfall)
    return quality * np.maximum(0.0, coverage)


def _cut_tails(result: Alignments, query: _Side, listed: _Side) -> np.ndarray:
    """:func:`cut_tail` of every alignment in ``result`` (rows where the query's last
    written word is paired alone with a longer listed word; the rest have none)."""
    tails = np.zeros(len(result.inputs))
    cuts = np.fromiter((x[6] for x in result.inputs), np.int64, len(result.inputs))
    alone = (result.query_1 == cuts[:, None]) & (result.query_2 < 0) & (result.listed_2 < 0)
    rows = np.flatnonzero(alone.any(axis=1) & (cuts >= 0))
    partner = result.listed_1[rows, np.argmax(alone[rows], axis=1)]
    longer = listed.lengths[rows, partner] > query.lengths[rows, cuts[rows]]
    for row, j in zip(rows[longer].tolist(), partner[longer].tolist(), strict=True):
        paired = {*result.listed_1[row].tolist(), *result.listed_2[row].tolist()}
        tails[row] = cut_tail(result.inputs[row], j, paired)
    return tails


def _score_alignments(result: Alignments, query: _Side, listed: _Side) -> None:
    """:func:`alignment_score` of every alignment in ``result``, in arrays (sums run in the
    greedy's order, as there, so the numbers are the same)."""
    inputs = result.inputs
    count = len(inputs)
    # capped_weight() of every token
    weights_q = np.minimum(query.weights, SHORT_TOKEN_WEIGHT * query.lengths + 1.0)
    weights_l = np.minimum(listed.weights, SHORT_TOKEN_WEIGHT * listed.lengths + 1.0)
    kinds_q, kinds_l = query.kinds, listed.kinds
    width_q, width_l = weights_q.shape[1], weights_l.shape[1]
    total_q, total_l = np.zeros(count), np.zeros(count)
    for i in range(width_q):
        total_q += weights_q[:, i]
    for j in range(width_l):
        total_l += weights_l[:, j]
    rows = np.arange(count)

    def gather(table: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        value = np.where(first >= 0, table[rows, np.maximum(first, 0)], 0.0)
        return value + np.where(second >= 0, table[rows, np.maximum(second, 0)], 0.0)

    def any_name(kinds: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        one = (first >= 0) & (kinds[rows, np.maximum(first, 0)] == NAME)
        return one | ((second >= 0) & (kinds[rows, np.maximum(second, 0)] == NAME))

    def all_of(flags: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        one = flags[rows, np.maximum(first, 0)]
        return one & ((second < 0) | flags[rows, np.maximum(second, 0)])

    matched_q, matched_l = np.zeros(count), np.zeros(count)
    weighted, evidence = np.zeros(count), np.zeros(count)
    people, doubtful = np.zeros(count), np.zeros(count)
    anchored = np.zeros(count, dtype=bool)
    order = np.full((count, width_q), -1)
    used = np.zeros((count, width_q), dtype=bool)
    first_used = np.zeros(count, dtype=bool)  # the listed name's first token is paired
    # tokens held by a pair that is not two different names (_another_name)
    held_q = np.zeros((count, width_q), dtype=bool)
    held_l = np.zeros((count, width_l), dtype=bool)
    second_used = np.zeros(count, dtype=bool)  # and its second
    for k in range(result.query_1.shape[1]):
        q1, q2 = result.query_1[:, k], result.query_2[:, k]
        l1, l2 = result.listed_1[:, k], result.listed_2[:, k]
        similarity = result.similarity[:, k]
        weight_q, weight_l = gather(weights_q, q1, q2), gather(weights_l, l1, l2)
        matched_q += weight_q
        matched_l += weight_l
        weighted += similarity * (weight_q + weight_l)
        evidence += similarity * weight_l
        ranked = all_of(query.ranked, q1, q2)
        proved = np.where(ranked, similarity * gather(query.nats, q1, q2), PEOPLE_EVIDENCE)
        people += np.where(q1 >= 0, proved, 0.0)
        names = _two_names(
            all_of(query.voiced, q1, q2),
            all_of(listed.ranked, l1, l2),
            all_of(query.common, q1, q2),
            all_of(listed.common, l1, l2),
        )
        doubtful += np.where(names, (1.0 - similarity) * (weight_q + weight_l), 0.0)
        anchored |= (
            (similarity >= ANCHOR_SIMILARITY)
            & any_name(kinds_q, q1, q2)
            & any_name(kinds_l, l1, l2)
        )
        paired = q1 >= 0
        order[rows[paired], q1[paired]] = l1[paired]
        used[rows[paired], q1[paired]] = True
        joined = q2 >= 0
        used[rows[joined], q2[joined]] = True
        first_used |= (l1 == 0) | (l2 == 0)
        held = q1 >= 0
        for row in np.flatnonzero(held & (similarity <= COMMON_PAIR_SIMILARITY)).tolist():
            pair = Pair((int(q1[row]),), (int(l1[row]),), float(similarity[row]), FUZZY)
            held[row] = not _another_name(pair, inputs[row][0], inputs[row][3])
            result.another[row] |= not held[row]
        for side, first_token, second_token in ((held_q, q1, q2), (held_l, l1, l2)):
            side[rows[held], first_token[held]] = True
            two = held & (second_token >= 0)
            side[rows[two], second_token[two]] = True
        second_used |= (l1 == 1) | (l2 == 1)
    pair_weight = matched_q + matched_l
    quality = np.where(pair_weight > 0, weighted / np.where(pair_weight > 0, pair_weight, 1), 0)
    tails = _cut_tails(result, query, listed)
    total_l -= tails
    shortfall = np.where(pair_weight > 0, doubtful / np.where(pair_weight > 0, pair_weight, 1), 0)
    safe_q, safe_l = np.where(total_q > 0, total_q, 1), np.where(total_l > 0, total_l, 1)
    extra = np.maximum(0.0, 1.0 - matched_q / safe_q)
    missing = np.maximum(0.0, 1.0 - matched_l / safe_l)
    # query tokens at either end (given name, surname) left unpaired
    last = np.maximum(query.counts - 1, 0)
    ends = query.counts >= END_TOKENS
    end_extra = np.where(ends & ~used[rows, 0], weights_q[rows, 0], 0.0)
    end_extra = end_extra + np.where(ends & ~used[rows, last], weights_q[rows, last], 0.0)
    first = np.where(~first_used & (listed.counts > 1), weights_l[:, 0] / safe_l, 0.0)
    second = (listed.counts == 2) & ~second_used & (tails <= 0)  # see _ends_missing
    first = first + np.where(second, weights_l[:, 1 % weights_l.shape[1]] / safe_l, 0.0)
    # the listed positions in query order: descents, and the first and last of them
    descents, start, previous = np.zeros(count), np.full(count, -1), np.full(count, -1)
    for i in range(width_q):
        at, paired = order[:, i], order[:, i] >= 0
        descents += paired & (previous >= 0) & (at < previous)
        start = np.where(paired & (start < 0), at, start)
        previous = np.where(paired, at, previous)
    shuffled = ((descents > 1) | ((descents == 1) & (previous > start))).astype(np.float64)
    parts = (quality, shortfall, extra, end_extra / safe_q, missing, first)
    parts += (shuffled, evidence, people)
    other_q = np.zeros(count)
    for i in range(width_q):
        real = ~held_q[:, i] & (kinds_q[:, i] == NAME) & query.voiced[:, i]
        other_q += np.where(real, weights_q[:, i], 0.0)
    other_l = np.zeros(count)
    for j in range(width_l):
        other_l += np.where(~held_l[:, j] & (kinds_l[:, j] == NAME), weights_l[:, j], 0.0)
    other_l = np.maximum(0.0, other_l - tails)  # less what a field cut took
    substituted = np.minimum(other_q / safe_q, other_l / safe_l)
    parts += (substituted,)
    score = _name_score(*parts)
    score = np.where(anchored, score, score * NO_ANCHOR_FACTOR)
    score = np.where((result.query_1[:, 0] >= 0) & (total_q > 0) & (total_l > 0), score, 0.0)
    # pairs out of order: a listed position below one taken by an earlier query token
    before = np.maximum.accumulate(order, axis=1)
    unordered = ((order[:, 1:] >= 0) & (order[:, 1:] < before[:, :-1])).any(axis=1)
    score = np.where(unordered, score - ORDER_PENALTY, score)
    result.identical[:] = [x[0] == x[3] for x in inputs]
    score = np.where(result.identical, score, np.minimum(score, 0.99))
    result.scores[:] = np.clip(score, 0.0, 1.0)


# ----------------------------------------------------------------------------------------------
# secondary evidence

#: Score changes from evidence (documented in FEATURE_DOCS).
DOB_EXACT = 0.06
DOB_YEAR = 0.04
#: A date one slip from the listed one (a year off, day and month swapped, one digit off, a
#: few days off): list dates are often approximate, so it costs little. Against a listed
#: year alone, only a year off is near: one digit off anywhere in a year (1956 for 1986) is
#: a window of a dozen years that a fifth of all adults fall in, with no day or month to
#: show that the rest of the date agrees.
DOB_NEAR = -0.02
NEAR_DAYS = 3
#: The same year but another day: the date is not the listed one.
DOB_SAME_YEAR = -0.05
DOB_CONTRADICTS = -0.15
COUNTRY_MATCH = 0.03
COUNTRY_CONTRADICTS = -0.05
ID_MATCH_WEAK = 0.1
ID_DIFFERS = -0.03
#: A strong identifier (passport, IMO, crypto address...) equal on both sides puts the score
#: at least this high, whatever the name.
STRONG_ID_FLOOR = 0.95
SCHEMA_MISMATCH = -0.25


@dataclass(frozen=True, slots=True)
class Evidence:
    """One secondary-evidence feature and its effect on the score."""

    feature: str
    delta: float
    detail: str


def _date_parts(value: str) -> tuple[int, ...]:
    """(year,), (year, month) or (year, month, day) of an ISO date, as precise as it is
    written correctly (a day or month that does not exist is dropped); () if no year."""
    parts = value.split("-")
    if not (len(parts[0]) == 4 and parts[0].isdigit()):
        return ()
    year = int(parts[0])
    if len(parts) < 2 or not parts[1].isdigit() or not 1 <= int(parts[1]) <= 12:
        return (year,)
    month = int(parts[1])
    if len(parts) < 3 or not parts[2].isdigit():
        return (year, month)
    try:
        date(year, month, int(parts[2]))
    except ValueError:
        return (year, month)  # 1970-02-30: known to the month
    return (year, month, int(parts[2]))


def _one_slip(first: tuple[int, ...], second: tuple[int, ...]) -> bool:
    """Dates of equal precision one typing slip apart: one digit off, or day and month
    swapped."""
    if len(first) != len(second):
        return False
    digits = ["".join(f"{p:02d}" for p in parts) for parts in (first, second)]
    if sum(a != b for a, b in zip(*digits, strict=True)) == 1:
        return True
    return len(first) == 3 and first[0] == second[0] and first[1:] == second[:0:-1]


def _date_delta(query: tuple[int, ...], listed: tuple[int, ...]) -> tuple[float, str]:
    """Evidence of one query date against one listed date, compared at the precision both
    have (a slip is near only where a month or day agrees around it: :data:`DOB_NEAR`)."""
    common = min(len(query), len(listed))
    q, n = query[:common], listed[:common]
    if q == n:
        return (DOB_EXACT, "=") if common == 3 else (DOB_YEAR, f"same {_PRECISION[common]} as")
    if common > 1 and _one_slip(q, n):
        return DOB_NEAR, "one slip from"
    if common == 3:
        days = abs((date(*q) - date(*n)).days)  # type: ignore[misc]
        if days <= NEAR_DAYS:
            return DOB_NEAR, f"{days} days from"
    if abs(q[0] - n[0]) == 1 and q[1:] == n[1:]:
        return DOB_NEAR, "one year from"
    if q[0] == n[0]:
        return DOB_SAME_YEAR, "same year as"
    return DOB_CONTRADICTS, "differs from"


_PRECISION = {1: "year", 2: "month", 3: "day"}


def birth_date_evidence(
    query: str | Sequence[str], listed: tuple[tuple[str, str | None], ...]
) -> Evidence | None:
    """Graded evidence of the query's birth date (or the best of its candidate dates, e.g.
    both readings of 03/04/1970) against the listed ones (dates or year ranges): the same
    date raises the score, a date one slip away costs little, another date lowers it."""
    dates = (query,) if isinstance(query, str) else tuple(query)
    best: Evidence | None = None
    for value in dates:
        parts = _date_parts(value)
        if not parts:
            continue
        for start, end in listed:
            first = _date_parts(start)
            if not first:
                continue
            last = _date_parts(end) if end else ()
            if last and first[0] <= parts[0] <= last[0]:
                delta, how = DOB_YEAR, f"within {start}..{end}"
            else:
                delta, how = max(
                    (_date_delta(parts, bound) for bound in (first, last) if bound),
                    key=lambda found: found[0],
                )
                how = f"{how} {start}" if how != "=" else f"= {start}"
            if best is None or delta > best.delta:
                best = Evidence("birth_date", delta, f"{value} {how}")
    return best


def country_evidence(query: str, listed: frozenset[str]) -> Evidence | None:
    if not listed:
        return None
    if query in listed:
        return Evidence("country", COUNTRY_MATCH, f"{query} listed")
    return Evidence("country", COUNTRY_CONTRADICTS, f"{query} not in {', '.join(sorted(listed))}")


def normalize_identifier(value: str) -> str:
    """Identifier numbers compare without spaces, dashes, dots and case."""
    return "".join(c for c in value.upper() if c.isalnum())


#: Labels users write before a number ("IMO 7406784", "Passport No. X123"); lists do not.
IDENTIFIER_LABELS = ("PASSPORTNO", "PASSPORT", "NATIONALID", "IMO", "MMSI", "CURP", "RFC", "NO")


def identifier_forms(value: str) -> tuple[str, ...]:
    """The normalised number, and the number without a leading label where it has one."""
    number = normalize_identifier(value)
    forms = [number] if number else []
    for label in IDENTIFIER_LABELS:
        rest = number[len(label) :]
        if number.startswith(label) and len(rest) >= 5 and any(c.isdigit() for c in rest):
            forms.append(rest)
            break
    return tuple(forms)


def identifier_evidence(
    query: tuple[str, ...], listed: tuple[tuple[str, str, bool], ...]
) -> tuple[Evidence | None, bool]:
    """Evidence from identifiers and whether a strong identifier matched exactly."""
    if not query or not listed:
        return None, False
    for number in query:
        for kind, listed_number, strong in listed:
            if number == listed_number:
                if strong:
                    return Evidence("identifier", 0.0, f"{kind} {listed_number} (strong)"), True
                return Evidence("identifier", ID_MATCH_WEAK, f"{kind} {listed_number}"), False
    if any(strong for _, _, strong in listed):
        return Evidence("identifier", ID_DIFFERS, "no listed identifier equals the query's"), False
    return None, False


#: Query schema -> listed schemata it is compatible with (FtM's hierarchy, loosely).
COMPATIBLE_SCHEMATA = {
    "Person": frozenset({"Person", "LegalEntity"}),
    "Organization": frozenset({"Organization", "Company", "LegalEntity"}),
    "Company": frozenset({"Organization", "Company", "LegalEntity"}),
    "LegalEntity": frozenset({"Person", "Organization", "Company", "LegalEntity"}),
    "Vessel": frozenset({"Vessel"}),
    "Airplane": frozenset({"Airplane"}),
}
#: Schema names users may give and what they mean.
SCHEMA_ALIASES = {
    "person": "Person",
    "individual": "Person",
    "organization": "Organization",
    "organisation": "Organization",
    "company": "Company",
    "legalentity": "LegalEntity",
    "entity": "LegalEntity",
    "vessel": "Vessel",
    "ship": "Vessel",
    "aircraft": "Airplane",
    "airplane": "Airplane",
}


def canonical_schema(value: str | None) -> str | None:
    """The FtM schema for a user's schema name; ``None`` for empty; ValueError if unknown."""
    if value is None or not str(value).strip():
        return None
    key = str(value).strip().replace(" ", "").replace("_", "").casefold()
    if key not in SCHEMA_ALIASES:
        raise ValueError(
            f"unknown schema {value!r} (use Person, Organization, Company, LegalEntity, "
            "Vessel or Aircraft)"
        )
    return SCHEMA_ALIASES[key]


def schema_evidence(query: str | None, listed: str) -> Evidence | None:
    if query is None or listed in COMPATIBLE_SCHEMATA.get(query, frozenset({query})):
        return None
    return Evidence("schema", SCHEMA_MISMATCH, f"query is a {query}, listed is a {listed}")
