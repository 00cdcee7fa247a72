"""Response and request models, so ``/openapi.json`` documents every endpoint exactly.

The ``Yente*`` models mirror yente's wire format field for field (the names the ``yente-client``
package and other existing clients read); the rest are Clearance's own endpoints.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# --- yente-compatible -------------------------------------------------------------------------


class TotalSpec(BaseModel):
    value: int
    relation: Literal["eq", "gte"] = "eq"


class FeatureResult(BaseModel):
    """One feature's part in a score (yente's ``explanations`` values)."""

    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None
    weight: float | None = None


class EntityResponse(BaseModel):
    """A listed entity in FollowTheMoney form."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    #: values are strings, or (``nested``) the adjacent entities' records
    properties: dict[str, list[str | dict[str, Any]]] = Field(default_factory=dict)
    datasets: list[str] = Field(default_factory=list)
    referents: list[str] = Field(default_factory=list)
    target: bool = False
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_change: datetime | None = None


class ScoredEntityResponse(EntityResponse):
    score: float
    features: dict[str, float] = Field(default_factory=dict)
    match: bool
    explanations: dict[str, FeatureResult] = Field(default_factory=dict)


class EntityExample(BaseModel):
    """A query entity as yente accepts it: ``{"schema": ..., "properties": {...}}``."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = None
    schema_: str = Field("Thing", alias="schema")
    properties: dict[str, str | list[Any]] = Field(default_factory=dict)


#: Most query examples one /match request may carry.
MAX_MATCH_QUERIES = 100


class EntityMatchQuery(BaseModel):
    queries: dict[str, EntityExample] = Field(max_length=MAX_MATCH_QUERIES)
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class AlgorithmFeature(BaseModel):
    description: str
    coefficient: float
    url: str


class MatcherInfo(BaseModel):
    name: str
    description: str
    features: dict[str, AlgorithmFeature] = Field(default_factory=dict)


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: MatcherInfo
    limit: int


class SearchFacetItem(BaseModel):
    name: str
    label: str
    count: int


class SearchFacet(BaseModel):
    label: str
    values: list[SearchFacetItem] = Field(default_factory=list)


class AdjacentResultsResponse(BaseModel):
    results: list[str | EntityResponse | dict[str, Any]]
    total: TotalSpec
    limit: int
    offset: int = 0


class EntityAdjacentResponse(BaseModel):
    entity: EntityResponse
    adjacent: dict[str, AdjacentResultsResponse]


class SearchResponse(BaseModel):
    results: list[EntityResponse]
    facets: dict[str, SearchFacet] = Field(default_factory=dict)
    total: TotalSpec
    limit: int
    offset: int


class StatusResponse(BaseModel):
    status: str = "ok"


class Algorithm(BaseModel):
    """yente's ``Algorithm``: ``features`` and ``docs`` as nomenklatura's ``FeatureDoc`` /
    ``AlgorithmDocs``."""

    name: str
    description: str | None = None
    features: dict[str, AlgorithmFeature] = Field(default_factory=dict)
    docs: dict[str, Any] | None = None


class AlgorithmsResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str
    best: str


class CatalogDataset(BaseModel):
    name: str
    title: str | None = None
    summary: str | None = None
    version: str | None = None
    entity_count: int | None = None
    updated_at: datetime | None = None
    load: bool = False
    index_current: bool | None = None
    index_version: str | None = None
    children: list[str] = Field(default_factory=list)


class CatalogResponse(BaseModel):
    datasets: list[CatalogDataset]
    current: list[str] = Field(default_factory=list)
    outdated: list[str] = Field(default_factory=list)
    index_stale: bool = False


# --- W3C reconciliation -----------------------------------------------------------------------


class ReconcileType(BaseModel):
    id: str
    name: str


class ReconcileCandidate(BaseModel):
    id: str
    name: str
    score: float
    match: bool
    type: list[ReconcileType]
    description: str | None = None


class ReconcileResult(BaseModel):
    result: list[ReconcileCandidate]


class SuggestItem(BaseModel):
    id: str
    name: str
    description: str | None = None
    type: list[ReconcileType] | None = None


class SuggestResponse(BaseModel):
    code: str = "/api/status/ok"
    status: str = "200 OK"
    prefix: str
    result: list[SuggestItem]


# --- Clearance endpoints ----------------------------------------------------------------------


class ScreenRequest(BaseModel):
    """One record to screen."""

    name: str = Field(min_length=1, max_length=500, examples=["Joaquin Guzman"])
    schema_: str | None = Field(
        None,
        alias="schema",
        description="Person, Organization, Company, LegalEntity, Vessel, Aircraft",
    )
    birth_date: str | None = Field(None, max_length=10, examples=["1957"])
    country: str | None = Field(None, max_length=100, examples=["mx"])
    identifiers: list[str] = Field(default_factory=list, max_length=20)
    limit: int = Field(10, ge=1, le=100)
    threshold: float | None = Field(None, ge=0.0, le=1.0)

    model_config = ConfigDict(populate_by_name=True)


class ConsequenceModel(BaseModel):
    model_config = ConfigDict(extra="allow")


class HitModel(BaseModel):
    """A listed party the record may be, with the evidence and what a hit obliges you to do."""

    model_config = ConfigDict(extra="allow")

    entity_id: str
    caption: str
    score: float


class ScreenResponse(BaseModel):
    query: dict[str, Any]
    threshold: float
    hits: list[HitModel]


class JobInfo(BaseModel):
    id: str
    #: ``interrupted``: the server stopped during the job; ``POST /jobs/{id}/resume`` goes on.
    status: Literal["queued", "running", "done", "failed", "interrupted"]
    filename: str
    #: Records to screen (every row with a name); rejected rows are counted apart.
    rows_total: int | None = None
    rows_done: int = 0
    hits: int = 0
    #: Rows that cannot be screened (no name, ragged, unparseable): listed in ``errors`` and
    #: in the file at ``rejects_url``.
    rejected: int = 0
    #: Records screened with a field left out of scoring; the first ones in ``warnings``.
    records_with_warnings: int = 0
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    created_at: datetime
    finished_at: datetime | None = None
    results_url: str | None = None
    rejects_url: str | None = None


class ListVersion(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: Any
    dataset: str


class ListsResponse(BaseModel):
    active: list[dict[str, Any]]
    versions: list[dict[str, Any]]


class ErrorResponse(BaseModel):
    detail: str
