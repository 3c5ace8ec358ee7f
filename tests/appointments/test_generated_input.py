"""Generated input thrown at every public booking form: clear answers, never a server error."""

from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appointments.forms import slot_value

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
