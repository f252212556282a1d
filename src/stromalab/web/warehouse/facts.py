"""One warehouse person's facts, read the way the pre-screening compiler reads them.

The column readers of :mod:`stromalab.core.warehouse.readers` are reused, so a date stored as
text, a number stored as VARCHAR, a code with or without its dot are read exactly as the
pre-screen read them (docs/warehouse.md): sex from ``gender_concept_id``, a complete birth date
only, the latest measurement of each LOINC code within 365 days (highest ``measurement_id`` on
a tie), conditions and medications starting on or before ``as_of``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from stromalab.core.warehouse import readers as r
from stromalab.core.warehouse.compiler import (
    FEMALE,
    LOINC,
    MALE,
    MEASUREMENT_DAYS,
    UPPER,
    to_dialect,
)
from stromalab.core.warehouse.engines import Warehouse


@dataclass(frozen=True)
class Fact:
    field: str  # screening field, or "condition" / "medication"
    value: Any
    table: str  # OMOP table it was read from
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # `field` names the attribute above
    note: str = ""  # why it cannot be carried (empty: it can)


def _one(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    return warehouse.fetch(to_dialect(sql, warehouse.dialect))


def read_facts(warehouse: Warehouse, person_id: int, as_of: date) -> list[Fact]:
    facts: list[Fact] = []
    facts += _person(warehouse, person_id, as_of)
    facts += _measurements(warehouse, person_id, as_of)
    facts += _history(warehouse, person_id, as_of, "condition")
    facts += _history(warehouse, person_id, as_of, "medication")
    return facts


def _person(warehouse: Warehouse, person_id: int, as_of: date) -> list[Fact]:
    person = warehouse.table("person")
    if person is None:
        return []
    pid = r.as_integer(person, "person_id")
    cols = [r.as_integer(person, "gender_concept_id") if person.has("gender_concept_id") else "NULL"]
    for name in ("year_of_birth", "month_of_birth", "day_of_birth"):
        cols.append(r.as_integer(person, name) if person.has(name) else "CAST(NULL AS BIGINT)")
    cols.append(r.as_date(person, "birth_datetime") if person.has("birth_datetime") else "CAST(NULL AS DATE)")
    rows = _one(warehouse, f"SELECT {', '.join(cols)} FROM {person.ref} WHERE {pid} = {int(person_id)}")
    if not rows:
        return []
    gender, y, m, d, bd = rows[0]
    facts = []
    sex = {FEMALE: "female", MALE: "male"}.get(gender)
    if sex:
        facts.append(Fact("sex", sex, "person"))
    elif gender is not None:
        facts.append(Fact("sex", str(gender), "person", note="gender concept is neither 8532 nor 8507"))
    birth: date | None = None
    if y is not None and m is not None and d is not None:
        try:
            birth = date(int(y), int(m), int(d))
        except ValueError:
            birth = None
    if birth is None and bd is not None:
        birth = bd
    if birth is not None:
        note = "birth date after the pre-screening date" if birth > as_of else ""
        facts.append(Fact("birth_date", birth, "person", note=note))
    elif y is not None:
        partial = f"{int(y)}" + (f"-{int(m):02d}" if m is not None else "")
        facts.append(Fact("birth_date", partial, "person", note="partial birth date: not carried"))
    return facts


def _measurements(warehouse: Warehouse, person_id: int, as_of: date) -> list[Fact]:
    table = warehouse.table("measurement")
    if table is None:
        return []
    pid = r.as_integer(table, "person_id")
    code = f"TRIM(CAST({table.column('measurement_source_value')} AS VARCHAR))"
    when = r.as_date(table, "measurement_date")
    first = as_of - timedelta(days=MEASUREMENT_DAYS)
    facts = []
    for quantity, loinc in LOINC.items():
        value = r.as_decimal(table, "value_as_number", UPPER[quantity])
        sql = (
            f"SELECT dt, v FROM (SELECT {when} AS dt, {value} AS v, {table.column('measurement_id')} AS mid "
            f"FROM {table.ref} WHERE {pid} = {int(person_id)} AND {code} = {r.literal(loinc)}) measured "
            f"WHERE dt BETWEEN {r.date_literal(first)} AND {r.date_literal(as_of)} AND v IS NOT NULL "
            "ORDER BY dt DESC, mid DESC LIMIT 1"
        )
        rows = _one(warehouse, sql)
        if rows:
            day, number = rows[0]
            facts.append(Fact(quantity, Decimal(str(number)).normalize(), "measurement",
                              {"date": day.isoformat(), "loinc": loinc}))
    return facts


_HISTORY = {
    "condition": ("condition_occurrence", "condition_start_date", "condition_end_date", "condition_source_value",
                  "condition_concept_id", "ICD10"),
    "medication": ("drug_exposure", "drug_exposure_start_date", "drug_exposure_end_date", "drug_source_value",
                   "drug_concept_id", "ATC"),
}  # fmt: skip


def _history(warehouse: Warehouse, person_id: int, as_of: date, kind: str) -> list[Fact]:
    from stromalab.core.eligibility.codes import normalize

    name, start, end, source, concept, system = _HISTORY[kind]
    table = warehouse.table(name)
    if table is None:
        return []
    pid = r.as_integer(table, "person_id")
    concept_col = r.as_integer(table, concept) if table.has(concept) else "CAST(NULL AS BIGINT)"
    sql = (
        f"SELECT code, s, e, concept FROM (SELECT {r.as_code(table, source)} AS code, {r.as_date(table, start)} AS s, "
        f"{r.as_date(table, end)} AS e, {concept_col} AS concept FROM {table.ref} WHERE {pid} = {int(person_id)}) f "
        f"WHERE s IS NOT NULL AND s <= {r.date_literal(as_of)} ORDER BY s, code"
    )
    facts = []
    for code, s, e, concept_id in _one(warehouse, sql):
        extra = {"start": s.isoformat(), "end": e.isoformat() if e else None}
        if concept_id:
            extra["concept_id"] = int(concept_id)
        note = ""
        if not code or normalize(system, code) is None:
            note = f"not an {'ICD-10' if system == 'ICD10' else 'ATC'} code: not carried"
        elif e is not None and e < s:
            note = "ends before it starts: not carried"
        facts.append(Fact(kind, f"{system}:{code}" if code else "", name, extra, note))
    return facts
