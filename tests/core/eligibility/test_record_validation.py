"""Invalid screening records: each field's bad values give an error naming that field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from stromalab.core.eligibility import RecordError, screen
from stromalab.core.protocol import Protocol
from tests.core.eligibility.records import NEGATIVE_SEROLOGY, eligible


def _set(path: str, value: Any) -> dict[str, Any]:
    """The eligible record with the value at a dotted path (``conditions.0.code``) replaced."""
    record = eligible()
    keys = path.split(".")
    target: Any = record
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return record


BAD = [
    # (path, bad value, field named in the error)
    ("donor", "", "donor"), ("donor", "Jean Dupont", "donor"), ("donor", "x" * 65, "donor"),
    ("donor", 42, "donor"),
    ("as_of", "2026-02-30", "as_of"), ("as_of", "02/03/2026", "as_of"), ("as_of", "20260302", "as_of"),
    ("as_of", 20260302, "as_of"),
    ("sex", "Female", "sex"), ("sex", "other", "sex"),
    ("birth_date", "2026-03-03", "birth_date"), ("birth_date", "1990-13-01", "birth_date"),
    ("weight_kg", 0, "weight_kg"), ("weight_kg", -5, "weight_kg"), ("weight_kg", 500, "weight_kg"),
    ("weight_kg", "62", "weight_kg"), ("weight_kg", True, "weight_kg"), ("weight_kg", float("nan"), "weight_kg"),
    ("weight_kg", float("inf"), "weight_kg"), ("weight_kg", Decimal("NaN"), "weight_kg"),
    ("height_cm", 300, "height_cm"), ("height_cm", 0.0, "height_cm"),
    ("blood_pressure", {"systolic": 120}, "blood_pressure.diastolic"),
    ("blood_pressure", {"diastolic": 80}, "blood_pressure.systolic"),
    ("blood_pressure", {"systolic": 400, "diastolic": 80}, "blood_pressure.systolic"),
    ("blood_pressure", {"systolic": 120, "diastolic": 80, "pulse": 60}, "blood_pressure.pulse"),
    ("blood_pressure", "120/80", "blood_pressure"),
    ("smoking", "no", "smoking"), ("smoking", "Never", "smoking"),
    ("social_security", "yes", "social_security"), ("social_security", 1, "social_security"),
    ("consent", {"status": "given"}, "consent.status"), ("consent", {"date": "2026-03-01"}, "consent.status"),
    ("consent", {"status": "signed", "date": "yesterday"}, "consent.date"),
    ("consent", {"status": "signed", "signed_by": "x"}, "consent.signed_by"),
    ("consent", {"status": "signed", "version": 1}, "consent.version"),
    ("surgery", {"procedure": "liposuction", "side": "left"}, "surgery.side"),
    ("surgery", {"procedure": ""}, "surgery.procedure"),
    ("surgery", {"date": "2026-3-20"}, "surgery.date"),
    ("serology", {**NEGATIVE_SEROLOGY, "HIV": "pos"}, "serology.HIV"),
    ("serology", {**NEGATIVE_SEROLOGY, "HBV": "negative"}, "serology.HBV"),
    ("serology", ["HIV"], "serology"),
    ("pregnancy_test", {"result": "negative"}, "pregnancy_test.date"),
    ("pregnancy_test", {"result": "unclear", "date": "2026-03-01"}, "pregnancy_test.result"),
    ("conditions", {"code": "ICD10:C50"}, "conditions"),
    ("conditions", [{"code": "C50.9", "onset": "2020-01-01"}], "conditions[0].code"),
    ("conditions", [{"code": "ICD10:50.9", "onset": "2020-01-01"}], "conditions[0].code"),
    ("conditions", [{"code": "ICD10:C50.9"}], "conditions[0].onset"),
    ("conditions", [{"code": "ICD10:C50.9", "start": "2020-01-01"}], "conditions[0].start"),
    ("conditions", [{"code": "ICD10:C50.9", "onset": "2020-01-01", "end": "2019-12-31"}], "conditions[0].end"),
    ("conditions", [{"onset": "2020-01-01"}], "conditions[0].code"),
    ("conditions", ["ICD10:C50.9"], "conditions[0]"),
    ("medications", [{"code": "ATC:H02AB06", "start": "2020-01-01"}, {"code": "ATC:H2", "start": "2020-01-01"}], "medications[1].code"),
    ("medications", [{"code": "ATC:H02AB06", "onset": "2020-01-01"}], "medications[0].onset"),
    ("medications", [{"code": "ATC:H02AB06", "start": "2020-01-05", "end": "2020-01-04"}], "medications[0].end"),
    ("answers", {"E3": "maybe"}, "answers.E3"), ("answers", {"E3": True}, "answers.E3"),
    ("answers", {"I1": "yes"}, "answers.I1"), ("answers", {"E23": "no"}, "answers.E23"),
    ("answers", ["E3"], "answers"),
    ("weigth_kg", 62, "weigth_kg"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field"), BAD)
def test_bad_values_name_the_field(protocol: Protocol, path: str, value: Any, field: str) -> None:
    with pytest.raises(RecordError) as caught:
        screen(protocol, _set(path, value))
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.donor == (eligible()["donor"] if path != "donor" else None)


@pytest.mark.parametrize("field", ["donor", "as_of", "sex"])
def test_required_fields(protocol: Protocol, field: str) -> None:
    with pytest.raises(RecordError, match=f"^{field}: is required"):
        screen(protocol, eligible(**{field: None}))


@pytest.mark.parametrize("value", [[], "record", 3, None])
def test_a_record_must_be_an_object(protocol: Protocol, value: Any) -> None:
    with pytest.raises(RecordError, match="must be a JSON object"):
        screen(protocol, value)


def test_null_is_the_same_as_missing(protocol: Protocol) -> None:
    record = eligible()
    for key in ("birth_date", "weight_kg", "blood_pressure", "smoking", "consent", "surgery",
                "serology", "pregnancy_test", "conditions", "medications", "answers"):  # fmt: skip
        record[key] = None
    nulls = screen(protocol, record).to_dict()
    minimal = screen(protocol, {k: record[k] for k in ("donor", "as_of", "sex", "height_cm", "social_security")})
    assert nulls == minimal.to_dict()
