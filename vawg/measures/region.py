"""Measures of success by borough for the regional comparison (vawg.core.region),
registered from measures' contributions: how many of a borough's measures are off track,
judged as its board members see them (their roles, the controlled figures)."""

from vawg.core import disclosure
from vawg.core.permissions import Role
from vawg.core.region import NO_PLAN, Column, Context, Section, in_region
from vawg.measures import status as st
from vawg.measures.models import Indicator
from vawg.measures.selectors import scorecard

BOARD = frozenset({Role.BOARD_MEMBER.value})


def measures_section(context: Context) -> Section:
    held = set(in_region(Indicator.objects.all(), context).values_list("partnership_id", flat=True))
    counts, off = {}, {}
    total = off_total = 0
    for p in context.partnerships:
        if p.pk not in held:
            counts[p.pk] = off[p.pk] = disclosure.missing(NO_PLAN)
            continue
        card = scorecard(
            partnership=p, roles=BOARD, today=context.today, audience=disclosure.CONTROLLED
        )
        # An indicator evidencing two priorities sits in two groups: count it once.
        statuses = {s.indicator.pk: s.status for g in card.groups for s in g.summaries}
        n_off = sum(1 for status in statuses.values() if status == st.Status.OFF_TRACK)
        # Measures are not people: their counts are shown as they are.
        counts[p.pk], off[p.pk] = disclosure.as_is(len(statuses)), disclosure.as_is(n_off)
        total, off_total = total + len(statuses), off_total + n_off
    return Section(
        title="Measures of success",
        period="today",
        columns=(
            Column("Measures", counts, disclosure.as_is(total), wide=False),
            Column("Off track", off, disclosure.as_is(off_total)),
        ),
    )
