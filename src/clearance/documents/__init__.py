"""Scan documents (plain text, HTML, PDF) for mentions of listed names.

``scan(text_or_path, screener=None, threshold=None)`` is the Python API: a ``str`` is scanned as
text, a :class:`~pathlib.Path` (or ``bytes``) is extracted first (see :mod:`.extract`). Mention
offsets refer to the extracted text, which :func:`scan_document` returns alongside.
"""

from __future__ import annotations

import logging
import weakref
from pathlib import Path

from clearance.documents.extract import Document, extract, extract_bytes
from clearance.documents.mentions import (
    PERSISTED_NAME,
    PERSISTED_PREFIX,
    Mention,
    MentionIndex,
    find_mentions,
)
from clearance.matching import Screener

__all__ = [
    "Document",
    "Mention",
    "MentionIndex",
    "extract",
    "mention_index",
    "scan",
    "scan_document",
]

log = logging.getLogger(__name__)

_INDEXES: weakref.WeakKeyDictionary[Screener, MentionIndex] = weakref.WeakKeyDictionary()


def mention_index(screener: Screener) -> MentionIndex:
    """The mention dictionary of a screener's entities, built once per screener.

    A screener opened on the store has its index persisted in a folder keyed by the active list
    versions; the mention dictionary is kept in the same folder, so the next ``clearance scan``
    on the same lists loads it instead of building it again.
    """
    index = _INDEXES.get(screener)
    if index is None:
        folder = screener.folder
        path = folder / PERSISTED_NAME if folder is not None else None
        index = MentionIndex.load(path) if path is not None else None
        if index is None:
            index = MentionIndex.from_screener(screener)
            if path is not None:
                _replace_persisted(index, path)
        _INDEXES[screener] = index
    return index


def _replace_persisted(index: MentionIndex, path: Path) -> None:
    """Save ``index`` at ``path`` and drop indexes an older build left in the folder. A folder
    that cannot be written only costs the next scan a rebuild."""
    try:
        for stale in path.parent.glob(f"{PERSISTED_PREFIX}*.marshal"):
            stale.unlink(missing_ok=True)
        index.save(path)
    except OSError as exc:
        log.warning("mention index not saved in %s: %s", path.parent, exc)


def _document(source: str | bytes | Path) -> Document:
    if isinstance(source, Path):
        return extract(source)
    if isinstance(source, bytes):
        return extract_bytes(source)
    return Document(source, "text", "<text>")


def scan_document(
    source: str | bytes | Path, screener: Screener | None = None, threshold: float | None = None
) -> tuple[Document, list[Mention]]:
    """The extracted document and its mentions (offsets into ``document.text``)."""
    document = _document(source)
    index = mention_index(screener or Screener.open())
    return document, find_mentions(document.text, index, threshold)


def scan(
    text_or_path: str | bytes | Path,
    screener: Screener | None = None,
    threshold: float | None = None,
) -> list[Mention]:
    """Mentions of listed names in a text (``str``) or a text/HTML/PDF file (``Path``)."""
    return scan_document(text_or_path, screener, threshold)[1]
