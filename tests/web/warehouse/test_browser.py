"""In real Chromium (Playwright, no download): the analyst runs a pre-screen with a schedule,
reads the attrition and the candidates, and registers a candidate as a donor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..test_browser import browser, login  # noqa: F401  (the fixture)
from .conftest import AS_OF


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_analyst_prescreens_and_registers_a_candidate(live_server: Any, browser: Any, study: Any,  # noqa: F811
                                                      make_user: Any, schedule_file: Path) -> None:
    from stromalab.web.audit.chain import verify_chain
    from stromalab.web.warehouse.models import DonorLink, PrescreenRun

    base = live_server.url
    make_user("warehouse_analyst", username="analyst")
    page = browser.new_page()
    page.set_default_timeout(20000)
    login(page, base, "analyst")
    page.click("text=Pre-screening")
    page.select_option("[name=source]", "test")
    page.fill("[name=as_of]", AS_OF.isoformat())
    page.set_input_files("[name=schedule]", str(schedule_file))
    page.click("#run-prescreen")
    page.wait_for_selector("#run-id")
    run = PrescreenRun.objects.get()
    assert page.inner_text("#candidates") == str(run.candidates)
    assert page.inner_text("#attrition-I1 .remaining") == str(run.attrition[0]["remaining"])
    person = run.results.filter(verdict="candidate").order_by("person_id").first().person_id
    page.click(f"#person-{person} a")
    assert page.inner_text("#verdict") == "candidate"
    assert page.get_attribute("#criterion-I1 td[data-status]", "data-status") == "pass"
    page.fill("[name=last_name]", "Durand")
    page.fill("[name=first_name]", "Alix")
    page.click("#register")
    assert page.inner_text("#donor-pseudonym") == "NCT05947682-001"
    assert f"warehouse:{run.pk}:person" in page.inner_text("#facts")
    page.goto(f"{base}/warehouse/runs/{run.pk}/")
    assert page.inner_text(f"#person-{person} .donor") == "NCT05947682-001"
    assert page.goto(f"{base}/donors/").status == 403  # the analyst does not read the donor registry
    link = DonorLink.objects.get()
    assert link.person_id == person and link.donor.pseudonym == "NCT05947682-001" and verify_chain().ok
