"""Birth-date variants: the exact listed name with the birth date a real record would carry.

List birth dates are often approximate and records are keyed by hand, so a record of a listed
person may carry a date a year off, with day and month swapped (US vs European order), one digit
mistyped, or even a date that does not exist (day 32, 31 April). Each class keeps the name exact
and changes only the date; ``dob_exact`` (the listed date) is the control every other class is
ranked against: a wrong date must still alert, and rank below the matching date.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from random import Random

#: Kind of the birth-date classes in the report.
BIRTH_DATE = "birth_date"
#: The control class: the listed date itself.
DOB_EXACT = "dob_exact"


def _parse(value: str) -> date | None:
    """A full ISO date (``YYYY-MM-DD``) as a date; partial dates and ranges are not used."""
    if len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _shift_years(day: date, years: int) -> date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def exact(listed: date, rng: Random) -> str | None:
    """The listed birth date itself (the control the other classes rank against)."""
    return listed.isoformat()


def one_year(listed: date, rng: Random) -> str | None:
    """The birth date one year earlier or later."""
    return _shift_years(listed, rng.choice((-1, 1))).isoformat()


def five_years(listed: date, rng: Random) -> str | None:
    """The birth date five years earlier or later (a different person is as likely)."""
    return _shift_years(listed, rng.choice((-5, 5))).isoformat()


def day_month_swapped(listed: date, rng: Random) -> str | None:
    """Day and month swapped, as when a US-format date is read as European (day 12 or less)."""
    if listed.day > 12 or listed.day == listed.month:
        return None
    return f"{listed.year:04d}-{listed.day:02d}-{listed.month:02d}"


def one_digit(listed: date, rng: Random) -> str | None:
    """One digit of the year's last two, the month or the day keyed wrong, still a real date."""
    text = listed.isoformat()
    options = []
    for position in (2, 3, 5, 6, 8, 9):
        for digit in "0123456789":
            if digit == text[position]:
                continue
            candidate = text[:position] + digit + text[position + 1 :]
            parsed = _parse(candidate)
            if parsed is not None:
                options.append(candidate)
    return rng.choice(options) if options else None


def nonexistent(listed: date, rng: Random) -> str | None:
    """A date that does not exist: day 32, or the day after the month's last (31 April, 30 Feb)."""
    last = calendar.monthrange(listed.year, listed.month)[1]
    day = rng.choice(sorted({32, last + 1}))
    return f"{listed.year:04d}-{listed.month:02d}-{day:02d}"


@dataclass(frozen=True, slots=True)
class DateClass:
    """A named birth-date variant of an exact listed name; ``target`` None: reported only."""

    name: str
    rule: Callable[[date, Random], str | None]
    target: float | None = 0.99

    @property
    def kind(self) -> str:
        return BIRTH_DATE

    @property
    def description(self) -> str:
        return (self.rule.__doc__ or "").strip().splitlines()[0]


DATE_CLASSES: tuple[DateClass, ...] = (
    DateClass(DOB_EXACT, exact),
    DateClass("dob_one_year", one_year),
    DateClass("dob_day_month_swapped", day_month_swapped),
    DateClass("dob_one_digit", one_digit),
    DateClass("dob_nonexistent", nonexistent),
    DateClass("dob_five_years", five_years, target=None),
)

DATE_CLASS_BY_NAME = {c.name: c for c in DATE_CLASSES}


def full_dates(values: tuple[str, ...]) -> tuple[date, ...]:
    """The full dates among listed birth dates (years, months and ranges cannot be varied)."""
    return tuple(d for d in (_parse(v) for v in values) if d is not None)
