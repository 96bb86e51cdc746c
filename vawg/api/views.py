"""The staff pages where a partnership admin makes and revokes partner API tokens.

A new token's secret is shown once, in the answer to the form that made it: never in a
URL, the session or a message, and never cached."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vawg.api import selectors
from vawg.api.forms import TokenForm
from vawg.api.tokens import Made, token_create, token_revoke
from vawg.core.access import partnership_permission
from vawg.core.forms import add_service_errors


def _list(request: HttpRequest) -> HttpResponse:
    return redirect("api-tokens:token-list", partnership=request.partnership.slug)


@partnership_permission("api.tokens.manage")
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "api/token_list.html", {"tokens": selectors.tokens_of(request.partnership)}
    )


@partnership_permission("api.tokens.manage")
@require_http_methods(["GET", "POST"])
def token_add(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = TokenForm(request.POST or None, partnership=request.partnership, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            made = token_create(
                partnership=request.partnership,
                actor=request.user,
                request=request,
                today=today,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _made(request, made)
    return render(request, "api/token_add.html", {"form": form})


def _made(request: HttpRequest, made: Made) -> HttpResponse:
    """The secret, once: this answer is the only place it is ever shown."""
    response = render(
        request,
        "api/token_made.html",
        {
            "token": made.token,
            "secret": made.secret,
            "scopes": selectors.scope_labels(made.token.scopes),
            "check_url": request.build_absolute_uri(reverse("api:token")),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@partnership_permission("api.tokens.manage")
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then revoke a token: it stops working at once."""
    token = selectors.token_of_partnership(request.partnership, pk)
    if token.revoked_at is not None:
        messages.info(request, f"The token '{token.name}' was already revoked.")
        return _list(request)
    if request.method == "POST":
        token_revoke(token=token, actor=request.user, request=request)
        messages.success(request, f"Token '{token.name}' revoked. It no longer works.")
        return _list(request)
    context = {
        "title": f"Revoke the token '{token.name}'?",
        "caption": token.organisation.name,
        "lines": [
            "Any system using it is refused from now on. You cannot undo this: to give "
            "the system access again, make a new token."
        ],
        "button": "Revoke token",
        "warning": True,
        "back": reverse("api-tokens:token-list", kwargs={"partnership": request.partnership.slug}),
    }
    return render(request, "core/confirm.html", context)
