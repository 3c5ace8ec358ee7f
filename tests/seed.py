"""The data migrations' seed, for transactional tests.

A transactional test (live_server, real workers, racing threads) ends with a
flush that empties every table, seeded rows included; running the seeds again
gives the next one what a fresh deployment has. The seed functions are the
migrations' own, so there is one definition of the defaults.
"""

from importlib import import_module

from django.apps import apps

SEEDS = [
    ("services.migrations.0002_seed_csmt", "seed_csmt"),
    ("appointments.migrations.0003_seed_rules_and_hours", "seed"),
    ("appointments.migrations.0005_therapist_group", "create_group"),
    ("appointments.migrations.0010_therapist_may_export_and_erase", "grant"),
    ("appointments.migrations.0018_business_details", "seed"),
    ("appointments.migrations.0018_business_details", "grant"),
    ("intake.migrations.0002_consent_text_and_therapist_permission", "seed"),
    ("waitlist.migrations.0002_therapist_sees_the_waitlist", "grant"),
]


def seed_defaults():
    for module, function in SEEDS:
        getattr(import_module(module), function)(apps, None)
