"""One date parser for every import: the forms partners write, and nothing it would guess."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vawg.core.dates import ACCEPTED, DateError, parse_date

days = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(days)
def test_the_iso_form_reads_back_as_the_same_day(day):
    assert parse_date(day.isoformat()) == day


@given(days, st.booleans(), st.sampled_from("/-"))
def test_a_day_first_date_reads_back_as_the_same_day(day, padded, separator):
    text = (
        f"{day:%d}{separator}{day:%m}{separator}{day:%Y}"
        if padded
        else f"{day.day}{separator}{day.month}{separator}{day:%Y}"
    )
    assert parse_date(text) == day


@given(days, st.sampled_from(["{d} {B} {Y}", "{d:02d}-{b}-{Y}", "{d} {b}. {Y}", "{d}-{B}-{Y}"]))
def test_a_date_with_the_month_s_name_reads_back_as_the_same_day(day, form):
    text = form.format(d=day.day, B=f"{day:%B}", b=f"{day:%b}", Y=f"{day:%Y}")
    assert parse_date(text) == day
    assert parse_date(text.upper()) == day


@given(st.datetimes(min_value=datetime(1000, 1, 1)), st.booleans())
def test_a_time_after_the_date_is_dropped(moment, day_first):
    text = f"{moment:%d/%m/%Y %H:%M}" if day_first else moment.replace(microsecond=0).isoformat()
    assert parse_date(text) == moment.date()


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_says_what_is_accepted(text):
    try:
        found = parse_date(text)
    except DateError as error:
        # The text (or its start) first, then why, then the forms accepted.
        assert str(error).startswith(text.strip()[:39])
        assert str(error).endswith(f"; {ACCEPTED}.")
    else:
        assert found is None if not text.strip() else isinstance(found, date)


@given(days, days)
def test_today_and_earliest_bound_what_is_accepted(day, today):
    if day > today:
        with pytest.raises(DateError, match="in the future"):
            parse_date(day.isoformat(), today=today)
    else:
        assert parse_date(day.isoformat(), today=today) == day


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2026",  # no such day
        "2026-13-01",
        "1/4/26",  # a two-digit year is not guessed at
        "31.03.2026",
        "2026/03/31",
        "tomorrow",
        "2026-03-31T25:00:00",
        "３１/03/2026",  # digits of another script
    ],
)
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value).startswith(f"{text}: ")
    assert str(caught.value).endswith(f"; {ACCEPTED}.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2024", "31/02/2024: February has no 31st day; " + ACCEPTED + "."),
        ("29/02/2023", "29/02/2023: February 2023 has no 29th day; " + ACCEPTED + "."),
        ("2024-04-31", "2024-04-31: April has no 31st day; " + ACCEPTED + "."),
        ("2026-13-01", "2026-13-01: there is no month 13; " + ACCEPTED + "."),
        ("1/4/26", "1/4/26: the year needs all four digits; " + ACCEPTED + "."),
        ("tomorrow", "tomorrow: not a date; " + ACCEPTED + "."),
        (
            "31 Febuary 2024",
            "31 Febuary 2024: the month is not named in English, in full or in 3 letters; "
            + ACCEPTED
            + ".",
        ),
        ("31-Apr-2024", "31-Apr-2024: April has no 31st day; " + ACCEPTED + "."),
    ],
)
def test_a_refused_date_says_why(text, message):
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message


def test_sept_and_a_time_after_a_named_month_are_read():
    assert parse_date("1 Sept 2026 09:30") == date(2026, 9, 1)


def test_blank_is_no_date():
    assert parse_date("  ") is None


def test_the_earliest_year_is_named():
    with pytest.raises(DateError, match="31/12/1999: the date is before 2000; check the year."):
        parse_date("31/12/1999", earliest=date(2000, 1, 1))
    with pytest.raises(DateError, match="before 06/04/2020"):
        parse_date("2020-04-05", earliest=date(2020, 4, 6))
