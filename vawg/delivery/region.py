"""Delivery by borough for the regional comparison (vawg.core.region), registered from
delivery's contributions: the share of each plan's live actions on track or complete by
their latest approved update, as the borough's board reads its delivery dashboard."""

from collections import Counter

from django.db.models import OuterRef, Subquery

from vawg.core import disclosure
from vawg.core.region import NO_PLAN, Column, Context, Section, in_region
from vawg.delivery.models import ProgressUpdate, Status, UpdateState
from vawg.strategy.models import Action

ON_TRACK = frozenset({Status.ON_TRACK, Status.COMPLETE})


def delivery_section(context: Context) -> Section:
    latest = Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.APPROVED)
        .order_by("-period__start")
        .values("status")[:1]
    )
    rows = (
        in_region(Action.objects.live(), context)
        .annotate(latest=latest)
        .values_list("strategy__partnership_id", "latest")
    )
    actions: Counter = Counter()
    on_track: Counter = Counter()
    for partnership_id, status in rows:
        actions[partnership_id] += 1
        on_track[partnership_id] += status in ON_TRACK
    # Actions are not people: their counts are shown as they are.
    counts, shares = {}, {}
    for p in context.partnerships:
        if not actions[p.pk]:
            counts[p.pk] = shares[p.pk] = disclosure.missing(NO_PLAN)
            continue
        counts[p.pk] = disclosure.as_is(actions[p.pk])
        shares[p.pk] = disclosure.rate(disclosure.as_is(on_track[p.pk]), counts[p.pk])
    total = disclosure.as_is(sum(actions.values()))
    share = disclosure.rate(disclosure.as_is(sum(on_track.values())), total)
    return Section(
        title="Delivery",
        period="latest approved updates",
        columns=(
            Column("Live actions", counts, total, wide=False),
            Column("On track or complete (%)", shares, share),
        ),
        note="The share of a plan's live actions whose latest approved update says on "
        "track or complete; an action with no approved update counts as not on track.",
    )
