"""Same input, byte-identical output on DuckDB, PostgreSQL and Spark (planted + random persons)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.protocol import Protocol
from stromalab.core.warehouse import output, synthetic
from stromalab.core.warehouse.compiler import compile_protocol, to_dialect
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.engines import (
    ScheduleRow,
    SparkWarehouse,
    Warehouse,
    open_warehouse,
)
from tests.core.warehouse.conftest import run
from tests.core.warehouse.test_planted import expected, schedule_answers

AS_OF = synthetic.AS_OF_MAY


def rendered(warehouse: Warehouse, protocol: Protocol, concept_sets: ConceptSets,
             schedule: list[ScheduleRow] | None = None, as_of: date = AS_OF) -> str:
    result = run(warehouse, protocol, as_of, concept_sets, schedule)
    return "".join(output.csv_lines(result)) + output.attrition_csv(result)


@pytest.fixture(scope="module")
def duckdb_outputs(planted_db: Path, protocol: Protocol, concept_sets: ConceptSets,
                   schedule_rows: list[ScheduleRow]) -> dict[str, str]:
    with open_warehouse(str(planted_db)) as warehouse:
        return {
            "all": rendered(warehouse, protocol, concept_sets),
            "schedule": rendered(warehouse, protocol, concept_sets, schedule_rows),
            "feb": rendered(warehouse, protocol, concept_sets, as_of=synthetic.AS_OF_FEB),
        }


def test_duckdb_file_and_parquet_folder_agree(planted_parquet: Path, protocol: Protocol, concept_sets: ConceptSets,
                                              duckdb_outputs: dict[str, str]) -> None:
    with open_warehouse(str(planted_parquet)) as warehouse:
        assert rendered(warehouse, protocol, concept_sets) == duckdb_outputs["all"]


def test_transpiled_sql_parses_for_every_dialect(planted_db: Path, protocol: Protocol, concept_sets: ConceptSets) -> None:
    import sqlglot

    with open_warehouse(str(planted_db)) as warehouse:
        compiled = compile_protocol(protocol, warehouse, AS_OF, concept_sets, schedule=True)
    for dialect in ("postgres", "spark"):
        assert sqlglot.parse_one(to_dialect(compiled.sql, dialect), read=dialect) is not None


@pytest.mark.postgres
def test_postgres_gives_byte_identical_output(postgres_url: tuple[str, str], protocol: Protocol,
                                              concept_sets: ConceptSets, schedule_rows: list[ScheduleRow],
                                              duckdb_outputs: dict[str, str]) -> None:
    url, schema = postgres_url
    with open_warehouse(url, schema=schema) as warehouse:
        assert rendered(warehouse, protocol, concept_sets) == duckdb_outputs["all"]
        assert rendered(warehouse, protocol, concept_sets, schedule_rows) == duckdb_outputs["schedule"]
        assert rendered(warehouse, protocol, concept_sets, as_of=synthetic.AS_OF_FEB) == duckdb_outputs["feb"]


@pytest.mark.postgres
def test_postgres_planted_cases(postgres_url: tuple[str, str], protocol: Protocol, concept_sets: ConceptSets,
                                schedule_rows: list[ScheduleRow]) -> None:
    url, schema = postgres_url
    with open_warehouse(url, "postgres", schema) as warehouse:
        result = run(warehouse, protocol, AS_OF, concept_sets, schedule_rows)
    got = dict(zip(result.person_ids, zip(result.failed, result.unknown, strict=True), strict=True))
    answers = schedule_answers()
    for case in synthetic.PLANTED:
        if case.person_id in got and case.as_of == AS_OF:
            assert got[case.person_id] == expected(protocol, case, answers), case.why


@pytest.mark.postgres
def test_postgres_missing_schema_names_the_table(postgres_url: tuple[str, str], protocol: Protocol) -> None:
    from stromalab.core.warehouse.errors import WarehouseError

    with open_warehouse(postgres_url[0], schema="no_such_schema") as warehouse, \
            pytest.raises(WarehouseError, match="missing table person"):
        run(warehouse, protocol, AS_OF, {})


@pytest.mark.spark
def test_spark_gives_byte_identical_output(spark: Any, planted_parquet: Path, protocol: Protocol,
                                           concept_sets: ConceptSets, schedule_rows: list[ScheduleRow],
                                           duckdb_outputs: dict[str, str]) -> None:
    warehouse = SparkWarehouse(planted_parquet, spark)
    try:
        assert rendered(warehouse, protocol, concept_sets) == duckdb_outputs["all"]
        assert rendered(warehouse, protocol, concept_sets, schedule_rows) == duckdb_outputs["schedule"]
        assert rendered(warehouse, protocol, concept_sets, as_of=synthetic.AS_OF_FEB) == duckdb_outputs["feb"]
    finally:
        warehouse.close()
