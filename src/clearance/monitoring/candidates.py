"""The cheap, vectorised candidate pass of reverse re-screening.

When a list changes, a handful of entities are new or changed, but there may be millions of
monitored records. Instead of screening every record against the full list, the names of the
changed entities are turned into tokens, fuzzy-matched against the *vocabulary* of record tokens
(tens of thousands of distinct words, not millions of rows), and a sparse product finds the records
that share enough tokens with some entity name. Only those candidates go to the real matcher.

Rule: a record is a candidate for an entity name with ``k`` informative tokens when it contains at
least ``min(2, k)`` of them, a token matching as the matcher's token similarity would: equal,
same consonant skeleton, or within its edit allowance (typos, transliteration variants). A record
whose normalised ``id_number`` equals an identifier of a changed entity is always a candidate.
Weak aliases are left out: they confirm a hit but do not raise one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import OSA
from scipy import sparse

from clearance.matching.normalize import LEGAL_FORMS, PARTICLES, skeleton
from clearance.model import Entity, NameKind

#: Tokens that do not make two names similar on their own: the matcher's name particles and
#: legal forms (one list for both), and the single letters a dotted "S.A." splits into.
STOP_TOKENS = PARTICLES | frozenset(LEGAL_FORMS) | frozenset({"s", "a"})
#: Tokens shorter than this must match exactly (the matcher allows no edit below 3 letters).
FUZZY_MIN_LENGTH = 3
#: Most edits the matcher tolerates in one token (9+ letters).
MAX_EDITS = 3


def normalise_names(names: pa.Array) -> pa.Array:
    """Lower-case, accent-free, punctuation-free names; non-Latin scripts transliterated.

    Vectorised over a million records in seconds, where the matcher's per-name
    :func:`clearance.matching.normalize.normalize_name` would take half a minute; it only has
    to keep every token the matcher could match on, not reproduce its reading of names.
    """
    text = pc.utf8_normalize(names, "NFKD")
    text = pc.replace_substring_regex(text, r"\p{Mn}", "")
    if not pc.all(pc.fill_null(pc.string_is_ascii(text), True)).as_py():
        values = text.to_pylist()
        text = pa.array(
            [v if v is None or v.isascii() else anyascii(v) for v in values], pa.string()
        )
    text = pc.utf8_lower(text)
    text = pc.replace_substring_regex(text, r"['’`´]", "")
    text = pc.replace_substring_regex(text, r"[^\p{L}\p{N}]+", " ")
    return pc.utf8_trim_whitespace(text)


def tokenise(names: pa.Array) -> pa.ListArray:
    return pc.split_pattern(normalise_names(names), " ")


def normalise_identifier(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


@dataclass(slots=True)
class RecordTokens:
    """Token index of the monitored records: a sparse records x vocabulary incidence matrix."""

    vocabulary: np.ndarray  # distinct tokens (object array of str)
    incidence: sparse.csr_matrix  # records x vocabulary, 1 where the record's name has the token
    identifiers: np.ndarray  # normalised id numbers ("" where none), per record

    @classmethod
    def build(cls, names: Sequence[str], id_numbers: Sequence[str | None]) -> RecordTokens:
        tokens = tokenise(pa.array(names, pa.string()))
        flat = pc.list_flatten(tokens)
        parents = pc.list_parent_indices(tokens).to_numpy()
        keep = pc.greater(pc.utf8_length(flat), 0).to_numpy(zero_copy_only=False)
        encoded = pc.dictionary_encode(flat.filter(pa.array(keep)))
        codes = encoded.indices.to_numpy()
        vocabulary = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
        rows = parents[keep]
        incidence = sparse.csr_matrix(
            (np.ones(len(codes), dtype=np.int8), (rows, codes)),
            shape=(len(names), len(vocabulary)),
        )
        incidence.data[:] = 1  # a token repeated in one name counts once
        ids = pa.array([v or "" for v in id_numbers], pa.string())
        ids = pc.replace_substring_regex(pc.utf8_upper(ids), r"[^\p{L}\p{N}]+", "")
        return cls(vocabulary, incidence, np.asarray(ids.to_pylist(), dtype=object))

    def __len__(self) -> int:
        return self.incidence.shape[0]


def _entity_names(entities: Sequence[Entity]) -> list[str]:
    """Names that may raise a hit; weak aliases only confirm one (domain notes, section 4)."""
    return [
        name.full
        for entity in entities
        for name in entity.names
        if name.full and name.kind != NameKind.WEAK_ALIAS
    ]


def candidate_records(index: RecordTokens, entities: Sequence[Entity]) -> np.ndarray:
    """Sorted indices of the records that could match any of ``entities``."""
    if not entities or len(index) == 0:
        return np.zeros(0, dtype=np.int64)
    names = _entity_names(entities)
    token_lists = tokenise(pa.array(names, pa.string())).to_pylist()
    name_tokens = [
        sorted({t for t in tokens or [] if t and t not in STOP_TOKENS}) for tokens in token_lists
    ]
    distinct = sorted({t for tokens in name_tokens for t in tokens})
    found = np.zeros(len(index), dtype=bool)
    if distinct and len(index.vocabulary):
        token_col = {t: i for i, t in enumerate(distinct)}
        vocab_matches = _vocabulary_matches(distinct, index.vocabulary)  # vocab x tokens
        record_has = (index.incidence @ vocab_matches).tocsr()  # records x tokens (counts)
        record_has.data[:] = 1
        rows, cols, need = [], [], []
        for n, tokens in enumerate(name_tokens):
            if not tokens:
                continue
            for t in tokens:
                rows.append(token_col[t])
                cols.append(n)
            need.append((n, min(2, len(tokens))))
        token_name = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(distinct), len(names))
        )
        per_name = (record_has.astype(np.int32) @ token_name).tocoo()  # records x names
        needed = np.zeros(len(names), dtype=np.int32)
        for n, k in need:
            needed[n] = k
        ok = per_name.data >= needed[per_name.col]
        found[per_name.row[ok]] = True
    entity_ids = {
        normalise_identifier(i.number) for e in entities for i in e.identifiers if i.number
    }
    entity_ids.discard("")
    if entity_ids:
        found |= np.isin(index.identifiers, list(entity_ids))
    return np.flatnonzero(found)


def _vocabulary_matches(tokens: list[str], vocabulary: np.ndarray) -> sparse.csr_matrix:
    """vocabulary x tokens incidence, with the matcher's own token tolerance.

    A vocabulary token matches when equal, when its consonant skeleton equals the token's
    (transliteration variants: Mohammed / Muhammad), or when it is within the matcher's allowed
    edits (:func:`clearance.matching.scoring.edits_allowed` of the shorter token).
    """
    position = {t: i for i, t in enumerate(vocabulary)}
    pairs: set[tuple[int, int]] = set()
    for j, token in enumerate(tokens):
        if token in position:
            pairs.add((position[token], j))
    alpha = np.fromiter(
        (v.isalpha() and len(v) >= FUZZY_MIN_LENGTH for v in vocabulary),
        dtype=bool,
        count=len(vocabulary),
    )
    eligible = np.flatnonzero(alpha)
    fuzzy = [(j, t) for j, t in enumerate(tokens) if t.isalpha() and len(t) >= FUZZY_MIN_LENGTH]
    if fuzzy and len(eligible):
        choices = vocabulary[eligible].tolist()
        by_skeleton: dict[str, list[int]] = {}
        for i, choice in zip(eligible.tolist(), choices, strict=True):
            by_skeleton.setdefault(skeleton(choice), []).append(i)
        for j, token in fuzzy:
            pairs.update((i, j) for i in by_skeleton.get(skeleton(token), ()))
        lengths = np.fromiter((len(c) for c in choices), dtype=np.int32, count=len(choices))
        for start in range(0, len(fuzzy), 256):
            chunk = fuzzy[start : start + 256]
            distances = process.cdist(
                [t for _, t in chunk],
                choices,
                scorer=OSA.distance,
                score_cutoff=MAX_EDITS,
                dtype=np.uint8,
                workers=-1,
            )
            query_lengths = np.array([len(t) for _, t in chunk], dtype=np.int32)
            shorter = np.minimum(query_lengths[:, None], lengths[None, :])
            allowed = np.select([shorter <= 2, shorter <= 5, shorter <= 8], [0, 1, 2], MAX_EDITS)
            rows, cols = np.nonzero(distances <= allowed)
            pairs.update(
                (int(eligible[c]), chunk[r][0])
                for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
            )
    if not pairs:
        return sparse.csr_matrix((len(vocabulary), len(tokens)), dtype=np.int32)
    rows_, cols_ = zip(*pairs, strict=True)
    return sparse.csr_matrix(
        (np.ones(len(pairs), dtype=np.int32), (rows_, cols_)), shape=(len(vocabulary), len(tokens))
    )
