"""The regional view: every borough of the region side by side, as its own board sees it.

Alice is London's regional officer. Wandsworth and Lambeth are two of London's
partnerships; Bob, Wandsworth's admin, has no business on the regional pages.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vawg.accounts.testing import make_member
from vawg.core.models import Organisation
from vawg.core.permissions import Role
from vawg.core.populations import PopulationFileError, read_populations
from vawg.core.region import NO_PLAN, comparison
from vawg.core.testing import make_partnership, make_region
from vawg.core.tests.test_navigation import TOP_NAV, _current, _get, _top
from vawg.insight.tests.factories import import_rows, make_wards, row
from vawg.marac.models import AgendaItem, Meeting, Referral

pytestmark = pytest.mark.django_db

HEADER = "area_code,borough,year,residents,women_16_plus,synthetic,source\n"


@pytest.fixture
def population_file(tmp_path, settings):
    """Wandsworth at 100,000 residents and 40,000 women aged 16+; Lambeth at 50,000 and
    20,000: round numbers, so a rate can be checked by hand."""
    path = tmp_path / "london-test-2025.csv"
    path.write_text(
        HEADER
        + "E09000032,Wandsworth,2025,100000,40000,no,Test figures\n"
        + "E09000022,Lambeth,2025,50000,20000,yes,Synthetic test figures\n"
    )
    settings.POPULATION_FILE = path
    return path


def _recent(days: int = 40) -> str:
    """A date inside the latest 12 complete months, whatever today is."""
    day = timezone.localdate().replace(day=1) - timedelta(days=days)
    return day.isoformat()


def _incidents(partnership, n: int, prefix: str) -> None:
    make_wards(partnership)
    rows = [row(f"{prefix}{i}", _recent(), **{"Victim ID": f"{prefix}-P{i}"}) for i in range(n)]
    import_rows(partnership, rows, today=timezone.localdate())


def _marac_cases(partnership, n: int) -> None:
    police = Organisation.objects.create(
        partnership=partnership, name="Police", kind=Organisation.Kind.POLICE
    )
    held_on = date.fromisoformat(_recent())
    meeting = Meeting.objects.create(
        partnership=partnership, held_on=held_on, status=Meeting.Status.HELD
    )
    for i in range(n):
        referral = Referral.objects.create(
            partnership=partnership,
            reference=f"T-{i}",
            referred_on=held_on - timedelta(days=7),
            referring_organisation=police,
            is_repeat=i % 2 == 0,
            victim_sex=Referral.Sex.FEMALE,
            victim_ethnicity=Referral.Ethnicity.NOT_KNOWN,
            victim_sexual_orientation=Referral.Orientation.NOT_KNOWN,
            victim_disability="not_known",
            victim_trans="not_known",
            victim_aware=True,
            victim_consented=True,
        )
        AgendaItem.objects.create(meeting=meeting, referral=referral, position=i + 1)


def _figures(result, partnership) -> dict[str, str]:
    """A borough's row as {"Section: column": text}."""
    found = next(r for r in result.rows if r.partnership == partnership)
    names = [f"{s.title}: {c.heading}" for s, c in result.columns]
    return dict(zip(names, [f.text for f in found.figures], strict=True))


def _region(result) -> dict[str, str]:
    """The region's figures in the table: {"Section: column": text}."""
    names = [f"{s.title}: {c.heading}" for s, c in result.columns if c.wide]
    return dict(zip(names, [f.text for f in result.region_cells], strict=True))


def test_it_works_rates_from_the_population_file(partnership, other_partnership, population_file):
    _incidents(partnership, 50, "W")  # 50 is a multiple of 5: shown as it is
    _incidents(other_partnership, 25, "L")
    _marac_cases(partnership, 20)

    result = comparison(region=partnership.region, today=timezone.localdate())

    wandsworth = _figures(result, partnership)
    assert wandsworth["Population: Residents"] == "100,000"
    assert wandsworth["VAWG incidents: Incidents"] == "50"
    assert wandsworth["VAWG incidents: Per 1,000 residents"] == "0.5"  # 50 / 100,000
    assert wandsworth["MARAC: Cases discussed"] == "20"
    assert wandsworth["MARAC: Per 10,000 women aged 16+"] == "5.0"  # 20 / 40,000
    assert wandsworth["MARAC: Repeat cases (%)"] == "50.0"
    assert _figures(result, other_partnership)["VAWG incidents: Per 1,000 residents"] == "0.5"
    region = _region(result)
    assert region["Population: Residents"] == "150,000"
    assert region["VAWG incidents: Incidents"] == "75"
    assert region["VAWG incidents: Per 1,000 residents"] == "0.5"  # 75 / 150,000
    assert region["MARAC: Per 10,000 women aged 16+"] == "3.3"  # 20 / 60,000

    # Another file, other denominators: nothing in code holds a population.
    population_file.write_text(HEADER + "E09000032,Wandsworth,2025,25000,10000,no,Test\n")
    again = comparison(region=partnership.region, today=timezone.localdate())
    assert _figures(again, partnership)["VAWG incidents: Per 1,000 residents"] == "2.0"
    assert _figures(again, other_partnership)["VAWG incidents: Per 1,000 residents"] == (
        "no population figure"
    )
    assert _region(again)["VAWG incidents: Per 1,000 residents"] == "no population figure"


