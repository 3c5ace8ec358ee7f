"""A client's own trend, honest by construction (RESEARCH-MIGRAINE.md, "Showing a trend honestly").

- Unanswered weeks are gaps (None), never zeros.
- A rolling 4-week figure only where at least 3 of the 4 weeks were answered.
- The baseline says whether it was tracked (weekly answers before the first session) or
  recalled (the intake's 4 weeks, asked at one sitting).
- A change against the baseline only after 4 answered weeks since the first session.
- 10 or more medicine days in the last 4 weeks: a line suggesting a word with a doctor.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from .models import SessionFeedback, WeeklyCheckin
from .weeks import SESSIONS, monday_of

MEASURES = ["headache_days", "migraine_days", "medicine_days"]
ROLLING_WEEKS = 4
ROLLING_MIN_ANSWERED = 3
CHANGE_AFTER_WEEKS = 4
TRACKED_MIN_WEEKS = 3
MEDICINE_DAYS_TO_MENTION = 10

PLACEBO_NOTE = (
    "About 1 in 5 people taking a placebo in migraine trials reach a 50 % reduction, "
    "and migraines also vary on their own."
)
SELF_REPORTED = "Self-reported answers; not proof that the sessions caused any change."
MEDICINE_NOTE = (
    "You took medicine for a headache on {days} days in the last 4 weeks. Frequent use of headache "
    "medicines is worth talking to your doctor about."
)


@dataclass
class Week:
    week: object  # The Monday the reported 7 days began.
    checkin: object = None  # WeeklyCheckin, answered, or None: a gap.
    sessions: list = field(default_factory=list)  # Local dates of sessions in these 7 days.
    rolling_migraine: float | None = None  # Migraine days per 4 weeks, where 3 of 4 were answered.

    def value(self, name):
        return getattr(self.checkin, name) if self.checkin else None


@dataclass
class Baseline:
    kind: str  # "tracked" or "recalled".
    migraine_days: float  # Per 4 weeks.
    headache_days: float
    medicine_days: float

    @property
    def label(self):
        if self.kind == "tracked":
            return "Baseline (tracked: your weekly answers before the first session)"
        return "Baseline (recalled at intake for the 4 weeks before it)"

    @property
    def half(self):
        return self.migraine_days / 2


@dataclass
class Trend:
    weeks: list
    baseline: Baseline | None
    latest_rolling: float | None  # Shown against the baseline only after CHANGE_AFTER_WEEKS answered weeks.
    medicine_days_4_weeks: int
    feedback: list

    @property
    def answered(self):
        return [week for week in self.weeks if week.checkin]

    @property
    def mention_medicine(self):
        return self.medicine_days_4_weeks >= MEDICINE_DAYS_TO_MENTION


def _per_4_weeks(values):
    return round(sum(values) / len(values) * ROLLING_WEEKS, 1)


def _baseline(client, answered_weeks, first_session):
    if first_session is not None:
        before = [w.checkin for w in answered_weeks if w.week + timedelta(days=7) <= first_session]
        if len(before) >= TRACKED_MIN_WEEKS:
            return Baseline("tracked", **{n: _per_4_weeks([getattr(c, n) for c in before]) for n in MEASURES})
    intake = getattr(client, "intake", None)
    if intake and intake.submitted_at and intake.migraine_days is not None:
        return Baseline("recalled", **{n: getattr(intake, n) for n in MEASURES})
    return None


def client_trend(client, *, now):
    """The client's weeks from their first check-in to the latest, with baseline and notes (selector)."""
    checkins = list(WeeklyCheckin.objects.filter(client=client).order_by("week"))
    sessions = [
        timezone.localdate(start)
        for start in client.appointments.filter(status__in=SESSIONS, start__lte=now)
        .order_by("start")
        .values_list("start", flat=True)
    ]
    feedback = list(
        SessionFeedback.objects.filter(appointment__client=client).select_related("appointment").order_by("answered_at")
    )
    if not checkins:
        return Trend([], _baseline(client, [], sessions[0] if sessions else None), None, 0, feedback)
    by_week = {c.week: c for c in checkins if c.answered}
    weeks, week = [], checkins[0].week
    while week <= checkins[-1].week:
        weeks.append(Week(week, by_week.get(week), [d for d in sessions if week <= d < week + timedelta(days=7)]))
        week += timedelta(days=7)
    for i, each in enumerate(weeks):
        window = [w.checkin for w in weeks[max(0, i - ROLLING_WEEKS + 1) : i + 1] if w.checkin]
        if i >= ROLLING_WEEKS - 1 and len(window) >= ROLLING_MIN_ANSWERED:
            each.rolling_migraine = _per_4_weeks([c.migraine_days for c in window])
    first_session = sessions[0] if sessions else None
    answered = [w for w in weeks if w.checkin]
    since = [w for w in answered if first_session is not None and monday_of(first_session) <= w.week]
    latest = next((w.rolling_migraine for w in reversed(weeks) if w.rolling_migraine is not None), None)
    return Trend(
        weeks=weeks,
        baseline=_baseline(client, answered, first_session),
        latest_rolling=latest if len(since) >= CHANGE_AFTER_WEEKS else None,
        medicine_days_4_weeks=sum(w.checkin.medicine_days for w in weeks[-ROLLING_WEEKS:] if w.checkin),
        feedback=feedback,
    )
