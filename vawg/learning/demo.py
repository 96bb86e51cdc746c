"""Demo step: training, registers and case reviews for each seed partnership. All synthetic.

Deterministic (the step's own random generator, dates relative to `today`) and
idempotent: a partnership that already has learning data is left as it is.
"""

from datetime import date, timedelta

from django.db import transaction

from vawg.core.models import Organisation, Partnership
from vawg.learning.models import (
    Attendance,
    CaseReview,
    Course,
    Initiative,
    LearningTheme,
    Participant,
    Recommendation,
    TrainingSession,
)
from vawg.strategy.models import Action

COURSES = [
    ("VAWG awareness for all staff", True, ["AB.04", "G.5"]),
    ("Coercive control and stalking", True, ["AB.04"]),
    ("Routine enquiry in health and social care", False, ["IH.05"]),
    ("Working with perpetrators: toolkit for non-specialist staff", False, ["PA.06"]),
]
TRAINERS = ["Community Safety training team", "Specialist VAWG charity", "Safeguarding partnership"]

# (name, kind, denominator, counted as, action refs, participant names or None for organisations)
SCHOOLS = [
    f"{a} {b}"
    for a in (
        "Riverside",
        "Heathfield",
        "Oakwood",
        "Parkside",
        "Elm Grove",
        "Hillcrest",
        "Brookfield",
    )
    for b in ("Primary School", "Academy")
]
VENUES = [
    f"{a} {b}"
    for a in (
        "The Lamplighter",
        "Corner House",
        "Station Yard",
        "The Common",
        "Old Mill",
        "High Street",
    )
    for b in ("Pharmacy", "Café", "Bar")
]
REGISTERS = [
    ("White Ribbon accreditation", Initiative.Kind.WHITE_RIBBON, None, "", ["AB.06"], None),
    ("DAHA accreditation", Initiative.Kind.DAHA, 8, "housing providers", ["AB.06"], None),
    ("Employers' Initiative on Domestic Abuse", Initiative.Kind.EIDA, None, "", ["AB.06"], None),
    ("School VAWG policy", Initiative.Kind.SCHOOL_POLICY, 60, "schools", ["SS.06"], SCHOOLS),
    ("Safe Spaces venues", Initiative.Kind.SAFE_SPACES, 40, "venues", ["IH.06"], VENUES[:9]),
    (
        "Women's Night Safety Charter",
        Initiative.Kind.NIGHT_SAFETY,
        120,
        "venues",
        ["IH.06"],
        VENUES,
    ),
    ("VAWG Champions", Initiative.Kind.CHAMPIONS, None, "", ["AB.04"], None),
]
THEMES = [
    "Coercive control",
    "Routine enquiry",
    "Information sharing",
    "Professional curiosity",
    "Substance use",
    "Mental health",
]
# (reference pattern, kind, status, years ago commissioned, published)
REVIEWS = [
    ("DHR {y}/01", CaseReview.Kind.DHR, CaseReview.Status.PUBLISHED, 4, True),
    ("SAR {y}/02", CaseReview.Kind.SAR, CaseReview.Status.PUBLISHED, 3, True),
    ("CSPR {y}/01", CaseReview.Kind.CSPR, CaseReview.Status.SUBMITTED, 2, False),
    ("DARDR {y}/01", CaseReview.Kind.DARDR, CaseReview.Status.IN_PROGRESS, 1, False),
]
RECOMMENDATIONS = [
    "Agencies ask about domestic abuse routinely at first contact and record that they asked.",
    "Practitioners receive training on recognising coercive and controlling behaviour.",
    "Information is shared with the MARAC within one working day of a high-risk assessment.",
    "Substance use services screen for domestic abuse and refer to specialist support.",
    "Managers review cases where a victim disengages before closing them.",
    "The partnership audits the use of professional curiosity in a sample of case files.",
]


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        if Course.objects.filter(partnership=partnership).exists():
            stdout.write(f"  {partnership.name}: learning data already loaded\n")
            continue
        with transaction.atomic():
            counts = _load_partnership(partnership, today=today, rng=rng)
        stdout.write(
            f"  {partnership.name}: {counts['attendances']} attendances, "
            f"{counts['participants']} register entries, {counts['recommendations']} "
            "recommendations\n"
        )


def _actions(partnership: Partnership, refs: list[str]) -> list[Action]:
    return list(Action.objects.filter(strategy__partnership=partnership, ref__in=refs))


