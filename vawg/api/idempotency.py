"""Idempotency keys: a write retried with the same `Idempotency-Key` is answered from the
first call's answer and never stored twice.

The first call runs and its answer is kept in the same transaction, so either both are
stored or neither is. A second call with the key while the first is running waits on
the key's row and is then told to retry (409); the same key with a different request is
refused (422), as the IETF draft on the header says. A key is kept for KEPT_FOR (a day):
long enough for any retry, short enough that the answers kept stay few.
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from vawg.api.models import ApiToken, IdempotentCall
from vawg.api.problems import ApiProblem

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


def fingerprint(request: HttpRequest, fields: dict) -> str:
    """Of the operation and what was sent (a file by its own digest)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(json.dumps(fields, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def once(
    request: HttpRequest, token: ApiToken, fields: dict, run: Callable[[], tuple[int, dict]]
) -> HttpResponse:
    """Run the write (which returns its status and JSON body) at most once per key."""
    key = request.headers.get(HEADER)
    if key is None:
        with transaction.atomic():
            status, body = run()
        return _json(status, body)
    if not KEY.match(key):
        raise ApiProblem(
            400,
            f"The {HEADER} header must be 1 to 200 printable characters with no spaces.",
            {HEADER: "not a valid key"},
        )
    operation = f"{request.method} {request.path}"[:300]
    print_ = fingerprint(request, fields)
    # The token's keys past their day go first: such a key starts afresh.
    IdempotentCall.objects.filter(token=token, created_at__lt=timezone.now() - KEPT_FOR).delete()
    kept = IdempotentCall.objects.filter(token=token, key=key).first()
    if kept is not None:
        return _replay(kept, operation, print_)
    try:
        with transaction.atomic():
            status, body = run()
            IdempotentCall.objects.create(
                token=token,
                key=key,
                operation=operation,
                fingerprint=print_,
                status=status,
                body=body,
            )
    except IntegrityError:
        kept = IdempotentCall.objects.filter(token=token, key=key).first()
        if kept is None:
            raise
        return _replay(kept, operation, print_)
    return _json(status, body)


def _replay(kept: IdempotentCall, operation: str, print_: str) -> HttpResponse:
    if (kept.operation, kept.fingerprint) != (operation, print_):
        raise ApiProblem(
            422,
            f"This {HEADER} was used for a different request: send a new key for a new request.",
            {HEADER: "already used for a different request"},
        )
    answer = _json(kept.status, kept.body)
    answer["Idempotent-Replayed"] = "true"
    return answer


def _json(status: int, body: dict) -> HttpResponse:
    answer = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    answer["Cache-Control"] = "no-store"
    return answer
