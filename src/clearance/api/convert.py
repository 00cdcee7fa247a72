"""Translation between yente's wire format and the library: queries in, FtM entities out.

No scoring happens here: a FollowTheMoney query example becomes arguments for
:meth:`clearance.Screener.screen`, and listed entities are rendered through the FtM mapping of
:mod:`clearance.sources.ftm_json`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import islice
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from clearance.api.models import (
    AlgorithmFeature,
    CatalogDataset,
    EntityExample,
    EntityResponse,
    FeatureResult,
    MatcherInfo,
    ScoredEntityResponse,
)
from clearance.ftm import schema_of
from clearance.model import DATASETS, Entity, ftm_id

if TYPE_CHECKING:
    from clearance.matching import Hit, Screener
    from clearance.store import Store

#: Dataset names that mean "every loaded list" (yente's collections).
ALL_DATASETS = ("default", "sanctions")
#: Lowest score /search shows: a search is exploratory, so it shows weaker resemblances.
SEARCH_CUTOFF = 0.3


class AlgorithmName(StrEnum):
    """yente algorithm names clients may send; all are served by Clearance's one matcher."""

    BEST = "best"
    CLEARANCE = "clearance"
    LOGIC_V1 = "logic-v1"
    LOGIC_V2 = "logic-v2"
    NAME_BASED = "name-based"
    NAME_QUALIFIED = "name-qualified"
    REGRESSION_V1 = "regression-v1"
    REGRESSION_V2 = "regression-v2"
    REGRESSION_V3 = "regression-v3"
    OFAC_249 = "ofac-249"


MATCHER_NAME = "clearance"

#: FtM properties carrying a query's names, dates, countries and identifiers.
NAME_PROPS = ("name", "alias")
NAME_PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry", "flag")
ID_PROPS = (
    "idNumber", "passportNumber", "taxNumber", "registrationNumber", "vatCode", "leiCode",
    "innCode", "ogrnCode", "swiftBic", "imoNumber", "mmsi", "callSign", "serialNumber",
    "publicKey", "socialSecurityNumber",
)  # fmt: skip
ISO_DATE_PREFIX = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
#: FtM query schemata that carry no type information for the screener.
UNTYPED_SCHEMATA = frozenset({"Thing", "LegalEntity"})


def default_threshold() -> float:
    """The library's alert threshold (imported late: the app starts before the index loads)."""
    from clearance.matching import DEFAULT_THRESHOLD

    return DEFAULT_THRESHOLD


@dataclass(slots=True)
class DatasetScope:
    """Which datasets a request covers (``None`` = all loaded)."""

    include: frozenset[str] | None
    exclude: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, dataset: str, include: list[str], exclude: list[str]) -> DatasetScope:
        names = [dataset, *include]
        for name in names + list(exclude):
            if name not in ALL_DATASETS and name not in DATASETS:
                known = ", ".join([*ALL_DATASETS, *DATASETS])
                raise HTTPException(404, f"Unknown dataset {name!r}; known datasets: {known}.")
        wanted = None if any(n in ALL_DATASETS for n in names) else frozenset(names)
        return cls(wanted, frozenset(exclude))

    def covers(self, dataset: str) -> bool:
        if dataset in self.exclude:
            return False
        return self.include is None or dataset in self.include


@dataclass(slots=True)
class Query:
    """A screening query taken from a yente entity example."""

    names: list[str]
    schema: str | None = None
    birth_date: str | None = None
    country: str | None = None
    identifiers: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the audit log records about this query."""
        return {
            "names": self.names,
            "schema": self.schema,
            "birth_date": self.birth_date,
            "country": self.country,
            "identifiers": self.identifiers,
        }


def _values(properties: dict[str, Any], props: tuple[str, ...]) -> list[str]:
    values: list[str] = []
    for prop in props:
        raw = properties.get(prop)
        items = raw if isinstance(raw, list) else [raw] if raw is not None else []
        for item in items:
            text = str(item).strip()
            if text and text not in values:
                values.append(text)
    return values


def _first_date(values: list[str]) -> str | None:
    """The first value that starts like an ISO date, cut to its date part (yente sends any
    FtM date: ``1957``, ``1957-04``, ``1957-04-04T00:00:00``)."""
    for value in values:
        found = ISO_DATE_PREFIX.match(value)
        if found:
            return found.group(0)
    return None


def _first_country(values: list[str]) -> str | None:
    """The first value that names a country (code, name or adjective); others are ignored."""
    from clearance.countries import to_iso2

    for value in values:
        code = to_iso2(value)
        if code:
            return code
    return None


def _schema(name: str) -> str | None:
    """The screener's schema for an FtM schema name; ``None`` for untyped or other schemata."""
    from clearance.matching.scoring import canonical_schema

    if name in UNTYPED_SCHEMATA:
        return None
    try:
        return canonical_schema(name)
    except ValueError:
        return None


