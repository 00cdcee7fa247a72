"""Evaluating the active ownership datasets against the active lists, and publishing the result.

1. Every party is screened with the store's :class:`~clearance.matching.Screener` at its
   default threshold (name and aliases, birth date, country, identifiers); a party whose data
   names a listed entity (``us_ofac_sdn:6861``) is a confirmed identification. A party is a
   *blocked owner* when such a hit's programs block property (:func:`clearance.legal.block_worthy`).
2. :mod:`clearance.ownership.engine` propagates over the graph of current interests.
3. The entities blocked, possibly blocked, significantly owned or (EU/UK) owned or controlled
   are written as *derived datasets* in the list store (:data:`DERIVED_DATASETS`), so the
   screener's index holds them like any list and every answer (screen, /match, batch files,
   payments, document scans, monitoring) returns them as hits with basis ``ownership``, the
   aggregate share or its bounds, every chain from a listed owner, and the list versions used.

Interest rules: only current interests count (an ended one, or one not yet begun, does not);
``shareholding`` is ownership, an interest of unknown kind counts as possible ownership (lower
bound 0); an *indirect* interest is a look-through figure and is left out where the data holds
the chain of direct interests it summarises, else it stands for an unknown intermediary (lower
bound its share only from 50%, upper bound 100%).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp

from clearance.errors import InputError
from clearance.legal import (
    FIFTY_PERCENT_GUIDANCE,
    OWNERSHIP_BLOCKED,
    OWNERSHIP_EU_UK,
    OWNERSHIP_REVIEW,
    block_worthy,
)
from clearance.model import Entity, Identifier, IdKind, Link, Name, NameKind
from clearance.ownership import engine
from clearance.ownership.model import CONTROL_KINDS, INDIRECT, OWNERSHIP, VOTING, Interest, Party
from clearance.ownership.store import OwnershipStore, OwnershipVersionInfo
from clearance.sources.batch import SourceBatch
from clearance.store import Store

log = logging.getLogger(__name__)

#: Derived datasets: blocked under OFAC's rule; possibly blocked or significantly owned (review);
#: owned more than 50% or controlled (EU/UK test).
DERIVED_BLOCKED, DERIVED_REVIEW, DERIVED_EU_UK = OWNERSHIP_BLOCKED, OWNERSHIP_REVIEW, OWNERSHIP_EU_UK
DERIVED_DATASETS = (DERIVED_BLOCKED, DERIVED_REVIEW, DERIVED_EU_UK)
#: Which derived datasets each regime setting publishes.
REGIMES = {
    "ofac": (DERIVED_BLOCKED, DERIVED_REVIEW),
    "eu_uk": (DERIVED_EU_UK,),
    "both": DERIVED_DATASETS,
}
FORMAT = "ownership_rule"
CITATION = FIFTY_PERCENT_GUIDANCE
EU_UK_CITATION = (
    "EU Council, Best Practices for the effective implementation of restrictive measures "
    "(ownership and control, paras 62-66); UK OFSI, General Guidance (ownership and control)"
)
#: Chains kept per entity (the strongest first), and their longest length.
MAX_CHAINS = 12
MAX_DEPTH = 12
UNSEEDED = -1


@dataclass(slots=True)
class Settings:
    """Evaluation settings: the regime(s) published and the *significant* level (0-1)."""

    regime: str = "ofac"
    significant: float = engine.SIGNIFICANT_LEVEL

    def __post_init__(self) -> None:
        if self.regime not in REGIMES:
            raise InputError(f"unknown regime {self.regime!r} (use {', '.join(REGIMES)})")
        if not 0 < self.significant < engine.OFAC_LEVEL:
            raise InputError("the significant level must be above 0% and below 50%")


@dataclass(slots=True)
class Seed:
    """Why a party is a blocked owner: the listed entity it is (or matches)."""

    entity_id: str
    caption: str
    dataset: str
    programs: list[str]
    score: float
    how: str  # "confirmed" (the data names the listed id) or "match"
    list_version: str | None = None

    def label(self) -> str:
        return f"{self.caption} [{self.entity_id}]"


@dataclass(slots=True)
class OwnershipGraph:
    """The active ownership datasets as one graph: parties, current interests, matrices."""

    parties: list[tuple[str, Party]]
    graph: engine.Graph
    edges: dict[tuple[int, int], list[Interest]]
    versions: list[OwnershipVersionInfo]
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return self.graph.keys

    def index(self) -> dict[str, int]:
        return {key: n for n, key in enumerate(self.graph.keys)}


def load_graph(ownership: OwnershipStore, today: date | None = None) -> OwnershipGraph:
    """The active ownership versions as one graph of current interests."""
    versions = ownership.active_versions()
    parties, interests = ownership.records(v.id for v in versions)
    return build_graph(parties, interests, versions, today)


def build_graph(
    parties: Sequence[tuple[str, Party]],
    interests: Sequence[tuple[str, Interest]],
    versions: list[OwnershipVersionInfo] | None = None,
    today: date | None = None,
) -> OwnershipGraph:
    """Nodes ``<dataset>/<party id>``; edges of current interests (see the module docstring)."""
    keys = [f"{dataset}/{party.id}" for dataset, party in parties]
    position = {key: n for n, key in enumerate(keys)}
    edges: dict[tuple[int, int], list[Interest]] = {}
    skipped: list[dict[str, Any]] = []
    indirect: list[tuple[int, int, Interest]] = []
    rows: list[tuple[int, int, float, float, bool]] = []
    for dataset, interest in interests:
        owner = position.get(f"{dataset}/{interest.owner}")
        owned = position.get(f"{dataset}/{interest.owned}")
        if owner is None or owned is None:
            continue
        if not interest.current(today):
            skipped.append({"interest": interest.id, "dataset": dataset, "why": "ended"})
            continue
        if interest.direct == INDIRECT:
            indirect.append((owner, owned, interest))
            continue
        edge = _edge(owner, owned, interest)
        if edge is not None:
            rows.append(edge)
            edges.setdefault((owner, owned), []).append(interest)
    direct = _pattern(rows, len(keys))
    for owner, owned, interest in indirect:
        if engine.reaches(direct, owner, owned):
            skipped.append(
                {"interest": interest.id, "why": "indirect, the chain of direct interests is given"}
            )
            continue
        if interest.kind == OWNERSHIP:
            low = interest.share.lower / 100 if interest.share.lower >= 50 else 0.0
            rows.append((owner, owned, low, 1.0, False))
            edges.setdefault((owner, owned), []).append(interest)
    owner_a, owned_a, low_a, high_a, control_a = (
        np.array(column) for column in (zip(*rows, strict=True) if rows else ([],) * 5)
    )
    graph = engine.Graph.build(
        keys,
        owner_a.astype(np.int64),
        owned_a.astype(np.int64),
        low_a.astype(np.float64),
        high_a.astype(np.float64),
        control_a.astype(bool),
    )
    return OwnershipGraph(list(parties), graph, edges, versions or [], skipped)


def _edge(owner: int, owned: int, interest: Interest) -> tuple[int, int, float, float, bool] | None:
    share = interest.share
    if interest.kind == OWNERSHIP:
        return owner, owned, share.lower / 100, share.upper / 100, False
    if interest.kind in ("unknownInterest", "unpublishedInterest"):
        return owner, owned, 0.0, share.upper / 100, False
    if interest.kind in CONTROL_KINDS or interest.kind == VOTING:
        return owner, owned, 0.0, 0.0, interest.is_control
    return None


def _pattern(rows: list[tuple[int, int, float, float, bool]], n: int) -> sp.csr_matrix:
    if not rows:
        return sp.csr_matrix((n, n))
    owners = np.array([r[0] for r in rows])
    owned = np.array([r[1] for r in rows])
    return sp.csr_matrix((np.ones(len(rows)), (owners, owned)), shape=(n, n))


# --- screening the parties -------------------------------------------------------------------


def screen_parties(
    parties: Sequence[tuple[str, Party]], store: Store, screener: Any = None
) -> list[Seed | None]:
    """Per party, why it is a blocked owner (its strongest blocking hit), or None."""
    from clearance.matching import Screener
    from clearance.matching.screener import Query

    screener = screener or Screener.open(store)
    queries: list[Query] = []
    owners: list[int] = []
    for n, (_, party) in enumerate(parties):
        for name in dict.fromkeys([party.name, *party.aliases]):
            queries.append(_query(Query, name, party))
            owners.append(n)
    seeds: list[Seed | None] = [None] * len(parties)
    for n, hits in zip(owners, screener.screen_many(queries), strict=True):
        for hit in hits:
            if hit.dataset in DERIVED_DATASETS or not block_worthy(hit.programs, hit.dataset):
                continue
            best = seeds[n]
            if best is None or hit.score > best.score:
                seeds[n] = Seed(
                    hit.entity_id,
                    hit.caption,
                    hit.dataset,
                    list(hit.programs),
                    hit.score,
                    "match",
                    hit.list_version,
                )
    for n, (_, party) in enumerate(parties):
        if party.listed_id:
            entity = store.get_entity(party.listed_id)
            if entity is not None and block_worthy(entity.programs, entity.dataset):
                version = screener.versions.get(entity.dataset)
                seeds[n] = Seed(
                    entity.id, entity.caption, entity.dataset, list(entity.programs), 1.0,
                    "confirmed", version,
                )
    return seeds


def _query(query_type: Any, name: str, party: Party) -> Any:
    """The party as a screening query; a field the screener refuses is left out, not fatal."""
    fields = {
        "schema": party.schema,
        "birth_date": party.birth_date if party.schema == "Person" else None,
        "country": party.country,
        "identifiers": tuple(party.identifiers),
    }
    for drop in (None, "birth_date", "country", "identifiers"):
        if drop is not None:
            fields[drop] = None if drop != "identifiers" else ()
        try:
            return query_type.of(name, **fields)
        except InputError:
            continue
    return query_type.of(name)


# --- results -----------------------------------------------------------------------------


@dataclass(slots=True)
class Result:
    """One evaluation: the graph, the seeds, the engine's answer and the derived entities."""

    graph: OwnershipGraph
    seeds: list[Seed | None]
    evaluation: engine.Evaluation
    entities: dict[str, list[Entity]]
    list_versions: dict[str, str]
    settings: Settings

    def status(self, node: int) -> str | None:
        e = self.evaluation
        if e.seeds[node]:
            return "listed"
        if e.blocked[node]:
            return "blocked"
        if e.possibly[node]:
            return "possibly_blocked"
        if e.significant[node]:
            return "significant"
        return None

    def summary(self) -> dict[str, Any]:
        e = self.evaluation
        cycles = [[self.graph.keys[n] for n in group] for group in e.cycles]
        return {
            "parties": self.graph.graph.size,
            "blocked_owners": int(e.seeds.sum()),
            "blocked": int((e.blocked & ~e.seeds).sum()),
            "possibly_blocked": int((e.possibly & ~e.blocked).sum()),
            "significant": int(e.significant.sum()),
            "eu_uk_owned_or_controlled": int((e.eu_uk & ~e.seeds).sum()),
            "rounds": e.rounds,
            "cycles": cycles,
            "skipped_interests": self.graph.skipped,
            "ownership_versions": [v.to_dict() for v in self.graph.versions],
            "list_versions": self.list_versions,
            "regime": self.settings.regime,
        }


