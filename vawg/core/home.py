"""The partnership home page: each role's work, contributed by the apps that hold it.

Core owns the page and imports no app. Each app registers its HomeItems in `home_items`
from its AppConfig.ready() (vawg.core.registry); the page shows the items the viewer's
roles allow, each read for this viewer and this partnership alone.

An item's reader answers what to say now, or None when it has nothing to say. An item
that needs attention and counts nothing is left out, so that a busy lead sees only what
needs them; when none is left the page says so. A count here is of work (updates,
listings, referrals, imports): a figure about people must come through
vawg.core.disclosure at the viewer's level before it is put in a Shown.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.http import HttpRequest

from vawg.core.permissions import roles_grant
from vawg.core.registry import Registry


class Group(StrEnum):
    ATTENTION = "attention"  # work waiting on the viewer: shown only when there is some
    GLANCE = "glance"  # what is coming and how current things are: shown as it is


@dataclass(frozen=True)
class Line:
    """One entry of a short list under an item, with where to deal with it."""

    text: str
    url: str = ""
    note: str = ""  # why, in a few words (a status's commentary, cut short)


@dataclass(frozen=True)
class Shown:
    """What an item says today: `text` linked to `url`, where the work is done."""

    text: str
    url: str
    count: int | None = None  # None for an item that is not a count (a date, a list)
    lines: tuple[Line, ...] = ()
    more: int = 0  # entries beyond `lines`, found at `url`
    note: str = ""  # what the reader must know to read it right (a plan that has lapsed)

    @property
    def empty(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class HomeItem:
    """Something a role's home page shows.

    `read(request, today)` answers what to say for this viewer in request.partnership,
    or None; `permission` must be granted by the viewer's roles there; `roles`, when
    given, narrows the item to the roles whose job it is (a board member's "what is red
    and why" is not every reader's). Order comes from the registry."""

    read: Callable[[HttpRequest, date], Shown | None]
    permission: str
    group: Group = Group.ATTENTION
    roles: frozenset[str] = field(default_factory=frozenset)

    def for_viewer(self, roles: set[str] | frozenset[str]) -> bool:
        if not roles_grant(roles, self.permission):
            return False
        return not self.roles or bool(self.roles & set(roles))


home_items: Registry[HomeItem] = Registry("core.home_items")


@dataclass
class HomePage:
    attention: list[Shown]
    glance: list[Shown]


def home_page(*, request: HttpRequest, today: date) -> HomePage:
    """The items this viewer may see, read now, grouped; attention items with nothing to
    count left out."""
    # Set on the request by the partnership_permission decorator (vawg.core.access).
    roles = request.roles  # type: ignore[attr-defined]
    page = HomePage(attention=[], glance=[])
    for item in home_items:
        if not item.for_viewer(roles):
            continue
        shown = item.read(request, today)
        if shown is None:
            continue
        if item.group is Group.ATTENTION:
            if not shown.empty:
                page.attention.append(shown)
        else:
            page.glance.append(shown)
    return page


def plural(n: int, one: str, many: str) -> str:
    """ "1 update" or "3 updates": the words a count is read in."""
    return f"{n} {one if n == 1 else many}"
