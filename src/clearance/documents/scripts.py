"""Mentions of listed names in running text written in other scripts (Cyrillic, Arabic, Han,
Japanese kana, Hangul, Greek, Hebrew, ...), with offsets into the original text.

The lists write names in Latin letters; a Russian, Arabic or Chinese article writes them in its
own script, declined, with prefixes and particles attached, and (Chinese, Japanese) without
spaces between words. The finder here cuts such text into candidate words, renders each
candidate span with :func:`~clearance.matching.transliterate.latin_renderings` (the renderings
the screener itself uses for names in other scripts) and looks each rendering up, whole, in the
same :class:`~clearance.documents.mentions.MentionIndex` the Latin finder walks. Every rule is
one of the script's grammar, never a name:

* words are the script's runs of letters; a Han run has no spaces, so every window of
  ``HAN_WINDOW`` signs is a candidate, longest first at each position, read as a Chinese
  name is: the surname first (one sign, or two for the compound surnames), then the given
  name, in pinyin and Wade-Giles, sign by sign. A window is tried only where its first sign
  reads as a listed person's surname, and must spell a whole listed name in that order
  with exact tokens: its bounds are a guess, and two-sign windows (a one-sign given name)
  would pair ordinary words with the many short listed names, so they are not tried;
* kana runs are split from Han runs, a katakana name's parts are joined across the middle
  dot (ウラジーミル・プーチン), hiragana are particles;
* a word is also tried without what the grammar attaches to it: Arabic proclitics (و "and",
  ف, ب "with", ل "to", ك "like", the article ال) at the front, Korean postpositions
  (은/는/이/가/을/를/의/에/...) at the end, Russian case endings (Путина, Путину, Путиным);
  the offsets leave attached prefixes and particles out of the mention, while a declined
  word is the mention whole ("Владимира Путина");
* a name does not run across punctuation (commas, full stops, the Arabic and ideographic
  ones), spans at most ``MAX_SPAN_WORDS`` words and none that no rendering of which has a
  token of a listed name (or one close to it);
* these scripts have no capital letters, so the checks that stand for them are stricter:
  no acronyms, no one-word craft, a one-word name only of ``MIN_SINGLE_LENGTH`` letters or
  more (``MIN_FUZZY_SINGLE`` when the rendering only lacks vowels the listed name writes, as
  an abjad leaves them out: Hzballah for Hizballah; a one-word person name stays weak: it
  only confirms a mention made in full), a Han window only as a whole listed name with
  exact tokens (its bounds are a guess); a rendering may be in either name order
  (the lists put the surname first after a comma, Chinese and Korean put it first always).

The candidate is scored as a Latin name is: the matched rendering against the listed name with
:func:`~clearance.matching.compare`, at the finder's threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from clearance.matching.normalize import LEGAL, PARTICLES, normalize_name
from clearance.matching.transliterate import (
    _COMPOUND_SURNAMES,
    SUPPORTED_SCRIPTS,
    korean_syllables_apart,
    latin_renderings,
    script_of,
)

if TYPE_CHECKING:
    from clearance.documents.mentions import MentionIndex, _Entry

T = TypeVar("T")

#: Candidate words of one span at most (given names, patronymic, surname, a compound).
MAX_SPAN_WORDS = 4
#: Han windows tried at each position, longest first.
HAN_WINDOW = (4, 3)
#: A one-word organisation name in a caseless script: exact, and at least this long.
MIN_SINGLE_LENGTH = 5
#: ... and with one letter off (an abjad leaves vowels out) at least this long.
MIN_FUZZY_SINGLE = 8

#: What may separate two words of one name: white space, the katakana middle dot, the
#: middle dot and the hyphen.
_JOINERS = re.compile(r"[\s\u30fb\u00b7\u2027\-\u2010]*")
#: Combining marks (Latin, Hebrew points, Arabic vowels, Devanagari vowel signs) and the
#: katakana length mark: part of the word they stand in.
_MARKS = "\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670\u0900-\u0963\u0966-\u097f\u30fc"
#: Letters of the scripts after Latin (Greek and Cyrillic to Hangul, CJK, kana, the Arabic
#: and Hebrew presentation forms, half-width kana).
_OTHER = "\u0370-\u1dff\u2e80-\ud7ff\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufeff\uff66-\uffdc"
#: A word that starts with a letter (or punctuation sign) of another script: Latin text is
#: skipped at C speed.
_WORD = re.compile(f"[{_OTHER}](?:[^\\W\\d_]|[{_MARKS}])*")

#: Arabic proclitics: conjunctions (و, ف), prepositions (ب, ل, ك) and the article (ال, لل
#: after ل), in the order they attach.
_ARABIC_PREFIXES = re.compile(r"^(?:[وف])?(?:[بلك])?(?:ال|(?<=ل)ل)?")
#: Korean postpositions (particles) written on the word before them, longest first.
_KOREAN_PARTICLES = tuple(sorted([
    "은", "는", "이", "가", "을", "를", "의", "에", "와", "과", "도", "로", "으로", "에서", "에게",
    "께서", "에게서", "으로서", "으로써", "과의", "와의", "에서의", "이나", "이며", "이고", "이다",
    "이라는", "라는", "측은", "측이", "측의", "만", "까지", "부터", "처럼", "보다",
], key=len, reverse=True))  # fmt: skip
#: Russian (and Ukrainian, Bulgarian) case endings of names and nouns, longest first.
_CYRILLIC_ENDINGS = tuple(sorted([
    "а", "у", "ом", "е", "ым", "ой", "ою", "ы", "ю", "я", "ем", "ей", "ого", "ому", "им", "ых",
    "их", "ами", "ями", "ов", "ев", "ую",
], key=len, reverse=True))  # fmt: skip
_MIN_STEM = 3


@lru_cache(maxsize=65536)
def in_other_script(word: str) -> bool:
    """Whether a text token has letters of a script :mod:`.scripts` reads (Latin words and
    mixed-script look-alike evasions stay with the Latin finder)."""
    scripts = {script_of(c) for c in word} - {"", "latin", "other"}
    return (
        bool(scripts)
        and scripts <= SUPPORTED_SCRIPTS
        and not any(script_of(c) == "latin" for c in word)
    )


@dataclass(frozen=True, slots=True)
class Piece:
    """One reading of a candidate word: its letters and where they stand in the text."""

    text: str
    start: int
    end: int


#: A candidate word: its readings, as written first.
Slot = tuple[Piece, ...]


def _segments(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(script, start, end) runs of one script in ``text[start:end]`` (kana with its length
    mark, Han, Hangul, ...), Latin and digits left out."""
    run_script, run_start = "", start
    for position in range(start, end):
        char = text[position]
        script = script_of(char) if char != "\u30fc" else "katakana"
        if script in ("", "other") and run_script and not char.isdigit():
            script = run_script  # combining marks and the like stay with their letters
        if script != run_script:
            if run_script and run_script != "latin":
                yield run_script, run_start, position
            run_script, run_start = script, position
    if run_script and run_script != "latin":
        yield run_script, run_start, end


