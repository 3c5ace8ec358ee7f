import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.validators import slug_re
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from intake import intakes
from services.models import Service
from waitlist.offers import waitlist_days

from . import availability, booking, page_cache
from .calendar import appointment_ics, calendar_links, therapist_feed_ics
from .forms import (
    START_INVALID,
    BookingForm,
    CancelForm,
    CourseForm,
    RescheduleForm,
    blank_details_fields,
    hidden_details_fields,
    new_booking_key,
    parse_slot_start,
    slot_value,
)
from .models import Appointment, BookingRules, BusinessDetails, CalendarFeed, TimeOff, appointment_from_token

DATE_INVALID = "That date could not be read. Please pick a day from the calendar."
DAY_IN_PAST = "That day has passed. Please pick a day from the calendar."
DAY_TOO_FAR = "Bookings are open up to {days} days ahead. Please pick a day from the calendar."
TOO_MANY_CHANGES = (
    "Many bookings and changes have been made from your connection in a short while, so this one "
    "is paused. Please try again later, or contact Julie; what you typed is still here."
)
# Shown when a form comes back because its security token had gone stale (the cookie expired
# while the page was open): nothing was done, what they typed is still there.
FORM_OPEN_TOO_LONG = "This page was open for a while, so please press {button} once more."
CHOOSE_SERVICE_FIRST = "Please choose a session first."
SERVICE_NOT_OPEN = "That session is not open for booking online. Please choose one of these, or contact Julie."
ALTERNATIVES_SHOWN = 8
NEXT_SLOTS_SHOWN = 3
# Free times offered to rebook in one tap after an unwell cancellation.
REBOOK_SLOTS_SHOWN = 4
COURSE_CANCELLED = "{count} sessions of your course are cancelled. We have sent you one email listing them."
UNWELL_CANCELLED = "Your session is cancelled. Rest well: we have sent you an email to confirm."
# The calendar shows this many weeks at a time, from this week's Sunday: short on a phone
# even when bookings open a year ahead; later weeks are a link away.
WEEKS_SHOWN = 5

logger = logging.getLogger(__name__)


def _change_usage(request, group, increment):
    """django-ratelimit's count of the bookings and changes made from this client address.

    Only changes that happened are counted (_count_change), so a client fixing a typo
    or told that a time was just taken is never held back. When the cache cannot be
    reached there is no count and no limit: a booking must not fail because Redis is down.
    """
    try:
        return get_usage(
            request, group=group, key="ip", rate=settings.FORM_RATE_LIMIT, method="POST", increment=increment
        )
    except Exception as exc:
        logger.warning("Rate limit not applied, the cache could not be reached (%s).", exc)
        return None


