"""Who may reach a view, and the one scoping helper every query goes through.

Every view declares its access with one of the decorators below. A view that
declares nothing is refused by AccessPolicyMiddleware: the default is deny.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from vawg.core.models import Partnership, Region
from vawg.core.permissions import roles_grant

ACCESS_ATTR = "vawg_access"
View = Callable[..., Any]
M = TypeVar("M", bound=Model)
# Any queryset, so that a model's own queryset methods stay in its type.
QS = TypeVar("QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class Access:
    """The roles a user holds, per partnership and per region (active memberships only)."""

    by_partnership: dict[int, frozenset[str]] = field(default_factory=dict)
    by_region: dict[int, frozenset[str]] = field(default_factory=dict)

    def roles_in(self, partnership: Partnership) -> frozenset[str]:
        return self.by_partnership.get(partnership.pk, frozenset())

    def can(self, partnership: Partnership, permission: str) -> bool:
        return roles_grant(self.roles_in(partnership), permission)

    def can_in_region(self, region: Region, permission: str) -> bool:
        return roles_grant(self.by_region.get(region.pk, frozenset()), permission)


def access_for(user) -> Access:
    """The user's roles, read once per request from their active memberships."""
    if not user.is_authenticated:
        return Access()
    cached = getattr(user, "_vawg_access", None)
    if cached is not None:
        return cached
    by_partnership: dict[int, set[str]] = {}
    by_region: dict[int, set[str]] = {}
    for partnership_id, region_id, role in user.memberships.active().values_list(
        "partnership_id", "region_id", "role"
    ):
        if partnership_id:
            by_partnership.setdefault(partnership_id, set()).add(role)
        elif region_id:
            by_region.setdefault(region_id, set()).add(role)
    access = Access(
        {k: frozenset(v) for k, v in by_partnership.items()},
        {k: frozenset(v) for k, v in by_region.items()},
    )
    user._vawg_access = access
    return access


def partnerships_for(user) -> QuerySet[Partnership]:
    """Partnerships the user is an active member of."""
    ids = access_for(user).by_partnership.keys()
    return Partnership.objects.filter(pk__in=list(ids)).select_related("region")


def regions_for(user) -> QuerySet[Region]:
    return Region.objects.filter(pk__in=list(access_for(user).by_region.keys()))


def get_partnership_for_user(user, slug: str, permission: str) -> Partnership:
    """The partnership named by `slug`, if the user may use `permission` in it.

    404 when the user is not a member at all (so its existence is not
    confirmed), 403 when they are a member without the permission.
    """
    partnership = Partnership.objects.select_related("region").filter(slug=slug).first()
    access = access_for(user)
    if partnership is None or partnership.pk not in access.by_partnership:
        raise Http404("No such partnership")
    if not access.can(partnership, permission):
        raise PermissionDenied
    return partnership


def get_region_for_user(user, slug: str, permission: str) -> Region:
    region = Region.objects.filter(slug=slug).first()
    access = access_for(user)
    if region is None or region.pk not in access.by_region:
        raise Http404("No such region")
    if not access.can_in_region(region, permission):
        raise PermissionDenied
    return region


def scoped(queryset: QS, partnership: Partnership) -> QS:
    """Restrict `queryset` to rows of `partnership`.

    A model that does not carry the partnership itself names the path to it
    in `partnership_path` (e.g. "priority__strategy__partnership").
    """
    path = getattr(queryset.model, "partnership_path", "partnership")
    return queryset.filter(**{path: partnership})


def get_scoped_or_404(queryset: QuerySet[M], partnership: Partnership, **lookup: Any) -> M:
    obj = scoped(queryset, partnership).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


# --- The declarations every view carries -----------------------------------


def _mark(view: View, kind: str, permission: str | None = None) -> View:
    setattr(view, ACCESS_ATTR, (kind, permission))
    return view


def public(view: View) -> View:
    """Anyone, signed in or not (public pages, sign-in)."""
    return _mark(view, "public")


def signed_in(view: View) -> View:
    """Any signed-in user; the view itself shows only what is theirs."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "signed_in")


def partnership_permission(permission: str) -> Callable[[View], View]:
    """The user must hold `permission` in the partnership named by the URL's
    `partnership` argument. Sets request.partnership and request.roles."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, partnership: str, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.partnership = get_partnership_for_user(request.user, partnership, permission)
            request.roles = access_for(request.user).roles_in(request.partnership)
            return view(request, *args, **kwargs)

        return _mark(wrapper, "partnership", permission)

    return decorator


def region_permission(permission: str) -> Callable[[View], View]:
    """The user must hold `permission` in the region named by the URL's `region` argument."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, region: str, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.region = get_region_for_user(request.user, region, permission)
            return view(request, *args, **kwargs)

        return _mark(wrapper, "region", permission)

    return decorator


def declared_access(view: View) -> tuple[str, str | None] | None:
    return getattr(view, ACCESS_ATTR, None)


class AccessPolicyMiddleware:
    """Refuses any view that has not declared who may use it.

    The Django admin (platform operators only) and static files keep their
    own checks.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: View, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and match.namespace == "admin":
            return None
        if declared_access(view_func) is None:
            raise PermissionDenied("This page has not declared who may see it.")
        return None
