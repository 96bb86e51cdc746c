"""The vocabulary of the URL sweep (test_url_sweep.py).

Each app says who may see its URLs in `vawg/<app>/tests/url_rules.py`:

    RULES = {"marac:home": Rule(holders("marac.view"))}

    def sweep_kwargs(partnership, personas) -> dict[str, dict]:
        # Creates one of each object its URLs name, and returns, per URL
        # name, the keyword arguments (other than `partnership`) to reverse it.
        ...

The sweep fails on any URL with no rule, so no view ships undeclared.
"""

from dataclasses import dataclass, field

from vawg.core.permissions import PARTNERSHIP_STAFF, PERMISSIONS, Role

PUBLIC = "public"
SIGNED_IN = "signed in"
STAFF = frozenset(PARTNERSHIP_STAFF)
ADMIN = frozenset({Role.PARTNERSHIP_ADMIN})
REGIONAL = frozenset({Role.REGIONAL_OFFICER})


def holders(permission: str) -> frozenset:
    """The roles that hold `permission`, as declared in core.permissions."""
    return frozenset(PERMISSIONS[permission])


@dataclass(frozen=True)
class Rule:
    who: str | frozenset
    post_only: bool = False
    # What an allowed GET may answer: a page, or a redirect (e.g. to a form's result).
    ok: frozenset = field(default_factory=lambda: frozenset({200, 302}))
