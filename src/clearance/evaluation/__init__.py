"""``clearance evaluate``: measure a screener's recall and false alerts on a labelled test set.

Usage::

    test_set = build_test_set(entities, seed=42, sample=2000, negatives=2000)
    report = evaluate(Screener.from_entities(entities), test_set)
    report.to_dict()["classes"][0]["recall"]

The names below are imported on first use: the generators and numpy are slow to import and
the CLI only needs ``clearance.evaluation.defaults`` to show its help.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clearance.evaluation.cases import NEAR_MISS, NEGATIVE, EvalCase, EvalSet
    from clearance.evaluation.generate import build_test_set
    from clearance.evaluation.run import EvaluationReport, Outcome, build_report, evaluate
    from clearance.evaluation.variants import VARIANT_CLASSES

_HOMES = {
    "NEAR_MISS": "cases",
    "NEGATIVE": "cases",
    "EvalCase": "cases",
    "EvalSet": "cases",
    "build_test_set": "generate",
    "EvaluationReport": "run",
    "Outcome": "run",
    "build_report": "run",
    "evaluate": "run",
    "VARIANT_CLASSES": "variants",
}

__all__ = [
    "NEAR_MISS",
    "NEGATIVE",
    "VARIANT_CLASSES",
    "EvalCase",
    "EvalSet",
    "EvaluationReport",
    "Outcome",
    "build_report",
    "build_test_set",
    "evaluate",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'clearance.evaluation' has no attribute {name!r}")
    return getattr(import_module(f"clearance.evaluation.{_HOMES[name]}"), name)
