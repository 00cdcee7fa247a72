"""The candidate index: which listed names can possibly match a query, without a full scan.

Built once per set of active list versions and persisted (numpy arrays + JSON) so reopening
takes well under a second: every lookup table is stored ready to use, and entity records are
decoded only when a hit needs them. Layout:

- ``vocab``: distinct normalised tokens; ``token_weight``: their rarity (IDF over entities).
- ``postings``: CSR matrix vocab x names (which names carry a token, joined hyphen forms too).
- ``trigrams``: CSR matrix trigram x vocab, so a query token's misspellings are found with one
  gather + bincount over the postings of its character trigrams.
- ``skeletons``: phonetic skeleton -> vocab tokens (transliterations, dropped vowels).

A chunk of queries becomes one sparse matrix (queries x vocab, weighted similarities) whose
product with ``postings`` pre-scores every name at once; only the best few per query are
aligned exactly by :mod:`clearance.matching.scoring`. The tokens a chunk brings that were never
seen before are looked up together (:meth:`NameIndex.lookup_tokens`): their trigram overlap with
the whole vocabulary is one sparse product too.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np
import scipy.sparse as sp

from clearance.matching import frequency
from clearance.matching.name_keys import KeyIndex, trigrams
from clearance.matching.normalize import (
    NAME,
    fold,
    joined_hyphen_tokens,
    name_renderings,
    ocr_form,
    read_digits,
)
from clearance.matching.scoring import (
    INITIAL_SIMILARITY,
    KIND_FACTOR,
    MIN_PREFIX,
    MISSING_LISTED_FACTOR,
    TokenTraits,
    normalize_identifier,
    phonetic_key,
    prefix_similarity,
    similarity_arrays,
    token_similarity,
)
from clearance.matching.transliterate import LISTED_RENDERINGS
from clearance.model import STRONG_ID_KINDS, Entity, NameKind

#: Bumped whenever normalisation, the index layout or scoring inputs change (part of the key).
MATCHER_VERSION = "clearance-matcher-8"
#: Version of the files an index is saved as; another layout is rebuilt, never misread.
INDEX_LAYOUT = 4

#: Name kinds in index order (``name_kind`` stores the position).
NAME_KINDS = (
    NameKind.PRIMARY,
    NameKind.ALIAS,
    NameKind.FORMER,
    NameKind.ORIGINAL_SCRIPT,
    NameKind.WEAK_ALIAS,
)
WEAK_KIND = NAME_KINDS.index(NameKind.WEAK_ALIAS)

#: Fuzzy token lookup: vocab tokens sharing at least this Dice share of trigrams are checked.
TRIGRAM_DICE = 0.4
MAX_FUZZY_TOKENS = 40
#: Listed words a cut word reaches as their beginning, at most (in alphabetical order).
MAX_COMPLETIONS = 64
MIN_TOKEN_SIMILARITY = 0.6
#: A listed token found inside a longer query token ("abubakr" holds "bakr"), candidates only.
PART_SIMILARITY = 0.5
#: Tokens this short are looked up by single-deletion keys (trigrams barely overlap for them).
SHORT_TOKEN = 5
#: An initial ("J.") says little: its weight, whatever the letter.
INITIAL_WEIGHT = 2.0
#: Up to this many unseen tokens are matched by trigrams without sparse matrices.
FEW_TOKENS = 8
#: Listed tokens whose matches are searched together when an index is built.
STORE_CHUNK = 2000
#: Vocabulary traits are made for the tokens a lookup needs alone while they are fewer than
#: one in this many of the vocabulary; past that, for the whole vocabulary once.
FEW_TRAITS = 16
#: From this many proposed (token, vocab token) pairs on, their similarities are computed in
#: arrays (fewer: one by one is cheaper).
ARRAY_SEARCH_PAIRS = 100
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def deletion_keys(token: str) -> set[str]:
    """The token and every form of it with one letter deleted (1-edit neighbours share one)."""
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What screening needs of an entity: identity, evidence and what a hit shows."""

    id: str
    caption: str
    schema: str
    dataset: str
    programs: tuple[str, ...]
    topics: tuple[str, ...]
    birth_dates: tuple[tuple[str, str | None], ...]
    countries: frozenset[str]
    identifiers: tuple[tuple[str, str, bool], ...]  # (kind, normalised number, strong)
    ownership: dict[str, Any] | None = None  # why an entity derived by ownership is blocked

    @classmethod
    def of(cls, entity: Entity) -> EntityInfo:
        countries = {
            *entity.nationalities,
            *entity.citizenships,
            *entity.countries,
            *(a.country for a in entity.addresses if a.country),
        }
        return cls(
            id=entity.id,
            caption=entity.caption,
            schema=entity.schema,
            dataset=entity.dataset,
            programs=tuple(entity.programs),
            topics=tuple(entity.topics),
            birth_dates=tuple((d.value, d.end) for d in entity.birth_dates),
            countries=frozenset(c.lower() for c in countries if c),
            identifiers=tuple(
                (str(i.kind), normalize_identifier(i.number), i.kind in STRONG_ID_KINDS)
                for i in entity.identifiers
                if normalize_identifier(i.number)
            ),
            ownership=entity.source.get("ownership"),
        )

    def to_json(self) -> list[Any]:
        return [
            self.id,
            self.caption,
            self.schema,
            self.dataset,
            list(self.programs),
            list(self.topics),
            [list(d) for d in self.birth_dates],
            sorted(self.countries),
            [list(i) for i in self.identifiers],
            *([self.ownership] if self.ownership else []),
        ]

    @classmethod
    def from_json(cls, row: list[Any]) -> EntityInfo:
        return cls(
            row[0],
            row[1],
            row[2],
            row[3],
            tuple(row[4]),
            tuple(row[5]),
            tuple((d[0], d[1]) for d in row[6]),
            frozenset(row[7]),
            tuple((i[0], i[1], bool(i[2])) for i in row[8]),
            row[9] if len(row) > 9 else None,
        )


