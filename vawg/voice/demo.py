"""Demo step: survivor voice for both partnerships, all of it synthetic.

Feedback, survey answers, sessions and themes are invented; none is quoted
from a real person. A partnership that already has themes is left alone, so
the step can run again.
"""

from datetime import date, timedelta

from django.db import transaction

from vawg.core.models import Partnership
from vawg.strategy.models import Action
from vawg.voice import services
from vawg.voice.models import (
    Answer,
    Feedback,
    SafeguardingRoute,
    Session,
    SurveyResponse,
    Theme,
)

# Theme -> (you said, we did, words to find the actions taken in the plan, published).
THEMES = {
    "Waiting for counselling": (
        "Many of you told us you waited months for counselling after the crisis had passed, "
        "and felt forgotten in that time.",
        "We have added group work and peer support while people wait, and we review the "
        "waiting list at every delivery group meeting.",
        ["counselling"],
        True,
    ),
    "Being believed": (
        "You told us the first person you told did not always believe you, and that this "
        "made it harder to ask again.",
        "Training for front-line staff across the partnership now covers responding to a "
        "disclosure, and was co-produced with survivors.",
        ["training", "believed"],
        True,
    ),
    "Having a say in services": (
        "You asked for a regular, safe way to shape services, not a one-off consultation.",
        "A survivor-led forum and an expert-by-experience panel now meet every quarter and "
        "report to the partnership board.",
        ["survivor forum", "expert by experience", "experts by experience"],
        True,
    ),
    "Safety at night": (
        "Several of you said you avoid some streets and stations after dark.",
        "",
        ["night"],
        False,
    ),
    "Housing after leaving": ("", "", ["accommodation", "housing"], False),
}

FEEDBACK = [
    ("The advocate who helped me was patient and explained everything.", "Being believed"),
    ("I waited four months for counselling. It felt like nobody cared.", "Waiting for counselling"),
    ("Please have evening appointments, I cannot get away during the day.", None),
    ("The first officer I spoke to did not take it seriously.", "Being believed"),
    ("I would like to help other women by sharing what worked for me.", "Having a say in services"),
    ("The group sessions were the first time I felt I was not alone.", "Waiting for counselling"),
    ("The lighting on the walk from the station is very poor.", "Safety at night"),
    ("It was hard to find out which service to call first.", None),
    (
        "Being moved to temporary housing far away cut me off from my family.",
        "Housing after leaving",
    ),
    ("Thank you to the refuge staff.", None),
    ("Interpreters should be offered, not something you have to ask for.", None),
    ("Nobody asked my children how they were feeling.", None),
]
SESSIONS = [
    (Session.Kind.FORUM, "Survivor forum", 9, ["Being believed", "Waiting for counselling"]),
    (Session.Kind.PANEL, "Expert-by-experience panel", 6, ["Having a say in services"]),
    (Session.Kind.CONSULTATION, "Annual public consultation", 48, ["Safety at night"]),
    (Session.Kind.WORKSHOP, "Young people's workshop", 12, ["Being believed"]),
]
ROUTE_TEXT = (
    "1. Read the whole message and decide whether someone may be in immediate danger.\n"
    "2. If so, phone the duty team straight away with what the message says and where it "
    "points (a place, a service, a time). The sender is anonymous: do not try to trace them.\n"
    "3. Mark the feedback for the safeguarding route here, and note what you did."
)


def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        if Theme.objects.filter(partnership=partnership).exists():
            stdout.write(f"  {partnership}: survivor voice already loaded\n")
            continue
        with transaction.atomic():
            counts = _load_partnership(partnership, today=today, rng=rng)
        stdout.write(
            f"  {partnership}: {counts['feedback']} feedback, {counts['responses']} survey "
            f"responses, {len(SESSIONS)} sessions, {len(THEMES)} themes\n"
        )


def _actions_matching(partnership: Partnership, words: list[str]) -> list[Action]:
    actions = Action.objects.live().filter(strategy__partnership=partnership).order_by("pk")
    found: list[Action] = []
    for word in words:
        found += [a for a in actions.filter(activity__icontains=word)[:2] if a not in found]
    return found[:2]


def _load_partnership(partnership: Partnership, *, today: date, rng) -> dict:
    SafeguardingRoute.objects.get_or_create(
        partnership=partnership,
        defaults={
            "text": ROUTE_TEXT,
            "contact": f"{partnership.name} MASH duty desk (synthetic)",
            # A reserved example domain: the demo never emails anyone real.
            "notify_email": f"mash-duty@{partnership.slug}.example",
        },
    )
    themes = {}
    for name, (you_said, we_did, words, published) in THEMES.items():
        theme = Theme.objects.create(
            partnership=partnership,
            name=name,
            you_said=you_said,
            we_did=we_did,
            published=published,
        )
        actions = _actions_matching(partnership, words)
        theme.actions.set(actions)
        theme.priorities.set({a.priority for a in actions})
        themes[name] = theme

    feedback_count = 0
    for n, (text, theme_name) in enumerate(FEEDBACK * 2):
        received = today - timedelta(days=rng.randint(0, 180))
        status = rng.choice([Feedback.Status.NEW, Feedback.Status.TRIAGED, Feedback.Status.CLOSED])
        if n < 4:
            status = Feedback.Status.NEW  # something waiting in the triage list
        feedback = Feedback.objects.create(
            partnership=partnership, received_on=received, text=text, status=status
        )
        if theme_name and status != Feedback.Status.NEW:
            feedback.themes.add(themes[theme_name])
            feedback.actions.set(themes[theme_name].actions.all())
        feedback_count += 1
    Feedback.objects.create(
        partnership=partnership,
        received_on=today - timedelta(days=1),
        text="I do not feel safe at home at the moment and I do not know who to tell.",
    )
    feedback_count += 1

    for n, (kind, title, attendance, theme_names) in enumerate(SESSIONS):
        session = Session.objects.create(
            partnership=partnership,
            kind=kind,
            held_on=today - timedelta(days=30 + 45 * n),
            title=title,
            attendance=attendance,
            summary="Discussed by theme: " + "; ".join(theme_names).lower() + ".",
        )
        session.themes.set(themes[t] for t in theme_names)

    survey = services.survey_create_standard(partnership=partnership)
    questions = list(survey.questions.all())
    responses = 0
    helps = ["Evening appointments", "A crèche at group sessions", "Someone to call back"]
    for _ in range(120):
        response = SurveyResponse.objects.create(
            survey=survey, received_on=today - timedelta(days=rng.randint(0, 270))
        )
        answers = []
        for question in questions:
            if rng.random() < 0.1:
                continue  # skipped
            if question.kind == question.Kind.TEXT:
                if rng.random() < 0.3:
                    answers.append(
                        Answer(response=response, question=question, text=rng.choice(helps))
                    )
                continue
            choice = rng.choices(["yes", "no", "not_sure"], weights=[6, 2, 2])[0]
            answers.append(Answer(response=response, question=question, choice=choice))
        Answer.objects.bulk_create(answers)
        responses += 1
    return {"feedback": feedback_count, "responses": responses}
