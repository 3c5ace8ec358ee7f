"""The one-time sign-in links a client asks for by email: each is an owed email and its use record."""

import uuid
from datetime import timedelta

from django.core import signing
from django.db import models

LINK_SALT = "clients.sign-in"
LINK_LIFETIME = timedelta(minutes=30)


class SignInLink(models.Model):
    """One emailed link to a client's own page: sent by appointments.dispatch's protocol
    (clients.outbox), usable once (used_at) for LINK_LIFETIME from created_at."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    client = models.ForeignKey("appointments.Client", on_delete=models.CASCADE, related_name="sign_in_links")
    # The link's secret, signed with the client's id (links.link_token): random, so not derivable.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "sign-in link"
        indexes = [
            # For the sweep that sends what is due (clients.outbox.send_due_sign_in_emails).
            models.Index(fields=["due_at", "id"], condition=models.Q(status="pending"), name="clients_link_due_idx"),
        ]

    def __str__(self):
        return "Link to a client's sessions"

    @property
    def token(self):
        """The link's secret: its key, signed with its client's id and a salt of its own."""
        return signing.Signer(salt=LINK_SALT).sign_object({"c": self.client_id, "k": self.key.hex})

    def is_usable(self, *, now):
        """The one rule for a sign-in link: not used yet, and younger than LINK_LIFETIME."""
        return self.used_at is None and now < self.created_at + LINK_LIFETIME
