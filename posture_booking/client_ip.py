"""The address a request really came from, for the public forms' rate limit and admin lockouts."""

import ipaddress

from django.conf import settings

# Over a Unix socket from the local proxy there is no peer address; the request came from this machine.
LOCAL_SOCKET_ADDRESS = "127.0.0.1"


def _is_ip_address(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_ip(request):
    """The client's IP address, seen through the site's own reverse proxy.

    Behind nginx or a platform's router every request arrives from the proxy, so a
    limit keyed on REMOTE_ADDR would treat all clients as one. When the request comes
    from a trusted proxy (TRUSTED_PROXIES), or over a Unix socket, the client is the
    last X-Forwarded-For entry: the one the proxy itself appended. Entries before it
    are whatever the client chose to send, so they are ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    if not remote or remote in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        if _is_ip_address(forwarded):
            return forwarded
    return remote or LOCAL_SOCKET_ADDRESS
