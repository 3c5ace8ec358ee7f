"""Julie's overview of check-ins (selector): who checks in, answer rate per week, who stopped, after-effects."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q

from .models import AfterEffect, Enrolment, SessionFeedback, WeeklyCheckin
from .weeks import reported_week

WEEKS_SHOWN = 8
# Active clients whose last check-ins went unanswered this many times show as "stopped answering".
QUIET_AFTER = 2


@dataclass
class WeekRate:
    week: object
    sent: int
    answered: int

    @property
    def percent(self):
        return round(100 * self.answered / self.sent) if self.sent else None


def overview(*, now):
    latest = reported_week(now)
    first = latest - timedelta(weeks=WEEKS_SHOWN - 1)
    counts = {
        row["week"]: row
        for row in WeeklyCheckin.objects.filter(week__gte=first, status=WeeklyCheckin.Status.SENT)
        .values("week")
        .annotate(sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    }
    rates = []
    for n in range(WEEKS_SHOWN):
        week = latest - timedelta(weeks=n)
        row = counts.get(week, {})
        rates.append(WeekRate(week, row.get("sent", 0), row.get("answered", 0)))
    active = list(Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).select_related("client"))
    quiet = [e for e in active if _went_quiet(e.client_id)]
    stopped = list(Enrolment.objects.exclude(status=Enrolment.Status.ACTIVE).select_related("client"))
    recent = SessionFeedback.objects.filter(answered_at__gte=now - timedelta(weeks=WEEKS_SHOWN)).select_related(
        "appointment__client"
    )
    # Encrypted answers can't be filtered in the database: a few weeks' rows are read here.
    after_effects = [f for f in recent if f.after_effect not in ("", AfterEffect.NONE)]
    return {
        "checking_in": len(active),
        "rates": rates,
        "quiet": quiet,
        "stopped": stopped,
        "after_effects": after_effects,
    }


def _went_quiet(client_id):
    last = list(
        WeeklyCheckin.objects.filter(client_id=client_id, status=WeeklyCheckin.Status.SENT)
        .order_by("-week")
        .values_list("answered_at", flat=True)[:QUIET_AFTER]
    )
    return len(last) == QUIET_AFTER and all(answered is None for answered in last)
