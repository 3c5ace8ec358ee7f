"""Julie's view of the waitlist: who waits for which day, the offers made and what became of them."""

from django.contrib import admin
from django.utils import timezone

from appointments import availability
from appointments.hygiene import display_phone

from .models import Entry, Offer, WaitlistEmail


class OfferInline(admin.TabularInline):
    model = Offer
    fields = ["start", "valid_until", "status", "appointment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["day", "name", "part", "shown_status", "phone_shown", "joined_at"]
    list_filter = ["status", "part", "day"]
    search_fields = ["name", "email", "phone"]
    date_hierarchy = "day"
    fields = ["day", "part", "name", "email", "phone", "status", "joined_at"]
    readonly_fields = ["day", "email", "joined_at"]
    inlines = [OfferInline]

    @admin.display(description="Status", ordering="status")
    def shown_status(self, obj):
        if obj.status == Entry.Status.WAITING and not obj.is_waiting(today=availability.business_today(timezone.now())):
            return "Ended: the day has passed"
        return obj.get_status_display()

    @admin.display(description="Phone", ordering="phone")
    def phone_shown(self, obj):
        return display_phone(obj.phone)

    def has_add_permission(self, request):
        return False  # Clients join from the site.


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["start", "entry", "status", "valid_until", "created_at"]
    list_filter = ["status"]
    search_fields = ["entry__name", "entry__email"]
    readonly_fields = ["entry", "start", "end", "valid_until", "status", "appointment", "created_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEmail)
class WaitlistEmailAdmin(admin.ModelAdmin):
    list_display = ["kind", "entry", "status", "due_at", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    readonly_fields = ["entry", "offer", "kind", "status", "due_at", "attempts", "sent_at", "last_error"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
