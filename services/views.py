from django.shortcuts import get_object_or_404, render

from appointments.models import BookingRules

from .models import Service


def home(request):
    services = Service.objects.filter(is_active=True)
    return render(request, "services/home.html", {"services": services, "rules": BookingRules.load()})


def service_detail(request, slug):
    service = get_object_or_404(Service.objects.prefetch_related("sections"), slug=slug, is_active=True)
    return render(request, "services/service_detail.html", {"service": service, "rules": BookingRules.load()})


def policies(request):
    return render(request, "services/policies.html", {"rules": BookingRules.load()})
