"""The waitlist's pages: join a day's list, an offer (accept it with one POST), take me off.

Nothing is ever done on GET: mail scanners open links.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from appointments import availability
from appointments.models import BookingRules
from appointments.views import DATE_INVALID, _count_change, _refusal_if_too_many_changes

from . import offers
from .forms import AcceptForm, JoinForm
from .models import Offer, entry_from_token, offer_from_token


def _bad_link(request):
    return render(request, "waitlist/bad_link.html", status=404)


@never_cache  # it holds what the client typed about themselves
@require_http_methods(["GET", "POST"])
def join(request, day):
    chosen = availability.parse_date(day)
    if chosen is None:
        messages.error(request, DATE_INVALID)
        return redirect("appointments:days")
    now = timezone.now()
    form = JoinForm(request.POST or None)
    context = {"day": chosen, "form": form, "day_url": reverse("appointments:day", kwargs={"day": chosen.isoformat()})}
    first, last = offers.waitlist_days(now=now, rules=BookingRules.load())
    context["open"] = first <= chosen <= last
    if request.method == "POST" and form.is_valid():
        refusal = offers.why_not_join(chosen, form.cleaned_data["part"], now=now)
        if refusal == offers.FREE_TIME_FITS:
            context["free_time_fits"] = refusal  # news, not a mistake: a calm note with a link
        elif refusal:
            form.add_error(None, refusal)
        elif too_many := _refusal_if_too_many_changes(request, "waitlist", "waitlist/join.html", context):
            return too_many
        else:
            joined = offers.join(
                day=chosen, part=form.cleaned_data["part"], client_details=form.client_details(), now=now
            )
            _count_change(request, "waitlist")
            url = reverse("waitlist:joined", kwargs={"day": chosen.isoformat()})
            return redirect(url if joined.new else f"{url}?again")
    return render(request, "waitlist/join.html", context)


def joined(request, day):
    chosen = availability.parse_date(day)
    if chosen is None:
        return redirect("appointments:days")
    return render(request, "waitlist/joined.html", {"day": chosen, "again": "again" in request.GET})


def _offer_page(request, offer, *, now, form=None, gone="", status=200):
    context = {
        "offer": offer,
        "start": timezone.localtime(offer.start),
        "valid_until": timezone.localtime(offer.valid_until),
        "form": form or AcceptForm(),
        "gone": gone,
        "leave_url": offer.entry.leave_url(),
    }
    if gone:
        context["other_times"] = offers.other_times(timezone.localtime(offer.start).date(), now=now)
    return render(request, "waitlist/offer.html", context, status=status)


def _why_gone(offer, *, now):
    if offer.status == Offer.Status.ACCEPTED:
        return ""
    if not offer.entry.is_waiting(today=availability.business_today(now)):
        return offers.OFFER_LEFT
    if offer.status == Offer.Status.GONE:
        return offers.OFFER_TAKEN
    return "" if offer.is_open(now=now) else offers.OFFER_ENDED


@never_cache
@require_http_methods(["GET", "POST"])
def offer(request, token):
    offer = offer_from_token(token)
    if offer is None:
        return _bad_link(request)
    now = timezone.now()
    if offer.status == Offer.Status.ACCEPTED and offer.appointment:
        return redirect("appointments:confirmed", token=offer.appointment.manage_token)
    if request.method == "GET":
        return _offer_page(request, offer, now=now, gone=_why_gone(offer, now=now))
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return _offer_page(request, offer, now=now, form=form)
    try:
        appointment = offers.accept(offer=offer, now=now)
    except offers.OfferGone as exc:
        offer.refresh_from_db()
        return _offer_page(request, offer, now=now, gone=str(exc))
    return redirect("appointments:confirmed", token=appointment.manage_token)


@never_cache
@require_http_methods(["GET", "POST"])
def leave(request, token):
    entry = entry_from_token(token)
    if entry is None:
        return _bad_link(request)
    if request.method == "POST":
        offers.leave(entry=entry)
        entry.refresh_from_db()
    return render(request, "waitlist/leave.html", {"entry": entry})
