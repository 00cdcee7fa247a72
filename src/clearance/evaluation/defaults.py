"""Defaults of a test set and of an evaluation run, kept apart so ``clearance evaluate --help``
can show them without importing the generators and numpy."""

from __future__ import annotations

DEFAULT_SEED = 42
DEFAULT_SAMPLE = 2000
DEFAULT_NEGATIVES = 2000
DEFAULT_NEAR_MISSES = 500
#: Hits kept per screened query.
DEFAULT_LIMIT = 10
