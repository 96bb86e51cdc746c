from django.http import HttpRequest

from vawg.core.access import access_for, partnerships_for
from vawg.core.navigation import navigation_for


def layout(request: HttpRequest) -> dict:
    """What the page layout needs: the current partnership, the switcher, the navigation."""
    partnership = getattr(request, "partnership", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_partnership": partnership, "nav_items": [], "switch_partnerships": []}
    return {
        "current_partnership": partnership,
        "switch_partnerships": partnerships_for(user),
        "nav_items": navigation_for(request, partnership, access_for(user)),
    }
