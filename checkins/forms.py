"""The check-in's questions: a tap per question (radio buttons), the same words every week."""

from django import forms

from intake import baseline
from intake.models import Pain

from .models import AfterEffect, Feeling

DAYS = [(n, str(n)) for n in range(8)]
PICK_ONE = "Please choose one."
ANSWER_ONE = "Please answer at least one of the two questions."
MIGRAINE_DAY = (
    "A migraine day: a headache of half an hour or more that was one-sided, throbbing, moderate or severe, "
    "or worse with activity, or came with nausea or sensitivity to light and sound; or a day with aura, "
    "or a day you took a migraine medicine."
)


def days(label, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=DAYS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": PICK_ONE, "invalid_choice": PICK_ONE},
        **kwargs,
    )


class WeekForm(forms.Form):
    headache_days = days("On how many of the last 7 days did you have a headache?")
    migraine_days = days("Of those, on how many days was it a migraine?", help_text=MIGRAINE_DAY)
    medicine_days = days("On how many days did you take medicine for a headache?")
    worst_pain = forms.ChoiceField(
        label="How bad was the worst headache?",
        choices=Pain.choices,
        widget=forms.RadioSelect,
        error_messages={"required": PICK_ONE, "invalid_choice": PICK_ONE},
    )

    def clean(self):
        data = super().clean()
        for name, message in baseline.day_count_errors(
            headache_days=data.get("headache_days"),
            migraine_days=data.get("migraine_days"),
            worst_pain=data.get("worst_pain"),
        ).items():
            if name in data:
                self.add_error(name, message)
        return data


class SessionForm(forms.Form):
    feeling = forms.ChoiceField(
        label="Compared with before the session, how do you feel?",
        choices=Feeling.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": PICK_ONE},
    )
    after_effect = forms.ChoiceField(
        label="Any after-effects?",
        choices=AfterEffect.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": PICK_ONE},
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("feeling") and not data.get("after_effect"):
            raise forms.ValidationError(ANSWER_ONE)
        return data
