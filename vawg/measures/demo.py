"""Demo step: measures of success with synthetic baselines, targets and values.

Lambeth's seventeen measures of success become indicators (the real service,
as `seed_indicators` does); those whose direction the source states get a
synthetic baseline, yearly targets and a value for each closed quarter.
Wandsworth gets a few indicators linked to its action measures. Every figure
here is made up. Deterministic for a given `today`, and safe to run again.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from vawg.accounts.models import User
from vawg.core.metrics import Unit
from vawg.core.models import Organisation, Partnership
from vawg.measures import services
from vawg.measures.models import Direction, Disclosure, Indicator, TargetKind
from vawg.measures.selectors import year_of
from vawg.strategy.models import ActionMeasure, Priority

D = Decimal


@dataclass(frozen=True)
class Plan:
    """How one demo indicator is filled in: the words to find it by and its synthetic shape."""

    match: str  # words in the measure's text (Lambeth) or the indicator's name (Wandsworth)
    unit: str
    baseline: Decimal
    yearly_change: Decimal  # % change target per year
    owner_kind: str  # the kind of organisation that reports it
    priority_code: str = ""
    public: bool = False
    tolerance: Decimal = D(2)
    owner_words: str = ""  # words in the owner's name, where the kind has several


K = Organisation.Kind
LAMBETH_PLANS = [
    Plan(
        "referrals to the Gaia Centre and the demographics",
        Unit.COUNT,
        D(820),
        D(8),
        K.CHARITY,
        "SP",
        public=True,
        tolerance=D(25),
    ),
    Plan(
        "organisations across the partnership who report improved confidence and knowledge "
        "in tackling and responding to all",
        # "The number of organisations": a count of organisations, not a share.
        Unit.COUNT,
        D(24),
        D(10),
        K.COUNCIL,
        "WT",
    ),
    Plan(
        "actions taken due to Multi-Agency",
        Unit.COUNT,
        D(140),
        D(6),
        K.COUNCIL,
        "WT",
        tolerance=D(6),
    ),
    Plan(
        "needs of children and young people impacted",
        Unit.COUNT,
        D(18),
        D(10),
        K.COUNCIL,
        "CYP",
    ),
    Plan(
        "VAWG offences reported to the Police",
        Unit.COUNT,
        D(3900),
        D(5),
        K.POLICE,
        "CR",
        public=True,
        tolerance=D(60),
    ),
    Plan(
        "women and girls reporting feeling unsafe",
        Unit.PERCENTAGE,
        D(38),
        D(-8),
        K.COUNCIL,
        "CR",
        public=True,
        tolerance=D("1.5"),
    ),
    Plan(
        "children and young people accessing specialist support",
        Unit.COUNT,
        D(260),
        D(10),
        K.CHARITY,
        "CYP",
        tolerance=D(10),
    ),
    Plan(
        "crime outcome rates for VAWG offences",
        Unit.PERCENTAGE,
        D("9.5"),
        D(12),
        K.POLICE,
        "RHP",
        tolerance=D("0.5"),
    ),
    Plan(
        "reporting reduced levels of risk and harm", Unit.PERCENTAGE, D(62), D(5), K.CHARITY, "CYP"
    ),
    Plan(
        "repeat offending of VAWG perpetrators",
        Unit.PERCENTAGE,
        D(27),
        D(-10),
        K.POLICE,
        "RHP",
        public=True,
        tolerance=D(1),
    ),
    Plan(
        "victim satisfaction within the criminal justice",
        Unit.PERCENTAGE,
        D(58),
        D(5),
        K.POLICE,
        "RHP",
    ),
    Plan(
        "self-referrals and referrals from a wider range",
        Unit.COUNT,
        D(310),
        D(10),
        K.CHARITY,
        "SP",
        tolerance=D(12),
    ),
]


@dataclass(frozen=True)
class Extra:
    name: str
    definition: str
    unit: str
    direction: str
    measure_words: str  # words of the Wandsworth action measure it evidences
    numerator: str = ""
    denominator: str = ""
    range: tuple[Decimal, Decimal] | None = None


WANDSWORTH_EXTRAS = [
    (
        Extra(
            "Repeat victimisation rate (domestic abuse)",
            "Share of domestic abuse victims recorded by the police in the quarter who were also "
            "victims in the previous twelve months.",
            Unit.PERCENTAGE,
            Direction.DECREASE,
            "repeat victimisation",
            "Victims in the quarter with an earlier offence in 12 months",
            "Victims of domestic abuse offences in the quarter",
        ),
        Plan("", Unit.PERCENTAGE, D(31), D(-6), K.POLICE, public=True, tolerance=D(1)),
    ),
    (
        Extra(
            "Women waiting for counselling",
            "Women on the specialist counselling waiting list on the last day of the quarter.",
            Unit.COUNT,
            Direction.DECREASE,
            "waiting lists for counselling",
        ),
        # Counselling is commissioned through health (the action's lead): never the police.
        Plan("", Unit.COUNT, D(64), D(-10), K.HEALTH, tolerance=D(4)),
    ),
    (
        Extra(
            "MARAC repeat referral rate",
            "Share of cases heard at MARAC in the quarter that were heard before in the previous "
            "twelve months. SafeLives suggests a healthy MARAC sees between 28% and 40%.",
            Unit.PERCENTAGE,
            Direction.RANGE,
            "Annual MARAC report",
            "Cases heard again within 12 months",
            "Cases heard at MARAC in the quarter",
            range=(D(28), D(40)),
        ),
        # The MARAC coordinator sits in the council's community safety team.
        Plan("", Unit.PERCENTAGE, D(22), D(0), K.COUNCIL, tolerance=D(3), owner_words="Community"),
    ),
]


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.order_by("slug"):
        with transaction.atomic():
            seeded = services.indicators_seed_from_measures(partnership=partnership)
            if seeded.created or seeded.flagged:
                stdout.write(
                    f"  {partnership.name}: {seeded.created} indicators from the strategy, "
                    f"{seeded.flagged} with no direction (flagged for an admin)\n"
                )
            filled = _fill_lambeth(partnership, today=today, rng=rng)
            filled += _wandsworth_extras(partnership, today=today, rng=rng)
            if filled:
                stdout.write(f"  {partnership.name}: synthetic values for {filled} indicators\n")


def _organisation(partnership: Partnership, kind: str, words: str = "") -> Organisation | None:
    """The partner that would report the figure: one of `kind` (named with `words` where
    given), else the council, which answers for the partnership. Never whichever partner
    sorts first: that made the police own counselling waits."""
    organisations = list(partnership.organisations.order_by("name"))
    of_kind = [o for o in organisations if o.kind == kind]
    named = [o for o in of_kind if words and words.lower() in o.name.lower()]
    council = [o for o in organisations if o.kind == Organisation.Kind.COUNCIL]
    return (named or of_kind or council or [None])[0]


def _user(partnership: Partnership, suffix: str) -> User | None:
    return User.objects.filter(username=f"{partnership.slug}-{suffix}").first()


def _fill_lambeth(partnership: Partnership, *, today: date, rng) -> int:
    filled = 0
    indicators = list(
        Indicator.objects.filter(partnership=partnership, source_measure__isnull=False)
        .exclude(direction="")
        .select_related("source_measure")
    )
    for plan in LAMBETH_PLANS:
        indicator = next(
            (i for i in indicators if plan.match.lower() in i.source_measure.text.lower()), None
        )
        if indicator is None:
            continue
        _shape(indicator, plan, today=today, rng=rng)
        filled += 1
    return filled


def _wandsworth_extras(partnership: Partnership, *, today: date, rng) -> int:
    filled = 0
    for extra, plan in WANDSWORTH_EXTRAS:
        measure = (
            ActionMeasure.objects.filter(
                action__strategy__partnership=partnership, text__icontains=extra.measure_words
            )
            .select_related("action")
            .first()
        )
        if measure is None:
            continue
        indicator, _ = Indicator.objects.get_or_create(
            partnership=partnership,
            name=extra.name,
            defaults={
                "definition": extra.definition,
                "unit": extra.unit,
                "direction": extra.direction,
                "direction_basis": "Chosen by the partnership",
                "numerator": extra.numerator,
                "denominator": extra.denominator,
            },
        )
        indicator.action_measures.add(measure)
        indicator.actions.add(measure.action)
        indicator.priorities.add(measure.action.priority)
        _shape(indicator, plan, today=today, rng=rng, range_target=extra.range)
        filled += 1
    return filled


def _shape(indicator: Indicator, plan: Plan, *, today: date, rng, range_target=None) -> None:
    """Baseline two years back, a target per year, and a value for each closed quarter."""
    partnership = indicator.partnership
    periods = list(partnership.reporting_periods.filter(end__lt=today).order_by("start"))
    if len(periods) < 2:
        return
    baseline_period = periods[0]
    indicator.unit = plan.unit
    indicator.owner = _organisation(partnership, plan.owner_kind, plan.owner_words)
    indicator.baseline_value = plan.baseline
    indicator.baseline_period = baseline_period
    indicator.tolerance = plan.tolerance
    indicator.data_source = indicator.data_source or "Synthetic demo figures"
    if plan.public:
        indicator.disclosure = Disclosure.PUBLIC
    if plan.unit in (Unit.PERCENTAGE,) and not indicator.denominator:
        indicator.numerator = indicator.numerator or "Those answering yes"
        indicator.denominator = "Everyone asked (synthetic survey)"
    indicator.save()
    if plan.priority_code:
        priority = Priority.objects.filter(
            strategy__partnership=partnership, code=plan.priority_code
        ).first()
        if priority is not None:
            indicator.priorities.add(priority)
    admin = _user(partnership, "admin")
    first_year = year_of(partnership, baseline_period.start)
    last_year = year_of(partnership, today) + 1
    for year in range(first_year, last_year + 1):
        if range_target:
            services.target_set(
                indicator=indicator,
                year=year,
                kind=TargetKind.ABSOLUTE,
                amount=range_target[0],
                upper=range_target[1],
                actor=admin,
            )
        else:
            change = plan.yearly_change * (year - first_year + 1)
            services.target_set(
                indicator=indicator, year=year, kind=TargetKind.CHANGE, amount=change, actor=admin
            )
    # Each indicator drifts at its own pace: some keep up with the target, some do not.
    pace = D(str(rng.choice([0.6, 1.0, 1.3, 1.6])))
    quarterly = plan.yearly_change / 4 / 100 * pace
    level = plan.baseline
    enterer = _user(partnership, "analyst")
    recorded = set(indicator.values.values_list("period_id", flat=True))
    for period in periods[1:]:
        noise = D(str(rng.uniform(-0.03, 0.03)))
        level = level * (1 + quarterly + noise)
        if range_target:
            level = plan.baseline + D(str(rng.uniform(0, 14)))
        if period.pk in recorded:
            continue  # run before: keep what is there (and any correction made in the app)
        services.value_record(
            indicator=indicator,
            period=period,
            value=_round(level, plan.unit),
            note="Synthetic demo figure",
            provenance="Demo data",
            actor=enterer,
            today=today,
            audit=False,
        )
        if period == periods[-1] and rng.random() < 0.4:
            # A correction, so the page shows how versions are kept.
            services.value_record(
                indicator=indicator,
                period=period,
                value=_round(level * D("1.02"), plan.unit),
                note="Corrected after the partner's late return (synthetic)",
                provenance="Demo data",
                actor=enterer,
                today=today,
                audit=False,
            )


def _round(value: Decimal, unit: str) -> Decimal:
    if unit == Unit.COUNT:
        return value.quantize(D(1))
    return min(max(value.quantize(D("0.1")), D(0)), D(100))
