"""Engine adapters: where the compiled query runs (DuckDB, PostgreSQL, Spark).

Each adapter resolves OMOP table and column names without regard to letter case, loads the
operating-room schedule as a temporary table, and runs a query in its own dialect. Drivers are
imported inside the adapters so that the eligibility core never depends on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from stromalab.core.warehouse.catalog import Column, Table, kind_of, quote
from stromalab.core.warehouse.compiler import SCHEDULE_TABLE
from stromalab.core.warehouse.errors import WarehouseError

ScheduleRow = tuple[int, date | None, str | None, str | None, str | None]
ENGINES = ("duckdb", "postgres", "spark")
TABLE_SUFFIXES = (".parquet", ".csv", ".tsv", ".csv.gz", ".tsv.gz")


class Warehouse(Protocol):
    dialect: str

    def table(self, name: str) -> Table | None: ...

    def load_schedule(self, rows: Sequence[ScheduleRow]) -> None: ...

    def fetch(self, sql: str) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


def detect_engine(location: str) -> str:
    return "postgres" if location.startswith(("postgres://", "postgresql://")) else "duckdb"


@contextmanager
def open_warehouse(location: str, engine: str | None = None, schema: str | None = None) -> Iterator[Warehouse]:
    """Open a DuckDB file, a folder of CSV/Parquet tables, or a PostgreSQL URL."""
    chosen = engine or detect_engine(location)
    warehouse: Warehouse
    if chosen == "postgres":
        warehouse = PostgresWarehouse.connect(location, schema or "public")
    elif chosen == "spark":
        warehouse = SparkWarehouse(_folder(location))
    elif chosen == "duckdb":
        path = Path(location)
        if path.is_dir():
            warehouse = DuckDBWarehouse.from_folder(path)
        else:
            warehouse = DuckDBWarehouse.from_file(path, schema or "main")
    else:
        raise WarehouseError(f"unknown engine {chosen!r} (expected one of: {', '.join(ENGINES)})")
    try:
        yield warehouse
    finally:
        warehouse.close()


def _folder(location: str) -> Path:
    path = Path(location)
    if not path.is_dir():
        raise WarehouseError(f"cannot read {location}: Spark reads a folder of CSV or Parquet tables")
    return path


def table_files(folder: Path) -> dict[str, Path]:
    """OMOP table name (lower case) -> its file in ``folder``; the first by name wins."""
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        lower = path.name.lower()
        for suffix in TABLE_SUFFIXES:
            if lower.endswith(suffix) and path.is_file():
                found.setdefault(lower[: -len(suffix)], path)
    return found


class _Catalogue:
    """Every column of one schema from ``information_schema``, read in one query on first use
    (a query per table costs more than the population's query on a small warehouse); table
    names match without regard to case. DuckDB and PostgreSQL differ only in the placeholder."""

    def __init__(self, con: Any, placeholder: str, schema: str) -> None:
        self.con, self.placeholder, self.schema = con, placeholder, schema
        self.tables: dict[str, list[tuple[str, str, str, str]]] | None = None

    def table(self, name: str) -> Table | None:
        if self.tables is None:
            rows = self.con.execute(
                "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                f"WHERE lower(table_schema) = lower({self.placeholder}) "
                "ORDER BY table_schema, table_name, ordinal_position",
                [self.schema],
            ).fetchall()
            self.tables = {}
            for row in rows:
                self.tables.setdefault(row[1].lower(), []).append(row)
        rows = self.tables.get(name.lower())
        if not rows:
            return None
        ref = f"{quote(rows[0][0])}.{quote(rows[0][1])}"
        return _table(name, ref, [(c, t) for s, n, c, t in rows if (s, n) == rows[0][:2]])


def _table(name: str, ref: str, columns: Sequence[tuple[str, str]]) -> Table | None:
    if not columns:
        return None
    return Table(name, ref, {c.lower(): Column(c, kind_of(t)) for c, t in columns})


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class DuckDBWarehouse:
    """A DuckDB database file, or an in-memory DuckDB reading a folder of table files."""

    dialect = "duckdb"

    def __init__(self, con: Any, schema: str, files: dict[str, Path] | None = None) -> None:
        self.con = con
        self.schema = schema
        self.files = files
        self.catalogue = _Catalogue(con, "?", schema)

    @classmethod
    def from_file(cls, path: Path, schema: str) -> DuckDBWarehouse:
        import duckdb

        if not path.is_file():
            raise WarehouseError(f"cannot read {path}: no such file or folder")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot read {path}: {_first_line(exc)}") from None
        return cls(con, schema)

    @classmethod
    def from_folder(cls, folder: Path) -> DuckDBWarehouse:
        import duckdb

        return cls(duckdb.connect(), "main", table_files(folder))

    def table(self, name: str) -> Table | None:
        if self.files is not None:
            return self._file_table(name)
        return self.catalogue.table(name)

    def _file_table(self, name: str) -> Table | None:
        import duckdb

        assert self.files is not None
        path = self.files.get(name)
        if path is None:
            return None
        view = f"omop_{name}"
        lower = path.name.lower()
        quoted = "'" + str(path).replace("'", "''") + "'"
        reader = (
            f"read_parquet({quoted})" if lower.endswith(".parquet")
            else f"read_csv({quoted}, header = true, sample_size = -1)"
        )
        try:
            self.con.execute(f"CREATE OR REPLACE VIEW {quote(view)} AS SELECT * FROM {reader}")
            columns = self.con.execute(f"DESCRIBE {quote(view)}").fetchall()
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot read {path}: {_first_line(exc)}") from None
        return _table(name, quote(view), [(c[0], c[1]) for c in columns])

    def load_schedule(self, rows: Sequence[ScheduleRow]) -> None:
        columns: list[list[Any]] = [list(c) for c in zip(*rows, strict=True)] if rows else [[]] * 5
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SCHEDULE_TABLE} AS SELECT "
            "UNNEST(CAST($1 AS BIGINT[])) AS person_id, UNNEST(CAST($2 AS DATE[])) AS date, "
            "UNNEST(CAST($3 AS VARCHAR[])) AS procedure, UNNEST(CAST($4 AS VARCHAR[])) AS site, "
            "UNNEST(CAST($5 AS VARCHAR[])) AS anesthesia",
            columns,
        )

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        import duckdb

        try:
            return list(self.con.execute(sql).fetchall())
        except duckdb.Error as exc:
            raise WarehouseError(f"query failed: {_first_line(exc)}") from None

    def close(self) -> None:
        self.con.close()


class PostgresWarehouse:
    """A PostgreSQL database; tables are read from ``schema`` (``public`` by default)."""

    dialect = "postgres"

    def __init__(self, con: Any, schema: str) -> None:
        self.con = con
        self.schema = schema
        self.catalogue = _Catalogue(con, "%s", schema)

    @classmethod
    def connect(cls, url: str, schema: str) -> PostgresWarehouse:
        import psycopg

        try:
            con = psycopg.connect(url, connect_timeout=10)
        except psycopg.Error as exc:
            raise WarehouseError(f"cannot connect to {_redact(url)}: {_first_line(exc)}") from None
        return cls(con, schema)

    def table(self, name: str) -> Table | None:
        return self.catalogue.table(name)

    def load_schedule(self, rows: Sequence[ScheduleRow]) -> None:
        self.con.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {SCHEDULE_TABLE} (person_id bigint, date date, "
            "procedure text, site text, anesthesia text)"
        )
        self.con.execute(f"TRUNCATE {SCHEDULE_TABLE}")
        with self.con.cursor().copy(f"COPY {SCHEDULE_TABLE} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            return list(self.con.execute(sql).fetchall())
        except psycopg.Error as exc:
            self.con.rollback()
            raise WarehouseError(f"query failed: {_first_line(exc)}") from None

    def close(self) -> None:
        self.con.rollback()
        self.con.close()


def _redact(url: str) -> str:
    """A URL without its password, for error messages."""
    head, sep, tail = url.rpartition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


class SparkWarehouse:
    """A folder of CSV/Parquet tables registered as Spark temporary views.

    Spark's default decimal arithmetic rounds products whose precision exceeds 38 digits; the
    session is set to keep the scale instead, so BMI stays exact as on the other engines.
    """

    dialect = "spark"

    def __init__(self, folder: Path, session: Any = None) -> None:
        self.files = table_files(folder)
        self.spark = session or spark_session()
        self.spark.conf.set("spark.sql.decimalOperations.allowPrecisionLoss", "false")
        self.views: dict[str, Table | None] = {}

    def table(self, name: str) -> Table | None:
        if name not in self.views:
            self.views[name] = self._register(name)
        return self.views[name]

    def _register(self, name: str) -> Table | None:
        path = self.files.get(name)
        if path is None:
            return None
        try:
            if path.name.lower().endswith(".parquet"):
                frame = self.spark.read.parquet(str(path))
            else:
                with path.open(encoding="utf-8", errors="replace") as handle:
                    header = handle.readline()
                sep = "\t" if "\t" in header and "," not in header else ","
                frame = self.spark.read.csv(str(path), header=True, inferSchema=True, sep=sep)
        except Exception as exc:  # Spark raises its own exception classes from the JVM
            raise WarehouseError(f"cannot read {path}: {_first_line(exc)}") from None
        view = f"omop_{name}"
        frame.createOrReplaceTempView(view)
        return _table(name, quote(view), frame.dtypes)

    def load_schedule(self, rows: Sequence[ScheduleRow]) -> None:
        schema = "person_id BIGINT, date DATE, procedure STRING, site STRING, anesthesia STRING"
        self.spark.createDataFrame(list(rows), schema).createOrReplaceTempView(SCHEDULE_TABLE)

    def fetch(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self.spark.sql(sql).collect()]
        except Exception as exc:
            raise WarehouseError(f"query failed: {_first_line(exc)}") from None

    def close(self) -> None:
        for view in [*self.views, SCHEDULE_TABLE]:
            self.spark.catalog.dropTempView(f"omop_{view}" if view != SCHEDULE_TABLE else view)


def spark_session(master: str = "local[1]") -> Any:
    """A local Spark session in UTC (dates must not shift with the machine's time zone)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("stromalab-prescreen")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
