"""Screen a labelled test set and turn the outcomes into recall / false-alert figures.

The screener is used only through its public ``screen`` call (and ``candidates`` when it has
one), so the figures measure what users get. Every case is screened once at the lowest
threshold of interest; recall and false alerts at any higher threshold follow from the scores.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from clearance.errors import InputError
from clearance.evaluation.birthdates import DATE_CLASS_BY_NAME, DOB_EXACT
from clearance.evaluation.cases import (
    LOOKALIKE_CLASSES,
    NEAR_MISS,
    NEGATIVE,
    POPULATION,
    EvalCase,
    EvalSet,
)
from clearance.evaluation.defaults import DEFAULT_LIMIT
from clearance.evaluation.variants import ADVERSARIAL, BENIGN, DAMAGED, VARIANT_CLASS_BY_NAME

#: Targets from the matching issues: recall per benign / damaged / adversarial class, false
#: alerts per 1,000 random negatives.
BENIGN_RECALL_TARGET = 0.99
DAMAGED_RECALL_TARGET = 0.97
ADVERSARIAL_RECALL_TARGET = 0.97
RECALL_TARGETS = {
    BENIGN: BENIGN_RECALL_TARGET,
    DAMAGED: DAMAGED_RECALL_TARGET,
    ADVERSARIAL: ADVERSARIAL_RECALL_TARGET,
}
BIRTH_DATE_RECALL_TARGET = 0.99
FALSE_ALERTS_PER_1000_TARGET = 1.0
#: False alerts allowed per 1,000 look-alike negatives of each kind (5%).
LOOKALIKE_PER_1000_TARGET = 50.0
#: Alert rates allowed in a common-name population: (name only, with a birth date).
POPULATION_TARGET = (0.01, 0.002)
#: Arabic names repeat a handful of given names as father's and family names, so more of
#: them resemble listed names; the issue allows more there.
POPULATION_TARGETS = {"arabic": (0.05, 0.005)}
CANDIDATE_RECALL_TARGET = 0.995

#: Thresholds of the sweep a compliance team picks its threshold from.
DEFAULT_SWEEP = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))
POSITIVE_PERCENTILES = (5, 25, 50, 75, 95)
NEGATIVE_PERCENTILES = (50, 90, 95, 99, 100)
EXAMPLES_PER_CLASS = 5
FALSE_ALERT_EXAMPLES = 10


class HitLike(Protocol):
    entity_id: str
    score: float


class ScreenerLike(Protocol):
    """What the evaluation needs from :class:`clearance.Screener`."""

    def screen(
        self,
        name: str,
        *,
        schema: str | None = ...,
        birth_date: str | None = ...,
        limit: int = ...,
        threshold: float | None = ...,
    ) -> Sequence[HitLike]: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What screening one case returned, reduced to what the report needs."""

    case: EvalCase
    expected_score: float | None  # best score of an expected entity; None if none returned
    top_id: str | None
    top_score: float | None
    top_caption: str | None = None
    in_candidates: bool | None = None  # None when the screener exposes no candidate stage
    refused: str | None = None  # why the screener refused the record (no hits then)

    def found(self, threshold: float) -> bool:
        return self.expected_score is not None and self.expected_score >= threshold

    def found_first(self, threshold: float) -> bool:
        """The expected entity ranks first (ties count) at or above ``threshold``."""
        return (
            self.found(threshold)
            and self.top_score is not None
            and self.expected_score is not None
            and self.expected_score >= self.top_score
        )

    def alerts(self, threshold: float) -> bool:
        return self.top_score is not None and self.top_score >= threshold


def _candidate_ids(screener: Any, case: EvalCase) -> set[str] | None:
    """Entity ids the screener's candidate stage passes to scoring, when it exposes that stage."""
    candidates = getattr(screener, "candidates", None)
    if not callable(candidates):
        return None
    result = candidates(case.query, schema=case.schema)
    return {getattr(item, "entity_id", item) for item in result}


#: Cases screened per ``screen_many`` call when the screener offers batch screening.
BATCH_SIZE = 500


