"""What the directory adds to the home page, registered from DirectoryConfig.ready()
(vawg.core.home): core imports none of it."""

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from vawg.core.home import HomeItem, Shown, home_items, plural
from vawg.directory.selectors import ListingStatus, stale_count


def home_stale_listings(request: HttpRequest, today: date) -> Shown:
    count = stale_count(partnership=request.partnership, on=today)
    url = reverse("directory:listing-list", kwargs={"partnership": request.partnership.slug})
    text = f"{plural(count, 'support directory listing', 'support directory listings')} past review"
    return Shown(text, f"{url}?status={ListingStatus.STALE}", count=count)


def register() -> None:
    home_items.register(
        "directory.stale", HomeItem(home_stale_listings, "directory.manage"), order=40
    )
