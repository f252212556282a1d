"""A synthetic OMOP warehouse of any size, reproducible from a seed, with planted edge cases.

Random persons are generated inside DuckDB with hash-based draws (vectorised, a million
persons in seconds, identical for the same seed). Planted persons sit at each criterion's
boundaries and carry the answer the screening contract gives (``PLANTED``), so tests can
check the compiled pre-screening against the contract and not only against itself.
Planted persons have ids below :data:`RANDOM_FROM`; each is meant for one ``as_of``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

RANDOM_FROM = 1000
TABLES = ("person", "measurement", "condition_occurrence", "drug_exposure", "concept_ancestor")
#: the two dates the planted persons are designed for (the second clamps a month end)
AS_OF_FEB = date(2022, 2, 28)
AS_OF_MAY = date(2022, 5, 31)
#: concept-set rows planted in CONCEPT_ANCESTOR (ancestor from warehouse.yaml, made-up child)
PLANTED_ANCESTRY = ((443392, 443392), (443392, 900001), (21602722, 900002))
WEIGHT, HEIGHT, SYSTOLIC, DIASTOLIC = "29463-7", "8302-2", "8480-6", "8462-4"

Birth = tuple[int | None, int | None, int | None, date | None]
Measure = tuple[str, date, float | None, int]  # code, date, value, measurement_id
Fact = tuple[str, date, date | None, int]  # code, start, end, concept id


@dataclass(frozen=True)
class Planted:
    """A person with a known answer: criteria that fail and that pass; the rest unknown."""

    person_id: int
    as_of: date
    why: str
    failed: tuple[str, ...] = ()
    passed: tuple[str, ...] = ("I1", "E21")
    gender: int = 8507
    birth: Birth = (1990, 1, 1, None)
    measurements: tuple[Measure, ...] = ()
    conditions: tuple[Fact, ...] = ()
    drugs: tuple[Fact, ...] = ()


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _body(weight: float, height: float, on: date, first_id: int) -> tuple[Measure, ...]:
    return ((WEIGHT, on, weight, first_id), (HEIGHT, on, height, first_id + 1))


F, M = AS_OF_FEB, AS_OF_MAY
_P = ("I1", "E21")
_BODY = ("I1", "I2", "E1", "E21")

PLANTED: tuple[Planted, ...] = (
    # I1: 29 February birthdays, 18 and 55 at the day, partial and impossible birth dates
    Planted(1, F, "born 29 Feb 2004: 17 on 28 Feb 2022", ("I1",), ("E21",), birth=(2004, 2, 29, None)),
    Planted(2, M, "born 29 Feb 2004: 18 on 31 May 2022", birth=(2004, 2, 29, None)),
    Planted(3, M, "18th birthday today", birth=(2004, 5, 31, None)),
    Planted(4, M, "18 tomorrow", ("I1",), ("E21",), birth=(2004, 6, 1, None)),
    Planted(5, M, "56th birthday today", ("I1",), ("E21",), birth=(1966, 5, 31, None)),
    Planted(6, M, "56 tomorrow: still 55", birth=(1966, 6, 1, None)),
    Planted(7, M, "year only, 31 or 32", birth=(1990, None, None, None)),
    Planted(8, M, "year only, 17 or 18", (), ("E21",), birth=(2004, None, None, None)),
    Planted(9, M, "year only, over 80", ("I1",), ("E21",), birth=(1940, None, None, None)),
    Planted(10, M, "May 2004, day unknown: 18 whatever the day", birth=(2004, 5, None, None)),
    Planted(11, M, "June 2004, day unknown: 17", ("I1",), ("E21",), birth=(2004, 6, None, None)),
    Planted(12, F, "Feb 2004: 18 unless born on the 29th", (), ("E21",), birth=(2004, 2, None, None)),
    Planted(13, M, "born after as_of", (), ("E21",), birth=(2023, 1, 1, None)),
    Planted(14, M, "30 Feb 2001 read as Feb 2001", birth=(2001, 2, 30, None)),
    Planted(15, M, "birth_datetime only", birth=(None, None, None, _d("1990-06-15"))),
    Planted(16, M, "no birth date", (), ("E21",), birth=(None, None, None, None)),
    # I2 / E1: exact BMI, latest value, ties, age of the measurement
    Planted(20, M, "76.8 kg, 160 cm: BMI exactly 30", ("I2",), ("I1", "E1", "E21"),
            measurements=_body(76.8, 160.0, _d("2022-05-01"), 2000)),
    Planted(21, M, "76.7 kg, 160 cm: BMI 29.96", (), _BODY, measurements=_body(76.7, 160.0, _d("2022-05-01"), 2010)),
    Planted(22, M, "same-day weights: highest measurement_id (76.8) wins", ("I2",), ("I1", "E1", "E21"),
            measurements=((WEIGHT, _d("2022-05-01"), 76.8, 2021), (WEIGHT, _d("2022-05-01"), 60.0, 2020),
                          (HEIGHT, _d("2022-01-01"), 160.0, 2022))),
    Planted(23, M, "weight 366 days old ignored", (), _P, measurements=((WEIGHT, M - timedelta(days=366), 40.0, 2030),)),
    Planted(24, M, "weight exactly 365 days old counts", ("E1",), _P,
            measurements=((WEIGHT, M - timedelta(days=365), 40.0, 2040),)),
    Planted(25, M, "weight after as_of ignored", (), ("I1", "E1", "E21"),
            measurements=((WEIGHT, M + timedelta(days=1), 45.0, 2051), (WEIGHT, M - timedelta(days=10), 60.0, 2050))),
    Planted(26, M, "50.0 kg passes E1", (), ("I1", "E1", "E21"), measurements=((WEIGHT, M, 50.0, 2060),)),
    Planted(27, M, "49.9 kg fails E1", ("E1",), _P, measurements=((WEIGHT, M, 49.9, 2070),)),
    Planted(28, M, "latest weight has no number: the earlier one is used", ("E1",), _P,
            measurements=((WEIGHT, M, None, 2081), (WEIGHT, M - timedelta(days=3), 45.0, 2080))),
    # E5: blood pressure at its limits
    Planted(30, M, "systolic 160", ("E5",), measurements=((SYSTOLIC, M, 160.0, 3000), (DIASTOLIC, M, 80.0, 3001))),
    Planted(31, M, "systolic 159, diastolic 99", (), measurements=((SYSTOLIC, M, 159.0, 3010), (DIASTOLIC, M, 99.0, 3011))),
    Planted(32, M, "diastolic 100 alone", ("E5",), measurements=((DIASTOLIC, M, 100.0, 3020),)),
    # conditions: categories, ranges, dots, case, subdivisions, dates, active
    Planted(40, M, "C50.9 (with dot)", ("E11",), conditions=(("C50.9", _d("2010-01-01"), None, 0),)),
    Planted(41, M, "c509 (lower case, no dot)", ("E11",), conditions=(("c509", _d("2010-01-01"), _d("2010-02-01"), 0),)),
    Planted(42, M, "C97 ends the range; C98 is outside", ("E11",),
            conditions=(("C97", _d("2010-01-01"), None, 0), ("C98", _d("2010-01-01"), None, 0))),
    Planted(43, M, "D09.9 in situ; D10 benign", ("E11",),
            conditions=(("D09.9", _d("2010-01-01"), None, 0), ("D10", _d("2010-01-01"), None, 0))),
    Planted(44, M, "C83.3: haematological and cancer", ("E10", "E11"), conditions=(("C83.3", _d("2020-01-01"), None, 0),)),
    Planted(45, M, "D68.1 and D681 are haemophilia-like", ("E16",), conditions=(("D681", _d("2020-01-01"), None, 0),)),
    Planted(46, M, "D68.2 and bare D68 are not D68.1", (),
            conditions=(("D68.2", _d("2020-01-01"), None, 0), ("D68", _d("2020-01-01"), None, 0))),
    Planted(47, M, "cancer starting after as_of ignored", (), conditions=(("C50.9", M + timedelta(days=1), None, 0),)),
    Planted(48, M, "R16.0 ending on as_of is active", ("E14",), conditions=(("R16.0", _d("2022-01-01"), M, 0),)),
    Planted(49, M, "R16.0 ended the day before", (), conditions=(("R16.0", _d("2022-01-01"), M - timedelta(days=1), 0),)),
    Planted(50, M, "R59 open-ended, R17 active", ("E14", "E15"),
            conditions=(("R59", _d("2021-01-01"), None, 0), ("R17", _d("2022-05-30"), None, 0))),
    Planted(51, M, "type 1 diabetes E10.9", ("E17",), conditions=(("E10.9", _d("2001-01-01"), _d("2001-01-02"), 0),)),
    Planted(52, M, "G30.9 and M05.9", ("E8", "E13"),
            conditions=(("G30.9", _d("2019-01-01"), None, 0), ("M05.9", _d("2019-01-01"), None, 0))),
    Planted(53, M, "malformed and non-ICD codes never match", (),
            conditions=(("C5", _d("2019-01-01"), None, 0), ("444814009", _d("2019-01-01"), None, 0),
                        ("C50.9.1", _d("2019-01-01"), None, 0))),
    # medications: prefixes, active
    Planted(60, M, "insulin A10AB01 active; metformin A10BA02", ("E17",),
            drugs=(("A10AB01", _d("2022-01-01"), None, 0), ("A10BA02", _d("2022-01-01"), None, 0))),
    Planted(61, M, "insulin ended before as_of", (), drugs=(("A10AB01", _d("2022-01-01"), _d("2022-05-30"), 0),)),
    Planted(62, M, "antineoplastic long ago (ever)", ("E12",), drugs=(("L01XA01", _d("2005-01-01"), _d("2005-02-01"), 0),)),
    Planted(63, M, "lithium active; N05AN is not N05AN01", ("E20",),
            drugs=(("N05AN01", _d("2022-05-01"), M, 0), ("N05AN", _d("2022-05-01"), None, 0))),
    Planted(64, M, "bare N05AN does not show lithium", (), drugs=(("N05AN", _d("2022-05-01"), None, 0),)),
    # E19: distinct days in [28 Feb 2022, 31 May 2022]
    Planted(70, M, "5 days: 28 Feb to 4 Mar (window starts 28 Feb)", (),
            drugs=(("H02AB06", _d("2022-02-25"), _d("2022-03-04"), 0),)),
    Planted(71, M, "6 days: 28 Feb to 5 Mar", ("E19",), drugs=(("H02AB06", _d("2022-02-27"), _d("2022-03-05"), 0),)),
    Planted(72, M, "overlap counted once: 5 days", (),
            drugs=(("H02AB06", _d("2022-05-01"), _d("2022-05-04"), 0), ("H02AB01", _d("2022-05-03"), _d("2022-05-05"), 0))),
    Planted(73, M, "overlap plus one separate day: 6 days", ("E19",),
            drugs=(("H02AB06", _d("2022-05-01"), _d("2022-05-04"), 0), ("h02ab01", _d("2022-05-03"), _d("2022-05-05"), 0),
                   ("H02AB06", _d("2022-05-10"), _d("2022-05-10"), 0))),
    Planted(74, M, "ongoing since 27 May: 5 days", (), drugs=(("H02AB06", _d("2022-05-27"), None, 0),)),
    Planted(75, M, "ongoing since 26 May: 6 days", ("E19",), drugs=(("H02AB06", _d("2022-05-26"), None, 0),)),
    Planted(76, M, "prescription starting after as_of ignored", (),
            drugs=(("H02AB06", _d("2022-05-29"), _d("2022-06-30"), 0), ("H02AB06", M + timedelta(days=1), None, 0))),
    Planted(77, M, "nested prescriptions: 10 days", ("E19",),
            drugs=(("H02AB06", _d("2022-05-01"), _d("2022-05-10"), 0), ("H02AB06", _d("2022-05-02"), _d("2022-05-03"), 0))),
    # E21: sex
    Planted(80, M, "female: pregnancy unknown", (), ("I1",), gender=8532),
    Planted(81, M, "sex not recorded", (), ("I1",), gender=0),
    # OMOP concept sets (warehouse.yaml) and CONCEPT_ANCESTOR descendants
    Planted(90, M, "condition concept 443392 without a code", ("E11",), conditions=(("", _d("2019-01-01"), None, 443392),)),
    Planted(91, M, "descendant of 443392 through CONCEPT_ANCESTOR", ("E11",),
            conditions=(("254637007", _d("2019-01-01"), None, 900001),)),
    Planted(92, M, "7 days of a descendant of ATC H02 by concept", ("E19",),
            drugs=(("", _d("2022-05-01"), _d("2022-05-07"), 900002),)),
)

# The operating-room schedule of the planted persons (I4), checked at AS_OF_MAY.
PLANTED_SCHEDULE: tuple[tuple[int, str, str, str, str, str], ...] = (
    (2, "2022-06-15", "liposuction", "abdominal wall", "general", "pass"),
    (3, "2022-05-31", "Lipo-aspiration", " Abdomen ", "GENERAL", "pass"),
    (6, "2022-06-15", "abdominoplasty", "abdominal wall", "general", "fail"),
    (7, "2022-06-15", "liposuction", "", "general", "unknown"),
    (10, "2022-06-15", "liposuction", "thigh", "", "fail"),
    (14, "2022-05-30", "liposuction", "abdominal wall", "general", "fail"),
    (15, "2022-06-15", "liposuction", "thigh", "general", "pass"),
    (15, "2022-06-20", "lipoaspiration", "abdominal wall", "general", "pass"),
    (20, "2022-06-15", "liposuction", "thigh", "general", "unknown"),
    (20, "", "liposuction", "abdominal wall", "general", "unknown"),
    (999, "2022-06-15", "liposuction", "abdominal wall", "general", "pass"),  # not in person
)


def planted_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The planted persons as OMOP rows (same columns as :func:`generate` writes)."""
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLES}
    fact_id = 1
    for p in PLANTED:
        y, m, d, bd = p.birth
        rows["person"].append((p.person_id, p.gender, y, m, d, bd))
        for code, when, value, mid in p.measurements:
            rows["measurement"].append((mid, p.person_id, code, when, value))
        for code, start, end, concept in p.conditions:
            rows["condition_occurrence"].append((fact_id, p.person_id, code or None, start, end, concept))
            fact_id += 1
        for code, start, end, concept in p.drugs:
            rows["drug_exposure"].append((fact_id, p.person_id, code or None, start, end, concept))
            fact_id += 1
    rows["concept_ancestor"] = [(a, b) for a, b in PLANTED_ANCESTRY]
    return rows


