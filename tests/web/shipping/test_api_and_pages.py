"""Shipments through the API (Django's client, and one real HTTP client against a live server)
and the pages: refusals beside their field, a wrong signature password counted, French pages."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.utils import timezone, translation

from stromalab.web.accounts.models import User
from stromalab.web.manufacturing.models import Deviation
from stromalab.web.shipping.models import LoggerFile, Shipment

from .conftest import PASSWORD, logger_csv

DISPATCH = {"study": "NCT05947682", "site": "aphp-saint-louis", "courier": "specialised-courier",
            "packing": "dry-shipper", "packing_identifier": "DS-07"}


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_api_dispatch_logger_and_receipt(released_batch: Any, operator: Any, investigator: Any,
                                         client_as: Any) -> None:
    batch = released_batch(vials=2)
    ids = [c.pk for c in batch.containers.all()]
    sender, receiver = client_as("operator", user=operator), client_as("investigator", user=investigator)
    response = _post(sender, "/api/shipping/shipments", {**DISPATCH, "containers": ids})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_transit" and len(body["custody"]) == 2
    assert [m["kind"] for m in body["custody"][0]["movements"]] == ["dispatch", "move"]
    again = _post(sender, "/api/shipping/shipments", {**DISPATCH, "containers": ids})
    assert again.status_code == 400 and "already dispatched" in again.json()["fields"]["containers"][0]

    url = f"/api/shipping/shipments/{body['id']}"
    upload = receiver.post(f"{url}/logger", {"file": _file(logger_csv(["-170", "-120.5"]))})
    assert upload.status_code == 201, upload.content
    assert upload.json()["excursion"] is True
    assert receiver.get(url).json()["deviations"][0]["check"] == "shipping-temperature"

    wrong = _post(receiver, f"{url}/receipt", {"received_at": timezone.now().isoformat(), "condition": "intact",
                                               "password": "wrong"})
    assert wrong.status_code == 400
    assert User.objects.get(pk=investigator.pk).failed_logins == 1
    signed = _post(receiver, f"{url}/receipt", {"received_at": timezone.now().isoformat(), "condition": "intact",
                                                "password": PASSWORD})
    assert signed.status_code == 200, signed.content
    assert signed.json()["status"] == "received" and signed.json()["signature"]
    assert [m["kind"] for m in signed.json()["custody"][0]["movements"]] == ["dispatch", "move", "move"]
    assert sender.get(url).status_code == 200
    assert _post(sender, f"{url}/receipt", {"received_at": timezone.now().isoformat(), "condition": "intact",
                                            "password": PASSWORD}).status_code == 403


def _file(data: bytes, name: str = "logger.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_pages_dispatch_refuse_beside_the_field_and_sign_receipt(released_batch: Any, operator: Any,
                                                                investigator: Any, client_as: Any) -> None:
    batch = released_batch(vials=2)
    unreleased = released_batch(release=False)
    sender = client_as("operator", user=operator)
    page = sender.get("/shipping/new/NCT05947682/")
    assert page.status_code == 200
    assert batch.containers.first().identifier in page.content.decode()
    assert unreleased.containers.first().identifier not in page.content.decode()  # not offered
    refused = sender.post("/shipping/new/NCT05947682/", {**DISPATCH, "packing_identifier": "<b>",
                                                          "containers": [c.pk for c in batch.containers.all()]})
    assert refused.status_code == 200
    assert "Packing identifier (as written on it): the packing" in refused.content.decode()
    assert refused.context["form"].errors["packing_identifier"]
    done = sender.post("/shipping/new/NCT05947682/", {**DISPATCH, "containers": [c.pk for c in batch.containers.all()]})
    assert done.status_code == 302
    shipment = Shipment.objects.get()
    detail = sender.get(done["Location"])
    assert shipment.code in detail.content.decode() and "Chain of custody" in detail.content.decode()

    bad = sender.post(f"/shipping/{shipment.pk}/logger/", {"file": _file(b"time,temperature_c\nnow,-170\n")})
    assert "row 2: time" in bad.content.decode() and not LoggerFile.objects.exists()

    receiver = client_as("investigator", user=investigator)
    at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    wrong = receiver.post(f"/shipping/{shipment.pk}/receipt/", {"received_at": at, "condition": "intact",
                                                                "password": "wrong"})
    assert wrong.status_code == 200 and User.objects.get(pk=investigator.pk).failed_logins == 1
    receiver.post(f"/shipping/{shipment.pk}/receipt/", {"received_at": at, "condition": "intact",
                                                        "password": PASSWORD})
    shipment.refresh_from_db()
    assert shipment.status == Shipment.RECEIVED
    self_receipt = client_as("operator", user=operator).post(f"/shipping/{shipment.pk}/receipt/", {})
    assert self_receipt.status_code == 403
    assert not Deviation.objects.exists()


def test_pages_in_french(released_batch: Any, operator: Any, client_as: Any) -> None:
    released_batch()
    sender = client_as("operator", user=operator)
    with translation.override("en"):  # the pages switch this thread to French: back to English after
        page = sender.get("/shipping/new/NCT05947682/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Nouvelle expédition" in page and "Médecine interne" in page
        assert "Expéditions" in sender.get("/shipping/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_real_http_client_dispatches_with_basic_auth(live_server: Any, released_batch: Any, operator: Any) -> None:
    batch = released_batch(vials=1)
    credentials = base64.b64encode(f"{operator.username}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{live_server.url}/api/shipping/shipments", method="POST",
        data=json.dumps({**DISPATCH, "containers": [batch.containers.get().pk]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {credentials}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 201
        body = json.loads(response.read())
    assert body["code"].startswith("SHP-") and body["custody"][0]["container"] == batch.containers.get().identifier
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 400
