"""The common table expressions that read the OMOP tables, each restricted to the population first.

What makes the query as fast as a hand-written one (docs/performance.md):

* every clinical table is restricted to the population before anything else: with a schedule,
  a semi-join on the raw ``person_id`` column that the engine pushes into the scan (and that
  PostgreSQL answers from its ``person_id`` indexes);
* filters compare raw columns, never TRIM/CAST on the column side, so that they reach the
  scan (zone maps, indexes); a code is normalised once per *distinct* value in a small
  ``*_codes`` table joined back on the raw value, instead of once per row;
* the latest measurement is an arg-max aggregate (``ARRAY_AGG … ORDER BY`` on PostgreSQL,
  which has none), not a window over the whole table, and only the values it chooses are
  turned into exact decimals;
* windows remain only for the exposure islands, over the few rows of the code list.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from stromalab.core.eligibility.codes import CodeList
from stromalab.core.warehouse import readers as r
from stromalab.core.warehouse.catalog import Catalog, Table, require

FEMALE, MALE = 8532, 8507
#: LOINC code of each measured quantity and the open upper bound of a plausible value
LOINC = {"weight_kg": "29463-7", "height_cm": "8302-2", "systolic": "8480-6", "diastolic": "8462-4"}
UPPER = {"weight_kg": 500, "height_cm": 300, "systolic": 400, "diastolic": 400}
MEASUREMENT_DAYS = 365
SCHEDULE_TABLE = "stromalab_schedule"
#: stands for "no end" where an aggregate must not see NULL (it would skip the row)
OPEN_END = date(9999, 12, 31)
_LOWEST = "-9223372036854775807"

FACTS = {
    "conditions": ("condition_occurrence", "condition_start_date", "condition_end_date",
                   "condition_source_value", "condition_concept_id", "condition_occurrence_id"),
    "medications": ("drug_exposure", "drug_exposure_start_date", "drug_exposure_end_date",
                    "drug_source_value", "drug_concept_id", "drug_exposure_id"),
}  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """Where and for whom the query runs; shared by every CTE builder."""

    catalog: Catalog
    as_of: date
    schedule: bool
    dialect: str
    explain: bool
    #: only these persons (of the schedule, or of everyone): one person's page explained
    persons: tuple[int, ...] | None = None

    def population(self, table: Table) -> str:
        """Rows of the population: a semi-join with a schedule or a list of persons, else any person."""
        pid = r.key(table, "person_id")
        if self.schedule or self.persons is not None:
            return f"{pid} IN (SELECT person_id FROM pop)"
        return f"{pid} IS NOT NULL"

    @property
    def fence(self) -> str:
        """Keeps PostgreSQL from pushing a code test below DISTINCT (it would run once per row,
        not once per distinct code): ``OFFSET 0``, its optimisation fence."""
        return " OFFSET 0" if self.dialect == "postgres" else ""

    def latest(self, value: str, order: Sequence[str], where: str) -> str:
        """``value`` on the row that comes first by ``order`` (each key descending, none NULL)
        among the rows where ``where`` holds: an arg-max aggregate."""
        if self.dialect == "postgres":
            keys = ", ".join(f"{k} DESC" for k in order)
            return f"(ARRAY_AGG({value} ORDER BY {keys}) FILTER (WHERE {where}))[1]"
        fields = ", ".join(f"k{i} := {k}" for i, k in enumerate(order))
        return f"ARG_MAX({value}, STRUCT_PACK({fields})) FILTER (WHERE {where})"


def population(scope: Scope, person: Table) -> str:
    """``pop``: the schedule's persons, or everyone (either restricted to ``scope.persons``)."""
    ids = None if scope.persons is None else ", ".join(str(int(p)) for p in scope.persons) or "NULL"
    if scope.schedule:
        only = "" if ids is None else f" AND person_id IN ({ids})"
        return f"SELECT DISTINCT person_id FROM {SCHEDULE_TABLE} WHERE person_id IS NOT NULL{only}"
    pid = r.as_integer(person, "person_id")
    if ids is None:
        return f"SELECT {pid} AS person_id FROM {person.ref} WHERE {pid} IS NOT NULL"
    return f"SELECT {pid} AS person_id FROM {person.ref} WHERE {r.key(person, 'person_id')} IN ({ids})"