def _screen_one(
    screener: ScreenerLike, case: EvalCase, floor: float, limit: int
) -> Sequence[HitLike] | str:
    """Hits for one case, or the reason the screener refused the record."""
    extra = {"birth_date": case.birth_date} if case.birth_date else {}
    try:
        return screener.screen(
            case.query, schema=case.schema, limit=limit, threshold=floor, **extra
        )
    except InputError as exc:
        return exc.reason


def _screen_all(
    screener: ScreenerLike, cases: Sequence[EvalCase], floor: float, limit: int
) -> Iterator[Sequence[HitLike] | str]:
    """Hits per case, through ``screen_many`` in batches where the screener has it (the same
    results as one ``screen`` call per case, computed faster). A batch the screener refuses is
    screened one record at a time, so only the refused records go without hits."""
    screen_many = getattr(screener, "screen_many", None)
    if not callable(screen_many):
        for case in cases:
            yield _screen_one(screener, case, floor, limit)
        return
    for start in range(0, len(cases), BATCH_SIZE):
        batch = cases[start : start + BATCH_SIZE]
        records = []
        for c in batch:
            record = {"name": c.query, "schema": c.schema}
            if c.birth_date:
                record["birth_date"] = c.birth_date
            records.append(record)
        try:
            yield from screen_many(records, limit=limit, threshold=floor)
        except InputError:
            for case in batch:
                yield _screen_one(screener, case, floor, limit)


def screen_cases(
    screener: ScreenerLike,
    cases: Sequence[EvalCase],
    *,
    floor: float,
    limit: int = DEFAULT_LIMIT,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """Screen every case once, keeping hits at or above ``floor``."""
    outcomes = []
    for case, result in zip(cases, _screen_all(screener, cases, floor, limit), strict=True):
        refused = result if isinstance(result, str) else None
        hits: Sequence[HitLike] = [] if isinstance(result, str) else result
        expected = set(case.expected_ids)
        expected_scores = [h.score for h in hits if h.entity_id in expected]
        top = max(hits, key=lambda h: h.score, default=None)
        in_candidates = None
        if expected:
            candidate_ids = _candidate_ids(screener, case)
            if candidate_ids is not None:
                in_candidates = bool(candidate_ids & expected)
        outcomes.append(
            Outcome(
                case=case,
                expected_score=max(expected_scores, default=None),
                top_id=top.entity_id if top else None,
                top_score=top.score if top else None,
                top_caption=getattr(top, "caption", None) if top else None,
                in_candidates=in_candidates,
                refused=refused,
            )
        )
        if progress:
            progress(1)
    return outcomes


# ----------------------------------------------------------------------------------------------
# report


def _round(value: float) -> float:
    return round(float(value), 4)


def _percentiles(values: Sequence[float], points: Sequence[int]) -> dict[str, float]:
    if not values:
        return {}
    found = np.percentile(np.asarray(values, dtype=float), points)
    return {f"p{p}" if p < 100 else "max": _round(v) for p, v in zip(points, found, strict=True)}


@dataclass(slots=True)
class ClassResult:
    """Recall of one variant class at the report threshold.

    For a birth-date class, ``ranked_below`` is the share of its cases that alert with the
    expected entity scoring strictly below the same name with the listed (matching) date;
    ``target`` None means the class is reported only.
    """

    name: str
    kind: str  # benign, damaged, adversarial, birth_date
    cases: int
    skipped: dict[str, int]
    recall: float
    recall_at_1: float
    candidate_recall: float | None
    scores: dict[str, float]
    target: float | None
    misses: list[dict[str, Any]] = field(default_factory=list)
    ranked_below: float | None = None
    refused: int = 0

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        below = self.ranked_below is None or self.ranked_below >= self.target
        return self.cases > 0 and self.recall >= self.target and below

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "cases": self.cases,
            "skipped": self.skipped,
            "recall": _round(self.recall),
            "recall_at_1": _round(self.recall_at_1),
            "candidate_recall": None
            if self.candidate_recall is None
            else _round(self.candidate_recall),
            "ranked_below_exact_date": None
            if self.ranked_below is None
            else _round(self.ranked_below),
            "refused": self.refused,
            "scores": self.scores,
            "target": self.target,
            "passed": self.passed,
            "misses": self.misses,
        }


