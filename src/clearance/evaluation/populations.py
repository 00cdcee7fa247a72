"""Common-name populations: ordinary customers whose names are drawn with real frequencies.

A screening engine meets far more "Mohamed Ali Hassan" and "Luis García López" than listed
parties; the share of such ordinary people who raise an alert is what drowns analysts. Each
population draws given names and surnames from the frequency tables shipped in
``data/name_frequencies.json`` (sources stated there, per culture), in the culture's own name
order, and the report gives the alert rate of those whose full name is not a listed name, with
no birth date and with a random birth date on the record.

The tables are the project's own and independent of any name data the matcher uses, so the
measure cannot share a blind spot with the engine.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from random import Random
from typing import Any

from clearance.errors import InputError, Location
from clearance.evaluation.cases import POPULATION, EvalCase
from clearance.evaluation.names import NameIndex

DATA_FILE = "name_frequencies.json"

#: Birth dates of the dated records are drawn uniformly from this span (adult customers).
BIRTH_DATE_SPAN = (date(1940, 1, 1), date(2006, 12, 31))

#: Share of records with a second given or middle name, where the culture uses one.
MIDDLE_NAME_SHARE = 0.3
#: Share of records with a second given name where the culture sometimes has one.
SECOND_GIVEN_SHARE = 0.15
#: Share of western middle names written as an initial ("Mary J. Taylor").
MIDDLE_INITIAL_SHARE = 0.4
#: Share of Arabic names that carry the grandfather's name after the father's.
GRANDFATHER_SHARE = 0.25


class WeightedNames:
    """Names with their weights, drawn in proportion to them."""

    def __init__(self, table: dict[str, float]) -> None:
        if not table:
            raise ValueError("an empty name table")
        self.names = list(table)
        self.weights = [float(w) for w in table.values()]

    def draw(self, rng: Random) -> str:
        return rng.choices(self.names, weights=self.weights)[0]


@dataclass(frozen=True)
class Culture:
    """One population: its name tables, name order and the sources of its figures."""

    name: str
    label: str
    order: str
    sources: dict[str, str]
    given_male: WeightedNames
    given_female: WeightedNames
    surnames: WeightedNames
    patronymic_roots: dict[str, str]

    def person(self, rng: Random) -> str:
        """One person's full name in this culture's order."""
        female = rng.random() < 0.5
        givens = self.given_female if female else self.given_male
        return ORDERS[self.order](self, givens, female, rng)

    def name_words(self) -> set[str]:
        """Every word of every name in the tables (for look-alike negatives)."""
        tables = (self.given_male, self.given_female, self.surnames)
        return {w for table in tables for name in table.names for w in name.split()}


def _hispanic(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Given name(s), paternal surname, maternal surname: "Luis García López"."""
    first = culture.surnames.draw(rng)
    second = culture.surnames.draw(rng)
    while second == first:
        second = culture.surnames.draw(rng)
    return f"{givens.draw(rng)} {first} {second}"


def _western(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Given name, sometimes a middle name or its initial, surname: "Mary J. Taylor"."""
    parts = [givens.draw(rng)]
    if rng.random() < MIDDLE_NAME_SHARE:
        middle = givens.draw(rng)
        parts.append(f"{middle[0]}." if rng.random() < MIDDLE_INITIAL_SHARE else middle)
    parts.append(culture.surnames.draw(rng))
    return " ".join(parts)


def _arabic(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Given name, father's name, sometimes grandfather's, family name: "Ali Saleh Qasim"."""
    parts = [givens.draw(rng), culture.given_male.draw(rng)]
    if rng.random() < GRANDFATHER_SHARE:
        parts.append(culture.given_male.draw(rng))
    parts.append(culture.surnames.draw(rng))
    return " ".join(parts)


def _given_surname(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Given name, sometimes a second one, and surname (Iranian, Turkish, Pakistani custom)."""
    parts = [givens.draw(rng)]
    if rng.random() < SECOND_GIVEN_SHARE:
        parts.append(givens.draw(rng))
    parts.append(culture.surnames.draw(rng))
    return " ".join(parts)


def _russian(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Given name, patronymic from the father's name, surname in the person's gender:
    "Irina Sergeyevna Ivanova"."""
    father = culture.given_male.draw(rng)
    root = culture.patronymic_roots[father]
    surname = culture.surnames.draw(rng)
    if female:
        patronymic = f"{root}na"
        if surname.endswith(("ov", "ev", "in", "yn")):
            surname += "a"
        elif surname.endswith("sky"):
            surname = surname[:-3] + "skaya"
    else:
        patronymic = f"{root}ich"
    return f"{givens.draw(rng)} {patronymic} {surname}"


def _east_asian(culture: Culture, givens: WeightedNames, female: bool, rng: Random) -> str:
    """Surname first, then the given name: "Wang Wei", "Kim Min-jun"."""
    return f"{culture.surnames.draw(rng)} {givens.draw(rng)}"


ORDERS: dict[str, Callable[[Culture, WeightedNames, bool, Random], str]] = {
    "hispanic": _hispanic,
    "western": _western,
    "arabic": _arabic,
    "persian": _given_surname,
    "turkish": _given_surname,
    "pakistani": _given_surname,
    "russian": _russian,
    "east_asian": _east_asian,
}


def _culture(entry: dict[str, Any]) -> Culture:
    name = entry.get("name", "?")
    try:
        order = entry["order"]
        if order not in ORDERS:
            raise KeyError(f"order {order!r}")
        culture = Culture(
            name=name,
            label=entry["label"],
            order=order,
            sources=dict(entry["sources"]),
            given_male=WeightedNames(entry["given_male"]),
            given_female=WeightedNames(entry["given_female"]),
            surnames=WeightedNames(entry["surnames"]),
            patronymic_roots=dict(entry.get("patronymic_roots", {})),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"culture {name!r}: bad or missing {exc}", Location(DATA_FILE)) from None
    if order == "russian":
        missing = set(culture.given_male.names) - set(culture.patronymic_roots)
        if missing:
            raise InputError(
                f"culture {name!r}: no patronymic for {', '.join(sorted(missing))}",
                Location(DATA_FILE),
            )
    return culture


@cache
def cultures() -> tuple[Culture, ...]:
    """The populations of the shipped frequency tables, in file order."""
    text = resources.files("clearance.evaluation").joinpath("data", DATA_FILE).read_text("utf-8")
    return tuple(_culture(entry) for entry in json.loads(text)["cultures"])


def _birth_date(rng: Random) -> str:
    start, end = BIRTH_DATE_SPAN
    return (start + timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def population_cases(
    index: NameIndex,
    per_population: int,
    seed: int,
    dropped: Counter[str],
    chosen: Sequence[Culture] | None = None,
) -> list[EvalCase]:
    """``per_population`` people per culture, each screened by name alone and again with a
    random birth date. A drawn name that is a listed name in full is left out (counted as
    ``population_listed_in_full``): that person would rightly alert."""
    if per_population <= 0:
        return []
    cases = []
    for culture in chosen or cultures():
        rng = Random(f"{seed}|population|{culture.name}")
        made = 0
        for _ in range(per_population * 5):
            if made == per_population:
                break
            name = culture.person(rng)
            birth_date = _birth_date(rng)
            if index.entities_named(name):
                dropped["population_listed_in_full"] += 1
                continue
            made += 1
            for record_date in (None, birth_date):
                cases.append(
                    EvalCase(
                        query=name,
                        variant_class=POPULATION,
                        schema="Person",
                        source=culture.name,
                        birth_date=record_date,
                    )
                )
    return cases