def _stripped(word: str, start: int, end: int, script: str) -> Slot:
    """The word as written, then without what the grammar attaches to it."""
    pieces = [Piece(word, start, end)]
    if script == "arabic":
        prefix = _ARABIC_PREFIXES.match(word)
        length = len(prefix.group()) if prefix else 0
        for cut in sorted({length, 1 if word[:1] in "وف" else 0} - {0}, reverse=True):
            if len(word) - cut >= 2:
                pieces.append(Piece(word[cut:], start + cut, end))
    elif script == "hangul":
        for particle in _KOREAN_PARTICLES:
            if word.endswith(particle) and len(word) - len(particle) >= 1:
                pieces.append(Piece(word[: -len(particle)], start, end - len(particle)))
                break
    elif script == "cyrillic":
        lower = word.lower()
        for ending in _CYRILLIC_ENDINGS:
            if lower.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
                pieces.append(Piece(word[: -len(ending)], start, end))
                if len(pieces) == 3:
                    break
    return tuple(pieces)


def script_groups(text: str) -> list[list[Slot]]:
    """Runs of candidate words in other scripts: each run a list of adjacent words (only white
    space or a middle dot between them), each Han window a run of its own."""
    groups: list[list[Slot]] = []
    current: list[Slot] = []
    last_end = -1
    for match in _WORD.finditer(text):
        word_start = match.start()
        if not text[word_start].isalpha():  # a sign of those scripts' punctuation
            word_start += 1
        elif word_start and text[word_start - 1].isalpha():
            continue  # inside a word that starts in Latin: the Latin finder reads it
        if word_start == match.end():
            continue
        for script, start, end in _segments(text, word_start, match.end()):
            if script not in SUPPORTED_SCRIPTS or script == "thai":
                continue
            if script == "hiragana":  # particles and inflections: they end a name
                if current:
                    groups.append(current)
                current, last_end = [], -1
                continue
            adjacent = last_end >= 0 and _JOINERS.fullmatch(text, last_end, start) is not None
            if current and not adjacent:
                groups.append(current)
                current = []
            if script == "han":
                if current:
                    groups.append(current)
                    current = []
                groups.extend(
                    [(Piece(text[s : s + size], s, s + size),)]
                    for s in range(start, end - 1)
                    for size in HAN_WINDOW
                    if s + size <= end
                )
                last_end = -1
                continue
            current.append(_stripped(text[start:end], start, end, script))
            last_end = end
    if current:
        groups.append(current)
    return groups


