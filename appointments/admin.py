from datetime import time, timedelta
from functools import update_wrapper
from urllib.parse import quote, urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from checkins import admin as checkins_admin
from intake import admin as intake_admin
from services.models import Service

from . import admin_booking, admin_day, agenda, booking, dispatch, privacy
from .admin_day import session_time
from .admin_fields import HiddenInAdmin, TwelveHourTimesAdmin
from .availability import (
    BUSINESS_YEARS,
    overlapping_appointments,
    overlapping_time_off,
    parse_date,
    wall_clock_to_utc,
)
from .forms import PhoneNumberField, parse_slot_start
from .hygiene import display_phone, normalise_email, phone_matches, tel_href
from .models import (
    Appointment,
    BookingRules,
    BusinessDetails,
    CalendarFeed,
    Client,
    OutgoingEmail,
    TimeOff,
    WorkingHours,
)

DETAILS_DIFFER = "details differ from the client record"
TICK_BOOK_ANYWAY = 'To book it all the same, tick "Book anyway" below and save again.'
TIME_OFF_OVER_SESSIONS = (
    "This time off has {count} booked (listed below). Choose what becomes of {them}, then save again."
)
SESSIONS_CANCELLED = "Cancelled {count} and emailed the clients."
SESSIONS_KEPT = "Kept {count} in your time off."
EMAILS_QUEUED = "{count} will be sent again within a minute."
EMAILS_REFUSED = "Not sent again, as they no longer make sense (now marked Not needed):"
NOTHING_TO_SEND_AGAIN = "None of these emails failed: only failed emails are sent again."
STATUS_SKIPPED = "Not marked {status}:"
DETAILS_ADOPTED = "The client record now has this booking's name and phone ({count} client(s) updated)."


def _sessions(count):
    return f"{count} session" if count == 1 else f"{count} sessions"


def plain_time(value):
    """A date and time as Julie reads them everywhere ("Wed Dec 2, 2026 10:00 AM"); None shows as admin's dash."""
    return None if value is None else f"{timezone.localtime(value):%a %b %-d, %Y %-I:%M %p}"


def _emails(count):
    return f"{count} email" if count == 1 else f"{count} emails"


def phone_link(number):
    """A phone number Julie can tap to call, shown as she dials it."""
    if not number:
        return ""
    return format_html('<a href="{}" class="phone-link">{}</a>', tel_href(number), display_phone(number))


def email_link(address):
    """An email address Julie can tap to write to."""
    if not address:
        return ""
    return format_html('<a href="mailto:{}" class="email-link">{}</a>', quote(address, safe="@"), address)


class PhoneNumberSearch:
    """Admin's search, and phone numbers found whatever their punctuation: "860-555-0149",
    "8605550149", "(860) 555-0149" and "+1 860 555 0149" all find +18605550149."""

    phone_search_fields = []

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        phone = phone_matches(search_term, *self.phone_search_fields)
        if phone is not None:
            results |= queryset.filter(phone)
        return results, may_have_duplicates


class DateHierarchyInBusinessYears:
    """The list's year/month/day links take a year from the URL; Django adds a year or a day
    to it, so 9999 would overflow: outside BUSINESS_YEARS the plain list is shown instead."""

    def changelist_view(self, request, extra_context=None):
        year = request.GET.get(f"{self.date_hierarchy}__year")
        if year is not None and not (year.isdigit() and int(year) in BUSINESS_YEARS):
            return redirect(request.path)
        return super().changelist_view(request, extra_context)


