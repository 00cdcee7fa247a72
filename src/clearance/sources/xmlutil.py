"""Streaming, namespace-agnostic XML reading shared by the OFAC and UN XML importers.

A list file that declares a DTD (``<!DOCTYPE ...>``, with or without entities) is refused with
its line: official lists never carry one, entities are never expanded (no network, no files),
and an unexpanded entity would silently empty the field that uses it, so a name could vanish.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from clearance.errors import InputError, Location


def local(element: etree._Element) -> str:
    """The tag without its namespace ("{ns}sdnEntry" -> "sdnEntry")."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if local(c) == name), None)


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local(c) == name]


def text(element: etree._Element | None, name: str | None = None) -> str | None:
    """Stripped text of ``element`` (or of its child ``name``); None when missing or blank."""
    node = element if name is None or element is None else child(element, name)
    if node is None or node.text is None:
        return None
    value = " ".join(node.text.split())
    return value or None


def iter_xml(
    path: Path, roots: tuple[str, ...], records: tuple[str, ...]
) -> Iterator[tuple[str, etree._Element]]:
    """Yield ``("root", root)`` first, then each finished record element (cleared afterwards).

    Raises :class:`InputError` naming the file (and line) for malformed XML or a root tag not
    in ``roots``. The root's direct non-record children are also yielded (e.g. publish info).
    """
    if not path.read_bytes()[:4096].strip():
        raise InputError("empty file: no XML content", Location(str(path)))
    try:
        context = etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        depth = 0
        root: etree._Element | None = None
        for event, element in context:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = element
                    _refuse_dtd(path, element)
                    if local(element) not in roots:
                        raise InputError(
                            f"unknown XML root <{local(element)}>: expected "
                            + " or ".join(f"<{r}>" for r in roots),
                            Location(str(path), element.sourceline),
                        )
                    yield "root", element
                continue
            depth -= 1
            name = local(element)
            if name in records:
                yield name, element
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
            elif depth == 1:
                yield name, element
        if root is None:
            raise InputError("empty XML file", Location(str(path)))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"malformed XML: {exc.msg}", Location(str(path), exc.lineno)) from None


def _refuse_dtd(path: Path, root: etree._Element) -> None:
    """:class:`InputError` at the DOCTYPE (or first ENTITY) line when the file declares one."""
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if not docinfo.doctype and dtd is None:
        return
    entities = [entity.name for entity in dtd.iterentities()] if dtd is not None else []
    needle = b"<!ENTITY" if entities else b"<!DOCTYPE"
    what = f"entities ({', '.join(entities)})" if entities else "a DTD (<!DOCTYPE ...>)"
    raise InputError(
        f"the file declares {what}: refused, since list files never need one and entities are "
        "not expanded, so a field using one would silently become empty",
        Location(str(path), _first_line_with(path, needle, root.sourceline)),
    )


def _first_line_with(path: Path, needle: bytes, last: int | None) -> int | None:
    """The number of the first line (up to ``last``) holding ``needle``."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if needle in line:
                return number
            if last is not None and number >= last:
                break
    return None
