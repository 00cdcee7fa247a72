"""The ownership page (``/ui/ownership``): what the 50 Percent Rule flags, and the graph around
one party drawn as server-rendered SVG (:func:`clearance.ownership.explain.as_svg`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from clearance.errors import InputError
from clearance.ownership import DERIVED_DATASETS, OwnershipStore, analyse
from clearance.ownership.explain import STATUS_WORDS, as_svg, as_text, find_node, neighbourhood

router = APIRouter(prefix="/ui", include_in_schema=False)


@router.get("/ownership")
def ownership_page(request: Request, entity: str = "") -> HTMLResponse:
    from clearance.web.routes import _principal, _render

    principal = _principal(request)
    services = request.app.state.services
    store = services.store()
    flagged = sorted(store.entities(datasets=DERIVED_DATASETS), key=lambda e: (e.dataset, e.caption))
    view = svg = text = None
    if entity.strip():
        result = analyse(store, screener=services.screener())
        try:
            view = neighbourhood(result, find_node(result, entity))
        except InputError as exc:
            raise HTTPException(404, exc.reason) from None
        svg, text = Markup(as_svg(view)), as_text(view)
    return _render(
        request,
        "ownership.html",
        principal,
        page="ownership",
        entity=entity,
        flagged=flagged,
        datasets=OwnershipStore(store).active_versions(),
        view=view,
        svg=svg,
        text=text,
        words=STATUS_WORDS,
    )
