"""A client's own page and the ways to it, without a password (the rules are in links.py).

Nothing is used up on GET (mail scanners open links): the emailed link shows one button,
and its POST uses it. Every page here is private: never cached, never indexed.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appointments.models import BookingRules
from appointments.views import _count_change, _refusal_if_too_many_changes

from . import links
from .forms import RequestLinkForm
from .models import LINK_LIFETIME
from .overview import client_overview

MINUTES = int(LINK_LIFETIME.total_seconds() // 60)


def _bad_link(request):
    return render(request, "clients/bad_link.html", status=404)


def _to_page(client, *, now):
    return redirect("clients:page", token=links.page_token(client, now=now))


@never_cache  # it holds what the client typed
@require_http_methods(["GET", "POST"])
def request_link(request):
    """ "Get a link to your sessions": the same answer whether the address is known or not."""
    form = RequestLinkForm(request.POST or None)
    context = {"form": form, "minutes": MINUTES}
    if request.method == "POST" and form.is_valid():
        if refusal := _refusal_if_too_many_changes(request, "sign_in", "clients/request.html", context):
            return refusal
        links.request_link(email=form.cleaned_data["email"], now=timezone.now())
        _count_change(request, "sign_in")
        return redirect("clients:sent")
    return render(request, "clients/request.html", context)


@never_cache
def sent(request):
    return render(request, "clients/sent.html", {"minutes": MINUTES})


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request, token):
    now = timezone.now()
    if request.method == "POST":
        client, refusal = links.use_link(token, now=now)
    else:
        link, refusal = links.read_link(token, now=now)
    if refusal == links.BAD:
        return _bad_link(request)
    if refusal == links.SPENT:
        return render(request, "clients/link_spent.html", {"minutes": MINUTES}, status=410)
    if request.method == "POST":
        return _to_page(client, now=now)
    return render(request, "clients/sign_in.html", {"action": reverse("clients:sign_in", kwargs={"token": token})})


@never_cache
def from_booking(request, token):
    """ "All your sessions" on a manage page: that link is the key, while it works."""
    now = timezone.now()
    client = links.client_from_manage_token(token, now=now)
    return _bad_link(request) if client is None else _to_page(client, now=now)


@never_cache
def page(request, token):
    now = timezone.now()
    client = links.client_from_page_token(token, now=now)
    if client is None:
        return _bad_link(request)
    rules = BookingRules.load()
    context = {"client": client, "rules": rules, "overview": client_overview(client, now=now, rules=rules)}
    return render(request, "clients/page.html", context)
