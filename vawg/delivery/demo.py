"""Demo step: several quarters of synthetic progress on both seed strategies.

Runs after the strategies, the reporting periods and the demo accounts. Each action
follows a storyline (steady, slipping, recovering, late start, finished early) over the
past quarters, approved by the workstream chair or the admin; the quarter now due is
part-way through its round: some updates approved, some awaiting review, one returned,
some drafts, some not started. Lambeth's plan names no leads, so lead organisations are
assigned to most of its actions here, as its admin would, leaving a few on the
"no lead organisation" list. All words are invented; nothing names a person.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from vawg.accounts.models import Membership, User
from vawg.core.models import Partnership
from vawg.core.permissions import Role
from vawg.delivery.models import (
    MeasureAchievement,
    ProgressUpdate,
    Status,
    UpdateState,
    UpdateVersion,
)
from vawg.delivery.services import action_lead_assign, period_due
from vawg.strategy.models import Action, Strategy

S = Status
STORYLINES = {
    "steady": [S.NOT_STARTED, S.ON_TRACK, S.ON_TRACK, S.ON_TRACK, S.ON_TRACK, S.COMPLETE],
    "slipping": [S.ON_TRACK, S.ON_TRACK, S.AT_RISK, S.AT_RISK, S.OFF_TRACK, S.OFF_TRACK],
    "recovering": [S.ON_TRACK, S.AT_RISK, S.OFF_TRACK, S.AT_RISK, S.ON_TRACK, S.ON_TRACK],
    "late_start": [S.NOT_STARTED, S.NOT_STARTED, S.NOT_STARTED, S.ON_TRACK, S.ON_TRACK, S.AT_RISK],
    "early": [S.ON_TRACK, S.ON_TRACK, S.COMPLETE, S.COMPLETE, S.COMPLETE, S.COMPLETE],
}
WORDS = {
    S.COMPLETE: [
        "Delivered as planned; the final report went to the workstream.",
        "Complete: the new pathway is in use across all partner agencies.",
    ],
    S.ON_TRACK: [
        "Sessions delivered to plan this quarter; attendance was good.",
        "Training rolled out to two more teams; feedback is positive.",
        "Partners agreed the approach; the first phase is under way.",
    ],
    S.AT_RISK: [
        "Recruitment to the coordinator post is delayed; an interim plan is in place.",
        "Venue availability has slowed delivery; options are being explored.",
    ],
    S.OFF_TRACK: [
        "Funding for this work has not yet been confirmed; escalated to the board.",
        "The partner agency has paused delivery; a recovery plan is being agreed.",
    ],
    S.NOT_STARTED: ["Scoping planned for next quarter once the lead is confirmed."],
}
MILESTONES = [
    "Report to the workstream at its next meeting.",
    "Complete the first round of sessions.",
    "Agree the referral pathway with partners.",
]


PAST_QUARTERS = 8


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _assign_lambeth_leads(partnership: Partnership, rng) -> int:
    """Lead organisations for Lambeth's actions (its plan names none), leaving some unassigned,
    assigned as the partnership's admin would in the app."""
    admin = _user(f"{partnership.slug}-admin")
    lead_user = _user(f"{partnership.slug}-action-lead")
    lead_org = (
        Membership.objects.filter(user=lead_user, partnership=partnership).first()
        if lead_user
        else None
    )
    organisations = list(partnership.organisations.order_by("name"))
    assigned = 0
    actions = Action.objects.filter(strategy__partnership=partnership).order_by("order")
    for index, action in enumerate(actions):
        if action.leads.filter(organisation__isnull=False).exists() or index % 5 == 4:
            continue
        organisation = (
            lead_org.organisation if lead_org and index % 3 == 0 else rng.choice(organisations)
        )
        action_lead_assign(action=action, organisation=organisation, actor=admin)
        assigned += 1
    return assigned


def _version(update: ProgressUpdate, number: int, event: str, state: str, actor, at) -> None:
    version = UpdateVersion.objects.create(
        update=update,
        number=number,
        event=event,
        state=state,
        status=update.status,
        snapshot={
            "status": update.status,
            "state": state,
            "commentary": update.commentary,
            "commentary_public": update.commentary_public,
            "next_milestone": update.next_milestone,
        },
        actor=actor,
    )
    UpdateVersion.objects.filter(pk=version.pk).update(at=at)


