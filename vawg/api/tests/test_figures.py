"""The figures operations: measures, local insight and MARAC statistics, every figure about
people at the controlled level (never the exact count), for the token's own partnership
only, behind the read:figures scope, with ETags."""

import json
from datetime import date
from decimal import Decimal

import pytest

from vawg.api import figures
from vawg.api.scopes import Scope
from vawg.api.testing import ApiClient, make_token
from vawg.core import disclosure
from vawg.core.models import Ward
from vawg.core.periods import periods_ensure_year
from vawg.insight.tests.factories import import_rows, row
from vawg.marac.models import Referral
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.measures.models import IndicatorValue, Target, ValueSource
from vawg.measures.tests.factories import make_indicator, make_periods

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)  # inside 2026/27 Q3 and November 2026
BASE = "/api/v1"
OPERATIONS = ["/measures", "/insight/summary", "/marac/statistics"]


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch, settings):
    monkeypatch.setattr(figures, "today", lambda: TODAY)
    settings.API_RATE_LIMIT_PER_MINUTE = 10**6  # the limit has its own test


def get(client, path, **params):
    answer = client.get(BASE + path, params)
    body = json.loads(answer.content) if answer.content else None
    return answer, body


def client_for(partnership, scopes=(Scope.READ_FIGURES,)):
    return ApiClient(make_token(partnership, scopes=scopes).secret)


def entered(indicator, period, value, **parts):
    IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        value=Decimal(value),
        source=ValueSource.ENTERED,
        **{k: Decimal(v) for k, v in parts.items()},
    )