def example_to_query(example: EntityExample) -> Query:
    """The screener's view of a yente query example; 400 when it has nothing to screen.

    Like yente, values the matcher cannot use (a date it cannot read, an unknown country) are
    ignored rather than refused; a query with identifiers but no name screens the identifiers.
    """
    props = example.properties
    names = _values(props, NAME_PROPS)
    if not names:
        parts = _values(props, NAME_PART_PROPS)
        if parts:
            names = [" ".join(parts)]
    identifiers = _values(props, ID_PROPS)
    if not names and identifiers:
        names = identifiers[:1]
    if not names:
        raise HTTPException(
            400,
            "The query has no name: give properties.name (or firstName/lastName, or an "
            "identifier such as imoNumber).",
        )
    return Query(
        names=names,
        schema=_schema(example.schema_),
        birth_date=_first_date(_values(props, DATE_PROPS)),
        country=_first_country(_values(props, COUNTRY_PROPS)),
        identifiers=identifiers,
    )


def screen_query(
    screener: Screener,
    query: Query,
    *,
    limit: int,
    cutoff: float,
    scope: DatasetScope,
    exclude_schema: list[str],
    exclude_ids: list[str],
    topics: list[str],
) -> list[Any]:
    """Screen every name of the query; keep each entity's best hit, best first."""
    widened = limit if scope.include is None and not exclude_schema else limit * 4
    records = [
        {
            "name": name,
            "schema": query.schema,
            "birth_date": query.birth_date,
            "country": query.country,
            "identifiers": tuple(query.identifiers),
        }
        for name in query.names
    ]
    best: dict[str, Any] = {}
    excluded = set(exclude_ids)  # either id form
    for hits in screener.screen_many(records, limit=widened, threshold=cutoff):
        for hit in hits:
            if excluded & {hit.entity_id, ftm_id(hit.entity_id)} or not scope.covers(hit.dataset):
                continue
            if exclude_schema and hit.schema in exclude_schema:
                continue
            if topics and not set(topics) & set(hit.topics):
                continue
            if hit.entity_id not in best or hit.score > best[hit.entity_id].score:
                best[hit.entity_id] = hit
    return sorted(best.values(), key=lambda h: -h.score)[:limit]


def hit_payload(hit: Hit) -> dict[str, Any]:
    """``hit.to_dict()`` without the deep copy of :func:`dataclasses.asdict`.

    ``asdict`` copies every feature, token and consequence (over a millisecond per /screen
    request, the largest cost on the hot path); the response is serialised at once and never
    mutated, so the hit's own lists can be shared. Equality with ``to_dict`` is tested.
    """
    return {
        "entity_id": hit.entity_id,
        "caption": hit.caption,
        "schema": hit.schema,
        "dataset": hit.dataset,
        "list_version": hit.list_version,
        "programs": hit.programs,
        "score": round(hit.score, 4),
        "matched_name": hit.matched_name,
        "name_kind": hit.name_kind,
        "features": [
            {
                "name": f.name,
                "score": f.score,
                "detail": f.detail,
                "query": f.query,
                "candidate": f.candidate,
                "weight": f.weight,
            }
            for f in hit.features
        ],
        "tokens": hit.tokens,
        "consequences": hit.consequences,
        "topics": hit.topics,
        "explanation": hit.explanation,
    }


def entity_of(store: Store, hit: Any) -> Entity:
    entity = store.get_entity(hit.entity_id)
    if entity is None:
        raise HTTPException(503, "The lists changed while answering; retry the request.")
    return entity


