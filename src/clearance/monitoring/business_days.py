"""Business-day arithmetic for OFAC report deadlines.

31 CFR 501.603 / 501.604 give 10 *business* days to report blocked property or a rejected
transfer. Business days here are Monday to Friday, minus the US federal (public) holidays that
the ``holidays`` package knows for each year (including observed dates when a holiday falls on a
weekend), so a decision taken before Thanksgiving or New Year gets the later, correct deadline.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def federal_holidays(year: int) -> dict[date, str]:
    """US federal holidays (with observed dates) of ``year``, as date -> name."""
    return dict(holidays.country_holidays("US", years=year, categories=("public",)))


def is_business_day(day: date) -> bool:
    """Whether ``day`` is a weekday that is not a US federal holiday."""
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """The date ``days`` business days after ``start`` (``start`` itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def business_days_between(start: date, end: date) -> int:
    """How many business days fall after ``start`` up to and including ``end``."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_business_day(current):
            count += 1
    return count