def evaluate_graph(
    graph: OwnershipGraph,
    seeds: list[Seed | None],
    settings: Settings,
    list_versions: dict[str, str],
    previous: engine.Evaluation | None = None,
) -> Result:
    mask = np.array([s is not None for s in seeds], dtype=bool)
    evaluation = engine.evaluate(graph.graph, mask, settings.significant, previous)
    result = Result(graph, seeds, evaluation, {}, list_versions, settings)
    result.entities = derived_entities(result)
    return result


def derived_entities(result: Result) -> dict[str, list[Entity]]:
    """The derived datasets' entities (only those the settings' regime publishes)."""
    e = result.evaluation
    wanted = REGIMES[result.settings.regime]
    found: dict[str, list[Entity]] = {d: [] for d in wanted}
    flagged = np.flatnonzero(~e.seeds & (e.possibly | e.significant | e.eu_uk))
    for node in flagged.tolist():
        if DERIVED_BLOCKED in wanted and (e.blocked[node] or e.possibly[node] or e.significant[node]):
            target = DERIVED_BLOCKED if e.blocked[node] else DERIVED_REVIEW
            found[target].append(_entity(result, node, target))
        if DERIVED_EU_UK in wanted and e.eu_uk[node]:
            found[DERIVED_EU_UK].append(_entity(result, node, DERIVED_EU_UK))
    return found


