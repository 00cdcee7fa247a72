"""The combined bundled lists (newest version of each dataset + the register), read once per
test process and shared by the matching and batch tests."""

from __future__ import annotations

from functools import cache

from clearance.matching import Screener
from clearance.model import Entity
from clearance.register import load as load_register
from clearance.sources import newest_batches
from conftest import LISTS


@cache
def active_entities() -> tuple[Entity, ...]:
    """What a fresh install holds after importing every bundled list: the newest version of
    each dataset plus the built-in register."""
    entities = [e for batch in newest_batches([LISTS]) for e in batch.entities]
    return (*entities, *load_register())


@cache
def bundled_screener() -> Screener:
    return Screener.from_entities(active_entities(), version_key="bundled")
