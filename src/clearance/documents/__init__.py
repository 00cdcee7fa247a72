"""Scan documents (plain text, HTML, PDF) for mentions of listed names.

``scan(text_or_path, screener=None, threshold=None)`` is the Python API: a ``str`` is scanned as
text, a :class:`~pathlib.Path` (or ``bytes``) is extracted first (see :mod:`.extract`). Mention
offsets refer to the extracted text, which :func:`scan_document` returns alongside.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from clearance.documents.extract import Document, extract, extract_bytes
from clearance.documents.mentions import Mention, MentionIndex, find_mentions
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

_INDEXES: weakref.WeakKeyDictionary[Screener, MentionIndex] = weakref.WeakKeyDictionary()


def mention_index(screener: Screener) -> MentionIndex:
    """The mention dictionary of a screener's entities, built once per screener."""
    index = _INDEXES.get(screener)
    if index is None:
        index = MentionIndex.from_screener(screener)
        _INDEXES[screener] = index
    return index


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
