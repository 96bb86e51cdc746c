"""The partner API under /api/v1/: one NinjaAPI, its routers, and how it refuses.

Every refusal is a problem-details document (vawg.api.problems), and the schema says so:
each operation lists the problems it may answer with, as `application/problem+json`.
"""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from vawg.api import problems
from vawg.api.auth import TokenAuth
from vawg.api.docs import ApiDocs
from vawg.api.problems import ApiProblem, Problem

DESCRIPTION = """\
The VAWG Partnership Platform's API for partners' own systems: read the plan and its
figures, send progress updates, measure values and data extracts.

Every figure about people is shown at the controlled disclosure level: a count below the
threshold reads "fewer than 5" and other counts are rounded, exactly as the board sees
them. No MARAC case, no identity and no survivor's words ever leave through the API.
See docs/api.md for examples in curl and Python and a Power BI recipe.
"""


class PartnerApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _problem_responses(schema)
        _scopes(schema, self._scope_of_operations())
        return schema

    def _scope_of_operations(self) -> dict[str, str]:
        """Each operation's id and the scope its TokenAuth asks for ("any" for none)."""
        found = {}
        for _prefix, router in self._routers:
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    scopes = [getattr(c, "scope", None) for c in operation.auth_callbacks]
                    operation_id = operation.operation_id or self.get_openapi_operation_id(
                        operation
                    )
                    found[operation_id] = ", ".join(s or "any" for s in scopes)
        return found


# Problems every operation may answer with besides its own: input, token, scope, limit.
COMMON = {
    "400": "The request could not be read.",
    "401": "No token, or a token that is unknown, revoked or expired.",
    "403": "The token does not hold the scope this operation needs.",
    "422": "A field is missing or wrong: each is named with its reason.",
    "429": "The token has made too many calls this minute.",
}


def _problem_responses(schema: dict) -> None:
    ref = {"$ref": "#/components/schemas/Problem"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for name, sub in (
        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        .get("$defs", {})
        .items()
    ):
        components.setdefault(name, sub)
    components["Problem"].pop("$defs", None)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if path.endswith("/openapi.json"):
                continue
            # Ninja keys its own responses by number; the schema's keys are strings.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for code, words in COMMON.items():
                entry = responses.setdefault(code, {"description": words})
                entry["content"] = {problems.MEDIA_TYPE: {"schema": ref}}
            for code, entry in responses.items():
                if code.startswith(("4", "5")):
                    entry["content"] = {problems.MEDIA_TYPE: {"schema": ref}}
            if method == "get" and "200" in responses:
                responses.setdefault(
                    "304",
                    {"description": "Not modified: the ETag sent in If-None-Match still holds."},
                )


def _scopes(schema: dict, scopes: dict[str, str]) -> None:
    """Say on each operation which token scope it needs (as `x-scope`, and in words)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            scope = scopes.get(operation.get("operationId", ""))
            if scope:
                operation["x-scope"] = scope
                words = (
                    f"Needs a token with the scope `{scope}`."
                    if scope != "any"
                    else ("Needs a live token with any scope.")
                )
                operation["description"] = (
                    operation.get("description", "") + "\n\n" + words
                ).strip()


api = PartnerApi(
    title="VAWG Partnership Platform API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",  # for signed-in staff only (vawg.api.urls)
    docs=ApiDocs(),
)


# --- Refusals -------------------------------------------------------------------------


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, error: ApiProblem) -> HttpResponse:
    return problems.response(request, error)


@api.exception_handler(AuthenticationError)
def _no_token(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    answer = problems.response(
        request,
        ApiProblem(401, "Send a live API token as 'Authorization: Bearer <token>'."),
    )
    answer["WWW-Authenticate"] = 'Bearer realm="vawg"'
    return answer


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    fields = {}
    for item in error.errors:
        loc = tuple(item.get("loc") or ("body",))
        # ("query", "page") is the field "page"; ("body", "body", "status") is "status":
        # the name of the operation's body parameter means nothing to the caller.
        parts = loc[2:] if loc[0] == "body" and len(loc) > 2 else loc[1:]
        where = ".".join(str(part) for part in parts) or str(loc[0])
        fields.setdefault(where, item.get("msg", "not valid"))
    return problems.response(
        request, ApiProblem(422, "Some of what was sent is missing or not valid.", fields)
    )


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        fields = {
            ("request" if name == "__all__" else name): " ".join(
                m for e in errs for m in e.messages
            )
            for name, errs in error.error_dict.items()
        }
    else:
        fields = {"request": " ".join(error.messages)}
    return problems.response(
        request, ApiProblem(422, "The platform refused what was sent: see each field.", fields)
    )


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    return problems.response(
        request, ApiProblem(404, "There is no such record in this token's partnership.")
    )


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return problems.response(request, ApiProblem(403, str(error) or "This token may not do this."))


@api.exception_handler(HttpError)
def _http(request: HttpRequest, error: HttpError) -> HttpResponse:
    return problems.response(request, ApiProblem(error.status_code, str(error)))


# --- Who am I ------------------------------------------------------------------------


class TokenOut(Schema):
    name: str
    partnership: str
    partnership_name: str
    organisation: str
    scopes: list[str]
    expires_at: str


@api.get(
    "/token",
    response=TokenOut,
    auth=TokenAuth(None),
    summary="The token in use: its partnership, organisation, scopes and expiry",
    tags=["Token"],
)
def token(request: HttpRequest):
    found = request.auth
    return TokenOut(
        name=found.name,
        partnership=found.partnership.slug,
        partnership_name=found.partnership.name,
        organisation=found.organisation.name,
        scopes=found.scopes,
        expires_at=found.expires_at.isoformat(),
    )


# --- The operations, by what they serve -------------------------------------------------

from vawg.api import figures, plan, writes  # noqa: E402  (they use the handlers above)

api.add_router("", plan.router, tags=["Plan"])
api.add_router("", figures.router, tags=["Figures"])
api.add_router("", writes.router, tags=["Send"])


def _refuse_unknown_query_parameters() -> None:
    """A query parameter an operation does not take is refused (422, naming it), after the
    token is checked: a misspelt filter would otherwise quietly answer with everything.
    The names come from each operation's own signature, so they cannot drift from it."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                names = {
                    name
                    for model in operation.models
                    if model.__ninja_param_source__ == "query"
                    for name in model.__ninja_flatten_map__
                }
                operation._run_checks = _checked(operation._run_checks, frozenset(names))


def _checked(run_checks, names: frozenset):
    def checks(request: HttpRequest):
        refused = run_checks(request)
        if refused is not None:
            return refused
        unknown = sorted(set(request.GET) - names)
        if unknown:
            return problems.response(
                request,
                ApiProblem(
                    422,
                    "This operation does not take some of the query parameters sent.",
                    {n or "(no name)": "not a parameter of this operation" for n in unknown},
                ),
            )
        return None

    return checks


_refuse_unknown_query_parameters()