class AppointmentAdminForm(forms.ModelForm):
    """Julie's booking form: the end follows from the service; overlaps are refused; a time
    in her time off is booked only once she ticks "Book anyway" (shown only then)."""

    book_anyway = forms.BooleanField(label="Book anyway, in my time off", required=False, widget=HiddenInAdmin)

    class Meta:
        model = Appointment
        fields = [
            "client",
            "client_name",
            "client_phone",
            "service",
            "start",
            "status",
            "client_note",
            "note_for_client",
            "cancellation_kind",
            "cancellation_reason",
        ]
        labels = {"client_note": "Note"}
        field_classes = {"client_phone": PhoneNumberField}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "client" in self.changed_data:
            # Another client chosen: their details, unless Julie typed others for this session.
            for field in ("client_name", "client_phone"):
                if field not in self.changed_data:
                    cleaned[field] = ""
        start, service = cleaned.get("start"), cleaned.get("service")
        if start and cleaned.get("status"):
            # The actions' rule: completed and no-show only once the session has started.
            refusal = booking.status_refusal(
                current=self.instance.status, status=cleaned["status"], start=start, now=timezone.now()
            )
            if refusal:
                self.add_error("status", refusal)
        if start and service:
            self.instance.end = start + service.duration
            if cleaned.get("status") != Appointment.Status.CANCELLED:
                # Admin validates and saves in one transaction: holding the calendar lock
                # from here keeps this check true until save_model, so a clash is always
                # reported on the form, with what Julie typed kept.
                booking.lock_calendar()
                clash = overlapping_appointments(start=start, end=self.instance.end, exclude=self.instance).first()
                if clash is not None:
                    self.add_error("start", booking.OVERLAPS_SESSION.format(clash=clash))
                self._ask_about_time_off(start, cleaned)
        return cleaned

    def _ask_about_time_off(self, start, cleaned):
        if self.instance.pk and "start" not in self.changed_data:
            return  # Not a new time: nothing to ask again.
        time_off = overlapping_time_off(start=start, end=self.instance.end).first()
        if time_off is not None and not cleaned.get("book_anyway"):
            self.fields["book_anyway"].widget = forms.CheckboxInput()
            self.add_error("start", f"{booking.time_off_warning(time_off)} {TICK_BOOK_ANYWAY}")


class DeletionLoggedWithoutNames:
    """Admin's "Deleted ..." history entries name the row by its number, not by the client's name:
    once deleted, a client or session can no longer be found by erase to clean its history."""

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for entry in entries:
            entry.object_repr = f"{self.model._meta.verbose_name.capitalize()} #{entry.object_id}"
        LogEntry.objects.bulk_update(entries, ["object_repr"])
        return entries


class EmailColumns:
    """An owed email's columns, titled in Julie's words (the list, its page and a session's emails)."""

    @admin.display(description="Email", ordering="kind")
    def email_kind(self, obj):
        return obj.get_kind_display()

    @admin.display(description="Goes out", ordering="due_at")
    def goes_out(self, obj):
        return plain_time(obj.due_at)

    @admin.display(description="Tries", ordering="attempts")
    def tries(self, obj):
        return obj.attempts

    @admin.display(description="Sent", ordering="sent_at")
    def sent(self, obj):
        return plain_time(obj.sent_at)

    @admin.display(description="Problem")
    def problem(self, obj):
        return obj.last_error


