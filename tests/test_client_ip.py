"""Rate limits and admin lockouts count per client, also behind the site's reverse proxy."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

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


@pytest.mark.django_db
def test_behind_the_proxy_one_busy_client_does_not_lock_out_the_others(client, settings):
    settings.FORM_RATE_LIMIT = "2/m"
    url = reverse("appointments:details")
    for _ in range(3):
        busy = client.post(url, {"email": "bad"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert busy.status_code == 429

    other = client.post(url, {"email": "bad"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 200, "another client behind the same proxy is not rate limited"
