"""The versioned list store (SQLAlchemy 2 + Alembic): see :mod:`clearance.store.store`."""

from clearance.store.diff import EntityChange, VersionDiff
from clearance.store.store import (
    OUTCOME_IMPORTED,
    OUTCOME_UNCHANGED,
    ImportReport,
    ImportResult,
    OlderListError,
    Store,
    StoreError,
    VersionInfo,
)

__all__ = [
    "OUTCOME_IMPORTED",
    "OUTCOME_UNCHANGED",
    "EntityChange",
    "ImportReport",
    "ImportResult",
    "OlderListError",
    "Store",
    "StoreError",
    "VersionDiff",
    "VersionInfo",
]
