"""Find mentions of listed names in running text, fast, and resolve them to entities.

Screening a document is not screening a name: most of the text is not a name, so the finder
never scores arbitrary spans. It builds a dictionary (:class:`MentionIndex`) of every listed
name's normalised token sequences — as listed, without particles, with Spanish given name + first
surname, and with the generic word orders of organisation names ("Cartel de Sinaloa" ->
"Sinaloa Cartel") — and slides over the text's token stream looking for whole sequences. Only
those candidate spans are scored, by the matcher's :func:`~clearance.matching.compare`.

Rules that keep the false alerts out, all generic (no per-name tables):

* whole tokens only ("crisis" never contains ISIS), so a one-word place ("in Sinaloa") cannot
  match a listed name of two or more tokens ("Cartel de Sinaloa");
* short acronyms (up to 4 letters, or hyphenated like MS-13) must be written in capitals;
  one-word names must be capitalised; person names need every name word capitalised
  (organisation names of two or more words match in any case, unless a token is fuzzy or
  the listed legal form is left out);
* a name never runs across punctuation that separates phrases (``, ; : ( ) "``), though
  it may run across line breaks (names split over message lines);
* one-word names of vessels and aircraft need a craft word just before ("the tanker DOLPHIN");
* weak aliases, one-word person names and two-letter acronyms only *confirm*: they are reported
  when the same entity is also mentioned by a strong name in the document.

Fuzzy tolerance: a text token can stand for a listed token one edit away or with the same
phonetic skeleton (the matcher's :func:`~clearance.matching.scoring.token_similarity` decides).

Words in other scripts are left to :mod:`.scripts` (renderings looked up in the same
dictionary); names written the way journalists write them (partial person names with a
nickname in one sentence, organisations under one head noun) are found by :mod:`.phrasing`.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from clearance.documents import phrasing as _phrasing
from clearance.documents import scripts as _scripts
from clearance.documents.phrasing import coordinated, derive_heads, head_of, sentence_starts
from clearance.documents.scripts import (
    MIN_FUZZY_SINGLE,
    MIN_SINGLE_LENGTH,
    ScriptCandidate,
    in_other_script,
    script_mentions,
    vowels_left_out,
    whole_sequence,
)
from clearance.matching import Screener, compare
from clearance.matching import normalize as _normalize
from clearance.matching.index import MATCHER_VERSION, NAME_KINDS
from clearance.matching.normalize import LEGAL, NAME, PARTICLES, normalize_name, skeleton
from clearance.matching.scoring import token_similarity
from clearance.model import Entity, NameKind

#: A text token: a run of letters/digits (with combining marks, invisible characters and
#: in-word apostrophes, which normalisation removes), e.g. "Qa'ida", "Generación", "13".
TOKEN_RE = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u00ad\u200b-\u200d\u2060])+"
    r"(?:['’ʼ](?:[^\W_]|[\u0300-\u036f])+)*"
)

#: Organisation head nouns that may stand first ("Cartel de X") or last ("X Cartel").
ORG_HEADS = frozenset(
    [
        "cartel",
        "cartels",
        "clan",
        "group",
        "gang",
        "organization",
        "organisation",
        "network",
        "front",
        "brigade",
        "brigades",
        "army",
        "movement",
        "party",
        "federation",
        "command",
        "family",
        "alliance",
        "syndicate",
        "mafia",
    ]
)

#: Words that introduce a vessel or aircraft name.
CRAFT_CONTEXT = frozenset(
    [
        "vessel",
        "vessels",
        "tanker",
        "tankers",
        "ship",
        "ships",
        "mv",
        "mt",
        "boat",
        "freighter",
        "carrier",
        "aircraft",
        "airplane",
        "plane",
        "jet",
        "cargo",
        "bulk",
    ]
)

#: Punctuation a name does not run across ("minister, and defense" is no name).
_BREAKS = re.compile(r"[,;:()\[\]\"“”]")
ARTICLES = frozenset({"the", "a", "an", "el", "la"})
CRAFT_SCHEMATA = frozenset({"Vessel", "Airplane"})
SKIPPED_NAME_KINDS = frozenset({NameKind.ORIGINAL_SCRIPT})
MIN_FUZZY_LENGTH = 5
FUZZY_TOKEN_SIMILARITY = 0.8
MAX_FUZZY_PER_SPAN = 1
DEFAULT_THRESHOLD = 0.8
#: How a listed name is indexed when the sequence is the whole name (not a partial form).
WHOLE_NAME_VARIANTS = frozenset({"as listed", "as written", "without particles"})
#: Entities scoring this much below the best one for the same span are not reported for it
#: ("Nicolás Maduro" is Nicolas Maduro Moros, not his son Nicolas Ernesto Maduro Guerra).
AMBIGUITY_MARGIN = 0.03
#: A person written with part of the listed name ("Nicolás Maduro" for MADURO MOROS, Nicolas)
#: is a mention only when at most this many listed entities carry that surname: "Pedro
#: Sánchez" could be any of dozens of people, "Nicolás Maduro" is one.
RARE_SURNAME_ENTITIES = 10


def _build_key() -> str:
    """What a persisted index was built by: this module, the name normaliser it tokenises with
    and the matcher version. Any edit to either rebuilds the index instead of reusing it."""
    digest = hashlib.sha256(MATCHER_VERSION.encode())
    for source in (__file__, _normalize.__file__, _scripts.__file__, _phrasing.__file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


#: File name of a persisted mention index, in the screener's index folder.
PERSISTED_PREFIX = "mentions-"
PERSISTED_NAME = f"{PERSISTED_PREFIX}{_build_key()}.marshal"


class _Entry(NamedTuple):
    """One indexed token sequence of one name of one entity (a tuple: a persisted index
    recreates hundreds of thousands of them, and tuples are the cheapest to make)."""

    entity: int  # index into MentionIndex.entities
    name: int  # index into the entity's names
    variant: str  # how the sequence was derived, for the explanation
    weak: bool  # confirms a mention, never raises one alone
    acronym: bool  # must be written in capitals
    single: bool  # one-token sequence: must be capitalised (and craft need context)
    #: the listed legal form is left out: then at least one word must be capitalised, as a
    #: company name is ("milling machines" in a remittance line is no LLC MILLING MACHINES)
    legal_dropped: bool = False
    #: part of a person's name (both surnames; given name and a common first surname): a
    #: mention only with a nickname or other name of the same person in the same sentence
    partial: bool = False


@dataclass(slots=True)
class Mention:
    """A span of the text that names a listed entity."""

    entity_id: str
    caption: str
    score: float
    start: int
    end: int
    text: str
    schema: str
    dataset: str
    programs: list[str]
    matched_name: str
    explanation: str
    weak: bool = False
    #: a partial person name, not yet paired with a nickname in its sentence
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{entity_id, caption, score, start, end, text}`` plus context."""
        return {
            "entity_id": self.entity_id,
            "caption": self.caption,
            "score": round(self.score, 4),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "dataset": self.dataset,
            "programs": list(self.programs),
            "matched_name": self.matched_name,
            "explanation": self.explanation,
        }