_DDL = {
    "person": "person_id BIGINT, gender_concept_id BIGINT, year_of_birth BIGINT, month_of_birth BIGINT, "
              "day_of_birth BIGINT, birth_datetime TIMESTAMP",
    "measurement": "measurement_id BIGINT, person_id BIGINT, measurement_source_value VARCHAR, "
                   "measurement_date DATE, value_as_number DOUBLE",
    "condition_occurrence": "condition_occurrence_id BIGINT, person_id BIGINT, condition_source_value VARCHAR, "
                            "condition_start_date DATE, condition_end_date DATE, condition_concept_id BIGINT",
    "drug_exposure": "drug_exposure_id BIGINT, person_id BIGINT, drug_source_value VARCHAR, "
                     "drug_exposure_start_date DATE, drug_exposure_end_date DATE, drug_concept_id BIGINT",
    "concept_ancestor": "ancestor_concept_id BIGINT, descendant_concept_id BIGINT",
}  # fmt: skip

_CONDITION_CODES = (
    "C50.9", "C509", "c50.9", "C97", "C98", "D09.9", "D10", "C83.3", "D68.1", "D68.2", "D681", "D68",
    "R16.0", "R59", "R17", "E10.9", "E11.9", "J45.9", "I10", "M05.9", "G35", "A81.0", "F03", "G30.9",
    "Z00.0", "K21.9", "444814009", "C5", "",
)
_DRUG_CODES = (
    "H02AB06", "H02AB01", "h02ab06", "H02AB06", "A10AB01", "A10BA02", "L01XA01", "N05AN01", "N05AN",
    "N02BE01", "C09AA02", "B01AC06", "R03AC02", "",
)


