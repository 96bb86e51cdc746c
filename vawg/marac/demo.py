"""Demo step: a year of synthetic MARAC referrals and meetings for each partnership.

Every person is obviously fake ("Test Victim 017"); the population figures are
synthetic and labelled so. Deterministic (rng, today) and skipped for a
partnership that already has MARAC referrals, so `load_demo` can run again.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from vawg.accounts.models import Membership, User
from vawg.core.models import Organisation, Partnership
from vawg.marac import dash, services
from vawg.marac.models import LocalCriterion, MaracSettings, Referral

# Synthetic: shaped like an inner-London borough, not any real count.
POPULATION = {"wandsworth": 142_000, "lambeth": 138_000}
SHARES = {
    "minoritised_rate": "30.0",
    "lgbt_rate": "8.0",
    "disabled_rate": "12.0",
    "male_rate": "48.0",
    "age_16_17_rate": "2.0",
}
MEETING_EVERY = timedelta(days=28)
WAITING = timedelta(days=7)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
K = Organisation.Kind
E = Referral.Ethnicity
ORIENT = Referral.Orientation


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _agencies(partnership: Partnership, rep: User | None) -> list[Organisation]:
    """Up to eight agencies, one of each kind first, always including the demo rep's."""
    chosen: list[Organisation] = []
    for kind in (K.POLICE, K.COUNCIL, K.HEALTH, K.HOUSING, K.CHARITY, K.PROBATION, K.EDUCATION):
        found = partnership.organisations.filter(kind=kind).order_by("name").first()
        if found:
            chosen.append(found)
    if rep:
        rep_org = Membership.objects.filter(user=rep, partnership=partnership).first()
        if rep_org and rep_org.organisation and rep_org.organisation not in chosen:
            chosen.append(rep_org.organisation)
    return chosen[:8] or list(partnership.organisations.all()[:8])


def _answers(rng, yes: int) -> dict[int, str]:
    numbers = list(range(1, 25))
    rng.shuffle(numbers)
    answers = {}
    for i, n in enumerate(numbers):
        answers[n] = "yes" if i < yes else rng.choice(["no", "no", "no", "not_known"])
    return answers


def _person(n: int, prefix: str, born: date, street: str) -> services.Identity:
    return services.Identity(f"Test {prefix} {n:03d}", born, f"{n} {street}, Testville")


def _referrals_on_a_day(rng) -> int:
    """About one a day: with those that do not meet the criteria turned away, some 25 cases
    a year per 10,000 women, short of SafeLives' recommended level of 40, as many are."""
    return sum(1 for _ in range(3) if rng.random() < 0.33)


