"""Julie's day in admin: the day view (her phone's calendar), the next free time, moving
a session to a free time of any day, and marking a session completed or a no-show.
Thin views: agenda, availability and booking hold the rules.
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from . import admin_booking, agenda, booking
from .availability import free_slots_on, next_free_slot, parse_date, rules_for_julie
from .forms import parse_slot_start, slot_value
from .models import Appointment

# Julie offers one-hour sessions; the length of free times when no service is active.
DEFAULT_SESSION_LENGTH = timedelta(hours=1)
DATE_INVALID = "Please choose a date such as {example}."
NO_FREE_TIME = "No free time in the coming year: check your working hours and time off."
NEXT_FREE_TIME = "The next free time is {when}."
CHOOSE_A_TIME = "Please choose one of the free times below."
MOVED = "Moved {name} to {when}; they will get an email about the new time."
ALREADY_THERE = "{name} is already booked at {when}: nothing changed."
# What the day view's two buttons post, and what Julie reads after each.
MARKED = {
    Appointment.Status.COMPLETED: "Marked {name}'s {time} session completed.",
    Appointment.Status.NO_SHOW: "Marked {name}'s {time} session as a no-show.",
}
CHOOSE_A_STATUS = "Please tap Completed or No-show."
SESSION_GONE = "That session no longer exists: nothing was marked."


def showing_cancelled(request):
    return request.GET.get("cancelled") == "1"


def highlighted_pk(request):
    """The session to highlight (?highlight=<pk>, set after booking or moving it), or None."""
    value = request.GET.get("highlight", "")
    return int(value) if value.isdigit() else None


def day_url(day, *, with_cancelled=False):
    query = {"day": day.isoformat(), **({"cancelled": "1"} if with_cancelled else {})}
    return reverse("admin:appointments_calendar_day") + "?" + urlencode(query)


def calendar_nav(request, *, mode, day, previous, following):
    """The calendar nav bar's links (_calendar_nav.html): previous and following are the
    query parameters of the pages before and after this one. Each link keeps the cancelled
    toggle as it is; the toggle keeps the page."""
    with_cancelled = showing_cancelled(request)
    keep = {"cancelled": "1"} if with_cancelled else {}
    here = {key: request.GET[key] for key in ("day", "month") if key in request.GET}
    return {
        "mode": mode,
        "day": day,
        "with_cancelled": with_cancelled,
        "previous_query": urlencode({**previous, **keep}),
        "next_query": urlencode({**following, **keep}),
        "today_query": urlencode(keep),
        "cancelled_query": urlencode({**here, **({} if with_cancelled else {"cancelled": "1"})}),
    }


def _date_from(request, name, *, default):
    """The date in a GET parameter; a friendly message and the default when it is not one."""
    text = request.GET.get(name)
    day = parse_date(text, default=None)
    if day is None:
        if text:
            messages.error(request, DATE_INVALID.format(example=f"{default:%Y-%m-%d}"))
        return default
    return day


def _session_length():
    service = admin_booking.default_service()
    return service.duration if service else DEFAULT_SESSION_LENGTH


def session_time(start):
    """A session's time as a list shows it: "Tue Dec 8, 2:30 PM" (with the year if not this one's)."""
    local = timezone.localtime(start)
    if local.year == timezone.localdate().year:
        return f"{local:%a %b %-d, %-I:%M %p}"
    return f"{local:%a %b %-d, %Y, %-I:%M %p}"


def day_view(model_admin, request):
    """One day as a list: sessions (with phone and badges), time off, closed time, free times."""
    now = timezone.now()
    today = timezone.localdate()
    day = _date_from(request, "day", default=today)
    with_cancelled = showing_cancelled(request)
    plan = agenda.day_plan(day, now=now, length=_session_length(), with_cancelled=with_cancelled)
    context = {
        **model_admin._calendar_context(request, f"{day:%A, %B %-d, %Y}"),
        **calendar_nav(
            request,
            mode="day",
            day=day,
            previous={"day": (day - timedelta(days=1)).isoformat()},
            following={"day": (day + timedelta(days=1)).isoformat()},
        ),
        "plan": plan,
        "today": today,
        "now": now,
        "cancelled_count": plan.cancelled_count,
        "highlight": highlighted_pk(request),
        "highlight_slot": parse_slot_start(request.GET.get("free")),
        "this_day_url": day_url(day, with_cancelled=with_cancelled),
        "can_change": model_admin.has_change_permission(request),
    }
    return TemplateResponse(request, "admin/appointments/calendar_day.html", context)


def next_free_view(model_admin, request):
    """The day of the next free time, with that time highlighted."""
    slot = next_free_slot(now=timezone.now(), length=_session_length(), rules=rules_for_julie())
    if slot is None:
        messages.info(request, NO_FREE_TIME)
        return redirect("admin:appointments_calendar_day")
    messages.info(request, NEXT_FREE_TIME.format(when=session_time(slot.start)))
    local = slot.local_start
    return redirect(f"{day_url(local.date())}&{urlencode({'free': slot_value(slot.start)})}#free-{local:%H%M}")


def move_view(model_admin, request, pk):
    """Move a session: the free times of a day (any day she picks), one button each."""
    appointment = get_object_or_404(Appointment.objects.select_related("client", "service"), pk=pk)
    now = timezone.now()
    if request.method == "POST":
        return _move(request, appointment, now=now)
    today = timezone.localdate()
    default_day = max(timezone.localtime(appointment.start).date(), today)
    day = _date_from(request, "day", default=default_day)
    refusal = booking.move_refusal(appointment, now=now)
    slots = []
    if refusal is None:
        slots = [
            slot
            for slot in free_slots_on(
                day,
                now=now,
                length=appointment.service.duration,
                rules=rules_for_julie(),
                ignore_appointment=appointment,
            )
            if slot.start != appointment.start
        ]
    name = appointment.client_name or appointment.client.name
    context = {
        **model_admin._calendar_context(request, f"Move {name}'s session"),
        "appointment": appointment,
        "name": name,
        "refusal": refusal,
        "day": day,
        "slots": slots,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "session_day_url": day_url(timezone.localtime(appointment.start).date()),
    }
    return TemplateResponse(request, "admin/appointments/calendar_move.html", context)


def _move(request, appointment, *, now):
    move_page = reverse("admin:appointments_calendar_move", args=[appointment.pk])
    new_start = parse_slot_start(request.POST.get("start"))
    if new_start is None:
        messages.error(request, CHOOSE_A_TIME)
        return redirect(move_page)
    name = appointment.client_name or appointment.client.name
    try:
        moved = booking.move_appointment_from_admin(appointment=appointment, new_start=new_start, now=now)
    except booking.BookingError as refused:
        messages.error(request, str(refused))
        return redirect(f"{move_page}?{urlencode({'day': timezone.localtime(new_start).date().isoformat()})}")
    if moved.start == appointment.start:
        messages.info(request, ALREADY_THERE.format(name=name, when=session_time(moved.start)))
    else:
        messages.success(request, MOVED.format(name=name, when=session_time(moved.start)))
    return redirect(admin_booking.highlighted(day_url(timezone.localtime(moved.start).date()), moved))


def status_view(model_admin, request, pk):
    """Mark a session completed or a no-show from the day view (POST only), then show its day.
    booking.set_appointment_status holds the rule (only once the session has started)."""
    appointment = Appointment.objects.select_related("client").filter(pk=pk).first()
    with_cancelled = showing_cancelled(request)  # the form's action keeps the day's toggle
    if appointment is None:
        messages.error(request, SESSION_GONE)
        return redirect(day_url(timezone.localdate(), with_cancelled=with_cancelled))
    start = timezone.localtime(appointment.start)
    back = admin_booking.highlighted(day_url(start.date(), with_cancelled=with_cancelled), appointment)
    status = request.POST.get("status")
    if status not in MARKED:
        messages.error(request, CHOOSE_A_STATUS)
        return redirect(back)
    try:
        booking.set_appointment_status(appointment=appointment, status=status, now=timezone.now())
    except booking.BookingError as refused:
        messages.error(request, str(refused))
        return redirect(back)
    name = appointment.client_name or appointment.client.name
    messages.success(request, MARKED[status].format(name=name, time=f"{start:%-I:%M %p}"))
    return redirect(back)
