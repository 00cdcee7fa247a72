"""Values of ownership files: shares written ``30``, ``30%``, ``25-50%`` or ``>50%`` (open
range), always percentages (``0.3`` is 0.3%); dates ISO, full or partial."""

from __future__ import annotations

import re
from datetime import date

from clearance.ownership.model import Share

_NUMBER = r"(\d+(?:[.,]\d+)?)\s*%?"
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|to)\s*{_NUMBER}$")
_EXACT = re.compile(rf"^{_NUMBER}$")
_OPEN = re.compile(rf"^(>=|<=|>|<|≥|≤)\s*{_NUMBER}$")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def share_range(lower: float | None, upper: float | None, what: str = "share") -> Share:
    """A share from optional bounds (missing lower = 0, missing upper = 100); ValueError when
    a bound is outside 0-100 or the range is reversed."""
    low = 0.0 if lower is None else float(lower)
    high = 100.0 if upper is None else float(upper)
    for value in (low, high):
        if not 0.0 <= value <= 100.0:
            raise ValueError(f"{what} {value:g} is not a percentage between 0 and 100")
    if low > high:
        raise ValueError(f"{what} range {low:g}-{high:g} has its minimum above its maximum")
    return Share(low, high)


def parse_share(text: str) -> Share:
    """A share as written (see the module docstring); ValueError naming what is wrong."""
    value = text.strip()
    if (match := _RANGE.match(value)) is not None:
        return share_range(_number(match[1]), _number(match[2]))
    if (match := _EXACT.match(value)) is not None:
        number = _number(match[1])
        return share_range(number, number)
    if (match := _OPEN.match(value)) is not None:
        number = _number(match[2])
        if match[1] in (">", ">=", "≥"):
            return share_range(number, None)
        return share_range(None, number)
    raise ValueError(f"not a share: {text!r} (use 30, 30%, 25-50% or >50%)")


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def iso_date(text: str) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as given when it is a real date, else None."""
    match = _DATE.match(text.strip())
    if match is None:
        return None
    try:
        date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        return None
    return text.strip()
