"""``clearance evaluate``: measure a screener's recall and false alerts on a labelled test set.

Usage::

    test_set = build_test_set(entities, seed=42, sample=2000, negatives=2000)
    report = evaluate(Screener.from_entities(entities), test_set)
    report.to_dict()["classes"][0]["recall"]
"""

from __future__ import annotations

from clearance.evaluation.cases import NEAR_MISS, NEGATIVE, EvalCase, EvalSet
from clearance.evaluation.generate import build_test_set
from clearance.evaluation.run import EvaluationReport, Outcome, build_report, evaluate
from clearance.evaluation.variants import VARIANT_CLASSES

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
