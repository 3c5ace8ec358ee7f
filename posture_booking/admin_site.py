"""The admin site, with the second step of a staff login (two_factor.py).

Installed as Django's default admin site (apps.PostureAdminConfig), still named
"admin", so every @admin.register and reverse("admin:...") keeps working.
"""

from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from . import login_limits, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )


class PostureAdminSite(admin.AdminSite):
    site_header = "Posture Massage"
    site_title = "Posture Massage admin"
    index_title = "Julie's calendar"

    def has_permission(self, request):
        return super().has_permission(request) and two_factor.second_step(request.user) is None

    def login(self, request, extra_context=None):
        # Signed in with the password but not past the second step: go there, not
        # back to a login form that says "you are not authorized".
        if request.method == "GET" and self._staff(request):
            step = two_factor.second_step(request.user)
            if step is not None:
                return self._redirect_to_step(request, step)
        response = super().login(request, extra_context)
        # The password was right (LoginLimitsHandler marked the request): this browser
        # is now a known device for that username, whatever the second step still asks.
        username = getattr(request, "logged_in_username", None)
        if username:
            login_limits.remember_device(response, username=username)
        return response

    def get_urls(self):
        return [
            # Before Django's own logout/, which admin_view shuts before the second step.
            path("logout/", self._second_step_view(self.logout), name="logout"),
            path("two-factor/", self._second_step_view(self.verify_view), name="two_factor_verify"),
            path("two-factor/set-up/", self._second_step_view(self.set_up_view), name="two_factor_set_up"),
            path(
                "two-factor/recovery-codes/",
                self.admin_view(self.recovery_codes_view),
                name="two_factor_recovery_codes",
            ),
            *super().get_urls(),
        ]

    # --- the pages --------------------------------------------------------------

    def verify_view(self, request):
        if two_factor.second_step(request.user) != two_factor.VERIFY:
            return self._redirect_to_step(request, two_factor.second_step(request.user))
        form = CodeForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            device, error = two_factor.check_code(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return HttpResponseRedirect(self._next_url(request))
        return self._render(request, "admin/two_factor/verify.html", "Enter your code", form=form, error=error)

    def set_up_view(self, request):
        if not two_factor.may_set_up(request.user):
            return self._redirect_to_step(request, two_factor.VERIFY)
        device = two_factor.pending_authenticator(request.user)
        form = CodeForm(request.POST or None)
        error = None
        if request.method == "POST" and form.is_valid():
            codes, error = two_factor.confirm_authenticator(device=device, code=form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, device)
                return self._recovery_codes_page(request, codes)
        return self._render(
            request,
            "admin/two_factor/set_up.html",
            "Set up two-step login",
            form=form,
            error=error,
            qr_code=two_factor.qr_code_svg(device),
            secret=two_factor.secret_text(device),
        )

    def recovery_codes_view(self, request):
        if request.method == "POST" and two_factor.has_authenticator(request.user):
            return self._recovery_codes_page(request, two_factor.new_recovery_codes(request.user))
        return self._render(
            request,
            "admin/two_factor/recovery_codes.html",
            "Two-step login",
            codes=None,
            has_app=two_factor.has_authenticator(request.user),
        )

    # --- helpers ----------------------------------------------------------------

    @staticmethod
    def _staff(request):
        return request.user.is_active and request.user.is_staff

    def _second_step_view(self, view):
        """For a staff user signed in with the password, before the second step:
        admin_view would send them back to the login page."""

        @wraps(view)
        def inner(request):
            if not self._staff(request):
                return HttpResponseRedirect(
                    f"{reverse('admin:login', current_app=self.name)}?{self._next_query(request)}"
                )
            return view(request)

        return require_http_methods(["GET", "POST"])(never_cache(csrf_protect(inner)))

    def _next_url(self, request):
        url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return url
        return reverse("admin:index", current_app=self.name)

    def _next_query(self, request):
        return urlencode({REDIRECT_FIELD_NAME: self._next_url(request)})

    def _redirect_to_step(self, request, step):
        if step is None:
            return HttpResponseRedirect(self._next_url(request))
        name = "admin:two_factor_verify" if step == two_factor.VERIFY else "admin:two_factor_set_up"
        return HttpResponseRedirect(f"{reverse(name, current_app=self.name)}?{self._next_query(request)}")

    def _recovery_codes_page(self, request, codes):
        # Shown once, in this answer only: never stored in the session or a page cache.
        return self._render(request, "admin/two_factor/recovery_codes.html", "Your recovery codes", codes=codes)

    def _render(self, request, template, title, **context):
        return render(
            request,
            template,
            {
                **self.each_context(request),
                "title": title,
                "next": self._next_url(request),
                "redirect_field_name": REDIRECT_FIELD_NAME,
                **context,
            },
        )