@dataclass(slots=True)
class _Tokens:
    """A text's normalised tokens as parallel lists (cheaper than one object per token)."""

    norms: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    raws: list[str] = field(default_factory=list)


def text_tokens(
    text: str, cache: dict[str, tuple[str, ...]] | None = None, latin_only: bool = False
) -> _Tokens:
    """Normalised tokens of ``text`` with their character offsets into ``text``; with
    ``latin_only``, words written in another script are left to :mod:`.scripts`."""
    cache = {} if cache is None else cache
    tokens = _Tokens()
    add_norm, add_start = tokens.norms.append, tokens.starts.append
    add_end, add_raw = tokens.ends.append, tokens.raws.append
    for match in TOKEN_RE.finditer(text):
        raw = match.group()
        if latin_only and not raw.isascii() and in_other_script(raw):
            continue
        found = cache.get(raw)
        if found is None:
            found = normalize_name(raw).tokens
            cache[raw] = found
        start, end = match.span()
        for norm in found:  # mostly one; none for a lone title or invisible character
            add_norm(norm)
            add_start(start)
            add_end(end)
            add_raw(raw)
    return tokens


def _key_tokens(text: str) -> list[tuple[str, int]]:
    """(token, kind) of a name with legal forms dropped (they never start or end a mention)."""
    normalized = normalize_name(text)
    return [(t, k) for t, k in zip(normalized.tokens, normalized.kinds, strict=True) if k != LEGAL]


