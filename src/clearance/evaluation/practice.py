"""Screen an independent labelled practice set (``damaged.csv``, ``common_names.csv``).

The practice set is made outside the project by rules that are not Clearance's own, so it is
a second opinion on the generated evaluation. Its figures are printed as measured: recall per
damage class (the expected entity among the hits at the threshold) and the alert rate per
population, rows without a birth date and rows with one apart. Nothing is tuned to it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clearance.errors import InputError, Location
from clearance.evaluation.cases import POPULATION, EvalCase
from clearance.evaluation.defaults import DEFAULT_LIMIT
from clearance.evaluation.run import Outcome, ScreenerLike, screen_cases

DAMAGED_FILE = "damaged.csv"
COMMON_FILE = "common_names.csv"
DAMAGED_COLUMNS = ("id", "name", "schema", "birth_date", "expected_entity", "damage")
COMMON_COLUMNS = ("id", "name", "schema", "birth_date", "population")
EXAMPLES = 3


def _rows(path: Path, columns: tuple[str, ...]) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of a practice CSV with their line numbers; a missing column or value is an error
    naming the file, line and field."""
    if not path.is_file():
        raise InputError("practice file not found", Location(str(path)))
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"missing column {', '.join(missing)}", Location(str(path), 1))
        for row in reader:
            for column in columns:
                if column != "birth_date" and not (row.get(column) or "").strip():
                    raise InputError(
                        "empty value", Location(str(path), reader.line_num, column)
                    )
            yield reader.line_num, row


def read_practice(folder: Path) -> list[EvalCase]:
    """The practice set's cases: damaged names expecting their entity, common names none."""
    cases = []
    for _, row in _rows(folder / DAMAGED_FILE, DAMAGED_COLUMNS):
        cases.append(
            EvalCase(
                query=row["name"],
                variant_class=row["damage"].strip(),
                schema=row["schema"].strip(),
                source=row["id"],
                expected_ids=(row["expected_entity"].strip(),),
                entity_id=row["expected_entity"].strip(),
                birth_date=(row["birth_date"] or "").strip() or None,
            )
        )
    for _, row in _rows(folder / COMMON_FILE, COMMON_COLUMNS):
        cases.append(
            EvalCase(
                query=row["name"],
                variant_class=POPULATION,
                schema=row["schema"].strip(),
                source=row["population"].strip(),
                birth_date=(row["birth_date"] or "").strip() or None,
            )
        )
    return cases


@dataclass(slots=True)
class PracticeClass:
    """Recall of one damage class of the practice set."""

    name: str
    cases: int
    found: int
    not_loaded: int  # expected entity absent from the screened lists
    refused: int
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.cases if self.cases else 0.0


@dataclass(slots=True)
class PracticePopulation:
    """Alert rate of one practice population, rows by name only and dated rows apart."""

    name: str
    rows: int
    alerts: int
    dated_rows: int
    dated_alerts: int
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.alerts / self.rows if self.rows else 0.0

    @property
    def dated_rate(self) -> float:
        return self.dated_alerts / self.dated_rows if self.dated_rows else 0.0


@dataclass(slots=True)
class PracticeReport:
    folder: str
    threshold: float
    classes: list[PracticeClass]
    populations: list[PracticePopulation]

    def to_dict(self) -> dict[str, Any]:
        return {
            "practice": self.folder,
            "threshold": self.threshold,
            "classes": [
                {
                    "name": c.name,
                    "cases": c.cases,
                    "recall": round(c.recall, 4),
                    "not_loaded": c.not_loaded,
                    "refused": c.refused,
                    "misses": c.misses,
                }
                for c in self.classes
            ],
            "populations": [
                {
                    "name": p.name,
                    "rows": p.rows,
                    "alerts": p.alerts,
                    "alert_rate": round(p.rate, 4),
                    "dated_rows": p.dated_rows,
                    "dated_alerts": p.dated_alerts,
                    "dated_alert_rate": round(p.dated_rate, 4),
                    "examples": p.examples,
                }
                for p in self.populations
            ],
        }


def _example(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.case.source if outcome.case.expected_ids else None,
        "query": outcome.case.query,
        "birth_date": outcome.case.birth_date,
        "expected": list(outcome.case.expected_ids),
        "top_id": outcome.top_id,
        "top_caption": outcome.top_caption,
        "top_score": None if outcome.top_score is None else round(outcome.top_score, 4),
        "refused": outcome.refused,
    }


def evaluate_practice(
    screener: ScreenerLike,
    folder: Path,
    loaded_ids: set[str],
    *,
    threshold: float | None = None,
    limit: int = DEFAULT_LIMIT,
    progress: Callable[[int], None] | None = None,
) -> PracticeReport:
    """Screen the practice set in ``folder`` and count recall and alerts at ``threshold``."""
    if threshold is None:
        from clearance.matching import DEFAULT_THRESHOLD

        threshold = float(DEFAULT_THRESHOLD)
    cases = read_practice(folder)
    outcomes = screen_cases(screener, cases, floor=threshold, limit=limit, progress=progress)
    damaged: dict[str, list[Outcome]] = {}
    common: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        target = common if outcome.case.variant_class == POPULATION else damaged
        key = outcome.case.source if target is common else outcome.case.variant_class
        target.setdefault(key, []).append(outcome)
    classes = [
        PracticeClass(
            name=name,
            cases=len(group),
            found=sum(o.found(threshold) for o in group),
            not_loaded=sum(o.case.entity_id not in loaded_ids for o in group),
            refused=sum(o.refused is not None for o in group),
            misses=[_example(o) for o in group if not o.found(threshold)][:EXAMPLES],
        )
        for name, group in damaged.items()
    ]
    populations = []
    for name, group in common.items():
        plain = [o for o in group if not o.case.birth_date]
        dated = [o for o in group if o.case.birth_date]
        populations.append(
            PracticePopulation(
                name=name,
                rows=len(plain),
                alerts=sum(o.alerts(threshold) for o in plain),
                dated_rows=len(dated),
                dated_alerts=sum(o.alerts(threshold) for o in dated),
                examples=[_example(o) for o in plain if o.alerts(threshold)][:EXAMPLES],
            )
        )
    return PracticeReport(str(folder), threshold, classes, populations)
