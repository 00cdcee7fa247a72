"""yente-compatible endpoints, so clients written for OpenSanctions' yente work unchanged.

Wire shapes follow yente (``/match/{dataset}``, ``/search/{dataset}``, ``/entities/{id}``,
``/catalog``, ``/algorithms``, ``/healthz``, ``/readyz``). Dataset names: ``default`` and
``sanctions`` mean every loaded list; otherwise a Clearance dataset such as ``us_ofac_sdn``.
All scoring is the library's (:mod:`clearance.matching`); this module only translates.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from followthemoney.types import registry

from clearance.api import convert
from clearance.api.models import (
    AdjacentResultsResponse,
    Algorithm,
    AlgorithmsResponse,
    CatalogDataset,
    CatalogResponse,
    EntityAdjacentResponse,
    EntityExample,
    EntityMatches,
    EntityMatchQuery,
    EntityMatchResponse,
    EntityResponse,
    ErrorResponse,
    SearchFacet,
    SearchFacetItem,
    SearchResponse,
    StatusResponse,
    TotalSpec,
)
from clearance.api.security import Principal, Role, audit, require
from clearance.export import timelines
from clearance.ftm import schema_of

router = APIRouter(tags=["yente-compatible"])

MAX_LIMIT = 500
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse},
    401: {"model": ErrorResponse},
    403: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    429: {"model": ErrorResponse},
    503: {"model": ErrorResponse},
}

Screening = Annotated[Principal, Depends(require(Role.SCREENING))]


@router.get("/healthz", response_model=StatusResponse, summary="Is the server up?")
def healthz() -> StatusResponse:
    return StatusResponse(status="ok")


@router.get(
    "/readyz",
    response_model=StatusResponse,
    responses={503: {"model": ErrorResponse}},
    summary="Is the screening index loaded?",
)
def readyz(request: Request) -> Any:
    services = request.app.state.services
    if not services.ready:
        detail = services.error or "The screening index is still loading."
        return JSONResponse({"detail": detail}, status_code=503)
    return StatusResponse(status="ok")


@router.get("/algorithms", response_model=AlgorithmsResponse, responses=ERRORS)
def algorithms(request: Request, principal: Screening) -> AlgorithmsResponse:
    """The one scoring algorithm, in yente's ``AlgorithmResponse`` form; yente algorithm
    names are accepted as aliases of it."""
    info = convert.matcher_info(str(request.base_url))
    features = {k: v.model_dump() for k, v in info.features.items()}
    return AlgorithmsResponse(
        algorithms=[
            Algorithm(
                name=info.name,
                description=info.description,
                features=features,
                docs={
                    "name": info.name,
                    "description": info.description,
                    "config": {},
                    "features": features,
                },
            )
        ],
        default=info.name,
        best=info.name,
    )


@router.get("/catalog", response_model=CatalogResponse, responses=ERRORS)
@router.get("/manifest", response_model=CatalogResponse, responses=ERRORS)
def catalog(request: Request, principal: Screening) -> CatalogResponse:
    """Loaded datasets with their active versions, plus the ``default`` collection (yente
    serves its manifest, ``/manifest``, in the same form)."""
    store = request.app.state.services.store()
    active = list(store.active_versions())
    datasets = [convert.catalog_dataset(v) for v in active]
    names = [d.name for d in datasets]
    collections = [
        CatalogDataset(
            name=name,
            title="All lists loaded in Clearance",
            load=True,
            index_current=True,
            entity_count=sum(d.entity_count or 0 for d in datasets),
            children=names,
        )
        for name in convert.ALL_DATASETS
    ]
    return CatalogResponse(
        datasets=[*collections, *datasets], current=names + list(convert.ALL_DATASETS)
    )


@router.post(
    "/match/{dataset}",
    response_model=EntityMatchResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="Match entity examples (yente's query-by-example)",
)
def match(
    request: Request,
    principal: Screening,
    dataset: str,
    body: EntityMatchQuery,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 5,
    threshold: Annotated[
        float | None,
        Query(ge=0.0, le=1.0, description="Score for match=true; default: the library's threshold"),
    ] = None,
    cutoff: Annotated[
        float | None,
        Query(ge=0.0, le=1.0, description="Lowest score returned; capped at the threshold"),
    ] = None,
    algorithm: convert.AlgorithmName = convert.AlgorithmName.BEST,
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query default
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_entity_ids: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[
        str | None, Query(description="Only entities whose last_change is at or after this")
    ] = None,
) -> dict[str, Any]:
    """Score each query against the lists; results at or above ``cutoff`` (at most the
    threshold, as yente), ``match`` at ``threshold``. Same request and response shape as
    yente's ``/match``; unknown ``config`` keys, unknown schemata and an empty ``queries``
    are refused with 400 as yente does."""
    if body.config:
        raise HTTPException(
            400,
            f"Invalid configuration parameter: {', '.join(sorted(body.config))} for algorithm "
            f"{convert.MATCHER_NAME} (it takes none).",
        )
    if not body.queries:
        raise HTTPException(400, "No queries provided.")
    services = request.app.state.services
    store = services.store()
    scope = convert.DatasetScope.parse(store, dataset, include_dataset, exclude_dataset)
    since = convert.changed_since_filter(changed_since)
    threshold = convert.default_threshold() if threshold is None else threshold
    cutoff = threshold if cutoff is None else min(cutoff, threshold)
    screener = services.screener()
    seen = timelines(store)
    queries = {key: convert.example_to_query(example) for key, example in body.queries.items()}
    responses: dict[str, EntityMatches] = {}
    for key, query in queries.items():
        hits = convert.screen_query(
            screener,
            query,
            limit=MAX_LIMIT if since else limit,
            cutoff=cutoff,
            scope=scope,
            exclude_schema=exclude_schema,
            exclude_ids=exclude_entity_ids,
            topics=topics,
        )
        hits = [h for h in hits if convert.changed_after(seen.get(h.entity_id), since)][:limit]
        results = [convert.scored_entity(store, hit, threshold, seen) for hit in hits]
        responses[key] = EntityMatches(
            status=200,
            results=results,
            total=TotalSpec(value=len(results), relation="eq"),
            query=body.queries[key],
        )
        audit(request, f"/match/{dataset}", query.summary(), len(results))
    return EntityMatchResponse(
        responses=responses, matcher=convert.matcher_info(str(request.base_url)), limit=limit
    ).model_dump(by_alias=True)


@router.get(
    "/search/{dataset}",
    response_model=SearchResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="Search the lists by name or identifier",
)
def search(
    request: Request,
    principal: Screening,
    dataset: str,
    q: str = "",
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    schema: str = "Thing",
    countries: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    target: bool | None = None,
    fuzzy: bool = False,
    simple: bool = False,
    facets: Annotated[list[str], Query()] = ["countries", "topics", "datasets"],  # noqa: B006
    changed_since: str | None = None,
) -> dict[str, Any]:
    """Entities whose names or identifiers resemble ``q``, best first; without ``q``, all
    entities in order. Every filter (``schema`` and its descendants, ``countries``,
    ``topics``, datasets, ``target``, ``changed_since``) applies before ``offset`` /
    ``limit``, and ``total`` counts every entity passing them among the screener's candidates
    (``relation: gte`` where the candidates were capped)."""
    services = request.app.state.services
    store = services.store()
    scope = convert.DatasetScope.parse(store, dataset, include_dataset, exclude_dataset)
    convert.check_schema(schema)
    since = convert.changed_since_filter(changed_since)
    capped: list[bool] = []
    if q.strip():
        query = convert.Query(names=[q.strip()], identifiers=[q.strip()])
        hits = convert.screen_query(
            services.screener(),
            query,
            limit=convert.MAX_SEARCH_CANDIDATES,
            cutoff=convert.SEARCH_CUTOFF,
            scope=scope,
            exclude_schema=exclude_schema,
            topics=topics,
            schema=schema,
            countries=countries,
            store=store,
            capped=capped,
        )
        entities = [convert.entity_of(store, hit) for hit in hits]
        audit(request, f"/search/{dataset}", {"q": q}, len(entities))
    else:
        entities = convert.browse(store, scope, schema, exclude_schema, countries)
        if topics:
            entities = [e for e in entities if set(topics) & set(e.topics)]
    seen = timelines(store) if since is not None or entities else {}
    entities = [
        e
        for e in entities
        if (target is None or e.target == target)
        and convert.changed_after(seen.get(e.id), since)
    ]
    page = entities[offset : offset + limit]
    return SearchResponse(
        results=[convert.entity_response(e, seen=seen.get(e.id)) for e in page],
        facets=_facets(entities, facets),
        total=TotalSpec(value=len(entities), relation="gte" if capped else "eq"),
        limit=limit,
        offset=offset,
    ).model_dump(by_alias=True)


def _facets(entities: list[Any], names: list[str]) -> dict[str, SearchFacet]:
    counters: dict[str, Counter[str]] = {}
    for name in names:
        counter: Counter[str] = Counter()
        for entity in entities:
            if name == "countries":
                counter.update(set(convert.entity_countries(entity)))
            elif name == "topics":
                counter.update(set(entity.topics))
            elif name == "datasets":
                counter[entity.dataset] += 1
            elif name == "schema":
                counter[entity.schema] += 1
        counters[name] = counter
    return {
        name: SearchFacet(
            label=name.capitalize(),
            values=[SearchFacetItem(name=k, label=k, count=v) for k, v in counter.most_common(30)],
        )
        for name, counter in counters.items()
    }


@router.get(
    "/entities/{entity_id}",
    response_model=EntityResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="One listed entity in FollowTheMoney form",
)
def get_entity(
    request: Request, principal: Screening, entity_id: str, nested: bool = True
) -> dict[str, Any]:
    """The entity by its FtM id (``us-ofac-sdn-6861``) or Clearance id (``us_ofac_sdn:6861``);
    with ``nested`` (yente's default) its sanctions and related parties are included."""
    store = request.app.state.services.store()
    entity = _entity(store, entity_id)
    seen = timelines(store).get(entity.id)
    response = convert.entity_response(entity, store if nested else None, seen)
    return response.model_dump(by_alias=True)


def _entity(store: Any, entity_id: str) -> Any:
    entity = store.get_entity(entity_id)
    if entity is None:
        raise HTTPException(404, f"No entity with id {entity_id!r} in the active list versions.")
    return entity


@router.get(
    "/entities/{entity_id}/adjacent",
    response_model=EntityAdjacentResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="An entity's adjacent entities (sanctions, relations, wallets) by property",
)
def adjacent(
    request: Request,
    principal: Screening,
    entity_id: str,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """What ``/entities/{id}?nested=true`` nests, one page per property."""
    store = request.app.state.services.store()
    entity = _entity(store, entity_id)
    seen = timelines(store).get(entity.id)
    plain = convert.entity_response(entity, seen=seen)
    nested = convert.entity_response(entity, store, seen)
    pages = {
        prop: _page(values, limit, offset)
        for prop, values in nested.properties.items()
        if prop not in plain.properties or values != plain.properties[prop]
    }
    return EntityAdjacentResponse(entity=plain, adjacent=pages).model_dump(by_alias=True)


@router.get(
    "/entities/{entity_id}/adjacent/{property_name}",
    response_model=AdjacentResultsResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="An entity's adjacent entities for one property",
)
def adjacent_property(
    request: Request,
    principal: Screening,
    entity_id: str,
    property_name: str,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """404 for a property that is not an entity reference of the entity's schema (as yente)."""
    store = request.app.state.services.store()
    entity = _entity(store, entity_id)
    schema = schema_of(entity.schema)
    prop = schema.properties.get(property_name) if schema is not None else None
    if prop is None or prop.type != registry.entity:
        raise HTTPException(404, f"No such property {property_name!r} on {entity.schema}.")
    nested = convert.entity_response(entity, store, timelines(store).get(entity.id))
    values = nested.properties.get(property_name, [])
    return _page(values, limit, offset).model_dump(by_alias=True)


def _page(values: list[Any], limit: int, offset: int) -> AdjacentResultsResponse:
    return AdjacentResultsResponse(
        results=values[offset : offset + limit],
        total=TotalSpec(value=len(values), relation="eq"),
        limit=limit,
        offset=offset,
    )


@router.post(
    "/updatez",
    response_model=StatusResponse,
    responses=ERRORS,
    summary="Reload the screening index now (admin)",
)
def updatez(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ADMIN))],
    sync: bool = False,
) -> StatusResponse:
    """yente's forced index update: Clearance reopens its index for the active list versions
    (in the background unless ``sync``). An admin API key stands for yente's update token."""
    services = request.app.state.services
    if sync:
        services.reload_now()
    else:
        threading.Thread(target=services.reload_now, daemon=True).start()
    audit(request, "/updatez", {"sync": sync}, 0)
    return StatusResponse(status="ok")


__all__ = ["EntityExample", "router"]
