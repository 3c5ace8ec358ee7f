"""Generated input thrown at every public booking form: clear answers, never a server error."""

from urllib.parse import quote

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.forms import slot_value
from appointments.hygiene import normalise_email
from appointments.models import Appointment, Client

from .conftest import business_time

pytestmark = pytest.mark.django_db

NOW = business_time(2026, 12, 1, 8)
GOOD = {
    "start": slot_value(business_time(2026, 12, 2, 10)),
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "860-555-0100",
    "note": "",
    "accept_policy": "on",
    "website": "",
    "booking_key": "",
    "reason": "",
    "day": "2026-12-03",
}
ANSWERS = {200, 302, 400, 404, 405, 429}

nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "2026-02-30",
            "2026-12-02T10:00-05:00",
            "2026-12-02T25:00Z",
            "9" * 400,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "2026-12-02T10:00+14:00",
            "+1 860 555 0100",
            '"a\x0bX-Injected:yes"@example.com',
            "\u212aate@example.com",
            "ada@exa\uff20mple.com",
            "Ada\u202eLovelace",
            "line\r\nbreak",
            "A" * 32,
        ]
    ),
)
form_data = st.fixed_dictionaries({}, optional=dict.fromkeys(GOOD, nasty_text)).map(lambda d: {**GOOD, **d})
quiet = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def frozen_and_unlimited(settings):
    settings.FORM_RATE_LIMIT = "100000/m"
    with time_machine.travel(NOW, tick=False):
        yield


@quiet
@given(data=form_data)
def test_booking_form_never_fails_on_generated_input(client, data):
    response = client.post(reverse("appointments:details"), data)
    assert response.status_code in ANSWERS


@quiet
@given(start=nasty_text)
def test_details_page_never_fails_on_generated_start(client, start):
    assert client.get(reverse("appointments:details"), {"start": start}).status_code in ANSWERS


@quiet
@given(day=st.text(min_size=1, max_size=60))
def test_day_page_never_fails_on_generated_day(client, day):
    assert client.get(f"/book/{quote(day, safe='')}/").status_code in ANSWERS


@quiet
@given(token=st.text(min_size=1, max_size=120), data=form_data)
def test_manage_pages_never_fail_on_generated_tokens(client, token, data):
    for name in ["manage", "cancel", "reschedule", "confirmed"]:
        url = f"/book/{name}/{quote(token, safe='')}/"
        assert client.get(url).status_code in ANSWERS
        assert client.post(url, data).status_code in ANSWERS


@quiet
@given(token=st.text(min_size=1, max_size=120))
def test_calendar_feed_never_fails_on_generated_tokens(client, token):
    assert client.get(f"/calendar/{quote(token, safe='')}.ics").status_code in ANSWERS


@pytest.fixture
def booked(book):
    return book(business_time(2026, 12, 2, 10), email="ada@example.com")


@quiet
@given(data=form_data)
def test_cancel_and_reschedule_never_fail_on_generated_input(client, booked, data):
    for name in ["reschedule", "cancel"]:
        response = client.post(reverse(f"appointments:{name}", kwargs={"token": booked.manage_token}), data)
        assert response.status_code in ANSWERS


# Emails as people type them: any case, with look-alikes NFKC folds (KELVIN SIGN, long s, fullwidth).
LOOK_ALIKES = {"k": "\u212a", "s": "\u017f", "a": "\uff41", "e": "\uff45"}
typed_emails = st.builds(
    lambda address, flips: "".join(
        LOOK_ALIKES.get(char, char) if flip == 2 else char.upper() if flip else char
        for char, flip in zip(address, flips + [0] * len(address), strict=False)
    ),
    st.emails(),
    st.lists(st.integers(0, 2), max_size=80),
)


@quiet
@given(email=st.one_of(typed_emails, st.text(max_size=80)))
def test_normalised_email_is_stable_and_valid(email):
    try:
        once = normalise_email(email)
    except ValidationError:
        return
    assert normalise_email(once) == once
    assert once == once.casefold()


@quiet
@given(email=typed_emails)
def test_one_client_per_normalised_email_whatever_is_typed(client, email):
    Client.objects.all().delete()  # hypothesis reuses the test's database across examples
    first = {**GOOD, "email": email, "booking_key": ""}
    response = client.post(reverse("appointments:details"), first)
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        stored = Client.objects.get()
        assert stored.email == normalise_email(email)
        again = {**first, "email": stored.email.upper(), "start": slot_value(business_time(2026, 12, 3, 10))}
        assert client.post(reverse("appointments:details"), again).status_code == 302
        assert Client.objects.count() == 1
    Appointment.objects.all().delete()


@quiet
@given(
    field=st.sampled_from(["name", "phone", "email", "note"]),
    char=st.characters(categories=["Cc", "Cf", "Zl", "Zp"], exclude_characters="\u200c\u200d\n\t\r"),
)
def test_a_control_character_anywhere_in_the_booking_form_is_refused(client, field, char):
    value = GOOD[field] or "Migraines"
    data = {**GOOD, field: value[:2] + char + value[2:]}
    response = client.post(reverse("appointments:details"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Appointment.objects.exists()
