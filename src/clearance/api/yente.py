"""yente-compatible endpoints, so clients written for OpenSanctions' yente work unchanged.

Wire shapes follow yente (``/match/{dataset}``, ``/search/{dataset}``, ``/entities/{id}``,
``/catalog``, ``/algorithms``, ``/healthz``, ``/readyz``). Dataset names: ``default`` and
``sanctions`` mean every loaded list; otherwise a Clearance dataset such as ``us_ofac_sdn``.
All scoring is the library's (:mod:`clearance.matching`); this module only translates.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from clearance.api import convert
from clearance.api.models import (
    Algorithm,
    AlgorithmsResponse,
    CatalogDataset,
    CatalogResponse,
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

router = APIRouter(tags=["yente-compatible"])

#: yente's default score below which candidates are dropped from /match responses.
DEFAULT_CUTOFF = 0.5
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
def algorithms(principal: Screening) -> AlgorithmsResponse:
    """The one scoring algorithm; yente algorithm names are accepted as aliases of it."""
    info = convert.matcher_info()
    return AlgorithmsResponse(
        algorithms=[
            Algorithm(
                name=info.name,
                description=info.description,
                docs={k: v.model_dump() for k, v in info.features.items()},
            )
        ],
        default=info.name,
        best=info.name,
    )


@router.get("/catalog", response_model=CatalogResponse, responses=ERRORS)
def catalog(request: Request, principal: Screening) -> CatalogResponse:
    """Loaded datasets with their active versions, plus the ``default`` collection."""
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
    cutoff: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_CUTOFF,
    algorithm: convert.AlgorithmName = convert.AlgorithmName.BEST,
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query default
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_entity_ids: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: str | None = None,
) -> dict[str, Any]:
    """Score each query against the lists; results at or above ``cutoff``, ``match`` at
    ``threshold``. Same request and response shape as yente's ``/match``."""
    scope = convert.DatasetScope.parse(dataset, include_dataset, exclude_dataset)
    threshold = convert.default_threshold() if threshold is None else threshold
    services = request.app.state.services
    screener = services.screener()
    store = services.store()
    responses: dict[str, EntityMatches] = {}
    for key, example in body.queries.items():
        query = convert.example_to_query(example)
        hits = convert.screen_query(
            screener,
            query,
            limit=limit,
            cutoff=cutoff,
            scope=scope,
            exclude_schema=exclude_schema,
            exclude_ids=exclude_entity_ids,
            topics=topics,
        )
        results = [convert.scored_entity(store, hit, threshold) for hit in hits]
        responses[key] = EntityMatches(
            status=200,
            results=results,
            total=TotalSpec(value=len(results), relation="eq"),
            query=example,
        )
        audit(request, f"/match/{dataset}", query.summary(), len(results))
    return EntityMatchResponse(
        responses=responses, matcher=convert.matcher_info(), limit=limit
    ).model_dump(by_alias=True)


@router.get(
    "/search/{dataset}",
    response_model=SearchResponse,
    response_model_by_alias=True,
    responses=ERRORS,
    summary="Search the lists by name",
)
def search(
    request: Request,
    principal: Screening,
    dataset: str,
    q: str = "",
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    schema: str | None = None,
    countries: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    fuzzy: bool = False,
    simple: bool = False,
    facets: Annotated[list[str], Query()] = ["countries", "topics", "datasets"],  # noqa: B006
    changed_since: str | None = None,
) -> dict[str, Any]:
    """Entities whose names resemble ``q``, best first; without ``q``, all entities in order."""
    scope = convert.DatasetScope.parse(dataset, include_dataset, exclude_dataset)
    services = request.app.state.services
    store = services.store()
    if q.strip():
        query = convert.Query(names=[q.strip()], schema=schema)
        hits = convert.screen_query(
            services.screener(),
            query,
            limit=min(MAX_LIMIT, offset + max(limit, 1)),
            cutoff=convert.SEARCH_CUTOFF,
            scope=scope,
            exclude_schema=exclude_schema,
            exclude_ids=[],
            topics=topics,
        )
        entities = [convert.entity_of(store, hit) for hit in hits]
        audit(request, f"/search/{dataset}", {"q": q}, len(entities))
    else:
        entities = convert.browse(store, scope, schema, exclude_schema, offset + limit)
    if countries:
        wanted = {c.lower() for c in countries}
        entities = [e for e in entities if wanted & set(convert.entity_countries(e))]
    page = entities[offset : offset + limit]
    return SearchResponse(
        results=[convert.entity_response(e) for e in page],
        facets=_facets(entities, facets),
        total=TotalSpec(value=len(entities), relation="eq" if len(entities) < MAX_LIMIT else "gte"),
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
    entity = store.get_entity(entity_id)
    if entity is None:
        raise HTTPException(404, f"No entity with id {entity_id!r} in the active list versions.")
    return convert.entity_response(entity, store if nested else None).model_dump(by_alias=True)


__all__ = ["EntityExample", "router"]
