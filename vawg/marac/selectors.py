"""Reads: who may see which case, the lists, the access review and the MARAC statistics."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404

from vawg.accounts.models import Membership, User
from vawg.audit.models import AuditEvent
from vawg.core import disclosure
from vawg.core.access import scoped
from vawg.core.crypto import Pseudonym
from vawg.core.disclosure import Tally, tally
from vawg.core.models import Partnership
from vawg.core.periods import add_months
from vawg.core.permissions import Role
from vawg.marac import dash
from vawg.marac.models import (
    AgendaItem,
    Assessment,
    Attachment,
    CaseAction,
    Meeting,
    Perpetrator,
    Referral,
    Screening,
)
from vawg.marac.services import settings_for

# --- Who the user is in MARAC -----------------------------------------------------------


@dataclass(frozen=True)
class MaracUser:
    user: User
    partnership: Partnership
    coordinator: bool
    representative: bool
    agencies: frozenset[int]  # the organisations the user represents at MARAC

    @property
    def marac_role(self) -> bool:
        return self.coordinator or self.representative


def marac_user(user, partnership: Partnership, roles) -> MaracUser:
    agencies = frozenset(
        user.memberships.active()
        .filter(partnership=partnership, organisation__isnull=False)
        .values_list("organisation_id", flat=True)
    )
    return MaracUser(
        user=user,
        partnership=partnership,
        coordinator=Role.MARAC_COORDINATOR in roles,
        representative=Role.MARAC_REPRESENTATIVE in roles,
        agencies=agencies,
    )


def criteria_labels(codes, partnership: Partnership) -> list[str]:
    """The criteria a referral or checklist met, in words (local ones by their label)."""
    local = (
        dict(partnership.marac_local_criteria.values_list("code", "label"))
        if any(c.startswith(dash.Criterion.LOCAL_PREFIX) for c in codes)
        else {}
    )
    out = []
    for code in codes:
        if code.startswith(dash.Criterion.LOCAL_PREFIX):
            key = code.removeprefix(dash.Criterion.LOCAL_PREFIX)
            out.append(f"Local criterion: {local.get(key, key)}")
        else:
            out.append(dash.Criterion.LABELS.get(code, code))
    return out


def member_organisation(who: MaracUser):
    """The organisation a referral or screening is made from: the user's own."""
    from vawg.core.models import Organisation

    return Organisation.objects.filter(pk__in=who.agencies).order_by("name").first()


# --- Cases ------------------------------------------------------------------------------


def cases_visible_to(who: MaracUser) -> QuerySet[Referral]:
    """The coordinator: every case. A representative: the cases on the agendas of meetings
    their agency is invited to. A sealed case: the coordinator and its named people only."""
    cases = scoped(Referral.objects.all(), who.partnership)
    if who.coordinator:
        return cases
    if not who.representative:
        return cases.none()
    invited = Meeting.objects.filter(
        pk=OuterRef("agenda_item__meeting_id"), invited_agencies__in=who.agencies
    )
    named = Referral.sealed_for.through.objects.filter(
        referral_id=OuterRef("pk"), user_id=who.user.pk
    )
    return cases.filter((Q(sealed=False) & Exists(invited)) | (Q(sealed=True) & Exists(named)))


def case_list(who: MaracUser) -> QuerySet[Referral]:
    return (
        cases_visible_to(who)
        .select_related("referring_organisation", "agenda_item__meeting")
        .annotate(open_actions=Count("actions", filter=Q(actions__completed_on__isnull=True)))
        .order_by("-referred_on", "-id")
    )


