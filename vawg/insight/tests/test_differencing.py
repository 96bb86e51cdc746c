"""The dashboard attacked as a board member and a regional officer would attack it.

Synthetic data with small cells (a handful of male victims, of victims whose sex is not
known, of under-16s, of female genital mutilation; wards and partners of every size)
is looked at through the real pages and downloads, with every filter and period a
controlled viewer can choose: complementary filters, a total against its parts, a view
against the same view with a filter removed, overlapping periods (the latest 12 months
before and after the next month's extract arrives), a region against its boroughs, and
a chart against its table. Everything shown goes to the attacker's audit
(vawg/core/tests/auditor.py), which fails if any hidden count can be worked out exactly.
"""

import csv
import io
import random
from datetime import date
from itertools import product

import pytest
from django.urls import reverse

from vawg.core.disclosure import CONTROLLED
from vawg.core.models import Organisation, Ward
from vawg.core.permissions import Role
from vawg.core.tests.auditor import Auditor
from vawg.insight.models import DataImport
from vawg.insight.standard import AGE_BAND, SEX, STRAND
from vawg.insight.tests.factories import import_rows, make_wards, partner_for, row
from vawg.insight.tests.published import Incidents, Publisher

pytestmark = pytest.mark.django_db

SEXES = ["Female"] * 40 + ["Male"] * 5 + ["Not known"]
AGES = ["34", "22", "45", "19", "58", "70", "29", "38", "17", "12"]
STRANDS = ["DA"] * 12 + ["SV"] * 3 + ["Stalking", "Female genital mutilation"]


def _rows(prefix: str, months: list[str], per_month: int, wards: list[str], seed: int):
    rng = random.Random(seed)  # noqa: S311 - the attacker's random walk, seeded
    rows = []
    for month in months:
        for n in range(rng.randint(per_month - 3, per_month + 3)):
            outcome = rng.choice(["", "", "Charged", "Evidential difficulties"])
            rows.append(
                row(
                    f"{prefix}{month}-{n}",
                    f"{month}-{rng.randint(1, 28):02}",
                    **{
                        "VAWG Strand": rng.choice(STRANDS),
                        "Ward": rng.choice(wards),
                        "Victim Age": rng.choice(AGES),
                        "Victim Sex": rng.choice(SEXES),
                        "Victim ID": f"{prefix}-P{rng.randint(1, 120)}",
                        "Crime Outcome": outcome,
                    },
                )
            )
    return rows


def _months(first: date, last: date) -> list[str]:
    out, m = [], first
    while m <= last:
        out.append(f"{m:%Y-%m}")
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


@pytest.fixture
def region(partnership, other_partnership):
    """Two boroughs of one region, two partners in the first, 23 months of incidents."""
    make_wards(partnership)
    Ward.objects.create(partnership=partnership, name="Earlsfield")
    for name in ("Oval", "Brixton Hill"):
        Ward.objects.create(partnership=other_partnership, name=name)
    months = _months(date(2024, 6, 1), date(2026, 4, 1))
    wards = ["Roehampton", "Roehampton", "Tooting Bec", "Earlsfield"]
    health = partner_for(partnership, "St George's Hospital")
    for place, rows, partner in [
        (partnership, _rows("W", months, 9, wards, seed=1), None),
        (partnership, _rows("H", months[::3], 4, wards, seed=2), health),
        (other_partnership, _rows("L", months, 6, ["Oval", "Brixton Hill"], seed=3), None),
    ]:
        done = import_rows(place, rows, partner=partner)
        assert done.status == DataImport.Status.IMPORTED, done.problems[:3]
    return partnership, other_partnership


def _names(partnership) -> dict:
    return {
        "wards": dict(Ward.objects.filter(partnership=partnership).values_list("name", "id")),
        "partners": dict(
            Organisation.objects.filter(partnership=partnership).values_list("name", "id")
        ),
    }


def _views(partnership) -> list[dict]:
    """Every filter a board member can set, alone and in pairs."""
    wards = list(Ward.objects.filter(partnership=partnership, valid_to__isnull=True))
    partners = list(Organisation.objects.filter(partnership=partnership))
    periods = ["12", "36", "year:2024", "year:2025"]
    victims = ["sex:female", "sex:male", "sex:unknown", "age_band:0-15", "age_band:16-17"]
    strands = ["domestic_abuse", "sexual_violence", "fgm", "stalking"]
    singles = (
        [{"victim": v} for v in victims]
        + [{"ward": w.pk} for w in wards]
        + [{"partner": p.pk} for p in partners]
        + [{"strand": s} for s in strands]
    )
    pairs = [{"ward": w.pk, "victim": v} for w, v in product(wards, victims[:3])] + [
        {"strand": s, "ward": w.pk} for s, w in product(strands[1:3], wards)
    ]
    views = [{"period": p} for p in periods]
    views += [{"period": p, **f} for p, f in product(["12", "36"], singles + pairs)]
    return views


def _look(client, url_name: str, kwargs: dict, params: dict):
    response = client.get(reverse(url_name, kwargs=kwargs), params)
    assert response.status_code == 200, params
    return response