def _pick(options: Sequence[str], draw: str) -> str:
    """A SQL expression choosing one of ``options`` with the uniform draw ``draw``."""
    items = ", ".join("'" + o + "'" for o in options)
    return f"NULLIF([{items}][1 + CAST(FLOOR({draw} * {len(options)}) AS BIGINT)], '')"


def generate(con: Any, persons: int, seed: int, as_of: date, planted: bool = True) -> None:
    """Create the OMOP tables in the DuckDB connection ``con``: ``persons`` random persons
    (≈2.5 conditions, 2.5 drug exposures and 6 measurements each) plus the planted ones."""

    def u(k: int, key: str = "i") -> str:
        return f"((hash({key}, {seed}, {k}) % 1000003) / 1000003.0)"

    day = f"DATE '{as_of.isoformat()}'"
    for table, ddl in _DDL.items():
        con.execute(f"CREATE OR REPLACE TABLE {table} ({ddl})")
    if planted:
        for table, rows in planted_rows().items():
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    first = RANDOM_FROM
    con.execute(f"""
        INSERT INTO person
        SELECT i, CASE WHEN {u(1)} < 0.48 THEN 8532 WHEN {u(1)} < 0.96 THEN 8507 ELSE 0 END,
               CASE WHEN {u(2)} < 0.02 THEN NULL ELSE y END,
               CASE WHEN {u(2)} < 0.02 OR {u(3)} < 0.05 THEN NULL WHEN {u(4)} < 0.02 THEN 2 ELSE 1 + CAST(FLOOR({u(5)} * 12) AS BIGINT) END,
               CASE WHEN {u(2)} < 0.02 OR {u(6)} < 0.05 THEN NULL WHEN {u(4)} < 0.02 THEN 29 ELSE 1 + CAST(FLOOR({u(7)} * 31) AS BIGINT) END,
               CASE WHEN {u(2)} < 0.02 THEN CAST(MAKE_DATE(y, 7, 1) AS TIMESTAMP) END
        FROM (SELECT i, {as_of.year} - 10 - CAST(FLOOR({u(8)} * 60) AS BIGINT) AS y
              FROM range({first}, {first + persons}) t(i)) persons_drawn
    """)
    # 6 measurements per person; dates on a 10-day grid so that same-day ties occur
    con.execute(f"""
        INSERT INTO measurement
        SELECT {first * 10} + i * 6 + k, i,
               CASE WHEN {u(11, 'i * 6 + k')} < 0.03 THEN '39156-5' ELSE ['{WEIGHT}', '{HEIGHT}', '{WEIGHT}', '{HEIGHT}', '{SYSTOLIC}', '{DIASTOLIC}'][k + 1] END,
               {day} - CAST(10 * FLOOR({u(12, 'i * 6 + k')} * 45) AS INTEGER) + CASE WHEN {u(13, 'i * 6 + k')} < 0.02 THEN 5 ELSE 0 END,
               CASE WHEN {u(14, 'i * 6 + k')} < 0.05 THEN NULL
                    WHEN k IN (0, 2) THEN ROUND(40 + {u(15, 'i * 6 + k')} * 80, 1)
                    WHEN k IN (1, 3) THEN ROUND(145 + {u(15, 'i * 6 + k')} * 55, 1)
                    WHEN k = 4 THEN ROUND(100 + {u(15, 'i * 6 + k')} * 80)
                    ELSE ROUND(60 + {u(15, 'i * 6 + k')} * 50) END
        FROM range({first}, {first + persons}) t(i), range(6) s(k)
    """)
    for table, codes, k0, span in (
        ("condition_occurrence", _CONDITION_CODES, 20, "FLOOR(POW({r}, 2) * 7300)"),
        ("drug_exposure", _DRUG_CODES, 40, "FLOOR(POW({r}, 3) * 3000)"),
    ):
        key = "i * 5 + k"
        back = span.format(r=u(k0 + 1, key))
        con.execute(f"""
            INSERT INTO {table}
            SELECT {first * 5} + i * 5 + k, i, {_pick(codes, u(k0 + 2, key))},
                   {day} - CAST({back} AS INTEGER) + CASE WHEN {u(k0 + 3, key)} < 0.03 THEN 20 ELSE 0 END AS s,
                   CASE WHEN {u(k0 + 4, key)} < 0.4 THEN NULL
                        ELSE {day} - CAST({back} AS INTEGER) + CASE WHEN {u(k0 + 3, key)} < 0.03 THEN 20 ELSE 0 END
                             + CAST(FLOOR({u(k0 + 5, key)} * 12) AS INTEGER) END,
                   CASE WHEN {u(k0 + 6, key)} < 0.01 THEN 443392 ELSE 0 END
            FROM range({first}, {first + persons}) t(i), range(5) s(k)
            WHERE {u(k0, key)} < 0.5
        """)


