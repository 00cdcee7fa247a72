"""Name matching: normalisation, the candidate index, scoring and explained hits.

``Screener.open()`` / ``Screener.from_entities()``, ``Screener.screen()`` and ``compare()`` are the
public interface; :data:`DEFAULT_THRESHOLD` is the alert threshold they use.
"""

from clearance.matching.normalize import normalize_name, skeleton
from clearance.matching.screener import (
    DEFAULT_THRESHOLD,
    FEATURE_DOCS,
    Feature,
    Hit,
    Query,
    Screener,
    compare,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "FEATURE_DOCS",
    "Feature",
    "Hit",
    "Query",
    "Screener",
    "compare",
    "normalize_name",
    "skeleton",
]
