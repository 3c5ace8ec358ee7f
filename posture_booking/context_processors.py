from django.conf import settings

from .themes import theme_of


def business(request):
    """What every page needs to know about the practice."""
    return {
        "site_url": settings.SITE_URL,
        "therapist_email": settings.THERAPIST_EMAIL,
    }


def theme(request):
    """The display chosen (auto, light or dark), which base.html writes into every page."""
    return {"theme": theme_of(request)}
