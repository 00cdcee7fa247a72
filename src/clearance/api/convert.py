"""Translation between yente's wire format and the library: queries in, FtM entities out.

No scoring happens here: a FollowTheMoney query example becomes arguments for
:meth:`clearance.Screener.screen`, and listed entities are rendered through the FtM mapping of
:mod:`clearance.sources.ftm_json`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
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
from clearance.ftm import EXTENSION, schema_of, to_ftm
from clearance.model import Entity, ftm_id

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
    """Which datasets a request covers, as yente defines it: the path's dataset (a collection
    such as ``default`` = every loaded list, or one dataset), narrowed to ``include_dataset``
    where given, less ``exclude_dataset``."""

    datasets: frozenset[str]

    @classmethod
    def parse(
        cls, store: Store, dataset: str, include: Sequence[str] = (), exclude: Sequence[str] = ()
    ) -> DatasetScope:
        """404 for an unknown path dataset, 400 for an unknown included/excluded one."""
        known = {v.dataset for v in store.active_versions()}
        names = ", ".join([*ALL_DATASETS, *sorted(known)])
        if dataset not in ALL_DATASETS and dataset not in known:
            raise HTTPException(404, f"Unknown dataset {dataset!r}; known datasets: {names}.")
        for name in [*include, *exclude]:
            if name not in known:
                raise HTTPException(400, f"Unknown dataset {name!r}; known datasets: {names}.")
        wanted = set(known) if dataset in ALL_DATASETS else {dataset}
        if include:
            wanted &= set(include)
        return cls(frozenset(wanted - set(exclude)))

    def covers(self, dataset: str) -> bool:
        return dataset in self.datasets


@dataclass(slots=True)
class Query:
    """A screening query taken from a yente entity example: every name, birth date, country
    and identifier it gives (the screener is asked for each combination, best kept)."""

    names: list[str]
    schema: str | None = None
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What the audit log records about this query."""
        return {
            "names": self.names,
            "schema": self.schema,
            "birth_dates": self.birth_dates,
            "countries": self.countries,
            "identifiers": self.identifiers,
        }

    def records(self) -> list[dict[str, Any]]:
        """One screener record per name x birth date x country (at most
        :data:`MAX_VARIANTS` dates and countries each)."""
        dates: list[str | None] = list(self.birth_dates[:MAX_VARIANTS]) or [None]
        countries: list[str | None] = list(self.countries[:MAX_VARIANTS]) or [None]
        return [
            {
                "name": name,
                "schema": self.schema,
                "birth_date": date,
                "country": country,
                "identifiers": tuple(self.identifiers),
            }
            for name in self.names
            for date in dates
            for country in countries
        ]


#: Most birth dates / countries of one query combined with each name.
MAX_VARIANTS = 4


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


def _dates(values: list[str]) -> list[str]:
    """The values that start like an ISO date, cut to their date part (yente sends any FtM
    date: ``1957``, ``1957-04``, ``1957-04-04T00:00:00``)."""
    found = [m.group(0) for m in map(ISO_DATE_PREFIX.match, values) if m]
    return list(dict.fromkeys(found))


def _countries(values: list[str]) -> list[str]:
    """The values that name a country (code, name or adjective); others are ignored."""
    from clearance.countries import to_iso2

    return list(dict.fromkeys(c for c in map(to_iso2, values) if c))


def check_schema(name: str) -> Any:
    """The FtM schema of that name; 400 for a name FtM does not know (as yente)."""
    schema = schema_of(name)
    if schema is None:
        raise HTTPException(400, f"Unknown schema {name!r}: use a FollowTheMoney schema name.")
    return schema


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
    check_schema(example.schema_)
    return Query(
        names=names,
        schema=_schema(example.schema_),
        birth_dates=_dates(_values(props, DATE_PROPS)),
        countries=_countries(_values(props, COUNTRY_PROPS)),
        identifiers=identifiers,
    )


