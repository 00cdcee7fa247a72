"""The candidate index: which listed names can possibly match a query, without a full scan.

Built once per set of active list versions and persisted (numpy arrays + JSON) so reopening
takes well under a second. Layout:

- ``vocab``: distinct normalised tokens; ``token_weight``: their rarity (IDF over entities).
- ``postings``: CSR matrix vocab x names (which names carry a token, joined hyphen forms too).
- ``trigrams``: CSR matrix trigram x vocab, so a query token's misspellings are found with one
  gather + bincount over the postings of its character trigrams.
- ``skeletons``: phonetic skeleton -> vocab tokens (transliterations, dropped vowels).

A chunk of queries becomes one sparse matrix (queries x vocab, weighted similarities) whose
product with ``postings`` pre-scores every name at once; only the best few per query are
aligned exactly by :mod:`clearance.matching.scoring`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from clearance.matching.normalize import (
    NAME,
    joined_hyphen_tokens,
    normalize_name,
    skeleton,
)
from clearance.matching.scoring import (
    INITIAL_SIMILARITY,
    KIND_FACTOR,
    MISSING_LISTED_FACTOR,
    normalize_identifier,
    token_similarity,
)
from clearance.model import STRONG_ID_KINDS, Entity, NameKind

#: Bumped whenever normalisation, the index layout or scoring inputs change (part of the key).
MATCHER_VERSION = "clearance-matcher-2"

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
MIN_TOKEN_SIMILARITY = 0.6
#: A listed token found inside a longer query token ("abubakr" holds "bakr"), candidates only.
PART_SIMILARITY = 0.5
#: Tokens this short are looked up by single-deletion keys (trigrams barely overlap for them).
SHORT_TOKEN = 5
#: An initial ("J.") says little: its weight, whatever the letter.
INITIAL_WEIGHT = 2.0
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
        )


def trigrams(token: str) -> list[str]:
    padded = f" {token} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


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
    )

    def __init__(
        self,
        entities: list[EntityInfo],
        name_text: list[str],
        vocab: list[str],
        trigram_vocab: list[str],
        skeleton_vocab: list[str],
        arrays: dict[str, np.ndarray],
    ) -> None:
        self.entities = entities
        self.name_text = name_text
        self.vocab = vocab
        self.trigram_vocab = trigram_vocab
        self.skeleton_vocab = skeleton_vocab
        for key in self.ARRAYS:
            setattr(self, key, arrays[key])
        self.vocab_ids = {token: i for i, token in enumerate(vocab)}
        self.trigram_ids = {gram: i for i, gram in enumerate(trigram_vocab)}
        postings = sp.csr_matrix(
            (
                np.ones(len(self.post_indices), dtype=np.float32),
                self.post_indices,
                self.post_indptr,
            ),
            shape=(len(vocab), len(name_text)),
        )
        # rows after the vocab: one per letter, the names with a NAME token of that initial
        self.postings = sp.vstack([postings, self._initial_postings()], format="csr")
        self.short_tokens: dict[str, list[int]] = defaultdict(list)
        for token_id, token in enumerate(vocab):
            if 3 <= len(token) <= SHORT_TOKEN and token.isalpha():
                for key in deletion_keys(token):
                    self.short_tokens[key].append(token_id)
        by_skeleton: dict[int, list[int]] = defaultdict(list)
        for token_id, skeleton_id in enumerate(self.vocab_skeleton.tolist()):
            if skeleton_id >= 0:
                by_skeleton[skeleton_id].append(token_id)
        self.skeleton_tokens = {
            skeleton_vocab[k]: np.asarray(v, dtype=np.int32) for k, v in by_skeleton.items()
        }
        self.identifier_entities: dict[str, list[int]] = defaultdict(list)
        for position, info in enumerate(entities):
            for _, number, _ in info.identifiers:
                self.identifier_entities[number].append(position)
        self.unknown_weight = float(math.log(1.0 + len(entities)))
        self._name_cache: dict[int, tuple[tuple[str, ...], tuple[int, ...], tuple[float, ...]]]
        self._name_cache = {}
        self._token_cache: dict[str, TokenMatches] = {}
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
            for name in order:
                normalized = normalize_name(name.full)
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
        token_weight = np.array(
            [math.log(1.0 + total / max(1, len(ents))) for ents in token_entities],
            dtype=np.float32,
        )
        name_ptr = np.zeros(len(name_tokens) + 1, dtype=np.int64)
        name_ptr[1:] = np.cumsum([len(t) for t in name_tokens])
        flat = [t for tokens in name_tokens for t in tokens]
        flat_kinds = [k for kinds in name_kinds for k in kinds]

        # postings: vocab x names (NAME tokens and joined forms; particles and legal forms
        # never make a candidate on their own)
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
        postings = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(vocab), len(name_text)),
        )
        postings.sum_duplicates()

        trigram_ids: dict[str, int] = {}
        tri_rows, tri_cols = [], []
        tri_count = np.zeros(len(vocab), dtype=np.int16)
        skeleton_ids: dict[str, int] = {}
        vocab_skeleton = np.full(len(vocab), -1, dtype=np.int32)
        for t, token in enumerate(vocab):
            grams = set(trigrams(token))
            tri_count[t] = len(grams)
            for gram in grams:
                gram_id = trigram_ids.setdefault(gram, len(trigram_ids))
                tri_rows.append(gram_id)
                tri_cols.append(t)
            if token.isalpha() and len(token) >= 3:
                key = skeleton(token)
                if len(key) >= 2:
                    vocab_skeleton[t] = skeleton_ids.setdefault(key, len(skeleton_ids))
        tri = sp.csr_matrix(
            (np.ones(len(tri_rows), dtype=np.int8), (tri_rows, tri_cols)),
            shape=(len(trigram_ids), len(vocab)),
        )
        arrays = {
            "name_entity": np.asarray(name_entity, dtype=np.int32),
            "name_kind": np.asarray(name_kind, dtype=np.int8),
            "name_ptr": name_ptr,
            "name_tok": np.asarray(flat, dtype=np.int32),
            "name_tok_kind": np.asarray(flat_kinds, dtype=np.int8),
            "token_weight": token_weight,
            "post_indptr": postings.indptr.astype(np.int64),
            "post_indices": postings.indices.astype(np.int32),
            "tri_indptr": tri.indptr.astype(np.int64),
            "tri_indices": tri.indices.astype(np.int32),
            "vocab_tri_count": tri_count,
            "vocab_skeleton": vocab_skeleton,
        }
        return cls(infos, name_text, vocab, list(trigram_ids), list(skeleton_ids), arrays)

    # --- persistence -------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write atomically: a half-written index is never opened."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        try:
            np.savez(staging / "arrays.npz", **{k: getattr(self, k) for k in self.ARRAYS})
            document = {
                "matcher": MATCHER_VERSION,
                "entities": [info.to_json() for info in self.entities],
                "names": self.name_text,
                "vocab": self.vocab,
                "trigrams": self.trigram_vocab,
                "skeletons": self.skeleton_vocab,
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
            with np.load(folder / "arrays.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in cls.ARRAYS}
        except (OSError, ValueError, KeyError):
            return None
        if document.get("matcher") != MATCHER_VERSION:
            return None
        return cls(
            [EntityInfo.from_json(row) for row in document["entities"]],
            document["names"],
            document["vocab"],
            document["trigrams"],
            document["skeletons"],
            arrays,
        )

    # --- lookups -----------------------------------------------------------------------------

    def _name_weights(self) -> np.ndarray:
        """Per name: sum of token weights (kind factors applied), for the pre-score."""
        factors = np.array([KIND_FACTOR[k] for k in sorted(KIND_FACTOR)], dtype=np.float32)
        weights = self.token_weight[self.name_tok] * factors[self.name_tok_kind]
        sums = np.add.reduceat(weights, self.name_ptr[:-1]) if len(weights) else weights
        empty = self.name_ptr[1:] == self.name_ptr[:-1]
        sums = np.where(empty, 0.0, sums)
        return sums.astype(np.float32)

    def _initial_postings(self) -> sp.csr_matrix:
        first = np.array(
            [LETTERS.find(t[0]) if len(t) > 1 else -1 for t in self.vocab], dtype=np.int32
        )
        letters = first[self.name_tok]
        names = np.repeat(np.arange(len(self.name_text)), np.diff(self.name_ptr))
        keep = (letters >= 0) & (self.name_tok_kind == NAME)
        matrix = sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (letters[keep], names[keep])),
            shape=(len(LETTERS), len(self.name_text)),
        )
        matrix.data[:] = 1.0  # a name with two tokens of one initial counts once
        return matrix

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

    def token_matches(self, token: str, kind: int) -> TokenMatches:
        """Vocab tokens equal, phonetically equal or close in spelling to ``token``."""
        key = f"{kind}:{token}"
        cached = self._token_cache.get(key)
        if cached is not None:
            return cached
        found: dict[int, float] = {}
        if len(token) == 1 and token in LETTERS:
            letter = np.array([len(self.vocab) + LETTERS.index(token)], dtype=np.int32)
            matches = TokenMatches(
                letter, np.array([INITIAL_SIMILARITY], dtype=np.float32), INITIAL_WEIGHT
            )
            self._token_cache[key] = matches
            return matches
        exact = self.vocab_ids.get(token)
        if exact is not None:
            found[exact] = 1.0
        if len(token) >= 3 and token.isalpha():
            for t in self.skeleton_tokens.get(skeleton(token), ()):
                t = int(t)
                if t not in found:
                    found[t] = token_similarity(token, self.vocab[t])[0]
        if 3 <= len(token) <= SHORT_TOKEN + 1 and token.isalpha():
            for deleted in deletion_keys(token):
                for t in self.short_tokens.get(deleted, ()):
                    if t not in found:
                        found[t] = token_similarity(token, self.vocab[t])[0]
        if len(token) >= 2:
            self._fuzzy_tokens(token, found)
        ids = np.fromiter(found.keys(), dtype=np.int32, count=len(found))
        sims = np.fromiter(found.values(), dtype=np.float32, count=len(found))
        keep = sims >= PART_SIMILARITY
        ids, sims = ids[keep], sims[keep]
        if exact is not None:
            weight = float(self.token_weight[exact])
        elif len(ids):
            weight = float(self.token_weight[ids[int(np.argmax(sims))]])
        else:
            weight = self.unknown_weight
        matches = TokenMatches(ids, sims, weight * KIND_FACTOR[kind])
        if len(self._token_cache) > 200_000:
            self._token_cache.clear()
        self._token_cache[key] = matches
        return matches

    def _fuzzy_tokens(self, token: str, found: dict[int, float]) -> None:
        grams = [self.trigram_ids[g] for g in set(trigrams(token)) if g in self.trigram_ids]
        if not grams:
            return
        pieces = [self.tri_indices[self.tri_indptr[g] : self.tri_indptr[g + 1]] for g in grams]
        hits = np.concatenate(pieces)
        ids, counts = np.unique(hits, return_counts=True)
        query_count = len(trigrams(token))
        dice = 2.0 * counts / (query_count + self.vocab_tri_count[ids])
        close = dice >= TRIGRAM_DICE
        ids, dice = ids[close], dice[close]
        if len(ids) > MAX_FUZZY_TOKENS:
            top = np.argpartition(-dice, MAX_FUZZY_TOKENS)[:MAX_FUZZY_TOKENS]
            ids = ids[top]
        for t in ids.tolist():
            if t in found:
                continue
            listed = self.vocab[t]
            similarity = token_similarity(token, listed)[0]
            if similarity >= MIN_TOKEN_SIMILARITY:
                found[t] = similarity
            elif len(listed) >= 3 and len(token) > len(listed) and listed in token:
                found[t] = PART_SIMILARITY

    def prescore(
        self, queries: list[tuple[tuple[str, ...], tuple[int, ...]]]
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Per query and name, a cheap estimate of the name score (one sparse product).

        Returns the queries x names estimate matrix and each query's token weights total.
        """
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        totals = np.zeros(len(queries), dtype=np.float32)
        for q, (tokens, kinds) in enumerate(queries):
            for token, kind in zip(tokens, kinds, strict=True):
                matches = self.token_matches(token, kind)
                totals[q] += matches.weight
                if kind != NAME or not len(matches.ids):
                    continue
                rows.append(np.full(len(matches.ids), q, dtype=np.int32))
                cols.append(matches.ids)
                vals.append(matches.similarities * np.float32(matches.weight))
        if not rows:
            return sp.csr_matrix((len(queries), len(self.name_text)), dtype=np.float32), totals
        weighted = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
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


def is_weak(kind_code: int) -> bool:
    return kind_code == WEAK_KIND
