"""What the compiler needs to know about a warehouse: table references and column kinds.

Table and column names match without regard to case (warehouse.md); each engine adapter
resolves them against its own catalogue and hands the compiler ready-quoted references, so
that the compiler never guesses an engine's spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from stromalab.core.warehouse.errors import WarehouseError

#: column kinds the compiler reads differently
NUMBER, INTEGER, TEXT, DATE, TIMESTAMP, OTHER = "number", "integer", "text", "date", "timestamp", "other"


@dataclass(frozen=True)
class Column:
    name: str  # as spelt in the warehouse
    kind: str


@dataclass(frozen=True)
class Table:
    name: str  # the OMOP name, lower case
    ref: str  # SQL reference, quoted for the engine (in DuckDB dialect)
    columns: Mapping[str, Column]  # lower-case name -> column

    def column(self, name: str) -> str:
        """The quoted column reference, or the one-line error naming it."""
        found = self.columns.get(name)
        if found is None:
            raise WarehouseError(f"missing column {self.name}.{name}")
        return quote(found.name)

    def kind(self, name: str) -> str:
        self.column(name)
        return self.columns[name].kind

    def has(self, name: str) -> bool:
        return name in self.columns


class Catalog(Protocol):
    def table(self, name: str) -> Table | None:
        """The table called ``name`` (any letter case), or None when the warehouse lacks it."""


def require(catalog: Catalog, name: str) -> Table:
    table = catalog.table(name)
    if table is None:
        raise WarehouseError(f"missing table {name}")
    return table


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def kind_of(type_name: str) -> str:
    """Map an engine's type name (DuckDB, PostgreSQL or Spark spelling) to a column kind."""
    t = type_name.strip().lower()
    if t.startswith(("timestamp", "datetime")):
        return TIMESTAMP
    if t == "date":
        return DATE
    if t in ("bigint", "integer", "int", "smallint", "tinyint", "hugeint", "long", "short",
             "byte", "int2", "int4", "int8", "ubigint", "uinteger", "usmallint", "utinyint",
             "integertype", "longtype", "shorttype", "bytetype"):
        return INTEGER
    if t.startswith(("double", "float", "real", "decimal", "numeric")):
        return NUMBER
    if t.startswith(("varchar", "text", "character", "string", "char")):
        return TEXT
    return OTHER
