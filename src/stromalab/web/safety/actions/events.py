"""A donor's adverse events after the donation: entered, followed up and reported by the
investigator, each entry and follow-up signed (the password asked again, meaning "authored").

Seriousness follows ICH E2A; a serious event gets its reporting deadline from the protocol
folder (``adverse-events.yaml``) and waits on the dashboard until its report date is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.safety.reporting import DEATH, reporting_for
from stromalab.core.safety.testing import FILE_NAME
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.models import Donor
from stromalab.web.manufacturing.config import study_file
from stromalab.web.manufacturing.models import Donation
from stromalab.web.stored_text import text_problem

from .. import models as m
from .. import windows
from ..permissions import EVENT_ENTRY

DESCRIPTION_MAX = 4000
FOLLOW_UP_MAX = 8000


def _text(value: Any, key: str, limit: int, *, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    problem = text_problem(text)
    if problem:
        raise ValidationError({key: problem})
    if required and not text:
        raise ValidationError({key: _("this field is required")})
    if len(text) > limit:
        raise ValidationError({key: _("at most %(n)s characters") % {"n": limit}})
    return text


def _choice(value: Any, key: str, choices: list[tuple[str, Any]]) -> str:
    if not isinstance(value, str) or value not in dict(choices):
        raise ValidationError({key: _("choose one of: %(choices)s")
                               % {"choices": ", ".join(str(label) for _code, label in choices)}})
    return value


def _criteria(values: Iterable[Any] | None) -> list[str]:
    codes = list(values or [])
    known = dict(m.SERIOUSNESS)
    if any(not isinstance(c, str) or c not in known for c in codes):
        raise ValidationError({"seriousness": _("choose among the ICH E2A seriousness criteria")})
    return [c for c in known if c in codes]


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({key: _("expected a date YYYY-MM-DD")}) from None


def _consistent(seriousness: list[str], outcome: str) -> None:
    if (outcome == "fatal") != (DEATH in seriousness):
        raise ValidationError({"seriousness": _("a fatal outcome and the criterion \"results in death\" go "
                                                "together")})


def _report_due(donor: Donor, onset: dt.date, seriousness: list[str]) -> dt.date | None:
    return reporting_for(study_file(donor.study_id, FILE_NAME).parent).deadline(onset, seriousness)


def _sign(event: m.AdverseEvent, password: str, acting_user: Any) -> None:
    event.signature = sign(acting_user=acting_user, password=password, meaning=Signature.AUTHORED,
                           record_type="safety.AdverseEvent", record_id=str(event.pk),
                           content=event.signed_content(), subject=event.donor.pseudonym)
    event.save(update_fields=["signature"])


@transaction.atomic(durable=True)
def record_adverse_event(*, donor: Donor, onset_on: Any, description: str, seriousness: Iterable[Any] | None,
                         relation: str, outcome: str, password: str, acting_user: Any,
                         follow_up: str = "") -> m.AdverseEvent:
    """Enter a donor's adverse event after the donation, signed by the investigator.

    Refused beside its field: an onset before the donation or in the future, an unknown choice,
    a fatal outcome without the criterion "results in death" (or the reverse)."""
    check_role(acting_user, EVENT_ENTRY)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    donation = Donation.objects.filter(donor=donor).first()
    if donation is None:
        raise ValidationError(_("%(donor)s has no donation: adverse events are recorded after the donation")
                              % {"donor": donor.pseudonym})
    onset = _date(onset_on, "onset_on")
    donated = windows.donated_on(donation)
    if onset < donated:
        raise ValidationError({"onset_on": _("before the donation (%(date)s)") % {"date": donated}})
    if onset > timezone.localdate():
        raise ValidationError({"onset_on": _("cannot be in the future")})
    criteria = _criteria(seriousness)
    outcome = _choice(outcome, "outcome", m.OUTCOMES)
    _consistent(criteria, outcome)
    event = m.AdverseEvent.objects.create(
        donor=donor, onset_on=onset, description=_text(description, "description", DESCRIPTION_MAX, required=True),
        seriousness=criteria, relation=_choice(relation, "relation", m.RELATIONS), outcome=outcome,
        follow_up=_text(follow_up, "follow_up", FOLLOW_UP_MAX, required=False),
        report_due=_report_due(donor, onset, criteria), recorded_by=acting_user)
    _sign(event, password, acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=event,
                 new={**event.signed_content(), "report_due": event.report_due.isoformat() if event.report_due else None})
    return event


@transaction.atomic(durable=True)
def follow_up_adverse_event(*, event: m.AdverseEvent, outcome: str, follow_up: str, seriousness: Iterable[Any] | None,
                            password: str, acting_user: Any, reason: str = "") -> m.AdverseEvent:
    """Change an event's outcome, seriousness or follow-up notes, signed again; a change of
    what was entered needs ``reason``. A new seriousness sets its deadline again."""
    check_role(acting_user, EVENT_ENTRY)
    event = m.AdverseEvent.objects.select_for_update().select_related("donor").get(pk=event.pk)
    criteria = _criteria(seriousness)
    outcome = _choice(outcome, "outcome", m.OUTCOMES)
    _consistent(criteria, outcome)
    notes = _text(follow_up, "follow_up", FOLLOW_UP_MAX, required=False)
    due = _report_due(event.donor, event.onset_on, criteria)
    changes = {name: (old, new) for name, old, new in (
        ("outcome", event.outcome, outcome), ("seriousness", event.seriousness, criteria),
        ("follow_up", event.follow_up, notes),
        ("report_due", event.report_due.isoformat() if event.report_due else None,
         due.isoformat() if due else None)) if old != new}
    if not changes:
        raise ValidationError({"follow_up": _("nothing changed")})
    record_changes(acting_user=acting_user, record=event, changes=changes, reason=reason.strip(),
                   labels={"outcome": str(_("outcome")), "seriousness": str(_("seriousness criteria")),
                           "follow_up": str(_("follow-up notes")), "report_due": str(_("report due by"))})
    event.outcome, event.seriousness, event.follow_up, event.report_due = outcome, criteria, notes, due
    event.save(update_fields=["outcome", "seriousness", "follow_up", "report_due"])
    _sign(event, password, acting_user)
    return event


@transaction.atomic(durable=True)
def report_adverse_event(*, event: m.AdverseEvent, reported_on: Any, acting_user: Any) -> m.AdverseEvent:
    """Record the day a serious event was reported to the sponsor (it then leaves the dashboard)."""
    check_role(acting_user, EVENT_ENTRY)
    event = m.AdverseEvent.objects.select_for_update().select_related("donor").get(pk=event.pk)
    if not event.serious:
        raise ValidationError({"reported_on": _("only a serious event is reported on a deadline")})
    if event.reported_on is not None:
        raise ValidationError({"reported_on": _("already reported on %(date)s") % {"date": event.reported_on}})
    day = _date(reported_on, "reported_on")
    if day < event.onset_on or day > timezone.localdate():
        raise ValidationError({"reported_on": _("must be from the onset date (%(date)s) to today")
                               % {"date": event.onset_on}})
    record_changes(acting_user=acting_user, record=event, changes={"reported_on": (None, day.isoformat())})
    event.reported_on = day
    event.save(update_fields=["reported_on"])
    return event
