"""The four migraine counts, checked the same way wherever they are asked.

At intake they are recalled for the last 4 weeks (28 days); the weekly check-ins ask
them for the last 7 days. Days with a migraine are among the days with a headache.
"""

INTAKE_DAYS = 28

DAYS_OUT_OF_RANGE = "Please give a whole number of days from 0 to {days}."
MORE_MIGRAINE_THAN_HEADACHE = (
    "Days with a migraine are counted among the days with a headache, so they can't be more "
    "than your {headache_days}. Please check both numbers."
)
PAIN_WITHOUT_HEADACHE = "With no days of headache, the worst pain would be “None”. Please check one or the other."
HEADACHE_WITHOUT_PAIN = "You had headaches on some days, so the worst pain was at least “Mild”. Please check."


def day_count_errors(*, headache_days, migraine_days, worst_pain):
    """{field: message} for counts that cannot all be true together; a missing count is not checked.

    Each count alone is checked against `days` by the form field (DAYS_OUT_OF_RANGE).
    """
    errors = {}
    if headache_days is not None and migraine_days is not None and migraine_days > headache_days:
        errors["migraine_days"] = MORE_MIGRAINE_THAN_HEADACHE.format(headache_days=headache_days)
    if headache_days == 0 and worst_pain not in ("", None, "none"):
        errors["worst_pain"] = PAIN_WITHOUT_HEADACHE
    if headache_days and worst_pain == "none":
        errors["worst_pain"] = HEADACHE_WITHOUT_PAIN
    return errors
