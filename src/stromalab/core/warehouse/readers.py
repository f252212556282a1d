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


def as_decimal(table: Table, name: str, upper: int) -> str:
    """A DECIMAL in (0, ``upper``) read from the value's shortest decimal text, else NULL.

    A DOUBLE is first printed by the engine (76.8, not 76.79999…), then parsed as a decimal, so
    that BMI is compared exactly; the native range check comes first so no cast can overflow.
    """
    col, kind = table.column(name), table.kind(name)
    if kind in (NUMBER, INTEGER):
        value = f"CAST(CAST({col} AS VARCHAR) AS {DECIMAL})"
        return f"CASE WHEN {col} > 0 AND {col} < {upper} THEN {value} END"
    if kind == TEXT:
        text = f"TRIM({col})"
        value = f"TRY_CAST({text} AS {DECIMAL})"
        return (
            f"CASE WHEN REGEXP_MATCHES({text}, '{_PLAIN_NUMBER}') AND {value} > 0 "
            f"AND {value} < {upper} THEN {value} END"
        )
    raise WarehouseError(f"column {table.name}.{name} does not hold numbers")


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