def chains(result: Result, node: int, basis: np.ndarray) -> list[dict[str, Any]]:
    """Paths from blocked owners to ``node`` through parties in ``basis`` (blocked, possibly
    blocked...), the strongest last step first; cycles are cut where a path meets itself."""
    graph = result.graph.graph
    owners_of = (graph.upper + graph.control).tocsr()
    paths: list[list[int]] = []

    def walk(path: list[int]) -> None:
        if len(paths) >= MAX_CHAINS * 4 or len(path) > MAX_DEPTH:
            return
        for owner in owners_of[path[0]].indices.tolist():
            if not basis[owner] or owner in path:
                continue
            if result.seeds[owner] is not None:
                paths.append([owner, *path])
            else:
                walk([owner, *path])

    walk([node])
    found = [_chain(result, path) for path in paths]
    found.sort(key=lambda c: (-c["last_share"], c["text"]))
    return found[:MAX_CHAINS]


def share_text(graph: OwnershipGraph, owner: int, owned: int) -> str:
    parts = []
    for interest in graph.edges.get((owner, owned), []):
        text = str(interest.share)
        if interest.kind != OWNERSHIP:
            text = interest.kind if interest.is_control else f"{text} {interest.kind}"
        elif interest.direct == INDIRECT:
            text += " indirect"
        parts.append(text)
    return " + ".join(parts) or "?"


