"""Demo step: a year of synthetic MARAC figures for each London borough without a plan.

The regional comparison needs each borough's cases discussed per 10,000 women aged 16
and over. For the 31 boroughs beyond the two seeded ones (vawg.core.demo_region) this
makes a meeting every four weeks over the last year, held, with the cases discussed at
each: monitoring categories only, no names, no people, references "SYN-…" so the pages
say the figures are synthetic. The MARAC's population is the population file's, marked
synthetic. Written in bulk (no case history or audit: nothing here happened), and
skipped for a borough that already has MARAC cases, so load_demo can run again.
"""

from datetime import date, timedelta

from django.db import transaction

from vawg.core.demo_region import synthetic_boroughs
from vawg.core.models import Organisation, Partnership
from vawg.core.populations import AreaPopulation, populations_for
from vawg.marac.models import AgendaItem, MaracSettings, Meeting, Referral
from vawg.marac.region import SYNTHETIC_PREFIX

EVERY = timedelta(days=28)
E = Referral.Ethnicity
ORIENT = Referral.Orientation
ETHNICITIES = [E.WHITE_BRITISH] * 9 + [E.WHITE_OTHER] * 3 + [E.BLACK] * 4 + [E.ASIAN] * 3
ETHNICITIES += [E.MIXED] * 2 + [E.OTHER, E.NOT_KNOWN]
ORIENTATIONS = [ORIENT.HETEROSEXUAL] * 17 + [ORIENT.GAY_LESBIAN, ORIENT.BISEXUAL, ORIENT.NOT_KNOWN]


def _case(partnership: Partnership, number: int, on: date, agencies, rng) -> Referral:
    police, council = agencies
    return Referral(
        partnership=partnership,
        reference=f"{SYNTHETIC_PREFIX}{number:05d}",
        referred_on=on,
        # About two in three MARAC referrals come from the police (SafeLives).
        referring_organisation=police if rng.random() < 0.65 else council,
        is_repeat=rng.random() < 0.3,
        victim_sex=Referral.Sex.MALE if rng.random() < 0.05 else Referral.Sex.FEMALE,
        victim_age=rng.choice([16, 17]) if rng.random() < 0.02 else rng.randint(18, 70),
        victim_ethnicity=rng.choice(ETHNICITIES),
        victim_sexual_orientation=rng.choice(ORIENTATIONS),
        victim_disability="yes" if rng.random() < 0.12 else "no",
        victim_trans="not_known",
        children_in_household=rng.choice([0, 0, 1, 1, 2, 3]),
        victim_aware=True,
        victim_consented=rng.random() < 0.8,
    )


@transaction.atomic
def _load_borough(partnership: Partnership, area: AreaPopulation, *, today: date, rng) -> int:
    MaracSettings.objects.update_or_create(
        partnership=partnership,
        defaults={
            "women_16_plus": area.women_16_plus,
            "population_source": area.source,
            "population_is_synthetic": area.synthetic,
        },
    )
    agencies = [
        partnership.organisations.filter(kind=kind).first()
        for kind in (Organisation.Kind.POLICE, Organisation.Kind.COUNCIL)
    ]
    if None in agencies:
        return 0
    # A year's cases at 20 to 40 per 10,000 women (about the seeded boroughs' demo level,
    # below and up to SafeLives' recommended 40).
    per_meeting = area.women_16_plus * rng.uniform(20, 40) / 10_000 * 28 / 365
    days = [today - EVERY * n for n in range(1, 15)]
    meetings = Meeting.objects.bulk_create(
        Meeting(partnership=partnership, held_on=day, status=Meeting.Status.HELD) for day in days
    )
    cases: list[tuple[Meeting, Referral]] = []
    for meeting in meetings:
        for _ in range(max(round(rng.gauss(per_meeting, per_meeting**0.5)), 0)):
            referred = meeting.held_on - timedelta(days=rng.randint(3, 20))
            cases.append((meeting, _case(partnership, len(cases) + 1, referred, agencies, rng)))
    Referral.objects.bulk_create(referral for _, referral in cases)
    positions: dict[int, int] = {}
    items = []
    for meeting, referral in cases:
        positions[meeting.pk] = positions.get(meeting.pk, 0) + 1
        items.append(AgendaItem(meeting=meeting, referral=referral, position=positions[meeting.pk]))
    AgendaItem.objects.bulk_create(items)
    MaracSettings.objects.filter(partnership=partnership).update(next_reference=len(cases) + 1)
    return len(cases)


def load(*, today: date, rng, stdout) -> None:
    boroughs = synthetic_boroughs()
    people = populations_for(boroughs)
    total = made = 0
    for partnership in boroughs:
        area = people.get(partnership.pk)
        if area is None or Referral.objects.filter(partnership=partnership).exists():
            continue
        total += _load_borough(partnership, area, today=today, rng=rng)
        made += 1
    stdout.write(f"  {made} London boroughs: {total} synthetic MARAC cases over a year\n")
