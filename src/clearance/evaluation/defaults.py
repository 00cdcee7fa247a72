"""Defaults of a test set and of an evaluation run, kept apart so ``clearance evaluate --help``
can show them without importing the generators and numpy."""

from __future__ import annotations

DEFAULT_SEED = 42
DEFAULT_SAMPLE = 2000
DEFAULT_NEGATIVES = 2000
DEFAULT_NEAR_MISSES = 500
#: Look-alike negatives per kind (swapped surname, swapped token, near distance).
DEFAULT_LOOKALIKES = 500
#: People per common-name population, each screened by name alone and with a birth date.
DEFAULT_POPULATION = 1000
#: Hits kept per screened query.
DEFAULT_LIMIT = 10