def _chain(result: Result, path: list[int]) -> dict[str, Any]:
    graph = result.graph
    seed = result.seeds[path[0]]
    assert seed is not None
    text = seed.label()
    steps = []
    for owner, owned in pairwise(path):
        share = share_text(graph, owner, owned)
        text += f" {share} → {graph.parties[owned][1].name}"
        steps.append({"owner": graph.keys[owner], "owned": graph.keys[owned], "share": share})
    last = graph.graph.lower[path[-1], path[-2]]
    return {
        "text": text,
        "listed_id": seed.entity_id,
        "listed_name": seed.caption,
        "match": seed.how,
        "score": seed.score,
        "steps": steps,
        "last_share": float(last),
    }


def _entity(result: Result, node: int, dataset: str) -> Entity:
    """The derived entity of ``node`` in ``dataset``, its basis in ``source["ownership"]``."""
    e = result.evaluation
    owner_dataset, party = result.graph.parties[node]
    status = (
        "eu_uk_owned_or_controlled"
        if dataset == DERIVED_EU_UK
        else "blocked" if e.blocked[node] else "possibly_blocked" if e.possibly[node] else "significant"
    )
    basis = e.eu_uk if dataset == DERIVED_EU_UK else e.blocked if status != "possibly_blocked" else e.possibly
    found = chains(result, node, basis | e.seeds)
    lower, upper = float(e.share_lower[node]), float(e.share_upper[node])
    share = _pct(lower) if abs(upper - lower) < 1e-9 else f"{_pct(lower)}–{_pct(upper)}"
    seeds = {c["listed_id"]: c["listed_name"] for c in found}
    programs = sorted(
        {p for c in found for p in (_seed_by_id(result, c["listed_id"]).programs)}
    )
    versions = {
        s.dataset: s.list_version or "" for s in result.seeds if s is not None and s.entity_id in seeds
    }
    ownership = {
        "basis": "ownership",
        "status": status,
        "regime": "eu_uk" if dataset == DERIVED_EU_UK else "ofac",
        "share": {"lower": round(lower * 100, 4), "upper": round(upper * 100, 4), "text": share},
        "chains": [c["text"] for c in found],
        "chain_steps": [c["steps"] for c in found],
        "listed_owners": [{"id": k, "name": v} for k, v in seeds.items()],
        "list_versions": versions,
        "ownership_dataset": owner_dataset,
        "ownership_version": next(
            (v.label for v in result.graph.versions if v.dataset == owner_dataset), None
        ),
        "party_id": party.id,
        "citation": EU_UK_CITATION if dataset == DERIVED_EU_UK else CITATION,
    }
    return Entity(
        id=f"{dataset}:{owner_dataset}/{party.id}",
        schema=party.schema,
        names=[Name(party.name), *(Name(a, NameKind.ALIAS) for a in party.aliases)],
        dataset=dataset,
        programs=programs,
        legal_basis=[ownership["citation"]],
        countries=[party.country] if party.country else [],
        identifiers=[Identifier(IdKind.REGISTRATION, number) for number in party.identifiers],
        links=[Link("owned_by", name, entity_id) for entity_id, name in seeds.items()],
        topics=["sanction.linked"],
        properties={
            "ownershipStatus": [status],
            "ownershipShare": [share],
            "ownershipChain": ownership["chains"],
        },
        source={"ownership": ownership},
    )


