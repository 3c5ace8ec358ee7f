"""Light, dark, or the device's own setting: the client's choice, kept in a cookie.

Some people with migraines read better on a dark page and some get headaches from one,
so the site follows the device by default and lets each client choose, without JavaScript.
The server writes the choice into every page (base.html), so a page never flashes in the
other theme before a script could fix it.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

COOKIE = "theme"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60  # remembered for a year
AUTO = "auto"
CHOICES = [
    (AUTO, "Same as my device"),
    ("light", "Light: a soft, warm background"),
    ("dark", "Dark: a dark grey background"),
]
THEMES = {value for value, _ in CHOICES}
CHOICE_INVALID = "Please choose one of the three displays."


def theme_of(request):
    """The display this visitor chose, or AUTO (also for a cookie we did not write)."""
    chosen = request.COOKIES.get(COOKIE)
    return chosen if chosen in THEMES else AUTO


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(
        label="Display",
        choices=CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": CHOICE_INVALID, "invalid_choice": CHOICE_INVALID},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # The template has the token.


def _safe_next(request, url):
    """Where to go back to: a page of this site, else the home page."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return "/"


@never_cache  # it shows this visitor's own choice
@require_http_methods(["GET", "POST"])
def choose_theme(request):
    form = ThemeForm(request.POST or None, initial={"theme": theme_of(request)})
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        response = redirect(next_url)
        response.set_cookie(
            COOKIE,
            form.cleaned_data["theme"],
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,  # only the server reads it
        )
        return response
    return render(request, "theme.html", {"form": form, "next": next_url})
