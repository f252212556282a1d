"""Users (one role each), API tokens and electronic signatures."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from stromalab.web.localtime import local_text

from . import roles


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=32, choices=roles.CHOICES)
    must_change_password = models.BooleanField(default=False)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    audit_subject = ""

    @property
    def printed_name(self) -> str:
        """The signer's printed name shown with every signature (Part 11 §11.50)."""
        return self.get_full_name() or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def has_role(self, *allowed: str) -> bool:
        return bool(self.is_active and self.role in allowed)


class ApiToken(models.Model):
    """Bearer token for scripts. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()


class Signature(models.Model):
    """An electronic signature bound to the SHA-256 of the content signed.

    ``record_type``/``record_id`` name what was signed (e.g. ``screening.EligibilityDecision``),
    ``content_hash`` is :func:`stromalab.web.audit.canonical.sha256_hex` of the signed content.
    """

    AUTHORED, REVIEWED, APPROVED, RELEASED = "authored", "reviewed", "approved", "released"
    MEANINGS = [
        (AUTHORED, _("authored")),
        (REVIEWED, _("reviewed")),
        (APPROVED, _("approved")),
        (RELEASED, _("released")),
    ]
    signer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="signatures")
    printed_name = models.CharField(max_length=300)
    meaning = models.CharField(max_length=16, choices=MEANINGS)
    signed_at = models.DateTimeField()
    record_type = models.CharField(max_length=64)
    record_id = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)
    subject = models.CharField(max_length=64, blank=True)

    @property
    def audit_subject(self) -> str:
        return self.subject

    def matches(self, content: Any) -> bool:
        """True when ``content`` (a JSON-able value) is exactly what was signed."""
        from stromalab.web.audit.canonical import sha256_hex

        return sha256_hex(content) == self.content_hash

    def manifestation(self) -> str:
        """Text shown on screen and on printouts: name, date and time (the site's, zone named), meaning."""
        return f"{self.printed_name} — {local_text(self.signed_at, seconds=True)} — {self.get_meaning_display()}"


class PasswordHistory(models.Model):
    """A password an account no longer uses (its hash only), so that a change cannot go back to
    one of the last ones (:data:`REMEMBERED`): rotating between two passwords defeats a change."""

    REMEMBERED = 5

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="password_history")
    password = models.CharField(max_length=128)
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at", "-id"]
