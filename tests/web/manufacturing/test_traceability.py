"""Chain of identity both ways, consent withdrawal blocking containers, storage and custody."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.core.manufacturing import isbt128
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors.actions import record_consent
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing.models import Box, Container, Movement


def withdraw(donor: Any, study: Any, investigator: Any) -> None:
    record_consent(donor=donor, sheet=study.information_sheets.get(), status="withdrawn", date=dt.date.today(),
                   acting_user=investigator, reason="donor withdrew")


def release(container: Container) -> None:
    """What the quality app's release action does to the container (outside this app)."""
    Container.objects.filter(pk=container.pk).update(status=Container.RELEASED)
    container.refresh_from_db()


def test_donor_to_containers_and_back(enrolled_donor: Any, run_batch: Any, client_as: Any, operator: Any) -> None:
    donor, other = enrolled_donor(), enrolled_donor()
    batch = run_batch(donor, vials=3)
    run_batch(other, vials=2)
    mine = a.containers_of_donor(donor)
    assert [c.identifier for c in mine] == [f"{batch.din} S1234 {d}" for d in ("A0", "B0", "C0")]
    assert all(c.location.startswith("Tank 1 / R1 / B1 / A") for c in mine)

    din = isbt128.parse_din(batch.din)
    for text in (batch.din, din.printed(), f"{din.printed()} {din.check_character}", din.barcode_data(),
                 din.barcode_data(isbt128.check_flags(din)), f"{batch.din.lower()}"):
        reading, donation, containers = a.find_by_label(text)
        assert reading.din.text == batch.din
        assert donation.donor.pseudonym == donor.pseudonym
        assert len(containers) == 3
    _, donation, containers = a.find_by_label(mine[1].identifier)
    assert [c.division for c in containers] == ["B0"] and donation.donor == donor
    with pytest.raises(isbt128.Isbt128Error, match="check character"):
        a.find_by_label(f"{din.printed()} {'A' if din.check_character != 'A' else 'B'}")

    # pages: one click from the donor page's trace link, and from a scanned label back to the donor
    for role in ("operator", "monitor", "investigator", "coordinator", "qc_analyst", "qualified_person"):
        client = client_as(role)
        page = client.get(f"/manufacturing/trace/donors/{donor.pseudonym}/").content.decode()
        assert batch.din in page and "B0" in page and other.pseudonym not in page
        page = client.get("/manufacturing/trace/", {"q": din.barcode_data()}).content.decode()
        assert donor.pseudonym in page and 'id="trace-din"' in page
    response = client_as("investigator").get("/manufacturing/trace/", {"q": mine[2].identifier})
    assert response.status_code == 302 and response["Location"] == f"/manufacturing/containers/{mine[2].pk}/"
    page = client_as("investigator").get(response["Location"]).content.decode()
    assert donor.pseudonym in page and batch.din in page
    bad = client_as("operator").get("/manufacturing/trace/", {"q": "G1234 26 00000"}).content.decode()
    assert 'id="trace-error"' in bad
    unknown = client_as("operator").get("/manufacturing/trace/", {"q": "W000009123456"}).content.decode()
    assert 'id="trace-unknown"' in unknown
    api = client_as("monitor").get("/api/manufacturing/trace/label", {"text": din.barcode_data()}).json()
    assert api["donor"] == donor.pseudonym and len(api["containers"]) == 3
    api = client_as("coordinator").get(f"/api/manufacturing/trace/donors/{donor.pseudonym}").json()
    assert {c["din"] for c in api} == {batch.din}
    assert client_as("administrator").get(f"/manufacturing/trace/donors/{donor.pseudonym}/").status_code == 403
    assert client_as("data_manager").get("/api/manufacturing/trace/label?text=x").status_code == 403


def test_consent_withdrawal_blocks_every_container(enrolled_donor: Any, run_batch: Any, study: Any,
                                                   client_as: Any, operator: Any) -> None:
    donor = enrolled_donor()
    batch = run_batch(donor, vials=4)
    released = batch.containers.get(division="A0")
    release(released)
    withdraw(donor, study, enrolled_donor.investigator)
    containers = a.containers_of_donor(donor)
    assert {c.effective_status for c in containers} == {"blocked"}  # computed, nothing marked yet
    assert {c.status for c in containers} == {"quarantine", "released"}
    with pytest.raises(a.TransitionError, match="blocked"):
        a.dispatch_container(container=released, destination="ward", reason="infusion", acting_user=operator)
    page = client_as("monitor").get(f"/manufacturing/trace/donors/{donor.pseudonym}/").content.decode()
    assert 'id="blocked-note"' in page and page.count('data-status="blocked"') == 4
    page = client_as("operator").get(f"/manufacturing/batches/{batch.code}/").content.decode()
    assert page.count('data-status="blocked"') == 4
    # recording the block in the containers' own status, audited with old and new values
    response = client_as("operator", operator).post(f"/manufacturing/trace/donors/{donor.pseudonym}/block/",
                                                    {"reason": "consent withdrawn on 2026-11-26"})
    assert response.status_code == 302
    assert set(Container.objects.filter(batch=batch).values_list("status", flat=True)) == {"blocked"}
    events = AuditEvent.objects.filter(record_type="manufacturing.Container", field="status", new='"blocked"')
    assert events.count() == 4 and {e.old for e in events} == {'"quarantine"', '"released"'}
    assert all(e.reason == "consent withdrawn on 2026-11-26" for e in events)
    with pytest.raises(ValidationError):  # consent valid: nothing to block
        a.block_withdrawn_containers(donor=enrolled_donor(), acting_user=operator)


