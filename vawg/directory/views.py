"""The public finder (no account, no cookies, nothing kept) and the admins' listings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors
from vawg.core.safety import survivor_safe
from vawg.directory import exports, selectors, services
from vawg.directory.forms import FinderForm, ListingFilterForm, ServiceForm
from vawg.exchange.exporting import FORMATS, export_response

# --- Public: safe for a survivor to use --------------------------------------


@survivor_safe
@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    """Before the questions: what "Exit this page" does, and what it cannot hide."""
    return render(request, "directory/start.html")


@survivor_safe
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest) -> HttpResponse:
    """The questions (GET), and the matching services (POST: the answers never reach the URL).

    Nothing the visitor chose is stored, logged or audited; the response is not cached.
    """
    areas = selectors.partnerships_for_finder()
    if request.method == "GET":
        form = FinderForm(areas=areas)
        return render(request, "directory/questions.html", {"form": form})
    form = FinderForm(request.POST, areas=areas)
    if not form.is_valid():
        return render(request, "directory/questions.html", {"form": form})
    results = selectors.finder_results(**form.criteria())
    return render(request, "directory/results.html", {"form": form, "results": results})


@survivor_safe
@require_GET
def covering_tracks(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/covering_tracks.html")


# --- Staff: keeping the listings ---------------------------------------------


@partnership_permission("directory.manage")
@require_GET
def listing_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("status", selectors.ListingStatus.CURRENT)
    form = ListingFilterForm(data)
    listings = None
    if form.is_valid():
        listings = selectors.listings_for(
            partnership=request.partnership, status=form.chosen_status(), on=today
        )
    return render(
        request,
        "directory/listing_list.html",
        {
            "form": form,
            "listings": listings,
            "today": today,
            "stale": selectors.stale_count(partnership=request.partnership, on=today),
        },
    )


@partnership_permission("directory.manage")
@require_GET
def listing_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("No such export format")
    today = timezone.localdate()
    listings = selectors.listings_for(
        partnership=request.partnership, status=selectors.ListingStatus.ALL, on=today
    )
    table = exports.listings_table(partnership=request.partnership, listings=listings, on=today)
    return export_response(request, table, fmt=fmt)


def _owners(request: HttpRequest):
    return selectors.owner_choices(partnership=request.partnership)


@partnership_permission("directory.manage")
@require_http_methods(["GET", "POST"])
def listing_add(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(
        request.POST if request.method == "POST" else None,
        partnership=request.partnership,
        owners=_owners(request),
        initial={
            "owner": request.user.pk,
            "review_due": services.next_review(timezone.localdate()),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Listing added: {service.name}.")
            return redirect("directory:listing-list", partnership=request.partnership.slug)
    return render(request, "directory/listing_form.html", {"form": form, "listing": None})


@partnership_permission("directory.manage")
@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_for_edit(partnership=request.partnership, pk=pk)
    form = ServiceForm(
        request.POST if request.method == "POST" else None,
        instance=listing,
        partnership=request.partnership,
        owners=_owners(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                service=listing, actor=request.user, request=request, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Listing saved: {listing.name}.")
            return redirect("directory:listing-list", partnership=request.partnership.slug)
    return render(
        request,
        "directory/listing_form.html",
        {"form": form, "listing": listing, "today": timezone.localdate()},
    )


def _listing_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    """Run a one-button change on a listing and go back to its page, saying what happened."""
    listing = selectors.listing_for_edit(partnership=request.partnership, pk=pk)
    try:
        action(listing)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{done}: {listing.name}.")
    return redirect("directory:listing-edit", partnership=request.partnership.slug, pk=pk)


@partnership_permission("directory.manage")
@require_POST
def listing_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_action(
        request,
        pk,
        lambda s: services.service_mark_reviewed(
            service=s, actor=request.user, on=timezone.localdate(), request=request
        ),
        "Marked as checked today",
    )


@partnership_permission("directory.manage")
@require_POST
def listing_retire(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_action(
        request,
        pk,
        lambda s: services.service_retire(service=s, actor=request.user, request=request),
        "Retired, and no longer shown to the public",
    )


@partnership_permission("directory.manage")
@require_POST
def listing_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    return _listing_action(
        request,
        pk,
        lambda s: services.service_reinstate(service=s, actor=request.user, request=request),
        "Reinstated, and shown to the public again",
    )
