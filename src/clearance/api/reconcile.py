"""The W3C reconciliation API (as yente serves it), for OpenRefine and similar tools.

``GET /reconcile/{dataset}`` returns the service manifest; with ``queries`` (GET parameter or
POST form field) it reconciles: each query is turned into a yente entity example and screened.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request

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
from clearance.api.security import Principal, Role, audit, require
from clearance.model import SCHEMATA, ftm_id

router = APIRouter(prefix="/reconcile", tags=["reconciliation (W3C / OpenRefine)"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 429, 503)
}
Screening = Annotated[Principal, Depends(require(Role.SCREENING))]
MAX_QUERIES = 100

#: Query properties OpenRefine users can map columns to.
PROPERTIES = {
    "birthDate": "Birth date",
    "nationality": "Nationality",
    "country": "Country",
    "idNumber": "ID number",
    "passportNumber": "Passport number",
    "registrationNumber": "Registration number",
    "imoNumber": "IMO number",
}


def _type(schema: str) -> ReconcileType:
    return ReconcileType(id=schema, name=schema)


def _base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def manifest(request: Request, dataset: str) -> dict[str, Any]:
    base = _base_url(request)
    suggest = f"/reconcile/{dataset}/suggest"
    return {
        "versions": ["0.2"],
        "name": f"Clearance ({dataset})",
        "identifierSpace": "https://www.opensanctions.org/reference/#schema",
        "schemaSpace": "https://www.opensanctions.org/reference/#schema",
        "view": {"url": f"{base}/ui/entity/{{{{id}}}}"},
        "suggest": {
            "entity": {"service_url": base, "service_path": f"{suggest}/entity"},
            "type": {"service_url": base, "service_path": f"{suggest}/type"},
            "property": {"service_url": base, "service_path": f"{suggest}/property"},
        },
        "defaultTypes": [_type(s).model_dump() for s in ("Person", "Organization", "Company")],
    }


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
    scope = convert.DatasetScope.parse(dataset, [], [])
    threshold = convert.default_threshold()
    services = request.app.state.services
    screener, store = services.screener(), services.store()
    results: dict[str, ReconcileResult] = {}
    for key, item in queries.items():
        if not isinstance(item, dict) or not str(item.get("query", "")).strip():
            raise HTTPException(400, f"Query {key!r} needs a non-empty 'query' string.")
        properties: dict[str, list[Any]] = {"name": [str(item["query"])]}
        for prop in item.get("properties") or []:
            if isinstance(prop, dict) and prop.get("pid") and prop.get("v") is not None:
                values = prop["v"] if isinstance(prop["v"], list) else [prop["v"]]
                properties.setdefault(str(prop["pid"]), []).extend(str(v) for v in values)
        schema = item.get("type") if item.get("type") in SCHEMATA else "Thing"
        example = EntityExample(schema=schema, properties=properties)
        query = convert.example_to_query(example)
        limit = max(1, min(int(item.get("limit") or 5), 50))
        hits = convert.screen_query(
            screener,
            query,
            limit=limit,
            cutoff=convert.SEARCH_CUTOFF,
            scope=scope,
            exclude_schema=[],
            exclude_ids=[],
            topics=[],
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
                    description=", ".join(entity.programs) or entity.dataset,
                )
            )
        results[key] = ReconcileResult(result=candidates)
        audit(request, f"/reconcile/{dataset}", query.summary(), len(candidates))
    return results


@router.get("/{dataset}", responses=ERRORS, summary="Service manifest, or reconcile 'queries'")
def reconcile_get(
    request: Request, principal: Screening, dataset: str, queries: str | None = None
) -> dict[str, Any]:
    if queries is None:
        convert.DatasetScope.parse(dataset, [], [])
        return manifest(request, dataset)
    return {k: v.model_dump() for k, v in _reconcile(request, dataset, queries).items()}


@router.post(
    "/{dataset}",
    response_model=dict[str, ReconcileResult],
    responses=ERRORS,
    summary="Reconcile a batch of queries (form field 'queries')",
)
def reconcile_post(
    request: Request,
    principal: Screening,
    dataset: str,
    queries: Annotated[str, Form(description="JSON object of reconciliation queries")],
) -> dict[str, ReconcileResult]:
    return _reconcile(request, dataset, queries)


@router.get("/{dataset}/suggest/entity", response_model=SuggestResponse, responses=ERRORS)
def suggest_entity(
    request: Request, principal: Screening, dataset: str, prefix: str = "", limit: int = 10
) -> SuggestResponse:
    """Entities whose names resemble the typed prefix."""
    scope = convert.DatasetScope.parse(dataset, [], [])
    items: list[SuggestItem] = []
    if prefix.strip():
        services = request.app.state.services
        store = services.store()
        query = convert.Query(names=[prefix.strip()])
        hits = convert.screen_query(
            services.screener(),
            query,
            limit=max(1, min(limit, 50)),
            cutoff=convert.SEARCH_CUTOFF,
            scope=scope,
            exclude_schema=[],
            exclude_ids=[],
            topics=[],
        )
        for hit in hits:
            entity = convert.entity_of(store, hit)
            items.append(
                SuggestItem(id=ftm_id(entity.id), name=entity.caption, type=[_type(entity.schema)])
            )
    return SuggestResponse(prefix=prefix, result=items)


@router.get("/{dataset}/suggest/type", response_model=SuggestResponse, responses=ERRORS)
def suggest_type(principal: Screening, dataset: str, prefix: str = "") -> SuggestResponse:
    wanted = prefix.lower()
    items = [SuggestItem(id=s, name=s) for s in SCHEMATA if wanted in s.lower()]
    return SuggestResponse(prefix=prefix, result=items)


@router.get("/{dataset}/suggest/property", response_model=SuggestResponse, responses=ERRORS)
def suggest_property(principal: Screening, dataset: str, prefix: str = "") -> SuggestResponse:
    wanted = prefix.lower()
    items = [
        SuggestItem(id=pid, name=label)
        for pid, label in PROPERTIES.items()
        if wanted in pid.lower() or wanted in label.lower()
    ]
    return SuggestResponse(prefix=prefix, result=items)