def _load_partnership(partnership: Partnership, *, today: date, rng) -> dict[str, int]:
    organisations = list(Organisation.objects.filter(partnership=partnership).order_by("name"))
    counts = {"attendances": 0, "participants": 0, "recommendations": 0}

    # Training: sessions over the last two years, attendees by reference only.
    for index, (title, co_produced, refs) in enumerate(COURSES):
        course = Course.objects.create(
            partnership=partnership, title=title, co_produced=co_produced
        )
        course.actions.set(_actions(partnership, refs))
        for repeat in range(3):
            # Spread so that every recent quarter has some sessions.
            days_ago = 20 + 45 * (repeat * len(COURSES) + index) + rng.randint(0, 20)
            session = TrainingSession.objects.create(
                course=course,
                held_on=today - timedelta(days=days_ago),
                trainer=rng.choice(TRAINERS),
                format=rng.choice(TrainingSession.Format.values),
            )
            for n in range(rng.randint(8, 18)):
                organisation = rng.choice(organisations)
                before = rng.randint(1, 4)
                answered = rng.random() < 0.85
                after = min(5, before + rng.choice([-1, 0, 1, 1, 2])) if answered else None
                Attendance.objects.create(
                    session=session,
                    attendee_reference=f"{partnership.slug[:3].upper()}-{session.pk:03}{n:02}",
                    organisation=organisation,
                    confidence_before=before if answered else None,
                    confidence_after=max(1, after) if after else None,
                )
                counts["attendances"] += 1

    # Registers: participants are organisations, schools or venues, never people.
    for name, kind, denominator, counted_as, refs, names in REGISTERS:
        initiative = Initiative.objects.create(
            partnership=partnership,
            name=name,
            kind=kind,
            coverage_denominator=denominator,
            coverage_of=counted_as,
        )
        initiative.actions.set(_actions(partnership, refs))
        chosen = names or [o.name for o in organisations]
        for participant_name in rng.sample(chosen, k=max(1, (len(chosen) * 2) // 3)):
            started = today - timedelta(days=rng.randint(30, 1000))
            status = rng.choice(
                [Participant.Status.ACTIVE] * 4
                + [Participant.Status.WORKING_TOWARDS, Participant.Status.LAPSED]
            )
            ended = started + timedelta(days=rng.randint(10, 25)) if status == "lapsed" else None
            Participant.objects.create(
                initiative=initiative,
                name=participant_name,
                organisation=next((o for o in organisations if o.name == participant_name), None),
                status=status,
                started_on=started,
                # Accreditations run for three years; some fall due within the reminder window.
                renewal_due=started + timedelta(days=3 * 365) if status == "active" else None,
                ended_on=ended,
            )
            counts["participants"] += 1

    # Case reviews: references only, no names; recommendations owned by organisations.
    themes = [LearningTheme.objects.create(partnership=partnership, name=t) for t in THEMES]
    for pattern, kind, status, years_ago, published in REVIEWS:
        commissioned = today - timedelta(days=365 * years_ago + rng.randint(0, 90))
        reference = pattern.format(y=commissioned.year)
        review = CaseReview.objects.create(
            partnership=partnership,
            reference=reference,
            kind=kind,
            status=status,
            commissioned_on=commissioned,
            completed_on=commissioned + timedelta(days=300) if published else None,
            published_on=commissioned + timedelta(days=420) if published else None,
            report_url=(
                f"https://www.example.org/{partnership.slug}/reviews/"
                f"{reference.lower().replace(' ', '-').replace('/', '-')}"
                if published
                else ""
            ),
        )
        review.themes.set(rng.sample(themes, k=2))
        review.actions.set(_actions(partnership, ["G.5", "IH.05"]))
        if not published and status != CaseReview.Status.SUBMITTED:
            continue
        for number, text in enumerate(rng.sample(RECOMMENDATIONS, k=4), start=1):
            due = commissioned + timedelta(days=rng.randint(450, 1100))
            progress = rng.random()
            fields = {"status": Recommendation.Status.IN_PROGRESS}
            if due < today and progress < 0.6:
                completed = due - timedelta(days=rng.randint(0, 60))
                fields = {"status": Recommendation.Status.COMPLETED, "completed_on": completed}
                if progress < 0.35:
                    fields.update(
                        status=Recommendation.Status.EMBEDDED,
                        embedded_on=min(today, completed + timedelta(days=120)),
                        evidence="Repeat audit of a sample of case files six months on.",
                    )
            elif progress > 0.9:
                fields = {"status": Recommendation.Status.OPEN}
            recommendation = Recommendation.objects.create(
                review=review,
                number=str(number),
                text=text,
                owner=rng.choice(organisations),
                due_on=due,
                **fields,
            )
            recommendation.themes.set(rng.sample(themes, k=rng.randint(1, 2)))
            counts["recommendations"] += 1
    return counts
