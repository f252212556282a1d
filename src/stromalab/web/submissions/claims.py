"""Claiming a submission key before its request runs, and recording how the request ended.

The claim is an INSERT under a unique constraint (user, channel, key) in its own short
transaction, committed before the view's action opens its durable transaction: of two
requests with the same key, exactly one inserts; the other finds the row. A repeat waits while
the first request runs (polling, up to :data:`WAIT_SECONDS`), then replays its outcome; if the
first one failed (released), the repeat takes the claim and runs itself, so that ten identical
requests give ten identical answers.

Releasing a failed claim changes no study data: the row only records that a request is
running or what it answered. A failed request wrote nothing (actions are atomic), so letting
the same token through again cannot create a second record; it lets a person correct a form
refused beside its field and send it again.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Submission

#: how long a repeat waits for the first request with its key to finish
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05
#: a pending claim older than this belongs to a request that died (a killed worker): taken over
STALE_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    """This request holds the key: it runs, then :func:`finish` records its outcome."""

    submission_id: int
    attempt: uuid.UUID
    channel: str


class KeyReused(Exception):
    """The key was used for another path or (API) another body: 422."""


class StillRunning(Exception):
    """The first request with the key has not finished within :data:`WAIT_SECONDS`: 409."""


def claim(*, user: Any, channel: str, key: str, method: str, path: str,
          body_sha256: str = "") -> Claim | Submission:
    """Claim ``key`` for this request (a :class:`Claim`), or the finished ``done`` submission
    whose outcome a repeat replays; raises :class:`KeyReused` or :class:`StillRunning`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        attempt = uuid.uuid4()
        try:
            with transaction.atomic():
                row = Submission.objects.create(user=user, channel=channel, key=key, method=method, path=path,
                                                body_sha256=body_sha256, attempt=attempt,
                                                claimed_at=timezone.now())
            return Claim(row.pk, attempt, channel)
        except IntegrityError:
            pass
        row = Submission.objects.get(user=user, channel=channel, key=key)
        if row.method != method or row.path != path:
            raise KeyReused("this key was used for another request")
        if row.state == Submission.RELEASED or (
                row.state == Submission.PENDING and row.claimed_at < timezone.now() - STALE_AFTER):
            # take the claim over, unless another repeat took it first
            taken = Submission.objects.filter(pk=row.pk, state=row.state, attempt=row.attempt).update(
                state=Submission.PENDING, attempt=attempt, body_sha256=body_sha256, claimed_at=timezone.now())
            if taken:
                return Claim(row.pk, attempt, channel)
            continue
        if row.body_sha256 != body_sha256:
            raise KeyReused("this key was used with another request body")
        if row.state == Submission.DONE:
            return row
        if time.monotonic() > deadline:
            raise StillRunning("the first request with this key is still running")
        time.sleep(POLL_SECONDS)


def finish(held: Claim, *, succeeded: bool, status_code: int, location: str = "", content_type: str = "",
           body: str = "") -> None:
    """Record the outcome: ``done`` with what to replay, or ``released`` after a failure.
    Filtered on the attempt, so a request whose stale claim was taken over changes nothing."""
    mine = Submission.objects.filter(pk=held.submission_id, attempt=held.attempt, state=Submission.PENDING)
    if succeeded:
        mine.update(state=Submission.DONE, status_code=status_code, location=location,
                    content_type=content_type, body=body)
    else:
        mine.update(state=Submission.RELEASED)
