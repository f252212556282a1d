"""Every change audited with old and new values; the API runs a batch with the same actions and
refuses the same transitions; every manufacturing URL against every role with a real batch."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from stromalab.web.accounts import roles
from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing.models import Batch, Box, Container, Deviation, Step
from tests.web.conftest import PASSWORD
from tests.web.manufacturing.conftest import t0
from tests.web.materials.helpers import lot


def events(record: Any, **kw: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(record_type=record._meta.label, record_id=str(record.pk), **kw))


def test_every_change_is_audited_with_old_and_new_values(enrolled_donor: Any, run_batch: Any,
                                                         operator: Any) -> None:
    batch = run_batch(enrolled_donor(), vials=2)
    (created,) = events(batch, action="create")
    assert json.loads(created.new)["din"] == batch.din and created.subject == batch.code
    status = events(batch, field="status")
    assert [(json.loads(e.old), json.loads(e.new)) for e in status] == [("in_process", "quarantine")]
    for step in batch.steps.all():
        state = events(step, field="state")
        assert state and json.loads(state[-1].new) == "done", step.label
        data = events(step, field="data")[-1]
        assert json.loads(data.new) == step.data
        sign = AuditEvent.objects.get(record_type="accounts.Signature", record_id=str(step.signature_id))
        assert json.loads(sign.new)["record"] == f"manufacturing.Step:{step.pk}"
    passage = batch.steps.get(kind="passage", number=1)
    create, *_ = events(passage)
    assert create.action == "create" and json.loads(create.new)["state"] == "in_progress"
    assert [json.loads(e.old) for e in events(passage, field="state")] == ["in_progress"]
    for c in batch.containers.all():
        assert json.loads(events(c, action="create")[0].new)["status"] == "quarantine"
        (pos,) = events(c, field="position")
        assert (json.loads(pos.old) if pos.old else None, json.loads(pos.new)) == (None, c.position)
    assert AuditEvent.objects.filter(record_type="manufacturing.Movement").count() == 2
    assert AuditEvent.objects.filter(subject=batch.code).count() >= 20
    assert verify_chain().ok


def test_batch_through_the_api(enrolled_donor: Any, client_as: Any, operator: Any) -> None:
    donor = enrolled_donor()
    client = client_as("operator", operator)

    def post(url: str, body: dict[str, Any]) -> Any:
        return client.post(f"/api/manufacturing{url}", data=json.dumps(body, default=str),
                           content_type="application/json")

    start = t0()
    r = post("/harvests", {"donor": donor.pseudonym, "harvested_at": start.isoformat(), "surgeon": "Dr S",
                           "mass_g": "50", "container": "pot", "transport_temperature": "4 °C",
                           "departed_at": (start + dt.timedelta(minutes=20)).isoformat(), "password": PASSWORD})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    r = post(f"/batches/{code}/isolation", {"isolated_at": (start + dt.timedelta(hours=5)).isoformat(),
                                           "cell_count": 1000, "viability_pct": 80, "password": PASSWORD})
    assert r.status_code == 400 and f"batch {code}" in r.json()["detail"][0] and "receipt must be done" in \
        r.json()["detail"][0]
    r = post(f"/batches/{code}/receipt", {"received_at": (start + dt.timedelta(hours=2)).isoformat(),
                                         "temperature_c": 5, "integrity": "intact", "mass_g": 49,
                                         "password": "wrong"})
    assert r.status_code == 400
    operator.refresh_from_db()
    assert operator.failed_logins == 1  # a wrong signature password counts toward the lockout
    r = post(f"/batches/{code}/receipt", {"received_at": (start + dt.timedelta(hours=2)).isoformat(),
                                         "temperature_c": 5, "integrity": "intact", "mass_g": 49,
                                         "password": PASSWORD})
    assert r.status_code == 201 and r.json()["signed_by"] == "Olivia Operatrice"
    assert r.json()["signature_matches"] is True
    r = post(f"/batches/{code}/isolation", {"isolated_at": (start + dt.timedelta(hours=5)).isoformat(),
                                           "cell_count": 30000000, "viability_pct": 80, "password": PASSWORD})
    assert r.status_code == 201
    at = start + dt.timedelta(hours=6)
    for n in range(2):
        assert post(f"/batches/{code}/passages", {"seeded_at": at.isoformat(), "cells_seeded": 30000000,
                                                  "vessel": "T75", "surface_cm2": 75,
                                                  "medium_lot": lot(kind="medium", lot_number="M1",
                                                                    receiver=operator).pk}
                    ).status_code == 201
        at += dt.timedelta(days=3)
        r = post(f"/batches/{code}/passages/harvest", {"harvested_at": at.isoformat(), "cells_harvested": 120000000,
                                                       "viability_pct": 90, "password": PASSWORD})
        assert r.status_code == 201, r.content
        assert r.json()["label"] == f"P{n}"
    r = post(f"/batches/{code}/freezing", {"frozen_at": (at + dt.timedelta(hours=1)).isoformat(),
                                          "container_type": "bag", "container_count": 2, "volume_ml": 50,
                                          "cells_per_container": 50000000, "password": PASSWORD})
    assert r.status_code == 201 and [c["division"] for c in r.json()] == ["A0", "B0"]
    container_id = r.json()[0]["id"]
    box = post("/boxes", {"tank": "T", "rack": "R", "name": "api"}).json()
    assert post(f"/batches/{code}/storage", {"box_id": box["id"], "password": PASSWORD}).status_code == 201
    r = post(f"/containers/{container_id}/dispatch", {"destination": "ward", "reason": "infusion"})
    assert r.status_code == 400 and "only released containers" in r.json()["detail"][0]
    body = client_as("qualified_person").get(f"/api/manufacturing/batches/{code}").json()
    assert body["status"] == "quarantine" and body["cumulative_population_doublings"] == 4.0
    assert [s["state"] for s in body["steps"]] == ["done"] * 7
    containers = client_as("monitor").get(f"/api/manufacturing/batches/{code}/containers").json()
    assert [c["location"] for c in containers] == ["T / R / api / A1", "T / R / api / A2"]
    assert Batch.objects.get(code=code).steps.filter(state=Step.DONE).count() == 7
    assert client_as("monitor").post(f"/api/manufacturing/batches/{code}/deviations",
                                     data="{}", content_type="application/json").status_code == 403


@pytest.fixture()
def mworld(enrolled_donor: Any, run_batch: Any, operator: Any) -> dict[str, str]:
    from stromalab.web.manufacturing.actions import record_deviation

    donor = enrolled_donor()
    batch = run_batch(donor, vials=2)
    open_batch = run_batch(enrolled_donor(), until="isolation")
    deviation = record_deviation(batch=batch, description="door left open", reason="closed at once",
                                 acting_user=operator)
    return {"code": batch.code, "container_id": str(batch.containers.first().pk),
            "box_id": str(Box.objects.get().pk), "step_id": str(open_batch.steps.get(kind="freezing").pk),
            "pseudonym": donor.pseudonym, "deviation_id": str(deviation.pk)}


@pytest.mark.parametrize("role", [*roles.ALL, "anonymous"])
def test_manufacturing_urls_against_every_role_with_a_real_batch(role: str, mworld: dict[str, str],
                                                                 client_as: Any) -> None:
    from tests.web.test_permissions import OPERATIONS, VIEWS, api_problem, concrete

    client = Client() if role == "anonymous" else client_as(role)
    problems = []
    for route, view in VIEWS:
        if not route.startswith("manufacturing/"):
            continue
        url = concrete(route, mworld)
        for method in ("get", "post"):
            code = getattr(client, method)(url).status_code
            if role == "anonymous":
                ok = code == 302
            else:
                allowed = view.allowed_roles if method == "get" else view.write_roles
                ok = (code != 403 and code < 500) if role in allowed else code == 403
            if not ok:
                problems.append(f"{method.upper()} {url} -> {code}")
    problems += [problem for method, route, func in OPERATIONS if route.startswith("/api/manufacturing/")
                 and (problem := api_problem(client, role, method, concrete(route, mworld), func))]
    assert not problems, f"{role}: {problems}"
    # nothing written by empty submissions
    assert Container.objects.filter(status="quarantine").count() == 2
    assert Deviation.objects.get(pk=mworld["deviation_id"]).status == "open"


def test_every_step_row_has_its_create_event(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    """No step appears in a batch record without an audit event saying who created it, when."""
    batch = run_batch(enrolled_donor(), vials=2)
    steps = list(Step.objects.all())
    assert len(steps) == 8
    for step in steps:
        (create,) = events(step, action="create")
        new = json.loads(create.new)
        assert (new["kind"], new["number"]) == (step.kind, step.number), step.label
        assert create.user_id == operator.pk and create.subject == batch.code
