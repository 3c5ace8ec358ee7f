"""Generated input thrown at the waitlist's forms and links: clear answers, never a server error."""

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from appointments.hygiene import normalise_email
from waitlist.models import Entry

from .test_generated_input import ANSWERS, NOW, nasty_text, quiet
from .test_waitlist import FULL_DAY

pytestmark = pytest.mark.django_db

GOOD = {"part": "any", "name": "Ada Lovelace", "email": "ada@example.com", "phone": "860-555-0100", "website": ""}
form_data = st.fixed_dictionaries({}, optional=dict.fromkeys(GOOD, nasty_text)).map(lambda d: {**GOOD, **d})


@pytest.fixture(autouse=True)
def frozen_and_unlimited(settings, book):
    settings.FORM_RATE_LIMIT = "100000/m"
    for start in FULL_DAY:  # December 2 is full: its waitlist is open to every time of day
        book(start)
    with time_machine.travel(NOW, tick=False):
        yield


@quiet
@given(data=form_data, day=st.one_of(st.just("2026-12-02"), nasty_text))
def test_join_form_never_fails_and_stores_only_clean_entries(client, data, day):
    Entry.objects.all().delete()  # hypothesis reuses the test's database across examples
    try:
        url = reverse("waitlist:join", kwargs={"day": day})
    except Exception:
        return  # not a URL at all (a slash, an empty day): nothing reaches the view
    response = client.post(url, data)
    assert response.status_code in ANSWERS
    for entry in Entry.objects.all():
        assert entry.email == normalise_email(entry.email)
        assert entry.phone.startswith("+")
        assert entry.part in {"any", "morning", "afternoon"}


@quiet
@given(token=nasty_text)
def test_offer_and_leave_links_never_fail(client, token):
    if not token.strip() or "/" in token:
        return  # not a URL of the waitlist's at all
    for name in ("waitlist:offer", "waitlist:leave"):
        url = reverse(name, args=[token])
        assert client.get(url).status_code in ANSWERS
        assert client.post(url, {"accept_policy": "on"}).status_code in ANSWERS
