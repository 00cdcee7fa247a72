"""Scan results as JSON, a terminal table, or a self-contained HTML report.

The HTML report is one file with inline CSS and no scripts, so it can be mailed or archived
with a case: the extracted text with every mention highlighted, the designation (list,
programs, legal consequences) on hover, and a summary of the entities found.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Sequence

from rich.table import Table

from clearance.documents.extract import Document
from clearance.documents.mentions import Mention
from clearance.legal import consequences_for

_CSS = """
body { font: 15px/1.55 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1d1d1f; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.text { white-space: pre-wrap; border: 1px solid #ddd; padding: 1rem; border-radius: 6px; }
mark.mention { background: #ffe08a; border-bottom: 2px solid #c77700; position: relative;
  cursor: help; padding: 0 1px; }
mark.mention.block { background: #ffb3b3; border-bottom-color: #b00020; }
mark.mention .tip { display: none; position: absolute; left: 0; top: 1.6em; z-index: 10;
  width: 26rem; background: #222; color: #fff; padding: .6rem .8rem; border-radius: 6px;
  font-size: 13px; line-height: 1.4; white-space: normal; }
mark.mention:hover .tip, mark.mention:focus .tip { display: block; }
table { border-collapse: collapse; width: 100%; } td, th { border-bottom: 1px solid #ddd;
  text-align: left; padding: .3rem .5rem; vertical-align: top; }
.muted { color: #666; }
"""


def to_json(mentions: Sequence[Mention]) -> str:
    return json.dumps([m.to_dict() for m in mentions], ensure_ascii=False, indent=2)


def to_table(mentions: Sequence[Mention], title: str) -> Table:
    table = Table(title=title)
    for column in ("offset", "text", "entity", "caption", "programs", "score"):
        table.add_column(column, justify="right" if column in ("offset", "score") else "left")
    for m in mentions:
        table.add_row(
            f"{m.start}-{m.end}",
            m.text,
            m.entity_id,
            m.caption,
            ", ".join(m.programs) or "-",
            f"{m.score:.2f}",
        )
    return table


def _designation_lines(mention: Mention) -> list[str]:
    consequences = consequences_for(mention.programs, mention.dataset)
    return [
        f"{mention.caption} ({mention.entity_id})",
        f"Programs: {', '.join(mention.programs) or 'none'}",
        *(f"- {c.title} [{c.legal_basis}]" for c in consequences),
        f"Score {mention.score:.2f}: {mention.explanation}",
    ]


def _grouped(mentions: Sequence[Mention]) -> list[tuple[int, int, list[Mention]]]:
    """Mentions of the same span together (one highlight per span, several designations)."""
    spans: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    for mention in mentions:
        spans[(mention.start, mention.end)].append(mention)
    return [(start, end, group) for (start, end), group in sorted(spans.items())]


def to_html(document: Document, mentions: Sequence[Mention]) -> str:
    """A self-contained HTML page: highlighted text plus a summary table."""
    from clearance.legal import block_worthy

    text = document.text
    pieces: list[str] = []
    cursor = 0
    for start, end, group in _grouped(mentions):
        if start < cursor:
            continue
        pieces.append(html.escape(text[cursor:start]))
        lines = [line for m in group for line in [*_designation_lines(m), ""]][:-1]
        title = "\n".join(lines)
        blocking = any(block_worthy(m.programs, m.dataset) for m in group)
        tip = "<br>".join(html.escape(line) for line in lines)
        pieces.append(
            f'<mark class="mention{" block" if blocking else ""}" tabindex="0" '
            f'title="{html.escape(title, quote=True)}" '
            f'data-entities="{html.escape(" ".join(m.entity_id for m in group), quote=True)}">'
            f'{html.escape(text[start:end])}<span class="tip">{tip}</span></mark>'
        )
        cursor = end
    pieces.append(html.escape(text[cursor:]))
    rows = []
    seen: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        seen[mention.entity_id].append(mention)
    for entity_id, group in seen.items():
        first = group[0]
        titles = "; ".join(c.title for c in consequences_for(first.programs, first.dataset))
        rows.append(
            "<tr>"
            f"<td>{html.escape(first.caption)}<br><span class='muted'>{html.escape(entity_id)}</span></td>"
            f"<td>{html.escape(', '.join(first.programs) or '-')}</td>"
            f"<td>{len(group)}</td>"
            f"<td>{max(m.score for m in group):.2f}</td>"
            f"<td>{html.escape(titles)}</td>"
            "</tr>"
        )
    heading = html.escape(document.title or document.source)
    summary = (
        "<table><tr><th>entity</th><th>programs</th><th>mentions</th><th>score</th>"
        f"<th>consequences</th></tr>{''.join(rows)}</table>"
        if rows
        else "<p>No listed names found.</p>"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Clearance scan: {heading}</title><style>{_CSS}</style></head><body>"
        f"<h1>Clearance scan: {heading}</h1>"
        f"<p class='muted'>{len(mentions)} mention(s) of {len(seen)} listed "
        f"entit{'y' if len(seen) == 1 else 'ies'} in {len(text)} characters of "
        f"{html.escape(document.kind)} text. Hover a highlight for the designation.</p>"
        f"<h2>Entities</h2>{summary}"
        f"<h2>Text</h2><div class='text'>{''.join(pieces)}</div></body></html>\n"
    )