def screen_query(
    screener: Screener,
    query: Query,
    *,
    limit: int,
    cutoff: float,
    scope: DatasetScope,
    exclude_schema: Sequence[str] = (),
    exclude_ids: Sequence[str] = (),
    topics: Sequence[str] = (),
    schema: str | None = None,
    countries: Sequence[str] = (),
    store: Store | None = None,
    capped: list[bool] | None = None,
) -> list[Any]:
    """Screen every name (and birth date, country) of the query; keep each entity's best hit,
    best first. Filters (dataset scope, ``schema`` and its descendants, ``exclude_schema``,
    ``countries``, read from ``store``; ``topics``; excluded ids in either form) apply before
    ``limit``. The screener looks at its best candidates per name
    (:data:`clearance.matching.screener.MAX_CANDIDATES`); ``capped`` (a list) gets ``True``
    appended when a name reached that many, so a total counted from the hits is a lower
    bound."""
    from clearance.matching.screener import MAX_CANDIDATES

    filtering = bool(exclude_schema or exclude_ids or topics or schema or countries)
    widened = limit if not filtering else max(limit * 4, MAX_SEARCH_CANDIDATES)
    wanted_schema = check_schema(schema) if schema else None
    wanted_countries = {c.lower() for c in countries}
    best: dict[str, Any] = {}
    excluded = set(exclude_ids)  # either id form
    for hits in screener.screen_many(query.records(), limit=widened, threshold=cutoff):
        if capped is not None and len(hits) >= MAX_CANDIDATES:
            capped.append(True)
        for hit in hits:
            if excluded & {hit.entity_id, ftm_id(hit.entity_id)} or not scope.covers(hit.dataset):
                continue
            if exclude_schema and hit.schema in exclude_schema:
                continue
            if wanted_schema is not None and not schema_of(hit.schema).is_a(wanted_schema):
                continue
            if topics and not set(topics) & set(hit.topics):
                continue
            if hit.entity_id not in best or hit.score > best[hit.entity_id].score:
                best[hit.entity_id] = hit
    ranked = sorted(best.values(), key=lambda h: -h.score)
    if wanted_countries and store is not None:
        ranked = [
            h for h in ranked if wanted_countries & set(entity_countries(entity_of(store, h)))
        ]
    return ranked[:limit]


#: Candidates a filtered search looks through before filtering.
MAX_SEARCH_CANDIDATES = 500


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
        "basis": hit.basis,
        "ownership": hit.ownership,
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

    main, *derived = to_ftm(entity, seen)
    properties: dict[str, list[Any]] = dict(main["properties"])
    if store is not None:
        own = main["id"]
        parties = {r["id"]: r for r in derived if r.get(EXTENSION, {}).get("stub")}
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
        **{field: moment(value) for field, value in (seen or {}).items()},
    )


def _party(store: Store, stubs: dict[str, dict[str, Any]], value: str) -> Any:
    """A related party's FtM record for nesting: a stored entity, a name-only stub, else the id."""

    if value in stubs:
        return {k: v for k, v in stubs[value].items() if k != EXTENSION}
    related = store.get_entity(value)
    if related is None:
        return value
    return entity_response(related).model_dump(by_alias=True, exclude_none=True)


def scored_entity(
    store: Store, hit: Any, threshold: float, seen: dict[str, dict[str, str]]
) -> ScoredEntityResponse:
    """A hit as one of yente's ``results``: the entity plus score, features and explanations,
    its sanctions and related parties nested as in ``/entities/{id}?nested=true``."""
    base = entity_response(entity_of(store, hit), store, seen.get(hit.entity_id))
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


def matcher_info(base_url: str) -> MatcherInfo:
    """The matcher in yente's form. Each feature's ``coefficient`` is 1: Clearance adds each
    feature's own signed adjustment to the name score (the description states its size);
    ``url`` points at the feature's description under ``/algorithms``."""
    from clearance.matching import FEATURE_DOCS

    base = base_url.rstrip("/")
    return MatcherInfo(
        name=MATCHER_NAME,
        description="Clearance: order-free token alignment weighted by token rarity, with "
        "birth date, country and identifier evidence; graded, calibrated scores.",
        features={
            name: AlgorithmFeature(
                description=doc, coefficient=1.0, url=f"{base}/algorithms#{name}"
            )
            for name, doc in FEATURE_DOCS.items()
        },
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
    store: Store,
    scope: DatasetScope,
    schema: str | None,
    exclude_schema: Sequence[str],
    countries: Sequence[str],
) -> list[Entity]:
    """Every active entity in scope passing the filters, for a search without a query string."""
    wanted_schema = check_schema(schema) if schema else None
    wanted_countries = {c.lower() for c in countries}
    return [
        e
        for e in store.entities(datasets=sorted(scope.datasets))
        if (wanted_schema is None or schema_of(e.schema).is_a(wanted_schema))
        and e.schema not in exclude_schema
        and (not wanted_countries or wanted_countries & set(entity_countries(e)))
    ]


#: yente's ``changed_since`` format.
TS_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$")


def moment(text: str) -> datetime:
    """A timeline value or ``changed_since`` as an aware datetime (naive = UTC). A list's
    publication date may be partial (``2025-12``): it counts from its first day."""
    value = datetime.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def changed_since_filter(raw: str | None) -> datetime | None:
    """yente's ``changed_since`` (``2024-05-01`` or ``2024-05-01T10:00:00``); 400 otherwise."""
    if raw is None:
        return None
    if not TS_PATTERN.match(raw):
        raise HTTPException(
            400, f"changed_since {raw!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS."
        )
    padded = raw + {13: ":00:00", 16: ":00"}.get(len(raw), "")
    try:
        return moment(padded)
    except ValueError:
        raise HTTPException(400, f"changed_since {raw!r} is not a valid date.") from None


def changed_after(seen: dict[str, str] | None, since: datetime | None) -> bool:
    """Whether an entity's ``last_change`` is at or after ``since`` (no filter: always)."""
    if since is None:
        return True
    return seen is not None and moment(seen["last_change"]) >= since
