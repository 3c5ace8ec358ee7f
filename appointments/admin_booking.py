"""Booking a client who phoned, in one screen: the page for a free time in Julie's calendar.

One form: find the client (or type a new one), the service, the time, a note, and a repeat
("every week for 6 sessions"). "Find" and "Check dates" reload the page with everything
typed kept; "Book" books through booking.book_series and goes back to the calendar Julie
came from (`next`), with the new session highlighted (`highlight=<pk>`, `#appointment-<pk>`).
"""

from datetime import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from services.models import Service

from . import booking
from .admin_fields import TIME_INVALID, TwelveHourTimeField
from .availability import wall_clock_to_utc
from .forms import (
    EmailAddressField,
    PhoneNumberField,
    TextField,
    business_years_only,
    parse_slot_start,
    slot_value,
)
from .hygiene import display_phone, phone_matches
from .models import Client

SEARCH_LIMIT = 8
NEW_CLIENT = "A new client: type their details below"
REPEAT_CHOICES = [("0", "No"), ("1", "Every week"), ("2", "Every 2 weeks")]
SERIES_MAX = 12

CLIENT_AND_NEW_DETAILS = (
    "You picked a client and also typed a new client's details. "
    'Pick "A new client", or clear the new client\'s name, email and phone.'
)
NEW_CLIENT_FIELD_REQUIRED = {
    "name": "Please type the new client's name, or find and pick a client above.",
    "email": "Please type the new client's email: their confirmation and reminders go there.",
    "phone": "Please type the new client's phone number.",
}
CANNOT_ADD_CLIENT = "You can book only for clients already on file. Find and pick the client above."
SESSIONS_COUNT = f"For a repeat, choose from 2 to {SERIES_MAX} sessions in all."
DATE_INVALID = "Please choose a date."


def find_clients(text, *, limit=SEARCH_LIMIT):
    """Clients whose name, email or phone matches what Julie typed (a phone number whatever
    its punctuation: "8605550149" finds "(860) 555-0149")."""
    text = " ".join(text.split())
    if not text:
        return []
    matches = Q(name__icontains=text) | Q(email__icontains=text)
    phone = phone_matches(text, "phone")
    if phone is not None:
        matches |= phone
    return list(Client.objects.filter(matches).order_by("name", "pk")[:limit])


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {display_phone(obj.phone)} · {obj.email}"


