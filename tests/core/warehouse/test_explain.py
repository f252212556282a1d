"""Explained results: per criterion the status, a reason in bedside words and the values it was
decided on; the same on DuckDB, PostgreSQL and Spark; the CSV output unchanged."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.eligibility import parse_record
from stromalab.core.eligibility.evaluate import evaluate
from stromalab.core.protocol import Protocol
from stromalab.core.warehouse import output, synthetic
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.engines import ScheduleRow, SparkWarehouse, Warehouse, open_warehouse
from stromalab.core.warehouse.explain import plain
from stromalab.core.warehouse.screening import prescreen

AS_OF = synthetic.AS_OF_MAY


def explained(warehouse: Warehouse, protocol: Protocol, concept_sets: ConceptSets,
              schedule: list[ScheduleRow] | None = None) -> str:
    result = prescreen(warehouse, protocol, AS_OF, concept_sets, schedule, explain=True)
    return "".join(output.json_lines(result))


@pytest.fixture(scope="module")
def duckdb_json(planted_db: Path, protocol: Protocol, concept_sets: ConceptSets,
                schedule_rows: list[ScheduleRow]) -> dict[str, str]:
    with open_warehouse(str(planted_db)) as warehouse:
        return {"all": explained(warehouse, protocol, concept_sets),
                "schedule": explained(warehouse, protocol, concept_sets, schedule_rows)}


def person(text: str, person_id: int) -> dict[str, Any]:
    rows = [json.loads(line) for line in text.splitlines()]
    return {c["id"]: c for c in next(r for r in rows if r["person_id"] == person_id)["criteria"]}


def core_reason(protocol: Protocol, criterion: str, **fields: Any) -> str:
    record = parse_record({"donor": "P1", "as_of": AS_OF.isoformat(), "sex": "male", **fields}, protocol.answer_ids)
    return next(c.reason for c in evaluate(protocol, record).criteria if c.id == criterion)


def test_explanation_carries_the_values_and_bedside_words(duckdb_json: dict[str, str], protocol: Protocol) -> None:
    bmi = person(duckdb_json["all"], 20)["I2"]
    assert bmi["status"] == "fail"
    assert bmi["values"] == {"weight_kg": "76.8", "weight_kg_date": "2022-05-01", "height_cm": "160",
                             "height_cm_date": "2022-05-01", "bmi": "30.00"}
    assert bmi["reason"] == core_reason(protocol, "I2", weight_kg=Decimal("76.8"), height_cm=Decimal("160"))
    weight = person(duckdb_json["all"], 27)["E1"]
    assert weight["values"] == {"weight_kg": "49.9", "weight_kg_date": "2022-05-31"}
    assert weight["reason"] == core_reason(protocol, "E1", weight_kg=Decimal("49.9"))
    age = person(duckdb_json["all"], 3)["I1"]
    assert age["values"] == {"as_of": "2022-05-31", "age_years": 18}
    assert age["reason"] == core_reason(protocol, "I1", birth_date="2004-05-31")
    partial = person(duckdb_json["all"], 8)["I1"]
    assert partial["status"] == "unknown" and partial["values"]["age_years_between"] == [17, 18]
    cancer = person(duckdb_json["all"], 40)["E11"]
    assert cancer["values"] == {"cancer": {"code": "C50.9", "concept_id": None, "start": "2010-01-01", "end": None}}
    conditions = [{"code": "ICD10:C50.9", "onset": "2010-01-01", "end": None}]
    assert core_reason(protocol, "E11", conditions=conditions).endswith(cancer["reason"])
    steroids = person(duckdb_json["all"], 73)["E19"]
    assert steroids["status"] == "fail" and steroids["values"]["days"] == 6
    medications = [{"code": "ATC:H02AB06", "start": "2022-05-01", "end": "2022-05-04"},
                   {"code": "ATC:H02AB01", "start": "2022-05-03", "end": "2022-05-05"},
                   {"code": "ATC:H02AB06", "start": "2022-05-10", "end": "2022-05-10"}]
    assert core_reason(protocol, "E19", medications=medications).endswith(steroids["reason"])
    by_concept = person(duckdb_json["all"], 91)["E11"]["values"]["cancer"]
    assert by_concept["concept_id"] == 900001
    assert person(duckdb_json["schedule"], 15)["I4"]["values"] == {"schedule": "pass"}


def test_statuses_agree_with_failed_and_unknown(duckdb_json: dict[str, str]) -> None:
    for line in duckdb_json["schedule"].splitlines():
        row = json.loads(line)
        assert [c["id"] for c in row["criteria"] if c["status"] == "fail"] == row["failed"]
        assert [c["id"] for c in row["criteria"] if c["status"] == "unknown"] == row["unknown"]


def test_plain_reads_a_double_by_its_shortest_text() -> None:
    assert str(plain(76.8)) == "76.8" and str(plain(160.0)) == "160"
    assert str(plain(Decimal("76.8000000000"))) == "76.8"


@pytest.mark.postgres
def test_postgres_explains_identically(postgres_url: tuple[str, str], protocol: Protocol, concept_sets: ConceptSets,
                                       schedule_rows: list[ScheduleRow], duckdb_json: dict[str, str]) -> None:
    url, schema = postgres_url
    with open_warehouse(url, schema=schema) as warehouse:
        assert explained(warehouse, protocol, concept_sets) == duckdb_json["all"]
        assert explained(warehouse, protocol, concept_sets, schedule_rows) == duckdb_json["schedule"]


@pytest.mark.spark
def test_spark_explains_identically(spark: Any, planted_parquet: Path, protocol: Protocol, concept_sets: ConceptSets,
                                    schedule_rows: list[ScheduleRow], duckdb_json: dict[str, str]) -> None:
    warehouse = SparkWarehouse(planted_parquet, spark)
    try:
        assert explained(warehouse, protocol, concept_sets) == duckdb_json["all"]
        assert explained(warehouse, protocol, concept_sets, schedule_rows) == duckdb_json["schedule"]
    finally:
        warehouse.close()


def test_one_person_alone_is_explained_as_in_the_whole_run(planted_db: Path, protocol: Protocol,
                                                           concept_sets: ConceptSets, duckdb_json: dict[str, str],
                                                           schedule_rows: list[ScheduleRow]) -> None:
    with open_warehouse(str(planted_db)) as warehouse:
        alone = prescreen(warehouse, protocol, AS_OF, concept_sets, explain=True, persons=[20])
        scheduled = prescreen(warehouse, protocol, AS_OF, concept_sets, [r for r in schedule_rows if r[0] == 15],
                              explain=True, persons=[15])
    assert list(alone.person_ids) == [20]
    assert {c["id"]: c for c in alone.explained(0)} == person(duckdb_json["all"], 20)
    assert {c["id"]: c for c in scheduled.explained(0)} == person(duckdb_json["schedule"], 15)
