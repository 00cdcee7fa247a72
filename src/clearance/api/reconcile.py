"""The W3C reconciliation API (as yente 5.5 serves it), for OpenRefine and similar tools.

``GET /reconcile/{dataset}`` returns the service manifest (suggest, preview, extend,
documentation, batchSize); with ``queries`` (GET parameter or POST form field) it reconciles:
each query is turned into a yente entity example and screened; with ``extend`` it returns the
asked properties of the given entities (data extension). OpenRefine cannot send headers, so
these routes also take the API key as ``?api_key=``, and the manifest carries it into every
service path it lists.
"""

from __future__ import annotations

import html
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, Security
from fastapi.responses import HTMLResponse
from followthemoney.types import registry
from starlette.concurrency import run_in_threadpool

from clearance.api import convert
from clearance.api.models import (
    EntityExample,
    ErrorResponse,
    ReconcileCandidate,
    ReconcileResult,
    ReconcileType,
    SuggestItem,
    SuggestResponse,
)
from clearance.api.security import Principal, Role, api_key_header, audit, session_cookie
from clearance.ftm import schema_of, to_ftm
from clearance.model import SCHEMATA, Entity, ftm_id

router = APIRouter(prefix="/reconcile", tags=["reconciliation (W3C / OpenRefine)"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 429, 503)
}
#: The preview answers HTML, its errors JSON: documented as such, not under text/html.
HTML_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
        }
    }
    for code in ERRORS
}
MAX_QUERIES = 100
#: Queries OpenRefine sends per request (manifest ``batchSize``).
BATCH_SIZE = 10
#: Properties proposed first for data extension; all of them OpenRefine users can map
#: columns to in a query. ``listingDate``, ``authority`` and ``provisions`` come from the
#: entity's ``Sanction``.
PROPOSED = (
    "birthDate", "nationality", "country", "program", "listingDate", "authority",
    "provisions", "idNumber", "passportNumber", "taxNumber", "registrationNumber",
    "imoNumber", "topics",
)  # fmt: skip
SANCTION_PROPS = frozenset({"listingDate", "authority", "provisions", "reason", "sourceUrl"})


async def _principal(
    request: Request,
    header_key: str | None = Security(api_key_header),
    cookie: str | None = Security(session_cookie),
    api_key: Annotated[
        str | None, Query(description="The API key, for clients that cannot send headers")
    ] = None,
) -> Principal:
    """The caller, by X-API-Key / Authorization header, session, or ``?api_key=``."""
    guard = request.app.state.guard
    principal = await run_in_threadpool(guard.authenticate, request, header_key or api_key, cookie)
    guard.check(request, principal, Role.SCREENING)
    request.state.principal = principal
    return principal


Screening = Annotated[Principal, Depends(_principal)]


def _type(schema: str) -> ReconcileType:
    return ReconcileType(id=schema, name=schema)


def _base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _key_query(request: Request) -> str:
    """``?api_key=...`` when the caller gave the key that way, to carry into service paths."""
    key = request.query_params.get("api_key")
    return f"?api_key={key}" if key else ""


def manifest(request: Request, dataset: str) -> dict[str, Any]:
    base = _base_url(request)
    key = _key_query(request)
    path = f"/reconcile/{dataset}"

    def service(suffix: str) -> dict[str, str]:
        return {"service_url": base, "service_path": f"{path}{suffix}{key}"}

    return {
        "versions": ["0.2"],
        "name": f"Clearance ({dataset})",
        "identifierSpace": "https://www.opensanctions.org/reference/#schema",
        "schemaSpace": "https://www.opensanctions.org/reference/#schema",
        "documentation": f"{base}/docs#/reconciliation%20(W3C%20%2F%20OpenRefine)",
        "batchSize": BATCH_SIZE,
        "view": {"url": f"{base}/ui/entity/{{{{id}}}}"},
        "preview": {
            "url": f"{base}{path}/preview?id={{{{id}}}}{key.replace('?', '&')}",
            "width": 430,
            "height": 300,
        },
        "suggest": {
            "entity": service("/suggest/entity"),
            "type": service("/suggest/type"),
            "property": service("/suggest/property"),
        },
        "extend": {
            "propose_properties": service("/extend/property"),
            "propose_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Maximum number of values to return per row (0 for no limit).",
                    "choices": [],
                },
                {
                    "name": "render",
                    "label": "Value rendering",
                    "type": "select",
                    "default": "caption",
                    "choices": [
                        {"id": "caption", "name": "User-readable value"},
                        {"id": "raw", "name": "Machine-readable value"},
                    ],
                    "help_text": "Return readable value (e.g. 'Russia') instead of raw ('ru').",
                },
            ],
        },
        "defaultTypes": [_type(s).model_dump() for s in ("Person", "Organization", "Company")],
    }


def _description(entity: Entity) -> str:
    return ", ".join(entity.programs) or entity.dataset


