"""List importers, one module per format. ``read_paths`` detects formats and groups files.

The readers (and followthemoney, which the FtM reader needs) are imported on first use: the
store imports ``clearance.sources.batch``, and screening a name should not load every format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clearance.sources.batch import SourceBatch

if TYPE_CHECKING:
    from clearance.sources.detect import detect_format, newest_batches, read_paths

__all__ = ["SourceBatch", "detect_format", "newest_batches", "read_paths"]


def __getattr__(name: str) -> Any:
    if name in ("detect_format", "newest_batches", "read_paths"):
        from clearance.sources import detect

        return getattr(detect, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
