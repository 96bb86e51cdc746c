"""A synthetic partnership for the report tests and the benchmark: a plan with actions in
every state, measures with a year and more of values, a year of incidents, MARAC meetings,
survivor voice and learning. All names and figures are made up.

Two canaries are seeded for the disclosure tests: CANARY_WARD holds exactly 3 incidents,
and the MARAC meeting in the pack's quarter discusses exactly 2 cases. Neither count may
appear in a report for the board or the public.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from vawg.core.models import BodyMeeting, Partnership, PartnershipBody, Ward
from vawg.core.periods import add_months, periods_ensure_range
from vawg.core.testing import make_body, make_organisation, make_partnership
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.insight.tests.factories import import_rows, partner_for, row
from vawg.learning.tests.factories import make_recommendation, make_review
from vawg.marac.tests.factories import hold_meeting, make_meeting, make_referral
from vawg.measures.models import Indicator, IndicatorValue, Target, ValueSource
from vawg.strategy.tests.factories import make_action, make_priority, make_strategy
from vawg.voice.tests.factories import make_feedback, make_theme

TODAY = date(2026, 11, 20)  # inside 2026/27 Q3 (October to December)
PACK_QUARTER = "2026/27 Q2"  # the last finished quarter: July to September 2026
LAST_MEETING = date(2026, 8, 12)
NEXT_MEETING = date(2026, 10, 21)
CANARY_WARD = "Nine Elms"
CANARY_INCIDENTS = 3
CANARY_REFERRALS = 2
FEEDBACK_WORDS = "My neighbour on Example Street heard everything"  # never in a report
YOU_SAID = "Survivors said the helpline was hard to find."
WE_DID = "We put the helpline on every council letter."
OVERDUE_REF = "P1.01"
RED_REF = "P1.02"
SILENT_REF = "P2.01"
RED_COMMENTARY = "The refuge provider withdrew in August; a new tender is out."
RED_NEXT = "Award the new refuge contract"

STATUSES = [Status.ON_TRACK, Status.ON_TRACK, Status.AT_RISK, Status.COMPLETE, Status.OFF_TRACK]
UNITS = ["count", "percentage", "rate_per_1000"]


@dataclass
class World:
    partnership: Partnership
    board: PartnershipBody
    periods: dict = field(default_factory=dict)


def build(
    *,
    actions: int = 6,
    indicators: int = 3,
    incidents: int = 20,
    marac_cases: int = 0,
    seed: int = 7,
) -> World:
    """`incidents` a month for the twelve months to TODAY in the three big wards, besides
    the canary ward's three; `marac_cases` discussed at a MARAC each month of that year,
    besides the canary meeting's two."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not a secret)
    partnership = make_partnership("report-borough", "Report Borough")
    council = make_organisation(partnership, "Report Borough Council")
    partner_for(partnership)  # the police, who send the incidents
    board = make_body(partnership, "VAWG Strategic Board", kind=PartnershipBody.Kind.BOARD)
    workstream = make_body(partnership, "Safety workstream", kind=PartnershipBody.Kind.WORKSTREAM)
    periods_ensure_range(partnership=partnership, first=date(2025, 4, 1), last=date(2027, 3, 31))
    periods = {p.label: p for p in partnership.reporting_periods.all()}
    world = World(partnership, board, periods)
    BodyMeeting.objects.create(body=board, held_on=LAST_MEETING)
    BodyMeeting.objects.create(body=board, held_on=NEXT_MEETING)

    _plan(partnership, council, workstream, periods, actions, rng)
    _measures(partnership, council, periods, indicators, rng)
    _incidents(partnership, incidents, rng)
    _marac(partnership, marac_cases)
    make_feedback(partnership, text=FEEDBACK_WORDS, received_on=date(2026, 8, 3))
    make_theme(partnership, "Finding help", you_said=YOU_SAID, we_did=WE_DID, published=True)
    make_theme(partnership, "Unpublished", you_said="Not for the public yet.", we_did="")
    review = make_review(partnership, "DARDR-07")
    make_recommendation(
        review, "2.1", text="Train GP receptionists to ask about abuse.", due_on=date(2026, 10, 31)
    )
    return world


