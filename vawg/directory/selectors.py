"""Reads of the directory: the finder's matching and ranking, and the admins' listings."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from vawg.core.access import get_scoped_or_404, scoped
from vawg.core.models import Partnership
from vawg.directory.models import (
    HARMS,
    Area,
    Audience,
    Language,
    Need,
    Service,
    ServiceAudience,
    ServiceLanguage,
    ServiceNeed,
)

AREA_ORDER: dict[str, int] = {Area.BOROUGH: 0, Area.REGION: 1, Area.NATIONAL: 2}


@dataclass(frozen=True)
class Match:
    """A service the finder shows, and why: what it has in common with what the visitor said."""

    service: Service
    needs: tuple[str, ...]
    audiences: tuple[str, ...]
    in_language: bool
    via_interpreter: bool
    language: str = ""

    @property
    def score(self) -> int:
        """How many of the visitor's answers this service is specifically for."""
        return len(self.needs) + len(self.audiences) + int(self.in_language)

    @property
    def reasons(self) -> list[str]:
        """What it has in common with the answers, in words, for the results page."""
        words = [Need(n).label for n in self.needs] + [Audience(a).label for a in self.audiences]
        if self.in_language:
            words.append(f"works in {Language(self.language).label}")
        elif self.via_interpreter:
            words.append(f"can arrange a {Language(self.language).label} interpreter")
        return words


def _with_details(queryset: QuerySet[Service]) -> QuerySet[Service]:
    return queryset.select_related("partnership", "owner").prefetch_related(
        "needs", "audiences", "languages"
    )


def _has(model, field: str, values: Iterable[str]):
    return Exists(model.objects.filter(service=OuterRef("pk"), **{f"{field}__in": list(values)}))


def matching_services(
    partnership: Partnership | None,
    *,
    needs: Iterable[str] = (),
    audiences: Iterable[str] = (),
    language: str = "",
) -> list[Match]:
    """The current services for someone living in `partnership`'s area, most specific first.

    `partnership` None means somewhere else, or not said: London-wide and national services.
    `needs` mixes what happened (a harm) and the help wanted. A service must deal with one of
    the harms given (with none given, any harm but help to stop harming someone, which a
    survivor has not asked for); the kinds of help only rank. A service for particular people
    is shown to those who said they are one of them, or who said nothing of who they are. A
    language other than English needs a service that works in it or arranges interpreters.

    Ranked by the number of answers the service is specifically for (needs, audiences, the
    language), then the narrower service (fewer needs listed), then the nearer (borough, London,
    national), then by provider and name. A service the visitor's own partnership lists wins
    over a copy of the same provider and name listed by another.
    """
    needs = set(needs)
    audiences = set(audiences)
    harms = needs & HARMS
    help_wanted = needs - HARMS

    services = Service.objects.current()
    if partnership is None:
        services = services.filter(area__in=[Area.REGION, Area.NATIONAL])
    else:
        services = services.filter(
            Q(partnership=partnership)
            | Q(area=Area.NATIONAL)
            | Q(area=Area.REGION, partnership__region_id=partnership.region_id)
        )
    services = services.filter(_has(ServiceNeed, "need", harms or HARMS - {Need.OWN_BEHAVIOUR}))
    if audiences:
        services = services.filter(
            ~Exists(ServiceAudience.objects.filter(service=OuterRef("pk")))
            | _has(ServiceAudience, "audience", audiences)
        )
    in_other_language = bool(language) and language != Language.ENGLISH
    if in_other_language:
        services = services.filter(
            Q(interpreters=True) | _has(ServiceLanguage, "language", [language])
        )

    matches: dict[tuple[str, str], Match] = {}
    own = getattr(partnership, "pk", None)
    for service in _with_details(services).order_by("pk"):
        key = (service.provider.casefold(), service.name.casefold())
        if key in matches and service.partnership_id != own:
            continue
        speaks = in_other_language and language in service.language_codes
        matches[key] = Match(
            service=service,
            needs=tuple(sorted(service.need_codes & (harms | help_wanted))),
            audiences=tuple(sorted(service.audience_codes & audiences)),
            in_language=speaks,
            via_interpreter=in_other_language and not speaks,
            language=language if in_other_language else "",
        )
    return sorted(
        matches.values(),
        key=lambda m: (
            -m.score,
            len(m.service.need_codes),
            AREA_ORDER[m.service.area],
            m.service.provider.casefold(),
            m.service.name.casefold(),
        ),
    )