def _reconcile(request: Request, dataset: str, raw: str) -> dict[str, ReconcileResult]:
    try:
        queries = json.loads(raw)
    except ValueError:
        raise HTTPException(
            400, "'queries' must be a JSON object of reconciliation queries."
        ) from None
    if not isinstance(queries, dict) or len(queries) > MAX_QUERIES:
        raise HTTPException(
            400, f"'queries' must be a JSON object with at most {MAX_QUERIES} queries."
        )
    threshold = convert.default_threshold()
    services = request.app.state.services
    screener, store = services.screener(), services.store()
    scope = convert.DatasetScope.parse(store, dataset)
    results: dict[str, ReconcileResult] = {}
    for key, item in queries.items():
        if not isinstance(item, dict) or not str(item.get("query", "")).strip():
            raise HTTPException(400, f"Query {key!r} needs a non-empty 'query' string.")
        properties: dict[str, list[Any]] = {"name": [str(item["query"])]}
        for prop in item.get("properties") or []:
            if isinstance(prop, dict) and prop.get("pid") and prop.get("v") is not None:
                values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
                properties.setdefault(str(prop["pid"]), []).extend(str(v) for v in values)
        wanted = item.get("type")
        wanted = wanted[0] if isinstance(wanted, list) and wanted else wanted
        schema = wanted if wanted in SCHEMATA else "Thing"
        example = EntityExample(schema=schema, properties=properties)
        query = convert.example_to_query(example)
        limit = max(1, min(int(item.get("limit") or 5), 50))
        hits = convert.screen_query(
            screener, query, limit=limit, cutoff=convert.SEARCH_CUTOFF, scope=scope
        )
        candidates = []
        for hit in hits:
            entity = convert.entity_of(store, hit)
            candidates.append(
                ReconcileCandidate(
                    id=ftm_id(entity.id),
                    name=entity.caption,
                    score=round(hit.score * 100, 1),
                    match=hit.score >= threshold,
                    type=[_type(entity.schema)],
                    description=_description(entity),
                )
            )
        results[key] = ReconcileResult(result=candidates)
        audit(request, f"/reconcile/{dataset}", query.summary(), len(candidates))
    return results


def _extend(request: Request, dataset: str, raw: str) -> dict[str, Any]:
    """OpenRefine data extension: ``{"ids": [...], "properties": [{"id": ..., "settings":
    {"limit", "render"}}]}`` -> ``{"meta": [...], "rows": {id: {prop: [{"str": ...}]}}}``."""
    try:
        request_data = json.loads(raw)
        ids = [str(i) for i in request_data["ids"]]
        wanted = [
            (str(p["id"]), p.get("settings") or {}) for p in request_data.get("properties", [])
        ]
    except (ValueError, KeyError, TypeError):
        raise HTTPException(
            400, "'extend' must be a JSON object with 'ids' and 'properties' ([{'id': ...}])."
        ) from None
    if len(ids) > MAX_QUERIES:
        raise HTTPException(400, f"At most {MAX_QUERIES} ids per extension request.")
    store = request.app.state.services.store()
    convert.DatasetScope.parse(store, dataset)
    meta: dict[str, dict[str, str]] = {}
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for entity_id in ids:
        entity = store.get_entity(entity_id)
        row: dict[str, list[dict[str, str]]] = {}
        values = _values(entity) if entity is not None else {}
        for prop_name, settings in wanted:
            found = _property(entity.schema if entity else "Thing", prop_name)
            if found is None:
                continue
            meta.setdefault(prop_name, {"id": prop_name, "name": str(found.label)})
            got = values.get(prop_name, [])
            limit = int(settings.get("limit") or 0)
            if limit > 0:
                got = got[:limit]
            if settings.get("render", "caption") == "caption":
                got = [found.type.caption(v) or v for v in got]
            row[prop_name] = [{"str": str(v)} for v in got]
        rows[entity_id] = row
    audit(request, f"/reconcile/{dataset}", {"extend": ids}, len(rows))
    return {"meta": list(meta.values()), "rows": rows}


def _property(schema: str, name: str) -> Any:
    """The FtM property a name stands for on that schema (Sanction ones included)."""
    if name in SANCTION_PROPS:
        return schema_of("Sanction").get(name)
    found = schema_of(schema)
    return found.get(name) if found is not None else None


def _values(entity: Entity) -> dict[str, list[str]]:
    """The entity's FtM property values, with its sanctions' listing date, authority, ..."""
    records = to_ftm(entity)
    values = {k: list(v) for k, v in records[0]["properties"].items()}
    for record in records[1:]:
        if record["schema"] == "Sanction":
            for prop in SANCTION_PROPS:
                for value in record["properties"].get(prop, []):
                    if value not in values.setdefault(prop, []):
                        values[prop].append(value)
    return values


@router.get("/{dataset}", responses=ERRORS, summary="Service manifest, or reconcile / extend")
def reconcile_get(
    request: Request,
    principal: Screening,
    dataset: str,
    queries: str | None = None,
    extend: str | None = None,
) -> dict[str, Any]:
    if extend:
        return _extend(request, dataset, extend)
    if queries is None:
        convert.DatasetScope.parse(request.app.state.services.store(), dataset)
        return manifest(request, dataset)
    return {k: v.model_dump() for k, v in _reconcile(request, dataset, queries).items()}