@dataclass(slots=True)
class PopulationResult:
    """Alert rate among ordinary people of one culture, by name alone and with a birth date."""

    name: str
    label: str
    people: int
    alerts: int
    alerts_dated: int
    target: float
    target_dated: float
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.alerts / self.people if self.people else 0.0

    @property
    def rate_dated(self) -> float:
        return self.alerts_dated / self.people if self.people else 0.0

    @property
    def passed(self) -> bool:
        return (
            self.people > 0 and self.rate <= self.target and self.rate_dated <= self.target_dated
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "people": self.people,
            "alerts": self.alerts,
            "alert_rate": _round(self.rate),
            "alerts_dated": self.alerts_dated,
            "alert_rate_dated": _round(self.rate_dated),
            "target": self.target,
            "target_dated": self.target_dated,
            "passed": self.passed,
            "examples": self.examples,
        }


@dataclass(slots=True)
class NegativeResult:
    """False alerts among negatives (target applies) or near misses (shown, no target)."""

    name: str
    cases: int
    alerts: int
    scores: dict[str, float]
    target: float | None
    examples: list[dict[str, Any]] = field(default_factory=list)
    alerts_by_source: dict[str, int] = field(default_factory=dict)  # e.g. "faker zh_CN person"

    @property
    def per_1000(self) -> float:
        return 1000.0 * self.alerts / self.cases if self.cases else 0.0

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        return self.cases > 0 and self.per_1000 <= self.target

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cases": self.cases,
            "alerts": self.alerts,
            "per_1000": _round(self.per_1000),
            "scores": self.scores,
            "target_per_1000": self.target,
            "passed": self.passed,
            "examples": self.examples,
            "alerts_by_source": self.alerts_by_source,
        }


@dataclass(slots=True)
class EvaluationReport:
    """The figures of one evaluation run; ``to_dict`` is the JSON output (deterministic)."""

    threshold: float
    limit: int
    test_set: EvalSet
    classes: list[ClassResult]
    negatives: list[NegativeResult]
    sweep: list[dict[str, Any]]
    populations: list[PopulationResult] = field(default_factory=list)
    elapsed_s: float = 0.0  # wall time of screening; not part of the deterministic JSON

    @property
    def queries(self) -> int:
        return len(self.test_set.cases)

    @property
    def failures(self) -> list[str]:
        """Names of the targets missed (variant classes, negatives, populations, candidate stage)."""
        failed = [c.name for c in self.classes if c.passed is False]
        failed += [n.name for n in self.negatives if n.passed is False]
        failed += [f"population_{p.name}" for p in self.populations if not p.passed]
        if self.candidate_recall is not None and self.candidate_recall < CANDIDATE_RECALL_TARGET:
            failed.append("candidate_recall")
        return failed

    @property
    def candidate_recall(self) -> float | None:
        flags = [c.candidate_recall for c in self.classes if c.candidate_recall is not None]
        if not flags:
            return None
        weights = [c.cases for c in self.classes if c.candidate_recall is not None]
        return float(np.average(flags, weights=weights)) if sum(weights) else None

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        test_set = self.test_set
        return {
            "seed": test_set.seed,
            "threshold": self.threshold,
            "limit": self.limit,
            "lists": {"entities": test_set.entities, "names": test_set.names},
            "test_set": {
                "sampled_names": sum(test_set.sampled.values()),
                "sampled_by_stratum": test_set.sampled,
                "cases": self.queries,
                "skipped": test_set.skipped,
                "negatives_dropped": test_set.negatives_dropped,
            },
            "classes": [c.to_dict() for c in self.classes],
            "negatives": [n.to_dict() for n in self.negatives],
            "populations": [p.to_dict() for p in self.populations],
            "candidate_recall": None
            if self.candidate_recall is None
            else _round(self.candidate_recall),
            "sweep": self.sweep,
            "targets": {
                "benign_recall": BENIGN_RECALL_TARGET,
                "damaged_recall": DAMAGED_RECALL_TARGET,
                "adversarial_recall": ADVERSARIAL_RECALL_TARGET,
                "birth_date_recall": BIRTH_DATE_RECALL_TARGET,
                "false_alerts_per_1000": FALSE_ALERTS_PER_1000_TARGET,
                "lookalike_false_alerts_per_1000": LOOKALIKE_PER_1000_TARGET,
                "population_alert_rate": {
                    "default": list(POPULATION_TARGET),
                    **{k: list(v) for k, v in POPULATION_TARGETS.items()},
                },
                "candidate_recall": CANDIDATE_RECALL_TARGET,
                "failed": self.failures,
                "passed": self.passed,
            },
        }


