"""How a read answers: one page of a list, with an ETag, or 304 when nothing changed.

The ETag is the SHA-256 of the body itself, so it changes exactly when what the caller
would receive changes: a nightly pull that sends it back as `If-None-Match` fetches only
what moved. Bodies are private to the token's partnership: caches may keep them only in
the caller's own client, and must ask again each time.
"""

import hashlib
import math

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Schema
from pydantic import BaseModel

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
CACHE_CONTROL = "private, no-cache"


class Paging(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    next: str | None
    previous: str | None


def page_of(request: HttpRequest, items: list, *, page: int, page_size: int) -> tuple[list, dict]:
    """The items on `page` (from 1), and the paging fields that describe it."""
    count = len(items)
    pages = max(1, math.ceil(count / page_size))
    first = (page - 1) * page_size
    return items[first : first + page_size], {
        "count": count,
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "next": _link(request, page + 1) if page < pages else None,
        "previous": _link(request, page - 1) if 1 < page <= pages else None,
    }


def _link(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return f"{request.path}?{query.urlencode()}"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def conditional(request: HttpRequest, payload: BaseModel) -> HttpResponse:
    body = payload.model_dump_json().encode()
    etag = etag_of(body)
    sent = request.headers.get("If-None-Match", "")
    if etag in {tag.strip() for tag in sent.split(",")} or sent.strip() == "*":
        answer = HttpResponseNotModified()
    else:
        answer = HttpResponse(body, content_type="application/json")
    answer["ETag"] = etag
    answer["Cache-Control"] = CACHE_CONTROL
    answer["Vary"] = "Authorization"
    return answer
