"""Build ``src/clearance/matching/data/name_frequency.npz`` from the names-dataset package.

Why: how common a name is among people (not on the lists) decides how much a matched token
proves. names-dataset (MIT licence; first and last names of 105 countries with their rank in
each country) needs 3 GB of memory to load, far too much for screening, so this script keeps
only what scoring reads: per normalised token, its best rank as a given name and as a surname
in any country (ranks up to ``MAX_RANK``). Run it when the package is upgraded:

    pip install names-dataset==3.3.1
    PYTHONPATH=src python scripts/build_name_frequency.py
"""

from __future__ import annotations

import gzip
import pickle
from importlib.resources import files
from pathlib import Path

import numpy as np

from clearance.matching.normalize import NAME, normalize_name

#: Ranks kept: beyond it a name is rarer than the lists' own rarity can tell apart.
MAX_RANK = 2000
OUT = Path(__file__).resolve().parents[1] / "src/clearance/matching/data/name_frequency.npz"


def best_ranks(path: Path) -> dict[str, int]:
    """Normalised single-token name -> its best rank in any country."""
    with gzip.open(path, "rb") as handle:
        table = pickle.load(handle)
    best: dict[str, int] = {}
    for name, attributes in table.items():
        ranks = attributes.get("rank") or {}
        if not ranks:
            continue
        rank = min(ranks.values())
        if rank > MAX_RANK:
            continue
        normalized = normalize_name(name)
        if len(normalized.tokens) != 1 or normalized.kinds[0] != NAME:
            continue
        token = normalized.tokens[0]
        if len(token) < 2 or not token.isalpha():
            continue
        best[token] = min(rank, best.get(token, rank))
    return best


def main() -> None:
    data = Path(str(files("names_dataset"))) / "v3"
    first = best_ranks(data / "first_names.pkl.gz")
    last = best_ranks(data / "last_names.pkl.gz")
    tokens = sorted(first.keys() | last.keys())  # sorted: looked up by binary search
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUT,
        tokens=np.array([t.encode("ascii") for t in tokens]),
        given=np.array([first.get(t, 0) for t in tokens], dtype=np.uint16),
        surname=np.array([last.get(t, 0) for t in tokens], dtype=np.uint16),
    )
    print(f"{len(tokens)} tokens -> {OUT}")


if __name__ == "__main__":
    main()