def _csv(client, partnership, chart: str, params: dict) -> list[list[str]]:
    url = reverse("insight:dashboard-csv", kwargs={"partnership": partnership.slug, "chart": chart})
    response = client.get(url, params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _universes(data: Incidents, partnerships, wards=(), partners=()) -> dict[str, Auditor]:
    """One audit for each attack's dimensions: every combination of them is a cell that
    may hold people, as the attacker must allow (months from the year before the first
    to May 2026, when the next extract arrives)."""
    base = {
        "partnership": [p.pk for p in partnerships],
        "month": data.months(last=date(2026, 5, 1)),
    }
    sex, age, strand = SEX.values, AGE_BAND.values, STRAND.values
    universes = {
        "sex": {"sex": sex},
        "age and sex": {"age_band": age, "sex": sex},
        "repeats": {"sex": sex, "is_repeat": [True, False]},
        "outcomes": {"sex": sex, "outcome_class": ["pending", "charged", "other"]},
        "strands": {"strand": strand, "sex": sex},
    }
    if wards:
        universes["wards and sex"] = {"ward_id": list(wards), "sex": sex}
        universes["strands and wards"] = {"strand": strand, "ward_id": list(wards)}
    if partners:
        universes["partners and strands"] = {"partner_id": list(partners), "strand": strand}
    return {name: Auditor({**base, **dims}) for name, dims in universes.items()}


def _audited(audits: dict[str, Auditor], data: Incidents) -> dict:
    """What each audit found: figures given two values, and hidden counts pinned down."""
    found = {}
    for name, audit in audits.items():
        problems = audit.inconsistent + audit.recovered(data.rows)
        if problems:
            found[name] = problems
    return found


def _board_member_looks(client, publisher, partnership, names, views):
    slug = {"partnership": partnership.slug}
    for params in views:
        board = _look(client, "insight:dashboard", slug, params).context["board"]
        assert board.audience == CONTROLLED
        publisher.board(board, str(params), names)


def test_a_board_member_can_work_out_no_hidden_count(client_for, personas, region):
    wandsworth, _ = region
    client = client_for(personas[Role.BOARD_MEMBER])
    names = _names(wandsworth)
    views = _views(wandsworth)
    data = Incidents([wandsworth.pk])
    audits = _universes(data, [wandsworth], names["wards"].values(), names["partners"].values())
    _board_member_looks(client, Publisher(audits.values(), data), wandsworth, names, views)
    # The data has small cells, and the pages hid them.
    hidden = audits["wards and sex"].hidden()
    assert len(hidden) > 20
    assert any("Not known" in p.what for p in hidden)

    # The downloads say what the page says, cell by cell.
    for params in ({"period": "36"}, {"period": "12", "victim": "sex:male"}):
        board = _look(client, "insight:dashboard", {"partnership": wandsworth.slug}, params)
        for chart in board.context["board"].charts:
            rows = _csv(client, wandsworth, chart.key, params)
            expected = [[b.label, b.figure.text, *[e.text for e in b.extra]] for b in chart.bars]
            assert rows[1:] == expected

    # Overlapping periods: the latest 12 months before and after May's extract arrives.
    import_rows(wandsworth, _rows("M", ["2026-05"], 9, ["Roehampton", "Tooting Bec"], seed=4))
    later = Incidents([wandsworth.pk])
    both = [v for v in views if v.get("period") == "12"]
    _board_member_looks(client, Publisher(audits.values(), later), wandsworth, names, both)
    assert _audited(audits, later) == {}


def test_a_regional_officer_can_work_out_no_hidden_count(client_for, personas, region):
    wandsworth, lambeth = region
    client = client_for(personas[Role.REGIONAL_OFFICER])
    data = Incidents([wandsworth.pk, lambeth.pk])
    audits = _universes(data, [wandsworth, lambeth])
    publisher = Publisher(audits.values(), data)
    kwargs = {"region": wandsworth.region.slug}
    victims = ["", "sex:female", "sex:male", "sex:unknown", "age_band:0-15"]
    strands = ["", "domestic_abuse", "sexual_violence", "fgm"]
    for period, victim, strand in product(["12", "36"], victims, strands):
        chosen = {"period": period, "victim": victim, "strand": strand}
        params = {k: v for k, v in chosen.items() if v}
        page = _look(client, "insight:region-dashboard", kwargs, params)
        board = page.context["board"]
        publisher.board(board, f"region {params}", {})
        if not board.refused:
            # A region against its boroughs: each borough's row as its own board sees it.
            publisher.region_rows(page.context["rows"], board.filters, str(params))
    assert audits["sex"].hidden()
    assert _audited(audits, data) == {}


def test_a_board_member_and_a_regional_officer_together_work_out_nothing(
    client_for, personas, region
):
    """Two people comparing notes: the borough's pages and the region's, as one attacker."""
    wandsworth, lambeth = region
    data = Incidents([wandsworth.pk, lambeth.pk])
    audits = _universes(data, [wandsworth, lambeth])
    publisher = Publisher(audits.values(), data)
    board_member = client_for(personas[Role.BOARD_MEMBER])
    views = [v for v in _views(wandsworth) if "ward" not in v and "partner" not in v]
    _board_member_looks(board_member, publisher, wandsworth, _names(wandsworth), views)
    officer = client_for(personas[Role.REGIONAL_OFFICER])
    for params in views:
        kwargs = {"region": wandsworth.region.slug}
        page = _look(officer, "insight:region-dashboard", kwargs, params)
        board = page.context["board"]
        publisher.board(board, f"region {params}", {})
        if not board.refused:
            publisher.region_rows(page.context["rows"], board.filters, str(params))
    assert _audited(audits, data) == {}
