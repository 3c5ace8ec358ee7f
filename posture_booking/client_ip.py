"""The address a request really came from, and the one the public forms' rate limit and
admin lockouts count (client_network)."""

import ipaddress
from functools import lru_cache

from django.conf import settings

# One IPv6 customer gets a whole /64 (18 quintillion addresses): counting single
# addresses would let one guesser rotate through them. Count the /64 instead.
IPV6_PREFIX_LENGTH = 64

# Over a Unix socket from the local proxy there is no peer address; the request came from this machine.
LOCAL_SOCKET_ADDRESS = "127.0.0.1"


def _ip_address(text):
    """The address in text (an IPv4 address written as IPv6, ::ffff:a.b.c.d, as IPv4), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


@lru_cache(maxsize=8)
def _trusted_networks(entries):
    """FORWARDED_ALLOW_IPS as gunicorn reads it: addresses, networks (10.0.0.0/8) or "*" for any."""
    entries = [entry.strip() for entry in entries if entry.strip()]
    if "*" in entries:
        return [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _from_trusted_proxy(address):
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request):
    """The client's IP address, seen through the site's own reverse proxy.

    Behind nginx or a platform's router every request arrives from the proxy, so a
    limit keyed on REMOTE_ADDR would treat all clients as one. When the request comes
    from a trusted proxy (TRUSTED_PROXIES), or over a Unix socket, the client is the
    last X-Forwarded-For entry: the one the proxy itself appended. Entries before it
    are whatever the client chose to send, so they are ignored.
    """
    remote = _ip_address(request.META.get("REMOTE_ADDR") or "")
    if remote is None or _from_trusted_proxy(remote):
        forwarded = _ip_address(request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1])
        if forwarded is not None:
            return str(forwarded)
    return str(remote) if remote is not None else LOCAL_SOCKET_ADDRESS


def client_network(request):
    """What rate limits and admin lockouts count: the client's IPv4 address, or for
    IPv6 the first address of its /64 (a plain address, so it fits django-axes'
    address column), so every address of one IPv6 customer counts as one."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX_LENGTH}", strict=False).network_address)
    return str(address)