def _content(pairs: Sequence[tuple[str, int]]) -> list[str]:
    return [t for t, k in pairs if k == NAME]


def _word_orders(pairs: list[tuple[str, int]]) -> list[tuple[list[str], str]]:
    """Generic organisation word orders: "Cartel del Golfo" <-> "Golfo Cartel"."""
    tokens = [t for t, _ in pairs]
    content = _content(pairs)
    result: list[tuple[list[str], str]] = []
    if len(pairs) >= 3 and pairs[0][0] in ORG_HEADS and pairs[1][1] != NAME:
        rest = [t for t, _ in pairs[1:]]
        while rest and rest[0] in PARTICLES:
            rest.pop(0)
        if rest:
            result.append(([*rest, tokens[0]], "word order"))
    if len(content) >= 2 and tokens[-1] in ORG_HEADS and tokens[0] not in ORG_HEADS:
        result.append(([tokens[-1], *tokens[:-1]], "word order"))
    return result


def _person_forms(full: str) -> list[tuple[list[str], str, str, bool]]:
    """Given name(s) + first surname etc. of a list-style ``SURNAME(S), Given name(s)``, each
    with the first surname (a partial name only counts when that surname is rare) and whether
    it is partial whatever the surname (both surnames without a given name)."""
    if full.count(",") != 1:
        return []
    last, first = full.split(",")
    given = _content(_key_tokens(first))
    surnames = [t for t, _ in _key_tokens(last)]
    if not given or all(token in PARTICLES for token in surnames):
        return []
    first_surname: list[str] = []
    for token in surnames:
        first_surname.append(token)
        if token not in PARTICLES:
            break
    surname = first_surname[-1]
    forms = [(given + first_surname, "given name and first surname", surname, False)]
    if len(given) > 1:
        forms.append((given[:1] + surnames, "first given name and surnames", surname, False))
        forms.append(
            (given[:1] + first_surname, "first given name and first surname", surname, False)
        )
    if len([t for t in surnames if t not in PARTICLES]) >= 2:
        forms.append((surnames, "surnames", surname, True))
    return forms


def _partial_form(full: str, variant: str) -> str:
    """The words of the partial form ``variant`` of a listed person name, to score against."""
    for form, name, _, _ in _person_forms(full):
        if name == variant:
            return " ".join(form)
    return full


@dataclass(frozen=True, slots=True)
class Listed:
    """What the finder needs of a listed entity (from an :class:`Entity` or a screener index)."""

    id: str
    caption: str
    schema: str
    dataset: str
    programs: tuple[str, ...]
    names: tuple[tuple[str, NameKind], ...]

    @classmethod
    def of(cls, entity: Entity) -> Listed:
        return cls(
            entity.id,
            entity.caption,
            entity.schema,
            entity.dataset,
            tuple(entity.programs),
            tuple((n.full, n.kind) for n in entity.names),
        )


def listed_of_screener(screener: Screener) -> list[Listed]:
    """The entities and names a screener's index holds, grouped per entity."""
    index = screener.index
    names: list[list[tuple[str, NameKind]]] = [[] for _ in index.entities]
    for n, text in enumerate(index.name_text):
        names[int(index.name_entity[n])].append((text, NAME_KINDS[int(index.name_kind[n])]))
    return [
        Listed(info.id, info.caption, info.schema, info.dataset, tuple(info.programs), tuple(found))
        for info, found in zip(index.entities, names, strict=True)
    ]