class EntityTable(Sequence[EntityInfo]):
    """Entity records of an index, decoded on first use.

    A reopened index holds them as JSON lines; a screening touches only the entities it hits,
    so parsing all of them up front would be most of the reopening time.
    """

    def __init__(self, infos: list[EntityInfo | None], lines: bytes = b"") -> None:
        self._infos = infos
        self._lines = lines
        self._ends: np.ndarray | None = None

    @classmethod
    def of(cls, infos: list[EntityInfo]) -> EntityTable:
        return cls(list(infos))

    @classmethod
    def from_lines(cls, lines: bytes) -> EntityTable:
        """``lines``: one JSON record per line (``EntityInfo.to_json``), as :meth:`to_lines`."""
        ends = np.flatnonzero(np.frombuffer(lines, dtype=np.uint8) == ord("\n"))
        table = cls([None] * len(ends), lines)
        table._ends = ends
        return table

    def to_lines(self) -> bytes:
        text = "".join(
            json.dumps(info.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
            for info in self
        )
        return text.encode("utf-8")

    def __len__(self) -> int:
        return len(self._infos)

    def _decode(self, position: int) -> EntityInfo:
        assert self._ends is not None
        start = int(self._ends[position - 1]) + 1 if position else 0
        info = EntityInfo.from_json(json.loads(self._lines[start : int(self._ends[position])]))
        self._infos[position] = info
        return info

    @overload
    def __getitem__(self, position: int) -> EntityInfo: ...

    @overload
    def __getitem__(self, position: slice) -> list[EntityInfo]: ...

    def __getitem__(self, position: int | slice) -> EntityInfo | list[EntityInfo]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        info = self._infos[position]
        if info is None:
            info = self._decode(position % len(self._infos))
        return info

    def __iter__(self) -> Iterator[EntityInfo]:
        for position in range(len(self._infos)):
            yield self[position]


@dataclass(slots=True)
class TokenMatches:
    """Vocab tokens a query token reaches, with similarity (for candidates and weights)."""

    ids: np.ndarray  # int32 vocab ids
    similarities: np.ndarray  # float32
    weight: float  # the query token's own weight (its best match's rarity, or unknown = rare)


class NameIndex:
    """Arrays and lookups over every name of the active entities (see the module docstring)."""

    ARRAYS = (
        "name_entity",
        "name_kind",
        "name_ptr",
        "name_tok",
        "name_tok_kind",
        "token_weight",
        "post_indptr",
        "post_indices",
        "tri_indptr",
        "tri_indices",
        "vocab_tri_count",
        "vocab_skeleton",
        "short_ptr",
        "short_ids",
        "identifier_ptr",
        "identifier_positions",
        "match_ptr",
        "match_ids",
        "match_sims",
    )

    def __init__(
        self,
        entities: Sequence[EntityInfo],
        name_text: list[str],
        vocab: list[str],
        vocab_folds: list[str],
        trigram_vocab: list[str],
        skeleton_vocab: list[str],
        short_keys: list[str],
        identifier_numbers: list[str],
        arrays: dict[str, np.ndarray],
    ) -> None:
        """Wrap built or loaded tables; only cheap, vectorised work happens here."""
        self.entities = entities
        self.name_text = name_text
        self.vocab = vocab
        self.vocab_folds = vocab_folds
        self.trigram_vocab = trigram_vocab
        self.skeleton_vocab = skeleton_vocab
        self.short_keys = short_keys
        self.identifier_numbers = identifier_numbers
        for key in self.ARRAYS:
            setattr(self, key, arrays[key])
        self.vocab_ids = dict(zip(vocab, range(len(vocab)), strict=True))
        self.trigram_ids = dict(zip(trigram_vocab, range(len(trigram_vocab)), strict=True))
        self.short_slots = dict(zip(short_keys, range(len(short_keys)), strict=True))
        self.identifier_slots = dict(
            zip(identifier_numbers, range(len(identifier_numbers)), strict=True)
        )
        # rows after the vocab: one per letter, the names with a NAME token of that initial
        self.postings = sp.csr_matrix(
            (
                np.ones(len(self.post_indices), dtype=np.float32),
                self.post_indices,
                self.post_indptr,
            ),
            shape=(len(vocab) + len(LETTERS), len(name_text)),
        )
        self.trigram_matrix = sp.csr_matrix(
            (np.ones(len(self.tri_indices), dtype=np.int32), self.tri_indices, self.tri_indptr),
            shape=(len(trigram_vocab), len(vocab)),
        )
        # vocab ids grouped by skeleton (ascending within a group), found by the skeleton's id
        self.skeleton_ids = dict(zip(skeleton_vocab, range(len(skeleton_vocab)), strict=True))
        self.skeleton_order = np.argsort(self.vocab_skeleton, kind="stable").astype(np.int32)
        keyed = self.vocab_skeleton[self.vocab_skeleton >= 0]
        counts = np.bincount(keyed, minlength=len(skeleton_vocab))
        self.skeleton_ptr = np.concatenate([[0], np.cumsum(counts)]) + (len(vocab) - len(keyed))
        self.unknown_weight = float(math.log(1.0 + len(entities)))
        self._name_cache: dict[int, tuple[tuple[str, ...], tuple[int, ...], tuple[float, ...]]]
        self._name_cache = {}
        self._token_cache: dict[tuple[str, int], TokenMatches] = {}
        self._vocab_traits: TokenTraits | None = None
        self._traits_made = 0  # vocabulary traits made piecemeal (vocab_traits_of)
        self._ocr_ids: dict[str, list[int]] | None = None
        self._owners: tuple[list[int], list[bool]] | None = None
        self._keys: KeyIndex | None = None  # built with the index, or read with it
        self._sorted_vocab: tuple[list[str], np.ndarray] | None = None
        # per-name total weight with missing tokens discounted: the pre-score's denominator
        self.name_weight = self._name_weights()

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[Entity]) -> NameIndex:
        """Normalise every name and lay out the arrays."""
        infos: list[EntityInfo] = []
        name_entity: list[int] = []
        name_kind: list[int] = []
        name_text: list[str] = []
        name_tokens: list[list[int]] = []
        name_kinds: list[list[int]] = []
        extra_tokens: list[list[int]] = []
        vocab_ids: dict[str, int] = {}
        token_entities: list[set[int]] = []

        def token_id(token: str) -> int:
            found = vocab_ids.get(token)
            if found is None:
                found = vocab_ids[token] = len(vocab_ids)
                token_entities.append(set())
            return found

        for entity in entities:
            position = len(infos)
            infos.append(EntityInfo.of(entity))
            seen: dict[str, int] = {}
            order = sorted(entity.names, key=lambda n: NAME_KINDS.index(n.kind))
            # an original-script name is indexed under its Latin renderings too
            renderings = (
                (n, r)
                for n in order
                for r in name_renderings(n.full, listed=True)[:LISTED_RENDERINGS]
            )
            for name, normalized in renderings:
                if not normalized.tokens or normalized.key in seen:
                    continue
                seen[normalized.key] = len(name_text)
                ids = [token_id(t) for t in normalized.tokens]
                joined = [token_id(t) for t in joined_hyphen_tokens(name.full)]
                for t in ids + joined:
                    token_entities[t].add(position)
                name_entity.append(position)
                name_kind.append(NAME_KINDS.index(name.kind))
                name_text.append(name.full)
                name_tokens.append(ids)
                name_kinds.append(list(normalized.kinds))
                extra_tokens.append([t for t in joined if t not in ids])

        vocab = list(vocab_ids)
        total = max(1, len(infos))
        # rarity in the lists, at most what the name proves among people (frequency)
        token_weight = np.minimum(
            [math.log(1.0 + total / max(1, len(ents))) for ents in token_entities],
            frequency.weights(vocab),
        ).astype(np.float32)
        name_ptr = np.zeros(len(name_tokens) + 1, dtype=np.int64)
        name_ptr[1:] = np.cumsum([len(t) for t in name_tokens])
        name_tok = np.asarray([t for tokens in name_tokens for t in tokens], dtype=np.int32)
        name_tok_kind = np.asarray([k for kinds in name_kinds for k in kinds], dtype=np.int8)

        # postings: vocab x names (NAME tokens and joined forms; particles and legal forms
        # never make a candidate on their own), then one row per initial letter
        rows, cols = [], []
        for n, (tokens, kinds, extra) in enumerate(
            zip(name_tokens, name_kinds, extra_tokens, strict=True)
        ):
            for t, kind in zip(tokens, kinds, strict=True):
                if kind == NAME:
                    rows.append(t)
                    cols.append(n)
            for t in extra:
                rows.append(t)
                cols.append(n)
        initial_rows, initial_cols = _initial_postings(vocab, name_ptr, name_tok, name_tok_kind)
        postings = sp.csr_matrix(
            (
                np.ones(len(rows) + len(initial_rows), dtype=np.float32),
                (np.concatenate([rows, initial_rows]), np.concatenate([cols, initial_cols])),
            ),
            shape=(len(vocab) + len(LETTERS), len(name_text)),
        )
        postings.sum_duplicates()

        trigram_ids: dict[str, int] = {}
        tri_rows, tri_cols = [], []
        tri_count = np.zeros(len(vocab), dtype=np.int16)
        skeleton_ids: dict[str, int] = {}
        vocab_skeleton = np.full(len(vocab), -1, dtype=np.int32)
        short_tokens: dict[str, list[int]] = defaultdict(list)
        for t, token in enumerate(vocab):
            grams = set(trigrams(token))
            tri_count[t] = len(grams)
            for gram in grams:
                gram_id = trigram_ids.setdefault(gram, len(trigram_ids))
                tri_rows.append(gram_id)
                tri_cols.append(t)
            key = phonetic_key(token)
            if key:
                vocab_skeleton[t] = skeleton_ids.setdefault(key, len(skeleton_ids))
            if token.isalpha() and 3 <= len(token) <= SHORT_TOKEN:
                for deleted in sorted(deletion_keys(token)):  # set order varies per process
                    short_tokens[deleted].append(t)
        tri = sp.csr_matrix(
            (np.ones(len(tri_rows), dtype=np.int8), (tri_rows, tri_cols)),
            shape=(len(trigram_ids), len(vocab)),
        )
        identifier_entities: dict[str, list[int]] = defaultdict(list)
        for position, info in enumerate(infos):
            for _, number, _ in info.identifiers:
                identifier_entities[number].append(position)
        short_ptr, short_ids = _ragged(list(short_tokens.values()))
        identifier_ptr, identifier_positions = _ragged(list(identifier_entities.values()))
        arrays = {
            "name_entity": np.asarray(name_entity, dtype=np.int32),
            "name_kind": np.asarray(name_kind, dtype=np.int8),
            "name_ptr": name_ptr,
            "name_tok": name_tok,
            "name_tok_kind": name_tok_kind,
            "token_weight": token_weight,
            "post_indptr": postings.indptr.astype(np.int64),
            "post_indices": postings.indices.astype(np.int32),
            "tri_indptr": tri.indptr.astype(np.int64),
            "tri_indices": tri.indices.astype(np.int32),
            "vocab_tri_count": tri_count,
            "vocab_skeleton": vocab_skeleton,
            "short_ptr": short_ptr,
            "short_ids": short_ids,
            "identifier_ptr": identifier_ptr,
            "identifier_positions": identifier_positions,
            # filled by _store_listed_matches once the index can search
            "match_ptr": np.zeros(1, dtype=np.int64),
            "match_ids": np.zeros(0, dtype=np.int32),
            "match_sims": np.zeros(0, dtype=np.float32),
        }
        index = cls(
            EntityTable.of(infos),
            name_text,
            vocab,
            [fold(t) for t in vocab],
            list(trigram_ids),
            list(skeleton_ids),
            list(short_tokens),
            list(identifier_entities),
            arrays,
        )
        index._store_listed_matches()
        index._keys = KeyIndex.build(index)
        return index

    # --- persistence -------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write atomically: a half-written index is never opened."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        try:
            np.savez(staging / "arrays.npz", **{k: getattr(self, k) for k in self.ARRAYS})
            entities = (
                self.entities
                if isinstance(self.entities, EntityTable)
                else EntityTable.of(list(self.entities))
            )
            (staging / "entities.jsonl").write_bytes(entities.to_lines())
            self.key_index().save(staging)
            document = {
                "matcher": MATCHER_VERSION,
                "layout": INDEX_LAYOUT,
                "names": self.name_text,
                "vocab": self.vocab,
                "folds": self.vocab_folds,
                "trigrams": self.trigram_vocab,
                "skeletons": self.skeleton_vocab,
                "short_keys": self.short_keys,
                "identifiers": self.identifier_numbers,
            }
            (staging / "index.json").write_text(
                json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
            )
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(staging, folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def save_versions(folder: Path, versions: dict[str, str]) -> None:
        """The list versions an index was built from (dataset -> label), shown on hits."""
        (folder / "versions.json").write_text(json.dumps(versions), encoding="utf-8")

    @staticmethod
    def load_versions(folder: Path) -> dict[str, str]:
        try:
            return dict(json.loads((folder / "versions.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    @classmethod
    def load(cls, folder: Path) -> NameIndex | None:
        """The index saved in ``folder``, or None when absent, partial or of another matcher."""
        try:
            document = json.loads((folder / "index.json").read_text(encoding="utf-8"))
            if document.get("matcher") != MATCHER_VERSION or document.get("layout") != INDEX_LAYOUT:
                return None
            with np.load(folder / "arrays.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in cls.ARRAYS}
            entities = EntityTable.from_lines((folder / "entities.jsonl").read_bytes())
            index = cls(
                entities,
                document["names"],
                document["vocab"],
                document["folds"],
                document["trigrams"],
                document["skeletons"],
                document["short_keys"],
                document["identifiers"],
                arrays,
            )
            index._keys = KeyIndex.load(folder)
            return index if index._keys is not None else None
        except (OSError, ValueError, KeyError):
            return None

    # --- lookups -----------------------------------------------------------------------------

    def _name_weights(self) -> np.ndarray:
        """Per name: sum of token weights (kind factors applied), for the pre-score."""
        factors = np.array([KIND_FACTOR[k] for k in sorted(KIND_FACTOR)], dtype=np.float32)
        weights = self.token_weight[self.name_tok] * factors[self.name_tok_kind]
        sums = np.add.reduceat(weights, self.name_ptr[:-1]) if len(weights) else weights
        empty = self.name_ptr[1:] == self.name_ptr[:-1]
        sums = np.where(empty, 0.0, sums)
        return sums.astype(np.float32)

    def identifier_entities(self, number: str) -> list[int]:
        """Positions of the entities listing identifier ``number`` (normalised)."""
        slot = self.identifier_slots.get(number)
        if slot is None:
            return []
        start, end = self.identifier_ptr[slot], self.identifier_ptr[slot + 1]
        return self.identifier_positions[start:end].tolist()

    def name_tokens(self, n: int) -> tuple[tuple[str, ...], tuple[int, ...], tuple[float, ...]]:
        """Tokens, kinds and weights of name ``n`` (cached: names recur across queries)."""
        cached = self._name_cache.get(n)
        if cached is None:
            start, end = int(self.name_ptr[n]), int(self.name_ptr[n + 1])
            ids = self.name_tok[start:end].tolist()
            kinds = tuple(self.name_tok_kind[start:end].tolist())
            weights = tuple(
                float(self.token_weight[t]) * KIND_FACTOR[k]
                for t, k in zip(ids, kinds, strict=True)
            )
            cached = (tuple(self.vocab[t] for t in ids), kinds, weights)
            self._name_cache[n] = cached
        return cached

    def key_index(self) -> KeyIndex:
        """Listed names by their whole consonant keys (candidates for badly damaged names)."""
        if self._keys is None:
            self._keys = KeyIndex.build(self)
        return self._keys

    def name_owners(self) -> tuple[list[int], list[bool]]:
        """Per name, its entity's position and whether it is a weak alias (plain lists: a
        batch reads them for every candidate name)."""
        if self._owners is None:
            weak = (self.name_kind == WEAK_KIND).tolist()
            self._owners = (self.name_entity.tolist(), weak)
        return self._owners

    def prepare_batch(self) -> None:
        """Make now what every batch uses (the vocabulary's traits, the names' owners): before
        a batch forks its workers, so that they share them instead of each making them. Name
        token tables stay lazy: each worker builds only those of the names it meets."""
        self.vocab_traits()
        self.ocr_ids()
        self.name_owners()

    def token_matches(self, token: str, kind: int) -> TokenMatches:
        """Vocab tokens equal, phonetically equal or close in spelling to ``token``."""
        cached = self._token_cache.get((token, kind))
        if cached is None:
            self.lookup_tokens([(token, kind)])
            cached = self._token_cache[(token, kind)]
        return cached

    def cut_matches(self, token: str) -> TokenMatches:
        """:meth:`token_matches` of a NAME word a field may have cut short, with the listed
        words it begins added at :func:`~clearance.matching.scoring.prefix_similarity`: the
        pre-score then proposes the names of "SBERBANK" for "JOINT STOCK COMPANY SBER"."""
        own = self.token_matches(token, NAME)
        if len(token) < MIN_PREFIX:
            return own
        if self._sorted_vocab is None:
            order = np.argsort(np.array(self.vocab, dtype=object), kind="stable")
            self._sorted_vocab = ([self.vocab[i] for i in order], order.astype(np.int32))
        words, order = self._sorted_vocab
        start = bisect.bisect_left(words, token)
        end = bisect.bisect_left(words, token + "\U0010ffff", lo=start)
        begun = [i for i in range(start, min(end, start + MAX_COMPLETIONS)) if words[i] != token]
        if not begun:
            return own
        ids = np.concatenate([own.ids, order[begun]]).astype(np.int32)
        similarities = np.concatenate(
            [
                own.similarities,
                np.array([prefix_similarity(token, words[i]) for i in begun], dtype=np.float32),
            ]
        )
        # a word both near and begun ("trade" of "trad") once, at its better similarity: the
        # pre-score adds up what a token reaches
        best = np.lexsort((-similarities, ids))
        first = np.ones(len(best), dtype=bool)
        first[1:] = ids[best][1:] != ids[best][:-1]
        return TokenMatches(ids[best][first], similarities[best][first], own.weight)

    def lookup_tokens(self, keys: Iterable[tuple[str, int]]) -> None:
        """Find and cache the matches of every ``(token, kind)`` not cached yet.

        A listed token's matches were found when the index was built (``match_*`` arrays);
        the others are searched together (:meth:`_search`).
        """
        todo = [key for key in dict.fromkeys(keys) if key not in self._token_cache]
        if not todo:
            return
        if len(self._token_cache) + len(todo) > 200_000:
            self._token_cache.clear()
        stored = len(self.match_ptr) == len(self.vocab) + 1
        found = self._search(
            [
                token
                for token in dict.fromkeys(token for token, _ in todo)
                if not _is_initial(token) and not (stored and token in self.vocab_ids)
            ]
        )
        for token, kind in todo:
            if _is_initial(token):
                letter = np.array([len(self.vocab) + LETTERS.index(token)], dtype=np.int32)
                similarity = np.array([INITIAL_SIMILARITY], dtype=np.float32)
                self._token_cache[(token, kind)] = TokenMatches(letter, similarity, INITIAL_WEIGHT)
                continue
            exact = self.vocab_ids.get(token)
            if stored and exact is not None:
                start, end = self.match_ptr[exact], self.match_ptr[exact + 1]
                ids, sims = self.match_ids[start:end], self.match_sims[start:end]
            else:
                ids, sims = found[token]
            if exact is not None:
                weight = float(self.token_weight[exact])
            else:
                weight = self.unknown_weight
                if len(ids):
                    weight = float(self.token_weight[ids[int(np.argmax(sims))]])
                weight = min(weight, frequency.rank_weight(frequency.rank(token)))
            self._token_cache[(token, kind)] = TokenMatches(ids, sims, weight * KIND_FACTOR[kind])

    def _search(self, words: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per word, the vocab ids it reaches and their similarities (at least
        :data:`PART_SIMILARITY`): the word itself, then its proposed neighbours in the order
        proposed (the best match's weight prefers the earliest). The words' trigram overlap
        with the whole vocabulary is one sparse product, the neighbours' similarities one
        array computation, for all of them."""
        if not words:
            return {}
        probes = {word: read_digits(word) for word in words}
        fuzzy = self._trigram_neighbours(list({p for p in probes.values() if len(p) >= 2}))
        proposed = {
            word: self._proposed_tokens(word, fuzzy.get(probes[word], ())) for word in words
        }
        sizes = [len(ids) for ids in proposed.values()]
        pair_words = np.repeat(np.arange(len(proposed)), sizes)
        pair_ids = np.fromiter(
            (t for ids in proposed.values() for t, _ in ids), dtype=np.int64, count=sum(sizes)
        )
        if len(pair_ids) >= ARRAY_SEARCH_PAIRS:
            traits = TokenTraits.of(list(proposed)).take(pair_words)
            scores = similarity_arrays(traits, self.vocab_traits_of(pair_ids))
        else:  # a query on its own: one by one costs less than setting up the arrays
            scores = np.array(
                [
                    token_similarity(word, self.vocab[t])[0]
                    for word, ids in proposed.items()
                    for t, _ in ids
                ]
            )
        # trigram neighbours count from MIN_TOKEN_SIMILARITY, or as a part of the word
        by_trigrams = np.fromiter(
            (by for ids in proposed.values() for _, by in ids), dtype=bool, count=len(pair_ids)
        )
        value = np.where(~by_trigrams | (scores >= MIN_TOKEN_SIMILARITY), scores, 0.0)
        word_list = list(proposed)
        word_length = np.fromiter(map(len, word_list), dtype=np.int64, count=len(word_list))
        listed_length = np.fromiter((len(self.vocab[t]) for t in pair_ids), np.int64, len(pair_ids))
        parts = np.flatnonzero(
            by_trigrams
            & (scores < MIN_TOKEN_SIMILARITY)
            & (listed_length >= 3)
            & (word_length[pair_words] > listed_length)
        )
        inside = [
            self.vocab[t] in word_list[w]
            for w, t in zip(pair_words[parts].tolist(), pair_ids[parts].tolist(), strict=True)
        ]
        value[parts[np.asarray(inside, dtype=bool)]] = PART_SIMILARITY
        # per word: the word itself (if listed), then the proposals kept, in order
        exact = np.fromiter(
            (self.vocab_ids.get(w, -1) for w in word_list), np.int64, len(word_list)
        )
        listed_words = np.flatnonzero(exact >= 0)
        keep = np.flatnonzero(value >= PART_SIMILARITY)
        owner = np.concatenate([listed_words, pair_words[keep]])
        order = np.argsort(owner, kind="stable")
        ids = np.concatenate([exact[listed_words], pair_ids[keep]])[order].astype(np.int32)
        sims = np.concatenate([np.ones(len(listed_words)), value[keep]])[order].astype(np.float32)
        bounds = np.searchsorted(owner[order], np.arange(len(word_list) + 1)).tolist()
        return {
            word: (ids[bounds[w] : bounds[w + 1]], sims[bounds[w] : bounds[w + 1]])
            for w, word in enumerate(word_list)
        }

    def _store_listed_matches(self) -> None:
        """Search every listed token's matches now and keep them in the ``match_*`` arrays
        (saved with the index): most query tokens of a customer file are listed tokens."""
        words = [t for t in self.vocab if not _is_initial(t)]
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for start in range(0, len(words), STORE_CHUNK):
            found.update(self._search(words[start : start + STORE_CHUNK]))
        empty = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        rows = [found.get(token, empty) for token in self.vocab]
        self.match_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
        self.match_ptr[1:] = np.cumsum([len(ids) for ids, _ in rows])
        self.match_ids = np.concatenate([ids for ids, _ in rows]).astype(np.int32)
        self.match_sims = np.concatenate([sims for _, sims in rows]).astype(np.float32)
        self._token_cache.clear()

    def similarities(self, queries: list[str], listed: list[str]) -> np.ndarray:
        """``token_similarity(a, b)[0]`` of many (query token, listed token) pairs, in arrays
        over the vocabulary's traits (listed tokens are vocabulary tokens). Each distinct
        pair is computed once: the cells of a batch's alignments repeat pairs many times."""
        local = {token: offset for offset, token in enumerate(dict.fromkeys(queries))}
        firsts = np.fromiter(map(local.__getitem__, queries), np.int64, len(queries))
        seconds = np.fromiter(map(self.vocab_ids.__getitem__, listed), np.int64, len(listed))
        pairs, cells = np.unique(firsts * len(self.vocab) + seconds, return_inverse=True)
        values = similarity_arrays(
            TokenTraits.of(list(local)).take(pairs // len(self.vocab)),
            self.vocab_traits_of(pairs % len(self.vocab)),
        )
        return values[cells]

    def ocr_ids(self) -> dict[str, list[int]]:
        """Vocab ids by :func:`~clearance.matching.normalize.ocr_form` (made on first use)."""
        if self._ocr_ids is None:
            groups: dict[str, list[int]] = defaultdict(list)
            for t, token in enumerate(self.vocab):
                groups[ocr_form(token)].append(t)
            self._ocr_ids = dict(groups)
        return self._ocr_ids

    def vocab_traits(self) -> TokenTraits:
        """The vocabulary's :class:`TokenTraits` (made on the first lookup, not on reopening)."""
        if self._vocab_traits is None:
            self._vocab_traits = self._traits_of(np.arange(len(self.vocab)))
        return self._vocab_traits

    def vocab_traits_of(self, ids: np.ndarray) -> TokenTraits:
        """The traits of vocabulary tokens ``ids``: taken from :meth:`vocab_traits`, or made
        for these tokens alone while they are few and all made so far are fewer than the
        vocabulary (one ``clearance screen`` need not pay for the whole vocabulary; a
        service screening query after query soon makes it once)."""
        if self._vocab_traits is None and self._traits_made < len(self.vocab):
            unique, inverse = np.unique(ids, return_inverse=True)
            if len(unique) * FEW_TRAITS < len(self.vocab):
                self._traits_made += len(unique)
                return self._traits_of(unique).take(inverse)
        return self.vocab_traits().take(ids)

    def _traits_of(self, ids: np.ndarray) -> TokenTraits:
        skeletons = np.array(["", *self.skeleton_vocab], dtype=object)
        return TokenTraits.of(
            [self.vocab[t] for t in ids],
            [self.vocab_folds[t] for t in ids],
            list(skeletons[self.vocab_skeleton[ids] + 1]),
        )

    def _proposed_tokens(
        self, token: str, trigram_neighbours: Iterable[int]
    ) -> list[tuple[int, bool]]:
        """Vocab ids that may be close to ``token``, each once, in the order they are tried:
        same skeleton, one deletion apart, then the trigram neighbours (flagged ``True``: they
        are kept only when close enough). The exact token itself is not among them."""
        exact = self.vocab_ids.get(token)
        seen: set[int] = set() if exact is None else {exact}
        proposed: list[tuple[int, bool]] = []

        def propose(ids: Iterable[int], by_trigrams: bool) -> None:
            for t in ids:
                if t not in seen:
                    seen.add(t)
                    proposed.append((t, by_trigrams))

        propose(self.ocr_ids().get(ocr_form(token), ()), False)  # a scanner's look-alikes
        token = read_digits(token)  # "l0era": searched as "loera"
        key = phonetic_key(token)
        if key:
            slot = self.skeleton_ids.get(key)
            if slot is not None:
                start, end = self.skeleton_ptr[slot], self.skeleton_ptr[slot + 1]
                propose(self.skeleton_order[start:end].tolist(), False)
        if 3 <= len(token) <= SHORT_TOKEN + 1 and token.isalpha():
            for deleted in sorted(deletion_keys(token)):  # set order varies per process
                slot = self.short_slots.get(deleted)
                if slot is not None:
                    start, end = self.short_ptr[slot], self.short_ptr[slot + 1]
                    propose(self.short_ids[start:end].tolist(), False)
        propose(trigram_neighbours, True)
        return proposed

    def _trigram_neighbours(self, tokens: list[str]) -> dict[str, list[int]]:
        """Per token, the vocab ids sharing a Dice share of trigrams >= :data:`TRIGRAM_DICE`
        (the best :data:`MAX_FUZZY_TOKENS`), for all tokens at once."""
        rows: list[int] = []
        grams: list[int] = []
        lengths = np.zeros(len(tokens), dtype=np.int64)
        for r, token in enumerate(tokens):
            padded = trigrams(token)
            lengths[r] = len(padded)
            for gram in set(padded):
                gram_id = self.trigram_ids.get(gram)
                if gram_id is not None:
                    rows.append(r)
                    grams.append(gram_id)
        if not rows:
            return {}
        row_of, ids, counts = self._shared_trigrams(rows, grams, len(tokens))
        dice = 2.0 * counts / (lengths[row_of] + self.vocab_tri_count[ids])
        close = np.flatnonzero(dice >= TRIGRAM_DICE)
        # per token, ids ascending (ties at the MAX_FUZZY_TOKENS cut resolve the same each run)
        close = close[np.argsort(ids[close], kind="stable")]
        close = close[np.argsort(row_of[close], kind="stable")]
        ids, dice, row_of = ids[close], dice[close], row_of[close]
        bounds = np.searchsorted(row_of, np.arange(len(tokens) + 1))
        neighbours: dict[str, list[int]] = {}
        for r, token in enumerate(tokens):
            start, end = bounds[r], bounds[r + 1]
            if start == end:
                continue
            row_ids = ids[start:end]
            if end - start > MAX_FUZZY_TOKENS:
                top = np.argpartition(-dice[start:end], MAX_FUZZY_TOKENS)[:MAX_FUZZY_TOKENS]
                row_ids = row_ids[top]
            neighbours[token] = row_ids.tolist()
        return neighbours

    def _shared_trigrams(
        self, rows: list[int], grams: list[int], count: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(token row, vocab id, trigrams they share) for every pair sharing one.

        Many tokens: one sparse product (queries x trigrams) @ (trigrams x vocab). A few (one
        query on its own): the postings gathered and counted, without the sparse matrices'
        fixed costs.
        """
        if count > FEW_TOKENS:
            query = sp.csr_matrix(
                (np.ones(len(rows), dtype=np.int32), (rows, grams)),
                shape=(count, len(self.trigram_vocab)),
            )
            shared = (query @ self.trigram_matrix).tocsr()
            row_of = np.repeat(np.arange(count), np.diff(shared.indptr))
            return row_of, shared.indices, shared.data
        gram_ids = np.asarray(grams, dtype=np.int64)
        starts, ends = self.tri_indptr[gram_ids], self.tri_indptr[gram_ids + 1]
        vocab = np.concatenate([self.tri_indices[a:b] for a, b in zip(starts, ends, strict=True)])
        row_keys = np.repeat(np.asarray(rows, dtype=np.int64), ends - starts)
        keys, counts = np.unique(row_keys * len(self.vocab) + vocab, return_counts=True)
        return keys // len(self.vocab), (keys % len(self.vocab)).astype(np.int32), counts

    def prescore(
        self,
        queries: list[tuple[tuple[str, ...], tuple[int, ...]]],
        cuts: Sequence[int] | None = None,
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Per query and name, a cheap estimate of the name score (one sparse product).
        ``cuts`` gives per query the position of a word a field may have cut (-1: none),
        which also reaches the listed words it begins (:meth:`cut_matches`).

        Returns the queries x names estimate matrix and each query's token weights total.
        """
        self.lookup_tokens(
            (token, kind)
            for tokens, kinds in queries
            for token, kind in zip(tokens, kinds, strict=True)
        )
        cache = self._token_cache
        cuts = cuts or [-1] * len(queries)
        matches = [
            self.cut_matches(token)
            if position == cut and kind == NAME
            else cache[(token, kind)]
            for (tokens, kinds), cut in zip(queries, cuts, strict=True)
            for position, (token, kind) in enumerate(zip(tokens, kinds, strict=True))
        ]
        owner = np.repeat(np.arange(len(queries)), [len(tokens) for tokens, _ in queries])
        weights = np.array([m.weight for m in matches], dtype=np.float32)
        totals = np.zeros(len(queries), dtype=np.float32)
        np.add.at(totals, owner, weights)  # in order, in float32, as a running sum
        kinds = [kind for _, token_kinds in queries for kind in token_kinds]
        used = [
            position
            for position, (m, kind) in enumerate(zip(matches, kinds, strict=True))
            if kind == NAME and len(m.ids)
        ]
        if not used:
            return sp.csr_matrix((len(queries), len(self.name_text)), dtype=np.float32), totals
        counts = [len(matches[position].ids) for position in used]
        weighted = sp.csr_matrix(
            (
                np.concatenate([matches[position].similarities for position in used])
                * np.repeat(weights[used], counts),
                (
                    np.repeat(owner[used].astype(np.int32), counts),
                    np.concatenate([matches[position].ids for position in used]),
                ),
            ),
            shape=(len(queries), self.postings.shape[0]),
        )
        covered = (weighted @ self.postings).tocsr()
        # estimate: query-side coverage c, name side assumed to cover the same weight
        query_rows = np.repeat(np.arange(len(queries)), np.diff(covered.indptr))
        c = np.minimum(covered.data, totals[query_rows])
        name_total = self.name_weight[covered.indices]
        matched = np.minimum(c, name_total)
        denominator = totals[query_rows] + matched + MISSING_LISTED_FACTOR * (name_total - matched)
        covered.data = (c + matched) / np.maximum(denominator, 1e-6)
        return covered, totals


def _initial_postings(
    vocab: list[str], name_ptr: np.ndarray, name_tok: np.ndarray, name_tok_kind: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(row, name) pairs of the initial-letter rows: a name under each initial of its NAME
    tokens, once per letter (rows start after the vocab)."""
    first = np.array([LETTERS.find(t[0]) if len(t) > 1 else -1 for t in vocab], dtype=np.int32)
    letters = first[name_tok] if len(name_tok) else np.zeros(0, dtype=np.int32)
    names = np.repeat(np.arange(len(name_ptr) - 1), np.diff(name_ptr))
    keep = (letters >= 0) & (name_tok_kind == NAME)
    pairs = np.unique(np.stack([letters[keep], names[keep]]), axis=1)
    return pairs[0] + len(vocab), pairs[1]


def _is_initial(token: str) -> bool:
    return len(token) == 1 and token in LETTERS


def _ragged(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists of ints as CSR-style (pointers, values) arrays."""
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(g) for g in groups])
    values = np.fromiter((v for g in groups for v in g), dtype=np.int32, count=int(ptr[-1]))
    return ptr, values


def is_weak(kind_code: int) -> bool:
    return kind_code == WEAK_KIND
