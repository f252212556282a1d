"""Plausibility across the steps of a batch record: no more cells frozen (or seeded) than the
previous step counted, a harvest on the day of the scheduled liposuction (else a deviation),
dates and numbers people can really have typed, and one harvest per donor, even when five
identical submissions arrive at once. Each refusal is keyed to its field, shown under the
field's label on the page and in the API's 400, and leaves nothing written."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.utils import timezone, translation

from stromalab.web.accounts.models import User
from stromalab.web.audit.chain import verify_chain
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing import models as m
from stromalab.web.manufacturing.queries import step_verdicts
from stromalab.web.screening.models import Screening
from tests.web.conftest import PASSWORD
from tests.web.manufacturing.conftest import t0
from tests.web.manufacturing.test_state_machine import freeze, later, refused, seed


def harvest(donor: Any, user: Any, **kw: Any) -> m.Batch:
    args = {"harvested_at": t0(), "surgeon": "Dr S", "mass_g": "50", "container": "pot",
            "transport_temperature": "4 °C", "departed_at": t0() + dt.timedelta(minutes=20),
            "password": PASSWORD, "acting_user": user} | kw
    return a.record_harvest(donor=donor, **args)


def form_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def harvest_form(donor: Any, at: dt.datetime, **kw: str) -> dict[str, str]:
    return {"donor": donor.pseudonym, "harvested_at": form_time(at), "surgeon": "Dr S", "mass_g": "50",
            "container": "pot", "transport_temperature": "4 °C",
            "departed_at": form_time(at + dt.timedelta(minutes=20)), "password": PASSWORD} | kw


def api_post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/manufacturing{url}", data=json.dumps(body, default=str),
                       content_type="application/json")


# --- cells: never more out than came in -------------------------------------------------------


def test_freezing_more_cells_than_the_last_passage_harvested_is_refused(enrolled_donor: Any, run_batch: Any,
                                                                        operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="passages", passages=1)  # P0: 8 000 000 cells harvested
    refused(lambda: freeze(batch, operator, container_count=20, cells_per_container=500_000),
            "Cells per container: 20 containers × 500000 cells = 10000000 cells, more than the 8000000 cells "
            "harvested at P0")
    freeze(batch, operator, container_count=16, cells_per_container=500_000)  # exactly what there is
    assert batch.containers.count() == 16


def test_seeding_more_cells_than_counted_is_refused(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="isolation")  # 30 000 000 nucleated cells
    refused(lambda: seed(batch, operator, cells_seeded=40_000_000),
            "Cells seeded: 40000000 cells, more than the 30000000 cells counted at SVF isolation")


def test_the_batch_page_and_the_api_show_the_cell_balance_and_refuse_overfilling(
        enrolled_donor: Any, run_batch: Any, client_as: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="passages", passages=2)
    client = client_as("operator", operator)
    url = f"/manufacturing/batches/{batch.code}/"
    posted = {"frozen_at": form_time(later(300)), "container_type": "vial", "container_count": "20",
              "volume_ml": "1,5", "cells_per_container": "5 000 000", "password": PASSWORD}
    body = client.post(url + "freezing/", posted, follow=True).content.decode()
    assert ("Cells per container: 20 containers × 5000000 cells = 100000000 cells, more than the 8000000 "
            "cells harvested at P1") in body
    assert not batch.containers.exists()
    r = api_post(client, f"/batches/{batch.code}/freezing", {**posted, "volume_ml": "1.5",
                                                             "cells_per_container": 5_000_000})
    assert r.status_code == 400 and list(r.json()["fields"]) == ["cells_per_container"]
    assert "more than the 8000000 cells harvested at P1" in r.json()["detail"][0]

    body = client.post(url + "freezing/", {**posted, "container_count": "12", "cells_per_container": "600 000"},
                       follow=True).content.decode()
    assert batch.containers.count() == 12
    assert 'id="cell-balance"' in body and "Cells harvested at P1 (last passage)" in body
    assert 'id="cells-available">8000000<' in body and 'id="cells-frozen">7200000<' in body
    assert 'id="cells-remaining">800000<' in body
    balance = client.get(f"/api/manufacturing/batches/{batch.code}").json()["cell_balance"]
    assert balance == {"source": "P1", "available": 8_000_000, "frozen": 7_200_000, "remaining": 800_000}
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        body = client.get(url).content.decode()
        assert "Bilan cellulaire" in body and "Cellules récoltées à P1 (dernier passage)" in body
    finally:
        translation.activate("en")


# --- the harvest day: the scheduled liposuction -------------------------------------------------


def test_a_harvest_away_from_the_scheduled_surgery_needs_a_deviation(enrolled_donor: Any, operator: Any) -> None:
    on_the_day = harvest(enrolled_donor(), operator)
    step = on_the_day.steps.get(kind="harvest")
    assert step.data["days_from_scheduled_surgery"] == 0
    assert {v.test_id: v.status.value for v in step_verdicts(step)} == {"harvest-mass": "pass",
                                                                        "harvest-surgery-day": "pass"}
    donor = enrolled_donor()
    Screening.objects.filter(donor=donor).update(  # the surgery ten days after the harvest
        surgery_date=timezone.localtime(t0()).date() + dt.timedelta(days=10))
    refused(lambda: harvest(donor, operator), "Harvest day against the scheduled surgery -10 days outside the "
            "in-process limit 0–0 days", "give a deviation reason", error=a.LimitBreach)
    batch = harvest(donor, operator, deviation_reason="surgery brought forward by the surgeon")
    (deviation,) = batch.deviations.all()
    assert (deviation.check_id, deviation.value, deviation.reason) == (
        "harvest-surgery-day", "-10", "surgery brought forward by the surgeon")


def test_a_harvest_without_a_scheduled_surgery_date_needs_a_deviation(enrolled_donor: Any, operator: Any) -> None:
    donor = enrolled_donor()
    Screening.objects.filter(donor=donor).update(surgery_date=None)
    refused(lambda: harvest(donor, operator), "Harvest day against the scheduled surgery not known",
            error=a.LimitBreach)
    batch = harvest(donor, operator, deviation_reason="surgery date missing from the screening form")
    assert batch.deviations.get().check_id == "harvest-surgery-day"


def test_the_harvest_page_and_api_refuse_a_day_off_the_surgery_without_a_reason(
        enrolled_donor: Any, client_as: Any, operator: Any) -> None:
    donor = enrolled_donor()
    client = client_as("operator", operator)
    body = client.post("/manufacturing/harvest/", harvest_form(donor, t0() + dt.timedelta(days=3))).content.decode()
    assert "Harvest day against the scheduled surgery 3 days outside the in-process limit" in body
    r = api_post(client, "/harvests", {**harvest_form(donor, t0() + dt.timedelta(days=3)),
                                       "harvested_at": (t0() + dt.timedelta(days=3)).isoformat(),
                                       "departed_at": (t0() + dt.timedelta(days=3, minutes=5)).isoformat()})
    assert r.status_code == 400 and "outside the in-process limit 0–0 days" in r.json()["detail"][0]
    assert not m.Donation.objects.filter(donor=donor).exists()


# --- dates people can have typed ----------------------------------------------------------------


def test_a_harvest_before_the_consent_or_in_year_one_is_refused(enrolled_donor: Any, client_as: Any,
                                                                 operator: Any) -> None:
    donor = enrolled_donor()
    consent = donor.current_consent().date
    before = t0() - dt.timedelta(days=15)
    refused(lambda: harvest(donor, operator, harvested_at=before, departed_at=before),
            f"Harvested at: {timezone.localtime(before).date()} is before the donor's consent (signed on "
            f"{consent})")
    year_one = dt.datetime(1, 1, 1, 9, 0)
    refused(lambda: harvest(donor, operator, harvested_at=year_one, departed_at=t0()),
            "Harvested at: 0001-01-01 is not a plausible date (before 2000-01-01)")
    client = client_as("operator", operator)
    response = client.post("/manufacturing/harvest/", harvest_form(donor, t0(), harvested_at="0001-01-01T09:00"))
    assert response.context["form"].errors["harvested_at"] == [
        "0001-01-01 is not a plausible date (before 2000-01-01)"]
    r = api_post(client, "/harvests", {**harvest_form(donor, t0()), "harvested_at": "0001-01-01T09:00:00",
                                       "departed_at": t0().isoformat()})
    assert r.status_code == 400 and r.json()["fields"] == {
        "harvested_at": ["0001-01-01 is not a plausible date (before 2000-01-01)"]}
    tomorrow = timezone.now() + dt.timedelta(days=1)
    refused(lambda: harvest(donor, operator, harvested_at=tomorrow, departed_at=tomorrow), "is in the future")


def test_later_steps_refuse_year_one_and_the_future(enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    from tests.web.manufacturing.test_state_machine import receipt

    batch = run_batch(enrolled_donor(), until="harvest")
    refused(lambda: receipt(batch, operator, received_at=dt.datetime(1, 1, 1)), "Received at: 0001-01-01 is "
            "not a plausible date")
    refused(lambda: receipt(batch, operator, received_at=timezone.now() + dt.timedelta(hours=2)),
            "Received at:", "is in the future")


# --- numbers: positive, finite, bounded, as people type them ------------------------------------


@pytest.mark.parametrize(("field", "value", "words"), [
    ("mass_g", "0", "Mass g: must be more than 0"),
    ("mass_g", "-3", "Mass g: must be more than 0"),
    ("mass_g", "NaN", "Mass g: expected a number, got NaN"),
    ("mass_g", "Infinity", "Mass g: expected a number"),
    ("mass_g", "1e400", "Mass g: must be at most 10000"),
    ("mass_g", "5,2.5", "Mass g: write the number with one decimal separator"),
])
def test_harvest_numbers_are_positive_finite_and_bounded(enrolled_donor: Any, operator: Any, field: str,
                                                         value: str, words: str) -> None:
    donor = enrolled_donor()
    refused(lambda: harvest(donor, operator, **{field: value}), words)


def test_counts_and_volumes_are_whole_positive_and_bounded(enrolled_donor: Any, run_batch: Any,
                                                           operator: Any) -> None:
    from tests.web.manufacturing.test_state_machine import harvest_p, isolation

    batch = run_batch(enrolled_donor(), until="receipt")
    refused(lambda: isolation(batch, operator, cell_count=1.5), "Cell count: expected a whole number, got 1.5")
    refused(lambda: isolation(batch, operator, cell_count=10**13), "Cell count: must be at most 1e+12")
    refused(lambda: isolation(batch, operator, cell_count=True), "Cell count: expected a whole number")
    isolation(batch, operator, cell_count="30 000 000")  # spaces between thousands, as people write it
    refused(lambda: seed(batch, operator, surface_cm2="0"), "Surface cm2: must be more than 0")
    seed(batch, operator)
    refused(lambda: harvest_p(batch, operator, viability_pct="92,5,1"), "Viability pct:")
    harvest_p(batch, operator, viability_pct="92,5")
    refused(lambda: freeze(batch, operator, volume_ml="0"), "Volume ml: must be more than 0")
    refused(lambda: freeze(batch, operator, container_count=0), "Container count: must be positive")
    refused(lambda: freeze(batch, operator, container_count=677), "Container count: must be at most 676")


def test_the_pages_take_a_decimal_comma_and_spaces_between_thousands(enrolled_donor: Any, run_batch: Any,
                                                                     client_as: Any, operator: Any) -> None:
    donor = enrolled_donor()
    client = client_as("operator", operator)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        response = client.post("/manufacturing/harvest/", harvest_form(donor, t0(), mass_g="52,5"))
        assert response.status_code == 302, response.content.decode()[:2000]
        batch = m.Batch.objects.get(donation__donor=donor)
        url = f"/manufacturing/batches/{batch.code}/"
        client.post(url + "receipt/", {"received_at": form_time(later(3)), "temperature_c": "6,5",
                                       "integrity": "intact", "mass_g": "52,1", "password": PASSWORD})
        client.post(url + "isolation/", {"isolated_at": form_time(later(5)), "cell_count": "30 000 000",
                                         "viability_pct": "85,5", "password": PASSWORD})
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
    assert batch.steps.get(kind="harvest").data["mass_g"] == "52.5"
    data = {s.kind: s.data for s in batch.steps.filter(state="done")}
    assert data["receipt"]["temperature_c"] == "6.5" and data["isolation"]["cell_count"] == 30_000_000
    assert data["isolation"]["viability_pct"] == "85.5"


# --- one harvest per donor ----------------------------------------------------------------------


def test_a_second_harvest_of_the_same_donor_is_refused(enrolled_donor: Any, client_as: Any, operator: Any) -> None:
    donor = enrolled_donor()
    first = harvest(donor, operator)
    refused(lambda: harvest(donor, operator), f"Donor: {donor.pseudonym}: a harvest is already recorded (batch "
            f"{first.code}); a donor gives fat once, at the scheduled liposuction")
    response = client_as("operator", operator).post("/manufacturing/harvest/", harvest_form(donor, t0()))
    assert response.context["form"].errors["donor"] == [
        f"{donor.pseudonym}: a harvest is already recorded (batch {first.code}); a donor gives fat once, at the "
        "scheduled liposuction"]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's own guard
        m.Donation.objects.create(donor=donor, din="G123426999999", fin="G1234", year=26, sequence=999999,
                                  collected_at=t0(), created_by=operator)


@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_identical_harvests_open_one_batch(enrolled_donor: Any, operator: Any) -> None:
    donor = enrolled_donor()
    user = User.objects.get(pk=operator.pk)
    body = {**harvest_form(donor, t0()), "harvested_at": t0().isoformat(),
            "departed_at": (t0() + dt.timedelta(minutes=20)).isoformat()}
    barrier = threading.Barrier(5)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit() -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            r = api_post(client, "/harvests", body)
            result = (r.status_code, r.json().get("code") or " ".join(r.json().get("detail", [])))
        except Exception as e:  # pragma: no cover - reported below
            result = (0, f"crash: {type(e).__name__}: {e}")
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(status for status, _text in outcomes) == [201, 400, 400, 400, 400], outcomes
    (batch,) = m.Batch.objects.filter(donation__donor=donor)
    assert all(f"a harvest is already recorded (batch {batch.code})" in text
               for status, text in outcomes if status == 400), outcomes
    assert m.Donation.objects.filter(donor=donor).count() == 1
    assert verify_chain().ok
