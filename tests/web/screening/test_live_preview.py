"""The case report form's live status: criteria recomputed as typed, nothing saved or audited."""

from __future__ import annotations

from typing import Any

import pytest

from stromalab.web.audit.models import AuditEvent
from stromalab.web.screening import models as m

from ..conftest import eligible_data
from ..test_browser import browser, login  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.django_db


def form_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The CRF's POST fields for screening ``data`` (as the page's form names them)."""
    fields = {k: v for k, v in data.items() if k not in ("serology", "answers")}
    fields["social_security"] = "true" if data["social_security"] else "false"
    fields.update({f"serology_{t}": r for t, r in data["serology"].items()})
    fields.update({f"answer_{c}": a for c, a in data["answers"].items()})
    return fields


def statuses(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'id="criterion-(\w+)">.*?data-status="(\w+)"', html, re.S))


def test_preview_recomputes_without_saving(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    coordinator = client_as("coordinator")
    events, saved = AuditEvent.objects.count(), m.Screening.objects.get(donor=donor).weight_kg
    fields = form_fields(eligible_data())
    fields["weight_kg"] = "49.5"  # E1: weight < 50 kg
    response = coordinator.post(f"/screening/{donor.pseudonym}/preview/", fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert statuses(html)["E1"] == "fail" and statuses(html)["I1"] == "pass"
    assert 'id="live-verdict" class="ineligible"' in html
    assert AuditEvent.objects.count() == events
    assert m.Screening.objects.get(donor=donor).weight_kg == saved


def test_preview_of_a_first_entry(study: Any, client_as: Any, make_user: Any) -> None:
    from stromalab.web.donors import actions as donor_actions

    coordinator = client_as("coordinator")
    donor = donor_actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                         acting_user=coordinator.user)
    response = coordinator.post(f"/screening/{donor.pseudonym}/preview/",
                                {"as_of": "2026-03-02", "sex": "male", "birth_date": "2010-01-01"})
    assert response.status_code == 200
    assert statuses(response.content.decode())["I1"] == "fail"  # 16 years old
    assert not m.Screening.objects.filter(donor=donor).exists()


def test_preview_names_a_bad_value(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    fields = form_fields(eligible_data())
    fields["birth_date"] = "2999-01-01"
    html = client_as("coordinator").post(f"/screening/{donor.pseudonym}/preview/", fields).content.decode()
    assert 'id="live-problem"' in html and "Birth date: 2999-01-01 is in the future" in html


@pytest.mark.parametrize("role", ["monitor", "data_manager", "operator"])
def test_preview_is_for_data_entry_roles(eligible_donor: Any, client_as: Any, role: str) -> None:
    donor = eligible_donor()
    assert client_as(role).post(f"/screening/{donor.pseudonym}/preview/", {}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_status_changes_as_the_coordinator_types(live_server: Any, browser: Any,  # noqa: F811
                                                 eligible_donor: Any, make_user: Any) -> None:
    donor = eligible_donor()
    make_user("coordinator", username="typist")
    page = browser.new_page()
    page.set_default_timeout(20000)
    login(page, live_server.url, "typist")
    page.goto(f"{live_server.url}/screening/{donor.pseudonym}/")
    assert page.get_attribute("#criterion-E1 td[data-status]", "data-status") == "pass"
    page.fill("[name=weight_kg]", "48")
    page.wait_for_selector("#unsaved-note")
    page.wait_for_function(
        "document.querySelector('#criterion-E1 td[data-status]').dataset.status === 'fail'")
    assert page.inner_text("#live-verdict") == "ineligible"
    assert page.inner_text("#verdict") == "eligible"  # the saved verdict is unchanged
