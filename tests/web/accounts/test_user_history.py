"""The administrator's account page shows the account's history as the audit page does: names,
events in words, local times with the zone — not model keys and raw JSON."""

from __future__ import annotations

from typing import Any


def test_account_history_is_readable(make_user: Any, client_as: Any) -> None:
    user = make_user("investigator", first_name="Alice", last_name="Martin")
    admin = client_as("administrator")
    admin.post(f"/accounts/users/{user.pk}/", {"operation": "deactivate", "reason": "left the unit"})
    page = admin.get(f"/accounts/users/{user.pk}/").content.decode()
    assert "left the unit" in page
    assert "accounts.User:" not in page  # the record is named, not keyed
    assert "Europe/Paris" in page and ("CET" in page or "CEST" in page)
