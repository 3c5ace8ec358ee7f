"""The trend as SVG coordinates for templates/checkins/_chart.svg: no JavaScript, no chart library.

Days per week on the vertical axis (0 to 7), one column per week. Unanswered weeks draw
nothing; the rolling 4-week line breaks where it has no value. Series differ by shape as
well as colour (circle, square, diamond), so the chart reads without colour.
"""

from math import ceil

WIDTH, HEIGHT = 480, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 16, 44
MAX_DAYS = 7
MAX_LABELS = 6


def chart(trend):
    weeks = trend.weeks
    if not weeks:
        return None
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(weeks)

    def x(i):
        return round(LEFT + (i + 0.5) * step, 1)

    def y(days):
        return round(TOP + plot_h * (1 - days / MAX_DAYS), 1)

    headache, migraine, medicine, sessions, labels, lines, line = [], [], [], [], [], [], []
    every = ceil(len(weeks) / MAX_LABELS)
    for i, week in enumerate(weeks):
        if week.checkin:
            headache.append((x(i) - 5, y(week.value("headache_days"))))
            migraine.append((x(i) - 3.5, y(week.value("migraine_days")) - 3.5))
            cx, cy = x(i) + 5, y(week.value("medicine_days"))
            medicine.append(f"{cx},{cy - 5} {cx + 5},{cy} {cx},{cy + 5} {cx - 5},{cy}")
        if week.sessions:
            sessions.append(x(i))
        if i % every == 0:
            labels.append((x(i), f"{week.week:%b} {week.week.day}"))
        if week.rolling_migraine is None:
            if line:
                lines.append(" ".join(line))
            line = []
        else:
            line.append(f"{x(i)},{y(week.rolling_migraine / 4)}")
    if line:
        lines.append(" ".join(line))
    baseline = trend.baseline
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "grid": [(days, y(days)) for days in range(0, MAX_DAYS + 1)],
        "headache": headache,
        "migraine": migraine,
        "medicine": medicine,
        "sessions": sessions,
        "labels": labels,
        "rolling": lines,
        "axis_x": LEFT - 8,
        # The baseline (a band) and its half, per week: the baseline is per 4 weeks.
        "baseline_y": y(min(baseline.migraine_days / 4, MAX_DAYS)) if baseline else None,
        "half_y": y(min(baseline.half / 4, MAX_DAYS)) if baseline else None,
    }
