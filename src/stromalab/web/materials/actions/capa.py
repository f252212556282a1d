"""Corrective and preventive actions: opened against a deviation or an OOS record, owned by a
person with a due date, closed by the qualified person once their effectiveness is checked.

The closure is signed like a deviation's or an OOS record's
(:func:`~stromalab.web.accounts.signed_closure.close_with_signature`: password re-asked,
meaning "reviewed", a wrong password writes nothing and counts toward the lockout). Four eyes:
the owner of the action does not judge its effectiveness. A closed CAPA never changes again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.accounts.models import User
from stromalab.web.accounts.permissions import check_role
from stromalab.web.accounts.signed_closure import close_with_signature
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from ..inputs import choice, date, text
from ..models import Capa
from ..permissions import CAPA_CLOSERS, CAPA_OWNERS, CAPA_WRITERS


def _owner(owner: Any) -> User:
    """An active user whose role may own an action."""
    user = User.objects.filter(pk=getattr(owner, "pk", owner), is_active=True).first() if owner else None
    if user is None or user.role not in CAPA_OWNERS:
        raise ValidationError({"owner": _("an active member of the study staff who does the work")})
    return user


@transaction.atomic(durable=True)
def open_capa(*, kind: str, action: str, owner: Any, due_on: Any, acting_user: Any,
              deviation: Any = None, oos: Any = None) -> Capa:
    """Open a CAPA answering one ``deviation`` or one ``oos`` record (exactly one of them)."""
    check_role(acting_user, CAPA_WRITERS)
    if (deviation is None) == (oos is None):
        raise ValidationError({"answers": _("choose the deviation or the OOS record this action answers")})
    due = date(due_on, "due_on")
    if due < timezone.localdate():
        raise ValidationError({"due_on": _("%(date)s is in the past") % {"date": due.isoformat()}})
    capa = Capa.objects.create(
        deviation=deviation, oos=oos, kind=choice(kind, "kind", Capa.KINDS),
        action=text(action, "action", max_length=4000), owner=_owner(owner), due_on=due, created_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=capa, new={
        "answers": capa.answers, "kind": capa.kind, "action": capa.action, "owner": capa.owner.username,
        "due_on": capa.due_on, "status": capa.status})
    return capa


@transaction.atomic(durable=True)
def close_capa(*, capa: Capa, effectiveness_check: str, checked_on: Any, result: str, conclusion: str,
               password: str, acting_user: Any) -> Capa:
    """Close a CAPA with its effectiveness check (what was checked, when, and whether the action
    was effective) and the qualified person's signed conclusion. An action found not effective
    is closed too, and its conclusion names the new CAPA that replaces it."""
    check_role(acting_user, CAPA_CLOSERS)
    capa = Capa.objects.select_for_update(of=("self",)).select_related(
        "owner", "deviation__batch", "oos__batch").get(pk=capa.pk)
    if capa.status != Capa.OPEN:
        raise ValidationError(_("%(capa)s is already closed: a closed CAPA cannot be closed again or changed")
                              % {"capa": capa.label})
    if capa.owner_id == acting_user.pk:
        raise PermissionDenied(_("four eyes: %(user)s owns %(capa)s; another qualified person judges its "
                                 "effectiveness") % {"user": acting_user.username, "capa": capa.label})
    check = text(effectiveness_check, "effectiveness_check", max_length=4000)
    checked = date(checked_on, "checked_on")
    if checked > timezone.localdate():
        raise ValidationError({"checked_on": _("%(date)s is in the future") % {"date": checked.isoformat()}})
    outcome = choice(result, "result", Capa.RESULTS)
    close_with_signature(capa, conclusion=conclusion, password=password, acting_user=acting_user,
                         open_status=Capa.OPEN, closed_status=Capa.CLOSED,
                         decided={"effectiveness_check": ("", check), "effectiveness_checked_on": (None, checked),
                                  "effectiveness_result": ("", outcome)})
    return capa
