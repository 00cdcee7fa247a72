"""The web UI: server-rendered pages over the same library calls as the API.

Pages: search with ranked, explained results (``/ui/``), entity (``/ui/entity/{id}``), batch
upload with live progress (``/ui/batch``), list status and diff (``/ui/lists``), ownership graph (``/ui/ownership``, in
:mod:`clearance.web.ownership`). When auth is on,
a user logs in with an API key; the session cookie is signed and checked like a key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request, UploadFile
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearance.api.convert import default_threshold
from clearance.api.jobs import owned_job, start_job
from clearance.api.lists import diff_versions, lists_status
from clearance.api.models import ScreenRequest
from clearance.api.screening import screen_record
from clearance.api.security import SESSION_COOKIE, SESSION_SECONDS, Principal, Role
from clearance.legal import consequences_for_entity
from clearance.model import SCHEMATA, Entity
from clearance.register import register_links_for
from clearance.store import Store
from clearance.store.diff import changed_fields

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(prefix="/ui", include_in_schema=False)

TITLES = {
    403: "Not allowed",
    404: "Not found",
    429: "Too many requests",
    503: "Not ready",
}

#: Lowest score the search page lists, so analysts also see weaker resemblances.
SEARCH_FLOOR = 0.5
#: Best hits a finished batch job shows on its page (the download has them all).
PREVIEW_ROWS = 25
#: Rows per section of the diff page (the JSON endpoint has them all).
DIFF_ROWS = 500


class LoginRequired(Exception):
    """Raised by :func:`_principal` to send the browser to the login page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def _principal(request: Request, role: Role = Role.SCREENING) -> Principal:
    guard = request.app.state.guard
    cookie = request.cookies.get(SESSION_COOKIE)
    try:
        principal = guard.authenticate(request, None, cookie)
    except HTTPException:
        raise LoginRequired(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
        ) from None
    guard.check(request, principal, role)
    request.state.principal = principal
    return principal


def _render(
    request: Request, name: str, principal: Principal | None, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"principal": principal, "auth": request.app.state.guard.enabled, **context},
    )


@router.get("/login")
def login_page(request: Request, next: str = "/ui/") -> HTMLResponse:
    return _render(request, "login.html", None, next=next, error=None, page="login")


