"""The client's intake page, by a private link: no login, works with JavaScript off.

GET shows the form with what was saved (or, once sent, a page saying so); POST saves
("Save and finish later", or the page's script as the client goes) or sends. Nothing
is ever recorded on GET: mail scanners open links.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import intakes, screen
from .forms import IntakeForm
from .models import ConsentText, intake_from_token

SAVED = "Saved. You can close this page and finish later from the same link."
SENT = "Thank you. Your intake is with Julie."


def _bad_link(request):
    return render(request, "intake/bad_link.html", status=404)


def _initial(intake):
    return {name: getattr(intake, name) for name in IntakeForm.ANSWERS} | {"consent_name": ""}


def _page(request, intake, form, *, status=200):
    sections = {
        "contact": [form[name] for name in ["emergency_name", "emergency_phone"]],
        "migraine": [form[name] for name in IntakeForm.MIGRAINE],
        "screen": [form[name] for name in [*screen.FIELDS, "screen_details"]],
    }
    context = {"intake": intake, "form": form, "sections": sections, "consent_text": form.consent_text}
    return render(request, "intake/form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def intake_form(request, token):
    intake = intake_from_token(token)
    if intake is None:
        return _bad_link(request)
    now = timezone.now()
    consent_text = ConsentText.current()
    if request.method == "GET":
        if intake.is_current(at=now):  # Sent already: the link opened again, or just after sending.
            return render(request, "intake/sent.html", {"intake": intake, "just_sent": "sent" in request.GET})
        return _page(request, intake, IntakeForm(initial=_initial(intake), consent_text=consent_text))

    sending = request.POST.get("action") == "send"
    form = IntakeForm(request.POST, consent_text=consent_text, sending=sending)
    valid = form.is_valid()
    if sending and valid:
        intakes.send_intake(
            intake=intake,
            answers=form.valid_answers(),
            consent_text=consent_text,
            consent_name=form.cleaned_data["consent_name"],
            now=now,
        )
        return redirect(f"{intake.get_absolute_url()}?sent")
    # Saving keeps every valid answer, even beside a mistake; sending with a mistake saves them too.
    intakes.save_answers(intake=intake, answers=form.valid_answers())
    if request.headers.get("Accept") == "application/json":  # The page's script saving as the client goes.
        return JsonResponse({"saved": True, "errors": form.errors})
    if valid:
        messages.success(request, SAVED)
        return redirect(intake.get_absolute_url())
    return _page(request, intake, form, status=400 if sending else 200)


@require_POST
def review(request, token):
    """ "Something changed": the client reviews their intake, old answers filled in."""
    intake = intake_from_token(token)
    if intake is None:
        return _bad_link(request)
    intakes.reopen(intake=intake)
    return redirect(intake.get_absolute_url())