def persons(scope: Scope, person: Table, age: bool) -> str:
    """``per``: sex and, when a criterion reads the age, the youngest and oldest possible ages
    at as_of (``age_lo``, ``age_hi``) from a full or partial birth date (docs/warehouse.md)."""
    pid = r.as_integer(person, "person_id")
    sex = f"CASE {person.column('gender_concept_id')} WHEN {FEMALE} THEN 'female' WHEN {MALE} THEN 'male' END"
    keep = scope.population(person)
    if not age:
        return f"SELECT {pid} AS person_id, {sex} AS sex FROM {person.ref} WHERE {keep}"
    y, m, d = (r.as_integer(person, c) for c in ("year_of_birth", "month_of_birth", "day_of_birth"))
    if person.has("birth_datetime"):
        bd = r.as_date(person, "birth_datetime")
    else:
        bd = "CAST(NULL AS DATE)"
    raw = (
        f"SELECT {pid} AS person_id, {sex} AS sex, {y} AS y, "
        f"CASE WHEN {m} BETWEEN 1 AND 12 THEN {m} END AS m, {d} AS d, {bd} AS bd FROM {person.ref} WHERE {keep}"
    )
    valid = (
        f"SELECT person_id, sex, y, m, bd, CASE WHEN m IS NOT NULL AND d BETWEEN 1 AND "
        f"{_days_in_month('y', 'm')} THEN d END AS d FROM ({raw}) raw_birth"
    )
    full = "y IS NOT NULL AND m IS NOT NULL AND d IS NOT NULL"
    known = "bd IS NOT NULL"

    def pick(from_full: str, from_bd: str, partial: str) -> str:
        return f"CASE WHEN {full} THEN {from_full} WHEN {known} THEN {from_bd} ELSE {partial} END"

    month_end = _days_in_month("y", "m")
    last_day = f"CASE WHEN m IS NULL THEN 31 ELSE COALESCE(d, {month_end}) END"
    bounds = (
        "SELECT person_id, sex, "
        f"{pick('y', 'EXTRACT(YEAR FROM bd)', 'y')} AS ey, "
        f"{pick('m', 'EXTRACT(MONTH FROM bd)', 'COALESCE(m, 1)')} AS em, "
        f"{pick('d', 'EXTRACT(DAY FROM bd)', 'CASE WHEN m IS NULL THEN 1 ELSE COALESCE(d, 1) END')} AS ed, "
        f"{pick('m', 'EXTRACT(MONTH FROM bd)', 'COALESCE(m, 12)')} AS lm, "
        f"{pick('d', 'EXTRACT(DAY FROM bd)', last_day)} AS ld "
        f"FROM ({valid}) valid_birth"
    )
    today = scope.as_of.year * 10000 + scope.as_of.month * 100 + scope.as_of.day
    earliest, latest = "(ey * 10000 + em * 100 + ed)", "(ey * 10000 + lm * 100 + ld)"
    return (
        "SELECT person_id, sex, "
        f"CASE WHEN {earliest} > {today} THEN NULL WHEN {latest} > {today} THEN 0 "
        f"ELSE {_age(scope.as_of, 'ey', 'lm', 'ld')} END AS age_lo, "
        f"CASE WHEN {earliest} > {today} THEN NULL ELSE {_age(scope.as_of, 'ey', 'em', 'ed')} END AS age_hi "
        f"FROM ({bounds}) birth_bounds"
    )


def _age(as_of: date, y: str, m: str, d: str) -> str:
    """Completed years at as_of; a 29 February birthday falls on 1 March in other years."""
    on = as_of.month * 100 + as_of.day
    birthday = f"{m} * 100 + {d}"
    if not calendar.isleap(as_of.year):
        birthday = f"CASE WHEN {m} = 2 AND {d} = 29 THEN 301 ELSE {birthday} END"
    return f"({as_of.year} - {y} - CASE WHEN {on} < {birthday} THEN 1 ELSE 0 END)"


def _days_in_month(y: str, m: str) -> str:
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    return f"CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"


