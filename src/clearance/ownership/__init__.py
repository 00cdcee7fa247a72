"""Ownership screening: OFAC's 50 Percent Rule (and the EU/UK test), computed and explained.

``import_ownership(store, paths)`` stores an ownership dataset version (BODS 0.4, FtM
``Ownership`` lines or CSV) and re-evaluates; ``evaluate(store)`` screens every party, runs the
sparse propagation (:mod:`.engine`) and publishes the derived datasets
(:mod:`.evaluation`); ``OwnershipWatch(store).attach()`` re-evaluates on every list activation,
redoing only the part of the graph the changed blocked owners reach. Limits: Clearance knows only
the ownership data it is given; an owner missing from it is an owner it cannot count.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clearance.ownership.evaluation import (
    DERIVED_DATASETS,
    Result,
    Settings,
    evaluate_graph,
    load_graph,
    publish,
    screen_parties,
)
from clearance.ownership.io import merge, read_ownership
from clearance.ownership.store import OwnershipStore
from clearance.store import Store

log = logging.getLogger(__name__)

__all__ = [
    "DERIVED_DATASETS",
    "OwnershipStore",
    "OwnershipWatch",
    "Settings",
    "analyse",
    "evaluate",
    "import_ownership",
    "settings_from_env",
]


def settings_from_env() -> Settings:
    """``CLEARANCE_OWNERSHIP_REGIME`` (ofac, eu_uk, both) and ``CLEARANCE_OWNERSHIP_SIGNIFICANT``
    (percent, default 25)."""
    regime = os.environ.get("CLEARANCE_OWNERSHIP_REGIME", "ofac")
    level = float(os.environ.get("CLEARANCE_OWNERSHIP_SIGNIFICANT", "25")) / 100
    return Settings(regime, level)


def evaluate(
    store: Store,
    settings: Settings | None = None,
    screener: Any = None,
    previous: Result | None = None,
) -> tuple[Result, dict[str, Any]]:
    """Screen the parties, propagate, publish; ``(result, derived dataset outcomes)``.

    With ``previous`` (same ownership versions), only the part of the graph downstream of the
    parties whose blocked-owner status changed is recomputed.
    """
    result = analyse(store, settings, screener, previous)
    return result, publish(store, result)


def analyse(
    store: Store,
    settings: Settings | None = None,
    screener: Any = None,
    previous: Result | None = None,
) -> Result:
    """As :func:`evaluate`, without publishing (what ``explain`` shows)."""
    from clearance.matching import Screener

    settings = settings or settings_from_env()
    ownership = OwnershipStore(store)
    graph = load_graph(ownership)
    same_graph = previous is not None and [v.id for v in previous.graph.versions] == [
        v.id for v in graph.versions
    ]
    if same_graph:
        assert previous is not None
        graph = previous.graph
    screener = screener or Screener.open(store)
    seeds = screen_parties(graph.parties, store, screener)
    versions = {
        k: v for k, v in screener.versions.items() if k not in DERIVED_DATASETS
    }
    return evaluate_graph(
        graph, seeds, settings, versions, previous.evaluation if same_graph and previous else None
    )


def import_ownership(
    store: Store,
    paths: Sequence[Path],
    dataset: str | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Read ownership files (all parsed before anything is written), store them as one version
    of ``dataset`` (default: the first file's name), then evaluate."""
    batches = [read_ownership(Path(p)) for p in paths]
    batch = merge(batches, dataset or batches[0].dataset)
    version, created = OwnershipStore(store).import_batch(batch)
    result, derived = evaluate(store, settings)
    return {
        "version": version.to_dict(),
        "created": created,
        "warnings": [str(w) for w in batch.warnings],
        "evaluation": result.summary(),
        "derived": derived,
    }


class OwnershipWatch:
    """Store listener: a list activation re-evaluates ownership (derived datasets ignored)."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings
        self.last: Result | None = None

    def attach(self) -> OwnershipWatch:
        self.store.add_activation_listener(self.on_activation)
        return self

    def on_activation(self, new_version: Any, _old_version: Any) -> None:
        if new_version.dataset in DERIVED_DATASETS:
            return
        if not OwnershipStore(self.store).active_versions():
            return
        self.last, derived = evaluate(self.store, self.settings, previous=self.last)
        log.info("ownership re-evaluated after %s: %s", new_version.dataset, derived)
