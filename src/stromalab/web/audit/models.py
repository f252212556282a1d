"""Audit events and the chain head.

``AuditEvent.id`` is assigned by the chain (1, 2, 3, ... without gaps), not by a database
sequence: the appender holds the lock on :class:`ChainHead` while it reads the last id and hash.
``old`` and ``new`` hold canonical JSON text (or NULL), ``at`` the UTC time as ISO text, so
that the hashed content is exactly what is stored, on every database engine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .chain import GENESIS_HASH


class AuditEvent(models.Model):
    id = models.BigIntegerField(primary_key=True)
    at = models.CharField(max_length=32, help_text="UTC, ISO 8601, e.g. 2026-03-02T10:15:30.123456Z")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    record_type = models.CharField(max_length=64)
    record_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="donor pseudonym or batch id"
    )
    field = models.CharField(max_length=128, blank=True)
    old = models.TextField(null=True, blank=True)
    new = models.TextField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    #: column order of the hashed content (the canonical JSON array of these values)
    HASHED_FIELDS = (
        "id", "at", "user_id", "username", "action", "record_type", "record_id",
        "subject", "field", "old", "new", "reason", "prev_hash",
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.at} {self.username} {self.action} {self.record_type}:{self.record_id} {self.field}"


class ChainHead(models.Model):
    """One row (pk=1): the last event's id and hash. Locked by every append."""

    id = models.SmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    @classmethod
    def version(cls) -> str:
        """The record's version: the last committed event's id and hash, in one primary-key read
        (``0:`` and the genesis hash before the first). The hash names the whole chain, so two
        databases share a version only when they hold the same record: a cache kept across a
        restore, or shared by two instances, never takes one's figures for the other's."""
        last_id, last_hash = cls.objects.filter(pk=1).values_list("last_id", "last_hash").first() or (0, GENESIS_HASH)
        return f"{last_id}:{last_hash}"
