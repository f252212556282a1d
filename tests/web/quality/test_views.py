"""The pages and the API over a real batch: every page renders for every reader, forms call
the actions, signatures re-ask the password (a wrong one counts toward lockout), the
certificate downloads; the permission matrix over these URLs with real objects."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from stromalab.web.accounts import roles
from stromalab.web.accounts.models import User
from stromalab.web.quality import actions
from stromalab.web.quality import models as m
from stromalab.web.quality.permissions import READERS
from stromalab.web.quality.spec import IDENTITY_TESTS

from .conftest import DOSE, PASSING, PASSWORD, enter_all, uploads

pytestmark = pytest.mark.django_db
TODAY = dt.date.today().isoformat()


@pytest.fixture()
def world(batch: Any, analyst: Any, good_panel: dict[str, bytes]) -> dict[str, str]:
    control, stained = uploads(good_panel)
    panel = actions.upload_panel(batch=batch, control=control, stained=stained, acting_user=analyst)
    r = actions.record_result(batch=batch, test_id="endotoxin", value="3", performed_on=TODAY, acting_user=analyst)
    oos = m.OosRecord.objects.get(result=r)
    return {"qc_batch": batch.code, "qc_result_id": str(r.pk), "oos_id": str(oos.pk),
            "fcs_panel_id": str(panel.pk), "histogram_index": "0"}


PAGES = ["/quality/", "/quality/oos/", "/quality/oos/?status=all", "/quality/oos/{oos_id}/",
         "/quality/results/{qc_result_id}/", "/quality/panels/{fcs_panel_id}/",
         "/quality/panels/{fcs_panel_id}/histogram-{histogram_index}.png", "/quality/batches/{qc_batch}/",
         "/quality/batches/{qc_batch}/release/", "/quality/batches/{qc_batch}/certificate.pdf",
         "/api/quality/batches/{qc_batch}/results", "/api/quality/oos", "/api/quality/panels/{fcs_panel_id}",
         "/api/quality/batches/{qc_batch}/release", "/api/quality/batches/{qc_batch}/certificate"]


@pytest.mark.parametrize("role", roles.ALL)
def test_every_page_with_real_objects(role: str, world: dict[str, str], client_as: Any) -> None:
    client = client_as(role)
    for page in PAGES:
        response = client.get(page.format(**world))
        expected = 200 if role in READERS else 403
        assert response.status_code == expected, (page, response.status_code)


def test_batch_page_shows_results_and_the_panel(world: dict[str, str], client_as: Any, analyst: Any) -> None:
    body = client_as("qc_analyst", analyst).get(f"/quality/batches/{world['qc_batch']}/").content.decode()
    assert 'id="test-cd73"' in body and 'data-status="pass"' in body and 'id="open-oos"' in body
    assert 'id="fcs-form"' in body and 'id="result-form"' in body
    monitor_body = client_as("monitor").get(f"/quality/batches/{world['qc_batch']}/").content.decode()
    assert 'id="result-form"' not in monitor_body


def test_panel_page_and_histogram_png(world: dict[str, str], client_as: Any) -> None:
    client = client_as("operator")
    body = client.get(f"/quality/panels/{world['fcs_panel_id']}/").content.decode()
    assert 'id="isct-verdict" class="pass"' in body and body.count("histogram-") == 8
    png = client.get(f"/quality/panels/{world['fcs_panel_id']}/histogram-7.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert client.get(f"/quality/panels/{world['fcs_panel_id']}/histogram-8.png").status_code == 404
    assert body.count("SHA-256 verified") == 3


def test_panel_page_flags_a_stored_file_changed_behind_our_back(world: dict[str, str], client_as: Any,
                                                               media: Any) -> None:
    import os

    f = m.FcsFile.objects.filter(panel_id=world["fcs_panel_id"]).order_by("position").first()
    path = media / f.stored_path
    os.chmod(path, 0o600)
    path.write_bytes(path.read_bytes() + b"tampered")
    body = client_as("monitor").get(f"/quality/panels/{world['fcs_panel_id']}/").content.decode()
    assert "missing or changed since upload" in body and body.count("SHA-256 verified") == 2


def test_enter_correct_and_void_through_the_pages(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    url = f"/quality/batches/{batch.code}/results/"
    client.post(url, {"test_id": "cell-count", "value": "150000000", "requested_dose": DOSE, "performed_on": TODAY})
    r = m.QcResult.objects.get(test_id="cell-count")
    assert r.status == "pass" and r.requested_dose == int(DOSE)
    page = client.post(url, {"test_id": "cell-count", "value": "1", "performed_on": TODAY}, follow=True)
    assert "already has a result" in page.content.decode()
    detail = f"/quality/results/{r.pk}/"
    page = client.post(detail, {"step": "correct", "value": "150000000", "requested_dose": DOSE,
                                "performed_on": TODAY, "unit": "cells", "method": r.method, "instrument": "",
                                "reason": ""}, follow=True)
    assert "reason" in page.content.decode()
    client.post(detail, {"step": "correct", "value": "80000000", "requested_dose": DOSE, "performed_on": TODAY,
                         "unit": "cells", "method": r.method, "instrument": "", "reason": "recount"})
    r.refresh_from_db()
    assert r.value == "80000000" and r.status == "fail" and r.oos_records.filter(status="open").exists()
    body = client.get(detail).content.decode()
    assert "recount" in body and "150000000" in body  # the audit history shows old and new
    client.post(detail, {"step": "void", "reason": "wrong batch"})
    r.refresh_from_db()
    assert r.voided_at is not None


def test_upload_through_the_page(batch: Any, analyst: Any, client_as: Any, good_panel: dict[str, bytes],
                                 fixtures_dir: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("qc_analyst", analyst)
    files = [SimpleUploadedFile(n, d) for n, d in good_panel.items()]
    bad = SimpleUploadedFile("corrupted.fcs", (fixtures_dir / "corrupted.fcs").read_bytes())
    page = client.post(f"/quality/batches/{batch.code}/fcs/", {"control": files[0], "stained": [files[1], bad]},
                       follow=True)
    assert "corrupted.fcs:" in page.content.decode() and not m.FcsPanel.objects.exists()
    files = [SimpleUploadedFile(n, d) for n, d in good_panel.items()]
    page = client.post(f"/quality/batches/{batch.code}/fcs/", {"control": files[0], "stained": files[1:]},
                       follow=True)
    assert page.status_code == 200 and 'id="isct-verdict" class="pass"' in page.content.decode()
    assert m.QcResult.objects.filter(batch=batch, source="fcs").count() == 8


def test_release_page_four_eyes_wrong_password_then_release(batch: Any, analyst: Any, qp: Any,
                                                            client_as: Any) -> None:
    enter_all(batch, analyst)
    url = f"/quality/batches/{batch.code}/release/"
    client = client_as("qualified_person", qp)
    body = client.get(url).content.decode()
    assert 'id="releasable"' in body and 'id="decision-form"' in body and "signature matches" in body
    page = client.post(url, {"decision": "release", "password": "wrong"}, follow=True)
    assert "password incorrect" in page.content.decode()
    assert User.objects.get(pk=qp.pk).failed_logins == 1 and not m.ReleaseDecision.objects.exists()
    page = client.post(url, {"decision": "release", "password": PASSWORD}, follow=True)
    body = page.content.decode()
    assert 'id="decision">released' in body and "Quentin Pharmacien" in body and 'id="sig-state" class="pass"' in body
    pdf = client.get(f"/quality/batches/{batch.code}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_close_oos_through_the_page(batch: Any, analyst: Any, qp: Any, client_as: Any) -> None:
    r = actions.record_result(batch=batch, test_id="viability", value="65", performed_on=TODAY, acting_user=analyst)
    oos = m.OosRecord.objects.get(result=r)
    client = client_as("qualified_person", qp)
    client.post(f"/quality/oos/{oos.pk}/", {"conclusion": "confirmed: true low viability", "password": PASSWORD})
    oos.refresh_from_db()
    assert oos.status == "closed" and oos.signature is not None
    assert "Quentin Pharmacien" in client.get(f"/quality/oos/{oos.pk}/").content.decode()


def _json(response: Any) -> Any:
    return json.loads(response.content)


def test_api_journey(batch: Any, analyst: Any, qp: Any, good_panel: dict[str, bytes]) -> None:
    a, q = Client(), Client()
    a.force_login(analyst)
    q.force_login(qp)
    base = f"/api/quality/batches/{batch.code}"
    for test_id, value in PASSING.items():
        if test_id in IDENTITY_TESTS:
            continue
        payload = {"test_id": test_id, "value": value, "performed_on": TODAY}
        if test_id == "cell-count":
            payload["requested_dose"] = DOSE
        r = a.post(f"{base}/results", payload, content_type="application/json")
        assert r.status_code == 201, r.content
    refused = q.post(f"{base}/release", {"password": PASSWORD}, content_type="application/json")
    assert refused.status_code == 400 and "missing" in refused.content.decode()
    files = {"control": _file("control.fcs", good_panel["control.fcs"]),
             "stained": [_file(n, good_panel[n]) for n in ("positives.fcs", "negatives.fcs")]}
    up = a.post(f"{base}/fcs", files)
    assert up.status_code == 201, up.content
    assert _json(up)["verdict"] == "pass" and len(_json(up)["results"]) == 8
    summary = _json(q.get(f"{base}/release"))
    assert summary["releasable"] and summary["blockers"] == []
    assert a.post(f"{base}/release", {"password": PASSWORD}, content_type="application/json").status_code == 403
    bad = q.post(f"{base}/release", {"password": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and User.objects.get(pk=qp.pk).failed_logins == 1
    ok = q.post(f"{base}/release", {"password": PASSWORD}, content_type="application/json")
    assert ok.status_code == 201, ok.content
    body = _json(ok)
    assert body["decision"] == "released" and body["signed_by"] == "Quentin Pharmacien"
    assert body["meaning"] == "released" and body["signature_matches"] is True
    assert {c["status"] for c in body["containers"]} == {"released"}
    pdf = q.get(f"{base}/certificate")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_api_corrupted_upload_names_the_file(batch: Any, analyst: Any, fixtures_dir: Any,
                                             good_panel: dict[str, bytes]) -> None:
    a = Client()
    a.force_login(analyst)
    r = a.post(f"/api/quality/batches/{batch.code}/fcs",
               {"control": _file("control.fcs", good_panel["control.fcs"]),
                "stained": [_file("corrupted.fcs", (fixtures_dir / "corrupted.fcs").read_bytes())]})
    assert r.status_code == 400 and "corrupted.fcs:" in r.content.decode()


def test_api_correct_void_and_close(batch: Any, analyst: Any, qp: Any) -> None:
    a, q = Client(), Client()
    a.force_login(analyst)
    q.force_login(qp)
    r = _json(a.post(f"/api/quality/batches/{batch.code}/results",
                     {"test_id": "endotoxin", "value": "2.5", "performed_on": TODAY}, content_type="application/json"))
    assert r["status"] == "fail"
    oos = _json(q.get("/api/quality/oos"))
    assert [o["test_id"] for o in oos] == ["endotoxin"]
    no_reason = a.post(f"/api/quality/results/{r['id']}/correct", {"changes": {"value": "1.5"}, "reason": ""},
                       content_type="application/json")
    assert no_reason.status_code == 400
    fixed = _json(a.post(f"/api/quality/results/{r['id']}/correct", {"changes": {"value": "1.5"}, "reason": "dilution"},
                         content_type="application/json"))
    assert fixed["status"] == "pass"
    closed = q.post(f"/api/quality/oos/{oos[0]['id']}/close", {"conclusion": "dilution error", "password": PASSWORD},
                    content_type="application/json")
    assert closed.status_code == 200 and _json(closed)["status"] == "closed"
    voided = a.post(f"/api/quality/results/{r['id']}/void", {"reason": "wrong sample"}, content_type="application/json")
    assert _json(voided)["voided"] is True


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_refused_result_is_shown_beside_its_field_by_its_label(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page = client.post(f"/quality/batches/{batch.code}/results/",
                       {"test_id": "viability", "value": "80", "performed_on": future})
    body = page.content.decode()
    assert page.status_code == 200 and not m.QcResult.objects.exists()
    assert 'id="result-form"' in body and "Date performed: is in the future" in body
    assert '<ul class="errorlist" id="id_performed_on_error"><li>is in the future</li></ul>' in body
    assert "performed_on:" not in body


def test_api_refuses_an_unknown_correction_by_its_field(batch: Any, analyst: Any) -> None:
    a = Client()
    a.force_login(analyst)
    r = _json(a.post(f"/api/quality/batches/{batch.code}/results",
                     {"test_id": "endotoxin", "value": "0.5", "performed_on": TODAY}, content_type="application/json"))
    refused = a.post(f"/api/quality/results/{r['id']}/correct", {"changes": {"analyst": "x"}, "reason": "typo"},
                     content_type="application/json")
    assert refused.status_code == 400 and "analyst: cannot be corrected" in refused.content.decode()
