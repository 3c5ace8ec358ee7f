"""The content security policy, chosen by path: strict on the public site, looser in admin."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def is_admin_path(path):
    return path.startswith("/" + settings.ADMIN_URL)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, adding 'unsafe-inline' to style-src under ADMIN_URL only.

    Django admin's own templates and widgets write style="" attributes; the public pages
    carry none (a test reads every one of them), so their policy stays 'self' alone.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or not is_admin_path(request.path_info):
            return parts
        return PolicyParts(
            config=parts.config,
            update={**(parts.update or {}), "style-src": ["'unsafe-inline'"]},
            replace=parts.replace,
            nonce=parts.nonce,
        )