# Who a visitor is taken to be when they have not said. Almost every service here is for
# women and girls, so a service only for them stays with the matches: a woman who skipped
# the question should not have to open a section to find a refuge. Services for other
# particular people not asked about (disabled people, over-60s, men) are collapsed under
# "Other services".
OPEN_WHEN_NOT_SAID = frozenset({Audience.WOMEN})


@dataclass(frozen=True)
class FinderResults:
    """What the results page shows: `matches`, ranked, then `others`, collapsed: services
    for particular people the visitor did not say they are one of."""

    matches: list[Match]
    others: list[Match]

    @property
    def count(self) -> int:
        return len(self.matches) + len(self.others)


def finder_results(
    partnership: Partnership | None,
    *,
    needs: Iterable[str] = (),
    audiences: Iterable[str] = (),
    language: str = "",
) -> FinderResults:
    """The finder's answer, from `matching_services`: a visitor who said who they are sees
    only services for anyone or for them, as before. One who did not is shown first the
    services for anyone (and those only for women and girls, OPEN_WHEN_NOT_SAID); services
    for other particular people follow, in the same order, to be opened if wanted."""
    audiences = set(audiences)
    found = matching_services(partnership, needs=needs, audiences=audiences, language=language)
    if audiences:
        return FinderResults(matches=found, others=[])
    matches: list[Match] = []
    others: list[Match] = []
    for match in found:
        groups = match.service.audience_codes
        # Only for women (or for anyone): a service also for migrants, say, is for them.
        for_the_visitor = groups <= OPEN_WHEN_NOT_SAID
        (matches if for_the_visitor else others).append(match)
    return FinderResults(matches=matches, others=others)


# --- Staff: keeping the listings ---------------------------------------------


class ListingStatus:
    CURRENT = "current"
    STALE = "stale"
    RETIRED = "retired"
    ALL = "all"
    CHOICES = [
        (CURRENT, "Current"),
        (STALE, "Past their review date"),
        (RETIRED, "Retired"),
        (ALL, "All"),
    ]


def listings_for(*, partnership: Partnership, status: str, on: date) -> QuerySet[Service]:
    """The partnership's listings in the chosen status, soonest review first."""
    services = scoped(Service.objects.all(), partnership)
    if status == ListingStatus.CURRENT:
        services = services.current()
    elif status == ListingStatus.STALE:
        services = services.stale(on=on)
    elif status == ListingStatus.RETIRED:
        services = services.filter(retired_at__isnull=False)
    # A listing whose owner has left the partnership needs a new owner: flagged on the list.
    owner_is_member = get_user_model().objects.filter(
        pk=OuterRef("owner_id"),
        is_active=True,
        memberships__partnership=OuterRef("partnership_id"),
        memberships__ended_at__isnull=True,
    )
    return (
        _with_details(services)
        .annotate(owner_is_member=Exists(owner_is_member))
        .order_by("review_due", "provider", "name")
    )


def stale_count(*, partnership: Partnership, on: date) -> int:
    return scoped(Service.objects.all(), partnership).stale(on=on).count()


def listing_for_edit(*, partnership: Partnership, pk: int) -> Service:
    return get_scoped_or_404(_with_details(Service.objects.all()), partnership, pk=pk)


def owner_choices(*, partnership: Partnership):
    """The partnership's active members, any of whom may own a listing."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__partnership=partnership,
            memberships__ended_at__isnull=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def partnerships_for_finder() -> QuerySet[Partnership]:
    """The areas a visitor may say they live in: every partnership with a current listing."""
    return Partnership.objects.filter(
        Exists(Service.objects.current().filter(partnership=OuterRef("pk")))
    ).order_by("name")
