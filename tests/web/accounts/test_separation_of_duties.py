"""Nobody grants themselves rights; the administrator manages accounts and reads no study data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.web.accounts.actions import set_role
from stromalab.web.audit.models import AuditEvent
from stromalab.web.audit.visibility import WITHHELD


def test_nobody_changes_their_own_role(make_user: Any) -> None:
    admin = make_user("administrator")
    with pytest.raises(ValidationError, match="their own role"):
        set_role(user=admin, role="investigator", acting_user=admin, reason="I need to see donors")
    admin.refresh_from_db()
    assert admin.role == "administrator"
    assert not AuditEvent.objects.filter(record_type="accounts.User", field="role").exists()


def test_an_administrator_account_never_becomes_a_study_account(make_user: Any) -> None:
    admin, colleague = make_user("administrator"), make_user("administrator")
    for role in ("investigator", "coordinator", "monitor", "qualified_person"):
        with pytest.raises(ValidationError, match="cannot hold a study role"):
            set_role(user=colleague, role=role, acting_user=admin, reason="help out")
    colleague.refresh_from_db()
    assert colleague.role == "administrator"


def test_the_users_page_shows_the_refusal_next_to_the_role(client_as: Any, make_user: Any) -> None:
    client = client_as("administrator")
    response = client.post(f"/accounts/users/{client.user.pk}/",
                           {"operation": "set_role", "role": "investigator", "reason": "curiosity"}, follow=True)
    assert response.status_code == 200
    assert "their own role" in response.content.decode()


def test_the_administrator_sees_who_did_what_but_no_clinical_value(client_as: Any, eligible_donor: Any) -> None:
    donor = eligible_donor()
    admin = client_as("administrator")
    events = admin.get(f"/api/audit/events?subject={donor.pseudonym}").json()
    assert events and all(e["username"] and e["action"] and e["record_type"] for e in events)
    clinical = [e for e in events if e["record_type"] not in ("accounts.User", "accounts.ApiToken")]
    assert clinical and all(e["old"] in (None, WITHHELD) and e["new"] in (None, WITHHELD) for e in clinical)
    assert all(e["reason"] in ("", WITHHELD) for e in clinical)
    page = admin.get(f"/audit/subject/{donor.pseudonym}/").content.decode()
    assert "1990-05-14" not in page and WITHHELD in page  # the eligible donor's birth date (a bare "1990" can be in a random token)
    monitor = client_as("monitor").get(f"/api/audit/events?subject={donor.pseudonym}").json()
    assert any(e["new"] and "1990" in e["new"] for e in monitor)