def _refusal_if_too_many_changes(request, group, template, context):
    """A kind 429 page, with the form as typed, once this address has made FORM_RATE_LIMIT changes."""
    usage = _change_usage(request, group, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    messages.error(request, TOO_MANY_CHANGES)
    return render(request, template, context, status=429)


def _count_change(request, group):
    _change_usage(request, group, increment=True)


def _open_services():
    return list(Service.objects.filter(is_active=True).order_by("name", "pk"))


@dataclass(frozen=True)
class Choice:
    """What the booking pages sell, from their ?service= parameter.

    One open service (Julie's usual case): that one, and the links carry no parameter, so the
    pages and URLs stay as they always were. Several: the one named, and every link names it;
    none named means the client chooses first. A name that is not an open service is refused.
    """

    service: Service | None  # None: the client must choose first
    services: list  # every open service
    refused: bool = False  # the name given is not an open service

    @property
    def query(self):
        """The parameter the links of this service's pages carry: '' when Julie offers one service."""
        return f"service={self.service.slug}" if self.service and len(self.services) > 1 else ""


def _choice(slug, services=None):
    """The Choice for ?service=slug among services (the open ones, read now when not given)."""
    services = _open_services() if services is None else services
    if not services:
        raise Http404("No service is open for booking.")
    if slug:
        service = next((s for s in services if s.slug == slug), None)
        return Choice(service, services, refused=service is None)
    return Choice(services[0] if len(services) == 1 else None, services)


def _choose_first(request, choice):
    """Where a booking page goes when it has no service to show: back to the choice, saying why."""
    messages.error(request, SERVICE_NOT_OPEN if choice.refused else CHOOSE_SERVICE_FIRST)
    return redirect("appointments:days")


class PageRows:
    """What the pages that show free times read on every visit and Julie rarely changes, kept in the
    process until she changes any of them (page_cache.remembered), so that these visits read only the
    calendar, if anything. Each is read when first used. A booking reads them afresh."""

    @property
    def rules(self):
        return page_cache.remembered("rules", BookingRules.load)

    @property
    def services(self):
        """The open services."""
        return page_cache.remembered("services", _open_services)

    @property
    def business(self):
        """For the footer (instead of the context processor's, read anew)."""
        return page_cache.remembered("business", BusinessDetails.load)

    @property
    def schedule(self):
        """Julie's working hours and time off (availability.julies_schedule)."""
        return page_cache.remembered("schedule", lambda: availability.julies_schedule(timezone.now()))

    def choice(self, slug):
        return _choice(slug, self.services)


def _with_query(url, query):
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class CalendarDay:
    """One day of the calendar with its link and screen-reader text worked out here, not in the
    template: formatting a date and reversing a URL for each cell was most of the days page's
    rendering time."""

    day: date
    count: int  # free slots; 0 when nothing is free or the day is not bookable
    number: str  # the day of the month, as shown
    month: str  # "Dec" on the first day shown and on each 1st, so a week across two months reads right
    label: str  # "Wednesday, November 25: 3 free times", as the date filter "l, F j" writes the date
    href: str  # where choosing the day leads; "" when nothing is free
    waitlist_href: str = ""  # a full day one may wait for: its waitlist
    chosen: bool = False  # the day whose times are shown beside the calendar

    def html(self):
        """The cell's <td>, written here rather than by the template engine, whose per-cell cost
        was most of the calendar's (bench/RESULTS.md). Each text is escaped here (f-strings, as
        format_html cost as much again)."""
        month = f'<span class="day-month">{escape(self.month)}</span>' if self.month else ""
        shown = (
            f'<span aria-hidden="true">{month}{escape(self.number)}</span>'
            f'<span class="visually-hidden">{escape(self.label)}</span>'
        )
        if self.count:
            current = ' aria-current="date"' if self.chosen else ""
            cell = f'<td class="day-free"><a href="{escape(self.href)}"{current}>{shown}</a></td>'
        elif self.waitlist_href:
            cell = f'<td class="day-full day-waitlist"><a href="{escape(self.waitlist_href)}">{shown}</a></td>'
        else:
            cell = f'<td class="day-full">{shown}</td>'
        # Every text in it was escaped above.
        return mark_safe(cell)  # noqa: S308  # nosec B308, B703


@dataclass(frozen=True)
class TimeLink:
    """A free time as the booking pages list it, its link and wording worked out here (as CalendarDay):
    the template engine's filters cost more per time than the rest of the page."""

    href: str  # its booking form
    day: str  # "Wed, Dec 2"
    time: str  # "9:00 AM"
    until: str  # "10:00 AM"
    changeable_online: bool


def _time_links(slots, query):
    details = reverse("appointments:details")
    zone = timezone.get_default_timezone()  # not slot.local_start: see availability.existing_wall_clock_to_utc
    links = []
    for slot in slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        # strftime rather than Django's date and time formats, each of which cost more than the rest of a link.
        links.append(
            TimeLink(
                href=f"{details}?{urlencode({'start': start.isoformat()})}" + (f"&{query}" if query else ""),
                day=f"{start:%a, %b %-d}",
                time=f"{start:%-I:%M %p}",
                until=f"{end:%-I:%M %p}",
                changeable_online=slot.changeable_online,
            )
        )
    return links


def _calendar_day(day, count, link, *, first_shown, waitlist_link=None, chosen=False):
    free = f"{count} free time{'' if count == 1 else 's'}" if count else "no free times"
    waitlist_href = waitlist_link(day) if waitlist_link and not count else ""
    return CalendarDay(
        day=day,
        count=count,
        number=str(day.day),
        month=f"{day:%b}" if day.day == 1 or day == first_shown else "",
        label=f"{day:%A, %B} {day.day}: {free}" + (", join its waitlist" if waitlist_href else ""),
        href=link(day) if count else "",
        waitlist_href=waitlist_href,
        chosen=chosen,
    )


def _day_links(view_name, query=""):
    """link(day) for a view whose URL carries a <day>, reversed once for all the calendar's days:
    reversing a URL for each cell cost more than the rest of the cell."""
    pattern = _with_query(reverse(view_name, kwargs={"day": "DAY"}), query)
    return lambda day: pattern.replace("DAY", day.isoformat(), 1)


def _reschedule_day_link(day):
    return f"?day={day.isoformat()}"


def week_start(day):
    """The Sunday that starts day's week, as US calendars do."""
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _calendar_context(slots, *, now, rules, link, start=None, waitlist=False, chosen_day=None):
    """CalendarDay cells for the weeks shown from start (_weeks_shown) and links to the weeks
    before and after when they can be booked. link(day) gives a day with free slots its URL, and
    with waitlist, a full day one may still wait for (waitlist.offers.waitlist_days) links to its
    waitlist; chosen_day is marked as the one shown."""
    today = availability.business_today(now)
    last_bookable = today + timedelta(days=rules.horizon_days)
    first, last = _weeks_shown(start, today=today, last_bookable=last_bookable)
    days = availability.count_by_day(slots, first_day=first, last_day=last)
    wait_from, wait_until = waitlist_days(now=now, rules=rules)
    waitlist_link = _day_links("waitlist:join") if waitlist else None
    cells = [
        _calendar_day(
            day,
            count,
            link,
            first_shown=first,
            waitlist_link=waitlist_link if wait_from <= day <= wait_until else None,
            chosen=day == chosen_day,
        )
        for day, count in days
    ]
    this_week = week_start(today)
    return {
        "calendar_rows": _calendar_rows(cells),
        # As the date filter writes "F j" and "F j, Y", without its cost.
        "calendar_caption": f"{first:%B %-d} to {last:%B %-d, %Y}",
        "earlier": max(first - timedelta(weeks=WEEKS_SHOWN), this_week) if first > this_week else None,
        "later": last + timedelta(days=1) if last < last_bookable else None,
        "has_free_day": bool(slots),
        "waitlist_shown": any(cell.waitlist_href for cell in cells),
    }


def _calendar_rows(cells):
    """The calendar's <tr>s, a week each: written here, as the template engine's loop cost more per
    cell than the cell itself."""
    weeks = ("".join(cell.html() for cell in cells[i : i + 7]) for i in range(0, len(cells), 7))
    return mark_safe("".join(f"<tr>{week}</tr>" for week in weeks))  # noqa: S308  # nosec B308, B703


def _weeks_shown(start, *, today, last_bookable):
    """The first and last day of the WEEKS_SHOWN weeks from the week of start (this week when
    start is None or past, the horizon's last week at most)."""
    first = week_start(min(max(start or today, today), last_bookable))
    return first, first + timedelta(weeks=WEEKS_SHOWN, days=-1)


def _days_page_slots(start, *, now, length, rows):
    """The free slots the days page needs: from now to its last day shown, and the rest of the
    horizon only when those hold fewer than the next free times it lists (laying out the whole
    horizon was most of a fresh days page's cost)."""
    rules = rows.rules
    today = availability.business_today(now)
    last_bookable = today + timedelta(days=rules.horizon_days)
    _, last_shown = _weeks_shown(start, today=today, last_bookable=last_bookable)
    kept = {"now": now, "length": length, "rules": rules, "schedule": rows.schedule}
    slots = availability.free_slots(start_date=today, end_date=last_shown, **kept)
    if len(slots) < NEXT_SLOTS_SHOWN:
        slots += availability.free_slots(start_date=last_shown + timedelta(days=1), end_date=last_bookable, **kept)
    return slots


def _service_param(request):
    """The ?service= the client asked for: a slug, or '' (a name that cannot be one is kept
    out of cache keys and refused by _choice like any unknown name)."""
    slug = request.GET.get("service", "")
    return slug if not slug or slug_re.fullmatch(slug) else "-"


def days(request):
    slug = _service_param(request)
    today = availability.business_today(timezone.now())
    start = availability.parse_date(request.GET.get("from", today.isoformat()))
    if start is None:
        messages.error(request, DATE_INVALID)
        return redirect(_with_query(reverse("appointments:days"), slug and f"service={slug}"))
    # One saved page per service and week shown: a date in the past is this week's page.
    first = week_start(max(start, today))
    return page_cache.cached_page(request, f"days:{slug}:{first.isoformat()}", lambda: _days_page(request, first, slug))


def _days_page(request, start, slug):
    rows = PageRows()
    choice = rows.choice(slug)
    if choice.refused:
        return _choose_first(request, choice)
    if choice.service is None:
        return render(request, "appointments/services.html", {"services": choice.services, "business": rows.business})
    now = timezone.now()
    rules = rows.rules
    service = choice.service
    slots = _days_page_slots(start, now=now, length=service.duration, rows=rows)
    calendar = _calendar_context(
        slots,
        now=now,
        rules=rules,
        link=_day_links("appointments:day", choice.query),
        start=start,
        waitlist=True,
    )
    context = {**calendar, "service": service, "query": choice.query, "several": len(choice.services) > 1}
    context["next_times"] = _time_links(slots[:NEXT_SLOTS_SHOWN], choice.query)
    return render(request, "appointments/days.html", {**context, "rules": rules, "business": rows.business})


def day(request, day):
    slug = _service_param(request)
    chosen = availability.parse_date(day)
    if chosen is None:
        messages.error(request, DATE_INVALID)
        return redirect(_with_query(reverse("appointments:days"), slug and f"service={slug}"))
    return page_cache.cached_page(
        request,
        f"day:{slug}:{chosen.isoformat()}",
        lambda: _day_page(request, chosen, slug),
        also=[_day_slots_name(slug, chosen)],
    )


def _day_page(request, chosen, slug):
    rows = PageRows()
    choice = rows.choice(slug)
    if choice.service is None:
        return _choose_first(request, choice)
    days_url = _with_query(reverse("appointments:days"), choice.query)
    now = timezone.now()
    rules = rows.rules
    today = availability.business_today(now)
    if chosen < today:
        messages.error(request, DAY_IN_PAST)
        return redirect(days_url)
    if chosen > today + timedelta(days=rules.horizon_days):
        messages.error(request, DAY_TOO_FAR.format(days=rules.horizon_days))
        return redirect(days_url)
    service = choice.service
    slots = _day_slots(chosen, slug=slug, service=service, now=now, rows=rows)
    wait_from, wait_until = waitlist_days(now=now, rules=rules)
    context = {"day": chosen, "slots": slots, "times": _time_links(slots, choice.query), "service": service}
    context |= {"query": choice.query, "days_url": days_url}
    context["waitlist_open"] = wait_from <= chosen <= wait_until
    return render(request, "appointments/day.html", {**context, "rules": rules, "business": rows.business})


def _day_slots_name(slug, day):
    """What a day's free times are saved as, for the service asked for (_service_param): under one
    availability version the same service."""
    return f"slots:{slug}:{day.isoformat()}"


def _day_slots(day, *, slug, service, now, rows):
    """The day's free slots for the service, saved for the minute like the pages that show them:
    every client who opens the booking form for one of them checks it against the same list."""
    return page_cache.cached_value(
        _day_slots_name(slug, day),
        lambda: availability.free_slots_on(
            day, now=now, length=service.duration, rules=rows.rules, schedule=rows.schedule
        ),
    )


def _alternatives(start, *, service, now, rules):
    """Other free times to offer when a chosen one is gone: that day's first, then the next ones."""
    same_day = availability.free_slots_on(
        timezone.localtime(start).date(), now=now, length=service.duration, rules=rules
    )
    if same_day:
        return same_day
    later = availability.free_slots(
        start_date=timezone.localtime(start).date(),
        end_date=availability.business_today(now) + timedelta(days=rules.horizon_days),
        now=now,
        length=service.duration,
        rules=rules,
    )
    return later[:ALTERNATIVES_SHOWN]


@never_cache  # it holds what the client typed about themselves
@require_http_methods(["GET", "POST"])
def details(request):
    now = timezone.now()

    if request.method == "GET":
        slug = _service_param(request)
        start = parse_slot_start(request.GET.get("start"))
        day = start and timezone.localtime(start).date()
        if day:
            page_cache.read_ahead(_day_slots_name(slug, day))  # with the versions PageRows needs: one round trip
        rows = PageRows()
        rules = rows.rules
        choice = rows.choice(slug)
        if choice.service is None:
            return _choose_first(request, choice)
        service = choice.service
        slot = day and availability.slot_starting_at(
            _day_slots(day, slug=slug, service=service, now=now, rows=rows), start
        )
        if not slot:
            messages.error(request, booking.SLOT_NOT_OFFERED if start is None else booking.SLOT_TAKEN)
            days_url = _with_query(reverse("appointments:days"), choice.query)
            return redirect(_day_url(start, choice.query) if start else days_url)
        form = BookingForm(initial={"start": slot_value(slot.start), "booking_key": new_booking_key()})
        context = {"form": form, "slot": slot, "service": service, "query": choice.query, "rules": rules}
        context |= {"business": rows.business, "blank_fields": blank_details_fields()}
        context["hidden_fields"] = hidden_details_fields(form.initial["start"], form.initial["booking_key"])
        return render(request, "appointments/details.html", context)

    rules = BookingRules.load()
    context = _posted_details_context(request, rules=rules, now=now)
    form, service = context["form"], context["service"]
    if service is None:
        # The session asked for is not open (any more): nothing is booked, what they typed stays.
        form.is_valid()
        form.add_error(None, SERVICE_NOT_OPEN)
        return render(request, "appointments/details.html", context)
    course_form = context["course_form"]
    if not course_form.is_valid():
        form.is_valid()
        return render(request, "appointments/details.html", context)
    if course_form.cleaned_data["repeat"]:
        return _course(request, context, rules=rules, now=now)
    if "check" in request.POST:
        # "Check dates" with no course chosen: nothing to check, and nothing is booked.
        return _form_as_typed(request, context)
    if not form.is_valid():
        lost = parse_slot_start(request.POST.get("lost"))
        if lost and "start" in form.errors:
            # Confirm pressed on the other times without choosing one: offer them again.
            return _other_times_page(request, context, lost=lost, rules=rules, now=now, validate=True)
        return render(request, "appointments/details.html", context)
    if refusal := _refusal_if_too_many_changes(request, "booking", "appointments/details.html", context):
        return refusal
    try:
        appointment = booking.book_appointment(
            start=form.cleaned_data["start"],
            client_details=form.client_details(),
            service=service,
            note=form.cleaned_data["note"],
            booking_key=form.cleaned_data["booking_key"],
            now=now,
        )
    except booking.SlotUnavailable as exc:
        lost = form.cleaned_data["start"]
        return _other_times_page(request, context, lost=lost, rules=rules, now=now, notice=str(exc))
    except booking.BookingError as exc:
        return _key_used_elsewhere(request, context, exc)
    _count_change(request, "booking")
    return redirect("appointments:confirmed", token=appointment.manage_token)


def _form_as_typed(request, context, **more):
    """The details page again with everything typed kept, and no errors: nothing was confirmed yet."""
    form = BookingForm(initial=request.POST.dict())
    return render(request, "appointments/details.html", {**context, "form": form, **more})


def _course(request, context, *, rules, now):
    """A course of sessions: "Check dates" (or a course not yet checked) shows every date, free or
    with the nearest free times to choose instead; "Confirm booking" books them all or none."""
    service, form, course_form = context["service"], context["form"], context["course_form"]
    start = parse_slot_start(request.POST.get("start"))
    if start is None:
        form.is_valid()  # says the time could not be read
        return render(request, "appointments/details.html", context)
    if "check" not in request.POST and form.is_valid():
        # Sent again (the back button, then Confirm): what this form booked, not its own dates shown as taken.
        try:
            earlier = booking.booked_with_key(
                form.cleaned_data["booking_key"],
                start=start,
                client_details=form.client_details(),
                note=form.cleaned_data["note"],
            )
        except booking.BookingError as exc:
            return _key_used_elsewhere(request, context, exc)
        if earlier is not None:
            return redirect("appointments:confirmed", token=earlier.manage_token)
    asked = course_form.asked()
    starts = booking.series_starts(
        start, every_weeks=course_form.cleaned_data["repeat"], count=course_form.cleaned_data["count"]
    )
    course = booking.check_course(starts=starts, length=service.duration, now=now, rules=rules)
    if "check" in request.POST or course_form.cleaned_data["checked"] != asked:
        course_form = CourseForm(initial={**request.POST.dict(), "checked": asked}, course=course)
        return _form_as_typed(request, context, course_form=course_form)
    course_form = CourseForm(request.POST, course=course)
    context["course_form"] = course_form
    if not (form.is_valid() & course_form.is_valid()):
        return render(request, "appointments/details.html", context)
    if refusal := _refusal_if_too_many_changes(request, "booking", "appointments/details.html", context):
        return refusal
    try:
        sessions = booking.book_series(
            starts=course_form.starts(),
            service=service,
            now=now,
            client_details=form.client_details(),
            note=form.cleaned_data["note"],
            online=True,
            booking_key=form.cleaned_data["booking_key"],
        )
    except booking.SlotUnavailable as exc:
        # Taken meanwhile: nothing booked; every date as it is now, everything typed kept.
        course = booking.check_course(starts=starts, length=service.duration, now=now, rules=rules)
        course_form = CourseForm(initial=request.POST.dict(), course=course)
        return _form_as_typed(request, context, course_form=course_form, lost_notice=str(exc), course_lost=True)
    except booking.BookingError as exc:
        return _key_used_elsewhere(request, context, exc)
    _count_change(request, "booking")
    return redirect("appointments:confirmed", token=sessions[0].manage_token)


def _key_used_elsewhere(request, context, error):
    """This form's key made another booking: the form as typed, with a fresh key and the error."""
    form = BookingForm({**request.POST.dict(), "booking_key": new_booking_key()})
    form.is_valid()
    form.add_error(None, str(error))
    return render(request, "appointments/details.html", {**context, "form": form})


def _other_times_page(request, context, *, lost, rules, now, notice="", validate=False):
    """The details form again when its time was lost (just taken, or no longer offered):
    everything typed kept, the other free times offered as a choice in the same form, and
    a calm note, not an error. validate: show the form's errors (Confirm pressed without
    choosing a time)."""
    service = context["service"]
    alternatives = _alternatives(lost, service=service, now=now, rules=rules)
    form = BookingForm({**request.POST.dict(), "lost": slot_value(lost)}, alternatives=alternatives)
    if validate:
        form.is_valid()
    return render(
        request,
        "appointments/details.html",
        {**context, "form": form, "slot": None, "alternatives": alternatives, "lost_notice": notice},
    )


def _posted_details_context(request, *, rules, now):
    """The details page for a posted form: its service (None when the one posted is not open)
    and its time, checked afresh."""
    choice = _choice(request.POST.get("service"))
    service = choice.service
    start = parse_slot_start(request.POST.get("start"))
    return {
        "form": BookingForm(request.POST),
        "course_form": CourseForm(request.POST),
        "service": service,
        "query": choice.query,
        "services": choice.services,
        "rules": rules,
        "slot": service and start and availability.slot_at(start, length=service.duration, now=now, rules=rules),
    }


def _day_url(start, query=""):
    return _day_links("appointments:day", query)(timezone.localtime(start).date())


def _appointment_or_refusal(request, token, *, now):
    """The appointment behind a manage link, or the page saying why it cannot be shown:
    the link is not one of ours (404), or it has expired since the session (410)."""
    appointment = appointment_from_token(token)
    if appointment is None:
        return None, render(request, "appointments/bad_link.html", status=404)
    if appointment.manage_link_expired(now=now):
        return None, render(request, "appointments/link_expired.html", status=410)
    return appointment, None


def _booking_context(request, appointment, rules, now):
    business = BusinessDetails.load()
    return {
        "appointment": appointment,
        "rules": rules,
        "business": business,  # the page's too: read once
        "can_change": appointment.client_can_change(now=now, rules=rules),
        "manage_url": request.build_absolute_uri(appointment.get_manage_url()),
        "change_deadline": rules.change_deadline(appointment.start),
        "calendar_links": calendar_links(appointment, location=business.location),
        # The sessions of its course, for the confirmation and manage pages to list.
        "course": list(booking.course_sessions(appointment)) if appointment.series else [],
    }


def _unwell_context(appointment, rules, now):
    """Julie's illness rule on the manage page: whether the client may cancel as unwell, and
    after such a cancellation the next free times to rebook in one tap (or the rebooking made)."""
    context = {
        "unwell_refusal": booking.unwell_refusal(appointment, rules=rules, now=now),
        "unwell_used": 0,
    }
    if appointment.status == Appointment.Status.BOOKED:
        context["unwell_used"] = booking.unwell_cancellations(appointment.client, now=now).count()
    elif appointment.cancellation_kind == Appointment.Cancellation.UNWELL:
        context["rebooked"] = booking.rebooking(appointment)
        if context["rebooked"] is None:
            # From the day after: no one is offered a time later on the day of their migraine.
            day = timezone.localtime(appointment.start).date()
            slots = availability.horizon_slots(now=now, length=appointment.service.duration, rules=rules)
            later = [slot for slot in slots if slot.local_start.date() > day][:REBOOK_SLOTS_SHOWN]
            context["rebook_slots"] = [(slot, slot_value(slot.start)) for slot in later]
    return context


def _booking_page(request, token, template, *, with_intake=False, with_unwell=False):
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    rules = BookingRules.load()
    context = _booking_context(request, appointment, rules, now)
    if with_unwell:
        context.update(_unwell_context(appointment, rules, now))
    if with_intake:
        path, context["intake_missing"] = intakes.link_for_session(appointment)
        context["intake_url"] = request.build_absolute_uri(path)
    return render(request, template, context)


# Every page behind a manage link shows someone's booking: never kept by a browser or proxy cache.
@never_cache
def confirmed(request, token):
    return _booking_page(request, token, "appointments/confirmed.html", with_intake=True)


@never_cache
def manage(request, token):
    return _booking_page(request, token, "appointments/manage.html", with_unwell=True)


@never_cache
def ics(request, token):
    appointment, refusal = _appointment_or_refusal(request, token, now=timezone.now())
    if refusal:
        return refusal
    response = HttpResponse(
        appointment_ics(appointment, location=BusinessDetails.load().location),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="posture-massage-session.ics"'
    return response


def _cancel_context(request, appointment, rules, now):
    return {**_booking_context(request, appointment, rules, now), "form": CancelForm(request.POST or None)}


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, token):
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    rules = BookingRules.load()
    context = _cancel_context(request, appointment, rules, now)
    form = context["form"]
    if request.method == "POST" and form.is_valid():
        if refusal := _refusal_if_too_many_changes(request, "manage", "appointments/cancel.html", context):
            return refusal
        try:
            booking.cancel_appointment(appointment=appointment, reason=form.cleaned_data["reason"], now=now)
        except booking.BookingError as exc:
            messages.error(request, str(exc))
        else:
            _count_change(request, "manage")
            messages.success(request, "Your session is cancelled. We have sent you an email to confirm.")
        return redirect("appointments:manage", token=token)
    return render(request, "appointments/cancel.html", context)


@never_cache
@require_http_methods(["POST"])
def cancel_course(request, token):
    """ "Cancel the rest of my course": this session and the later ones of its course, one email."""
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    if appointment.series is None:
        return redirect("appointments:cancel", token=token)
    try:
        cancelled = booking.cancel_rest_of_course(appointment=appointment, now=now)
    except booking.BookingError as exc:
        messages.error(request, str(exc))
    else:
        _count_change(request, "manage")
        messages.success(request, COURSE_CANCELLED.format(count=len(cancelled)))
    return redirect("appointments:manage", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def cancel_unwell(request, token):
    """ "I have a migraine today": a page that asks once (a GET never cancels: mail scanners
    follow links), then booking.cancel_unwell, Julie's illness rule, on POST."""
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    rules = BookingRules.load()
    context = {**_booking_context(request, appointment, rules, now), **_unwell_context(appointment, rules, now)}
    if request.method == "POST":
        if refusal := _refusal_if_too_many_changes(request, "manage", "appointments/unwell.html", context):
            return refusal
        try:
            booking.cancel_unwell(appointment=appointment, now=now)
        except booking.BookingError as exc:
            messages.error(request, str(exc))
        else:
            _count_change(request, "manage")
            messages.success(request, UNWELL_CANCELLED)
        return redirect("appointments:manage", token=token)
    return render(request, "appointments/unwell.html", context)


@never_cache
@require_http_methods(["POST"])
def rebook(request, token):
    """One tap on a free time offered after an unwell cancellation books it (booking.rebook_after_unwell)."""
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    start = parse_slot_start(request.POST.get("start"))
    if start is None:
        messages.error(request, START_INVALID)
        return redirect("appointments:manage", token=token)
    rules = BookingRules.load()
    context = {**_booking_context(request, appointment, rules, now), **_unwell_context(appointment, rules, now)}
    if refusal := _refusal_if_too_many_changes(request, "booking", "appointments/manage.html", context):
        return refusal
    try:
        new = booking.rebook_after_unwell(appointment=appointment, start=start, now=now)
    except booking.BookingError as exc:
        messages.error(request, str(exc))
        return redirect("appointments:manage", token=token)
    _count_change(request, "booking")
    return redirect("appointments:confirmed", token=new.manage_token)


def _reschedule_context(request, appointment, rules, now):
    context = _booking_context(request, appointment, rules, now)
    # One set of free times for the month grids and the chosen day's list, so they agree:
    # the session's own time counts as free around it, but is not a move.
    free = [
        slot
        for slot in availability.horizon_slots(
            now=now, length=appointment.service.duration, rules=rules, ignore_appointment=appointment
        )
        if slot.start != appointment.start
    ]
    chosen_day = availability.parse_date(request.POST.get("day") or request.GET.get("day"))
    slots = [slot for slot in free if slot.local_start.date() == chosen_day]
    form = RescheduleForm(request.POST or None, alternatives=slots)
    shown_from = availability.parse_date(request.GET.get("from")) or chosen_day
    context.update(
        form=form,
        chosen_day=chosen_day,
        slots=slots,
        **_calendar_context(
            free, now=now, rules=rules, link=_reschedule_day_link, start=shown_from, chosen_day=chosen_day
        ),
    )
    return context


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule(request, token):
    now = timezone.now()
    appointment, refusal = _appointment_or_refusal(request, token, now=now)
    if refusal:
        return refusal
    rules = BookingRules.load()
    if not appointment.client_can_change(now=now, rules=rules):
        return redirect("appointments:manage", token=token)
    context = _reschedule_context(request, appointment, rules, now)
    form = context["form"]
    if request.method == "POST" and form.is_valid():
        if refusal := _refusal_if_too_many_changes(request, "manage", "appointments/reschedule.html", context):
            return refusal
        try:
            booking.reschedule_appointment(appointment=appointment, new_start=form.cleaned_data["start"], now=now)
        except booking.SlotUnavailable as exc:
            # The time was just taken: say so calmly, with the free times as they are now.
            context = _reschedule_context(request, appointment, rules, now)
            context["lost_notice"] = str(exc)
        except booking.BookingError as exc:
            form.add_error("start", str(exc))
        else:
            _count_change(request, "manage")
            messages.success(request, "Your session has moved. We have sent you an email with the new time.")
            return redirect("appointments:manage", token=token)
    return render(request, "appointments/reschedule.html", context)


def _details_again(request):
    context = _posted_details_context(request, rules=BookingRules.load(), now=timezone.now())
    return "appointments/details.html", context


def _manage_form_again(build_context, template):
    def again(request, token):
        now = timezone.now()
        appointment, refusal = _appointment_or_refusal(request, token, now=now)
        if refusal:
            return refusal
        return template, build_context(request, appointment, BookingRules.load(), now)

    return again


def _reschedule_again(request, token):
    page = _manage_form_again(_reschedule_context, "appointments/reschedule.html")(request, token)
    if isinstance(page, HttpResponse) or page[1]["can_change"]:
        return page
    return redirect("appointments:manage", token=token)  # as the page itself does once it is too late


# The public forms a stale security token sends back, with the button the client pressed.
_FORMS_TO_OFFER_AGAIN = {
    "appointments:details": (_details_again, "Confirm booking"),
    "appointments:cancel": (_manage_form_again(_cancel_context, "appointments/cancel.html"), "Yes, cancel my session"),
    "appointments:reschedule": (_reschedule_again, "Move my session"),
}


def form_again_after_csrf_failure(request):
    """The booking, cancel or reschedule page again, as it was sent, after its security token
    was refused (the client's cookie expired while the page was open); None for any other page.

    Nothing is booked, cancelled or moved: the form is only validated, so its errors show,
    and rendering it gives a fresh token, so pressing the button once more works.
    """
    match = request.resolver_match
    if request.method != "POST" or match is None or match.view_name not in _FORMS_TO_OFFER_AGAIN:
        return None
    build, button = _FORMS_TO_OFFER_AGAIN[match.view_name]
    page = build(request, **match.kwargs)
    if isinstance(page, HttpResponse):  # a bad or expired link: the same page as on any visit
        response = page
    else:
        template, context = page
        context["form"].is_valid()
        messages.info(request, FORM_OPEN_TOO_LONG.format(button=button))
        response = render(request, template, context, status=403)
    add_never_cache_headers(response)
    return response


FEED_HISTORY = timedelta(days=90)


def calendar_feed(request, token):
    """Julie's private subscription URL; the secret is the only key, so compare it in constant time."""
    # Bytes: compare_digest refuses non-ASCII str, and a URL can carry anything.
    if not secrets.compare_digest(CalendarFeed.load().token.encode(), token.encode()):
        raise Http404("Unknown calendar.")
    now = timezone.now()
    since = now - FEED_HISTORY
    body = therapist_feed_ics(
        appointments=Appointment.objects.filter(end__gte=since).select_related("client", "client__intake", "service"),
        time_off=TimeOff.objects.filter(end__gte=since),
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
