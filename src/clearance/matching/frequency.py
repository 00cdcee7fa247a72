"""How common a name is among people: the population side of a token's weight.

Token rarity inside the lists cannot see that "John", "Lee" or "Kaya" are among the commonest
names on earth (they are rare on the SDN). ``data/name_frequency.npz`` (built by
``scripts/build_name_frequency.py`` from the names-dataset package: given names and surnames
of 105 countries with their rank in each) gives each normalised token its best rank in any
country, as a given name and as a surname. A rank becomes nats of evidence by Zipf's law (the
r-th commonest name is held by about ``ZIPF_SHARE / r`` of a population), so a token's weight
is at most what it proves about a person.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files

import numpy as np

#: Share of a population holding its commonest name (Zipf's law: the r-th holds share / r).
ZIPF_SHARE = 0.02
#: A name this high in some country's ranking is a common name: two different common names a
#: couple of letters apart are two names, not one name with a typo.
COMMON_RANK = 100


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, np.ndarray]:
    """Sorted tokens (bytes) and each one's best rank (given name or surname, 0 = none)."""
    with files("clearance.matching").joinpath("data/name_frequency.npz").open("rb") as handle:
        data = np.load(handle)
        tokens, given, surname = data["tokens"], data["given"], data["surname"]
    given = np.where(given > 0, given, np.iinfo(np.uint16).max).astype(np.int64)
    surname = np.where(surname > 0, surname, np.iinfo(np.uint16).max).astype(np.int64)
    best = np.minimum(given, surname)
    return tokens, np.where(best == np.iinfo(np.uint16).max, 0, best)


def ranks(tokens: Sequence[str]) -> np.ndarray:
    """Best population rank of each token (0: not a common name anywhere)."""
    table, best = _table()
    if not len(tokens):
        return np.zeros(0, dtype=np.int64)
    keys = np.array([t.encode("ascii", "replace") for t in tokens], dtype=table.dtype)
    at = np.minimum(np.searchsorted(table, keys), len(table) - 1)
    # a token longer than the table's longest is cut by the cast: lengths must agree too
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    found = (table[at] == keys) & (np.char.str_len(table[at]) == lengths)
    return np.where(found, best[at], 0)


@lru_cache(maxsize=65536)
def rank(token: str) -> int:
    """:func:`ranks` of one token."""
    return int(ranks([token])[0])


def rank_weight(value: int) -> float:
    """Nats of evidence a name of population rank ``value`` carries (inf: not ranked)."""
    if value <= 0:
        return math.inf
    return math.log(value / ZIPF_SHARE)


def weights(tokens: Sequence[str]) -> np.ndarray:
    """:func:`rank_weight` of each token, in an array."""
    found = ranks(tokens).astype(np.float64)
    with np.errstate(divide="ignore"):
        return np.where(found > 0, np.log(np.maximum(found, 1.0) / ZIPF_SHARE), np.inf)


def is_common(token: str) -> bool:
    """Among the :data:`COMMON_RANK` commonest names of some country."""
    return 0 < rank(token) <= COMMON_RANK