def _post(action, period, status, state, rng, *, author, reviewer, when) -> ProgressUpdate:
    approved = state == UpdateState.APPROVED
    update = ProgressUpdate.objects.create(
        action=action,
        period=period,
        status=status,
        state=state,
        commentary=rng.choice(WORDS[status]),
        commentary_public=approved and rng.random() < 0.6,
        next_milestone="" if status == S.COMPLETE else rng.choice(MILESTONES),
        version=2 if state in (UpdateState.APPROVED, UpdateState.RETURNED) else 1,
        author=author,
        submitted_at=when if state != UpdateState.DRAFT else None,
        reviewed_by=reviewer if state in (UpdateState.APPROVED, UpdateState.RETURNED) else None,
        reviewed_at=when + timedelta(days=3) if reviewer and approved else None,
        review_comment=(
            "Please add attendance figures against the measures."
            if state == UpdateState.RETURNED
            else ""
        ),
    )
    measure = action.measures.first()
    if measure and status != S.NOT_STARTED:
        MeasureAchievement.objects.create(
            update=update, measure=measure, text="Early signs of progress; figures to follow."
        )
    first = "created" if state == UpdateState.DRAFT else "submitted"
    _version(
        update,
        1,
        first,
        UpdateState.DRAFT if first == "created" else UpdateState.SUBMITTED,
        author,
        when,
    )
    if update.version == 2:
        _version(update, 2, state, state, reviewer, when + timedelta(days=3))
    return update


@transaction.atomic
def load(*, today: date, rng, stdout) -> None:
    for partnership in Partnership.objects.filter(slug__in=["wandsworth", "lambeth"]):
        if ProgressUpdate.objects.filter(action__strategy__partnership=partnership).exists():
            stdout.write(f"  {partnership.name}: progress updates already loaded\n")
            continue
        assigned = _assign_lambeth_leads(partnership, rng) if partnership.slug == "lambeth" else 0
        due = period_due(partnership, today)
        if due is None:
            stdout.write(f"  {partnership.name}: no reporting periods yet, skipped\n")
            continue
        # Two years of rounds are reported, all but the odd one left overdue below; the
        # plans are taken to have come onto the platform at the first of them.
        past = list(
            partnership.reporting_periods.filter(start__lt=due.start).order_by("-start")[
                :PAST_QUARTERS
            ]
        )[::-1]
        admin = _user(f"{partnership.slug}-admin")
        lead = _user(f"{partnership.slug}-action-lead")
        chair = _user(f"{partnership.slug}-workstream-chair")
        lead_orgs = set(
            Membership.objects.filter(
                user=lead, partnership=partnership, role=Role.ACTION_LEAD
            ).values_list("organisation_id", flat=True)
        )
        chair_ws = set(
            Membership.objects.filter(
                user=chair, partnership=partnership, role=Role.WORKSTREAM_CHAIR
            ).values_list("workstream_id", flat=True)
        )
        count = 0
        actions = (
            Action.objects.filter(strategy__partnership=partnership, retired_at__isnull=True)
            .select_related("priority")
            .prefetch_related("leads", "measures")
            .order_by("strategy_id", "order")
        )
        for index, action in enumerate(actions):
            orgs = {lead.organisation_id for lead in action.leads.all() if lead.organisation_id}
            if not orgs:
                continue  # nobody can report on it: it waits on the unassigned list
            author = lead if orgs & lead_orgs else admin
            reviewer = chair if action.priority.workstream_id in chair_ws else admin
            if reviewer == author:
                reviewer = chair
            story = STORYLINES[rng.choice(sorted(STORYLINES))]
            offset = len(story) - len(past)
            # One action in six is behind: nothing for the round now due, and (one in
            # twelve) the last round's update never posted, so it shows as overdue.
            roll = index % 6
            for n, period in enumerate(past):
                if roll == 5 and index % 12 == 5 and n == len(past) - 1:
                    continue
                status = story[max(0, n + offset)]
                when = timezone.make_aware(
                    timezone.datetime.combine(
                        period.end + timedelta(days=7), timezone.datetime.min.time()
                    )
                )
                _post(
                    action,
                    period,
                    status,
                    UpdateState.APPROVED,
                    rng,
                    author=author,
                    reviewer=reviewer,
                    when=when,
                )
                count += 1
            # The round now due: a mix of every state, and some not yet started.
            if roll == 5:
                continue
            state = [
                UpdateState.APPROVED,
                UpdateState.SUBMITTED,
                UpdateState.SUBMITTED,
                UpdateState.DRAFT,
                UpdateState.RETURNED,
            ][roll]
            last = story[-1]
            status = last if last != S.NOT_STARTED else S.ON_TRACK
            when = timezone.make_aware(
                timezone.datetime.combine(min(today, due.end), timezone.datetime.min.time())
            ) - timedelta(days=5)
            _post(action, due, status, state, rng, author=author, reviewer=reviewer, when=when)
            count += 1
        if past:
            # After the round before's deadline, so that round was never asked for here.
            arrived = past[0].start + timedelta(days=partnership.update_deadline_days)
            since = timezone.make_aware(
                timezone.datetime.combine(arrived, timezone.datetime.min.time())
            )
            Strategy.objects.filter(partnership=partnership).update(added_at=since)
        stdout.write(
            f"  {partnership.name}: {count} progress updates over {len(past) + 1} quarters"
            + (f"; lead organisations assigned to {assigned} actions" if assigned else "")
            + "\n"
        )
