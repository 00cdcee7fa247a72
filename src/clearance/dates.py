"""Birth dates as people write them -> the ISO forms the matcher compares (YYYY, YYYY-MM, YYYY-MM-DD).

Customer files write ``25/12/1954``, ``1969-7-16``, ``12/25/1954``, ``25.12.1954``,
``19541225``, ``25 Dec 1954`` or ``Dec 1954``. The rules are explicit (the README's table):

- a 4-digit year first means year-month-day (``1969-7-16``, ``1954/12/25``, ``1954.12.25``),
  ``YYYYMMDD`` too; ``YYYY-MM`` and ``MM/YYYY`` are a year and month; ``YYYY`` a year;
- a 4-digit year last: ``DD.MM.YYYY`` is always day first; with ``/`` or ``-`` the first part
  is the day when it is over 12, the month when the second is over 12, and otherwise the date
  is *ambiguous*: both readings are returned (the matcher tries both) unless ``order`` fixes it;
- month names (English or Spanish, full or 3 letters) in ``25 Dec 1954``, ``Dec 25, 1954``,
  ``Dec 1954``, ``25 de diciembre de 1954``;
- a two-digit year is used only when its century is certain: a year above this year's two last
  digits is 19YY (``25/12/54``); ``05`` could be 1905 or 2005 and is left out with a warning;
- an impossible date is kept at the precision it has, with a warning: ``1957-04-32`` is used as
  ``1957-04``, ``1954-13-25`` as ``1954``; a year outside 1800..this year is not used.

Nothing here raises: what cannot be used is a warning and the record is still screened.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

DATE_ORDERS = ("dmy", "mdy")
#: Earliest birth year taken as real (older ones are typing errors).
MIN_YEAR = 1800

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("january", "enero"),
        ("february", "febrero"),
        ("march", "marzo"),
        ("april", "abril"),
        ("may", "mayo"),
        ("june", "junio"),
        ("july", "julio"),
        ("august", "agosto"),
        ("september", "septiembre", "setiembre", "sept"),
        ("october", "octubre"),
        ("november", "noviembre"),
        ("december", "diciembre"),
    ],
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number
        _MONTHS.setdefault(_name[:3], _number)

_PARTS = re.compile(r"[A-Za-z\u00c0-\u024f]+|\d+")
_TIMESTAMP = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?")
_NUMERIC = re.compile(r"(\d+)([-/.])(\d+)(?:\2(\d+))?")


@dataclass(frozen=True, slots=True)
class DateReading:
    """What a written birth date gives: the ISO forms to match (several when ambiguous, none
    when unusable) and, when something was lost or guessed, a warning saying what."""

    values: tuple[str, ...] = ()
    warning: str | None = None

    @property
    def text(self) -> str | None:
        """The readings as one field (``;``-separated), as the matcher's ``Query`` takes them."""
        return ";".join(self.values) or None


def parse_birth_date(value: str | None, order: str | None = None) -> DateReading:
    """Read ``value`` by the module's rules; ``order`` (``dmy``/``mdy``) settles ambiguity."""
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {', '.join(DATE_ORDERS)}, not {order!r}")
    text = (value or "").strip()
    if not text:
        return DateReading()
    if ";" in text:  # several candidates already (a previous reading, or the user's own)
        readings = [parse_birth_date(part, order) for part in text.split(";") if part.strip()]
        values = tuple(dict.fromkeys(v for r in readings for v in r.values))
        warnings = [r.warning for r in readings if r.warning]
        return DateReading(values, "; ".join(warnings) or None)
    return _parse_one(text, order)


