"""The combined bundled lists (newest version of each dataset + the register), read once per
test process and shared by the matching and batch tests."""

from __future__ import annotations

from functools import cache

from conftest import LISTS

from clearance.matching import Screener
from clearance.model import Entity
from clearance.register import load as load_register
from clearance.sources import read_paths


@cache
def active_entities() -> tuple[Entity, ...]:
    """What a fresh install holds after importing every bundled list: the newest version of
    each dataset (``read_paths`` orders versions oldest first) plus the built-in register."""
    newest = {}
    for batch in read_paths([LISTS]):
        newest[batch.dataset] = batch
    entities = [e for batch in newest.values() for e in batch.entities]
    return (*entities, *load_register())


@cache
def bundled_screener() -> Screener:
    return Screener.from_entities(active_entities(), version_key="bundled")