def measurements(scope: Scope, quantities: set[str], exact: set[str]) -> list[tuple[str, str]]:
    """``mp``: per person the latest plausible value of each quantity (``m_<q>``, an exact
    decimal for those in ``exact``, else as stored) and, when explaining, its date (``d_<q>``)."""
    table = require(scope.catalog, "measurement")
    src = table.column("measurement_source_value")
    when = r.as_date(table, "measurement_date")
    first = scope.as_of - timedelta(days=MEASUREMENT_DAYS)
    wanted = sorted(quantities)
    listed = ", ".join(r.literal(LOINC[q]) for q in wanted)
    # One scan: the population's rows of the year are read once, for their distinct codes and values.
    rows = (
        f"SELECT {r.as_integer(table, 'person_id')} AS person_id, {src} AS code_value, {when} AS dt, "
        f"COALESCE({r.key(table, 'measurement_id')}, {_LOWEST}) AS mid, {r.as_number(table, 'value_as_number')} AS v "
        f"FROM {table.ref} WHERE {scope.population(table)} "
        f"AND {when} BETWEEN {r.date_literal(first)} AND {r.date_literal(scope.as_of)}"
    )
    codes = (
        "SELECT code_value, TRIM(CAST(code_value AS VARCHAR)) AS code FROM (SELECT DISTINCT code_value "
        f"FROM measurement_rows{scope.fence}) distinct_codes WHERE TRIM(CAST(code_value AS VARCHAR)) IN ({listed})"
    )
    columns = []
    for q in wanted:
        counts = f"code = {r.literal(LOINC[q])} AND v > 0 AND v < {UPPER[q]}"
        chosen = scope.latest("v", ("dt", "mid"), counts)
        columns.append(f"{r.exact(chosen, table, 'value_as_number') if q in exact else chosen} AS m_{q}")
        if scope.explain:
            columns.append(f"MAX(dt) FILTER (WHERE {counts}) AS d_{q}")
    return [
        ("measurement_rows", rows),
        ("measurement_codes", codes),
        ("mp", f"SELECT person_id, {', '.join(columns)} FROM measurement_rows JOIN measurement_codes "
               "ON measurement_codes.code_value = measurement_rows.code_value GROUP BY person_id"),
    ]


def concept_sets(catalog: Catalog, sets: Mapping[str, tuple[int, ...]], names: Sequence[str]) -> list[tuple[str, str]]:
    """``concept_flags``: one row per concept id of a set (or a descendant), one 0/1 column per code list."""
    direct = " UNION ALL ".join(
        f"SELECT CAST({cid} AS BIGINT) AS concept_id, {r.literal(name)} AS codelist"
        for name in names
        for cid in sets[name]
    )
    ancestor = catalog.table("concept_ancestor")
    union = direct
    if ancestor is not None:
        anc, desc = r.key(ancestor, "ancestor_concept_id"), r.as_integer(ancestor, "descendant_concept_id")
        union += " UNION ALL " + " UNION ALL ".join(
            f"SELECT {desc} AS concept_id, {r.literal(name)} AS codelist FROM {ancestor.ref} "
            f"WHERE {anc} IN ({', '.join(str(c) for c in sets[name])})"
            for name in names
        )
    flags = ", ".join(
        f"MAX(CASE WHEN codelist = {r.literal(name)} THEN 1 ELSE 0 END) AS {listed(name)}" for name in names
    )
    return [("concept_flags", f"SELECT concept_id, {flags} FROM ({union}) all_concepts GROUP BY concept_id")]


def listed(name: str) -> str:
    """The 0/1 column saying that a row belongs to the code list ``name``."""
    return "l_" + "".join(c if c.isalnum() else "_" for c in name)


