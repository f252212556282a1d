"""The audit trail page: newest first, 100 a page, filterable; the unfiltered page count comes
from the chain head (ids without gaps) and must equal the number of stored events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from stromalab.web.audit.actions import record_changes
from stromalab.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_pages_count_every_event_newest_first(make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    user = make_user("coordinator")
    with transaction.atomic():
        record_changes(acting_user=user, record=user, require_reason=False,
                       changes={f"field{i}": (None, i) for i in range(150)})
    client = client_as("monitor")
    total = AuditEvent.objects.count()
    assert total >= 150

    page = client.get("/audit/").context["page"]
    assert page.paginator.count == total
    assert page.paginator.num_pages == (total + 99) // 100
    assert [e.id for e in page.object_list] == list(range(total, total - 100, -1))
    last = client.get(f"/audit/?page={page.paginator.num_pages}").context["page"]
    assert [e.id for e in last.object_list][-1] == 1

    filtered = client.get("/audit/", {"username": user.username}).context["page"]
    assert filtered.paginator.count == AuditEvent.objects.filter(username=user.username).count() == 150
