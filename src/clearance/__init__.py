"""Clearance: screening against terrorist-designation and sanctions lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from clearance.matching import Hit, Screener, compare

__all__ = ["Hit", "Screener", "__version__", "compare"]


def __getattr__(name: str) -> Any:
    """``from clearance import Screener, compare``, imported on first use (numpy/scipy are slow
    to import and most CLI commands never screen)."""
    if name in ("Screener", "Hit", "compare"):
        from clearance import matching

        return getattr(matching, name)
    raise AttributeError(f"module 'clearance' has no attribute {name!r}")
