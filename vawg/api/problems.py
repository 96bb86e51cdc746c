"""Errors as RFC 9457 problem details: a type, a title, the status, what went wrong and,
for bad input, each field with its reason. Every refusal the API makes is one of these."""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from ninja import Schema

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://vawg.example/api/problems/"

TITLES = {
    400: "Bad request",
    401: "Token needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
}
SLUGS = {
    400: "bad-request",
    401: "token-needed",
    403: "scope-needed",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    422: "invalid-input",
    429: "rate-limited",
}


class FieldError(Schema):
    field: str
    reason: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = []


@dataclass
class ApiProblem(Exception):
    """Raise to refuse a call: `errors` maps a field (dotted, as sent) to its reason."""

    status: int
    detail: str
    errors: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def response(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    body = Problem(
        type=TYPE_BASE + SLUGS.get(problem.status, "error"),
        title=TITLES.get(problem.status, "Error"),
        status=problem.status,
        detail=problem.detail,
        instance=request.path,
        errors=[FieldError(field=k, reason=v) for k, v in problem.errors.items()],
    )
    answer = HttpResponse(body.model_dump_json(), status=problem.status, content_type=MEDIA_TYPE)
    for name, value in problem.headers.items():
        answer[name] = value
    answer["Cache-Control"] = "no-store"
    return answer
