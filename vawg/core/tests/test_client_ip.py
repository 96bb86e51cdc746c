"""The client's address: REMOTE_ADDR without proxies, our proxies' own entry behind them."""

import pytest
from django.test import RequestFactory

from vawg.core.client import client_ip

PROXY = "10.0.0.5"
CLIENT = "198.51.100.10"


def request(remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_it_is_the_connection_and_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(CLIENT)) == CLIENT
    assert client_ip(request(CLIENT, forwarded="192.0.2.1")) == CLIENT


def test_behind_one_proxy_it_is_the_entry_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded=CLIENT)) == CLIENT


@pytest.mark.parametrize(
    "forged",
    ["192.0.2.1", "192.0.2.1, 192.0.2.2", "127.0.0.1", "unknown", "", "not an address, 10.0.0.1"],
)
def test_what_the_client_writes_in_the_header_never_changes_the_address(settings, forged):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw to whatever header the client sent.
    assert client_ip(request(forwarded=f"{forged}, {CLIENT}" if forged else CLIENT)) == CLIENT


def test_behind_two_proxies_it_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # client -> outer proxy (appends CLIENT) -> inner proxy (appends the outer's address).
    assert client_ip(request(forwarded=f"192.0.2.1, {CLIENT}, 10.0.0.4")) == CLIENT


def test_a_request_that_did_not_pass_the_proxy_counts_as_its_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(CLIENT)) == CLIENT
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(PROXY, forwarded=CLIENT)) == PROXY


def test_an_entry_that_is_not_an_address_counts_as_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="192.0.2.1, garbage")) == PROXY


def test_addresses_have_one_spelling_and_none_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(forwarded="2001:0db8:0000::0001")) == "2001:db8::1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("")) is None
    assert client_ip(None) is None


def test_the_audit_trail_rate_limits_and_lockouts_share_it(settings):
    from django.conf import settings as live

    from vawg.audit import services

    assert services.client_ip is client_ip
    assert live.AXES_CLIENT_IP_CALLABLE == "vawg.core.client.client_ip"