def _miss_example(outcome: Outcome) -> dict[str, Any]:
    return {
        "query": outcome.case.query,
        "birth_date": outcome.case.birth_date,
        "refused": outcome.refused,
        "source": outcome.case.source,
        "expected": list(outcome.case.expected_ids),
        "expected_score": None
        if outcome.expected_score is None
        else _round(outcome.expected_score),
        "top_id": outcome.top_id,
        "top_score": None if outcome.top_score is None else _round(outcome.top_score),
    }


def _alert_example(outcome: Outcome) -> dict[str, Any]:
    return {
        "query": outcome.case.query,
        "source": outcome.case.source,
        "top_id": outcome.top_id,
        "top_caption": outcome.top_caption,
        "top_score": None if outcome.top_score is None else _round(outcome.top_score),
    }


def build_report(
    test_set: EvalSet,
    outcomes: Sequence[Outcome],
    *,
    threshold: float,
    limit: int = DEFAULT_LIMIT,
    sweep: Sequence[float] = DEFAULT_SWEEP,
    elapsed_s: float = 0.0,
) -> EvaluationReport:
    """Recall per class, false alerts, score distributions and the threshold sweep."""
    by_class: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_class.setdefault(outcome.case.variant_class, []).append(outcome)

    exact_scores = {
        (o.case.entity_id, o.case.query): o.expected_score or 0.0
        for o in by_class.get(DOB_EXACT, [])
    }
    classes = []
    kinds: list[tuple[str, str, float | None]] = [
        (name, c.kind, RECALL_TARGETS[c.kind] if c.target is None else c.target)
        for name, c in VARIANT_CLASS_BY_NAME.items()
    ]
    kinds += [(name, c.kind, c.target) for name, c in DATE_CLASS_BY_NAME.items()]
    for name, kind, target in kinds:
        group = by_class.get(name, [])
        if not group and name not in test_set.skipped:
            continue
        flags = [o.in_candidates for o in group if o.in_candidates is not None]
        ranked_below = None
        if name in DATE_CLASS_BY_NAME and name != DOB_EXACT and exact_scores:
            paired = [
                (o, exact_scores[(o.case.entity_id, o.case.query)])
                for o in group
                if (o.case.entity_id, o.case.query) in exact_scores
            ]
            ranked_below = (
                _share(o.found(threshold) and (o.expected_score or 0.0) < e for o, e in paired)
                if paired
                else None
            )
        classes.append(
            ClassResult(
                name=name,
                kind=kind,
                cases=len(group),
                skipped=test_set.skipped.get(name, {}),
                recall=_share(o.found(threshold) for o in group),
                recall_at_1=_share(o.found_first(threshold) for o in group),
                candidate_recall=_share(flags) if flags else None,
                scores=_percentiles([o.expected_score or 0.0 for o in group], POSITIVE_PERCENTILES),
                target=target,
                misses=[_miss_example(o) for o in group if not o.found(threshold)][
                    :EXAMPLES_PER_CLASS
                ],
                ranked_below=ranked_below,
                refused=sum(o.refused is not None for o in group),
            )
        )

    negatives = []
    negative_targets: list[tuple[str, float | None]] = [
        (NEGATIVE, FALSE_ALERTS_PER_1000_TARGET),
        (NEAR_MISS, None),
        *((name, LOOKALIKE_PER_1000_TARGET) for name in LOOKALIKE_CLASSES),
    ]
    for name, target in negative_targets:
        group = by_class.get(name, [])
        if not group:
            continue
        alerts = _alerts_first(group, threshold)
        negatives.append(
            NegativeResult(
                name=name,
                cases=len(group),
                alerts=len(alerts),
                scores=_percentiles([o.top_score or 0.0 for o in group], NEGATIVE_PERCENTILES),
                target=target,
                examples=[_alert_example(o) for o in alerts[:FALSE_ALERT_EXAMPLES]],
                alerts_by_source=dict(Counter(o.case.source for o in alerts).most_common())
                if name == NEGATIVE
                else {},
            )
        )
    populations = _populations(by_class.get(POPULATION, []), threshold)

    sweep_rows = []
    for level in sweep:
        row: dict[str, Any] = {"threshold": level, "recall": {}, "false_alerts_per_1000": {}}
        for result in classes:
            group = by_class.get(result.name, [])
            row["recall"][result.name] = _round(_share(o.found(level) for o in group))
        for result in negatives:
            group = by_class[result.name]
            rate = 1000.0 * sum(o.alerts(level) for o in group) / len(group)
            row["false_alerts_per_1000"][result.name] = _round(rate)
        sweep_rows.append(row)

    return EvaluationReport(
        threshold=threshold,
        limit=limit,
        test_set=test_set,
        classes=classes,
        negatives=negatives,
        sweep=sweep_rows,
        populations=populations,
        elapsed_s=elapsed_s,
    )