def test_a_small_count_reads_fewer_than_5_and_its_rate_not_shown(
    client_for, partnership, other_partnership, population_file
):
    # The canary: 3 incidents and 3 MARAC cases in Wandsworth.
    _incidents(partnership, 3, "W")
    _incidents(other_partnership, 40, "L")
    _marac_cases(partnership, 3)
    officer = make_member(Role.REGIONAL_OFFICER, partnership, region=partnership.region)

    client = client_for(officer)
    table = client.get(reverse("core:region-home", kwargs={"region": "london"})).content.decode()
    own = reverse("core:region-borough", kwargs={"region": "london", "partnership": "wandsworth"})
    page = client.get(own).content.decode()
    wandsworth = re.search(r'<tr[^>]*data-row="wandsworth".*?</tr>', table, re.S).group(0)

    for html in (wandsworth, page):
        cells = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]
        assert "fewer than 5" in cells
        assert "not shown" in cells
        # Neither the count nor a rate worked from it (3 / 100,000 residents is 0.03
        # per 1,000; 3 / 40,000 women 0.8 per 10,000).
        assert not {"3", "0.0", "0.03", "0.8", "0.75"} & set(cells), cells


def test_a_borough_without_a_plan_says_so(partnership, population_file):
    result = comparison(region=partnership.region, today=timezone.localdate())
    wandsworth = _figures(result, partnership)
    assert wandsworth["Delivery: On track or complete (%)"] == NO_PLAN
    assert wandsworth["Measures of success: Off track"] == NO_PLAN
    row = next(r for r in result.rows if r.partnership == partnership)
    # Said once across the table's delivery and measures columns, not in each.
    assert [c.span for c in row.cells if c.text == NO_PLAN] == [2]


def test_every_borough_is_linked(client_for, partnership, other_partnership, population_file):
    elsewhere = make_partnership("cardiff", "Cardiff", region=make_region("wales", "Wales"))
    officer = make_member(Role.REGIONAL_OFFICER, partnership, region=partnership.region)
    client = client_for(officer)

    html = client.get(reverse("core:region-home", kwargs={"region": "london"})).content.decode()

    for borough in (partnership, other_partnership):
        url = reverse(
            "core:region-borough", kwargs={"region": "london", "partnership": borough.slug}
        )
        assert f'href="{url}"' in html
        page = client.get(url)
        assert page.status_code == 200
        assert f'<h1 class="govuk-heading-l">{borough.name}</h1>' in page.content.decode()
    assert "Cardiff" not in html
    # A partnership of another region is not London's to show.
    other = reverse("core:region-borough", kwargs={"region": "london", "partnership": "cardiff"})
    assert client.get(other).status_code == 404
    assert elsewhere.pk


def test_the_regional_officer_sees_the_region_navigation(client_for, partnership, population_file):
    officer = make_member(Role.REGIONAL_OFFICER, partnership, region=partnership.region)
    client = client_for(officer)
    home = reverse("core:region-home", kwargs={"region": "london"})
    borough = reverse(
        "core:region-borough", kwargs={"region": "london", "partnership": "wandsworth"}
    )
    dashboard = reverse("insight:region-dashboard", kwargs={"region": "london"})
    returns = reverse("reports:region-returns", kwargs={"region": "london"})

    for url in (home, borough):
        html = _get(client, url)
        assert _top(html) == [home, dashboard, returns], url
        assert _current(TOP_NAV, html) == ["Home"], url


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.REGIONAL_OFFICER])
def test_every_other_role_is_refused(client_for, personas, role, population_file):
    client = client_for(personas[role])
    for url in (
        reverse("core:region-home", kwargs={"region": "london"}),
        reverse("core:region-borough", kwargs={"region": "london", "partnership": "wandsworth"}),
    ):
        assert client.get(url).status_code == 404


def test_it_refuses_a_population_file_with_a_bad_figure(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "E09000032,Wandsworth,2025,lots,40000,no,Test\n")
    with pytest.raises(PopulationFileError, match="Row 2, column residents: 'lots'"):
        read_populations(path)


def test_the_shipped_file_names_33_london_partnerships_as_synthetic(settings):
    rows = read_populations(settings.POPULATION_FILE).values()
    assert len(rows) == 33
    assert all(r.synthetic and "synthetic" in r.source.lower() for r in rows)
    assert all(Decimal(r.women_16_plus) / r.residents < Decimal("0.5") for r in rows)