class OutgoingEmailInline(EmailColumns, admin.TabularInline):
    model = OutgoingEmail
    verbose_name_plural = "Emails"
    extra = 0
    can_delete = False
    fields = ["email_kind", "goes_out", "status", "tries", "sent", "problem"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DetailsDifferFilter(admin.SimpleListFilter):
    """Bookings made with another name or phone than the client record's: Julie decides which is right."""

    title = "client details"
    parameter_name = "differ"

    def lookups(self, request, model_admin):
        return [("yes", "Differ from the client record")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(client_name=F("client__name"), client_phone=F("client__phone"))
        return queryset


def details_check(appointment):
    """The booking's name, marked where it or the phone differs from the client record."""
    if not appointment.details_differ:
        return appointment.client_name
    return format_html("{} <strong>({})</strong>", appointment.client_name, DETAILS_DIFFER)


class BookedFilter(admin.ChoicesFieldListFilter):
    """The source filter, titled in Julie's words ("By how it was booked: Online, By Julie")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "how it was booked"


class CancelledFilter(admin.ChoicesFieldListFilter):
    """How sessions were cancelled: unwell (Julie's illness rule) apart from late."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "how it was cancelled"


# How a cancellation by the client reads in the list; Julie's own read plain "Cancelled".
CANCELLED_BY_CLIENT = {
    Appointment.Cancellation.CLIENT: "Cancelled by the client",
    Appointment.Cancellation.CLIENT_LATE: "Cancelled late by the client",
    Appointment.Cancellation.UNWELL: "Cancelled: client unwell",
}


def status_label(appointment):
    """The status, saying for a client's cancellation whether it was late or for illness."""
    if appointment.status == Appointment.Status.CANCELLED and appointment.cancellation_kind in CANCELLED_BY_CLIENT:
        return CANCELLED_BY_CLIENT[appointment.cancellation_kind]
    return appointment.get_status_display()


class WhenFilter(admin.SimpleListFilter):
    """Today, this week, upcoming (the default) or past; past lists the latest first."""

    title = "when"
    parameter_name = "when"
    DEFAULT = "upcoming"

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("week", "Next 7 days"), ("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]

    def value(self):
        return super().value() or self.DEFAULT

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        today = timezone.localdate()

        def midnight(days_ahead):  # Connecticut midnights: a DST day is 23 or 25 hours long
            return wall_clock_to_utc(today + timedelta(days=days_ahead), time.min)

        ranges = {
            "today": {"end__gt": midnight(0), "start__lt": midnight(1)},
            "week": {"end__gt": now, "start__lt": midnight(8)},
            "upcoming": {"end__gt": now},
            "past": {"end__lte": now},
        }
        return queryset.filter(**ranges[self.value()]) if self.value() in ranges else queryset


@admin.register(Appointment)
class AppointmentAdmin(
    TwelveHourTimesAdmin, PhoneNumberSearch, DeletionLoggedWithoutNames, DateHierarchyInBusinessYears, admin.ModelAdmin
):
    form = AppointmentAdminForm
    # What Julie needs first on her phone: when, who (to call or write), status, emails.
    list_display = ["when", "who", "service", "status_shown", "course", "email_status", "source"]
    list_filter = [
        WhenFilter,
        "status",
        "service",
        ("cancellation_kind", CancelledFilter),
        ("source", BookedFilter),
        DetailsDifferFilter,
    ]
    actions = ["cancel_and_notify", "mark_completed", "mark_no_show", "use_booking_details_for_client"]

    def get_list_display(self, request):
        # With one service every row would repeat its long name and push status off the screen.
        # Admin asks twice per page: counted once per request.
        if not hasattr(request, "several_services"):
            request.several_services = Service.objects.count() > 1
        if request.several_services:
            return self.list_display
        return [name for name in self.list_display if name != "service"]

    search_fields = ["client_name", "client__name", "client__email"]
    phone_search_fields = ["client_phone", "client__phone"]
    readonly_fields = ["client_record"]
    date_hierarchy = "start"
    autocomplete_fields = ["client"]
    list_select_related = ["client", "service"]
    inlines = [OutgoingEmailInline]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:  # A new session is booked; status and cancellation come later.
            fields = [
                f for f in fields if f not in ("status", "cancellation_kind", "cancellation_reason", "client_record")
            ]
        return fields

    @admin.display(description="Status", ordering="status")
    def status_shown(self, obj):
        """The status, with how a cancelled session was cancelled: unwell apart from late."""
        return status_label(obj)

    @admin.display(description="Course")
    def course(self, obj):
        """ "Course: 3 of 6", a link to the whole course (the list filtered by its series)."""
        label = booking.course_label(obj)
        if not label:
            return ""
        url = reverse("admin:appointments_appointment_changelist") + "?" + urlencode({"series": obj.series})
        return format_html('<a href="{}" title="The whole course">{}</a>', url, label)

    @admin.display(description="When", ordering="start")
    def when(self, obj):
        return session_time(obj.start)

    @admin.display(description="Client", ordering="client_name")
    def who(self, obj):
        """The name given for this session, then the phone and email to reach them."""
        return format_html(
            '<span class="who-name">{}</span> <span class="who-contact">{} {}</span>',
            details_check(obj),
            phone_link(obj.client_phone or obj.client.phone),
            email_link(obj.client.email),
        )

    @admin.display(description="Client record")
    def client_record(self, obj):
        client = obj.client
        phone = display_phone(client.phone)
        if not obj.details_differ:
            return f"{client.name}, {phone}: the same as this session's."
        return (
            f"{client.name}, {phone}: the {DETAILS_DIFFER}. To use this session's name and phone "
            "for the client, tick it in the list of appointments and choose "
            '"Use this booking\'s name and phone for the client".'
        )

    @admin.action(description="Use this booking's name and phone for the client", permissions=["change_client"])
    def use_booking_details_for_client(self, request, queryset):
        # Oldest first: where several bookings of one client are ticked, the latest one wins.
        changed = {
            booking.adopt_booking_details(appointment=appointment).pk
            for appointment in queryset.select_related("client").order_by("created_at", "pk")
        }
        self.message_user(request, DETAILS_ADOPTED.format(count=len(changed)), messages.SUCCESS)

    def has_change_client_permission(self, request):
        return request.user.has_perm("appointments.change_client")

    def get_ordering(self, request):
        return ["-start"] if request.GET.get(WhenFilter.parameter_name) == "past" else ["start"]

    @admin.action(description="Cancel and notify the client", permissions=["change"])
    def cancel_and_notify(self, request, queryset):
        now = timezone.now()
        for appointment in queryset.filter(status=Appointment.Status.BOOKED):
            booking.cancel_appointment(appointment=appointment, now=now, by_client=False)
        self.message_user(request, "Cancelled. The clients will get an email within a minute.", messages.SUCCESS)

    def _set_status(self, request, queryset, status):
        now = timezone.now()
        marked, refusals = 0, []
        for appointment in queryset:
            try:
                booking.set_appointment_status(appointment=appointment, status=status, now=now)
                marked += 1
            except booking.BookingError as refusal:
                refusals.append(str(refusal))
        label = Appointment.Status(status).label.lower()
        if marked:
            self.message_user(request, f"Marked {_sessions(marked)} as {label}.", messages.SUCCESS)
        if refusals:
            reasons = format_html_join("", "<li>{}</li>", ((refusal,) for refusal in refusals))
            message = format_html("{} <ul>{}</ul>", STATUS_SKIPPED.format(status=label), reasons)
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Mark as completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.COMPLETED)

    @admin.action(description="Mark as no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.NO_SHOW)

    def get_queryset(self, request):
        failed = Count("emails", filter=Q(emails__status=OutgoingEmail.Status.FAILED))
        pending = Count("emails", filter=Q(emails__status=OutgoingEmail.Status.PENDING))
        queryset = super().get_queryset(request).annotate(emails_failed=failed, emails_pending=pending)
        return booking.with_course_place(queryset)

    @admin.display(description="Emails")
    def email_status(self, obj):
        if obj.emails_failed:
            return f"{obj.emails_failed} failed"
        return f"{obj.emails_pending} to come" if obj.emails_pending else "all sent"

    def get_changeform_initial_data(self, request):
        # "Book here" from the calendar passes ?start=<ISO time>.
        initial = super().get_changeform_initial_data(request)
        initial.pop("start", None)  # Raw text would break the date/time widget.
        start = parse_slot_start(request.GET.get("start"))
        if start:
            initial["start"] = start
        initial.setdefault("service", admin_booking.default_service())
        return initial

    def get_urls(self):
        # The calendar shows every client's name: it needs the same permission as the list;
        # the page for a free time offers booking there, so it needs the right to book.
        calendar_urls = [
            path(
                "calendar/day/",
                self._admin_view(self.day_view, self.has_view_permission),
                name="appointments_calendar_day",
            ),
            path(
                "calendar/next-free/",
                self._admin_view(self.next_free_view, self.has_view_permission),
                name="appointments_calendar_next_free",
            ),
            path(
                "calendar/move/<int:pk>/",
                self._admin_view(self.move_view, self.has_change_permission),
                name="appointments_calendar_move",
            ),
            path(
                "calendar/status/<int:pk>/",
                self._admin_view(require_POST(self.status_view), self.has_change_permission),
                name="appointments_calendar_status",
            ),
            path(
                "calendar/week/",
                self._admin_view(self.week_view, self.has_view_permission),
                name="appointments_calendar_week",
            ),
            path(
                "calendar/month/",
                self._admin_view(self.month_view, self.has_view_permission),
                name="appointments_calendar_month",
            ),
            path(
                "calendar/slot/",
                self._admin_view(self.slot_view, self.has_add_permission),
                name="appointments_calendar_slot",
            ),
        ]
        return calendar_urls + super().get_urls()

    def _admin_view(self, view, has_permission):
        """Admin's login check, then the model permission the view needs (403 without it)."""

        def checked(request, *args, **kwargs):
            if not has_permission(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return self.admin_site.admin_view(update_wrapper(checked, view))

    def _calendar_context(self, request, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "can_book": self.has_add_permission(request),
        }

    def day_view(self, request):
        return admin_day.day_view(self, request)

    def next_free_view(self, request):
        return admin_day.next_free_view(self, request)

    def move_view(self, request, pk):
        return admin_day.move_view(self, request, pk)

    def status_view(self, request, pk):
        return admin_day.status_view(self, request, pk)

    def week_view(self, request):
        today = timezone.localdate()
        day = parse_date(request.GET.get("day"), default=today)
        with_cancelled = admin_day.showing_cancelled(request)
        days, rows = agenda.week_grid(day, with_cancelled=with_cancelled)
        context = {
            **self._calendar_context(request, f"{days[0]:%a %b %-d} to {days[-1]:%a %b %-d, %Y}"),
            **admin_day.calendar_nav(
                request,
                mode="week",
                day=day,
                previous={"day": (day - timedelta(days=7)).isoformat()},
                following={"day": (day + timedelta(days=7)).isoformat()},
            ),
            "days": days,
            "rows": rows,
            "today": today,
            "highlight": admin_day.highlighted_pk(request),
        }
        return TemplateResponse(request, "admin/appointments/calendar_week.html", context)

    def month_view(self, request):
        today = timezone.localdate()
        month = parse_date(request.GET.get("month", "") + "-01", default=today.replace(day=1))
        context = {
            **self._calendar_context(request, f"{month:%B %Y}"),
            **admin_day.calendar_nav(
                request,
                mode="month",
                day=today if (today.year, today.month) == (month.year, month.month) else month,
                previous={"month": f"{month - timedelta(days=1):%Y-%m}"},
                following={"month": f"{month + timedelta(days=32):%Y-%m}"},
            ),
            "weeks": agenda.month_days(month.year, month.month, with_cancelled=admin_day.showing_cancelled(request)),
            "month": month,
            "today": today,
        }
        return TemplateResponse(request, "admin/appointments/calendar_month.html", context)

    def slot_view(self, request):
        """A free time tapped in the calendar: book a client there in one form, or block it off."""
        return admin_booking.slot_view(self, request)

    def save_model(self, request, obj, form, change):
        booking.save_appointment_from_admin(appointment=obj, now=timezone.now())


class AppointmentInline(admin.TabularInline):
    model = Appointment
    verbose_name_plural = "Sessions"
    extra = 0
    can_delete = False
    fields = ["when", "status", "name_given", "phone", "client_note"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description="When")
    def when(self, obj):
        return session_time(obj.start)

    @admin.display(description="Name given")
    def name_given(self, obj):
        return details_check(obj)

    @admin.display(description="Phone given")
    def phone(self, obj):
        return phone_link(obj.client_phone)

    def get_queryset(self, request):
        # Each row's title names the client: one query for all rows, not one per session.
        return super().get_queryset(request).select_related("client")

    def has_add_permission(self, request, obj=None):
        return False


class ClientAdminForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = ["name", "email", "phone", "notes"]
        field_classes = {"phone": PhoneNumberField}

    def clean_email(self):
        # The one stored form, so the unique check below compares like with like.
        return normalise_email(self.cleaned_data["email"])


@admin.register(Client)
class ClientAdmin(PhoneNumberSearch, DeletionLoggedWithoutNames, admin.ModelAdmin):
    form = ClientAdminForm
    list_display = ["name", "phone_number", "email_address", "session_count", "no_show_count"]
    search_fields = ["name", "email"]
    phone_search_fields = ["phone"]
    fields = ["name", "email", "phone", "notes", "session_count", "no_show_count", "client_since"]
    readonly_fields = ["session_count", "no_show_count", "client_since"]
    inlines = [AppointmentInline]
    actions = ["export_data", "erase_personal_data"]

    def has_export_data_permission(self, request):
        return request.user.has_perm("appointments.export_client_data")

    def has_erase_data_permission(self, request):
        return request.user.has_perm("appointments.erase_client_data")

    @admin.action(description="Export their data (JSON)", permissions=["export_data"])
    def export_data(self, request, queryset):
        now = timezone.now()
        data = [privacy.export_client(client, viewer=request.user, now=now) for client in queryset]
        response = JsonResponse(data, safe=False, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="client-data.json"'
        return response

    @admin.action(description="Erase personal data (keeps anonymised sessions)", permissions=["erase_data"])
    def erase_personal_data(self, request, queryset):
        """First a page saying what erasing does (as admin's delete does), then the erase on its 'Yes'."""
        now = timezone.now()
        clients = list(queryset.order_by("name", "pk"))
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Erase personal data?",
                "clients": [(client, list(privacy.future_sessions(client, now=now))) for client in clients],
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/appointments/client/erase_confirmation.html", context)
        for client in clients:
            erased = privacy.erase_client(client=client, now=now)
            # Logged after the erase, so the entry names the erased client, not the person.
            self.log_change(request, erased, privacy.ERASED_LOG_MESSAGE)
        erased = f"{len(clients)} client" if len(clients) == 1 else f"{len(clients)} clients"
        self.message_user(
            request,
            f"Erased {erased}. Their sessions remain, without name, contact details or notes.",
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sessions=Count("appointments", filter=~Q(appointments__status=Appointment.Status.CANCELLED)),
                no_shows=Count("appointments", filter=Q(appointments__status=Appointment.Status.NO_SHOW)),
            )
            .order_by("name", "pk")  # The annotation drops the model's ordering; search lists need one.
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The client's health intake and check-ins, for staff who may read them (each view recorded).
        extra_context = {
            **(extra_context or {}),
            "intake_panel": intake_admin.client_panel(request, object_id),
            "checkins_panel": checkins_admin.client_panel(request, object_id),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Client since")
    def client_since(self, obj):
        return f"{timezone.localtime(obj.created_at):%B %-d, %Y}"

    @admin.display(description="Phone", ordering="phone")
    def phone_number(self, obj):
        return phone_link(obj.phone)

    @admin.display(description="Email", ordering="email")
    def email_address(self, obj):
        return email_link(obj.email)

    @admin.display(description="Sessions", ordering="sessions")
    def session_count(self, obj):
        return obj.sessions

    @admin.display(description="No-shows", ordering="no_shows")
    def no_show_count(self, obj):
        return obj.no_shows


def _hours(count):
    return f"{count} hour" if count == 1 else f"{count} hours"


def notice_and_cutoff(rules):
    """How the minimum notice and the change cut-off work together, in Julie's words."""
    notice, cutoff = rules.minimum_notice_hours, rules.cancellation_cutoff_hours
    rules_now = f"With a minimum notice of {_hours(notice)} and a cut-off of {_hours(cutoff)}"
    if notice < cutoff:
        return (
            f"{rules_now}, sessions booked {notice} to {_hours(cutoff)} ahead can't be changed online: "
            'the booking pages mark those times "can\'t be changed online" and tell clients to call you '
            "(the phone number in Your business details) or email you."
        )
    until = f"until {_hours(cutoff)} before it" if cutoff else "until it starts"
    return f"{rules_now}, every session booked online can be cancelled or moved online {until}."


# The rules that decide when clients can book and change a session; the others follow as they are.
POLICY_FIELDS = ["minimum_notice_hours", "cancellation_cutoff_hours"]


@admin.register(BookingRules)
class BookingRulesAdmin(admin.ModelAdmin):
    def get_fieldsets(self, request, obj=None):
        others = [name for name in self.get_fields(request, obj) if name not in POLICY_FIELDS]
        return [
            (
                "Booking and changing online",
                {"fields": POLICY_FIELDS, "description": notice_and_cutoff(obj or BookingRules())},
            ),
            ("Other rules", {"fields": others}),
        ]

    def has_add_permission(self, request):
        return not BookingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessDetails)
class BusinessDetailsAdmin(admin.ModelAdmin):
    """One row, always there (migration 0018, BusinessDetails.load): its link opens the form itself."""

    fields = ["name", "description", "email", "phone", "town", "state", "location"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:appointments_businessdetails_change", BusinessDetails.load().pk)


@admin.register(WorkingHours)
class WorkingHoursAdmin(TwelveHourTimesAdmin, admin.ModelAdmin):
    list_display = ["weekday", "start_time", "end_time"]
    list_filter = ["weekday"]


class TimeOffAdminForm(forms.ModelForm):
    """Time off over booked sessions is saved only once Julie says what becomes of them
    (the choice shows only then): kept, or cancelled with an email to each client."""

    KEEP, CANCEL = "keep", "cancel"
    booked_sessions = forms.ChoiceField(
        label="The booked sessions in this time off",
        choices=[(KEEP, "Keep them: the clients stay booked"), (CANCEL, "Cancel them and email the clients")],
        required=False,
        widget=HiddenInAdmin,
    )
    # The sessions Julie was shown: if others land in the time off before she saves, she is asked again.
    sessions_shown = forms.CharField(required=False, widget=HiddenInAdmin)

    class Meta:
        model = TimeOff
        fields = ["start", "end", "reason"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        times_changed = not self.instance.pk or {"start", "end"} & set(self.changed_data)
        if not (start and end and start < end and times_changed):
            return cleaned
        # Admin validates and saves in one transaction: with the calendar lock held from
        # here, the sessions listed are the ones save_time_off keeps or cancels.
        booking.lock_calendar()
        sessions = list(booking.sessions_in_time_off(start=start, end=end, now=timezone.now()))
        shown = ",".join(str(session.pk) for session in sessions)
        if sessions and (not cleaned.get("booked_sessions") or cleaned.get("sessions_shown") != shown):
            self._ask_about(sessions, shown)
        return cleaned

    def _ask_about(self, sessions, shown):
        field = self.fields["booked_sessions"]
        field.widget = forms.RadioSelect(choices=field.choices)
        # On the bound field: admin renders the help text it copied when first bound.
        self["booked_sessions"].help_text = format_html(
            '<ul class="sessions-in-time-off">{}</ul>',
            format_html_join("", "<li>{}</li>", ((session,) for session in sessions)),
        )
        self.data = self.data.copy()
        self.data[self.add_prefix("sessions_shown")] = shown
        them = "it" if len(sessions) == 1 else "them"
        self.add_error("booked_sessions", TIME_OFF_OVER_SESSIONS.format(count=_sessions(len(sessions)), them=them))


@admin.register(TimeOff)
class TimeOffAdmin(TwelveHourTimesAdmin, DateHierarchyInBusinessYears, admin.ModelAdmin):
    form = TimeOffAdminForm
    list_display = ["start", "end", "reason"]
    date_hierarchy = "start"

    def save_model(self, request, obj, form, change):
        cancel = form.cleaned_data.get("booked_sessions") == TimeOffAdminForm.CANCEL
        sessions = booking.save_time_off(time_off=obj, cancel_overlapping=cancel, now=timezone.now())
        if sessions:
            done = SESSIONS_CANCELLED if cancel else SESSIONS_KEPT
            self.message_user(request, done.format(count=_sessions(len(sessions))), messages.SUCCESS)

    def delete_model(self, request, obj):
        booking.delete_time_off(time_off=obj, now=timezone.now())

    def delete_queryset(self, request, queryset):
        for time_off in queryset:
            booking.delete_time_off(time_off=time_off, now=timezone.now())

    def response_add(self, request, obj, post_url_continue=None):
        # Blocked off from the calendar: back to the day she was looking at.
        back = admin_booking.next_url(request)
        if back and not {"_continue", "_addanother"} & set(request.POST):
            self.message_user(request, f"{obj} saved.", messages.SUCCESS)
            return redirect(back)
        return super().response_add(request, obj, post_url_continue)

    def get_changeform_initial_data(self, request):
        # "Block off" from the calendar passes ?start=<ISO time>: an hour, to adjust.
        initial = super().get_changeform_initial_data(request)
        for key in ("start", "end"):
            initial.pop(key, None)  # Raw text would break the date/time widgets.
        start = parse_slot_start(request.GET.get("start"))
        if start:
            initial.update(start=start, end=start + timedelta(hours=1))
        return initial


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(PhoneNumberSearch, EmailColumns, admin.ModelAdmin):
    list_display = ["email_kind", "session", "status", "goes_out", "tries", "sent", "problem"]
    list_filter = ["status", "kind"]
    search_fields = ["appointment__client_name", "appointment__client__name", "appointment__client__email"]
    phone_search_fields = ["appointment__client_phone", "appointment__client__phone"]
    list_select_related = ["appointment__client"]
    fields = ["email_kind", "session", "status", "goes_out", "tries", "sent", "problem"]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description="Session", ordering="appointment__start")
    def session(self, obj):
        return obj.appointment

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send again (failed emails)", permissions=["change"])
    def send_again(self, request, queryset):
        done = dispatch.send_again(queryset, now=timezone.now())
        if done.queued:
            self.message_user(request, EMAILS_QUEUED.format(count=_emails(len(done.queued))), messages.SUCCESS)
        if done.refused:
            refused = format_html_join(
                "",
                "<li>{}, {}: {}</li>",
                ((email.get_kind_display(), email.appointment, reason) for email, reason in done.refused),
            )
            self.message_user(request, format_html("{} <ul>{}</ul>", EMAILS_REFUSED, refused), messages.WARNING)
        if not done.queued and not done.refused:
            self.message_user(request, NOTHING_TO_SEND_AGAIN, messages.INFO)


def feed_links(feed):
    """The feed's secret link to paste (https) and to open in a calendar app (webcal)."""
    url = settings.SITE_URL + feed.get_absolute_url()
    return {"https_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """The secret URL Julie's phone calendar subscribes to, how to subscribe, and a way to change it."""

    list_display = ["__str__", "secret_made"]
    fields = ["subscription_url", "secret_made"]
    readonly_fields = fields
    actions = ["regenerate"]

    def get_queryset(self, request):
        CalendarFeed.load()  # The feed exists as soon as Julie looks for it.
        return super().get_queryset(request)

    def changelist_view(self, request, extra_context=None):
        # The page Julie opens: how to subscribe comes first, above the list and its action.
        context = {**feed_links(CalendarFeed.load()), "title": "Your private calendar feed"}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    @admin.display(description="Subscribe in your phone's calendar")
    def subscription_url(self, obj):
        return render_to_string("admin/appointments/calendarfeed/_subscribe.html", feed_links(obj))

    @admin.display(description="Secret link made")
    def secret_made(self, obj):
        return plain_time(obj.regenerated_at)

    @admin.action(description="Make a new secret URL (the old one stops working)", permissions=["change"])
    def regenerate(self, request, queryset):
        for feed in queryset:
            feed.regenerate()
        self.message_user(request, "New calendar URL made. Subscribe to it again on your phone.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
