"""Generated input thrown at the intake form and its page: an answer beside the field, never a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import baseline
from intake.forms import IntakeForm
from intake.models import ConsentText, Intake

from .conftest import answers
from .test_generated_input import nasty_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_at_now")]

quiet = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = [*IntakeForm.ANSWERS, "consent_name", "consent_version", "action"]
numbers = st.one_of(st.integers(min_value=-(10**20), max_value=10**20).map(str), nasty_text)
form_data = st.fixed_dictionaries(
    {},
    optional={**dict.fromkeys(FIELDS, nasty_text), "headache_days": numbers, "migraine_days": numbers},
)


@quiet
@given(changes=form_data)
def test_any_post_to_the_intake_page_gets_a_page_not_an_error(client, intake_url, changes):
    response = client.post(intake_url, answers(**changes))
    assert response.status_code in {200, 302, 400}
    if response.status_code in {200, 400}:
        form = response.context["form"]
        assert form.errors  # a page back always says why, next to a field
        assert set(form.errors) <= set(form.fields)


@quiet
@given(headache=st.integers(-5, 40), migraine=st.integers(-5, 40), medicine=st.integers(-5, 40))
def test_day_counts_are_kept_only_when_they_can_all_be_true(headache, migraine, medicine):
    data = answers(headache_days=str(headache), migraine_days=str(migraine), medicine_days=str(medicine))
    form = IntakeForm(data, consent_text=ConsentText.current(), sending=True)
    possible = all(0 <= n <= baseline.INTAKE_DAYS for n in (headache, migraine, medicine)) and migraine <= headache
    possible = possible and headache > 0  # the answers' worst pain is "severe"
    assert form.is_valid() == possible, form.errors


@quiet
@given(changes=form_data)
def test_saving_halfway_keeps_whatever_was_valid(client, intake_url, changes):
    response = client.post(intake_url, {**changes, "action": "save"})
    assert response.status_code in {200, 302}
    intake = Intake.objects.get()
    assert intake.submitted_at is None
    if intake.headache_days is not None:
        assert 0 <= intake.headache_days <= baseline.INTAKE_DAYS


@quiet
@given(token=nasty_text)
def test_any_link_is_a_page(client, ada_intake, token):
    response = client.get(f"/intake/{quote(token, safe='')}/")
    assert response.status_code in {200, 404}
