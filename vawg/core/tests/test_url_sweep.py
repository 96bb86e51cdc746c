"""Every URL in the URL configuration, against every role and an anonymous visitor.

A new URL cannot be added without saying who may see it: the sweep fails on
any URL name missing from EXPECTED, which gathers each app's
`tests/url_rules.py` (see sweep.py). The answers are checked through the
real middleware and decorators, so a view that forgets its declaration, or
declares the wrong permission, fails here. The same rules then check each page's
links: no role is shown a link to a page it would be refused.
"""

import importlib
import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from vawg.accounts.models import Membership
from vawg.core.permissions import Role
from vawg.core.tests.sweep import ADMIN, PUBLIC, REGIONAL, SIGNED_IN, STAFF, Rule
from vawg.strategy.loader import load_strategy_file
from vawg.strategy.models import Action, Quirk, Strategy


def _app_rule_modules():
    """Each of our apps' `tests/url_rules.py`, where it has one."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("vawg."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.tests.url_rules"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.tests.url_rules":
                raise
    return modules


EXPECTED: dict[str, Rule] = {
    # core
    "core:home": Rule(PUBLIC),
    "core:accessibility": Rule(PUBLIC),
    "core:privacy": Rule(PUBLIC),
    "core:leave": Rule(PUBLIC),
    "core:healthz": Rule(PUBLIC),
    "core:partnership-theme": Rule(PUBLIC),
    "core:partnership-list": Rule(SIGNED_IN),
    "core:partnership-home": Rule(STAFF),
    "core:region-home": Rule(REGIONAL),
    "core:region-borough": Rule(REGIONAL),
    # accounts
    "accounts:sign-in": Rule(PUBLIC),
    "accounts:set-password": Rule(PUBLIC),
    "accounts:sign-out": Rule(SIGNED_IN, post_only=True),
    "accounts:account": Rule(SIGNED_IN),
    "accounts:password-change": Rule(SIGNED_IN),
    "accounts:two-factor-setup": Rule(SIGNED_IN),
    "accounts:two-factor-verify": Rule(SIGNED_IN),
    "accounts:two-factor-remove": Rule(SIGNED_IN, post_only=True),
    "accounts:member-list": Rule(ADMIN),
    "accounts:member-add": Rule(ADMIN),
    "accounts:member-edit": Rule(ADMIN),
    "accounts:member-end": Rule(ADMIN, post_only=True),
    # audit
    "audit:event-list": Rule(ADMIN),
    # strategy
    "strategy:strategy-list": Rule(STAFF),
    "strategy:strategy-detail": Rule(STAFF),
    "strategy:action-search": Rule(STAFF),
    "strategy:action-detail": Rule(STAFF),
    "strategy:export": Rule(STAFF),
    "strategy:quirk-list": Rule(ADMIN),
    "strategy:quirk-resolve": Rule(ADMIN),
}
for _module in _app_rule_modules():
    _clash = EXPECTED.keys() & _module.RULES.keys()
    assert not _clash, f"URL rules declared twice: {sorted(_clash)}"
    EXPECTED.update(_module.RULES)


def url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL, with its namespace, except the operators' Django admin."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.fixture
def world(personas, partnership):
    """Wandsworth's real strategy, and one of each object a URL can name."""
    load_strategy_file(settings.SEED_STRATEGY_FILES[0])
    strategy = Strategy.objects.get(partnership=partnership)
    member = Membership.objects.get(user=personas[Role.BOARD_MEMBER], partnership=partnership)
    app_kwargs = {}
    for module in _app_rule_modules():
        if hasattr(module, "sweep_kwargs"):
            app_kwargs.update(module.sweep_kwargs(partnership, personas))
    return {
        "strategy": strategy.slug,
        "action": Action.objects.filter(strategy=strategy).first().pk,
        "quirk": Quirk.objects.filter(strategy=strategy, resolved_at__isnull=True).first().pk,
        "membership": member.pk,
        "app_kwargs": app_kwargs,
    }


PK_FOR = {
    "strategy:action-detail": "action",
    "strategy:quirk-resolve": "quirk",
    "accounts:member-edit": "membership",
    "accounts:member-end": "membership",
}


def url_for(name: str, world: dict) -> str:
    if name in world["app_kwargs"]:
        kwargs = dict(world["app_kwargs"][name])
        if "partnership" in _kwarg_names(name):
            kwargs.setdefault("partnership", "wandsworth")
        return reverse(name, kwargs=kwargs)
    kwargs_by_name = {
        "partnership": "wandsworth",
        "region": "london",
        "strategy": world["strategy"],
        "fmt": "json",
        "uidb64": "MQ",
        "token": "not-a-real-token",
    }
    pattern_kwargs = _kwarg_names(name)
    kwargs = {k: kwargs_by_name[k] for k in pattern_kwargs if k != "pk"}
    if "pk" in pattern_kwargs:
        kwargs["pk"] = world[PK_FOR[name]]
    return reverse(name, kwargs=kwargs)


