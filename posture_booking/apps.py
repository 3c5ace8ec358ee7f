from django.contrib.admin.apps import AdminConfig


class PostureAdminConfig(AdminConfig):
    """django.contrib.admin with our site (two-step login) as the default admin.site."""

    default_site = "posture_booking.admin_site.PostureAdminSite"
