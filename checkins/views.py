"""The client's check-in pages, by private links: no login, work with JavaScript off.

Nothing is recorded or stopped on GET (mail scanners open links): GET shows a form with
one button, POST acts. The stop view is csrf_exempt for RFC 8058 one-click stops, which
mail apps send as a POST without a cookie.
"""

import csv

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import answers, weeks
from .chart import chart
from .forms import SessionForm, WeekForm
from .models import PAGE_SALT, STOP_SALT, Enrolment, enrolment_from_token
from .trend import MEDICINE_NOTE, PLACEBO_NOTE, SELF_REPORTED, client_trend

CSV_COLUMNS = ["week_starting", "headache_days", "migraine_days", "medicine_days", "worst_pain", "answered_at"]


def _bad_link(request):
    return render(request, "checkins/bad_link.html", status=404)


def trend_context(client, *, now):
    """What templates/checkins/_trend.html needs; the client's page and Julie's panel both use it."""
    trend = client_trend(client, now=now)
    return {
        "trend": trend,
        "chart": chart(trend),
        "self_reported": SELF_REPORTED,
        "placebo_note": PLACEBO_NOTE,
        "medicine_note": MEDICINE_NOTE.format(days=trend.medicine_days_4_weeks) if trend.mention_medicine else "",
    }


@never_cache
@require_http_methods(["GET", "POST"])
def page(request, token):
    enrolment = enrolment_from_token(token, salt=PAGE_SALT)
    if enrolment is None:
        return _bad_link(request)
    now = timezone.now()
    checkin = answers.open_checkin(enrolment.client, now=now)
    form, status = None, 200
    if checkin is not None:
        initial = {name: getattr(checkin, name) for name in WeekForm.base_fields} if checkin.answered else None
        form = WeekForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST":
            if form.is_valid() and answers.save_answer(checkin=checkin, answers=form.cleaned_data, now=now):
                return redirect(enrolment.get_absolute_url() + "?saved")
            status = 400
    elif request.method == "POST":
        status = 400  # The week closed while the page was open: said on the page.
    context = {
        "enrolment": enrolment,
        "checkin": checkin,
        "form": form,
        "saved": "saved" in request.GET,
        "week_closed": request.method == "POST" and checkin is None,
        **trend_context(enrolment.client, now=now),
    }
    return render(request, "checkins/page.html", context, status=status)


@never_cache
def answers_csv(request, token):
    enrolment = enrolment_from_token(token, salt=PAGE_SALT)
    if enrolment is None:
        return _bad_link(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-check-ins.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for checkin in enrolment.client.weekly_checkins.exclude(answered_at=None).order_by("week"):
        writer.writerow(
            [
                checkin.week.isoformat(),
                checkin.headache_days,
                checkin.migraine_days,
                checkin.medicine_days,
                checkin.worst_pain,
                timezone.localtime(checkin.answered_at).isoformat(),
            ]
        )
    return response


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def stop(request, token):
    """GET asks; POST (the page's button, or a mail app's one-click) stops at once."""
    enrolment = enrolment_from_token(token, salt=STOP_SALT)
    if enrolment is None:
        return _bad_link(request)
    if request.method == "POST" and enrolment.status == Enrolment.Status.ACTIVE:
        weeks.set_status(enrolment, Enrolment.Status.STOPPED, now=timezone.now())
    return render(request, "checkins/stop.html", {"enrolment": enrolment, "stopped": request.method == "POST"})


@require_POST
def restart(request, token):
    """The client starts their check-ins again after stopping them (not after Julie paused them)."""
    enrolment = enrolment_from_token(token, salt=PAGE_SALT)
    if enrolment is None:
        return _bad_link(request)
    if enrolment.status in (Enrolment.Status.STOPPED, Enrolment.Status.UNANSWERED):
        weeks.set_status(enrolment, Enrolment.Status.ACTIVE, now=timezone.now())
    return redirect(enrolment.get_absolute_url())


@never_cache
@require_http_methods(["GET", "POST"])
def session(request, token):
    """The two questions after a session; the email's tap preselects an answer, one button confirms."""
    appointment = answers.appointment_from_session_token(token)
    if appointment is None:
        return _bad_link(request)
    now = timezone.now()
    if not answers.can_answer_session(appointment, now=now):
        return render(request, "checkins/session_closed.html", {"appointment": appointment})
    feedback = getattr(appointment, "feedback", None)
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            answers.answer_session(appointment=appointment, now=now, **form.cleaned_data)
            return render(request, "checkins/session_thanks.html", {"appointment": appointment})
    else:
        chosen = feedback and {"feeling": feedback.feeling, "after_effect": feedback.after_effect}
        tapped = {name: request.GET[name] for name in SessionForm.base_fields if request.GET.get(name)}
        form = SessionForm(initial={**(chosen or {}), **tapped})
    status = 400 if form.is_bound else 200
    return render(request, "checkins/session.html", {"form": form, "appointment": appointment}, status=status)
