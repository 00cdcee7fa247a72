"""The labelled test set: queries with the entities they should (or must not) find."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Class of realistic non-listed names (the false-alert target applies to these).
NEGATIVE = "negative"
#: Class of unlisted names built from list tokens; reported separately from negatives.
NEAR_MISS = "near_miss"
#: Look-alike negatives: names of people who are not listed but resemble listed names, the way
#: real look-alikes do (the false-alert target of 5% applies to each).
LOOKALIKE_SWAPPED_SURNAME = "lookalike_swapped_surname"
LOOKALIKE_SWAPPED_TOKEN = "lookalike_swapped_token"
LOOKALIKE_NEAR_DISTANCE = "lookalike_near_distance"
LOOKALIKE_CLASSES = (LOOKALIKE_SWAPPED_SURNAME, LOOKALIKE_SWAPPED_TOKEN, LOOKALIKE_NEAR_DISTANCE)
#: Ordinary people drawn from a culture's name frequencies (``source`` is the culture).
POPULATION = "population"
NEGATIVE_CLASSES = (NEGATIVE, NEAR_MISS, *LOOKALIKE_CLASSES, POPULATION)


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One query. ``expected_ids`` lists every entity the query legitimately refers to.

    For a variant that is the sampled entity plus any other entity listing the same name (the
    same party on two lists); for negatives and near misses it is empty. ``source`` is the listed
    name the query was made from, or the Faker locale and kind for a negative (the culture for
    a common-name population).
    """

    query: str
    variant_class: str
    schema: str
    source: str
    expected_ids: tuple[str, ...] = ()
    entity_id: str | None = None
    dataset: str | None = None
    birth_date: str | None = None  # screened with the name where set

    @property
    def is_negative(self) -> bool:
        return self.variant_class in NEGATIVE_CLASSES


@dataclass(slots=True)
class EvalSet:
    """A deterministic test set and the bookkeeping a reader needs to trust it."""

    seed: int
    entities: int
    names: int
    sampled: dict[str, int]  # "dataset/schema" -> names sampled from that stratum
    cases: list[EvalCase]
    skipped: dict[str, dict[str, int]] = field(default_factory=dict)  # class -> reason -> n
    negatives_dropped: dict[str, int] = field(default_factory=dict)  # reason -> n

    def by_class(self) -> dict[str, list[EvalCase]]:
        groups: dict[str, list[EvalCase]] = {}
        for case in self.cases:
            groups.setdefault(case.variant_class, []).append(case)
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "entities": self.entities,
            "names": self.names,
            "sampled": dict(self.sampled),
            "skipped": {k: dict(v) for k, v in self.skipped.items()},
            "negatives_dropped": dict(self.negatives_dropped),
            "cases": [asdict(c) for c in self.cases],
        }
