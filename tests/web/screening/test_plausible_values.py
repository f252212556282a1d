"""Screening values as people type them, and only plausible ones: a decimal comma, bounded
measurements, dates that can be true."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.web.screening import actions
from stromalab.web.screening import models as m
from tests.web.conftest import eligible_data


@pytest.mark.parametrize(("field", "value", "message"), [
    ("weight_kg", "6250", "6250.0 is not plausible: between 20 and 300"),
    ("height_cm", "1.68", "1.7 is not plausible: between 100 and 250"),
    ("systolic", 1280, "1280 is not plausible: between 50 and 300"),
    ("weight_kg", "NaN", "expected a number"),
    ("birth_date", "0001-01-01", "0001-01-01 is not plausible (before 1900-01-01)"),
    ("as_of", (dt.date.today() + dt.timedelta(days=2)).isoformat(), "is in the future"),
    ("pregnancy_date", (dt.date.today() + dt.timedelta(days=1)).isoformat(), "is in the future"),
    ("surgery_date", "2099-01-01", "2099-01-01 is more than three years ahead"),
])
def test_implausible_values_are_refused_under_their_field(eligible_donor: Any, field: str, value: Any,
                                                          message: str) -> None:
    donor = eligible_donor()
    with pytest.raises(ValidationError) as refused:
        actions.save_screening(donor=donor, data={**eligible_data(), field: value}, reason="typo",
                               acting_user=eligible_donor.coordinator)
    assert list(refused.value.error_dict) == [field] and message in refused.value.messages[0]


def test_a_french_decimal_comma_is_a_weight(eligible_donor: Any, client_as: Any) -> None:
    from tests.web.screening.test_live_preview import form_fields

    donor = eligible_donor()
    client = client_as("coordinator", eligible_donor.coordinator)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    fields = {**form_fields(eligible_data()), "weight_kg": "62,5", "reason": "pesée"}
    assert client.post(f"/screening/{donor.pseudonym}/", fields).status_code == 302
    assert m.Screening.objects.get(donor=donor).weight_kg == 62.5
