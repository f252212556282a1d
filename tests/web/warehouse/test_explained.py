"""The hand-off page shows, before a candidate is registered, the values each criterion was
decided on (the explanation of docs/contracts/prescreen.md), escaped, in English and French."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from stromalab.web.accounts import roles
from stromalab.web.warehouse.models import PrescreenRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_candidate_page_shows_the_values_before_registration(analyst: Any, client_as: Any,
                                                             schedule_file: Path) -> None:
    client = client_as(roles.WAREHOUSE_ANALYST, analyst)
    with schedule_file.open("rb") as handle:
        client.post("/warehouse/", {"source": "test", "as_of": AS_OF.isoformat(), "schedule": handle})
    run = PrescreenRun.objects.get()
    # planted person 3: 18th birthday on as_of, scheduled, candidate
    page = client.get(f"/warehouse/runs/{run.pk}/persons/3/").content.decode()
    assert "Register as donor" in page and "<th>Decided on</th>" in page
    assert '<span class="reason">18 years old on 2022-05-31 (≥ 18 and ≤ 55)</span>' in page
    assert "<code>age_years</code> 18" in page and "<code>schedule</code> pass" in page
    assert "the warehouse has changed" not in page
    # planted person 20: BMI exactly 30 (excluded); the reason is escaped text
    page = client.get(f"/warehouse/runs/{run.pk}/persons/20/").content.decode()
    assert "BMI 30.00 kg/m² (76.8 kg, 160 cm) (not &lt; 30)" in page
    assert "<code>weight_kg_date</code> 2022-05-01" in page

    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        page = client.get(f"/warehouse/runs/{run.pk}/persons/3/").content.decode()
        assert "<th>Décidé sur</th>" in page and "<th>Decided on</th>" not in page
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