def _alerts_first(group: Sequence[Outcome], threshold: float) -> list[Outcome]:
    """The outcomes that alert at ``threshold``, highest score first."""
    return sorted(
        (o for o in group if o.alerts(threshold)),
        key=lambda o: (-(o.top_score or 0.0), o.case.query),
    )


def _populations(group: Sequence[Outcome], threshold: float) -> list[PopulationResult]:
    """Alert rates per culture, name-only records and dated records apart."""
    from clearance.evaluation.populations import cultures

    labels = {c.name: c.label for c in cultures()}
    by_culture: dict[str, list[Outcome]] = {}
    for outcome in group:
        by_culture.setdefault(outcome.case.source, []).append(outcome)
    results = []
    for name, outcomes in by_culture.items():
        plain = [o for o in outcomes if not o.case.birth_date]
        dated = [o for o in outcomes if o.case.birth_date]
        alerts = _alerts_first(plain, threshold)
        target, target_dated = POPULATION_TARGETS.get(name, POPULATION_TARGET)
        results.append(
            PopulationResult(
                name=name,
                label=labels.get(name, name),
                people=len(plain),
                alerts=len(alerts),
                alerts_dated=sum(o.alerts(threshold) for o in dated),
                target=target,
                target_dated=target_dated,
                examples=[_alert_example(o) for o in alerts[:EXAMPLES_PER_CLASS]],
            )
        )
    return results


def _share(flags: Any) -> float:
    values = list(flags)
    return sum(bool(v) for v in values) / len(values) if values else 0.0


def evaluate(
    screener: ScreenerLike,
    test_set: EvalSet,
    *,
    threshold: float | None = None,
    limit: int = DEFAULT_LIMIT,
    sweep: Sequence[float] = DEFAULT_SWEEP,
    progress: Callable[[int], None] | None = None,
) -> EvaluationReport:
    """Screen ``test_set`` with ``screener`` and report at ``threshold`` (default: the matcher's)."""
    if threshold is None:
        from clearance.matching import DEFAULT_THRESHOLD

        threshold = float(DEFAULT_THRESHOLD)
    floor = min([threshold, *sweep])
    started = time.perf_counter()
    outcomes = screen_cases(screener, test_set.cases, floor=floor, limit=limit, progress=progress)
    elapsed = time.perf_counter() - started
    return build_report(
        test_set, outcomes, threshold=threshold, limit=limit, sweep=sweep, elapsed_s=elapsed
    )