def entity_countries(entity: Entity) -> list[str]:
    return [*entity.nationalities, *entity.citizenships, *entity.countries] + [
        a.country for a in entity.addresses if a.country
    ]


def entity_response(
    entity: Entity, store: Store | None = None, seen: dict[str, str] | None = None
) -> EntityResponse:
    """An entity in yente's response form: FtM id, schema properties only (see
    :mod:`clearance.ftm`), the Clearance id among ``referents``. With ``store`` (yente's
    ``nested``) the sanctions, relations and wallets are nested under FtM's reverse properties
    (``sanctions``, ``unknownLinkSubject``, ``ownershipAsset`` ...), the related party inside."""
    from clearance.ftm import EXTENSION, to_ftm

    main, *derived = to_ftm(entity, seen)
    properties: dict[str, list[Any]] = dict(main["properties"])
    if store is not None:
        own = main["id"]
        parties = {r["id"]: r for r in derived if r.get("target") is False}
        for record in derived:
            if record["id"] in parties:
                continue
            schema = schema_of(record["schema"])
            for prop_name, values in record["properties"].items():
                prop = schema.get(prop_name)
                if own not in values or prop is None or prop.reverse is None:
                    continue
                nested = dict(record["properties"])
                for other_name, other_values in record["properties"].items():
                    other = schema.get(other_name)
                    if other_name != prop_name and other is not None and other.range is not None:
                        nested[other_name] = [
                            _party(store, parties, value) for value in other_values
                        ]
                item = {k: v for k, v in record.items() if k != EXTENSION}
                properties.setdefault(prop.reverse.name, []).append({**item, "properties": nested})
                break
    return EntityResponse(
        id=main["id"],
        caption=entity.caption,
        schema=main["schema"],
        properties=properties,
        datasets=[entity.dataset],
        referents=main["referents"],
        target=entity.target,
        **(seen or {}),
    )


def _party(store: Store, stubs: dict[str, dict[str, Any]], value: str) -> Any:
    """A related party's FtM record for nesting: a stored entity, a name-only stub, else the id."""
    if value in stubs:
        return {k: v for k, v in stubs[value].items() if k != "clearance"}
    related = store.get_entity(value)
    if related is None:
        return value
    return entity_response(related).model_dump(by_alias=True, exclude_none=True)


def scored_entity(store: Store, hit: Any, threshold: float) -> ScoredEntityResponse:
    """A hit as one of yente's ``results``: the entity plus score, features and explanations,
    its sanctions and related parties nested as in ``/entities/{id}?nested=true``."""
    base = entity_response(entity_of(store, hit), store)
    explanations = {
        feature.name: FeatureResult(
            score=feature.score,
            detail=feature.detail,
            query=feature.query,
            candidate=feature.candidate,
            weight=feature.weight,
        )
        for feature in hit.features
    }
    return ScoredEntityResponse(
        **base.model_dump(by_alias=True),
        score=hit.score,
        features={name: result.score for name, result in explanations.items()},
        match=hit.score >= threshold,
        explanations=explanations,
    )


def matcher_info() -> MatcherInfo:
    from clearance.matching import FEATURE_DOCS

    return MatcherInfo(
        name=MATCHER_NAME,
        description="Clearance: order-free token alignment weighted by token rarity, with "
        "birth date, country and identifier evidence; graded, calibrated scores.",
        features={name: AlgorithmFeature(description=doc) for name, doc in FEATURE_DOCS.items()},
    )


def catalog_dataset(version: Any) -> CatalogDataset:
    return CatalogDataset(
        name=version.dataset,
        title=version.dataset,
        summary=version.label,
        version=str(version.id),
        entity_count=version.entity_count,
        updated_at=version.activated_at,
        load=True,
        index_current=True,
        index_version=str(version.id),
    )


def browse(
    store: Store, scope: DatasetScope, schema: str | None, exclude_schema: list[str], count: int
) -> list[Entity]:
    """The first ``count`` active entities in scope, for a search without a query string."""
    wanted = (
        e
        for e in store.entities()
        if scope.covers(e.dataset)
        and (schema is None or e.schema == schema)
        and e.schema not in exclude_schema
    )
    return list(islice(wanted, count))
