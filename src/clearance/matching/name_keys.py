"""Candidates for names damaged in most of their words, found by the whole name's consonants.

Token lookups propose a listed name when some of the query's words are close to its words.
Two damages in one name (vowels stripped from every word and a scanner's digit, two words run
together and a first letter lost) leave no word close enough, yet the name's consonant key
(:func:`~clearance.matching.scoring.consonant_key` of each word, run together: "gzmnlrjqn"
for "GUZMAN LOERA, Joaquin" and for "GZMN L0R, Jqn") still shares most of its letter
triples with the listed name's. Listed names are indexed by the triples of their keys
(IDF-weighted, cosine), and a query's best few names by that measure join its candidates;
scoring then reads the name whole (:func:`~clearance.matching.scoring.whole_name_scores`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from clearance.matching.scoring import name_keys

if TYPE_CHECKING:
    from clearance.matching.index import NameIndex

#: Names proposed per query, and the least cosine of their key triples to the query's.
KEY_CANDIDATES = 8
MIN_KEY_COSINE = 0.5
#: Keys shorter than this say too little to propose anything.
MIN_KEY_LENGTH = 5
#: Triples held by more than this share of listed names are left out of a query (they
#: propose everything and cost the most).
COMMON_TRIPLE_SHARE = 0.02
FILE = "keys.npz"


def trigrams(token: str) -> list[str]:
    """Letter triples of a token or key with its ends marked (" gz", "gzm", ..., "qn ");
    the index's token search uses the same."""
    padded = f" {token} "
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


class KeyIndex:
    """Listed names by the letter triples of their consonant keys."""

    def __init__(self, grams: list[str], matrix: sp.csr_matrix, idf: np.ndarray) -> None:
        self.grams = grams
        self.gram_ids = {g: i for i, g in enumerate(grams)}
        self.matrix = matrix  # triples x names, IDF-weighted, each name's column of norm 1
        self.idf = idf

    @classmethod
    def build(cls, index: NameIndex) -> KeyIndex:
        gram_ids: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for n in range(len(index.name_text)):
            tokens, kinds, _ = index.name_tokens(n)
            key = name_keys(tokens, kinds)[0]
            if len(key) < MIN_KEY_LENGTH:
                continue
            for gram in set(trigrams(key)):
                rows.append(gram_ids.setdefault(gram, len(gram_ids)))
                cols.append(n)
        shape = (len(gram_ids), len(index.name_text))
        counts = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
        frequency = np.diff(counts.indptr)
        idf = np.log((1.0 + shape[1]) / (1.0 + frequency)).astype(np.float32)
        weighted = sp.csr_matrix(sp.diags(idf) @ counts)
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=0))).ravel()
        weighted = sp.csr_matrix(weighted @ sp.diags(1.0 / np.where(norms > 0, norms, 1.0)))
        grams = sorted(gram_ids, key=gram_ids.__getitem__)
        return cls(grams, weighted.astype(np.float32), idf)

    def save(self, folder: Path) -> None:
        np.savez(
            folder / FILE,
            grams=np.array(self.grams, dtype=str),
            data=self.matrix.data,
            indices=self.matrix.indices,
            indptr=self.matrix.indptr,
            shape=np.array(self.matrix.shape),
            idf=self.idf,
        )

    @classmethod
    def load(cls, folder: Path) -> KeyIndex | None:
        try:
            with np.load(folder / FILE, allow_pickle=False) as data:
                shape = tuple(int(v) for v in data["shape"])
                matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]), shape)
                return cls(data["grams"].tolist(), matrix, data["idf"])
        except (OSError, ValueError, KeyError):
            return None

    def candidates(self, keys: Sequence[str]) -> list[list[int]]:
        """Per query key, the listed names whose keys share the most triples with it (at
        least :data:`MIN_KEY_COSINE`, the best :data:`KEY_CANDIDATES`)."""
        found: list[list[int]] = [[] for _ in keys]
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        common = math.log(1.0 / (COMMON_TRIPLE_SHARE + 1e-9))
        for q, key in enumerate(keys):
            if len(key) < MIN_KEY_LENGTH:
                continue
            ids = [self.gram_ids[g] for g in set(trigrams(key)) if g in self.gram_ids]
            weights = self.idf[ids] if ids else np.zeros(0, np.float32)
            norm = float(np.sqrt(np.square(weights).sum())) if ids else 0.0
            for g, w in zip(ids, weights.tolist(), strict=True):
                if w >= common:  # a triple too common to tell names apart: not looked up
                    rows.append(q)
                    cols.append(g)
                    vals.append(w / norm)
        if not rows:
            return found
        queries = sp.csr_matrix((vals, (rows, cols)), shape=(len(keys), self.matrix.shape[0]))
        scores = sp.csr_matrix(queries @ self.matrix)
        for q in range(len(keys)):
            start, end = scores.indptr[q], scores.indptr[q + 1]
            values, names = scores.data[start:end], scores.indices[start:end]
            good = values >= MIN_KEY_COSINE
            values, names = values[good], names[good]
            order = np.lexsort((names, -values))[:KEY_CANDIDATES]
            found[q] = names[order].tolist()
        return found
