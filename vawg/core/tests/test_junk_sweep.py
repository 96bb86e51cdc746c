"""Junk in, never a 500: every GET page of the URL sweep, with junk in its query and its path.

For every GET URL that the URL sweep knows (its rules and `url_for`, test_url_sweep.py), and
for each value in JUNK:

* query junk: each query parameter the page reads is sent alone with each junk value. The
  parameters are found by reading the page normally while recording the keys the view asks
  its query for (`get`, `[]`, `getlist`, `in`), again with all of them set (some keys are read
  only once others are there), and from the fields of every GET form on the page (a form
  bound only to a non-empty query reads nothing on a bare request);
* path junk: each path argument (pk, partnership, strategy, kind, format, token...) is
  replaced by each junk value.

Every answer must be 200 (the page ignores or explains the bad value), 302, 400 or 404, and
a 400 or 404 must be the designed error page (or, for a 400, the page itself with its
error summary: a filter form that explains what is wrong with the query).

The role dimension, only where it matters:

* path junk the URL's converters refuse (text for an `int`, anything for a `slug` that is not
  one) is a 404 from the resolver before any view runs, the same for everyone: it is sent
  once. Path junk that reaches the view (a huge number, a slug-shaped word, anything in a
  `str`) is sent as every role allowed to see the page, since views scope what they look up
  by role (a practitioner's own referrals, a chair's workstream);
* query junk is sent as one allowed role (the first in Role order, usually the one that sees
  most of the page): the query is read after the access check, by the same code for every role;
* one role not allowed sends every key at once with each junk value, and the path junk that
  reaches the view, and must get its designed refusal (302 to sign in, 403 or 404) whatever
  the junk (or a 404 where the junk names no partnership).

The data (Wandsworth's real plan and one of each object) is built once per module, so once per
xdist worker, in a transaction rolled back at the end; each test runs in a savepoint, and each
request in its own, so that a database error is that request's failure and not the next one's.
"""

from contextlib import contextmanager
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from vawg.accounts.models import Membership
from vawg.accounts.testing import make_member
from vawg.core.permissions import Role
from vawg.core.testing import make_organisation, make_partnership
from vawg.core.tests.sweep import PUBLIC, SIGNED_IN
from vawg.core.tests.test_url_sweep import (
    EXPECTED,
    _app_rule_modules,
    allowed,
    expected_statuses,
    url_for,
    url_names,
)
from vawg.strategy import editing
from vawg.strategy.loader import load_strategy_file
from vawg.strategy.models import Action, Quirk, Strategy

JUNK = (
    "abc",
    "-1",
    "99999999999999999999",
    "é🙂\u0000",
    "",
    "' OR 1=1 --",
    "../../etc",
    "x" * 5000,
)
# What junk may get from a page its sender may see.
FINE = frozenset({200, 302, 400, 404})
# The designed error pages (templates/errors), by a line only they have.
DESIGNED = {
    400: '<h1 class="govuk-heading-l">Sorry, there is a problem with the request</h1>',
    403: '<h1 class="govuk-heading-l">You do not have permission to see this page</h1>',
    404: '<h1 class="govuk-heading-l">Page not found</h1>',
}
# A page that answers 400 itself says what is wrong in the GOV.UK error summary.
ERROR_SUMMARY = 'class="govuk-error-summary"'
# Pages whose path chooses what the page is, and so what it reads: one of each.
VARIANTS = {"strategy:plan-item-add": [{"kind": kind} for kind in editing.KINDS]}

GET_URLS = sorted(name for name in url_names() if not EXPECTED[name].post_only)
PAGES = [
    pytest.param(name, variant, id=f"{name}[{','.join(variant.values())}]" if variant else name)
    for name in GET_URLS
    for variant in VARIANTS.get(name, [{}])
]
# Placeholders that reverse() accepts in a slug or str argument, and in an int one.
SLOTS = ("junk-slot-here", 918273645)