def _referral(partnership, rng, *, on, agencies, referrer, people, criterion, counter):
    """One synthetic referral: a new pair of people, or (about a third) a known pair again."""
    if people and rng.random() < 0.3:
        victim, perpetrators = rng.choice(people)
    else:
        n = counter()
        victim = _person(
            n, "Victim", date(rng.randint(1960, 2008), rng.randint(1, 12), 15), "Test Street"
        )
        perpetrator = _person(
            n, "Perpetrator", date(rng.randint(1955, 2009), rng.randint(1, 12), 10), "Test Road"
        )
        perpetrators = [perpetrator]
        if rng.random() < 0.1:  # now and then a second perpetrator, e.g. a family member
            perpetrators.append(
                _person(
                    n,
                    "Co-perpetrator",
                    date(rng.randint(1950, 2005), rng.randint(1, 12), 20),
                    "Test Lane",
                )
            )
        people.append((victim, perpetrators))
    if services.age_on(victim.dob, on) < services.MIN_VICTIM_AGE:
        return None
    yes = rng.choice([14, 15, 16, 17, 18, 20, 9, 11])
    judgement = yes < dash.HIGH_RISK_YES and rng.random() < 0.6
    local = [criterion] if criterion and rng.random() < 0.05 else []
    assessment = services.assessment_complete(
        partnership=partnership,
        practitioner=referrer,
        organisation=None,
        completed_on=on,
        answers=_answers(rng, yes),
        police_incidents=rng.choice([0, 0, 1, 2, 3, 4]),
        professional_judgement=judgement,
        judgement_reason="Synthetic demo reason: escalating threats" if judgement else "",
        local_criteria=local,
    )
    organisation = rng.choices(agencies, weights=[6] + [1] * (len(agencies) - 1))[0]
    details = services.ReferralDetails(
        victim=victim,
        perpetrators=perpetrators,
        victim_sex=rng.choices(["female", "male"], weights=[93, 7])[0],
        victim_ethnicity=rng.choices(
            [E.WHITE_BRITISH, E.WHITE_OTHER, E.BLACK, E.ASIAN, E.MIXED, E.OTHER, E.NOT_KNOWN],
            weights=[45, 12, 15, 10, 6, 4, 8],
        )[0],
        victim_sexual_orientation=rng.choices(
            [ORIENT.HETEROSEXUAL, ORIENT.GAY_LESBIAN, ORIENT.BISEXUAL, ORIENT.NOT_KNOWN],
            weights=[85, 3, 2, 10],
        )[0],
        victim_disability=rng.choices(["yes", "no", "not_known"], weights=[12, 78, 10])[0],
        victim_trans=rng.choices(["yes", "no", "not_known"], weights=[1, 90, 9])[0],
        children_in_household=rng.choice([0, 0, 1, 1, 2, 3]),
        victim_aware=True,
        victim_consented=rng.random() < 0.85,
        no_consent_reason="Synthetic demo reason: serious risk to life",
        must_not_receive=[f"{p.name}, {p.address}" for p in perpetrators],
    )
    try:
        return services.referral_make(
            assessment=assessment,
            referrer=referrer,
            organisation=organisation,
            referred_on=on,
            details=details,
        )
    except ValidationError:  # a low score that is not a repeat: not a MARAC case, as in life
        return None