class PhoneBookingForm(forms.Form):
    """What Julie types to book a client who phoned; the found clients are the `client` choices."""

    find = forms.CharField(
        label="Find a client",
        required=False,
        max_length=100,
        help_text="Part of their name, email or phone number.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    client = ClientChoiceField(
        label="Client",
        queryset=Client.objects.none(),
        required=False,
        empty_label=NEW_CLIENT,
        blank=True,  # the "new client" choice, among the radios
        widget=forms.RadioSelect,
    )
    name = TextField(label="New client's name", required=False, max_length=100)
    email = EmailAddressField(
        label="New client's email",
        required=False,
        max_length=254,
        help_text="If a client already has this email, the session is booked for them.",
    )
    phone = PhoneNumberField(
        label="New client's phone", required=False, max_length=30, widget=forms.TextInput(attrs={"type": "tel"})
    )
    service = forms.ModelChoiceField(
        label="Service", queryset=Service.objects.filter(is_active=True).order_by("pk"), empty_label=None
    )
    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": DATE_INVALID, "invalid": DATE_INVALID},
    )
    start_time = TwelveHourTimeField(label="Time", error_messages={"required": TIME_INVALID})
    note = TextField(label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    repeat = forms.ChoiceField(label="Repeat", choices=REPEAT_CHOICES, initial="0", widget=forms.RadioSelect)
    count = forms.IntegerField(
        label="Sessions in all, when repeating",
        required=False,
        min_value=2,
        max_value=SERIES_MAX,
        initial=4,
        error_messages=dict.fromkeys(("min_value", "max_value", "invalid"), SESSIONS_COUNT),
    )
    book_anyway = forms.BooleanField(label="Book anyway, in my time off", label_suffix="", required=False)

    def __init__(self, *args, matches=(), can_add_client=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_add_client = can_add_client
        self.matches = list(matches)
        # The found clients, and the one already picked (a search for someone else keeps it).
        picked = self.data.get("client") or self.initial.get("client")
        picked_pk = int(picked) if str(picked or "").isdigit() else None
        self.fields["client"].queryset = Client.objects.filter(
            Q(pk__in=[client.pk for client in self.matches]) | Q(pk=picked_pk)
        ).order_by("name", "pk")
        self.fields["day"].validators.append(business_years_only)

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean(self):
        cleaned = super().clean()
        typed = [name for name in ("name", "email", "phone") if self.data.get(name, "").strip()]
        if cleaned.get("client") is not None:
            if typed:
                self.add_error("client", CLIENT_AND_NEW_DETAILS)
        elif "client" in cleaned:
            for name, message in NEW_CLIENT_FIELD_REQUIRED.items():
                if name not in typed:
                    self.add_error(name, message)
            email = cleaned.get("email")
            if email and not self.can_add_client and not Client.objects.filter(email=email).exists():
                self.add_error("email", CANNOT_ADD_CLIENT)
        if cleaned.get("repeat", "0") != "0" and cleaned.get("count") is None and "count" not in self.errors:
            self.add_error("count", SESSIONS_COUNT)
        return cleaned

    def starts(self):
        """The starts of the sessions to book: one, or the repeat's."""
        data = self.cleaned_data
        first = wall_clock_to_utc(data["day"], data["start_time"])
        every_weeks = int(data["repeat"])
        if not every_weeks:
            return [first]
        return booking.series_starts(first, every_weeks=every_weeks, count=data["count"])

    def booking_kwargs(self):
        """Who the sessions are for, as book_series takes it."""
        data = self.cleaned_data
        if data["client"] is not None:
            return {"client": data["client"]}
        return {"client_details": booking.ClientDetails(name=data["name"], email=data["email"], phone=data["phone"])}


def next_url(request):
    """Where to go back after booking or blocking off time: the calendar page Julie came from, if it is ours."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return None


def highlighted(url, appointment):
    """The URL with highlight=<pk> in its query and the session's anchor as its fragment."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != "highlight"]
    query.append(("highlight", str(appointment.pk)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), f"appointment-{appointment.pk}"))


def _booked_message(sessions):
    first = sessions[0]
    when = f"{timezone.localtime(first.start):%a %b %-d at %-I:%M %p}"
    name = first.client_name
    if len(sessions) == 1:
        return f"Booked {name} on {when}. The confirmation email goes out within a minute."
    return (
        f"Booked {len(sessions)} sessions for {name} from {when}. "
        "One confirmation email lists every date; each session gets its own reminder."
    )


def slot_view(model_admin, request):
    """The page for a free time: book a client there (one session or a repeat), or block it off."""
    slot_start = parse_slot_start(request.GET.get("start"))
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in ("find", "check", "book"):
        action = None
        if slot_start is None:  # opened without a time: the calendar to pick one
            return redirect("admin:appointments_calendar_week")
    can_add_client = request.user.has_perm("appointments.add_client")
    dates, checked = None, False
    if action in ("check", "book"):
        form = PhoneBookingForm(
            request.POST, matches=find_clients(request.POST.get("find", "")), can_add_client=can_add_client
        )
        if form.is_valid():
            service = form.cleaned_data["service"]
            if action == "check":
                dates, checked = booking.check_series(starts=form.starts(), length=service.duration), True
            else:
                try:
                    sessions = booking.book_series(
                        starts=form.starts(),
                        service=service,
                        now=timezone.now(),
                        note=form.cleaned_data["note"],
                        book_in_time_off=form.cleaned_data["book_anyway"],
                        **form.booking_kwargs(),
                    )
                except (booking.SeriesClash, booking.InTimeOff) as refused:
                    form.add_error(None, str(refused))
                    dates = refused.dates
                else:
                    messages.success(request, _booked_message(sessions))
                    return redirect(highlighted(next_url(request) or _week_of(sessions[0]), sessions[0]))
    else:
        # Opening the page, or "Find": nothing is checked yet, so no errors show, and
        # what was typed comes back as it was.
        initial = request.POST.dict() if action == "find" else _initial(slot_start)
        matches = find_clients(initial.get("find", ""))
        if len(matches) == 1 and not initial.get("client") and not _typed_new_client(initial):
            initial["client"] = str(matches[0].pk)  # the one client found: picked for her
        form = PhoneBookingForm(initial=initial, matches=matches, can_add_client=can_add_client)
        if action is None and initial["service"] is not None:
            # A time tapped inside her time off (or just taken) says so at once.
            dates = booking.check_series(starts=[slot_start], length=initial["service"].duration)
    values = form.data if form.is_bound else form.initial
    title = f"Book {timezone.localtime(slot_start):%A, %B %-d at %-I:%M %p}" if slot_start else "Book a session"
    context = {
        **model_admin._calendar_context(request, title),
        "form": form,
        # Each date is listed once checked, or when one is not free.
        "dates": dates if checked or (dates and not all(date.is_free for date in dates)) else None,
        # Her time off these dates fall in, each once: she must tick "Book anyway" to book there.
        "time_off": list(
            dict.fromkeys(booking.time_off_warning(date.time_off) for date in dates or [] if date.time_off is not None)
        ),
        "start_value": slot_value(slot_start) if slot_start else "",
        "can_block_off": request.user.has_perm("appointments.add_timeoff"),
        "next_url": next_url(request),
        "searched": bool(str(values.get("find", "")).strip()),
    }
    return TemplateResponse(request, "admin/appointments/calendar_slot.html", context)


def _week_of(appointment):
    return reverse("admin:appointments_calendar_week") + f"?day={timezone.localtime(appointment.start):%Y-%m-%d}"


def _typed_new_client(values):
    return any(str(values.get(name, "")).strip() for name in ("name", "email", "phone"))


def default_service():
    """The service a new booking starts with: the first active one (Julie offers one today)."""
    return Service.objects.filter(is_active=True).order_by("pk").first()


def _initial(slot_start):
    local = timezone.localtime(slot_start)
    return {
        "day": local.date(),
        "start_time": time(local.hour, local.minute),
        "service": default_service(),
        "repeat": "0",
        "count": 4,
    }
