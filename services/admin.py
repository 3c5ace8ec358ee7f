from django.contrib import admin

from .models import Section, Service


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["position", "heading", "slug", "intro", "points"]
    prepopulated_fields = {"slug": ["heading"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectionInline]