def _parse_one(text: str, order: str | None) -> DateReading:
    stamp = _TIMESTAMP.fullmatch(text)
    if stamp:  # a spreadsheet's or Parquet's timestamp: the date part is the birth date
        text = stamp.group(1)
    numeric = _NUMERIC.fullmatch(text)
    if numeric:
        return _numeric(text, numeric, order)
    if text.isdecimal():
        if len(text) == 4:
            return _at(text, int(text), None, None)
        if len(text) == 8:
            return _at(text, int(text[:4]), int(text[4:6]), int(text[6:]))
        return _unusable(text, "not a date")
    parts = [p for p in _PARTS.findall(text) if p.casefold() != "de"]
    months = [p for p in parts if not p.isdecimal()]
    numbers = [p for p in parts if p.isdecimal()]
    if len(months) != 1 or not 1 <= len(numbers) <= 2:
        return _unusable(text, "not a date")
    month = _MONTHS.get(months[0].casefold().rstrip("."))
    if month is None:
        return _unusable(text, f"unknown month {months[0]!r}")
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) == 1 and len(days) == len(numbers) - 1:
        return _at(text, int(years[0]), month, int(days[0]) if days else None)
    if len(numbers) == 2 and len(numbers[-1]) == 2 and len(numbers[0]) <= 2:
        year = _two_digit_year(numbers[-1])
        if year is None:
            return _unusable(text, _century_doubt(numbers[-1]))
        return _at(text, year, month, int(numbers[0]))
    return _unusable(text, "no 4-digit year")


def _numeric(text: str, match: re.Match[str], order: str | None) -> DateReading:
    first, sep, second, third = match.groups()
    if third is None:  # YYYY-MM or MM/YYYY
        if len(first) == 4 and len(second) <= 2:
            return _at(text, int(first), int(second), None)
        if len(second) == 4 and len(first) <= 2:
            return _at(text, int(second), int(first), None)
        return _unusable(text, "not a date")
    if len(first) == 4 and len(second) <= 2 and len(third) <= 2:
        return _at(text, int(first), int(second), int(third))
    if len(first) > 2 or len(second) > 2 or len(third) not in (2, 4):
        return _unusable(text, "not a date")
    if len(third) == 4:
        year: int | None = int(third)
    else:
        year = _two_digit_year(third)
        if year is None:
            return _unusable(text, _century_doubt(third))
    assert year is not None
    a, b = int(first), int(second)
    if sep == "." or a > 12 or order == "dmy":
        day_first = True
    elif b > 12 or order == "mdy":
        day_first = False
    elif a == b:
        day_first = True  # both readings are the same date
    else:
        readings = (_at(text, year, b, a), _at(text, year, a, b))
        values = tuple(dict.fromkeys(v for r in readings for v in r.values))
        return DateReading(
            values,
            f"ambiguous birth date {text!r}: matched as {' and '.join(values)} "
            "(day/month order unknown; set --date-order dmy or mdy)",
        )
    return _at(text, year, b, a) if day_first else _at(text, year, a, b)


def _at(text: str, year: int, month: int | None, day: int | None) -> DateReading:
    """The reading at the precision that holds, with a warning for what had to be dropped."""
    if not MIN_YEAR <= year <= date.today().year:
        return _unusable(text, f"year {year} outside {MIN_YEAR}..{date.today().year}")
    if month is None:
        return DateReading((f"{year:04d}",))
    if not 1 <= month <= 12:
        return DateReading(
            (f"{year:04d}",), f"impossible birth date {text!r} (month {month}); used as {year:04d}"
        )
    if day is None:
        return DateReading((f"{year:04d}-{month:02d}",))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        kept = f"{year:04d}-{month:02d}"
        return DateReading((kept,), f"impossible birth date {text!r} (day {day}); used as {kept}")
    return DateReading((f"{year:04d}-{month:02d}-{day:02d}",))


def _two_digit_year(digits: str) -> int | None:
    """19YY when YY is above this year's last two digits (20YY would be in the future)."""
    value = int(digits)
    return 1900 + value if value > date.today().year % 100 else None


def _century_doubt(digits: str) -> str:
    return f"two-digit year {digits!r} could be 19{digits} or 20{digits}"


def _unusable(text: str, why: str) -> DateReading:
    return DateReading((), f"unusable birth date {text!r} ({why}); left out of scoring")
