"""Reminding action leads, before the deadline, of the updates still due.

Run daily from cron (`manage.py send_update_reminders`). Idempotent: each person
gets at most one reminder per period, recorded in Reminder. The email holds a
count, the period, the deadline and a link: no action text, no personal or case detail.
"""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from vawg.accounts.models import Membership
from vawg.core.models import Partnership, ReportingPeriod
from vawg.core.permissions import Role
from vawg.delivery.models import ProgressUpdate, Reminder, UpdateState
from vawg.delivery.services import REMINDER_DAYS, period_due
from vawg.strategy.models import ActionLead


def _due_by_organisation(partnership: Partnership, period: ReportingPeriod) -> dict[int, int]:
    """How many live actions each organisation leads that have no update posted for `period`."""
    posted = ProgressUpdate.objects.filter(
        period=period, state__in=[UpdateState.SUBMITTED, UpdateState.APPROVED]
    ).values("action_id")
    rows = (
        ActionLead.objects.filter(
            action__strategy__partnership=partnership,
            action__retired_at__isnull=True,
            organisation__isnull=False,
        )
        .exclude(action_id__in=posted)
        .values_list("organisation_id", "action_id")
        .distinct()
    )
    due: dict[int, set[int]] = defaultdict(set)
    for organisation_id, action_id in rows:
        due[organisation_id].add(action_id)
    return {org: len(actions) for org, actions in due.items()}


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def body(partnership: Partnership, period: ReportingPeriod, count: int) -> str:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "delivery:my-actions", kwargs={"partnership": partnership.slug}
    )
    plural = "action needs" if count == 1 else "actions need"
    return (
        f"{count} {plural} a progress update for {period.label} on the "
        f"{partnership.name} VAWG action plan.\n\n"
        f"Updates are due by {_day(period.update_deadline)}.\n\n"
        f"Sign in to see your actions: {link}\n"
    )


def reminders_send(*, today: date) -> int:
    """Send the reminders due on `today`; returns how many were sent."""
    sent = 0
    for partnership in Partnership.objects.order_by("pk"):
        period = period_due(partnership, today)
        if period is None or not 0 <= (period.update_deadline - today).days <= REMINDER_DAYS:
            continue
        due = _due_by_organisation(partnership, period)
        if not due:
            continue
        already = set(Reminder.objects.filter(period=period).values_list("user_id", flat=True))
        leads = (
            Membership.objects.active()
            .filter(partnership=partnership, role=Role.ACTION_LEAD, organisation_id__in=due)
            .exclude(user_id__in=already)
            .select_related("user")
            .order_by("user_id")
        )
        counts: dict[int, int] = defaultdict(int)
        users = {}
        for membership in leads:
            counts[membership.user_id] += due[membership.organisation_id]
            users[membership.user_id] = membership.user
        for user_id, count in counts.items():
            user = users[user_id]
            if not user.email:
                continue
            with transaction.atomic():
                # The row first: if two runs overlap, the unique constraint stops a second email.
                _, created = Reminder.objects.get_or_create(
                    user=user, period=period, defaults={"sent_on": today, "actions_due": count}
                )
                if not created:
                    continue
                send_mail(
                    subject=f"Action plan updates due by {_day(period.update_deadline)}",
                    message=body(partnership, period, count),
                    from_email=None,
                    recipient_list=[user.email],
                )
            sent += 1
    return sent