@pytest.fixture(scope="module")
def junk_world(django_db_setup, django_db_blocker):
    """As the URL sweep's `world` and `personas`, built once and rolled back at the end."""
    hashers = ["vawg.core.testing.FastArgon2PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)


def _build_world():
    partnership = make_partnership("wandsworth", "Wandsworth")
    make_organisation(partnership, "Wandsworth Council – Community Safety")
    other = make_partnership("lambeth", "Lambeth")
    make_organisation(other, "Lambeth Council – Community Safety")
    personas = {role.value: make_member(role, partnership) for role in Role}
    personas["outsider"] = make_member(Role.PARTNERSHIP_ADMIN, other)
    load_strategy_file(settings.SEED_STRATEGY_FILES[0])
    strategy = Strategy.objects.get(partnership=partnership)
    board = personas[Role.BOARD_MEMBER]
    app_kwargs = {}
    for module in _app_rule_modules():
        if hasattr(module, "sweep_kwargs"):
            app_kwargs.update(module.sweep_kwargs(partnership, personas))
    world = {
        "strategy": strategy.slug,
        "action": Action.objects.filter(strategy=strategy).first().pk,
        "quirk": Quirk.objects.filter(strategy=strategy, resolved_at__isnull=True).first().pk,
        "membership": Membership.objects.get(user=board, partnership=partnership).pk,
        "app_kwargs": app_kwargs,
    }
    return world, personas


@contextmanager
def reads_of_queries():
    """The keys asked of any QueryDict (a request's GET, or a copy of it) meanwhile."""
    keys: set[str] = set()
    names = ("__getitem__", "__contains__", "get", "getlist")
    own = {name: QueryDict.__dict__.get(name) for name in names}

    def recording(method):
        def read(self, key, *args, **kwargs):
            keys.add(key)
            return method(self, key, *args, **kwargs)

        return read

    for name in names:
        setattr(QueryDict, name, recording(getattr(QueryDict, name)))
    try:
        yield keys
    finally:
        for name, method in own.items():
            if method is None:
                delattr(QueryDict, name)
            else:
                setattr(QueryDict, name, method)


class GetFormFields(HTMLParser):
    """The names of the fields of the forms on a page that send a GET to the page itself."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.inside = False
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            target = urlsplit(attrs.get("action") or "").path
            self.inside = method == "get" and target in ("", self.path)
        elif self.inside and tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def keys_read(client: Client, url: str) -> set[str]:
    with reads_of_queries() as keys, transaction.atomic():
        response = client.get(url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser = GetFormFields(urlsplit(url).path)
        parser.feed(response.content.decode())
        # A GET changes nothing, and a token there would land in the address bar and logs.
        assert "csrfmiddlewaretoken" not in parser.names, f"{url}: a GET form carries a CSRF token"
        keys |= parser.names
    if keys:
        with reads_of_queries() as more, transaction.atomic():
            client.get(url, dict.fromkeys(keys, "1"))
        keys |= more
    return keys


def answer(client: Client, url: str, data=None, *, expect, label: str) -> str | None:
    """None if `client` gets one of `expect` (a designed page if an error), else what it got."""
    try:
        with transaction.atomic():
            response = client.get(url, data)
    except Exception as error:  # any exception is the failure being looked for
        return f"{label}: raised {type(error).__name__}: {str(error)[:200]}"
    status = response.status_code
    if status not in expect:
        return f"{label}: {status}"
    if status in DESIGNED:
        html = response.content.decode(errors="replace")
        # A 400 may also be the page itself, explaining what is wrong with its filters.
        explained = status == 400 and ERROR_SUMMARY in html
        if DESIGNED[status] not in html and not explained:
            return f"{label}: {status} is not the designed page"
    return None


def with_junk(name: str, kwargs: dict, key: str, junk: str) -> str:
    """The URL `name` with its argument `key` replaced by `junk` (percent-encoded)."""
    for slot in SLOTS:
        try:
            url = reverse(name, kwargs={**kwargs, key: slot})
        except NoReverseMatch:
            continue
        return url.replace(str(slot), quote(junk, safe=""))
    raise AssertionError(f"no placeholder fits {name}'s {key}")


def reaches_view(url: str, name: str) -> bool:
    try:
        return resolve(unquote(urlsplit(url).path)).view_name == name
    except Resolver404:
        return False


def short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"


@pytest.mark.parametrize(("name", "variant"), PAGES)
def test_junk_never_gets_a_server_error(name, variant, junk_world, db):
    world, personas = junk_world
    rule = EXPECTED[name]
    url = url_for(name, world)
    # The arguments in the path (not those the URL configuration adds, such as a format).
    kwargs = resolve(urlsplit(url).path).captured_kwargs
    if variant:
        kwargs = {**kwargs, **variant}
        url = reverse(name, kwargs=kwargs)

    people = {"anonymous": None, **personas}
    if rule.who == PUBLIC:
        seers, refused = ["anonymous"], None
    else:
        seers = [p for p in personas if allowed(rule, p)]
        refused = (
            "anonymous"
            if rule.who == SIGNED_IN
            else next(p for p in personas if not allowed(rule, p))
        )
    clients = {}
    for persona in {*seers, refused} - {None}:
        clients[persona] = Client()
        if people[persona] is not None:
            clients[persona].force_login(
                people[persona], backend="django.contrib.auth.backends.ModelBackend"
            )

    # A public URL's own answers count as fine too: the partner API's operations refuse a
    # call without a token with 401 (their junk, sent with a token, is tested against the
    # API's schema in vawg/api/tests/test_schema.py).
    fine = FINE | rule.ok if rule.who == PUBLIC else FINE
    failures = []
    first = clients[seers[0]]
    keys = sorted(keys_read(first, url))
    for key in keys:
        for junk in JUNK:
            label = f"{seers[0]} GET {url}?{key}={short(junk)!r}"
            failures.append(answer(first, url, {key: junk}, expect=fine, label=label))

    for key in sorted(kwargs):
        for junk in JUNK:
            junk_url = with_junk(name, kwargs, key, junk)
            if not reaches_view(junk_url, name):
                label = f"{seers[0]} GET {short(junk_url)} ({key}={short(junk)!r})"
                failures.append(answer(first, junk_url, expect=fine, label=label))
                continue
            for persona in seers:
                label = f"{persona} GET {short(junk_url)} ({key}={short(junk)!r})"
                failures.append(answer(clients[persona], junk_url, expect=fine, label=label))
            if refused is not None:
                # Refused as before, or not found: junk may name no partnership at all.
                refusal = expected_statuses(rule, refused) | {404}
                label = f"{refused} (refused) GET {short(junk_url)} ({key}={short(junk)!r})"
                failures.append(answer(clients[refused], junk_url, expect=refusal, label=label))

    if refused is not None and keys:
        refusal = expected_statuses(rule, refused)
        for junk in JUNK:
            label = f"{refused} (refused) GET {url} with every key={short(junk)!r}"
            data = dict.fromkeys(keys, junk)
            failures.append(answer(clients[refused], url, data, expect=refusal, label=label))

    failures = [failure for failure in failures if failure]
    assert not failures, f"{name}, reading {keys}:\n" + "\n".join(failures[:40])
