"""Rate limits and admin lockouts count per client, also behind the site's reverse proxy.

The rate limit seen through the proxy is tested with the booking views (tests/appointments/test_views.py)."""

import pytest
from django.test import RequestFactory

from posture_booking.client_ip import client_ip

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
    ],
)
def test_client_ip_sees_through_only_the_trusted_proxy(remote_addr, forwarded_for, expected):
    assert client_ip(request_from(remote_addr, forwarded_for)) == expected
