"""The graph around one party: its owners up the chains, what it owns, and why it is flagged.

:func:`neighbourhood` is the one description the CLI prints (:func:`as_text`) and the web UI
draws (:func:`as_svg`, a layered drawing: listed owners on the left, the party in the middle,
what it owns on the right, arrows labelled with the shares).
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from clearance.errors import InputError, Location
from clearance.ownership.evaluation import DERIVED_DATASETS, Result, chains, share_text

#: How far up the ownership chains the neighbourhood reaches.
DEPTH = 6
#: Most parties drawn per column.
COLUMN_LIMIT = 30
STATUS_WORDS = {
    "listed": "LISTED (blocked owner)",
    "blocked": "BLOCKED by ownership",
    "possibly_blocked": "POSSIBLY BLOCKED (range reaches 50%)",
    "significant": "significant blocked ownership",
    None: "not blocked",
}


def find_node(result: Result, reference: str) -> int:
    """A party by derived entity id, ``<dataset>/<party id>``, party id or exact name."""
    keys = result.graph.keys
    wanted = reference.strip()
    if wanted.split(":", 1)[0] in DERIVED_DATASETS:
        wanted = wanted.split(":", 1)[1]
    for n, key in enumerate(keys):
        if key == wanted or key.split("/", 1)[1] == wanted:
            return n
    folded = wanted.casefold()
    named = [n for n, (_, p) in enumerate(result.graph.parties) if p.name.casefold() == folded]
    if len(named) == 1:
        return named[0]
    if named:
        raise InputError(
            f"{len(named)} parties are named {reference!r}; give one of: "
            + ", ".join(keys[n] for n in named),
            Location(field="entity"),
        )
    raise InputError(f"no party {reference!r} in the active ownership data", Location(field="entity"))


def neighbourhood(result: Result, node: int) -> dict[str, Any]:
    """Nodes (with layer: negative = owners, 0 = the party, 1 = owned) and edges around ``node``."""
    g = result.graph.graph
    owners_of = (g.upper + g.control).tocsr()
    layer = {node: 0}
    frontier = [node]
    for depth in range(1, DEPTH + 1):
        step = []
        for current in frontier:
            for owner in owners_of[current].indices.tolist():
                if owner not in layer:
                    layer[owner] = -depth
                    step.append(owner)
        frontier = step[:COLUMN_LIMIT]
    for owned in g.owns[node].indices.tolist():
        layer.setdefault(owned, 1)
    edges = []
    for owned in layer:
        for owner in owners_of[owned].indices.tolist():
            if owner in layer:
                edges.append(
                    {
                        "owner": result.graph.keys[owner],
                        "owned": result.graph.keys[owned],
                        "share": share_text(result.graph, owner, owned),
                    }
                )
    e = result.evaluation
    nodes = []
    for n, level in sorted(layer.items(), key=lambda item: (item[1], result.graph.parties[item[0]][1].name)):
        _, party = result.graph.parties[n]
        seed = result.seeds[n]
        nodes.append(
            {
                "key": result.graph.keys[n],
                "name": party.name,
                "schema": party.schema,
                "layer": level,
                "status": result.status(n),
                "listed": (
                    {"id": seed.entity_id, "name": seed.caption, "how": seed.how, "score": seed.score}
                    if seed
                    else None
                ),
                "share_lower": round(float(e.share_lower[n]) * 100, 4),
                "share_upper": round(float(e.share_upper[n]) * 100, 4),
                "eu_uk": bool(e.eu_uk[n]),
            }
        )
    status = result.status(node)
    basis = e.possibly if status == "possibly_blocked" else e.blocked
    cycles = [
        [result.graph.keys[m] for m in group]
        for group in e.cycles
        if np.isin(group, list(layer)).any()
    ]
    return {
        "center": result.graph.keys[node],
        "name": result.graph.parties[node][1].name,
        "status": status,
        "share_lower": round(float(e.share_lower[node]) * 100, 4),
        "share_upper": round(float(e.share_upper[node]) * 100, 4),
        "eu_uk": bool(e.eu_uk[node]),
        "chains": [c["text"] for c in chains(result, node, basis | e.seeds)],
        "nodes": nodes,
        "edges": edges,
        "cycles": cycles,
        "list_versions": result.list_versions,
        "regime": result.settings.regime,
    }


def as_text(view: dict[str, Any]) -> str:
    """The neighbourhood for a terminal: the verdict, the chains, owners and owned parties."""
    by_key = {n["key"]: n for n in view["nodes"]}
    lines = [f"{view['name']} [{view['center']}]: {STATUS_WORDS[view['status']]}"]
    low, high = view["share_lower"], view["share_upper"]
    share = f"{low:g}%" if low == high else f"{low:g}%–{high:g}%"
    lines.append(f"  share held by blocked persons: {share}")
    if view["eu_uk"]:
        lines.append("  EU/UK test: owned more than 50% or controlled by listed persons")
    if view["chains"]:
        lines.append("chains:")
        lines += [f"  {chain}" for chain in view["chains"]]
    for title, wanted in (("owners:", lambda e: e["owned"]), ("owns:", lambda e: e["owner"])):
        rows = [e for e in view["edges"] if wanted(e) == view["center"]]
        if not rows:
            continue
        lines.append(title)
        for edge in rows:
            other = by_key[edge["owner"] if title == "owners:" else edge["owned"]]
            listed = f" = {other['listed']['name']} [{other['listed']['id']}]" if other["listed"] else ""
            lines.append(
                f"  {edge['share']:>10}  {other['name']} [{other['key']}]{listed}  "
                f"({STATUS_WORDS[other['status']]})"
            )
    for group in view["cycles"]:
        lines.append("cycle (cross-holding, evaluation terminates): " + " → ".join(group))
    versions = ", ".join(f"{k} {v}" for k, v in sorted(view["list_versions"].items()))
    lines.append(f"list versions: {versions}")
    return "\n".join(lines)


COLOURS = {
    "listed": "#b71c1c",
    "blocked": "#e53935",
    "possibly_blocked": "#fb8c00",
    "significant": "#fdd835",
    None: "#eceff1",
}
BOX_W, BOX_H, GAP_X, GAP_Y = 220, 46, 110, 22


def as_svg(view: dict[str, Any]) -> str:
    """A layered drawing of the neighbourhood as one SVG element (server-rendered)."""
    layers = sorted({n["layer"] for n in view["nodes"]})
    columns = {level: [n for n in view["nodes"] if n["layer"] == level] for level in layers}
    height = max(len(c) for c in columns.values()) * (BOX_H + GAP_Y) + GAP_Y + 20
    width = len(layers) * (BOX_W + GAP_X) + GAP_X
    place: dict[str, tuple[float, float]] = {}
    for x_index, level in enumerate(layers):
        column = columns[level]
        top = (height - len(column) * (BOX_H + GAP_Y)) / 2
        for y_index, node in enumerate(column):
            place[node["key"]] = (
                GAP_X / 2 + x_index * (BOX_W + GAP_X),
                top + GAP_Y / 2 + y_index * (BOX_H + GAP_Y),
            )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ownership-graph" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="Ownership graph around {escape(view["name"])}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#455a64"/></marker></defs>',
    ]
    for edge in view["edges"]:
        x1, y1 = place[edge["owner"]]
        x2, y2 = place[edge["owned"]]
        start = (x1 + BOX_W, y1 + BOX_H / 2)
        end = (x2, y2 + BOX_H / 2)
        if x2 <= x1:  # a back edge (cycle): leave from the bottom, arrive at the bottom
            start, end = (x1 + BOX_W / 2, y1 + BOX_H), (x2 + BOX_W / 2, y2 + BOX_H)
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 - 4)
        parts.append(
            f'<g class="edge" data-owner="{escape(edge["owner"])}" data-owned="{escape(edge["owned"])}">'
            f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" y2="{end[1]:.1f}" '
            'stroke="#455a64" stroke-width="1.5" marker-end="url(#arrow)"/>'
            f'<text x="{mid[0]:.1f}" y="{mid[1]:.1f}" text-anchor="middle" font-size="12" '
            f'fill="#263238">{escape(edge["share"])}</text></g>'
        )
    for node in view["nodes"]:
        x, y = place[node["key"]]
        colour = COLOURS[node["status"]]
        label = node["name"] if len(node["name"]) <= 30 else node["name"][:29] + "…"
        sub = node["listed"]["id"] if node["listed"] else STATUS_WORDS[node["status"]]
        stroke = 3 if node["key"] == view["center"] else 1
        parts.append(
            f'<g class="node" data-key="{escape(node["key"])}" data-status="{node["status"] or "none"}">'
            f"<title>{escape(node['name'])} [{escape(node['key'])}]</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="{colour}" fill-opacity="0.35" stroke="#263238" stroke-width="{stroke}"/>'
            f'<text x="{x + 8:.1f}" y="{y + 19:.1f}" font-size="13" font-weight="600" '
            f'fill="#212121">{escape(label)}</text>'
            f'<text x="{x + 8:.1f}" y="{y + 36:.1f}" font-size="11" fill="#37474f">'
            f"{escape(sub)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
