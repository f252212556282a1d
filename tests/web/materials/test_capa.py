"""CAPAs: opened against a deviation or an OOS record, closed by the qualified person under an
e-signature (a wrong password refused and counted), listed when overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from stromalab.web.accounts.actions import SignatureError
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing import actions as mfg
from stromalab.web.materials import actions
from stromalab.web.materials.models import Capa
from stromalab.web.materials.queries import overdue_capas
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture()
def deviation(enrolled_donor: Any, run_batch: Any, operator: Any) -> Any:
    batch = run_batch(enrolled_donor(), until="receipt")
    return mfg.record_deviation(batch=batch, description="incubator door left open", reason="closed at once",
                                acting_user=operator)


def test_capa_lifecycle_with_signed_closure(deviation: Any, operator: Any, qp: Any, make_user: Any) -> None:
    capa = actions.open_capa(deviation=deviation, kind="corrective", action="door alarm fitted", owner=operator,
                             due_on=TODAY + dt.timedelta(days=30), acting_user=qp)
    assert capa.status == Capa.OPEN and capa.batch == deviation.batch
    close = {"effectiveness_check": "no door event in 3 months", "checked_on": TODAY, "result": "effective",
             "conclusion": "effective", "password": PASSWORD}
    with pytest.raises(PermissionDenied):
        actions.close_capa(capa=capa, acting_user=operator, **close)
    with pytest.raises(SignatureError):
        actions.close_capa(capa=capa, acting_user=qp, **close | {"password": "wrong"})
    assert Capa.objects.get(pk=capa.pk).status == Capa.OPEN
    closed = actions.close_capa(capa=capa, acting_user=qp, **close)
    assert closed.status == Capa.CLOSED and closed.signature_matches() is True
    assert closed.effectiveness_result == "effective" and closed.closed_by == qp
    assert AuditEvent.objects.filter(record_type="materials.Capa", record_id=str(capa.pk), action="close",
                                     field="status").exists()
    with pytest.raises(ValidationError, match="already closed"):
        actions.close_capa(capa=capa, acting_user=make_user("qualified_person"), **close)


def test_capa_refusals(deviation: Any, operator: Any, qp: Any, make_user: Any) -> None:
    monitor = make_user("monitor")
    base = {"kind": "preventive", "action": "train", "owner": operator, "due_on": TODAY, "acting_user": qp}
    with pytest.raises(ValidationError) as e:
        actions.open_capa(**base)
    assert "answers" in e.value.error_dict
    for field, change in (("owner", {"owner": monitor}), ("due_on", {"due_on": TODAY - dt.timedelta(days=1)}),
                          ("kind", {"kind": "other"})):
        with pytest.raises(ValidationError) as e:
            actions.open_capa(deviation=deviation, **base | change)
        assert field in e.value.error_dict
    owned = actions.open_capa(deviation=deviation, **base | {"owner": qp})
    with pytest.raises(PermissionDenied, match="four eyes"):
        actions.close_capa(capa=owned, effectiveness_check="x", checked_on=TODAY, result="effective",
                           conclusion="x", password=PASSWORD, acting_user=qp)


def test_overdue_listing(deviation: Any, operator: Any, qp: Any) -> None:
    due = actions.open_capa(deviation=deviation, kind="corrective", action="a", owner=operator, due_on=TODAY,
                            acting_user=qp)
    late = actions.open_capa(deviation=deviation, kind="corrective", action="b", owner=operator, due_on=TODAY,
                             acting_user=qp)
    Capa.objects.filter(pk=late.pk).update(due_on=TODAY - dt.timedelta(days=3))
    assert list(overdue_capas()) == [late]
    study_id = deviation.batch.donation.donor.study_id
    assert list(overdue_capas(study_id)) == [late] and not overdue_capas("NCT00000000").exists()
    assert due not in overdue_capas()


def test_overdue_capas_are_a_dashboard_queue(deviation: Any, operator: Any, qp: Any) -> None:
    from stromalab.web.dashboard import queues

    capa = actions.open_capa(deviation=deviation, kind="corrective", action="a", owner=operator, due_on=TODAY,
                             acting_user=qp)
    Capa.objects.filter(pk=capa.pk).update(due_on=TODAY - dt.timedelta(days=1))
    kind = queues.KINDS["capas_overdue"]
    assert kind in queues.kinds_for("qualified_person")
    queue = queues.build(kind, deviation.batch.donation.donor.study)
    assert queue.total == 1 and queue.items[0].url == f"/materials/capas/{capa.pk}/"