@router.post(
    "/{dataset}",
    responses=ERRORS,
    summary="Reconcile a batch of queries (form field 'queries'), or extend ('extend')",
)
def reconcile_post(
    request: Request,
    principal: Screening,
    dataset: str,
    queries: Annotated[str | None, Form(description="JSON object of queries")] = None,
    extend: Annotated[str | None, Form(description="JSON data extension request")] = None,
) -> dict[str, Any]:
    if extend:
        return _extend(request, dataset, extend)
    if not queries:
        raise HTTPException(400, "Send the form field 'queries' (or 'extend').")
    return {k: v.model_dump() for k, v in _reconcile(request, dataset, queries).items()}


@router.get(
    "/{dataset}/suggest/entity",
    response_model=SuggestResponse,
    response_model_exclude_none=True,
    responses=ERRORS,
)
def suggest_entity(
    request: Request, principal: Screening, dataset: str, prefix: str = "", limit: int = 10
) -> SuggestResponse:
    """Entities whose names resemble the typed prefix."""
    services = request.app.state.services
    store = services.store()
    scope = convert.DatasetScope.parse(store, dataset)
    items: list[SuggestItem] = []
    if prefix.strip():
        query = convert.Query(names=[prefix.strip()])
        hits = convert.screen_query(
            services.screener(),
            query,
            limit=max(1, min(limit, 50)),
            cutoff=convert.SEARCH_CUTOFF,
            scope=scope,
        )
        for hit in hits:
            entity = convert.entity_of(store, hit)
            items.append(
                SuggestItem(
                    id=ftm_id(entity.id),
                    name=entity.caption,
                    description=_description(entity),
                    type=[_type(entity.schema)],
                )
            )
    return SuggestResponse(prefix=prefix, result=items)


@router.get(
    "/{dataset}/suggest/type",
    response_model=SuggestResponse,
    response_model_exclude_none=True,
    responses=ERRORS,
)
def suggest_type(principal: Screening, dataset: str, prefix: str = "") -> SuggestResponse:
    wanted = prefix.lower()
    items = [
        SuggestItem(id=s, name=s, description=str(schema_of(s).description or schema_of(s).label))
        for s in SCHEMATA
        if wanted in s.lower()
    ]
    return SuggestResponse(prefix=prefix, result=items)


@router.get(
    "/{dataset}/suggest/property",
    response_model=SuggestResponse,
    response_model_exclude_none=True,
    responses=ERRORS,
)
def suggest_property(principal: Screening, dataset: str, prefix: str = "") -> SuggestResponse:
    wanted = prefix.lower()
    items = []
    for name in PROPOSED:
        found = _property("Person", name) or _property("Vessel", name)
        label = str(found.label)
        if wanted in name.lower() or wanted in label.lower():
            items.append(SuggestItem(id=name, name=label, description=str(found.description or label)))
    return SuggestResponse(prefix=prefix, result=items)


@router.get("/{dataset}/extend/property", responses=ERRORS)
def extend_properties(
    principal: Screening, dataset: str, type: str = "Thing", limit: int = 0
) -> dict[str, Any]:
    """Properties OpenRefine may fetch for entities of a type: the proposed ones first (birth
    date, nationality, programs, listing date, identifiers), then the schema's other
    non-reference properties."""
    schema = schema_of(type)
    if schema is None:
        raise HTTPException(400, f"Invalid type: {type}")
    names = [n for n in PROPOSED if _property(type, n) is not None]
    names += sorted(
        p.name
        for p in schema.properties.values()
        if not p.hidden and p.type != registry.entity and p.name not in names
    )
    if limit > 0:
        names = names[:limit]
    properties = [{"id": n, "name": str(_property(type, n).label)} for n in names]
    return {"limit": limit, "type": schema.name, "properties": properties}


@router.get("/{dataset}/preview", response_class=HTMLResponse, responses=HTML_ERRORS)
def preview(request: Request, principal: Screening, dataset: str, id: str) -> HTMLResponse:
    """A small HTML card OpenRefine shows when a candidate is hovered."""
    entity = request.app.state.services.store().get_entity(id)
    if entity is None:
        raise HTTPException(404, f"No entity with id {id!r} in the active list versions.")
    values = _values(entity)
    rows = "".join(
        f"<tr><th>{html.escape(str(_property(entity.schema, p).label))}</th>"
        f"<td>{html.escape('; '.join(values[p]))}</td></tr>"
        for p in PROPOSED
        if values.get(p) and _property(entity.schema, p) is not None
    )
    body = (
        f"<html><body><h3>{html.escape(entity.caption)}</h3>"
        f"<p>{html.escape(entity.schema)} · {html.escape(entity.dataset)}</p>"
        f"<table>{rows}</table></body></html>"
    )
    return HTMLResponse(body)