def test_released_container_moves_and_dispatches_with_chain_of_custody(enrolled_donor: Any, run_batch: Any,
                                                                       operator: Any, client_as: Any) -> None:
    batch = run_batch(enrolled_donor(), vials=2)
    box = Box.objects.get(name="B1")
    c = batch.containers.get(division="B0")
    assert c.location == "Tank 1 / R1 / B1 / A2"
    with pytest.raises(ValidationError, match="occupied"):
        a.move_container(container=c, box=box, position=1, reason="tidy", acting_user=operator)
    with pytest.raises(ValidationError, match="reason"):
        a.move_container(container=c, box=box, position=10, reason=" ", acting_user=operator)
    a.move_container(container=c, box=box, position=10, reason="rack maintenance", acting_user=operator)
    c.refresh_from_db()
    assert c.location == "Tank 1 / R1 / B1 / B1"
    release(c)
    client = client_as("operator", operator)
    response = client.post(f"/manufacturing/containers/{c.pk}/dispatch/", {"destination": "Ward 3, CHU",
                                                                             "reason": "infusion visit 1"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == "dispatched" and c.box is None and c.position is None
    moves = list(Movement.objects.filter(container=c).values_list("kind", "from_location", "to_location"))
    assert moves == [("store", "", "Tank 1 / R1 / B1 / A2"), ("move", "Tank 1 / R1 / B1 / A2", "Tank 1 / R1 / B1 / B1"),
                     ("dispatch", "Tank 1 / R1 / B1 / B1", "Ward 3, CHU")]
    assert all(m.by_id == operator.pk for m in Movement.objects.filter(container=c))
    page = client_as("monitor").get(f"/manufacturing/containers/{c.pk}/").content.decode()
    assert "rack maintenance" in page and "Ward 3, CHU" in page and "dispatched" in page
    box_page = client_as("qc_analyst").get(f"/manufacturing/storage/boxes/{box.pk}/").content.decode()
    assert box_page.count('class="used"') == 1 and box_page.count('class="free"') == 80
    with pytest.raises(a.TransitionError, match="dispatched"):
        a.move_container(container=c, box=box, position=20, reason="x", acting_user=operator)
    # a non-released container through the page: refused with the message, nothing changed
    q = batch.containers.get(division="A0")
    response = client.post(f"/manufacturing/containers/{q.pk}/dispatch/", {"destination": "Ward", "reason": "x"},
                           follow=True)
    assert "only released containers may leave storage" in response.content.decode()
    q.refresh_from_db()
    assert q.status == "quarantine" and q.position == 1


def test_storage_refuses_a_full_box(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    from tests.web.conftest import PASSWORD

    batch = run_batch(enrolled_donor(), until="freezing", vials=5)
    small = a.create_box(tank="T2", rack="R", name="small", rows=2, columns=2, acting_user=operator)
    with pytest.raises(ValidationError, match="4 free positions"):
        a.store_batch(batch=batch, box=small, password=PASSWORD, acting_user=operator)
    with pytest.raises(ValidationError, match="already exists"):
        a.create_box(tank="T2", rack="R", name="small", acting_user=operator)


def test_one_click_from_the_donor_page(enrolled_donor: Any, run_batch: Any, client_as: Any) -> None:
    donor = enrolled_donor()
    batch = run_batch(donor, vials=1)
    for role in ("investigator", "coordinator", "monitor"):
        page = client_as(role).get(f"/donors/{donor.pseudonym}/").content.decode()
        assert f'id="trace-link" href="/manufacturing/trace/donors/{donor.pseudonym}/"' in page
    assert 'id="trace-link"' not in client_as("data_manager").get(f"/donors/{donor.pseudonym}/").content.decode()
    page = client_as("coordinator").get(f"/manufacturing/trace/donors/{donor.pseudonym}/").content.decode()
    assert f"{batch.din} S1234 00" in page and "Tank 1 / R1 / B1 / A1" in page


def test_withdrawal_stops_processing_but_not_rejection(enrolled_donor: Any, run_batch: Any, study: Any,
                                                       operator: Any) -> None:
    from stromalab.web.donors.actions import DonorLocked
    from tests.web.manufacturing.test_state_machine import isolation, refused

    donor = enrolled_donor()
    batch = run_batch(donor, until="receipt")
    withdraw(donor, study, enrolled_donor.investigator)
    refused(lambda: isolation(batch, operator), f"batch {batch.code}", "consent withdrawn",
            "may not be processed further", error=DonorLocked)
    a.reject_step(step=batch.steps.get(kind="isolation"), reason="consent withdrawn", acting_user=operator)
    batch.refresh_from_db()
    assert batch.status == "rejected"