def write(target: Path, persons: int, seed: int, as_of: date, fmt: str = "duckdb", planted: bool = True) -> Path:
    """Write a warehouse: a DuckDB file (``fmt='duckdb'``) or a folder of ``parquet``/``csv`` tables."""
    import duckdb

    if fmt == "duckdb":
        con = duckdb.connect(str(target))
        try:
            generate(con, persons, seed, as_of, planted)
        finally:
            con.close()
        return target
    target.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        generate(con, persons, seed, as_of, planted)
        for table in TABLES:
            suffix = "parquet" if fmt == "parquet" else "csv"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
            path = str(target / f"{table.upper() if fmt == 'csv' else table}.{suffix}").replace("'", "''")
            con.execute(f"COPY {table} TO '{path}' ({options})")
    finally:
        con.close()
    return target


def write_schedule(path: Path, rows: Sequence[tuple[Any, ...]]) -> Path:
    """A schedule CSV from ``(person_id, date, procedure, site, anesthesia, …)`` rows.

    Written by the ``csv`` module, so that a procedure or site containing a comma or a quote
    stays one field when :func:`stromalab.core.warehouse.schedule.read_schedule` reads it back.
    """
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("person_id", "date", "procedure", "site", "anesthesia"))
        writer.writerows([str(v) for v in row[:5]] for row in rows)
    return path
