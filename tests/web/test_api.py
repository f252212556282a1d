"""The REST API: a whole donor journey with a bearer token, and schemathesis finds no 5xx."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent

from .conftest import PASSWORD
from .test_permissions import OPERATIONS

pytestmark = pytest.mark.django_db


def token_client(client_as: Any, role: str) -> tuple[Client, Any]:
    session = client_as(role)
    key = session.post("/accounts/tokens/", {"label": "t"}).context["new_key"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}"), session.user


def test_openapi_and_docs_are_served() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "stromalab" and "/api/donors/donors" in schema["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_registration_to_enrollment_through_the_api(study: Any, client_as: Any,
                                                    screening_data: Any) -> None:
    coord, _ = token_client(client_as, "coordinator")
    inv, inv_user = token_client(client_as, "investigator")
    r = coord.post("/api/donors/donors", {"last_name": "Martin", "first_name": "Claire"},
                   content_type="application/json")
    assert r.status_code == 201, r.content
    p = r.json()["pseudonym"]
    assert p == "NCT05947682-001"
    r = inv.post(f"/api/donors/donors/{p}/consents", {"sheet_version": "1.0", "status": "signed",
                                                      "date": dt.date.today().isoformat()},
                 content_type="application/json")
    assert r.status_code == 201 and r.json()["consent"] == "signed"
    r = coord.patch(f"/api/screening/donors/{p}", {"data": screening_data()}, content_type="application/json")
    assert r.status_code == 200 and r.json()["verdict"] == "eligible", r.json()
    assert len(r.json()["criteria"]) == 28
    r = coord.patch(f"/api/screening/donors/{p}", {"data": {"weight_kg": 70}}, content_type="application/json")
    assert r.status_code == 400 and "reason" in r.content.decode()
    r = inv.post(f"/api/screening/donors/{p}/decision", {"password": "wrong"}, content_type="application/json")
    assert r.status_code == 400
    inv_user.refresh_from_db()
    assert inv_user.failed_logins == 1
    r = inv.post(f"/api/screening/donors/{p}/decision", {"password": PASSWORD}, content_type="application/json")
    assert r.status_code == 201 and r.json()["matches_current_record"], r.content
    assert r.json()["signed_by"] == inv_user.get_full_name()
    r = coord.post(f"/api/screening/donors/{p}/enroll", content_type="application/json")
    assert r.status_code == 403
    r = inv.post(f"/api/screening/donors/{p}/enroll", content_type="application/json")
    assert r.status_code == 201 and r.json() == {"donor": p, "slot": 1, "target": 6}
    summary = inv.get("/api/dashboard/summary").json()
    assert summary["enrolled"] == 1 and summary["target"] == 6
    events = inv.get(f"/api/audit/events?subject={p}").json()
    assert {"create", "sign", "decide", "enroll"} <= {e["action"] for e in events}
    assert AuditEvent.objects.filter(subject=p, action="enroll").count() == 1
    assert verify_chain().ok


@pytest.mark.parametrize("role", ["investigator", "data_manager"])
def test_schemathesis_finds_no_server_error(role: str, eligible_donor: Any, client_as: Any) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    from stromalab.web.wsgi import application

    eligible_donor()
    _, user = token_client(client_as, role)
    key = client_as(role, user).post("/accounts/tokens/", {"label": "fuzz"}).context["new_key"]
    headers = {"Authorization": f"Bearer {key}"}
    # Like django.test.Client: keep the test's connection (and transaction) across requests
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    failures: list[str] = []
    statuses: set[int] = set()
    written: set[int] = set()
    permitted = {(method.upper(), path): role in func.allowed_roles for method, path, func in OPERATIONS}
    try:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        for result in schema.get_all_operations():
            operation = result.ok()
            allowed = permitted[(operation.method.upper(), operation.path)]

            @given(case=operation.as_strategy())
            @settings(max_examples=15, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def check(case: Any) -> None:
                response = case.call(headers=headers)
                statuses.add(response.status_code)
                if case.method.upper() != "GET":
                    written.add(response.status_code)
                if response.status_code >= 500 or (allowed and response.status_code == 403):  # noqa: B023 (called at once)
                    failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                    f"{case.body!r} {case.query!r} {response.text[:200]}")

            check()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, failures[:10]
    assert 200 in statuses and 401 not in statuses  # authenticated calls reached the operations
    if role == "investigator":  # registers donors, records consent: fuzzed writes can succeed
        assert written & {200, 201}, written  # (a CSRF check once refused every one of them)
