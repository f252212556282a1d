"""The reference answer: each person's OMOP facts turned into a screening record and screened
by the core evaluator (``stromalab.core.eligibility.screen``), one person at a time.

The conversion applies the warehouse mapping of docs/warehouse.md: no answers; the latest
plausible measurement on or before as_of and at most 365 days old (highest measurement_id
on ties); codes that are not well-formed ICD-10/ATC are dropped (they cannot match); a partial
birth date decides I1 only when every possible birth date agrees; I4 is the Kleene OR of the
schedule rows. Unknown sex is screened as female: only E21 reads sex, and both leave it unknown.
Concept sets are not modelled here (the differential test runs without them).
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from stromalab.core.eligibility import parse_record
from stromalab.core.eligibility.evaluate import evaluate
from stromalab.core.eligibility.record import Surgery
from stromalab.core.protocol import Protocol

LOINC = {"weight_kg": "29463-7", "height_cm": "8302-2", "systolic": "8480-6", "diastolic": "8462-4"}
UPPER = {"weight_kg": 500, "height_cm": 300, "systolic": 400, "diastolic": 400}
_ICD10 = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
_ATC = re.compile(r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?")


def oracle(con: Any, protocol: Protocol, as_of: date, schedule: list[tuple[Any, ...]] | None = None) -> dict[int, tuple[str, str]]:
    """person_id -> (failed, unknown) as ``stromalab prescreen`` should print them."""
    measurements = defaultdict(list)
    for row in con.execute("SELECT person_id, measurement_source_value, measurement_date, value_as_number, measurement_id FROM measurement").fetchall():
        measurements[row[0]].append(row[1:])
    facts: dict[str, dict[int, list[tuple[Any, ...]]]] = {"conditions": defaultdict(list), "medications": defaultdict(list)}
    for key, sql in (
        ("conditions", "SELECT person_id, condition_source_value, condition_start_date, condition_end_date FROM condition_occurrence"),
        ("medications", "SELECT person_id, drug_source_value, drug_exposure_start_date, drug_exposure_end_date FROM drug_exposure"),
    ):
        for row in con.execute(sql).fetchall():
            facts[key][row[0]].append(row[1:])
    persons = {row[0]: row[1:] for row in con.execute(
        "SELECT person_id, gender_concept_id, year_of_birth, month_of_birth, day_of_birth, birth_datetime FROM person").fetchall()}
    rows_by_person: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in schedule or []:
        rows_by_person[row[0]].append(row)
    population = sorted(rows_by_person) if schedule is not None else sorted(persons)
    i1 = protocol.criterion("I1")
    i4 = protocol.criterion("I4")
    result = {}
    for pid in population:
        gender, y, m, d, bd = persons.get(pid, (None, None, None, None, None))
        record: dict[str, Any] = {"donor": f"P{pid}", "as_of": as_of.isoformat(),
                                  "sex": "male" if gender == 8507 else "female"}
        candidates = _birth_candidates(y, m, d, bd, as_of)
        if candidates is not None and len(candidates) == 1:
            record["birth_date"] = candidates[0].isoformat()
        record.update(_measured(measurements.get(pid, []), as_of))
        for key, system, grammar, start in (("conditions", "ICD10", _ICD10, "onset"), ("medications", "ATC", _ATC, "start")):
            items = []
            for code, s, e in facts[key].get(pid, []):
                if code is None or s is None or not grammar.fullmatch(code.strip().upper()):
                    continue
                items.append({"code": f"{system}:{code.strip()}", start: s.isoformat(), "end": e.isoformat() if e else None})
            record[key] = items
        screened = evaluate(protocol, parse_record(record, protocol.answer_ids))
        status = {c.id: c.status for c in screened.criteria}
        if candidates is not None and len(candidates) > 1:
            status["I1"] = _agree(i1, parse_record(record, protocol.answer_ids), candidates)
        if schedule is not None:
            status["I4"] = _schedule_status(i4, parse_record(record, protocol.answer_ids), rows_by_person[pid])
        failed = ";".join(c.id for c in protocol.criteria if status[c.id] == "fail")
        unknown = ";".join(c.id for c in protocol.criteria if status[c.id] == "unknown")
        result[pid] = (failed, unknown)
    return result


def _status(criterion: Any, value: bool | None) -> str:
    if value is None:
        return "unknown"
    return "pass" if value is (criterion.kind == "inclusion") else "fail"


def _agree(criterion: Any, record: Any, candidates: list[date]) -> str:
    seen = {_status(criterion, criterion.rule.evaluate(replace(record, birth_date=b))[0]) for b in candidates}
    return seen.pop() if len(seen) == 1 else "unknown"


def _schedule_status(criterion: Any, record: Any, rows: list[tuple[Any, ...]]) -> str:
    values = []
    for _, day, procedure, site, anesthesia in rows:
        surgery = Surgery(procedure, site, anesthesia, day)
        values.append(criterion.rule.evaluate(replace(record, surgery=surgery))[0])
    value = True if True in values else None if None in values else False
    return _status(criterion, value)


def _birth_candidates(y: Any, m: Any, d: Any, bd: Any, as_of: date) -> list[date] | None:
    """Every possible birth date on or before as_of; None when the birth date is unknown."""
    month = m if m is not None and 1 <= m <= 12 else None
    day = d if month is not None and y is not None and d is not None and 1 <= d <= calendar.monthrange(y, month)[1] else None
    if y is not None and month is not None and day is not None:
        first = last = date(y, month, day)
    elif bd is not None:
        first = last = bd.date() if isinstance(bd, datetime) else bd
    elif y is not None:
        first = date(y, month or 1, 1)
        last = date(y, month or 12, calendar.monthrange(y, month or 12)[1])
    else:
        return None
    if first > as_of:
        return None
    last = min(last, as_of)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _measured(rows: list[tuple[Any, ...]], as_of: date) -> dict[str, Any]:
    chosen: dict[str, Decimal] = {}
    for quantity, code in LOINC.items():
        best = None
        for src, when, value, mid in rows:
            if src != code or value is None or when is None or not as_of - timedelta(days=365) <= when <= as_of:
                continue
            number = Decimal(repr(float(value)))
            if not 0 < number < UPPER[quantity]:
                continue
            if best is None or (when, mid) > best[0]:
                best = ((when, mid), number)
        if best is not None:
            chosen[quantity] = best[1]
    out: dict[str, Any] = {k: chosen[k] for k in ("weight_kg", "height_cm") if k in chosen}
    if "systolic" in chosen or "diastolic" in chosen:  # E5 reads each alone; 1 mmHg never shows it
        out["blood_pressure"] = {"systolic": chosen.get("systolic", Decimal(1)),
                                 "diastolic": chosen.get("diastolic", Decimal(1))}
    return out
