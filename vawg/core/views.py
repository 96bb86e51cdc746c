from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vawg.core.access import (
    partnership_permission,
    partnerships_for,
    public,
    region_permission,
    regions_for,
    signed_in,
)
from vawg.core.home import home_page
from vawg.core.models import Partnership
from vawg.core.region import borough_lines, comparison


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Signed-in staff go to their partnership; everyone else sees the service's front page."""
    if request.user.is_authenticated:
        partnerships = list(partnerships_for(request.user))
        regions = list(regions_for(request.user))
        if len(partnerships) == 1 and not regions:
            return redirect("core:partnership-home", partnership=partnerships[0].slug)
        if len(regions) == 1 and not partnerships:
            return redirect("core:region-home", region=regions[0].slug)
        return redirect("core:partnership-list")
    return render(request, "core/home.html")


@signed_in
@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/partnership_list.html",
        {"partnerships": partnerships_for(request.user), "regions": regions_for(request.user)},
    )


def _today():
    return timezone.localdate()


@partnership_permission("strategy.view")
@require_GET
def partnership_home(request: HttpRequest) -> HttpResponse:
    """The viewer's work in this partnership, from what each app contributes (core.home)."""
    strategies = request.partnership.strategies.all()
    page = home_page(request=request, today=_today())
    return render(request, "core/partnership_home.html", {"strategies": strategies, "page": page})


@public
@require_GET
def partnership_theme(request: HttpRequest, partnership: str) -> HttpResponse:
    """The partnership's brand colour as a stylesheet (the CSP allows no inline styles)."""
    colour = Partnership.objects.filter(slug=partnership).values_list("colour", flat=True).first()
    if colour is None:
        raise Http404
    response = HttpResponse(f":root {{ --app-brand-colour: {colour}; }}\n", content_type="text/css")
    response["Cache-Control"] = "max-age=300"
    return response


@region_permission("region.view")
@require_GET
def region_home(request: HttpRequest) -> HttpResponse:
    """Every borough of the region side by side, as each one's own board sees it."""
    result = comparison(region=request.region, today=_today())
    return render(request, "core/region_home.html", {"comparison": result})


@region_permission("region.view")
@require_GET
def region_borough(request: HttpRequest, partnership: str) -> HttpResponse:
    """One borough's figures beside the region's."""
    borough = get_object_or_404(request.region.partnerships, slug=partnership)
    result = comparison(region=request.region, today=_today())
    return render(
        request,
        "core/region_borough.html",
        {"borough": borough, "comparison": result, "lines": borough_lines(result, borough)},
    )


@public
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@public
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@public
@never_cache
@require_GET
def leave(request: HttpRequest) -> HttpResponse:
    """Where "Exit this page" goes: forget this visit, then send the visitor to a neutral site."""
    request.session.flush()
    response = redirect(settings.EXIT_PAGE_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@public
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# --- Designed error pages (never a traceback) --------------------------------


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: its processors read the session and memberships, and
    # the database may be what has failed. The request itself is passed only
    # for its CSP nonce.
    html = loader.get_template("errors/500.html").render({"request": request})
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)