@transaction.atomic
def _load_partnership(partnership: Partnership, *, today: date, rng, stdout) -> None:
    slug = partnership.slug
    coordinator = _user(f"{slug}-marac-coordinator")
    practitioner = _user(f"{slug}-practitioner")
    rep = _user(f"{slug}-marac-rep")
    MaracSettings.objects.update_or_create(
        partnership=partnership,
        defaults={
            "women_16_plus": POPULATION.get(slug, 140_000),
            "population_source": "Synthetic demo figure, not a real population estimate",
            "population_is_synthetic": True,
            "population_shares": SHARES,
            # Lambeth chases fortnightly, to show the setting; Wandsworth keeps the default.
            "chase_interval_days": 14 if slug == "lambeth" else 7,
        },
    )
    criterion, _ = LocalCriterion.objects.get_or_create(
        partnership=partnership,
        code="hba",
        defaults={"label": "So-called honour-based abuse", "automatic_referral": True},
    )
    agencies = _agencies(partnership, rep)
    people: list = []
    count = iter(range(1, 10_000))

    def counter() -> int:
        return next(count)

    start = today - timedelta(days=364)
    meetings = []
    held_on = start + MEETING_EVERY
    day = start
    referrals = 0
    refer = partial(
        _referral,
        partnership,
        rng,
        agencies=agencies,
        referrer=None,
        people=people,
        criterion=criterion,
        counter=counter,
    )
    # The last meeting is held at least a week before today, so the coordinator always
    # has referrals waiting to be listed, whatever day the demo is loaded.
    while held_on <= today - WAITING:
        while day < held_on:
            for _ in range(_referrals_on_a_day(rng)):
                referrer = practitioner if rng.random() < 0.25 else None
                if refer(on=day, referrer=referrer):
                    referrals += 1
            day += timedelta(days=1)
        meeting = services.meeting_schedule(
            partnership=partnership, held_on=held_on, agencies=agencies, actor=coordinator
        )
        services.agenda_build(meeting=meeting, actor=coordinator)
        for agency in agencies:
            services.attendance_record(
                meeting=meeting,
                organisation=agency,
                attendee_name=f"Test Attendee {counter():03d}",
                accepted=True,
                actor=coordinator,
                accepted_at=datetime.combine(held_on, time(10), tzinfo=UTC),
            )
        if meeting.agenda.exists():
            meeting = services.meeting_hold(meeting=meeting, actor=coordinator, today=today)
            _actions(meeting, rng, agencies=agencies, today=today, actor=coordinator)
        meetings.append(meeting)
        held_on += MEETING_EVERY
    # Referrals since the last meeting wait for the next one.
    waiting = 0
    while day <= today:
        waiting += sum(1 for _ in range(_referrals_on_a_day(rng)) if refer(on=day))
        day += timedelta(days=1)
    for _ in range(10):  # a quiet week still leaves the coordinator one to list
        if waiting:
            break
        if refer(on=today):
            waiting += 1
    referrals += waiting
    next_on = held_on if held_on > today else held_on + MEETING_EVERY
    services.meeting_schedule(
        partnership=partnership, held_on=next_on, agencies=agencies, actor=coordinator
    )
    last_held = next((m for m in reversed(meetings) if m.status == "held"), None)
    if last_held:
        services.attachment_add(
            partnership=partnership,
            kind="minutes",
            data=PDF,
            actor=coordinator,
            today=last_held.held_on,
            meeting=last_held,
        )
        sealed = last_held.agenda.first()
        if sealed:
            services.case_seal(
                referral=sealed.referral,
                sealed=True,
                reason="perpetrator_staff",
                named=[],
                actor=coordinator,
            )
    for n in range(3):
        services.screening_record(
            partnership=partnership,
            practitioner=practitioner,
            organisation=None,
            screened_on=today - timedelta(days=3 * n),
            disclosed=n != 2,
            immediate_danger=False,
            agrees_to_checklist=n == 0,
        )
    stdout.write(
        f"  {partnership.name}: {referrals} referrals, {len(meetings) + 1} meetings "
        "(synthetic people and population)\n"
    )


def _actions(meeting, rng, *, agencies, today, actor) -> None:
    for item in meeting.agenda.select_related("referral"):
        for _ in range(rng.choice([1, 1, 2])):
            agency = rng.choice(agencies)
            due = meeting.held_on + timedelta(days=rng.choice([7, 14, 28]))
            action = services.case_action_add(
                item=item,
                organisation=agency,
                description=rng.choice(
                    [
                        "Test action: share safety plan with the IDVA",
                        "Test action: flag the address for a priority police response",
                        "Test action: check housing options and target hardening",
                        "Test action: refer the children to early help",
                    ]
                ),
                due_on=due,
                actor=actor,
            )
            # Agencies close most actions; a few of the latest meetings' are still open.
            closed = 0.98 if due < today - timedelta(days=28) else 0.7
            if due <= today and rng.random() < closed:
                done = (
                    due - timedelta(days=rng.choice([0, 2, 5]))
                    if rng.random() < 0.8
                    else (due + timedelta(days=rng.choice([1, 4, 9])))
                )
                done = max(meeting.held_on, min(done, today))
                services.case_action_complete(
                    action=action,
                    actor=actor,
                    agencies=set(),
                    coordinator=True,
                    completed_on=done,
                    note="Synthetic demo: done",
                    today=today,
                )


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        if Referral.objects.filter(partnership=partnership).exists():
            stdout.write(f"  {partnership.name}: MARAC demo already loaded\n")
            continue
        if not partnership.organisations.exists():
            stdout.write(f"  {partnership.name}: no organisations, MARAC demo skipped\n")
            continue
        _load_partnership(partnership, today=today, rng=rng, stdout=stdout)
