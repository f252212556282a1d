"""The exports page and API: for the data manager and the monitor only, each download audited
with the hash of the bytes sent, the page in French."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from stromalab.web.audit.kinds import EventKind
from stromalab.web.audit.models import AuditEvent


def _last_export() -> dict[str, Any]:
    return json.loads(AuditEvent.objects.filter(action=EventKind.DATA_EXPORT).latest("id").new)


@pytest.mark.parametrize("fmt", ["fhir", "odm"])
def test_download_from_the_page_is_audited(fmt: str, populated: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("monitor")
    page = client.get("/exports/")
    assert page.status_code == 200 and f'href="/exports/{fmt}/"' in page.content.decode()
    response = client.get(f"/exports/{fmt}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="{populated["study"].id}-{fmt}-')
    digest = hashlib.sha256(response.content).hexdigest()
    assert response["X-Content-SHA256"] == digest
    recorded = _last_export()
    assert recorded["sha256"] == digest and recorded["channel"] == "page"


@pytest.mark.parametrize("fmt", ["fhir", "odm"])
def test_api_download_is_audited(fmt: str, populated: dict[str, Any], client_as: Callable[..., Any]) -> None:
    response = client_as("data_manager").get(f"/api/exports/{fmt}")
    assert response.status_code == 200
    recorded = _last_export()
    assert recorded["sha256"] == hashlib.sha256(response.content).hexdigest() and recorded["channel"] == "api"


@pytest.mark.parametrize("role", ["operator", "investigator", "coordinator", "administrator"])
def test_other_roles_are_refused(role: str, populated: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as(role)
    assert client.get("/exports/").status_code == 403
    assert client.get("/exports/fhir/").status_code == 403
    assert client.get("/api/exports/odm").status_code == 403
    assert not AuditEvent.objects.filter(action=EventKind.DATA_EXPORT).exists()


def test_page_in_french(populated: dict[str, Any], client_as: Callable[..., Any]) -> None:
    client = client_as("data_manager")
    client.cookies["django_language"] = "fr"
    text = client.get("/exports/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Chaque export" in text and "piste d’audit" in text
