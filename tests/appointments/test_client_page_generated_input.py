"""Generated input thrown at the "Get a link to your sessions" form and the page's links: never a server error."""

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from appointments.models import Client
from clients.models import SignInLink

from .test_generated_input import ANSWERS, NOW, nasty_text, quiet

pytestmark = pytest.mark.django_db

GOOD = {"email": "ada@example.com", "website": ""}
form_data = st.fixed_dictionaries({}, optional=dict.fromkeys(GOOD, nasty_text)).map(lambda d: {**GOOD, **d})


@pytest.fixture(autouse=True)
def frozen_and_unlimited(settings, db):
    settings.FORM_RATE_LIMIT = "100000/m"
    Client.objects.create(name="Ada Lovelace", email="ada@example.com", phone="+18605550100")
    with time_machine.travel(NOW, tick=False):
        yield


@quiet
@given(data=form_data)
def test_request_form_never_fails_and_sends_one_link_at_most(client, data):
    SignInLink.objects.all().delete()  # hypothesis reuses the test's database across examples
    response = client.post(reverse("clients:request"), data)
    assert response.status_code in ANSWERS
    assert SignInLink.objects.count() <= 1
    if response.status_code == 302:
        assert response["Location"] == reverse("clients:sent")


@quiet
@given(token=nasty_text)
def test_links_never_fail(client, token):
    if not token.strip() or "/" in token:
        return  # not a URL of this app's at all
    for name in ("clients:sign_in", "clients:from_booking", "clients:page"):
        url = reverse(name, args=[token])
        assert client.get(url).status_code in ANSWERS | {410}
        assert client.post(url).status_code in ANSWERS | {410}