def facts(scope: Scope, source: str, codelists: Sequence[CodeList], by_concept: set[str]) -> list[tuple[str, str]]:
    """``<source>_facts``: the population's rows dated on or before as_of that belong to one of
    ``codelists`` by code or (for names in ``by_concept``) by concept, with one 0/1 column each."""
    name, start, end, code, concept, fact_id = FACTS[source]
    table = require(scope.catalog, name)
    s, raw = r.as_date(table, start), table.column(code)
    keep = f"{scope.population(table)} AND {s} <= {r.date_literal(scope.as_of)}"
    tests = ", ".join(
        f"CASE WHEN {r.code_matches(c, 'code')} THEN 1 ELSE 0 END AS {listed(c.name)}" for c in codelists
    )
    any_code = " OR ".join(f"{listed(c.name)} = 1" for c in codelists)
    order = f"COALESCE({r.key(table, fact_id)}, {_LOWEST})" if table.has(fact_id) else f"COALESCE(CAST({raw} AS VARCHAR), '')"
    # One scan: the population's rows are read once, for their distinct codes and for the facts.
    rows = (
        f"SELECT {r.as_integer(table, 'person_id')} AS person_id, {s} AS s, {r.as_date(table, end)} AS e, "
        f"{raw} AS code_value, {r.as_integer(table, concept)} AS concept_id, {order} AS fact_order "
        f"FROM {table.ref} WHERE {keep}"
    )
    codes = (
        f"SELECT * FROM (SELECT code_value, {tests} FROM (SELECT code_value, UPPER(TRIM(CAST(code_value AS VARCHAR))) AS code "
        f"FROM (SELECT DISTINCT code_value FROM {source}_rows{scope.fence}) distinct_codes) normalised) matched "
        f"WHERE {any_code}"
    )
    joins = f"LEFT JOIN {source}_codes ON {source}_codes.code_value = {source}_rows.code_value"
    found = [f"{source}_codes.code_value IS NOT NULL"]
    columns = []
    for c in codelists:
        column = listed(c.name)
        if c.name in by_concept:
            columns.append(f"CASE WHEN {source}_codes.{column} = 1 OR concept_flags.{column} = 1 THEN 1 ELSE 0 END AS {column}")
        else:
            columns.append(f"COALESCE({source}_codes.{column}, 0) AS {column}")
    if by_concept:
        joins += f" LEFT JOIN concept_flags ON concept_flags.concept_id = {source}_rows.concept_id"
        found.append("concept_flags.concept_id IS NOT NULL")
    facts = (
        f"SELECT person_id, s, e, CAST({source}_rows.code_value AS VARCHAR) AS code_value, {source}_rows.concept_id AS concept_id, "
        f"fact_order, {', '.join(columns)} FROM {source}_rows {joins} WHERE {' OR '.join(found)}"
    )
    return [(f"{source}_rows", rows), (f"{source}_codes", codes), (f"{source}_facts", facts)]


def histories(scope: Scope, source: str, wanted: Mapping[str, tuple[CodeList, bool]]) -> str:
    """``<source>_flags``: per person 1 when a fact of the alias's code list (active at as_of if
    asked) is recorded; when explaining, the latest such fact's code, concept and dates."""
    columns = []
    for alias, (codes, active) in wanted.items():
        test = f"{listed(codes.name)} = 1"
        if active:
            test += f" AND (e IS NULL OR e >= {r.date_literal(scope.as_of)})"
        columns.append(f"MAX(CASE WHEN {test} THEN 1 ELSE 0 END) AS {alias}")
        if scope.explain:
            order = ("s", "fact_order")
            code = scope.latest("COALESCE(code_value, '')", order, test)
            concept = scope.latest("COALESCE(concept_id, 0)", order, test)
            end = scope.latest(f"COALESCE(e, {r.date_literal(OPEN_END)})", order, test)
            columns += [
                f"{code} AS {alias}_code",
                f"{concept} AS {alias}_concept",
                f"MAX(s) FILTER (WHERE {test}) AS {alias}_start",
                f"{end} AS {alias}_end",
            ]
    return f"SELECT person_id, {', '.join(columns)} FROM {source}_facts GROUP BY person_id"


def exposure(scope: Scope, codes: CodeList, first: date, alias: str) -> str:
    """Distinct days of the code list in [first, as_of], overlapping prescriptions merged as islands."""
    low, last = r.date_literal(first), r.date_literal(scope.as_of)
    spans = (
        f"SELECT person_id, DATE_DIFF('day', {low}, GREATEST(s, {low})) AS ds, "
        f"DATE_DIFF('day', {low}, LEAST(COALESCE(e, {last}), {last})) AS de "
        f"FROM medications_facts WHERE {listed(codes.name)} = 1"
    )
    reach = (
        "SELECT person_id, ds, de, MAX(de) OVER (PARTITION BY person_id ORDER BY ds, de "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach FROM ({spans}) spans WHERE ds <= de"
    )
    islands = (
        "SELECT person_id, ds, de, SUM(CASE WHEN reach IS NULL OR ds > reach THEN 1 ELSE 0 END) "
        "OVER (PARTITION BY person_id ORDER BY ds, de ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) "
        f"AS island FROM ({reach}) reached"
    )
    days = f"SELECT person_id, MAX(de) - MIN(ds) + 1 AS days FROM ({islands}) islands GROUP BY person_id, island"
    return f"SELECT person_id, SUM(days) AS {alias} FROM ({days}) merged GROUP BY person_id"
