"""The batch record's state machine: every forbidden transition is refused with a message naming
the batch and the step, and nothing is half-written (row counts and audit events unchanged)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.accounts.actions import SignatureError
from stromalab.web.accounts.models import Signature
from stromalab.web.audit.models import AuditEvent
from stromalab.web.feedback import error_messages
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing import models as m
from tests.web.conftest import PASSWORD
from tests.web.manufacturing.conftest import t0
from tests.web.materials.helpers import lot

MODELS = (m.DinCounter, m.Donation, m.Batch, m.Step, m.Deviation, m.Container, m.Box, m.Movement, Signature,
          AuditEvent)


def snapshot() -> dict[str, Any]:
    """Row counts of every table an action may write, and the step/container/batch states."""
    out: dict[str, Any] = {model.__name__: model.objects.count() for model in MODELS}
    out["steps"] = sorted(m.Step.objects.values_list("id", "state", "data"), key=lambda r: r[0])
    out["batches"] = sorted(m.Batch.objects.values_list("id", "status"))
    out["containers"] = sorted(m.Container.objects.values_list("id", "status", "box_id", "position"))
    out["counters"] = sorted(m.DinCounter.objects.values_list("fin", "year", "last_sequence"))
    return out


def refused(call: Callable[[], Any], *fragments: str, error: type[Exception] = ValidationError) -> str:
    before = snapshot()
    with pytest.raises(error) as info:
        call()
    assert snapshot() == before, "a refused action wrote something"
    text = " ".join(error_messages(info.value))
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    return text


def later(hours: float) -> dt.datetime:
    return t0() + dt.timedelta(hours=hours)


def receipt(batch: Any, user: Any, **kw: Any) -> Any:
    args = {"received_at": later(3), "temperature_c": "6", "integrity": "intact", "mass_g": "52",
            "password": PASSWORD, "acting_user": user} | kw
    return a.record_receipt(batch=batch, **args)


def isolation(batch: Any, user: Any, **kw: Any) -> Any:
    args = {"isolated_at": later(5), "cell_count": 30_000_000, "viability_pct": "85", "password": PASSWORD,
            "acting_user": user} | kw
    return a.record_isolation(batch=batch, **args)


def seed(batch: Any, user: Any, hours: float = 6, **kw: Any) -> Any:
    args = {"seeded_at": later(hours), "cells_seeded": 1_000_000, "vessel": "T175", "surface_cm2": "175",
            "medium_lot": lot(kind="medium", lot_number="MED-1", receiver=user).pk, "acting_user": user} | kw
    return a.seed_passage(batch=batch, **args)


def harvest_p(batch: Any, user: Any, hours: float = 100, **kw: Any) -> Any:
    args = {"harvested_at": later(hours), "cells_harvested": 8_000_000, "viability_pct": "92",
            "confluence_pct": "80", "password": PASSWORD, "acting_user": user} | kw
    return a.harvest_passage(batch=batch, **args)


def freeze(batch: Any, user: Any, **kw: Any) -> Any:
    args = {"frozen_at": later(300), "container_type": "vial", "container_count": 4, "volume_ml": "1.5",
            "cells_per_container": 2_000_000, "password": PASSWORD, "acting_user": user} | kw
    return a.record_freezing(batch=batch, **args)


def test_full_run_states_and_growth(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor())
    states = {(s.kind, s.number): s.state for s in batch.steps.all()}
    assert set(states.values()) == {"done"}
    assert sorted(states) == sorted([("harvest", 0), ("receipt", 0), ("isolation", 0), ("passage", 0),
                                     ("passage", 1), ("passage", 2), ("freezing", 0), ("storage", 0)])
    assert batch.status == "quarantine"
    assert all(s.signature and s.signature_matches() for s in batch.steps.all())
    growth = a.batch_growth(batch)
    assert [p.population_doublings for p in growth.passages] == [3.0, 3.0, 3.0]
    assert growth.cumulative_population_doublings == 9.0
    assert growth.passages[0].doubling_time_hours == pytest.approx(32.0)
    assert batch.containers.count() == 10
    assert [c.division for c in batch.containers.order_by("division")][:3] == ["A0", "B0", "C0"]
    assert all(c.din == batch.din and c.status == "quarantine" and c.location for c in batch.containers.all())
    assert not batch.deviations.exists()


def test_steps_out_of_order_are_refused(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    code = batch.code
    refused(lambda: isolation(batch, operator), f"batch {code}", "SVF isolation refused", "receipt must be done")
    refused(lambda: seed(batch, operator), f"batch {code}", "seeding P0 refused", "SVF isolation must be done")
    refused(lambda: harvest_p(batch, operator), f"batch {code}", "no passage is in progress")
    refused(lambda: freeze(batch, operator), f"batch {code}", "formulation and freezing refused",
            "no passage harvest count")
    box = a.create_box(tank="T", rack="R", name="B", acting_user=operator)
    refused(lambda: a.store_batch(batch=batch, box=box, password=PASSWORD, acting_user=operator),
            f"batch {code}", "storage refused", "formulation and freezing must be done")

    receipt(batch, operator)
    refused(lambda: receipt(batch, operator), f"batch {code}", "receipt refused", "already done")
    isolation(batch, operator)
    refused(lambda: isolation(batch, operator), f"batch {code}", "already done")
    refused(lambda: freeze(batch, operator), f"batch {code}", "no passage harvest count")
    seed(batch, operator)
    refused(lambda: seed(batch, operator, hours=7), f"batch {code}", "seeding P1 refused", "P0 is still in progress")
    refused(lambda: freeze(batch, operator), f"batch {code}", "no passage harvest count")
    harvest_p(batch, operator)
    refused(lambda: harvest_p(batch, operator, hours=110), f"batch {code}", "no passage is in progress")
    seed(batch, operator, hours=101)
    refused(lambda: freeze(batch, operator), f"batch {code}", "P1 is still in progress")
    harvest_p(batch, operator, hours=200)
    freeze(batch, operator)
    refused(lambda: seed(batch, operator, hours=301), f"batch {code}", "seeding P2 refused",
            "formulation and freezing is done")
    refused(lambda: freeze(batch, operator), f"batch {code}", "already done")
    a.store_batch(batch=batch, box=box, password=PASSWORD, acting_user=operator)
    refused(lambda: a.store_batch(batch=batch, box=box, password=PASSWORD, acting_user=operator),
            f"batch {code}", "storage refused", "already done")


def test_times_out_of_order_are_refused(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="isolation")
    refused(lambda: seed(batch, operator, hours=1), f"batch {batch.code}", "before the isolation")
    seed(batch, operator)
    refused(lambda: harvest_p(batch, operator, hours=5), f"batch {batch.code}", "P0")


def test_rejection_stops_the_batch(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="isolation")
    p0 = seed(batch, operator)
    a.reject_step(step=p0, reason="contaminated flask", acting_user=operator)
    batch.refresh_from_db()
    assert batch.status == "rejected" and m.Step.objects.get(pk=p0.pk).state == "rejected"
    refused(lambda: harvest_p(batch, operator), f"batch {batch.code}", "rejected", "no further step")
    refused(lambda: seed(batch, operator, hours=7), f"batch {batch.code}", "rejected")
    done = batch.steps.get(kind="isolation")
    refused(lambda: a.reject_step(step=done, reason="x", acting_user=operator), f"batch {batch.code}", "rejected")
    refused(lambda: a.reject_step(step=p0, reason="", acting_user=operator), "Reason: required")


def test_a_done_step_cannot_be_rejected(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="receipt")
    refused(lambda: a.reject_step(step=batch.steps.get(kind="receipt"), reason="x", acting_user=operator),
            f"batch {batch.code}", "rejecting receipt refused", "already done")


def test_wrong_password_signs_nothing(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    refused(lambda: receipt(batch, operator, password="wrong password"), "password incorrect",
            error=SignatureError)
    donor = enrolled_donor()
    refused(lambda: a.record_harvest(donor=donor, harvested_at=t0(), surgeon="S", mass_g="50", container="pot",
                                     transport_temperature="4 °C", departed_at=t0(), password="nope",
                                     acting_user=operator), "password incorrect", error=SignatureError)


def test_only_operators_write(enrolled_donor: Any, run_batch: Any, make_user: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    for role in ("monitor", "qc_analyst", "qualified_person", "investigator", "administrator"):
        user = make_user(role)
        refused(lambda u=user: receipt(batch, u), error=PermissionDenied)


def test_harvest_needs_enrolled_donor_with_valid_consent(eligible_donor: Any, enrolled_donor: Any,
                                                         operator: Any, study: Any) -> None:
    from stromalab.web.donors.actions import DonorLocked, record_consent

    def harvest(donor: Any) -> Any:
        return a.record_harvest(donor=donor, harvested_at=t0(), surgeon="S", mass_g="50", container="pot",
                                transport_temperature="4 °C", departed_at=t0(), password=PASSWORD,
                                acting_user=operator)

    not_enrolled = eligible_donor(sign=True)
    refused(lambda: harvest(not_enrolled), not_enrolled.pseudonym, "not enrolled", error=DonorLocked)
    withdrawn = enrolled_donor()
    record_consent(donor=withdrawn, sheet=study.information_sheets.get(), status="withdrawn",
                   date=dt.date.today(), acting_user=enrolled_donor.investigator, reason="changed mind")
    refused(lambda: harvest(withdrawn), withdrawn.pseudonym, "withdrawn", error=DonorLocked)
    assert harvest(enrolled_donor()).status == "in_process"


def test_limit_breach_needs_a_deviation_reason(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    # 30 hours after the harvest: beyond the 24 h of manufacturing.yaml's receipt-delay
    text = refused(lambda: receipt(batch, operator, received_at=later(30)), f"batch {batch.code}", "receipt",
                   "Time from harvest to receipt", "≤ 24 h", "deviation reason", error=a.LimitBreach)
    assert "receipt: Time from harvest to receipt 30 h outside the in-process limit ≤ 24 h" in text
    step = receipt(batch, operator, received_at=later(30), deviation_reason="courier delayed by snow")
    assert step.state == "done" and step.data["elapsed_hours"] == "30"
    (dev,) = batch.deviations.all()
    assert (dev.check_id, dev.step_id, dev.reason) == ("receipt-delay", step.pk, "courier delayed by snow")
    assert dev.limit == "≤ 24 h"
    event = AuditEvent.objects.get(record_type="manufacturing.Deviation", record_id=str(dev.pk))
    assert "receipt-delay" in event.new and event.reason == "courier delayed by snow"
    # several limits at once; temperature and integrity too
    batch2 = run_batch(enrolled_donor(), until="harvest")
    refused(lambda: receipt(batch2, operator, temperature_c="30", integrity="damaged"), "Temperature on arrival",
            "Container integrity", error=a.LimitBreach)


def test_in_process_limits_at_isolation_and_passages(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="receipt")
    refused(lambda: isolation(batch, operator, viability_pct="60"), "SVF viability", "≥ 70 %", error=a.LimitBreach)
    isolation(batch, operator, viability_pct="60", deviation_reason="low viability, QP informed")
    seed(batch, operator)
    refused(lambda: harvest_p(batch, operator, viability_pct="75"), "P0", "Viability at each passage harvest",
            error=a.LimitBreach)
    refused(lambda: harvest_p(batch, operator, confluence_pct="95"), "Confluence at passage", error=a.LimitBreach)
    harvest_p(batch, operator)
    hours = 100.0
    for _n in range(1, 5):
        seed(batch, operator, hours=hours + 1)
        hours += 50
        harvest_p(batch, operator, hours=hours)
    refused(lambda: seed(batch, operator, hours=hours + 1), "P5", "Passages before final harvest",
            error=a.LimitBreach)
    seed(batch, operator, hours=hours + 1, deviation_reason="slow growth, extra passage approved")
    assert sorted(batch.deviations.values_list("check_id", flat=True)) == ["passage-count", "svf-viability"]


def test_dispatch_of_a_non_released_container_is_refused(enrolled_donor: Any, run_batch: Any,
                                                         operator: Any) -> None:
    batch = run_batch(enrolled_donor())
    container = batch.containers.first()
    refused(lambda: a.dispatch_container(container=container, destination="ward 3", reason="infusion",
                                         acting_user=operator),
            container.identifier, f"batch {batch.code}", "dispatch refused", "quarantine", "only released",
            error=a.TransitionError)
    m.Container.objects.filter(pk=container.pk).update(status="rejected")
    refused(lambda: a.dispatch_container(container=container, destination="ward 3", reason="infusion",
                                         acting_user=operator), "rejected", error=a.TransitionError)


def test_pages_show_the_refusal_and_write_nothing(enrolled_donor: Any, run_batch: Any, client_as: Any,
                                                  operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="harvest")
    client = client_as("operator", operator)
    url = f"/manufacturing/batches/{batch.code}/"
    before = snapshot()
    body = client.post(url + "isolation/", {"isolated_at": "2026-01-01T10:00", "cell_count": "1000",
                                            "viability_pct": "80", "password": PASSWORD}, follow=True
                       ).content.decode()
    assert f"batch {batch.code}: SVF isolation refused: receipt must be done first" in body
    assert snapshot() == before
    body = client.post(url + "receipt/", {"received_at": later(2).strftime("%Y-%m-%dT%H:%M"), "temperature_c": "5",
                                          "integrity": "intact", "mass_g": "50", "password": "not mine"},
                       follow=True).content.decode()
    assert "password incorrect" in body
    operator.refresh_from_db()
    assert operator.failed_logins == 1  # counted, like a failed login
    assert m.Step.objects.get(batch=batch, kind="receipt").state == "planned"
    # a monitor reads the page but cannot post a step
    assert client_as("monitor").post(url + "receipt/", {}).status_code == 403
    assert 'id="receipt-form"' not in client_as("monitor").get(url).content.decode()


def test_a_refused_value_is_shown_beside_its_field_under_its_label(enrolled_donor: Any, client_as: Any,
                                                                  operator: Any) -> None:
    donor = enrolled_donor()
    before = snapshot()
    response = client_as("operator", operator).post("/manufacturing/harvest/", {
        "donor": donor.pseudonym, "harvested_at": later(1).strftime("%Y-%m-%dT%H:%M"), "surgeon": "Dr S",
        "mass_g": "50", "container": "pot", "transport_temperature": "4 °C",
        "departed_at": later(0).strftime("%Y-%m-%dT%H:%M"), "password": PASSWORD})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["departed_at"] == ["before the harvest time"]
    body = response.content.decode()
    assert "Departure time: before the harvest time" in body and "departed_at" not in body.split("<form")[0]
    assert snapshot() == before
