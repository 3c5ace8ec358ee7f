from django.conf import settings


def business(request):
    """What every page needs to know about the practice."""
    return {
        "site_url": settings.SITE_URL,
        "therapist_email": settings.THERAPIST_EMAIL,
    }
