"""Donation Identification Numbers: the facility's ISBT 128 sequence, one per harvest."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stromalab.core.manufacturing import isbt128
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from ..config import facility_fin
from ..models import DinCounter
from ..permissions import WRITERS


@transaction.atomic(durable=True)
def allocate_din(*, acting_user: Any, fin: str | None = None, year: int | None = None) -> isbt128.Din:
    """The next DIN of this facility and year; the sequence is never reused.

    The counter row is locked (``SELECT ... FOR UPDATE``; on SQLite the transaction already holds
    the write lock) and increased in the caller's transaction: two harvests never get the same
    number, and a harvest that rolls back issued no DIN (its number goes to the next harvest).
    """
    check_role(acting_user, WRITERS)
    return next_din(acting_user=acting_user, fin=fin, year=year)


def next_din(*, acting_user: Any, fin: str | None = None, year: int | None = None) -> isbt128.Din:
    """:func:`allocate_din`'s body, inside the caller's transaction (the harvest's)."""
    fin = fin or facility_fin()
    year = timezone.localdate().year % 100 if year is None else year
    try:
        with transaction.atomic():
            DinCounter.objects.get_or_create(fin=fin, year=year)
    except IntegrityError:  # another transaction created it first; it is there now
        pass
    counter = DinCounter.objects.select_for_update().get(fin=fin, year=year)
    din = isbt128.next_din(fin, year, counter.last_sequence or None)
    old = counter.last_sequence
    DinCounter.objects.filter(pk=counter.pk).update(last_sequence=din.sequence)
    record_event(acting_user=acting_user, action=EventKind.UPDATE, record=counter, field="last_sequence",
                 old=old, new=din.sequence, subject=din.text)
    return din