class MentionIndex:
    """Every listed name as token sequences, plus the fuzzy neighbourhood of its tokens."""

    def __init__(self, listed: Iterable[Listed]) -> None:
        self.entities: list[Listed] = list(listed)
        #: every prefix of every sequence -> entries of sequences that end there ([] = prefix only)
        self.sequences: dict[tuple[str, ...], list[_Entry]] = {}
        self.vocabulary: set[str] = set()
        self.starters: set[str] = set()  # first tokens of sequences
        self._deletes: dict[str, set[str]] = defaultdict(set)
        self._skeletons: dict[str, set[str]] = defaultdict(set)
        self._norm_cache: dict[str, tuple[str, ...]] = {}
        self._candidate_cache: dict[str, tuple[tuple[str, bool], ...]] = {}
        #: how many entities carry each token: partial person names need a rare surname
        self.entity_counts: Counter[str] = Counter()
        for entity in self.entities:
            self.entity_counts.update(
                {
                    t
                    for full, kind in entity.names
                    if kind not in SKIPPED_NAME_KINDS
                    for t, _ in _key_tokens(full)
                }
            )
        for position, entity in enumerate(self.entities):
            for name_index, (_, kind) in enumerate(entity.names):
                if kind not in SKIPPED_NAME_KINDS:
                    self._add_name(position, entity, name_index)
        self.heads = derive_heads(
            (entity.id, _key_tokens(full))
            for entity in self.entities
            if entity.schema != "Person" and entity.schema not in CRAFT_SCHEMATA
            for full, kind in entity.names
            if kind not in SKIPPED_NAME_KINDS
        )
        for token in self.vocabulary:
            if len(token) >= MIN_FUZZY_LENGTH and token.isalpha():
                for i in range(len(token)):
                    self._deletes[token[:i] + token[i + 1 :]].add(token)
                self._skeletons[skeleton(token)].add(token)

    @classmethod
    def from_entities(cls, entities: Iterable[Entity]) -> MentionIndex:
        return cls(Listed.of(entity) for entity in entities)

    @classmethod
    def from_screener(cls, screener: Screener) -> MentionIndex:
        return cls(listed_of_screener(screener))

    # --- persistence -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically (builtin types only, read back by
        :func:`marshal`, which unlike pickle runs no code from the file)."""
        state = {
            "entities": [
                (
                    e.id,
                    e.caption,
                    e.schema,
                    e.dataset,
                    e.programs,
                    [(n, k.value) for n, k in e.names],
                )
                for e in self.entities
            ],
            "prefixes": [sequence for sequence, entries in self.sequences.items() if not entries],
            "sequences": {
                sequence: [tuple(entry) for entry in entries]
                for sequence, entries in self.sequences.items()
                if entries
            },
            "vocabulary": self.vocabulary,
            "starters": self.starters,
            "deletes": dict(self._deletes),
            "skeletons": dict(self._skeletons),
            "entity_counts": dict(self.entity_counts),
            "heads": self.heads,
            "norms": self._norm_cache,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=".building-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                marshal.dump(state, out)
            os.replace(staging, path)
        finally:
            if os.path.exists(staging):
                os.unlink(staging)

    @classmethod
    def load(cls, path: Path) -> MentionIndex | None:
        """The index saved at ``path``; None when absent or unreadable (then it is rebuilt)."""
        try:
            state = marshal.loads(path.read_bytes())
            index = cls.__new__(cls)
            index.entities = [
                Listed(
                    id_,
                    caption,
                    schema,
                    dataset,
                    tuple(programs),
                    tuple((name, NameKind(kind)) for name, kind in names),
                )
                for id_, caption, schema, dataset, programs, names in state["entities"]
            ]
            index.sequences = {sequence: [] for sequence in state["prefixes"]}
            index.sequences.update(
                (sequence, [_Entry._make(entry) for entry in entries])
                for sequence, entries in state["sequences"].items()
            )
            index.vocabulary = state["vocabulary"]
            index.starters = state["starters"]
            index._deletes = defaultdict(set, state["deletes"])
            index._skeletons = defaultdict(set, state["skeletons"])
            index.entity_counts = Counter(state["entity_counts"])
            index.heads = state["heads"]
            index._norm_cache = state["norms"]
            index._candidate_cache = {}
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            return None
        return index

    def _add_name(self, position: int, entity: Listed, name_index: int) -> None:
        full, kind = entity.names[name_index]
        pairs = _key_tokens(full)
        content = _content(pairs)
        if not content:
            return
        tokens = [t for t, _ in pairs]
        acronym = " " not in full.strip() and all(len(t) <= 4 for t in tokens)
        weak = kind == NameKind.WEAK_ALIAS
        # word by word, as running text is normalised (legal forms spelled out, not merged)
        written = text_tokens(full, self._norm_cache).norms
        legal_only_rest = len(tokens) == 1 and len(written) > 1
        has_legal = LEGAL in normalize_name(full).kinds
        forms: list[tuple[list[str], str]] = [(tokens, "as listed")]
        if written != tokens:
            forms.append((written, "as written"))
        if len(content) >= 2 and len(content) < len(tokens):
            forms.append((content, "without particles"))
        partial_forms: list[tuple[list[str], str]] = []
        if entity.schema == "Person":
            for form, variant, surname, partial in _person_forms(full):
                if partial or self.entity_counts[surname] > RARE_SURNAME_ENTITIES:
                    partial_forms.append((form, variant))
                else:
                    forms.append((form, variant))
        elif entity.schema not in CRAFT_SCHEMATA:
            forms += _word_orders(pairs)
        if acronym and len(tokens) > 1:
            forms.append((["".join(tokens)], "joined"))
        for form, variant in forms:
            single = len(form) == 1
            form_weak = (
                weak
                or (single and (entity.schema == "Person" or legal_only_rest))
                or (acronym and len("".join(form)) <= 2)
            )
            legal_dropped = has_legal and variant != "as written"
            self._add_sequence(
                tuple(form),
                _Entry(position, name_index, variant, form_weak, acronym, single, legal_dropped),
            )
        for form, variant in partial_forms:
            if len(form) >= 2 and not self.sequences.get(tuple(form)):
                self._add_sequence(
                    tuple(form),
                    _Entry(position, name_index, variant, True, False, False, False, True),
                )

    def _add_sequence(self, sequence: tuple[str, ...], entry: _Entry) -> None:
        self.vocabulary.update(sequence)
        self.starters.add(sequence[0])
        for end in range(1, len(sequence)):
            self.sequences.setdefault(sequence[:end], [])
        entries = self.sequences.setdefault(sequence, [])
        if entry not in entries:
            entries.append(entry)

    # --- scanning ------------------------------------------------------------------------------

    def candidates(self, token: str) -> tuple[tuple[str, bool], ...]:
        """Listed tokens this text token may stand for: (token, is_fuzzy), exact first."""
        found = self._candidate_cache.get(token)
        if found is not None:
            return found
        result: list[tuple[str, bool]] = []
        if token in self.vocabulary:
            result.append((token, False))
        if len(token) >= MIN_FUZZY_LENGTH - 1 and token.isalpha():
            near: set[str] = set(self._deletes.get(token, ()))
            near |= self._skeletons.get(skeleton(token), set())
            for i in range(len(token)):
                deleted = token[:i] + token[i + 1 :]
                if deleted in self.vocabulary:
                    near.add(deleted)
                near |= self._deletes.get(deleted, set())
            near.discard(token)
            for other in sorted(near):
                if token_similarity(token, other)[0] >= FUZZY_TOKEN_SIMILARITY:
                    result.append((other, True))
        found = tuple(result)
        self._candidate_cache[token] = found
        return found

    def spans(self, tokens: _Tokens) -> list[tuple[int, int, list[_Entry], int]]:
        """Candidate spans as (first token, end token, entries, fuzzy tokens), longest first
        at each start position (callers take the first that passes their checks)."""
        found: list[tuple[int, int, list[_Entry], int]] = []
        sequences = self.sequences
        norms = tokens.norms
        # each distinct text token is looked up once: its listed stand-ins, and whether any
        # of them starts a listed sequence (most running text starts none)
        distinct = {norm: self.candidates(norm) for norm in set(norms)}
        openings: dict[str, list[tuple[tuple[str, ...], int, list[_Entry]]]] = {}
        for norm, stand_ins in distinct.items():
            first_steps = [
                ((listed,), int(is_fuzzy), sequences[(listed,)])
                for listed, is_fuzzy in stand_ins
                if (listed,) in sequences
            ]
            if first_steps:
                openings[norm] = first_steps
        options = [distinct[norm] for norm in norms]
        count = len(norms)
        for start, norm in enumerate(norms):
            first_steps = openings.get(norm)
            if first_steps is None:
                continue
            states = [(sequence, start + 1, spent) for sequence, spent, _ in first_steps]
            at_start: list[tuple[int, int, list[_Entry], int]] = [
                (start, start + 1, entries, spent)
                for _, spent, entries in first_steps
                if entries and not spent
            ]
            while states:
                next_states: list[tuple[tuple[str, ...], int, int]] = []
                for prefix, position, fuzzy in states:
                    if position >= count:
                        continue
                    for listed, is_fuzzy in options[position]:
                        spent = fuzzy + is_fuzzy
                        if spent > MAX_FUZZY_PER_SPAN:
                            continue
                        sequence = (*prefix, listed)
                        entries = sequences.get(sequence)
                        if entries is None:
                            continue
                        next_states.append((sequence, position + 1, spent))
                        if entries and not (spent and len(sequence) == 1):
                            at_start.append((start, position + 1, entries, spent))
                    if prefix and norms[position] in PARTICLES:
                        next_states.append((prefix, position + 1, fuzzy))
                states = next_states
            if at_start:
                at_start.sort(key=lambda span: (span[0] - span[1], span[3]))
                found.extend(at_start)
        return found

    def norm_cache(self) -> dict[str, tuple[str, ...]]:
        return self._norm_cache

    def surnames(self) -> frozenset[str]:
        """Surnames of listed persons (written before the comma), joined and word by word;
        built on first use (only text in Han needs them)."""
        found = self.__dict__.get("_surnames")
        if found is None:
            words: set[str] = set()
            for entity in self.entities:
                if entity.schema != "Person":
                    continue
                for full, kind in entity.names:
                    if kind in SKIPPED_NAME_KINDS or full.count(",") != 1:
                        continue
                    tokens = normalize_name(full.split(",")[0]).tokens
                    words.update(tokens)
                    words.add("".join(tokens))
            found = self.__dict__["_surnames"] = frozenset(words)
        return found


@dataclass(slots=True)
class _Scorer:
    """Scores candidate spans with the matcher, caching per (span, name, schema)."""

    cache: dict[tuple[str, str, str], float] = field(default_factory=dict)

    def __call__(self, span: str, name: str, schema: str) -> float:
        key = (span, name, schema)
        score = self.cache.get(key)
        if score is None:
            score = compare(span, name, schema=schema)
            self.cache[key] = score
        return score


def _capitalised(raw: str) -> bool:
    return raw[:1].isupper() or raw[:1].isdigit()


def _upper(raw: str) -> bool:
    letters = [c for c in raw if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _passes_case(
    entry: _Entry, entity: Listed, tokens: _Tokens, start: int, end: int, fuzzy: int
) -> bool:
    """Writing-style checks that separate a name from ordinary words (module docstring)."""
    words = [
        raw
        for norm, raw in zip(tokens.norms[start:end], tokens.raws[start:end], strict=True)
        if norm not in PARTICLES
    ]
    if entry.acronym:
        return all(_upper(raw) or raw.isdigit() for raw in words)
    if entry.single:
        if not _capitalised(words[0]):
            return False
        if entity.schema in CRAFT_SCHEMATA:
            position = start - 1
            while position >= 0 and tokens.norms[position] in ARTICLES:
                position -= 1
            return position >= 0 and tokens.norms[position] in CRAFT_CONTEXT
        return True
    if entity.schema == "Person":
        return all(_capitalised(raw) for raw in words)
    return not (fuzzy or entry.legal_dropped) or any(_capitalised(raw) for raw in words)


def find_mentions(
    text: str, index: MentionIndex, threshold: float | None = None, scorer: _Scorer | None = None
) -> list[Mention]:
    """Mentions in ``text`` scoring at least ``threshold``, in text order.

    At each position the longest candidate span that passes the writing-style checks and the
    threshold wins; the text after it is searched next (so "La Nueva Familia Michoacana" is one
    mention, not also "La Familia Michoacana").
    """
    limit = DEFAULT_THRESHOLD if threshold is None else threshold
    scorer = scorer or _Scorer()
    tokens = text_tokens(text, index.norm_cache(), latin_only=True)
    spans = index.spans(tokens)
    mentions: list[Mention] = []
    covered_until = 0
    for start, end, entries, fuzzy in spans:
        if start < covered_until:
            continue
        span_text = text[tokens.starts[start] : tokens.ends[end - 1]]
        if _BREAKS.search(span_text):
            continue
        chosen = _resolve(span_text, entries, index, tokens, start, end, fuzzy, limit, scorer)
        if chosen:
            mentions.extend(chosen)
            covered_until = end
    mentions += _coordinated_mentions(text, tokens, index, limit, scorer, mentions)
    if not text.isascii():
        mentions += _script_mentions(text, index, limit, scorer)
    mentions.sort(key=lambda m: m.start)
    return _confirm_weak(_pair_partials(text, mentions))


def _resolve(
    span_text: str,
    entries: Sequence[_Entry],
    index: MentionIndex,
    tokens: _Tokens,
    start: int,
    end: int,
    fuzzy: int,
    threshold: float,
    scorer: _Scorer,
) -> list[Mention]:
    """One mention per entity among ``entries`` that passes the checks, best name first."""

    def passes(entry: _Entry, entity: Listed) -> bool:
        return _passes_case(entry, entity, tokens, start, end, fuzzy)

    return _best_mentions(
        entries,
        index,
        passes,
        (span_text, span_text, tokens.starts[start], tokens.ends[end - 1]),
        fuzzy,
        threshold,
        scorer,
    )


def _best_mentions(
    entries: Sequence[_Entry],
    index: MentionIndex,
    passes: Callable[[_Entry, Listed], bool],
    span: tuple[str, str, int, int],
    fuzzy: int,
    threshold: float,
    scorer: _Scorer,
    read_as: str = "",
) -> list[Mention]:
    """One mention per entity among ``entries`` that ``passes``, best name first. ``span`` is
    (text as written, text scored against the listed name, start, end); ``read_as`` names the
    Latin rendering a span in another script was matched by."""
    span_text, scored, start, end = span
    best: dict[int, Mention] = {}
    for entry in entries:
        entity = index.entities[entry.entity]
        if not passes(entry, entity):
            continue
        name, kind = entity.names[entry.name]
        listed = _partial_form(name, entry.variant) if entry.partial else name
        score = scorer(scored, listed, entity.schema)
        if score < threshold:
            continue
        previous = best.get(entry.entity)
        if previous is not None and (
            previous.score > score or (previous.score == score and not previous.weak)
        ):
            continue
        how = f"{entry.variant}, {'one fuzzy token' if fuzzy else 'exact tokens'}"
        reading = f" (read {read_as!r})" if read_as else ""
        part = f" (its {entry.variant} {listed!r})" if entry.partial else ""
        best[entry.entity] = Mention(
            entity_id=entity.id,
            caption=entity.caption,
            score=score,
            start=start,
            end=end,
            text=span_text,
            schema=entity.schema,
            dataset=entity.dataset,
            programs=list(entity.programs),
            matched_name=name,
            explanation=f"{span_text!r}{reading} matches {kind.value.replace('_', ' ')} "
            f"{name!r}{part} ({how}; score {score:.2f})",
            weak=entry.weak,
            partial=entry.partial,
        )
    if not best:
        return []
    if not all(m.partial for m in best.values()):  # a name in full outranks a partial one
        best = {k: m for k, m in best.items() if not m.partial}
    top = max(m.score for m in best.values())
    kept = [m for m in best.values() if m.score >= top - AMBIGUITY_MARGIN]
    return sorted(kept, key=lambda m: (-m.score, m.entity_id))


def _script_mentions(
    text: str, index: MentionIndex, threshold: float, scorer: _Scorer
) -> list[Mention]:
    """Mentions in the text's words in other scripts (:mod:`.scripts`)."""

    def resolve(candidate: ScriptCandidate) -> list[Mention]:
        def passes(entry: _Entry, entity: Listed) -> bool:
            if entry.acronym or (entity.schema in CRAFT_SCHEMATA and entry.single):
                return False
            if candidate.windowed:  # a Han window's bounds are a guess: a whole name
                return entry.variant in WHOLE_NAME_VARIANTS
            if entry.single:  # caseless: one word only if long (a person's only confirms)
                listed = candidate.sequence[0]
                if not candidate.fuzzy:
                    return len(listed) >= MIN_SINGLE_LENGTH
                return len(listed) >= MIN_FUZZY_SINGLE and vowels_left_out(
                    candidate.rendering, listed
                )
            return True

        span = (
            text[candidate.start : candidate.end],
            candidate.rendering,
            candidate.start,
            candidate.end,
        )
        return _best_mentions(
            candidate.entries,
            index,
            passes,
            span,
            candidate.fuzzy,
            threshold,
            scorer,
            read_as=candidate.rendering,
        )

    return script_mentions(text, index, resolve, lambda found: max(m.score for m in found))


