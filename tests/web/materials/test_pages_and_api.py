"""The register and CAPA pages (refusals beside their field) and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from stromalab.web.materials.models import Capa, Lot
from tests.web.conftest import PASSWORD

from .helpers import lot

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%%EOF\n"


def test_lot_form_refusal_beside_its_field(client_as: Any, operator: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("operator", operator)
    data = {"kind": "medium", "name": "MEM alpha", "supplier": "Gibco", "catalogue_number": "1",
            "lot_number": "L1", "expires_on": "1999-01-01"}
    page = client.post("/materials/lots/", data).content.decode()
    assert 'class="errorlist' in page and "not a plausible date" in page
    response = client.post("/materials/lots/", data | {"expires_on": (TODAY + dt.timedelta(days=90)).isoformat(),
                                                        "certificate": SimpleUploadedFile("c.pdf", PDF)})
    received = Lot.objects.get(lot_number="L1")
    assert response.status_code == 302 and received.certificate_sha256
    assert client.get(f"/materials/lots/{received.pk}/certificate.pdf").content == PDF
    qp = client_as("qualified_person")
    page = qp.post(f"/materials/lots/{received.pk}/", {"step": "decision", "decision": "released",
                                                       "reason": "ok", "password": "wrong"}).content.decode()
    assert "errorlist" in page and qp.user.__class__.objects.get(pk=qp.user.pk).failed_logins == 1
    qp.post(f"/materials/lots/{received.pk}/", {"step": "decision", "decision": "released", "reason": "ok",
                                                "password": PASSWORD})
    assert Lot.objects.get(pk=received.pk).status == Lot.RELEASED


def test_french_page(client_as: Any) -> None:
    client = client_as("monitor")
    client.cookies["django_language"] = "fr"
    page = client.get("/materials/lots/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Registre des matières" in page


def test_api_register_release_recall_and_capa(client_as: Any, operator: Any, enrolled_donor: Any,
                                              run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), passages=1)
    op, qp = client_as("operator", operator), client_as("qualified_person")

    def post(client: Any, url: str, body: dict[str, Any]) -> Any:
        return client.post("/api/materials" + url, body, content_type="application/json")

    r = post(op, "/lots", {"kind": "reagent", "name": "TrypLE", "supplier": "Gibco", "catalogue_number": "2",
                           "lot_number": "T-1", "expires_on": "1999-01-01"})
    assert r.status_code == 400 and "Expires on" in str(r.json())
    r = post(op, "/lots", {"kind": "reagent", "name": "TrypLE", "supplier": "Gibco", "catalogue_number": "2",
                           "lot_number": "T-1", "expires_on": (TODAY + dt.timedelta(days=30)).isoformat()})
    assert r.status_code == 201 and r.json()["status"] == "quarantine"
    lot_id = r.json()["id"]
    assert post(qp, f"/lots/{lot_id}/decision", {"decision": "released", "reason": "ok",
                                                  "password": PASSWORD}).status_code == 400  # no certificate
    used = lot(kind="medium", lot_number="MED-0", receiver=operator)
    recall = qp.get(f"/api/materials/lots/{used.pk}/recall").json()
    assert recall[0]["batch"] == batch.code and len(recall[0]["containers"]) == 10
    r = post(op, "/instruments", {"identifier": "NC-1", "kind": "cell_counter", "due_on": TODAY.isoformat()})
    assert r.status_code == 201
    deviation = batch.deviations.create(check_id="manual", description="d", reason="r", recorded_by=operator)
    r = post(qp, "/capas", {"deviation": deviation.pk, "kind": "corrective", "action": "fix",
                            "owner": operator.username, "due_on": TODAY.isoformat()})
    assert r.status_code == 201 and r.json()["batch"] == batch.code
    capa_id = r.json()["id"]
    Capa.objects.filter(pk=capa_id).update(due_on=TODAY - dt.timedelta(days=1))
    assert [c["id"] for c in qp.get("/api/materials/capas/overdue").json()] == [capa_id]
    r = post(qp, f"/capas/{capa_id}/close", {"effectiveness_check": "ok", "checked_on": TODAY.isoformat(),
                                             "result": "effective", "conclusion": "done", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["signature"]
