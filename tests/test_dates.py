"""Birth dates as people write them (clearance.dates): the README's table, and properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearance.dates import parse_birth_date

THIS_YEAR = date.today().year
#: Birth dates with a day above 12 (never ambiguous) and with day and month both 12 or less.
DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(THIS_YEAR, 12, 31))


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("1954-12-25", ("1954-12-25",)),
        ("1969-7-16", ("1969-07-16",)),
        ("1954/12/25", ("1954-12-25",)),
        ("25/12/1954", ("1954-12-25",)),
        ("12/25/1954", ("1954-12-25",)),
        ("25.12.1954", ("1954-12-25",)),
        ("03.04.1954", ("1954-04-03",)),  # a dotted date is always day first
        ("25-12-1954", ("1954-12-25",)),
        ("19541225", ("1954-12-25",)),
        ("25 Dec 1954", ("1954-12-25",)),
        ("25-DEC-1954", ("1954-12-25",)),
        ("December 25, 1954", ("1954-12-25",)),
        ("25 de diciembre de 1954", ("1954-12-25",)),
        ("Dec 1954", ("1954-12",)),
        ("1954-12", ("1954-12",)),
        ("12/1954", ("1954-12",)),
        ("1954", ("1954",)),
        ("25/12/54", ("1954-12-25",)),
        ("1954-12-25 00:00:00", ("1954-12-25",)),
        ("03/04/1954", ("1954-04-03", "1954-03-04")),
        ("04/04/1954", ("1954-04-04",)),
        ("", ()),
    ],
)
def test_accepted_formats(text: str, values: tuple[str, ...]) -> None:
    reading = parse_birth_date(text)
    assert reading.values == values
    assert (reading.warning is not None) == (len(values) > 1), reading.warning


@pytest.mark.parametrize(
    ("text", "values", "says"),
    [
        ("1957-04-32", ("1957-04",), "day 32"),
        ("1954-13-25", ("1954",), "month 13"),
        ("31/02/1990", ("1990-02",), "day 31"),
        ("1954-02-29", ("1954-02",), "day 29"),
        ("03/04/05", (), "1905 or 2005"),
        ("2999-01-01", (), "outside"),
        ("Smarch 1954", (), "unknown month"),
        ("soon", (), "not a date"),
        ("1/2/3/4", (), "not a date"),
    ],
)
def test_impossible_or_unusable_dates_keep_what_they_can_and_say_why(
    text: str, values: tuple[str, ...], says: str
) -> None:
    reading = parse_birth_date(text)
    assert reading.values == values
    assert reading.warning and says in reading.warning and repr(text) in reading.warning


def test_date_order_settles_an_ambiguous_date_only() -> None:
    assert parse_birth_date("03/04/1954", "dmy").values == ("1954-04-03",)
    assert parse_birth_date("03/04/1954", "mdy").values == ("1954-03-04",)
    # a date that is clear by itself is read as written, whatever the order
    assert parse_birth_date("25/12/1954", "mdy").values == ("1954-12-25",)
    assert parse_birth_date("03/04/1954", "dmy").warning is None
    with pytest.raises(ValueError, match="dmy"):
        parse_birth_date("03/04/1954", "ymd")


def test_several_candidates_are_kept_together() -> None:
    reading = parse_birth_date("03/04/1954;1960")
    assert reading.values == ("1954-04-03", "1954-03-04", "1960")
    assert reading.text == "1954-04-03;1954-03-04;1960"


@given(DATES)
def test_every_written_form_of_a_date_reads_back(day: date) -> None:
    iso = day.isoformat()
    unambiguous = [
        iso,
        f"{day.year}-{day.month}-{day.day}",
        day.strftime("%d.%m.%Y"),
        day.strftime("%Y%m%d"),
        day.strftime("%d %b %Y"),
        day.strftime("%B %d, %Y"),
    ]
    for text in unambiguous:
        assert parse_birth_date(text).values == (iso,), text
    assert parse_birth_date(day.strftime("%b %Y")).values == (iso[:7],)
    for text, order in ((day.strftime("%d/%m/%Y"), "dmy"), (day.strftime("%m/%d/%Y"), "mdy")):
        readings = parse_birth_date(text).values
        assert iso in readings  # both readings are matched when the order is unknown
        assert len(readings) == (1 if day.day > 12 or day.day == day.month else 2)
        assert parse_birth_date(text, order).values == (iso,)


@given(st.integers(1800, THIS_YEAR), st.integers(1, 12), st.integers(29, 40))
def test_a_day_past_the_month_end_keeps_year_and_month(year: int, month: int, day: int) -> None:
    reading = parse_birth_date(f"{year}-{month:02d}-{day:02d}")
    try:
        date(year, month, day)
    except ValueError:
        assert reading.values == (f"{year}-{month:02d}",) and reading.warning
    else:
        assert reading.values == (f"{year}-{month:02d}-{day:02d}",) and reading.warning is None


@given(st.text(max_size=30), st.sampled_from([None, "dmy", "mdy"]))
def test_total_and_only_iso_forms(text: str, order: str | None) -> None:
    reading = parse_birth_date(text, order)
    for value in reading.values:
        assert len(value) in (4, 7, 10)
        parts = [int(p) for p in value.split("-")]
        date(parts[0], *(parts[1:] + [1] * (3 - len(parts))))  # a real (partial) date
    assert reading.values or reading.warning or not text.strip()
