"""The data migrations of client details and emails, run on rows as older versions stored them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .conftest import business_time

BEFORE = [("appointments", "0010_therapist_may_export_and_erase")]


@pytest.fixture
def migrator(seeded):
    """Migrate back to BEFORE; .apps has the models as they were; .forward() goes to the latest."""

    class Migrator:
        executor = MigrationExecutor(connection)
        latest = executor.loader.graph.leaf_nodes()

        def __init__(self):
            self.executor.migrate(BEFORE)
            self.apps = self.executor.loader.project_state(BEFORE).apps

        def forward(self):
            self.executor = MigrationExecutor(connection)  # fresh state: the graph was applied backwards
            self.executor.migrate(self.latest)
            return self.executor.loader.project_state(self.latest).apps

    migrator = Migrator()
    yield migrator
    MigrationExecutor(connection).migrate(migrator.latest)


@pytest.mark.django_db(transaction=True)
def test_migrations_keep_each_bookings_details_and_merge_clients_that_become_one_address(migrator):
    Client = migrator.apps.get_model("appointments", "Client")
    Appointment = migrator.apps.get_model("appointments", "Appointment")
    Service = migrator.apps.get_model("services", "Service")
    service = Service.objects.get(slug="craniosacral-therapy")
    # Distinct for the old lower() constraint, one address once folded (ß is ss, fullwidth is ASCII).
    anna = Client.objects.create(
        name="Anna", email="Anna@Straße.example", phone="(860) 555-0100", notes="Likes it quiet."
    )
    anna_again = Client.objects.create(
        name="Anna B.", email="ａｎｎａ@strasse.example", phone="(203) 555-0200", notes="Prefers mornings."
    )
    kate = Client.objects.create(name="Kate", email="Kate@Example.COM", phone="(860) 555-0300")
    start = business_time(2026, 12, 2, 10)
    for hours, client in [(0, anna), (2, anna_again), (4, kate)]:
        Appointment.objects.create(
            client=client, service=service, start=start + timedelta(hours=hours), end=start + timedelta(hours=hours + 1)
        )

    apps = migrator.forward()

    Client = apps.get_model("appointments", "Client")
    Appointment = apps.get_model("appointments", "Appointment")
    assert sorted(Client.objects.values_list("email", flat=True)) == ["anna@strasse.example", "kate@example.com"]
    merged = Client.objects.get(email="anna@strasse.example")
    assert merged.pk == anna.pk and merged.name == "Anna"
    assert "Likes it quiet." in merged.notes
    assert "Prefers mornings." in merged.notes and "Anna B., (203) 555-0200" in merged.notes
    sessions = Appointment.objects.order_by("start")
    assert [(s.client_id, s.client_name, s.client_phone) for s in sessions] == [
        (anna.pk, "Anna", "+18605550100"),
        (anna.pk, "Anna B.", "+12035550200"),
        (kate.pk, "Kate", "+18605550300"),
    ]


@pytest.mark.django_db(transaction=True)
def test_migrations_store_phone_numbers_in_one_form_and_leave_what_is_no_number(migrator):
    Client = migrator.apps.get_model("appointments", "Client")
    Appointment = migrator.apps.get_model("appointments", "Appointment")
    service = migrator.apps.get_model("services", "Service").objects.get(slug="craniosacral-therapy")
    typed = ["860.555.0149", "(203) 555-0100", "ask at the desk", "+44 20 7946 0958"]
    clients = [Client.objects.create(name="C", email=f"c{i}@example.com", phone=phone) for i, phone in enumerate(typed)]
    start = business_time(2026, 12, 2, 10)
    # Migration 0011 copies the client's phone onto the session, as typed; 0016 normalises both.
    Appointment.objects.create(client=clients[0], service=service, start=start, end=start + timedelta(hours=1))

    apps = migrator.forward()

    phones = apps.get_model("appointments", "Client").objects.order_by("pk").values_list("phone", flat=True)
    assert list(phones) == ["+18605550149", "+12035550100", "ask at the desk", "+442079460958"]
    assert apps.get_model("appointments", "Appointment").objects.get().client_phone == "+18605550149"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_migrations_on_postgresql_leave_a_unique_constraint_on_the_normalised_email(migrator):
    Client = migrator.apps.get_model("appointments", "Client")
    Appointment = migrator.apps.get_model("appointments", "Appointment")
    service = migrator.apps.get_model("services", "Service").objects.get(slug="craniosacral-therapy")
    first = Client.objects.create(name="Zoe", email="zoe@strasse.example", phone="1")
    second = Client.objects.create(name="Zoe Two", email="ZOE@STRAẞE.EXAMPLE", phone="2")
    start = business_time(2026, 12, 2, 10)
    Appointment.objects.create(client=second, service=service, start=start, end=start + timedelta(hours=1))

    migrator.forward()

    from django.db import IntegrityError, transaction

    from appointments.models import Appointment as Current
    from appointments.models import Client as CurrentClient

    assert list(CurrentClient.objects.values_list("pk", "email")) == [(first.pk, "zoe@strasse.example")]
    assert Current.objects.get().client_id == first.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        CurrentClient.objects.create(name="Zoe Three", email="zoe@strasse.example", phone="3")


@pytest.mark.django_db(transaction=True)
def test_the_phone_and_address_move_to_the_business_details_julie_may_edit(migrator, settings):
    BookingRules = migrator.apps.get_model("appointments", "BookingRules")
    BookingRules.objects.update_or_create(
        pk=1, defaults={"contact_phone": "(860) 555-0142", "location": "12 Elm Street, Hartford, CT"}
    )

    apps = migrator.forward()

    business = apps.get_model("appointments", "BusinessDetails").objects.get(pk=1)
    assert (business.phone, business.location) == ("(860) 555-0142", "12 Elm Street, Hartford, CT")
    assert (business.name, business.state, business.town) == ("Posture Massage", "Connecticut", "")
    assert business.email == settings.THERAPIST_EMAIL
    therapist = apps.get_model("auth", "Group").objects.get(name="Therapist")
    granted = set(therapist.permissions.filter(codename__endswith="businessdetails").values_list("codename", flat=True))
    assert granted == {"view_businessdetails", "change_businessdetails"}
