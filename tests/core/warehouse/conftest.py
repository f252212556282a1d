"""Shared warehouses: the planted edge cases plus random persons, on every engine."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.protocol import Protocol, load_protocol
from stromalab.core.warehouse import synthetic
from stromalab.core.warehouse.concepts import ConceptSets, load_concept_sets
from stromalab.core.warehouse.engines import ScheduleRow, Warehouse
from stromalab.core.warehouse.schedule import read_schedule
from stromalab.core.warehouse.screening import Prescreening, prescreen

PG_URL = os.environ.get("STROMALAB_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RANDOM_PERSONS = 300


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol("NCT05947682")


@pytest.fixture(scope="session")
def concept_sets(protocol: Protocol) -> ConceptSets:
    return load_concept_sets(protocol.folder, protocol.id, protocol.codelists)


@pytest.fixture(scope="session")
def planted_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("planted") / "omop.duckdb"
    return synthetic.write(path, RANDOM_PERSONS, 7, synthetic.AS_OF_MAY)


@pytest.fixture(scope="session")
def planted_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.write(tmp_path_factory.mktemp("parquet") / "omop", RANDOM_PERSONS, 7, synthetic.AS_OF_MAY, "parquet")


@pytest.fixture(scope="session")
def schedule_rows(tmp_path_factory: pytest.TempPathFactory) -> list[ScheduleRow]:
    path = tmp_path_factory.mktemp("schedule") / "schedule.csv"
    return read_schedule(synthetic.write_schedule(path, synthetic.PLANTED_SCHEDULE))


def run(warehouse: Warehouse, protocol: Protocol, as_of: date, concept_sets: ConceptSets,
        schedule: list[ScheduleRow] | None = None) -> Prescreening:
    return prescreen(warehouse, protocol, as_of, concept_sets, schedule)


def by_person(result: Prescreening) -> dict[int, tuple[str, str]]:
    return {p: (f, u) for p, f, u in zip(result.person_ids, result.failed, result.unknown, strict=True)}


@pytest.fixture(scope="session")
def postgres_url(planted_db: Path) -> Iterator[tuple[str, str]]:
    """A fresh schema holding the planted warehouse; dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        con = psycopg.connect(PG_URL, connect_timeout=3, autocommit=True)
    except psycopg.Error as exc:
        pytest.skip(f"### NOT TESTED: PostgreSQL at {PG_URL} unreachable ({exc}) ###")
    schema = f"prescreen_{uuid.uuid4().hex[:10]}"
    try:
        load_postgres(con, planted_db, schema)
        yield PG_URL, schema
    finally:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        con.close()


def load_postgres(con: Any, source: Path, schema: str) -> None:
    import duckdb

    con.execute(f'CREATE SCHEMA "{schema}"')
    src = duckdb.connect(str(source), read_only=True)
    try:
        for table in synthetic.TABLES:
            columns = src.execute(f"DESCRIBE {table}").fetchall()
            ddl = ", ".join(f"{c[0]} {c[1].replace('DOUBLE', 'DOUBLE PRECISION')}" for c in columns)
            # upper-case table name: names must match without regard to case
            con.execute(f'CREATE TABLE "{schema}"."{table.upper()}" ({ddl})')
            with con.cursor().copy(f'COPY "{schema}"."{table.upper()}" FROM STDIN') as copy:
                for row in src.execute(f"SELECT * FROM {table}").fetchall():
                    copy.write_row(row)
    finally:
        src.close()


@pytest.fixture(scope="session")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from stromalab.core.warehouse.engines import spark_session

    return spark_session()
