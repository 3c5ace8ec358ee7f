"""Julie's side of check-ins: each client's trend on their page, an overview, pause and resume.

Answers are shown only to staff with intake's permission to read health data, and each
showing is recorded (answers.record_view).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from intake.admin import may_read

from . import weeks
from .answers import record_view
from .models import CheckinView, Enrolment
from .overview import overview
from .views import trend_context


def client_panel(request, client_id):
    """The client's check-ins on their admin page, for staff who may read them; None otherwise."""
    if not may_read(request):
        return None
    enrolment = Enrolment.objects.filter(client_id=client_id).select_related("client").first()
    if enrolment is None:
        return {"enrolment": None}
    now = timezone.now()
    record_view(client=enrolment.client, viewer=request.user, now=now, what="client page")
    return {"enrolment": enrolment, **trend_context(enrolment.client, now=now)}


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["client", "status", "status_changed_at"]
    list_filter = ["status"]
    search_fields = ["client__name", "client__email"]
    list_select_related = ["client"]
    actions = ["pause", "resume"]
    fields = ["client", "status", "status_changed_at"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return may_read(request)

    def has_view_permission(self, request, obj=None):
        return may_read(request)

    def has_change_permission(self, request, obj=None):
        return may_read(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # With the client: Clients → Erase personal data.

    def _set(self, request, queryset, status, done):
        now = timezone.now()
        for enrolment in queryset:
            weeks.set_status(enrolment, status, now=now)
        self.message_user(request, done.format(count=queryset.count()), messages.SUCCESS)

    @admin.action(description="Pause their check-ins")
    def pause(self, request, queryset):
        self._set(request, queryset, Enrolment.Status.PAUSED, "Paused the check-ins of {count} client(s).")

    @admin.action(description="Resume their check-ins")
    def resume(self, request, queryset):
        self._set(request, queryset, Enrolment.Status.ACTIVE, "Resumed the check-ins of {count} client(s).")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("overview/", wrap(self.overview_view), name="checkins_overview"), *super().get_urls()]

    def overview_view(self, request):
        if not may_read(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **overview(now=timezone.now()),
            "opts": self.opts,
            "title": "Weekly check-ins: overview",
        }
        return TemplateResponse(request, "admin/checkins/overview.html", context)


@admin.register(CheckinView)
class CheckinViewAdmin(admin.ModelAdmin):
    list_display = ["client", "viewer_name", "viewed_at", "what"]
    readonly_fields = list_display

    def has_module_permission(self, request):
        return may_read(request)

    def has_view_permission(self, request, obj=None):
        return may_read(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
