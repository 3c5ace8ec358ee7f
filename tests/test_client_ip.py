"""Rate limits and admin lockouts count per client, also behind the site's reverse proxy.

The rate limit seen through the proxy is tested with the booking views (tests/appointments/test_views.py)."""

import pytest
from django.test import RequestFactory

from posture_booking.client_ip import client_ip, client_network

PROXY = "127.0.0.1"


def request_from(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().post("/", **extra)


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        ("203.0.113.5", None, "203.0.113.5"),  # no proxy
        ("203.0.113.5", "198.51.100.7", "203.0.113.5"),  # a client's own header is not believed
        (PROXY, "198.51.100.7", "198.51.100.7"),  # the proxy names the client
        (PROXY, "10.9.9.9, 198.51.100.7", "198.51.100.7"),  # the client's forged entry comes first
        (PROXY, "2001:db8::1", "2001:db8::1"),
        (PROXY, "not-an-address", PROXY),  # garbage is not an address
        (PROXY, None, PROXY),  # the proxy itself, or a local visitor
        ("", "198.51.100.7", "198.51.100.7"),  # gunicorn on a Unix socket: no peer address
        ("", None, "127.0.0.1"),
        ("::ffff:203.0.113.5", None, "203.0.113.5"),  # IPv4 on a dual-stack socket
        (PROXY, "::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_ip_sees_through_only_the_trusted_proxy(remote_addr, forwarded_for, expected):
    assert client_ip(request_from(remote_addr, forwarded_for)) == expected


@pytest.mark.parametrize(
    ("trusted", "remote_addr", "expected"),
    [
        (["*"], "10.1.2.3", "198.51.100.7"),  # a platform's router, address unknown in advance
        (["10.0.0.0/8"], "10.1.2.3", "198.51.100.7"),
        (["10.0.0.0/8"], "192.0.2.1", "192.0.2.1"),
        (["127.0.0.1", " ::1"], "::1", "198.51.100.7"),  # "127.0.0.1, ::1" in the environment
    ],
)
def test_trusted_proxies_are_read_as_gunicorn_reads_them(settings, trusted, remote_addr, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(request_from(remote_addr, "198.51.100.7")) == expected


@pytest.mark.parametrize(
    ("remote_addr", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),  # IPv4: the address itself
        ("2001:db8:1:2::1", "2001:db8:1:2::"),  # IPv6: the /64 it belongs to
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::"),
        ("2001:db8:1:3::1", "2001:db8:1:3::"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_limits_count_an_ipv6_64_as_one_client(remote_addr, expected):
    assert client_network(request_from(remote_addr)) == expected
