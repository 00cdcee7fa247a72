"""List importers, one module per format. ``read_paths`` detects formats and groups files."""

from clearance.sources.batch import SourceBatch
from clearance.sources.detect import detect_format, newest_batches, read_paths

__all__ = ["SourceBatch", "detect_format", "newest_batches", "read_paths"]
