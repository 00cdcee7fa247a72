"""Scores must not depend on the process: dask workers and CLI runs are separate processes,
each with its own string-hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from clearance import Screener
from clearance.model import Entity, Name
from clearance.register import load
# tokens one deletion away from the query tokens below, so their order of discovery matters
extra = [Entity(id=f"test:{i}", schema="Person", names=[Name(n)])
         for i, n in enumerate(["WJI ABBAS", "HJI BASEER", "HWI HAWALA", "HWJ KARIM", "ARG MORA",
                                "TRA LOPEZ", "ARGA NUNEZ", "SOL RUIZ", "SLS DIAZ", "SOLS VEGA"])]
screener = Screener.from_entities(load() + extra)
queries = ["Hwji Baseer Hawala", "Hwji Karim", "Arga Mora", "Sols Vega", "Trn de Arga", "Cartl del Nrste", "Mra Slvtrcha", "Kataib Hezbolah",
           "Ansar al Sharia", "Cartel de los Sols", "Jaish Mohamed", "Hamas Movmnt", "Lashkar e Tayba"]
for query in queries:
    for hit in screener.screen(query, limit=5, threshold=0.3):
        print(query, hit.entity_id, repr(hit.score))
for token in ("hwji", "arga", "sols", "tyba", "hamas", "nrste"):
    matches = screener.index.token_matches(token, 0)
    print(token, matches.ids.tolist(), matches.similarities.tolist(), matches.weight)
"""


def _run(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_scores_are_the_same_whatever_the_hash_seed() -> None:
    outputs = {seed: _run(seed) for seed in ("0", "1", "2")}
    assert outputs["0"].strip(), "the script screened nothing"
    assert outputs["0"] == outputs["1"] == outputs["2"]
