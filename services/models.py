from datetime import timedelta

from django.db import models
from django.urls import reverse


class Service(models.Model):
    """A therapy clients can book, with the page that explains it."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(help_text="The opening paragraph of the service page.")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    is_active = models.BooleanField(default=True, help_text="Untick to hide it from the site.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15),
                name="services_service_duration_at_least_15_minutes",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("services:detail", kwargs={"slug": self.slug})

    def get_booking_url(self):
        """Straight to this service's free days (a plain /book/ shows the choice when several are open)."""
        return f"{reverse('appointments:days')}?service={self.slug}"

    def is_one_of_several(self):
        """Whether another service is open too: then emails say which one a session is."""
        return Service.objects.filter(is_active=True).exclude(pk=self.pk).exists()

    @property
    def duration(self):
        """How long a session of this service lasts: the one length every slot, booking and email uses."""
        return timedelta(minutes=self.duration_minutes)


class Section(models.Model):
    """One headed part of a service page: an optional introduction, then points."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    slug = models.SlugField(max_length=100, help_text="Lets emails find a section, e.g. 'what-to-expect'.")
    heading = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    points = models.TextField(
        blank=True,
        help_text="One point a line. Start with 'Term: ' to show the term in bold.",
    )

    class Meta:
        ordering = ["service", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "slug"], name="services_section_unique_slug_per_service"),
        ]

    def __str__(self):
        return self.heading

    def point_list(self):
        """The points as (term, text) pairs; term is '' when a point has none."""
        pairs = []
        for line in self.points.splitlines():
            line = line.strip()
            if not line:
                continue
            term, sep, text = line.partition(": ")
            pairs.append((term, text) if sep and len(term) <= 40 else ("", line))
        return pairs