def _plan(partnership, council, workstream, periods, count, rng) -> None:
    strategy = make_strategy(partnership, "plan-2025-28", start_year=2025, end_year=2027)
    priorities = [
        make_priority(strategy, "P1", title="Safety and support", workstream=workstream),
        make_priority(strategy, "P2", title="Prevention and education"),
        make_priority(strategy, "P3", title="Holding perpetrators to account"),
    ]
    quarters = [periods["2026/27 Q1"], periods["2026/27 Q2"]]
    updates = []
    for n in range(count):
        priority = priorities[n * len(priorities) // count]
        number = sum(1 for _ in range(n) if priorities[_ * len(priorities) // count] == priority)
        ref = f"{priority.code}.{number + 1:02}"
        action = make_action(
            priority,
            ref,
            leads=(council,),
            order=n + 1,
            activity=f"Synthetic action {n + 1}: commission and deliver the service",
            deliver_by=date(2026, 6, 30) if ref == OVERDUE_REF else date(2027, 3, 31),
        )
        for period in quarters:
            if ref == SILENT_REF and period.label == "2026/27 Q2":
                continue  # no update this quarter
            status = STATUSES[(n + quarters.index(period)) % len(STATUSES)]
            commentary = f"Work on action {ref} continues with partners."
            next_step = ""
            if ref == RED_REF:
                status = Status.OFF_TRACK if period.label == "2026/27 Q2" else Status.AT_RISK
                commentary, next_step = RED_COMMENTARY, RED_NEXT
            if ref == OVERDUE_REF:
                status = Status.AT_RISK
            reviewed = timezone.make_aware(
                datetime.combine(period.end + timedelta(days=20), time(9))
            )
            updates.append(
                ProgressUpdate(
                    action=action,
                    period=period,
                    status=status,
                    state=UpdateState.APPROVED,
                    commentary=commentary,
                    next_milestone=next_step,
                    next_milestone_date=date(2026, 12, 15) if next_step else None,
                    submitted_at=reviewed,
                    reviewed_at=reviewed,
                )
            )
    ProgressUpdate.objects.bulk_create(updates)


def _measures(partnership, council, periods, count, rng) -> None:
    labels = [label for label in periods if "Q" in label and periods[label].end < TODAY]
    for n in range(count):
        unit = UNITS[n % len(UNITS)]
        indicator = Indicator.objects.create(
            partnership=partnership,
            name=f"Synthetic measure {n + 1}",
            definition="A made-up measure for the report tests.",
            unit=unit,
            direction="increase" if n % 2 else "decrease",
            owner=council,
            disclosure="public",
            baseline_value=Decimal(200 if unit == "count" else 40),
            baseline_period=periods["2025/26 Q1"],
        )
        Target.objects.create(
            indicator=indicator, year=2026, amount=Decimal(220 if unit == "count" else 45)
        )
        for i, label in enumerate(labels):
            value = (
                Decimal(200 + 5 * i + rng.randint(-10, 10))
                if unit == "count"
                else Decimal(f"{40 + i + rng.random():.1f}")
            )
            extra = {}
            if unit != "count":
                # Parts of 1,000: a percentage's numerator is ten times its value.
                per = 100 if unit == "percentage" else 1000
                extra = {"numerator": value * 1000 / per, "denominator": Decimal(1000)}
            IndicatorValue.objects.create(
                indicator=indicator,
                period=periods[label],
                value=value,
                source=ValueSource.ENTERED,
                **extra,
            )
    # A computed measure: its quarter under way is shown live, as part-finished.
    Indicator.objects.create(
        partnership=partnership,
        name="Incidents recorded (computed)",
        definition="VAWG incidents recorded by partners.",
        unit="count",
        direction="decrease",
        owner=council,
        disclosure="public",
        metric_key="insight.incidents",
    )


def _incidents(partnership, per_month: int, rng) -> None:
    for name in ("Roehampton", "Tooting Bec", "Balham", CANARY_WARD):
        Ward.objects.create(partnership=partnership, name=name, valid_from=date(2022, 5, 5))
    rows = []
    month = add_months(TODAY.replace(day=1), -12)
    n = 0
    while month <= TODAY:
        for _ in range(per_month):
            n += 1
            day = month + timedelta(days=rng.randrange(0, 27))
            if day >= TODAY:
                continue
            rows.append(
                row(
                    f"INC{n:06}",
                    day.isoformat(),
                    Ward=rng.choice(["Roehampton", "Tooting Bec", "Balham"]),
                    **{"Victim ID": f"PERSON-{rng.randrange(per_month * 9)}"},
                    **{"Victim Age": str(rng.randrange(18, 70))},
                    Ethnicity=rng.choice(["White", "White", "Black", "Asian"]),
                )
            )
        month = add_months(month, 1)
    for k in range(CANARY_INCIDENTS):
        rows.append(row(f"CAN{k:03}", f"2026-08-{10 + k:02}", Ward=CANARY_WARD))
    import_rows(partnership, rows, today=TODAY)


def _marac(partnership, per_month: int) -> None:
    month = add_months(TODAY.replace(day=1), -12)
    while month < TODAY.replace(day=1):
        if month != date(2026, 7, 1) and per_month:
            for k in range(per_month):
                make_referral(partnership, on=month + timedelta(days=k % 14))
            hold_meeting(make_meeting(partnership, on=month + timedelta(days=20)))
        month = add_months(month, 1)
    for k in range(CANARY_REFERRALS):
        make_referral(partnership, on=date(2026, 7, 1 + k))
    hold_meeting(make_meeting(partnership, on=date(2026, 7, 22)))