def shown_counts(body) -> list[dict]:
    """Every count of people in a body: the objects of exactly text and value."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"text", "value"}:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body)
    return found


def assert_controlled(body):
    """No count shown is below the threshold, and a hidden one says so in words."""
    counts = shown_counts(body)
    for figure in counts:
        if figure["value"] is None:
            assert not any(ch.isdigit() for ch in figure["text"].replace("fewer than 5", ""))
        else:
            assert figure["value"] >= disclosure.threshold()
            assert figure["value"] % disclosure.rounding_base() == 0
            assert figure["text"] == f"{figure['value']:,}"
    return counts


def near(figure: dict, exact: int) -> bool:
    """Shown as a multiple of the base within one base of the exact count, but not it
    (the exact counts used here are not multiples of the base)."""
    base = disclosure.rounding_base()
    value = figure["value"]
    return value is not None and value % base == 0 and abs(value - exact) < base


# --- Measures ----------------------------------------------------------------------------


@pytest.fixture
def periods(partnership):
    return make_periods(partnership, date(2025, 4, 1), date(2027, 3, 31))


@pytest.fixture
def measures_world(partnership, other_partnership, periods):
    count = make_indicator(
        partnership,
        name="Referrals to specialist support",
        unit="count",
        disclosure="public",
        baseline_value=200,
        baseline_period=periods["2025/26 Q1"],
    )
    Target.objects.create(indicator=count, year=2026, amount=Decimal(240))
    entered(count, periods["2025/26 Q1"], 203)
    entered(count, periods["2025/26 Q2"], 3)
    entered(count, periods["2026/27 Q1"], 212)
    entered(count, periods["2026/27 Q2"], 232)
    share = make_indicator(
        partnership,
        name="Survivors who feel safer",
        unit="percentage",
        disclosure="partnership",
        direction="increase",
    )
    entered(share, periods["2026/27 Q1"], "61.0", numerator=61, denominator=100)
    entered(share, periods["2026/27 Q2"], "75.0", numerator=3, denominator=4)
    restricted = make_indicator(partnership, name="Restricted measure", disclosure="restricted")
    make_periods(other_partnership, date(2026, 4, 1), date(2027, 3, 31))
    theirs = make_indicator(other_partnership, name="Lambeth's own measure", disclosure="public")
    return {"count": count, "share": share, "restricted": restricted, "theirs": theirs}


def test_the_measures_list_shows_what_the_board_sees_and_no_exact_count(
    partnership, measures_world
):
    answer, body = get(client_for(partnership), "/measures")
    assert answer.status_code == 200
    assert body["count"] == 2 and body["page"] == 1 and body["next"] is None
    by_name = {m["name"]: m for m in body["items"]}
    assert set(by_name) == {"Referrals to specialist support", "Survivors who feel safer"}
    count = by_name["Referrals to specialist support"]
    assert count["id"] == measures_world["count"].pk
    assert count["unit"] == "count" and count["direction"] == "increase"
    assert count["owner"] == partnership.organisations.first().name
    assert count["baseline"] == {"value": 200, "text": "200 (2025/26 Q1)", "period": "2025/26 Q1"}
    assert count["targets"] == [{"year": 2026, "kind": "absolute", "amount": 240, "upper": None}]
    latest = count["latest"]
    assert latest["period"] == "2026/27 Q2" and latest["part_finished"] is False
    assert set(latest["figure"]) == {"text", "value"}
    assert near(latest["figure"], 232)  # 230 or 235, never 232
    assert count["status"]["code"] in {"on_track", "close", "off_track"}
    # A rate whose parts are too small to show is not shown, and has no status.
    share = by_name["Survivors who feel safer"]["latest"]
    assert share["figure"] == {"text": "not shown", "value": None, "per": 100}
    assert by_name["Survivors who feel safer"]["status"]["code"] == "no_status"
    assert_controlled(body)
    assert "232" not in answer.content.decode()


def test_the_status_and_latest_value_as_at_a_period(partnership, measures_world):
    _, body = get(client_for(partnership), "/measures", period="2025/26 Q2")
    count = next(m for m in body["items"] if m["unit"] == "count")
    assert count["latest"]["period"] == "2025/26 Q2"
    assert count["latest"]["figure"] == {"text": "fewer than 5", "value": None}
    assert count["status"] == {
        "code": "no_status",
        "label": "No status",
        "reason": "The latest value is not shown",
    }
    _, body = get(client_for(partnership), "/measures", until="2026-06-30", since="2026-04-01")
    share = next(m for m in body["items"] if m["unit"] == "percentage")
    assert share["latest"]["period"] == "2026/27 Q1"
    assert share["latest"]["figure"]["per"] == 100 and share["latest"]["figure"]["value"] > 0
    _, body = get(client_for(partnership), "/measures", until="2025-09-30")
    share = next(m for m in body["items"] if m["unit"] == "percentage")
    assert share["latest"] is None


def test_a_measure_gives_its_values_by_period_as_shown(partnership, measures_world):
    pk = measures_world["count"].pk
    answer, body = get(client_for(partnership), f"/measures/{pk}")
    assert answer.status_code == 200
    assert [v["period"] for v in body["values"]] == [
        "2025/26 Q1",
        "2025/26 Q2",
        "2026/27 Q1",
        "2026/27 Q2",
    ]
    first, small, third, fourth = (v["figure"] for v in body["values"])
    assert near(first, 203) and near(third, 212) and near(fourth, 232)
    assert small == {"text": "fewer than 5", "value": None}
    assert body["values"][0]["target_trajectory"] == 200  # the baseline's period
    assert body["since_previous"]
    assert_controlled(body)
    _, body = get(client_for(partnership), f"/measures/{pk}", since="2026-04-01")
    assert [v["period"] for v in body["values"]] == ["2026/27 Q1", "2026/27 Q2"]


def test_a_restricted_or_another_partnerships_measure_is_not_found(
    partnership, other_partnership, measures_world
):
    ours, theirs = client_for(partnership), client_for(other_partnership)
    for client, measure in [
        (ours, measures_world["restricted"]),
        (ours, measures_world["theirs"]),
        (theirs, measures_world["count"]),
    ]:
        answer, body = get(client, f"/measures/{measure.pk}")
        assert answer.status_code == 404
        assert answer["Content-Type"] == "application/problem+json"
        assert measure.name not in answer.content.decode()
    _, body = get(theirs, "/measures")
    assert [m["name"] for m in body["items"]] == ["Lambeth's own measure"]


def test_the_measures_list_is_paginated(partnership, measures_world):
    client = client_for(partnership)
    _, first = get(client, "/measures", page_size=1)
    _, second = get(client, "/measures", page_size=1, page=2)
    assert first["pages"] == 2 and first["next"].endswith("page=2")
    assert second["previous"] and second["next"] is None
    assert first["items"][0]["id"] != second["items"][0]["id"]
    answer, body = get(client, "/measures", page_size=501)
    assert answer.status_code == 422 and body["errors"][0]["field"] == "page_size"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "last quarter"}, "period"),
        ({"period": "2026/28"}, "period"),
        ({"period": "1066/67 Q1"}, "period"),
        ({"since": "2026-07-01", "until": "2026-03-31"}, "since"),
        ({"until": "not a date"}, "until"),
        ({"until": "0"}, "until"),  # not read as a timestamp
    ],
)
def test_a_bad_measures_filter_is_refused_saying_which(partnership, measures_world, params, field):
    answer, body = get(client_for(partnership), "/measures", **params)
    assert answer.status_code == 422
    assert [e["field"] for e in body["errors"]] == [field]


# --- Local insight ------------------------------------------------------------------------


@pytest.fixture
def incidents(partnership):
    for name in ("Roehampton", "Tooting Bec", "Small Ward"):
        Ward.objects.create(partnership=partnership, name=name, valid_from=date(2022, 5, 5))
    rows = [row(f"R{n}", f"2026-{1 + n % 11:02}-12", Ward="Roehampton") for n in range(66)]
    rows += [row(f"T{n}", f"2026-{1 + n % 10:02}-14", Ward="Tooting Bec") for n in range(37)]
    rows += [row(f"L{n}", f"2025-{1 + n % 12:02}-09", Ward="Tooting Bec") for n in range(48)]
    rows += [row(f"S{n}", "2026-03-03", Ward="Small Ward") for n in range(3)]
    rows += [
        row(f"V{n}", f"2026-0{1 + n % 6}-20", **{"VAWG Strand": "SV", "Victim ID": "PERSON-SV"})
        for n in range(12)
    ]
    import_rows(partnership, rows, today=TODAY)
    return rows


def test_the_summary_defaults_to_the_last_twelve_complete_months(partnership, incidents):
    answer, body = get(client_for(partnership), "/insight/summary")
    assert answer.status_code == 200
    assert (body["from_month"], body["to_month"]) == ("2025-11", "2026-10")
    assert [m["month"] for m in body["months"]][:2] == ["2025-11", "2025-12"]
    assert len(body["months"]) == 12
    assert not any(m["part_finished"] for m in body["months"])
    assert body["refused"] is None
    assert_controlled(body)


def test_the_summary_shows_the_local_picture_at_the_controlled_level(partnership, incidents):
    answer, body = get(
        client_for(partnership), "/insight/summary", **{"from": "2026-01", "to": "2026-11"}
    )
    assert answer.status_code == 200
    months = body["months"]
    assert [m["month"] for m in months] == [f"2026-{n:02}" for n in range(1, 12)]
    assert [m["part_finished"] for m in months] == [False] * 10 + [True]
    # January 2026: 6 Roehampton, 4 Tooting Bec, 2 sexual violence; a year earlier 4.
    assert near(months[0]["incidents"], 12)
    assert months[0]["a_year_earlier"] == {"text": "fewer than 5", "value": None}
    assert near(body["incidents"], 66 + 37 + 3 + 12)
    wards = {w["ward"]: w for w in body["wards"]}
    assert near(wards["Roehampton"]["incidents"], 66 + 12)  # sexual violence there too
    assert wards["Small Ward"]["incidents"] == {"text": "fewer than 5", "value": None}
    assert wards["Small Ward"]["per_1000_residents"]["value"] is None
    assert list(wards)[-1] == "Small Ward"  # hidden figures rank last
    strands = {s["strand"]: s for s in body["strands"]}
    assert list(strands) == ["domestic_abuse", "sexual_violence"]
    assert strands["sexual_violence"]["label"] == "Sexual violence"
    assert near(strands["sexual_violence"]["incidents"], 12)
    assert near(strands["sexual_violence"]["repeat_incidents"], 11)
    rate = body["repeat_victimisation_rate"]
    assert rate["per"] == 100 and rate["value"] is not None
    assert_controlled(body)


def test_too_few_incidents_are_answered_with_the_total_in_words(partnership, incidents):
    # March 2026 in Small Ward alone is not a filter here, but an empty month is.
    _, body = get(
        client_for(partnership), "/insight/summary", **{"from": "2024-01", "to": "2024-02"}
    )
    assert body["incidents"] == {"text": "fewer than 5", "value": None}
    assert body["refused"] and body["months"] == body["wards"] == body["strands"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"from": "March 2026"}, "from"),
        ({"from": "2026-10", "to": "2026-01"}, "from"),
        ({"to": "2026-12"}, "to"),
        ({"from": "1999-01", "to": "1999-12"}, "from"),
        ({"from": "2020-01", "to": "2026-10"}, "from"),
    ],
)
def test_a_bad_range_is_refused_saying_which_field(partnership, params, field):
    answer, body = get(client_for(partnership), "/insight/summary", **params)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in body["errors"]] == [field]


def test_another_partnership_sees_none_of_the_incidents(other_partnership, incidents):
    _, body = get(
        client_for(other_partnership), "/insight/summary", **{"from": "2026-01", "to": "2026-10"}
    )
    assert body["incidents"] == {"text": "fewer than 5", "value": None}
    assert body["wards"] == [] and "Roehampton" not in json.dumps(body)


# --- MARAC -----------------------------------------------------------------------------------


@pytest.fixture
def marac_cases(partnership):
    """Seven cases at a meeting in 2026/27 Q1, and two at one in Q2."""
    periods_ensure_year(partnership=partnership, year_start=date(2026, 4, 1))
    cases = [make_referral(partnership, on=date(2026, 5, 1 + n)) for n in range(7)]
    hold_meeting(make_meeting(partnership, on=date(2026, 5, 20)))
    cases += [make_referral(partnership, on=date(2026, 8, 1 + n)) for n in range(2)]
    hold_meeting(make_meeting(partnership, on=date(2026, 8, 19)))
    return cases


def test_marac_statistics_are_suppressed_and_beside_national_figures(partnership, marac_cases):
    client = client_for(partnership)
    answer, body = get(client, "/marac/statistics", period="2026/27 Q1")
    assert answer.status_code == 200
    assert body["start"] == "2026-04-01" and body["end"] == "2026-06-30"
    assert body["meetings_held"] == 1
    figures_by_key = {f["key"]: f for f in body["figures"]}
    assert near(figures_by_key["cases"]["figure"], 7)
    assert figures_by_key["repeat_rate"]["figure"]["per"] == 100
    assert figures_by_key["repeat_rate"]["national"] is not None
    assert "SafeLives" in body["national_source"]
    assert_controlled(body)
    # The last finished quarter by default: two cases, in words.
    _, quarter = get(client, "/marac/statistics")
    assert (quarter["start"], quarter["end"]) == ("2026-07-01", "2026-09-30")
    small = {f["key"]: f for f in quarter["figures"]}
    assert small["cases"]["figure"] == {"text": "fewer than 5", "value": None}
    assert small["repeat_rate"]["figure"]["value"] is None
    assert_controlled(quarter)
    _, months = get(client, "/marac/statistics", **{"from": "2026-08", "to": "2026-08"})
    assert (months["start"], months["end"]) == ("2026-08-01", "2026-08-31")
    assert months["meetings_held"] == 1


def test_marac_statistics_give_no_case_data(partnership, marac_cases):
    client = client_for(partnership)
    text = ""
    for params in ({}, {"period": "2026/27"}, {"period": "2026/27 Q1"}):
        text += get(client, "/marac/statistics", **params)[0].content.decode()
    for case in Referral.objects.all():
        assert case.reference not in text
    assert (
        "Test Victim" not in text and "Test Perpetrator" not in text and "Test Street" not in text
    )


def test_another_partnerships_marac_is_not_counted(other_partnership, marac_cases):
    periods_ensure_year(partnership=other_partnership, year_start=date(2026, 4, 1))
    _, body = get(client_for(other_partnership), "/marac/statistics", period="2026/27 Q1")
    assert body["meetings_held"] == 0
    cases = next(f for f in body["figures"] if f["key"] == "cases")
    assert cases["figure"] == {"text": "fewer than 5", "value": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026/27 Q5"}, "period"),
        ({"period": "2026/27", "from": "2026-01"}, "period"),
        ({"from": "2026-09", "to": "2026-01"}, "from"),
        ({"period": "9999/00 Q4"}, "period"),
    ],
)
def test_a_bad_marac_period_is_refused(partnership, params, field):
    answer, body = get(client_for(partnership), "/marac/statistics", **params)
    assert answer.status_code == 422
    assert [e["field"] for e in body["errors"]] == [field]


# --- Scope, tenancy and ETags ------------------------------------------------------------------


@pytest.mark.parametrize("path", [*OPERATIONS, "/measures/1"])
def test_a_token_without_read_figures_is_refused(partnership, path):
    answer, body = get(client_for(partnership, scopes=[Scope.READ_PLAN]), path)
    assert answer.status_code == 403
    assert "read:figures" in body["detail"]


@pytest.mark.parametrize("path", OPERATIONS)
def test_no_token_no_figures(client, path):
    assert client.get(BASE + path).status_code == 401


@pytest.mark.parametrize("path", OPERATIONS)
def test_an_unchanged_answer_is_not_sent_again(partnership, measures_world, marac_cases, path):
    client = client_for(partnership)
    first = client.get(BASE + path)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    again = client.get(BASE + path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(BASE + path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_etag_moves_when_the_figures_do(partnership, measures_world, periods):
    client = client_for(partnership)
    etag = client.get(BASE + "/measures")["ETag"]
    entered(measures_world["share"], periods["2026/27 Q3"], "80.0", numerator=80, denominator=100)
    answer = client.get(BASE + "/measures", HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 200 and answer["ETag"] != etag
