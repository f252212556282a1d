"""The screening record, format version 1 (docs/schema/screening-record-v1.schema.json).

A record is built up over days, so almost every item may be missing; but a field the format
does not define is an error at any depth, because a misspelt field must never silently turn a
criterion ``unknown``. Parsing is a single pass of explicit checks (no schema library) because
the CLI must screen tens of thousands of records per second.

It stays one module (a little over 400 lines) on purpose: the record's value types and the
checks that build them are one description of one format, read side by side against the JSON
schema; split, a field's type and the check that builds it would live apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from stromalab.core.eligibility import codes

SEROLOGY_TESTS = (
    "HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV",
    "syphilis", "HTLV", "toxoplasma-IgM", "EBV-IgM", "CMV-IgM",
)  # fmt: skip
SEROLOGY_RESULTS = frozenset({"positive", "negative", "equivocal"})
SEXES = frozenset({"female", "male"})
SMOKING = frozenset({"never", "former", "current"})
CONSENT_STATUSES = frozenset({"signed", "refused", "withdrawn"})
TEST_RESULTS = frozenset({"positive", "negative"})
ANSWERS = frozenset({"yes", "no"})

_TOP_FIELDS = frozenset({
    "donor", "as_of", "sex", "birth_date", "weight_kg", "height_cm", "blood_pressure",
    "smoking", "social_security", "consent", "surgery", "serology", "pregnancy_test",
    "conditions", "medications", "answers",
})  # fmt: skip
_DONOR = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CODE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(\S.*)")


class RecordError(ValueError):
    """An invalid screening record: ``field`` is the path at fault, e.g. ``conditions[2].onset``."""

    def __init__(self, field: str, message: str, donor: str | None = None) -> None:
        self.field = field
        self.message = message
        self.donor = donor
        super().__init__(f"{field}: {message}")


# The small value types are named tuples rather than frozen dataclasses: equally immutable,
# and three times cheaper to build, which matters at tens of thousands of records a second.


class CodedFact(NamedTuple):
    """A condition or a medication: ``system`` upper case, ``code`` in comparable form."""

    system: str
    code: str
    raw: str
    start: date
    end: date | None


class Surgery(NamedTuple):
    procedure: str | None
    site: str | None
    anesthesia: str | None
    date: date | None


class Consent(NamedTuple):
    status: str
    date: date | None
    version: str | None


class DatedResult(NamedTuple):
    result: str
    date: date


class BloodPressure(NamedTuple):
    systolic: Decimal
    diastolic: Decimal


@dataclass(frozen=True, slots=True)
class ScreeningRecord:
    donor: str
    as_of: date
    sex: str
    birth_date: date | None = None
    weight_kg: Decimal | None = None
    height_cm: Decimal | None = None
    blood_pressure: BloodPressure | None = None
    smoking: str | None = None
    social_security: bool | None = None
    consent: Consent | None = None
    surgery: Surgery | None = None
    serology: Mapping[str, str] | None = None
    pregnancy_test: DatedResult | None = None
    conditions: tuple[CodedFact, ...] = ()
    medications: tuple[CodedFact, ...] = ()
    answers: Mapping[str, str] | None = None
    ignored: tuple[str, ...] = ()


def parse_record(data: Any, answer_ids: AbstractSet[str]) -> ScreeningRecord:
    """Validate one record (a JSON object already decoded) and return it typed.

    ``answer_ids`` are the criterion ids the protocol accepts answers for. Numbers may be
    int, float or Decimal; floats are read as their shortest decimal form so that BMI stays
    exact. Raises :class:`RecordError` naming the first field at fault.
    """
    if not isinstance(data, Mapping):
        raise RecordError("(record)", f"must be a JSON object, got {_kind(data)}")
    donor_value = data.get("donor")
    donor = donor_value if isinstance(donor_value, str) and _DONOR.fullmatch(donor_value) else None
    try:
        return _parse(data, answer_ids)
    except RecordError as exc:
        exc.donor = donor
        raise


def _parse(data: Mapping[str, Any], answer_ids: AbstractSet[str]) -> ScreeningRecord:
    _no_unknown(data, _TOP_FIELDS, "")
    donor = data.get("donor")
    if donor is None:
        raise RecordError("donor", "is required")
    if not isinstance(donor, str) or not _DONOR.fullmatch(donor):
        raise RecordError("donor", f"must be 1-64 characters of A-Z a-z 0-9 . _ -, got {donor!r}")
    as_of = _date(data.get("as_of"), "as_of", required=True)
    assert as_of is not None
    sex = _enum(data.get("sex"), "sex", SEXES, required=True)
    assert sex is not None
    birth_date = _date(data.get("birth_date"), "birth_date")
    if birth_date is not None and birth_date > as_of:
        raise RecordError("birth_date", f"{birth_date} is after as_of {as_of}")
    ignored: list[str] = []
    return ScreeningRecord(
        donor=donor,
        as_of=as_of,
        sex=sex,
        birth_date=birth_date,
        weight_kg=_number(data.get("weight_kg"), "weight_kg", 500),
        height_cm=_number(data.get("height_cm"), "height_cm", 300),
        blood_pressure=_blood_pressure(data.get("blood_pressure")),
        smoking=_enum(data.get("smoking"), "smoking", SMOKING),
        social_security=_bool(data.get("social_security"), "social_security"),
        consent=_consent(data.get("consent")),
        surgery=_surgery(data.get("surgery")),
        serology=_serology(data.get("serology")),
        pregnancy_test=_dated_result(data.get("pregnancy_test"), "pregnancy_test"),
        conditions=_facts(data.get("conditions"), "conditions", "onset", codes.ICD10, ignored),
        medications=_facts(data.get("medications"), "medications", "start", codes.ATC, ignored),
        answers=_answers(data.get("answers"), answer_ids),
        ignored=tuple(ignored),
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _no_unknown(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    if data.keys() <= allowed:
        return
    for key in data:
        if key not in allowed:
            path = f"{where}.{key}" if where else str(key)
            raise RecordError(path, f"is not a field of the screening record (allowed: {', '.join(sorted(allowed))})")


def _object(value: Any, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RecordError(field, f"must be an object, got {_kind(value)}")
    _no_unknown(value, allowed, field)
    return value


#: Parsed dates by their text. Screening files repeat the same dates many times over, and
#: parsing dominates validation; the cache is bounded and holds only valid dates.
_DATES: dict[str, date] = {}
_DATES_MAX = 1 << 16


def _date(value: Any, field: str, required: bool = False) -> date | None:
    if value is None:
        if required:
            raise RecordError(field, "is required")
        return None
    if type(value) is str:
        cached = _DATES.get(value)
        if cached is not None:
            return cached
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise RecordError(field, f"must be a date YYYY-MM-DD, got {value!r}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise RecordError(field, f"is not a calendar date: {value!r}") from None
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    _DATES[value] = parsed
    return parsed


def _enum(value: Any, field: str, allowed: frozenset[str], required: bool = False) -> str | None:
    if value is None:
        if required:
            raise RecordError(field, "is required")
        return None
    if value not in allowed or not isinstance(value, str):
        raise RecordError(field, f"must be one of {', '.join(sorted(allowed))}, got {value!r}")
    return value


def _bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(field, f"must be true or false, got {value!r}")


def _number(value: Any, field: str, upper: int) -> Decimal | None:
    if value is None:
        return None
    if type(value) is Decimal and value.is_finite() and 0 < value < upper:
        return value  # the common case: JSON decoded with parse_float=Decimal
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise RecordError(field, f"must be a number in (0, {upper}), got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(field, f"must be a finite number, got {value!r}")
        number = Decimal(repr(value))  # the shortest decimal that round-trips: 76.8, not 76.799…
    else:
        number = Decimal(value)
        if not number.is_finite():
            raise RecordError(field, f"must be a finite number, got {value!r}")
    if not 0 < number < upper:
        raise RecordError(field, f"must be a number in (0, {upper}), got {value!r}")
    return number


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RecordError(field, f"must be non-empty text, got {value!r}")
    return value


_BP_FIELDS = frozenset({"systolic", "diastolic"})


def _blood_pressure(value: Any) -> BloodPressure | None:
    if value is None:
        return None
    data = _object(value, "blood_pressure", _BP_FIELDS)
    systolic = _number(data.get("systolic"), "blood_pressure.systolic", 400)
    diastolic = _number(data.get("diastolic"), "blood_pressure.diastolic", 400)
    if systolic is None:
        raise RecordError("blood_pressure.systolic", "is required when blood_pressure is given")
    if diastolic is None:
        raise RecordError("blood_pressure.diastolic", "is required when blood_pressure is given")
    return BloodPressure(systolic, diastolic)


_CONSENT_FIELDS = frozenset({"status", "date", "version"})


def _consent(value: Any) -> Consent | None:
    if value is None:
        return None
    data = _object(value, "consent", _CONSENT_FIELDS)
    status = _enum(data.get("status"), "consent.status", CONSENT_STATUSES, required=True)
    assert status is not None
    version = data.get("version")
    if version is not None and not isinstance(version, str):
        raise RecordError("consent.version", f"must be text, got {version!r}")
    return Consent(status, _date(data.get("date"), "consent.date"), version)


_SURGERY_FIELDS = frozenset({"procedure", "site", "anesthesia", "date"})


def _surgery(value: Any) -> Surgery | None:
    if value is None:
        return None
    data = _object(value, "surgery", _SURGERY_FIELDS)
    return Surgery(
        procedure=_text(data.get("procedure"), "surgery.procedure"),
        site=_text(data.get("site"), "surgery.site"),
        anesthesia=_text(data.get("anesthesia"), "surgery.anesthesia"),
        date=_date(data.get("date"), "surgery.date"),
    )


_SEROLOGY_FIELDS = frozenset(SEROLOGY_TESTS)


def _serology(value: Any) -> Mapping[str, str] | None:
    if value is None:
        return None
    data = _object(value, "serology", _SEROLOGY_FIELDS)
    if _all_in(data.values(), _SEROLOGY_VALUES):
        return {test: result for test, result in data.items() if result is not None}
    for test, result in data.items():  # find and name the field at fault
        if result is not None:
            _enum(result, f"serology.{test}", SEROLOGY_RESULTS)
    raise AssertionError("unreachable: an invalid result was not found")  # pragma: no cover


_SEROLOGY_VALUES = SEROLOGY_RESULTS | {None}


_RESULT_FIELDS = frozenset({"result", "date"})


def _dated_result(value: Any, field: str) -> DatedResult | None:
    if value is None:
        return None
    data = _object(value, field, _RESULT_FIELDS)
    result = _enum(data.get("result"), f"{field}.result", TEST_RESULTS, required=True)
    when = _date(data.get("date"), f"{field}.date", required=True)
    assert result is not None and when is not None
    return DatedResult(result, when)


_FACT_FIELDS = {
    "onset": frozenset({"code", "onset", "end"}),
    "start": frozenset({"code", "start", "end"}),
}


def _facts(value: Any, field: str, start_key: str, system: str, ignored: list[str]) -> tuple[CodedFact, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(field, f"must be an array, got {_kind(value)}")
    allowed = _FACT_FIELDS[start_key]
    facts: list[CodedFact] = []
    for i, item in enumerate(value):
        # Field paths are only spelt out on the error path: this loop is the hot one.
        if not isinstance(item, Mapping) or not item.keys() <= allowed:
            _object(item, f"{field}[{i}]", allowed)  # raises the error
        raw = item.get("code")
        parsed = _CODES.get(raw, _UNSEEN) if type(raw) is str else _UNSEEN
        if parsed is _UNSEEN:
            if raw is None:
                raise RecordError(f"{field}[{i}].code", "is required")
            parsed = _code(raw, f"{field}[{i}].code", system)
        start = _date(item.get(start_key), f"{field}[{i}].{start_key}", required=True)
        end_text = item.get("end")
        end = None if end_text is None else _date(end_text, f"{field}[{i}].end")
        assert start is not None
        if end is not None and end < start:
            raise RecordError(f"{field}[{i}].end", f"{end} is before {start_key} {start}")
        if parsed is None:
            ignored.append(raw)
            continue
        facts.append(CodedFact(parsed[0], parsed[1], raw, start, end))
    return tuple(facts)


_UNSEEN: Any = object()


#: (system, comparable code) by the code's text, None for systems that are ignored.
_CODES: dict[str, tuple[str, str] | None] = {}


def _code(raw: Any, field: str, expected_system: str) -> tuple[str, str] | None:
    """Split and normalise ``SYSTEM:CODE``; None when the system is not one the criteria use."""
    if type(raw) is str and raw in _CODES:
        return _CODES[raw]
    match = _CODE.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise RecordError(field, f"must be SYSTEM:CODE (e.g. {expected_system}:...), got {raw!r}")
    system = match.group(1).upper()
    parsed: tuple[str, str] | None = None
    if system in codes.SYSTEMS:
        normalized = codes.normalize(system, match.group(2))
        if normalized is None:
            raise RecordError(field, f"{match.group(2)!r} is not a valid {system} code")
        parsed = (system, normalized)
    if len(_CODES) >= _DATES_MAX:
        _CODES.clear()
    _CODES[raw] = parsed
    return parsed


def _answers(value: Any, answer_ids: AbstractSet[str]) -> Mapping[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RecordError("answers", f"must be an object, got {_kind(value)}")
    if value.keys() <= answer_ids and _all_in(value.values(), _ANSWER_VALUES):
        return {k: v for k, v in value.items() if v is not None}
    for key, answer in value.items():  # find and name the field at fault
        if key not in answer_ids:
            raise RecordError(f"answers.{key}", "is not an exclusion criterion of this protocol")
        if answer is not None:
            _enum(answer, f"answers.{key}", ANSWERS)
    raise AssertionError("unreachable: an invalid answer was not found")  # pragma: no cover


_ANSWER_VALUES = frozenset({"yes", "no", None})


def _all_in(values: Iterable[Any], allowed: frozenset[str | None]) -> bool:
    """Whether every value is one of ``allowed``, which holds only strings and None: no other
    JSON value (number, boolean) compares equal to those, so a set comparison is exact."""
    try:
        return set(values) <= allowed
    except TypeError:  # an unhashable value, such as a list
        return False
