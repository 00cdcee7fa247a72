"""Plain text out of text, HTML and PDF files, so one mention finder serves all three.

Mention offsets refer to the *extracted* text (the report shows that text), so extraction must
be deterministic: HTML drops script/style/template content and comments, turns block elements
into line breaks and collapses layout whitespace; PDF text is pypdf's per-page text joined by
blank lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from clearance.errors import InputError, Location

#: Elements whose content is never document text.
SKIPPED_ELEMENTS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})

#: Elements that start a new line in the extracted text.
BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "div", "dl",
        "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th",
        "title", "tr", "ul",
    }
)  # fmt: skip

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


@dataclass(frozen=True, slots=True)
class Document:
    """Extracted text and where it came from; ``kind`` is "text", "html" or "pdf"."""

    text: str
    kind: str
    source: str
    title: str | None = None


def detect_kind(data: bytes, name: str = "") -> str:
    """ "pdf", "html" or "text", from the file's magic bytes first and its suffix second."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return "pdf"
    if head.startswith((b"<!doctype html", b"<html")) or Path(name).suffix.lower() in HTML_SUFFIXES:
        return "html"
    return "text"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM); Windows-1252 for legacy files that are not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def html_text(data: bytes | str, source: str = "<html>") -> tuple[str, str | None]:
    """The visible text of an HTML page, and its ``<title>``."""
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"cannot parse HTML: {exc}", Location(source)) from None
    title_node = root.find(".//title")
    title = " ".join(title_node.text_content().split()) if title_node is not None else None
    parts: list[str] = []

    def emit(value: str | None, preformatted: bool) -> None:
        if value:
            parts.append(value if preformatted else re.sub(r"\s+", " ", value))

    def walk(element: etree._Element, preformatted: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in SKIPPED_ELEMENTS:
            block = tag in BLOCK_ELEMENTS
            pre = preformatted or tag == "pre"
            if block:
                parts.append("\n")
            emit(element.text, pre)
            for child in element:
                walk(child, pre)
            if block:
                parts.append("\n")
        emit(element.tail, preformatted)

    body = root.find("body")
    walk(body if body is not None else root, False)
    lines = (line.strip() for line in "".join(parts).split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, title


def pdf_text(data: bytes, source: str = "<pdf>") -> str:
    """Text of every page, pages separated by a blank line."""
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read PDF: {exc}", Location(source)) from None
    return "\n\n".join(page.strip() for page in pages).strip()


def extract_bytes(data: bytes, source: str = "<bytes>") -> Document:
    """Text of a document given as bytes; the kind is detected (see :func:`detect_kind`)."""
    kind = detect_kind(data, source)
    if kind == "pdf":
        return Document(pdf_text(data, source), kind, source)
    if kind == "html":
        text, title = html_text(data, source)
        return Document(text, kind, source, title)
    return Document(decode_text(data), kind, source)


def extract(path: Path) -> Document:
    """Text of a text, HTML or PDF file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", Location(str(path))) from None
    return extract_bytes(data, str(path))
