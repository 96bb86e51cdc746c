"""A canary: "Canary Ward" holds 3 incidents. No page, download or log line that anyone
below the exact level can reach gives that count, or anything worked from it, as a number.

Every URL of the platform is fetched as the public and as every role whose figures are
controlled (the URL sweep's world), then the dashboard and each of its downloads with
every filter that picks the canary out.
"""

import logging
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from vawg.core import disclosure
from vawg.core.models import Ward
from vawg.core.permissions import Role
from vawg.core.tests import test_url_sweep as sweep
from vawg.core.tests.test_url_sweep import EXPECTED, allowed, url_for, url_names
from vawg.insight.tests.factories import import_rows, make_wards, row

pytestmark = pytest.mark.django_db
world = sweep.world  # one of everything a URL names, as the URL sweep makes it

CANARY = "Canary Ward"
# Everyone who sees insight's figures at the controlled level, and the public.
CONTROLLED = [r for r in Role if r is not Role.ANALYST]


class _Rows(HTMLParser):
    """The text of each table row of a page, cell by cell."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _canary_rows(content: str) -> list[list[str]]:
    if content.lstrip().startswith("<"):
        parser = _Rows()
        parser.feed(content)
        rows = parser.rows
    else:
        rows = [line.split(",") for line in content.splitlines()]
    return [r for r in rows if any(CANARY in cell for cell in r)]


def _numbers_beside_the_canary(content: str) -> list[list[str]]:
    """Rows naming the canary with a number in a cell other than its name (the words
    "fewer than 5" are not a number of anything)."""
    words = disclosure.small_text()
    return [
        r
        for r in _canary_rows(content)
        if any(re.search(r"\d", c.replace(words, "")) for c in r if CANARY not in c)
    ]


@pytest.fixture
def canary(partnership):
    if not Ward.objects.filter(partnership=partnership, name="Roehampton").exists():
        make_wards(partnership)
    Ward.objects.create(partnership=partnership, name=CANARY)
    rows = [row(f"C{i}", "2025-03-10", Ward=CANARY) for i in range(3)]
    rows += [row(f"R{i}", f"2025-{1 + i % 12:02}-12", Ward="Roehampton") for i in range(40)]
    rows += [row(f"T{i}", f"2025-{1 + i % 12:02}-14", Ward="Tooting Bec") for i in range(25)]
    import_rows(partnership, rows)
    return Ward.objects.get(name=CANARY)


def test_no_page_download_or_log_gives_the_canarys_count(
    client,
    personas,
    partnership,
    world,
    canary,
    caplog,  # noqa: F811
):
    caplog.set_level(logging.DEBUG)
    people = {"the public": None, **{r.value: personas[r] for r in CONTROLLED}}
    found = []
    for name in sorted(url_names()):
        rule = EXPECTED[name]
        if rule.post_only:
            continue
        url = url_for(name, world)
        for persona, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            if not allowed(rule, "anonymous" if user is None else persona):
                continue
            response = client.get(url)
            if response.status_code == 200 and not response.streaming:
                text = response.content.decode("utf-8-sig", errors="replace")
                found += [(persona, url, r) for r in _numbers_beside_the_canary(text)]
    assert found == []
    assert CANARY not in caplog.text


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.PARTNERSHIP_ADMIN])
def test_the_dashboard_never_counts_the_canary_with_any_filter(
    client_for, personas, partnership, canary, role, caplog
):
    caplog.set_level(logging.DEBUG)
    client = client_for(personas[role])
    page = reverse("insight:dashboard", kwargs={"partnership": partnership.slug})
    filters = [
        {},
        {"period": "36"},
        {"period": "year:2024"},
        {"ward": canary.pk},
        {"ward": canary.pk, "period": "36"},
        {"victim": "sex:female"},
        {"strand": "domestic_abuse"},
        {"victim": "age_band:25-34"},
    ]
    charts = ["trend", "projection", "strands", "wards", "partners", "sex", "age_band"]
    for params in filters:
        response = client.get(page, params)
        assert response.status_code == 200
        board = response.context["board"]
        assert _numbers_beside_the_canary(response.content.decode()) == []
        if params.get("ward") == canary.pk:
            # The canary's own view is answered in words, with no table of hidden cells.
            assert board.refused and board.total.text == "fewer than 5"
        else:
            wards = next(c for c in board.charts if c.key == "wards")
            (bar,) = [b for b in wards.bars if b.label == CANARY]
            assert bar.figure.text == "fewer than 5" and bar.figure.value is None
            assert all(e.value is None for e in bar.extra)
            assert "Canary" not in board.trend.summary
        for chart in charts:
            url = reverse(
                "insight:dashboard-csv", kwargs={"partnership": partnership.slug, "chart": chart}
            )
            download = client.get(url, params).content.decode("utf-8-sig")
            assert _numbers_beside_the_canary(download) == []
            if params.get("ward") == canary.pk:
                assert not re.search(r"\d", download.replace(disclosure.small_text(), ""))
    assert CANARY not in caplog.text


def test_the_check_finds_a_count_beside_the_canary():
    page = f"<table><tr><th>{CANARY}</th><td>3</td><td>not shown</td></tr></table>"
    assert _numbers_beside_the_canary(page) == [[CANARY, "3", "not shown"]]
    assert _numbers_beside_the_canary(f"Ward,Incidents\n{CANARY},fewer than 5\n") == []
    assert _numbers_beside_the_canary(f"Ward,Incidents\n{CANARY},3.0\n") == [[CANARY, "3.0"]]