def _readings(slots: Sequence[Slot]) -> Iterator[tuple[str, int, int]]:
    """(text to render, start, end) of a span of words: the first word's readings with the
    others as written, then the last word's (endings and particles), then every word
    stripped (a declined given name and surname)."""
    first, last = slots[0], slots[-1]
    middle = [slot[0].text for slot in slots[1:-1]]
    seen: set[str] = set()
    options: list[tuple[list[str], int, int]] = []
    if len(slots) == 1:
        options = [([piece.text], piece.start, piece.end) for piece in first]
    else:
        for a in first:
            for b in last:
                options.append(([a.text, *middle, b.text], a.start, b.end))
        if any(len(slot) > 1 for slot in slots[1:-1]):
            options.append(([slot[-1].text for slot in slots], first[-1].start, last[-1].end))
    for words, start, end in options:
        joined = " ".join(words)
        if joined not in seen:
            seen.add(joined)
            yield joined, start, end


@lru_cache(maxsize=65536)
def _rendered_tokens(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(rendering, its name tokens without legal forms) of a candidate span, one rendering
    per distinct token sequence."""
    out: dict[tuple[str, ...], str] = {}
    for rendering in (*latin_renderings(text), *korean_syllables_apart(text)):
        normalized = normalize_name(rendering)
        tokens = tuple(
            t for t, k in zip(normalized.tokens, normalized.kinds, strict=True) if k != LEGAL
        )
        if tokens:
            out.setdefault(tokens, rendering)
    return tuple((rendering, tokens) for tokens, rendering in out.items())


def _orders(tokens: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """The rendering's word order, the surname moved to the end, and the reverse."""
    yield tokens
    if len(tokens) > 1:
        yield (*tokens[1:], tokens[0])
        yield (tokens[-1], *tokens[:-1])
        if len(tokens) > 2:
            yield tokens[::-1]


def whole_sequence(
    index: MentionIndex, tokens: Sequence[str], exact: bool = False
) -> tuple[list[_Entry], int, tuple[str, ...]] | None:
    """The entries of a listed sequence that ``tokens`` spell out entirely (particles inside
    it may be left out), the number of fuzzy tokens (at most one) and the listed sequence;
    None when none does. ``exact``: no fuzzy tokens, no particles left out."""
    sequences = index.sequences
    last = len(tokens) - 1
    states: list[tuple[tuple[str, ...], int]] = [((), 0)]
    for position, token in enumerate(tokens):
        following: list[tuple[tuple[str, ...], int]] = []
        for prefix, spent in states:
            options = ((token, False),) if exact else index.candidates(token)
            for listed, is_fuzzy in options:
                cost = spent + is_fuzzy
                if cost > 1:
                    continue
                sequence = (*prefix, listed)
                if sequence in sequences:
                    following.append((sequence, cost))
            if not exact and prefix and position < last and token in PARTICLES:
                following.append((prefix, spent))
        states = following
        if not states:
            return None
    done = [(sequences[s], spent, s) for s, spent in states if sequences[s]]
    if not done:
        return None
    return min(done, key=lambda found: found[1])


@dataclass(frozen=True, slots=True)
class ScriptCandidate:
    """A span in another script whose rendering spells a listed sequence."""

    start: int
    end: int
    rendering: str
    entries: list[_Entry]
    fuzzy: int
    sequence: tuple[str, ...]
    #: a window of a Han run: its bounds are a guess, not the text's
    windowed: bool = False


def script_mentions(
    text: str,
    index: MentionIndex,
    resolve: Callable[[ScriptCandidate], list[T]],
    score: Callable[[list[T]], float],
) -> list[T]:
    """What ``resolve`` (the caller's checks and scoring) makes of candidate spans in other
    scripts, in text order: at each word the longest span it takes anything from; the words
    that span covers are not tried again."""
    found: list[T] = []
    covered_until = -1
    for group in script_groups(text):
        position = 0
        while position < len(group):
            if group[position][0].start < covered_until:
                position += 1
                continue
            taken = 0
            for size in range(min(MAX_SPAN_WORDS, len(group) - position), 0, -1):
                candidate, resolved = _best(
                    index, group[position : position + size], resolve, score
                )
                if candidate is not None:
                    found.extend(resolved)
                    covered_until = candidate.end
                    taken = size
                    break
            position += max(taken, 1)
    return found


def _best(
    index: MentionIndex,
    slots: Sequence[Slot],
    resolve: Callable[[ScriptCandidate], list[T]],
    score: Callable[[list[T]], float],
) -> tuple[ScriptCandidate | None, list[T]]:
    """The reading of the span (as written, prefixes or endings left out) whose first
    rendering that resolves scores best; the earlier reading on a tie."""
    best: tuple[ScriptCandidate | None, list[T]] = (None, [])
    if len(slots) == 1 and script_of(slots[0][0].text[0]) == "han":
        piece = slots[0][0]
        return _han_window(index, piece, resolve)
    known = index.__dict__.setdefault("_script_words", {})
    if not all(any(_known(index, piece.text, known) for piece in slot) for slot in slots):
        return best  # a word no listed name has a token of: no span through it
    for reading, start, end in _readings(slots):
        candidate, resolved = _first_resolved(index, reading, start, end, resolve)
        if resolved and (not best[1] or score(resolved) > score(best[1])):
            best = (candidate, resolved)
    return best


def vowels_left_out(rendering: str, listed: str) -> bool:
    """Whether ``listed`` is the rendering's letters with vowels added (an abjad writes no
    short vowels): "hzb allah" for hizballah, not "nasarallah" for ansarallah."""
    letters = iter(listed)
    for char in rendering.lower():
        if not char.isalpha():
            continue
        for other in letters:
            if other == char:
                break
            if other not in "aeiouy":
                return False
        else:
            return False
    return all(other in "aeiouy" for other in letters)


def _known(index: MentionIndex, word: str, known: dict[str, bool]) -> bool:
    """Whether some rendering of ``word`` alone has a token the listed names have (or one
    close to it)."""
    found = known.get(word)
    if found is None:
        found = any(
            index.candidates(token) for _, tokens in _rendered_tokens(word) for token in tokens
        )
        known[word] = found
    return found


def _first_resolved(
    index: MentionIndex,
    reading: str,
    start: int,
    end: int,
    resolve: Callable[[ScriptCandidate], list[T]],
) -> tuple[ScriptCandidate | None, list[T]]:
    """The first rendering of ``reading``, in any name order, that ``resolve`` takes."""
    for rendering, tokens in _rendered_tokens(reading):
        for order in _orders(tokens):
            match = whole_sequence(index, order)
            if match is None:
                continue
            candidate = ScriptCandidate(start, end, rendering, *match)
            resolved = resolve(candidate)
            if resolved:
                return candidate, resolved
    return None, []


def _han_window(
    index: MentionIndex, piece: Piece, resolve: Callable[[ScriptCandidate], list[T]]
) -> tuple[ScriptCandidate | None, list[T]]:
    """A window of a Han run read as a Chinese name, surname first (see the module notes)."""
    window = piece.text
    split = 2 if window[:2] in _COMPOUND_SURNAMES else 1
    readings = [_sign_readings(sign) for sign in window]
    surnames = index.surnames()
    for style in (0, 1):
        syllables = [reading[style] for reading in readings]
        surname, given = "".join(syllables[:split]), syllables[split:]
        if surname not in surnames or not all(given):
            continue
        for tokens in ((surname, "".join(given)), (surname, *given)):
            match = whole_sequence(index, tokens, exact=True)
            if match is None:
                continue
            rendering = " ".join(tokens)
            candidate = ScriptCandidate(piece.start, piece.end, rendering, *match, True)
            resolved = resolve(candidate)
            if resolved:
                return candidate, resolved
    return None, []


@lru_cache(maxsize=32768)
def _sign_readings(sign: str) -> tuple[str, str]:
    """(pinyin, Wade-Giles) of one Han sign, without tones ("" when it has none)."""
    from pypinyin import Style, lazy_pinyin

    def read(style: Style) -> str:
        found = lazy_pinyin(sign, style=style, errors=lambda text: [""])
        return "".join(found).replace("v", "u").replace("'", "").replace("-", "").lower()

    return read(Style.NORMAL), read(Style.WADEGILES)
