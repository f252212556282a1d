"""Whether a donor's material may be used: one answer, shared by the refusing action
(assert_material_use_allowed) and the apps that only show it (quality's release summary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from stromalab.web.donors import actions
from stromalab.web.donors.actions import DonorLocked
from stromalab.web.donors.queries import material_use_refusal

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _register(study: Any, make_user: Any) -> Any:
    return actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                  acting_user=make_user("coordinator"))


def test_signed_consent_allows_use(study: Any, make_user: Any) -> None:
    donor = _register(study, make_user)
    assert material_use_refusal(donor) == f"{donor.pseudonym}: no signed consent"
    with pytest.raises(DonorLocked, match="no signed consent"):
        actions.assert_material_use_allowed(donor)
    actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="signed", date=TODAY,
                           acting_user=make_user("investigator"))
    assert material_use_refusal(donor) is None
    actions.assert_material_use_allowed(donor)


def test_refused_consent_refuses_use(study: Any, make_user: Any) -> None:
    donor = _register(study, make_user)
    actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="refused", date=TODAY,
                           acting_user=make_user("investigator"))
    assert material_use_refusal(donor) == f"{donor.pseudonym}: no signed consent"


def test_withdrawn_consent_refuses_use(study: Any, make_user: Any) -> None:
    donor = _register(study, make_user)
    investigator = make_user("investigator")
    sheet = study.information_sheets.get()
    actions.record_consent(donor=donor, sheet=sheet, status="signed", date=TODAY, acting_user=investigator)
    stale = type(donor).objects.get(pk=donor.pk)
    actions.record_consent(donor=donor, sheet=sheet, status="withdrawn", date=TODAY, reason="donor request",
                           acting_user=investigator)
    donor.refresh_from_db()
    assert material_use_refusal(donor) == f"{donor.pseudonym}: consent withdrawn, the material may not be used"
    # the action re-reads the donor: a copy loaded before the withdrawal is refused too
    with pytest.raises(DonorLocked, match="consent withdrawn"):
        actions.assert_material_use_allowed(stale)


def test_voided_donor_refuses_use(study: Any, make_user: Any) -> None:
    donor = _register(study, make_user)
    actions.void_donor(donor=donor, reason="registered twice", acting_user=make_user("investigator"))
    donor.refresh_from_db()
    assert material_use_refusal(donor) == f"{donor.pseudonym}: record voided, the material may not be used"