def _coordinated_mentions(
    text: str,
    tokens: _Tokens,
    index: MentionIndex,
    threshold: float,
    scorer: _Scorer,
    found: Sequence[Mention],
) -> list[Mention]:
    """Organisations named under one head noun written once (:mod:`.phrasing`): "cartels
    including Sinaloa and Jalisco Nueva Generación", "the Gulf and Northeast cartels"."""
    heads = index.heads
    norms = tokens.norms
    # the spans already taken: disjoint, so sorted by start they are sorted by end too
    taken = sorted({(m.start, m.end) for m in found})
    taken_starts, taken_ends = [a for a, _ in taken], [b for _, b in taken]
    mentions: list[Mention] = []
    head_words = {norm: head_of(norm, heads) for norm in set(norms)}
    for position, norm in enumerate(norms):
        head = head_words[norm]
        if head is None:
            continue
        conjuncts = coordinated(text, norms, tokens.raws, tokens.starts, tokens.ends, position)
        for first, last in conjuncts:
            start, end = tokens.starts[first], tokens.ends[last - 1]
            before = bisect.bisect_left(taken_starts, end) - 1
            if before >= 0 and taken_ends[before] > start:
                continue
            words = norms[first:last]
            span_text = text[start:end]
            orders = [(o, h) for h in heads[head] for o in ((*words, h), (h, *words))]
            for order, noun in orders:
                match = whole_sequence(index, order)
                if match is None or match[1]:
                    continue
                scored = f"{span_text} {noun}" if order[0] != noun else f"{noun} {span_text}"
                chosen = _best_mentions(
                    match[0],
                    index,
                    lambda entry, entity: not entry.acronym and entity.schema != "Person",
                    (span_text, scored, start, end),
                    0,
                    threshold,
                    scorer,
                    read_as=scored,
                )
                equivalent = f" ({noun!r} in another name of the lists)" if noun != head else ""
                for mention in chosen:
                    mention.explanation += (
                        f"; the head noun {tokens.raws[position]!r}{equivalent} is written once "
                        "for the names joined to it"
                    )
                if chosen:
                    mentions.extend(chosen)
                    at = bisect.bisect_left(taken_starts, start)
                    taken_starts.insert(at, start)
                    taken_ends.insert(at, end)
                    break
    return mentions


