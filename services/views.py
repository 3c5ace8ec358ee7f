from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from appointments.models import BookingRules

from .models import Service


def home(request):
    services = Service.objects.filter(is_active=True)
    return render(request, "services/home.html", {"services": services, "rules": BookingRules.load()})


def service_detail(request, slug):
    service = get_object_or_404(Service.objects.prefetch_related("sections"), slug=slug, is_active=True)
    # With one service open, "Book" is the plain /book/ it always was.
    book_url = service.get_booking_url() if service.is_one_of_several() else reverse("appointments:days")
    context = {"service": service, "book_url": book_url, "rules": BookingRules.load()}
    return render(request, "services/service_detail.html", context)


def policies(request):
    return render(request, "services/policies.html", {"rules": BookingRules.load()})
