"""SQL fragments that read OMOP columns the same way on every engine.

Warehouses store the same column as DATE, TIMESTAMP or text, and numbers as DOUBLE, DECIMAL,
integers or text (Eunomia keeps ``value_as_number`` as VARCHAR). Each reader turns a column of
any of those kinds into one SQL type, in DuckDB dialect; :func:`stromalab.core.warehouse.compiler.to_dialect`
transpiles it. Unreadable values become NULL (the row is then skipped), never an error mid-query.
"""

from __future__ import annotations

import re
from datetime import date

from stromalab.core.eligibility.codes import ATC, ICD10, CodeList
from stromalab.core.warehouse.catalog import DATE, INTEGER, NUMBER, TEXT, TIMESTAMP, Table
from stromalab.core.warehouse.errors import WarehouseError

#: decimal places kept when a measurement is read; ample for kg, cm and mmHg
SCALE = 10
DECIMAL = f"DECIMAL(38, {SCALE})"

_PLAIN_NUMBER = r"^[-+]?[0-9]{1,20}(\.[0-9]+)?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
_INTEGER = r"^[-+]?[0-9]{1,18}$"
# Same grammars as stromalab.core.eligibility.codes (anchored for SQL regular expressions).
_ICD10_CODE = r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$"
_ATC_CODE = r"^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def date_literal(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def as_date(table: Table, name: str) -> str:
    """A DATE, or NULL when the text is not an ISO date."""
    col, kind = table.column(name), table.kind(name)
    if kind == DATE:
        return col
    if kind == TIMESTAMP:
        return f"CAST({col} AS DATE)"
    if kind == TEXT:
        return f"CASE WHEN REGEXP_MATCHES({col}, '{_ISO_DATE}') THEN TRY_CAST(SUBSTR({col}, 1, 10) AS DATE) END"
    raise WarehouseError(f"column {table.name}.{name} does not hold dates")


def as_integer(table: Table, name: str) -> str:
    """A BIGINT, or NULL when the value is not a whole number."""
    col, kind = table.column(name), table.kind(name)
    if kind == INTEGER:
        return f"CAST({col} AS BIGINT)"
    if kind == NUMBER:
        return f"CASE WHEN {col} = FLOOR({col}) AND ABS({col}) < 1e15 THEN CAST({col} AS BIGINT) END"
    if kind == TEXT:
        return f"CASE WHEN REGEXP_MATCHES(TRIM({col}), '{_INTEGER}') THEN TRY_CAST(TRIM({col}) AS BIGINT) END"
    raise WarehouseError(f"column {table.name}.{name} does not hold whole numbers")


def key(table: Table, name: str) -> str:
    """The column itself when it holds whole numbers (so that filters and joins reach the scan
    and the indexes), else its :func:`as_integer` reading."""
    return table.column(name) if table.kind(name) == INTEGER else as_integer(table, name)


def as_number(table: Table, name: str) -> str:
    """A measurement as stored when it is a number (cheap to compare and to choose among), or
    the decimal read from its text (NULL when the text is not a plain number).

    :func:`exact` turns only the values finally chosen into decimals.
    """
    col, kind = table.column(name), table.kind(name)
    if kind in (NUMBER, INTEGER):
        return col
    if kind == TEXT:
        text = f"TRIM({col})"
        return f"CASE WHEN REGEXP_MATCHES({text}, '{_PLAIN_NUMBER}') THEN TRY_CAST({text} AS {DECIMAL}) END"
    raise WarehouseError(f"column {table.name}.{name} does not hold numbers")


def exact(value: str, table: Table, name: str) -> str:
    """The exact decimal of a value read by :func:`as_number`.

    A DOUBLE is printed by the engine as its shortest decimal (76.8, not 76.79999…) and parsed
    as a decimal, so that BMI is compared exactly; text was parsed as a decimal already.
    """
    if table.kind(name) in (NUMBER, INTEGER):
        return f"CAST(CAST({value} AS VARCHAR) AS {DECIMAL})"
    return value


def as_decimal(table: Table, name: str, upper: int) -> str:
    """One value as an exact decimal in (0, ``upper``), else NULL (for reading a few rows; the
    compiled query reads with :func:`as_number` and :func:`exact` instead)."""
    value = as_number(table, name)
    return f"CASE WHEN {value} > 0 AND {value} < {upper} THEN {exact(value, table, name)} END"


def as_code(table: Table, name: str) -> str:
    """Upper-case code text with surrounding spaces removed."""
    return f"UPPER(TRIM(CAST({table.column(name)} AS VARCHAR)))"


def code_matches(codes: CodeList, code: str) -> str:
    """Whether ``code`` (from :func:`as_code`) is a well-formed code of ``codes``'s list.

    ICD-10 compares the three-character category (with or without the dot) or, for listed
    codes with a decimal, the dot-less prefix; ATC matches by prefix (screening contract).
    """
    grammar = _ICD10_CODE if codes.system == ICD10 else _ATC_CODE
    bare = f"REPLACE({code}, '.', '')" if codes.system == ICD10 else code
    tests: list[str] = []
    if codes.system == ICD10:
        category = f"SUBSTR({bare}, 1, 3)"
        if codes.categories:
            tests.append(f"{category} IN ({', '.join(literal(c) for c in sorted(codes.categories))})")
        tests.extend(f"{category} BETWEEN {literal(lo)} AND {literal(hi)}" for lo, hi in codes.ranges)
    elif codes.system != ATC:  # pragma: no cover - CodeList.build accepts only these systems
        raise WarehouseError(f"code system {codes.system} has no SQL translation")
    tests.extend(f"{bare} LIKE {literal(_like_prefix(p))}" for p in codes.prefixes)
    return f"(REGEXP_MATCHES({code}, '{grammar}') AND ({' OR '.join(tests)}))"


def _like_prefix(prefix: str) -> str:
    if not re.fullmatch(r"[0-9A-Z]+", prefix):  # pragma: no cover - codes are alphanumeric
        raise WarehouseError(f"code prefix {prefix!r} cannot be matched in SQL")
    return prefix + "%"
