"""Pseudonyms, the identity store (role-restricted, every read audited), NIR validation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.fr import nir

from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors import actions
from stromalab.web.donors.models import DonorIdentity

pytestmark = pytest.mark.django_db


def valid_nir() -> str:
    body = "2950599350123"
    return body + nir.calc_check_digits(body)


def test_pseudonyms_are_sequential_and_never_reused(study: Any, make_user: Any) -> None:
    coord, inv = make_user("coordinator"), make_user("investigator")
    a = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "A"}, acting_user=coord)
    actions.void_donor(donor=a, reason="registered twice", acting_user=inv)
    b = actions.register_donor(study=study, identity={"last_name": "B", "first_name": "B"}, acting_user=coord)
    assert (a.pseudonym, b.pseudonym) == ("NCT05947682-001", "NCT05947682-002")
    a.refresh_from_db()
    assert a.is_voided and a.void_reason == "registered twice"  # kept, not deleted


def test_nir_is_validated(study: Any, make_user: Any) -> None:
    coord = make_user("coordinator")
    with pytest.raises(ValidationError, match="NIR"):
        actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B",
                                                      "nir": "1 23 45 67 890 123 00"}, acting_user=coord)
    d = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B", "nir": valid_nir()},
                               acting_user=coord)
    assert DonorIdentity.objects.get(donor=d).nir == valid_nir()


def test_identity_reads_are_role_checked_and_audited(study: Any, make_user: Any, client_as: Any) -> None:
    coord = make_user("coordinator")
    d = actions.register_donor(study=study, identity={"last_name": "Martin", "first_name": "Claire",
                                                      "nir": valid_nir()}, acting_user=coord)
    with pytest.raises(PermissionDenied):
        actions.read_identity(donor=d, acting_user=make_user("monitor"))
    # the registration event does not copy the identity values into the trail
    assert not AuditEvent.objects.filter(new__contains="Martin").exists()
    client = client_as("investigator")
    response = client.get(f"/donors/{d.pseudonym}/identity/")
    assert response.status_code == 200 and b"Martin" in response.content
    read = AuditEvent.objects.filter(action="read", subject=d.pseudonym)
    assert read.count() == 1 and read.get().username == client.user.username
    assert client_as("data_manager").get(f"/donors/{d.pseudonym}/identity/").status_code == 403
    assert read.count() == 1
    api = client_as("coordinator").get(f"/api/donors/donors/{d.pseudonym}/identity")
    assert api.status_code == 200 and api.json()["last_name"] == "Martin" and read.count() == 2


def test_identity_change_needs_a_reason(study: Any, make_user: Any) -> None:
    coord = make_user("coordinator")
    d = actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"}, acting_user=coord)
    with pytest.raises(ValidationError, match="reason"):
        actions.update_identity(donor=d, changes={"phone": "0600000000"}, reason="", acting_user=coord)
    actions.update_identity(donor=d, changes={"phone": "0600000000"}, reason="new phone", acting_user=coord)
    e = AuditEvent.objects.filter(record_type="donors.DonorIdentity", field="phone").get()
    assert e.reason == "new phone" and "0600000000" not in (e.new or "")


def test_donor_list_pages_newest_first_with_each_donors_screening(study: Any, make_user: Any, client_as: Any) -> None:
    """Fifty donors a page, newest first, each with its own screening verdict, down to the last
    page (the page's ids are read first, then their rows)."""
    import re

    from stromalab.web.donors.models import Donor
    from stromalab.web.screening.models import Screening

    user = make_user("investigator")
    Donor.objects.bulk_create([Donor(study=study, sequence=i, pseudonym=f"{study.pk}-{i:03d}", created_by=user)
                               for i in range(1, 54)])
    first, third = (Donor.objects.get(sequence=n) for n in (1, 3))
    Screening.objects.bulk_create([Screening(donor=first, verdict="eligible", results=[]),
                                   Screening(donor=third, verdict="ineligible", results=[])])
    client = client_as("investigator", user)

    def rows(page: int) -> list[tuple[str, str]]:
        html = client.get(f"/donors/?page={page}").content.decode()
        return re.findall(r'>(NCT05947682-\d{3})</a></td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', html)

    one, two = rows(1), rows(2)
    assert [p for p, _ in one] == [f"NCT05947682-{i:03d}" for i in range(53, 3, -1)]
    assert [p for p, _ in two] == ["NCT05947682-003", "NCT05947682-002", "NCT05947682-001"]
    assert [v for _, v in two] == ["ineligible", "", "eligible"]
