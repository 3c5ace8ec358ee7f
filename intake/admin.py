"""Julie's side of intakes: read only, for staff with the read_health_intake permission.

Every page that shows answers records who saw them (intakes.record_intake_view), and the
intake page lists those records. The consent text is published in versions, never edited.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from appointments.hygiene import display_phone

from . import intakes, outbox, screen
from .forms import IntakeForm
from .models import ConsentText, Intake, IntakeEmail

PERMISSION = "intake.read_health_intake"
REQUEST_QUEUED = "An email asking {name} to fill in the intake will be sent within a minute."


def may_read(request):
    return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSION)


def _shown(intake, name):
    value = getattr(intake, name)
    if value in (None, ""):
        return "Not answered"
    field = intake._meta.get_field(name)
    if field.choices:
        return dict(field.choices).get(value, value)
    return display_phone(value) if name == "emergency_phone" else value


def answer_sections(intake):
    """The answers as (heading, [(question, answer)]), what needs Julie's attention first."""
    form = IntakeForm(consent_text=None)
    label = {name: form.fields[name].label for name in IntakeForm.ANSWERS}
    consent = (
        [
            ("Version", str(intake.consent_text.version)),
            ("Name typed", intake.consent_name),
            ("When", timezone.localtime(intake.consented_at).strftime("%B %-d, %Y, %-I:%M %p")),
        ]
        if intake.consent_text
        else [("Consent", "Not given yet")]
    )
    return [
        ("Needs your attention", screen.flags(intake)),
        ("Emergency contact", [(label[n], _shown(intake, n)) for n in ["emergency_name", "emergency_phone"]]),
        ("About the client", [(label["age_range"], _shown(intake, "age_range"))]),
        (
            "Migraines (recalled for the 4 weeks before the intake)",
            [(label[n], _shown(intake, n)) for n in IntakeForm.MIGRAINE],
        ),
        ("Health questions", [(label[n], _shown(intake, n)) for n in [*screen.FIELDS, "screen_details"]]),
        ("Consent", consent),
        ("Weekly check-ins", [("Asked for weekly check-ins", "Yes" if intake.weekly_checkins else "No")]),
    ]


def panel_context(request, intake, *, what):
    """What the intake's pages show; records the view."""
    intakes.record_intake_view(intake=intake, viewer=request.user, now=timezone.now(), what=what)
    return {
        "intake": intake,
        "state": intake.state(at=timezone.now()),
        "sections": answer_sections(intake),
        "views": intake.views.all()[:50],
    }


def client_panel(request, client_id):
    """The intake on the client's admin page, for staff who may read it; None otherwise."""
    if not may_read(request):
        return None
    intake = Intake.objects.filter(client_id=client_id).select_related("client", "consent_text").first()
    if intake is None:
        return {"intake": None}
    return panel_context(request, intake, what="client page")


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = ["client", "state_now", "flagged", "submitted_at"]
    list_filter = ["flagged"]
    search_fields = ["client__name", "client__email"]
    list_select_related = ["client"]

    def has_module_permission(self, request):
        return may_read(request)

    def has_view_permission(self, request, obj=None):
        return may_read(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # With the client: Clients → Erase personal data.

    @admin.display(description="State today")
    def state_now(self, obj):
        return obj.state(at=timezone.now()).label

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/print/", wrap(self.print_view), name="intake_intake_print"),
            path("<int:pk>/ask/", wrap(require_POST(self.ask_view)), name="intake_intake_ask"),
            *super().get_urls(),
        ]

    def _intake(self, request, pk):
        if not may_read(request):
            raise PermissionDenied
        return get_object_or_404(Intake.objects.select_related("client", "consent_text"), pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        intake = self._intake(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            **panel_context(request, intake, what="intake page"),
            "opts": self.opts,
            "title": str(intake),
        }
        return TemplateResponse(request, "admin/intake/intake/detail.html", context)

    def print_view(self, request, pk):
        intake = self._intake(request, pk)
        return TemplateResponse(request, "admin/intake/intake/print.html", panel_context(request, intake, what="print"))

    def ask_view(self, request, pk):
        """One tap: email the client their link, asking to fill in (or review) the intake."""
        intake = self._intake(request, pk)
        outbox.record_request(intake, now=timezone.now())
        self.message_user(request, REQUEST_QUEUED.format(name=intake.client.name), messages.SUCCESS)
        return redirect(reverse("admin:intake_intake_change", args=[intake.pk]))


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at", "start"]
    fields = ["text"]

    @admin.display(description="Begins")
    def start(self, obj):
        return format_html("{}…", obj.text[:80])

    def has_change_permission(self, request, obj=None):
        return False  # A published text is what clients accepted: a change is a new version.

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = ConsentText.current()
        return {"text": current.text} if current else {}

    def save_model(self, request, obj, form, change):
        published = intakes.publish_consent_text(text=form.cleaned_data["text"], now=timezone.now())
        obj.pk, obj.version, obj.published_at = published.pk, published.version, published.published_at


@admin.register(IntakeEmail)
class IntakeEmailAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "due_at", "sent_at", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
