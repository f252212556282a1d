"""Data queries: raised by a data manager (or by the engine on a discrepancy), answered by
site staff, closed or reopened by the data manager; each step is a message and an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.models import Donor

from .. import models as m
from ..permissions import QUERY_ANSWER_ROLES, QUERY_MANAGERS
from .common import open_query_row, screening_for


def _same_question(text: str) -> str:
    """The question as compared for duplicates: case and spacing aside."""
    return " ".join(text.split()).casefold()


def _refuse_if_already_asked(screening: m.Screening, criterion_id: str, field: str, text: str,
                             exclude: int | None = None, key: str = "text") -> None:
    """Refuse a query identical (criterion, field, question) to one still open or answered on
    this screening: the same question twice is one query, whoever sends it how many times.

    The caller holds the donor's row lock (:func:`_lock_donor`, or :func:`_locked`'s join), so
    two simultaneous requests cannot both pass this check. ``key``: where the refusal shows."""
    wanted = _same_question(text)
    pending = (m.DataQuery.objects.filter(screening=screening, criterion_id=criterion_id, field=field)
               .exclude(status=m.DataQuery.CLOSED))
    if exclude is not None:
        pending = pending.exclude(pk=exclude)
    if any(_same_question(other) == wanted for other in pending.values_list("text", flat=True)):
        raise ValidationError({key: _("the same query is already open on this screening")})


def _lock_donor(donor: Donor) -> None:
    """Serialize the data-query actions of one donor (SELECT ... FOR UPDATE; SQLite's
    transactions already hold the write lock)."""
    Donor.objects.select_for_update().only("pk").get(pk=donor.pk)


@transaction.atomic(durable=True)
def open_query(*, donor: Donor, criterion_id: str = "", field: str = "", text: str,
               acting_user: Any) -> m.DataQuery:
    """A data manager raises a query on a criterion or a field; not twice the same one."""
    check_role(acting_user, QUERY_MANAGERS)
    if not text.strip():
        raise ValidationError({"text": "required"})
    _lock_donor(donor)
    screening = screening_for(donor, acting_user)
    _refuse_if_already_asked(screening, criterion_id, field, text)
    return open_query_row(screening, criterion_id, text, acting_user, field=field)


def _locked(query: m.DataQuery) -> m.DataQuery:
    # FOR UPDATE over the join also locks the screening's and the donor's rows (PostgreSQL)
    return m.DataQuery.objects.select_for_update().select_related("screening__donor").get(pk=query.pk)


def _step(query: m.DataQuery, action: EventKind, kind: str, text: str, new_status: str,
          acting_user: Any) -> None:
    old = query.status
    query.status = new_status
    query.save(update_fields=["status"])
    m.QueryMessage.objects.create(query=query, author=acting_user, kind=kind, text=text)
    record_event(acting_user=acting_user, action=action, record=query, field="status",
                 old=old, new=new_status, reason=text, subject=query.screening.donor.pseudonym)


@transaction.atomic(durable=True)
def answer_query(*, query: m.DataQuery, text: str, acting_user: Any) -> None:
    check_role(acting_user, QUERY_ANSWER_ROLES)
    query = _locked(query)
    if query.status == m.DataQuery.CLOSED:
        raise ValidationError("query closed")
    if not text.strip():
        raise ValidationError({"text": "an answer is required"})
    _step(query, EventKind.QUERY_ANSWER, "answer", text, m.DataQuery.ANSWERED, acting_user)


@transaction.atomic(durable=True)
def close_query(*, query: m.DataQuery, text: str = "", acting_user: Any) -> None:
    check_role(acting_user, QUERY_MANAGERS)
    query = _locked(query)
    if query.status == m.DataQuery.CLOSED:
        raise ValidationError("query already closed")
    _step(query, EventKind.QUERY_CLOSE, "close", text, m.DataQuery.CLOSED, acting_user)


@transaction.atomic(durable=True)
def reopen_query(*, query: m.DataQuery, text: str, acting_user: Any) -> None:
    check_role(acting_user, QUERY_MANAGERS)
    query = _locked(query)
    if query.status != m.DataQuery.CLOSED:
        raise ValidationError("query is not closed")
    if not text.strip():
        raise ValidationError({"text": "a reason is required"})
    _refuse_if_already_asked(query.screening, query.criterion_id, query.field, query.text, exclude=query.pk,
                             key="__all__")
    _step(query, EventKind.QUERY_REOPEN, "reopen", text, m.DataQuery.OPEN, acting_user)
