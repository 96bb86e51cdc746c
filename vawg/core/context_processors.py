from django.http import HttpRequest

from vawg.core.access import access_for, partnerships_for
from vawg.core.navigation import navigation_for, region_navigation_for, sub_navigation


def layout(request: HttpRequest) -> dict:
    """What the page layout needs: the current partnership or region, the switcher, and the
    navigation (the top-level groups, and the current group's own pages)."""
    partnership = getattr(request, "partnership", None)
    region = getattr(request, "region", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "current_partnership": partnership,
            "current_region": None,
            "nav_items": [],
            "sub_nav": None,
            "switch_partnerships": [],
        }
    access = access_for(user)
    if partnership is not None:
        nav_items = navigation_for(request, partnership, access)
    else:
        nav_items = region_navigation_for(request, region, access)
    return {
        "current_partnership": partnership,
        "current_region": region if partnership is None else None,
        "switch_partnerships": partnerships_for(user),
        "nav_items": nav_items,
        "sub_nav": sub_navigation(nav_items),
    }