def _kwarg_names(name: str) -> set[str]:
    resolver = get_resolver()
    namespace, _, short = name.rpartition(":")
    for ns in namespace.split(":") if namespace else []:
        resolver = resolver.namespace_dict[ns][1]
    possibilities = resolver.reverse_dict.getlist(short)
    return set(possibilities[0][0][0][1]) if possibilities else set()


def allowed(rule: Rule, persona: str) -> bool:
    if rule.who == PUBLIC:
        return True
    if persona == "anonymous":
        return False
    return rule.who == SIGNED_IN or persona in rule.who


def expected_statuses(rule: Rule, persona: str) -> set[int]:
    """What `persona` should get from a URL governed by `rule` (a GET, or a refused POST)."""
    if rule.who == PUBLIC:
        return set(rule.ok)
    if allowed(rule, persona):
        return {405} if rule.post_only else set(rule.ok)
    if persona == "anonymous":
        return {302}
    # Outsiders, and anyone not a member of the partnership or region, get a 404
    # so that its existence is not confirmed; members without the role a 403.
    if persona == "outsider" or rule.who == REGIONAL or persona == Role.REGIONAL_OFFICER:
        return {404}
    return {403}


def test_every_url_declares_who_may_see_it():
    names = url_names()
    missing = sorted(names - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - names)
    assert not missing, f"Say in EXPECTED who may see: {missing}"
    assert not stale, f"EXPECTED names URLs that no longer exist: {stale}"


def test_every_url_answers_every_role_as_declared(client, personas, world):
    people = {"anonymous": None, **personas}
    failures = []
    for name in sorted(url_names()):
        rule = EXPECTED[name]
        url = url_for(name, world)
        for persona, user in people.items():
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            status = client.get(url).status_code
            if status not in expected_statuses(rule, persona):
                failures.append(f"{persona} GET {url} ({name}): {status}")
            if rule.post_only and not allowed(rule, persona):
                # A refused POST is refused by the access check, not by the method.
                status = client.post(url).status_code
                if status not in expected_statuses(rule, persona):
                    failures.append(f"{persona} POST {url} ({name}): {status}")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name in sorted(url_names()):
        rule = EXPECTED[name]
        if rule.who == PUBLIC:
            continue
        response = client.get(url_for(name, world))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:sign-in")), name


def test_the_django_admin_is_for_platform_operators_only(client, personas):
    for user in personas.values():
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get("/operators/")
        assert response.status_code == 302
        assert "/operators/login/" in response["Location"]


HREF = re.compile(r"""<a\b[^>]*\bhref="(/[^"#]*)""")


def links_refused(html: str, persona: str) -> list[str]:
    """The links on a page its reader could not follow: to a URL their role may not open,
    to one that takes only a POST (a 405 when followed), or to no URL at all."""
    refused = []
    for href in sorted(set(HREF.findall(html))):
        path = urlsplit(href.replace("&amp;", "&")).path
        if path.startswith(settings.STATIC_URL):
            continue
        try:
            match = resolve(path)
        except Resolver404:
            refused.append(f"{href} (no such page)")
            continue
        if match.kwargs.get("partnership", "wandsworth") != "wandsworth":
            continue  # the sweep's roles are Wandsworth's: elsewhere a persona is another
        name = match.view_name
        rule = EXPECTED.get(name)
        if rule is None:  # the operators' Django admin, outside the sweep
            continue
        if rule.post_only:
            refused.append(f"{href} ({name} takes only a POST)")
        elif not allowed(rule, persona):
            refused.append(f"{href} ({name} is not for {persona})")
    return refused


def test_no_page_offers_a_link_its_reader_may_not_follow(client, personas, world):
    """Each page, as each role sees it, links only where that role may go: a link to a
    refusal is a dead end for the person reading it."""
    people = {"anonymous": None, **personas}
    failures = []
    for name in sorted(url_names()):
        rule = EXPECTED[name]
        url = url_for(name, world)
        for persona, user in people.items():
            if rule.post_only or not allowed(rule, persona):
                continue
            client.logout()
            if user is not None:
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for link in links_refused(response.content.decode(), persona):
                failures.append(f"{persona} on {url} ({name}): {link}")
    assert not failures, "\n".join(failures)