@router.post("/login")
def login(request: Request, api_key: str = Form(...), next: str = Form("/ui/")) -> Response:
    guard = request.app.state.guard
    principal = guard.principal_for_token(api_key)
    if principal is None:
        response = _render(
            request, "login.html", None, next=next, error="That API key is not valid.", page="login"
        )
        response.status_code = 401
        return response
    target = next if next.startswith("/ui/") else "/ui/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        guard.signer.sign(principal.key_id),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _hit_view(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit with its explanation split the way the results table shows it: the token pairs,
    the listed tokens the query lacks, the query tokens the name lacks, and each piece of
    evidence (birth date, country, identifier, type, weak alias) with its effect on the score."""
    tokens = hit.get("tokens", [])
    return {
        **hit,
        "pairs": [t for t in tokens if t["query"] is not None and t["listed"] is not None],
        "missing": [t["listed"] for t in tokens if t["query"] is None],
        "extra": [t["query"] for t in tokens if t["listed"] is None],
        "evidence": [f for f in hit.get("features", []) if f["name"] != "name"],
    }


@router.get("/")
def search_page(
    request: Request,
    q: str = "",
    schema: str = "",
    birth_date: str = "",
    country: str = "",
) -> HTMLResponse:
    principal = _principal(request)
    hits: list[dict[str, Any]] = []
    error = None
    if q.strip():
        try:
            record = ScreenRequest(
                name=q.strip(),
                schema=schema or None,
                birth_date=birth_date.strip() or None,
                country=country.strip() or None,
                limit=25,
                threshold=min(SEARCH_FLOOR, default_threshold()),
            )
            result = screen_record(request, record)
            hits = [_hit_view(h) for h in result["hits"]]
            from clearance.api.security import audit

            audit(request, "/ui/", result["query"], len(hits))
        except ValidationError as exc:
            error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return _render(
        request,
        "search.html",
        principal,
        page="search",
        q=q,
        schema=schema,
        birth_date=birth_date,
        country=country,
        hits=hits,
        error=error,
        threshold=default_threshold(),
        floor=min(SEARCH_FLOOR, default_threshold()),
        schemata=SCHEMATA,
    )


@router.get("/entity/{entity_id}")
def entity_page(request: Request, entity_id: str) -> HTMLResponse:
    principal = _principal(request)
    store = request.app.state.services.store()
    entity = store.get_entity(entity_id)
    if entity is None:
        raise HTTPException(404, f"No entity with id {entity_id!r} in the active list versions.")
    related = list(entity.links)
    known = {link.target_id for link in related}
    for register_id in register_links_for(entity.id):
        if register_id not in known:
            register_entity = store.get_entity(register_id)
            name = register_entity.caption if register_entity else register_id
            related.append(_Link("designated_as", name, register_id))
    return _render(
        request,
        "entity.html",
        principal,
        page="entity",
        entity=entity,
        related=related,
        consequences=consequences_for_entity(entity),
        history=_history(store, entity),
    )


def _history(store: Store, entity: Entity) -> list[dict[str, Any]]:
    """The entity's state in each stored version of its list, newest first, with the fields
    that changed from the version before (the store's own diff rule)."""
    rows = []
    previous: Entity | None = None
    seen = False
    for version in store.versions(dataset=entity.dataset):
        listed = store.get_entity(entity.id, version_id=version.id)
        fields: tuple[str, ...] = ()
        if listed is None:
            state = "removed" if previous is not None else "not listed"
        elif previous is None:
            state = "re-listed" if seen else "added"
        else:
            fields = changed_fields(previous.to_dict(), listed.to_dict())
            state = "changed" if fields else "unchanged"
        seen = seen or listed is not None
        rows.append({"version": version, "state": state, "fields": fields})
        previous = listed
    return rows[::-1]


class _Link:
    """A related-entity row for links the entity does not carry itself (register -> SDN)."""

    def __init__(self, relation: str, target_name: str, target_id: str) -> None:
        self.relation, self.target_name, self.target_id = relation, target_name, target_id


@router.get("/batch")
def batch_page(request: Request) -> HTMLResponse:
    principal = _principal(request, Role.ANALYST)
    return _render(
        request,
        "batch.html",
        principal,
        page="batch",
        job=None,
        error=None,
        threshold=default_threshold(),
    )


@router.post("/batch")
async def batch_upload(request: Request, file: UploadFile, threshold: str = Form("")) -> Response:
    principal = _principal(request, Role.ANALYST)
    try:
        value = float(threshold) if threshold.strip() else None
        if value is not None and not 0.0 <= value <= 1.0:
            raise ValueError
    except ValueError:
        return _render(
            request,
            "batch.html",
            principal,
            page="batch",
            job=None,
            threshold=default_threshold(),
            error="Threshold must be a number between 0 and 1.",
        )
    data = await file.read()
    state = start_job(request, principal, file.filename or "upload.csv", data, value)
    return RedirectResponse(f"/ui/batch/{state['id']}", status_code=303)


@router.get("/batch/{job_id}")
def batch_job_page(request: Request, job_id: str) -> HTMLResponse:
    principal = _principal(request, Role.ANALYST)
    state = owned_job(request, principal, job_id)
    preview = None
    if state["status"] == "done":
        results = pd.read_parquet(request.app.state.jobs.root / job_id / "results.parquet")
        results = results[results["status"] == "hit"]  # no_hit rows only carry warnings
        preview = results.sort_values("score", ascending=False, kind="stable").head(PREVIEW_ROWS)
    return _render(
        request,
        "batch.html",
        principal,
        page="batch",
        job=state,
        preview=None if preview is None else preview.to_dict("records"),
        error=None,
        threshold=default_threshold(),
    )


@router.get("/lists")
def lists_page(request: Request) -> HTMLResponse:
    principal = _principal(request)
    status = lists_status(request.app.state.services.store())
    previous = _previous_versions(status["versions"])
    # The form starts on the latest change of any list: its newest version and the one before.
    latest = next((v["id"] for v in status["versions"] if previous[v["id"]]), None)
    return _render(
        request,
        "lists.html",
        principal,
        page="lists",
        previous=previous,
        default_a=previous.get(latest) if latest else None,
        default_b=latest,
        **status,
    )


def _previous_versions(versions: list[dict[str, Any]]) -> dict[int, int | None]:
    """Version id -> the id of the same dataset's version before it (``versions`` newest first)."""
    previous: dict[int, int | None] = {}
    last_seen: dict[str, int] = {}
    for version in reversed(versions):
        previous[version["id"]] = last_seen.get(version["dataset"])
        last_seen[version["dataset"]] = version["id"]
    return previous


@router.get("/lists/diff")
def diff_page(request: Request, a: str, b: str) -> HTMLResponse:
    principal = _principal(request, Role.ANALYST)
    store = request.app.state.services.store()
    diff = diff_versions(store, None, a, b)
    return _render(
        request,
        "diff.html",
        principal,
        page="lists",
        diff=diff,
        old=store.version(diff.old),
        new=store.version(diff.new),
        added=_captioned(store, diff.added, diff.new),
        removed=_captioned(store, diff.removed, diff.old),
        limit=DIFF_ROWS,
    )


def _captioned(store: Store, ids: list[str], version_id: int) -> list[tuple[str, str]]:
    """(id, caption) of the first :data:`DIFF_ROWS` entities, read from the given version."""
    rows = []
    for entity_id in ids[:DIFF_ROWS]:
        entity = store.get_entity(entity_id, version_id=version_id)
        rows.append((entity_id, entity.caption if entity is not None else ""))
    return rows


def install(app: FastAPI) -> None:
    """Mount the UI, its static files and the handlers that turn errors into pages."""
    from clearance.web.ownership import router as ownership_router

    app.include_router(router)
    app.include_router(ownership_router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="ui-static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/ui/"):
            return await http_exception_handler(request, exc)
        principal = getattr(request.state, "principal", None)
        response = _render(
            request,
            "error.html",
            principal,
            page="error",
            status=exc.status_code,
            title=TITLES.get(exc.status_code, "Something went wrong"),
            message=exc.detail,
        )
        response.status_code = exc.status_code
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/ui/login?next={quote(exc.next_url)}", status_code=303)
