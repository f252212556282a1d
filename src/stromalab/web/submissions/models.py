"""One row per claimed submission token or API idempotency key: technical, not study data."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Submission(models.Model):
    """Who submitted what under ``key``, and the outcome to replay to a repeat.

    A claim is ``pending`` while its request runs; ``done`` once it succeeded (a page's
    redirect, an API 2xx), with what to answer a repeat; ``released`` when it failed (a form
    shown again with its errors, a 4xx, a crash), so that the person may correct and send
    again. The row is never deleted: a released claim is taken again by the next attempt
    (``attempt`` names the request that holds it).
    """

    FORM, API = "form", "api"
    CHANNELS = [(FORM, "page form"), (API, "API")]
    PENDING, DONE, RELEASED = "pending", "done", "released"
    STATES = [(PENDING, "pending"), (DONE, "done"), (RELEASED, "released")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=4, choices=CHANNELS)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2000)
    #: SHA-256 of the API request's body: the same key with another body is refused
    body_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=8, choices=STATES, default=PENDING)
    attempt = models.UUIDField()
    status_code = models.PositiveSmallIntegerField(null=True)
    location = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "channel", "key"], name="submission_key_unique")]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} ({self.state})"