def _pair_partials(text: str, mentions: list[Mention]) -> list[Mention]:
    """A partial person name and a nickname (or other weak name) of the same person in one
    sentence make a mention together; a partial name left unpaired stays weak."""
    if not any(m.partial for m in mentions):
        return mentions
    starts = sentence_starts(text)
    weak: dict[tuple[str, int], list[Mention]] = defaultdict(list)
    for other in mentions:
        if other.weak and not other.partial:
            weak[(other.entity_id, bisect.bisect_right(starts, other.start))].append(other)
    for mention in mentions:
        if not mention.partial:
            continue
        sentence = bisect.bisect_right(starts, mention.start)
        partners = weak.get((mention.entity_id, sentence), [])
        if not partners:
            continue
        nicknames = ", ".join(repr(other.text) for other in partners)
        mention.weak = mention.partial = False
        mention.explanation += (
            f"; with {nicknames} in the same sentence: both were needed, neither is a mention alone"
        )
        for other in partners:
            other.explanation += f"; confirmed by {mention.text!r} in the same sentence"
    return mentions


def _confirm_weak(mentions: list[Mention]) -> list[Mention]:
    """Drop weak-name mentions of entities that no strong mention in the text confirms."""
    strong = {m.entity_id for m in mentions if not m.weak}
    return [m for m in mentions if not m.weak or m.entity_id in strong]