def case_for_detail(who: MaracUser, pk: int) -> Referral:
    referral = (
        cases_visible_to(who)
        .select_related("referring_organisation", "assessment", "agenda_item__meeting", "repeat_of")
        .prefetch_related(
            Prefetch("perpetrators", queryset=Perpetrator.objects.order_by("id")),
            "must_not_receive",
            "notes__author",
            Prefetch("actions", queryset=CaseAction.objects.select_related("organisation")),
            "attachments",
            "sealed_for",
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def own_referrals(who: MaracUser) -> QuerySet[Referral]:
    return (
        scoped(Referral.objects.all(), who.partnership)
        .filter(referrer=who.user)
        .select_related("agenda_item__meeting")
        .order_by("-referred_on", "-id")
    )


def own_referral(who: MaracUser, pk: int) -> Referral:
    referral = own_referrals(who).filter(pk=pk).first()
    if referral is None:
        raise Http404
    return referral


def own_screening(who: MaracUser, pk: int) -> Screening:
    screening = (
        scoped(Screening.objects.all(), who.partnership)
        .filter(practitioner=who.user, pk=pk)
        .first()
    )
    if screening is None:
        raise Http404
    return screening


def own_assessment(who: MaracUser, pk: int) -> Assessment:
    assessment = (
        scoped(Assessment.objects.all(), who.partnership)
        .filter(practitioner=who.user, pk=pk)
        .select_related("referral")
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


# --- Meetings and actions --------------------------------------------------------------


def meetings_visible_to(who: MaracUser) -> QuerySet[Meeting]:
    meetings = scoped(Meeting.objects.all(), who.partnership)
    if who.coordinator:
        return meetings
    if who.representative:
        return meetings.filter(invited_agencies__in=who.agencies).distinct()
    return meetings.none()


def meeting_list(who: MaracUser) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(who)
        .annotate(cases=Count("agenda", distinct=True))
        .order_by("-held_on", "-id")
    )


def meeting_for_detail(who: MaracUser, pk: int) -> Meeting:
    meeting = (
        meetings_visible_to(who)
        .filter(pk=pk)
        .prefetch_related("invited_agencies", "attendance__organisation", "attachments")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def agenda_for(who: MaracUser, meeting: Meeting) -> list[AgendaItem]:
    """The agenda as this user may see it: a sealed case they may not see shows as withheld."""
    visible = set(cases_visible_to(who).values_list("pk", flat=True))
    items: list[AgendaItem] = list(
        meeting.agenda.select_related("referral").annotate(action_count=Count("referral__actions"))
    )
    for item in items:
        # For the agenda page only: `visible` is not a field of the model.
        item.visible = item.referral_id in visible  # type: ignore[attr-defined]
    return items


def pack_agenda(who: MaracUser, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda for its pack: every case the coordinator may see, with what the
    pack prints about it read in a fixed number of queries."""
    if not who.coordinator:
        raise Http404
    return list(
        meeting.agenda.filter(referral__in=cases_visible_to(who))
        .select_related("referral__referring_organisation")
        .prefetch_related(
            Prefetch("referral__perpetrators", queryset=Perpetrator.objects.order_by("id"))
        )
        .order_by("position", "id")
    )


def agenda_item_for(who: MaracUser, pk: int) -> AgendaItem:
    item = (
        scoped(AgendaItem.objects.all(), who.partnership)
        .filter(pk=pk, referral__in=cases_visible_to(who))
        .select_related("meeting", "referral")
        .first()
    )
    if item is None:
        raise Http404
    return item


def actions_for(who: MaracUser, *, on: date, show: str = "all") -> QuerySet[CaseAction]:
    """The coordinator: every action; a representative: their agencies' actions on cases
    they may see. `show` narrows them to the "open" ones, or the "overdue" ones on `on`."""
    actions = scoped(CaseAction.objects.all(), who.partnership).filter(
        referral__in=cases_visible_to(who)
    )
    if not who.coordinator:
        actions = actions.filter(organisation_id__in=who.agencies)
    if show == "open":
        actions = actions.open()
    elif show == "overdue":
        actions = actions.overdue(on)
    # Open actions first (the same on SQLite and PostgreSQL, which sort nulls differently).
    is_done = Case(When(completed_on__isnull=True, then=Value(0)), default=Value(1))
    return actions.select_related("referral", "organisation", "meeting").order_by(
        is_done, "due_on", "id"
    )


def action_for_completion(who: MaracUser, pk: int) -> CaseAction:
    action = actions_for(who, on=date.today()).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


def attachment_for(who: MaracUser, pk: int) -> Attachment:
    attachment = (
        scoped(Attachment.objects.all(), who.partnership)
        .filter(
            Q(referral__in=cases_visible_to(who)) | Q(meeting__in=meetings_visible_to(who)),
            pk=pk,
        )
        .select_related("referral")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# --- Subject access ---------------------------------------------------------------------


def case_by_reference(who: MaracUser, reference: str) -> Referral | None:
    return cases_visible_to(who).filter(reference=reference.strip().upper()).first()


def cases_of_victim(who: MaracUser, hashes: list[Pseudonym]) -> QuerySet[Referral]:
    """The cases whose victim has one of `hashes` (one person, under each pseudonym key
    held), oldest first. A reduced case keeps no hash, so it is never found."""
    same_person = Q(pk__in=[])
    for hashed in hashes:
        same_person |= Q(victim_hash=hashed.digest, victim_hash_version=hashed.key_version)
    return (
        cases_visible_to(who)
        .filter(same_person, reduced_on__isnull=True)
        .exclude(victim_hash="")
        .order_by("referred_on", "id")
    )


def cases_for_subject_access(who: MaracUser, pks: list[int]) -> list[Referral]:
    """The cases, with every record a subject access export reads, in a fixed number of
    queries however many cases and records there are."""
    return list(
        cases_visible_to(who)
        .filter(pk__in=pks)
        .select_related(
            "referring_organisation",
            "repeat_of",
            "assessment__organisation",
            "agenda_item__meeting",
        )
        .prefetch_related(
            Prefetch("perpetrators", queryset=Perpetrator.objects.order_by("id")),
            "must_not_receive",
            "notes",
            Prefetch(
                "actions",
                queryset=CaseAction.objects.select_related("organisation", "meeting").order_by(
                    "due_on", "id"
                ),
            ),
            "attachments",
            "agenda_item__meeting__invited_agencies",
            "agenda_item__meeting__attachments",
            "assessment__local_criteria",
        )
        .order_by("referred_on", "id")
    )


# --- Access review ----------------------------------------------------------------------


def access_log(partnership: Partnership, *, reference: str = "") -> QuerySet[AuditEvent]:
    """Every audited read of MARAC identity, notes and files in the partnership, and every
    case exported in a subject access response."""
    events = AuditEvent.objects.filter(
        Q(action=AuditEvent.Action.READ_RESTRICTED, object_type__startswith="marac.")
        | Q(action=AuditEvent.Action.EXPORT, object_type="marac.Referral"),
        partnership_id=partnership.pk,
    )
    if reference:
        events = events.filter(detail__reference=reference.strip().upper())
    return events.order_by("-at", "-id")


def usernames(user_ids) -> dict[int, str]:
    from vawg.accounts.models import User

    return dict(User.objects.filter(pk__in=set(user_ids)).values_list("pk", "username"))


# --- Statistics -------------------------------------------------------------------------

MINORITISED = {
    Referral.Ethnicity.MIXED,
    Referral.Ethnicity.ASIAN,
    Referral.Ethnicity.BLACK,
    Referral.Ethnicity.OTHER,
}
LGBT_ORIENTATIONS = {
    Referral.Orientation.GAY_LESBIAN,
    Referral.Orientation.BISEXUAL,
    Referral.Orientation.OTHER,
}


# The kinds of record each count is keyed by (core.disclosure's cell keys).
REFERRAL = "marac.Referral"
PERPETRATOR = "marac.Perpetrator"
CASE_ACTION = "marac.CaseAction"


@dataclass(frozen=True)
class MaracCounts:
    """The counts for a period, as SafeLives collects them (counted per meeting).

    Each count of cases, people or case actions is a `disclosure.Tally`: the exact number
    with the cell key of the records counted, so that it reads the same wherever it is
    shown. Meetings held are not people and are a plain number; so is the population."""

    start: date
    end: date
    meetings: int
    cases: Tally
    repeats: Tally
    non_police: Tally
    minoritised: Tally
    lgbt: Tally
    disabled: Tally
    male: Tally
    aged_16_17: Tally
    children: Tally  # each case weighted by the children in its household
    perpetrators_under_18: Tally
    actions_due: Tally
    actions_on_time: Tally
    cases_12_months: Tally  # cases discussed in the 12 months to `end`, for the rate
    women_16_plus: int | None
    population_is_synthetic: bool


# What makes a case discussed count towards each figure (from its `_CASE_FIELDS`).
_CASE_TESTS = {
    "repeats": lambda c: c["is_repeat"],
    "non_police": lambda c: c["referring_organisation__kind"] != "police",
    "minoritised": lambda c: c["victim_ethnicity"] in MINORITISED,
    "lgbt": lambda c: (
        c["victim_sexual_orientation"] in LGBT_ORIENTATIONS or c["victim_trans"] == "yes"
    ),
    "disabled": lambda c: c["victim_disability"] == "yes",
    "male": lambda c: c["victim_sex"] == Referral.Sex.MALE,
    "aged_16_17": lambda c: c["victim_age"] in (16, 17),
}
_CASE_FIELDS = (
    "pk",
    "is_repeat",
    "referring_organisation__kind",
    "victim_ethnicity",
    "victim_sexual_orientation",
    "victim_trans",
    "victim_disability",
    "victim_sex",
    "victim_age",
    "children_in_household",
)


def first_record_date(partnership: Partnership) -> date | None:
    """The date of the partnership's earliest referral or meeting: the statistics offer every
    period from there (imported history included)."""
    dates = [
        scoped(Referral.objects.all(), partnership)
        .order_by("referred_on")
        .values_list("referred_on", flat=True)
        .first(),
        scoped(Meeting.objects.all(), partnership)
        .order_by("held_on")
        .values_list("held_on", flat=True)
        .first(),
    ]
    found = [d for d in dates if d is not None]
    return min(found) if found else None


def _cases_discussed(partnership: Partnership, start: date, end: date) -> QuerySet[Referral]:
    return scoped(Referral.objects.all(), partnership).filter(
        agenda_item__meeting__status=Meeting.Status.HELD,
        agenda_item__meeting__held_on__range=(start, end),
    )


def marac_counts(partnership: Partnership, start: date, end: date) -> MaracCounts:
    """The period's counts: the cases discussed read once, and split here."""
    cases = _cases_discussed(partnership, start, end)
    discussed = list(cases.values(*_CASE_FIELDS))
    of_cases = {
        name: tally(REFERRAL, [c["pk"] for c in discussed if test(c)])
        for name, test in _CASE_TESTS.items()
    }
    young = Perpetrator.objects.filter(referral__in=cases, age__lte=17).values_list("pk", flat=True)
    actions = list(
        scoped(CaseAction.objects.all(), partnership)
        .filter(due_on__range=(start, end))
        .values("pk", "due_on", "completed_on")
    )
    # Completed by the due day itself, or earlier.
    on_time = [a["pk"] for a in actions if a["completed_on"] and a["completed_on"] <= a["due_on"]]
    year_start = add_months(end, -12)
    in_12_months = _cases_discussed(partnership, year_start + timedelta(days=1), end)
    row = settings_for(partnership)
    return MaracCounts(
        start=start,
        end=end,
        meetings=scoped(Meeting.objects.all(), partnership)
        .filter(status=Meeting.Status.HELD, held_on__range=(start, end))
        .count(),
        cases=tally(REFERRAL, [c["pk"] for c in discussed]),
        **of_cases,
        children=tally(
            REFERRAL,
            [c["pk"] for c in discussed],
            weights=[c["children_in_household"] or 0 for c in discussed],
        ),
        perpetrators_under_18=tally(PERPETRATOR, young),
        actions_due=tally(CASE_ACTION, [a["pk"] for a in actions]),
        actions_on_time=tally(CASE_ACTION, on_time),
        cases_12_months=tally(REFERRAL, in_12_months.values_list("pk", flat=True)),
        women_16_plus=row.women_16_plus,
        population_is_synthetic=row.population_is_synthetic,
    )


def representatives(partnership: Partnership):
    """The partnership's active MARAC representatives, who may be named on a sealed case."""
    ids = (
        Membership.objects.active()
        .filter(partnership=partnership, role=Role.MARAC_REPRESENTATIVE)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("username")


# --- For the home page ------------------------------------------------------------------


def next_meeting(who: MaracUser, *, on: date) -> Meeting | None:
    """The earliest meeting still to be held on or after `on` that the user may see."""
    return (
        meetings_visible_to(who)
        .filter(status=Meeting.Status.SCHEDULED, held_on__gte=on)
        .order_by("held_on", "id")
        .first()
    )


def referrals_not_listed(*, partnership: Partnership) -> int:
    """Referrals on no meeting's agenda yet (the ones the agenda builder would add): a
    count of work for the coordinator, not a figure about people."""
    return (
        scoped(Referral.objects.all(), partnership)
        .filter(agenda_item__isnull=True, reduced_on__isnull=True)
        .count()
    )


def overdue_action_count(who: MaracUser, *, on: date) -> int:
    """The open actions past their due date among those the user's action list shows."""
    shown = actions_for(who, on=on).values("pk")
    return CaseAction.objects.overdue(on).filter(pk__in=shown).count()


def screenings_awaiting_checklist(who: MaracUser, *, since: date) -> QuerySet[Screening]:
    """The user's own screenings since `since` whose next step is the risk checklist, with
    no checklist completed from them yet."""
    done = Assessment.objects.filter(screening=OuterRef("pk"))
    return (
        scoped(Screening.objects.all(), who.partnership)
        .filter(practitioner=who.user, screened_on__gte=since, outcome=Screening.Outcome.CHECKLIST)
        .filter(~Exists(done))
        .order_by("screened_on", "id")
    )


def checklists_not_referred(who: MaracUser, *, since: date) -> list[Assessment]:
    """The user's own risk checklists since `since` that meet the MARAC criteria and have
    not been referred. The criteria are a JSON list, read here rather than matched in SQL
    (the two databases compare JSON differently); a practitioner has few in the window."""
    found = (
        scoped(Assessment.objects.all(), who.partnership)
        .filter(practitioner=who.user, completed_on__gte=since, referral__isnull=True)
        .order_by("completed_on", "id")
    )
    return [assessment for assessment in found if assessment.criteria]


def own_referrals_waiting(who: MaracUser) -> int:
    """The user's own referrals not yet on a meeting's agenda: a count of their work."""
    return own_referrals(who).filter(agenda_item__isnull=True, reduced_on__isnull=True).count()


def agency_actions_due(who: MaracUser, *, on: date, until: date) -> int:
    """The open actions of the user's agencies (on cases they may see) due from `on` to
    `until`: the ones to deal with before they are overdue."""
    shown = actions_for(who, on=on).values("pk")
    return CaseAction.objects.open().filter(pk__in=shown, due_on__gte=on, due_on__lte=until).count()


def statistics_for_report(
    *, partnership: Partnership, start: date, end: date, audience: disclosure.Audience
) -> tuple[list, str]:
    """The SafeLives statistics for the meetings held from `start` to `end` as `audience`
    may see them, each beside the national figure (marac.statistics.Row), and where the
    national figures come from: statistics only, never a case."""
    # statistics reads this module at import; importing it here keeps the order one way.
    from vawg.marac.national import national_figures
    from vawg.marac.statistics import statistics_rows

    counts = marac_counts(partnership, start, end)
    shares = settings_for(partnership).population_shares or {}
    national = national_figures()
    rows = statistics_rows(counts, audience=audience, shares=shares, national=national)
    return rows, national.source