def _seed_by_id(result: Result, entity_id: str) -> Seed:
    return next(s for s in result.seeds if s is not None and s.entity_id == entity_id)


def _pct(value: float) -> str:
    return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"


# --- publishing ------------------------------------------------------------------------------


def publish(store: Store, result: Result) -> dict[str, Any]:
    """Write each derived dataset as a new version when its content differs from the active one.

    Always forward: going back to content an older version had is a new version too, so
    monitoring (which re-screens from its watermark forward) sees every change as a diff.
    """
    outcomes: dict[str, Any] = {}
    label_versions = ", ".join(f"{k} {v}" for k, v in sorted(result.list_versions.items()))
    owners = ", ".join(v.label for v in result.graph.versions) or "no ownership data"
    active = {v.dataset: v for v in store.active_versions()}
    for dataset in REGIMES[result.settings.regime]:
        entities = sorted(result.entities.get(dataset, []), key=lambda x: x.id)
        content = _digest(entities)
        current = active.get(dataset)
        if current is not None and _digest(store.entities(version_ids=[current.id])) == content:
            outcomes[dataset] = {"version": current.id, "entities": len(entities), "changed": False}
            continue
        after = str(current.id) if current is not None else "none"
        batch = SourceBatch(
            dataset=dataset,
            entities=entities,
            files=[],
            content_hash=hashlib.sha256(f"{content}:{after}".encode()).hexdigest(),
            label=f"ownership of {owners} over {label_versions}"[:500],
            format=FORMAT,
        )
        version = store.import_batch(batch)
        if not version.active:
            version = store.activate(version.id)
        outcomes[dataset] = {"version": version.id, "entities": len(entities), "changed": True}
    return outcomes


def _digest(entities: Iterable[Entity]) -> str:
    digest = hashlib.sha256()
    for entity in sorted(entities, key=lambda x: x.id):
        digest.update(f"{entity.id}:{entity.content_hash()}\n".encode())
    return digest.hexdigest()
