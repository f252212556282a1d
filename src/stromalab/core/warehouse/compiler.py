"""Compile a protocol's criteria to one SQL query over OMOP tables (no per-person loop).

Every rule becomes a SQL boolean in three-valued logic: TRUE, FALSE, or NULL for unknown.
SQL's AND, OR and NOT are Kleene's, exactly the connectives of the criteria language, so
``all``/``any``/``not`` translate one to one. Leaf rules read per-person columns that common
table expressions compute from the warehouse, following docs/warehouse.md:

* person: sex from ``gender_concept_id``; the youngest and oldest possible ages from a full or
  partial birth date (I1 is decided only when both agree);
* measurement: the latest value on or before ``as_of``, at most 365 days old, highest
  ``measurement_id`` first, read as an exact decimal;
* conditions, medications: ICD-10 / ATC codes of ``*_source_value`` and, when
  ``warehouse.yaml`` says so, OMOP concept sets with their CONCEPT_ANCESTOR descendants;
* exposure: distinct days of the calendar-month window, overlapping prescriptions merged;
* the schedule: one row passing is enough (Kleene OR over a person's rows).

A warehouse holds no answers, choices, serologies or pregnancy tests: those leaves are NULL.
A rule kind without a translation raises :class:`NotCompilable` naming the criterion.
The query is written in DuckDB's dialect; :func:`to_dialect` transpiles it with sqlglot.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from stromalab.core.eligibility import rules
from stromalab.core.eligibility.codes import CodeList
from stromalab.core.eligibility.dates import minus_months
from stromalab.core.protocol import Protocol
from stromalab.core.warehouse import readers as r
from stromalab.core.warehouse.catalog import Catalog, Table, quote, require
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.errors import NotCompilable, WarehouseError

#: LOINC code of each measured quantity and the open upper bound of a plausible value
LOINC = {"weight_kg": "29463-7", "height_cm": "8302-2", "systolic": "8480-6", "diastolic": "8462-4"}
UPPER = {"weight_kg": 500, "height_cm": 300, "systolic": 400, "diastolic": 400}
FEMALE, MALE = 8532, 8507
MEASUREMENT_DAYS = 365
#: criteria per failure bit mask column (BIGINT, sign bit kept clear)
MASK_BITS = 62

SCHEDULE_TABLE = "stromalab_schedule"
SCHEDULE_COLUMNS = ("person_id", "date", "procedure", "site", "anesthesia")

_OPS = {"at_least": ">=", "at_most": "<=", "below": "<", "above": ">"}
_FACTS = {
    "conditions": ("condition_occurrence", "condition_start_date", "condition_end_date",
                   "condition_source_value", "condition_concept_id"),
    "medications": ("drug_exposure", "drug_exposure_start_date", "drug_exposure_end_date",
                    "drug_source_value", "drug_concept_id"),
}  # fmt: skip


@dataclass(frozen=True)
class CompiledQuery:
    """One SELECT returning ``person_id, failed, unknown, mask0[, mask1 …]`` sorted by person.

    ``failed``/``unknown`` are criterion ids joined by ``;`` in protocol order; bit ``i`` of
    ``mask{i // 62}`` is set when criterion ``i`` fails (for attrition without a second scan).
    """

    sql: str  # DuckDB dialect
    criteria: tuple[str, ...]
    masks: int


def to_dialect(sql: str, dialect: str) -> str:
    """The query in another engine's dialect (``duckdb``, ``postgres``, ``spark``)."""
    import sqlglot

    if dialect == "duckdb":
        return sql
    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])


def compile_protocol(
    protocol: Protocol,
    catalog: Catalog,
    as_of: date,
    concept_sets: ConceptSets,
    schedule: bool,
) -> CompiledQuery:
    """Translate every criterion; raises NotCompilable listing all that cannot be, or
    WarehouseError naming the first missing table or column."""
    state = _State(catalog, as_of, concept_sets, schedule)
    expressions: list[str] = []
    problems: list[tuple[str, str]] = []
    for criterion in protocol.criteria:
        try:
            expressions.append(state.rule(criterion.rule))
        except _Untranslatable as exc:
            problems.append((criterion.id, str(exc)))
    if problems:
        raise NotCompilable(tuple(problems))
    kinds = [c.kind for c in protocol.criteria]
    ids = tuple(c.id for c in protocol.criteria)
    return CompiledQuery(state.query(expressions, ids, kinds), ids, _mask_count(len(ids)))


def _mask_count(n: int) -> int:
    return max(1, -(-n // MASK_BITS))


class _Untranslatable(Exception):
    """A rule without a SQL translation (collected per criterion)."""


@dataclass(frozen=True)
class _History:
    source: str
    codes: CodeList
    active: bool


@dataclass(frozen=True)
class _Exposure:
    codes: CodeList
    first: date


@dataclass
class _State:
    """What the walk over the rule tree found it needs; turned into CTEs by :meth:`query`."""

    catalog: Catalog
    as_of: date
    concept_sets: ConceptSets
    schedule: bool
    quantities: set[str] = field(default_factory=set)
    age: bool = False
    histories: dict[_History, str] = field(default_factory=dict)
    exposures: dict[_Exposure, str] = field(default_factory=dict)
    procedures: dict[rules.Procedure, str] = field(default_factory=dict)

    # --- rules -> boolean expressions ---------------------------------------------------

    def rule(self, rule: rules.Rule) -> str:
        if isinstance(rule, rules.All | rules.Any_):
            joiner = " AND " if isinstance(rule, rules.All) else " OR "
            return "(" + joiner.join(self.rule(child) for child in rule.rules) + ")"
        if isinstance(rule, rules.Not):
            return f"(NOT {self.rule(rule.rule)})"
        if isinstance(rule, rules.Constant):
            return "TRUE" if rule.value else "FALSE"
        if isinstance(rule, rules.Value):
            return self.value(rule)
        if isinstance(rule, rules.Choice):
            return self.choice(rule)
        if isinstance(rule, rules.Answer | rules.Panel | rules.Test):
            return "CAST(NULL AS BOOLEAN)"  # a warehouse holds no answers, serologies or tests
        if isinstance(rule, rules.Procedure):
            return self.procedure(rule)
        if isinstance(rule, rules.History):
            alias = self.histories.setdefault(
                _History(rule.source, rule.codes, rule.when == "active"), f"h{len(self.histories)}"
            )
            return f"CASE WHEN {alias} = 1 THEN TRUE END"
        if isinstance(rule, rules.Exposure):
            key = _Exposure(rule.codes, minus_months(self.as_of, rule.window_months))
            alias = self.exposures.setdefault(key, f"x{len(self.exposures)}")
            return f"CASE WHEN {alias} > {rule.more_than_days} THEN TRUE END"
        if isinstance(rule, rules.Reported):
            return self.reported(rule)
        if isinstance(rule, rules.BySex):
            return (
                f"CASE WHEN sex = 'female' THEN {self.rule(rule.female)} "
                f"WHEN sex = 'male' THEN {self.rule(rule.male)} END"
            )
        raise _Untranslatable(f"rule kind {type(rule).__name__} has no SQL translation")

    def reported(self, rule: rules.Reported) -> str:
        # No answer in a warehouse: true when the data show it, false when a clearing rule is
        # false, otherwise unknown. CASE skips a NULL condition, as the evaluator skips unknowns.
        shown = " OR ".join(self.rule(child) for child in rule.shown_by)
        parts = [f"WHEN {shown} THEN TRUE"]
        if rule.cleared_by:
            cleared = " OR ".join(f"NOT {self.rule(child)}" for child in rule.cleared_by)
            parts.append(f"WHEN {cleared} THEN FALSE")
        return f"CASE {' '.join(parts)} END"

    def choice(self, rule: rules.Choice) -> str:
        if rule.field != "sex":
            return "CAST(NULL AS BOOLEAN)"  # smoking, consent, social security: not in OMOP
        cases = [f"WHEN sex = {r.literal(str(v))} THEN TRUE" for v in sorted(map(str, rule.true))]
        cases += [f"WHEN sex = {r.literal(str(v))} THEN FALSE" for v in sorted(map(str, rule.false))]
        return f"CASE {' '.join(cases)} END" if cases else "CAST(NULL AS BOOLEAN)"

    def value(self, rule: rules.Value) -> str:
        if rule.of == "age_years":
            self.age = True
            # Decided only when the youngest and oldest possible ages agree (partial dates).
            parts = []
            for name, limit in rule.limits:
                lo, hi = _compare("age_lo", name, limit), _compare("age_hi", name, limit)
                parts.append(f"CASE WHEN {lo} AND {hi} THEN TRUE WHEN NOT {lo} AND NOT {hi} THEN FALSE END")
            return "(" + " AND ".join(parts) + ")"
        if rule.of == "bmi":
            self.quantities.update(("weight_kg", "height_cm"))
            # weight / (height/100)² op L  <=>  weight * 10000 op L * height²  (height > 0)
            return "(" + " AND ".join(
                f"m_weight_kg * 10000 {_OPS[name]} {_number(limit)} * (m_height_cm * m_height_cm)"
                for name, limit in rule.limits
            ) + ")"
        if rule.of in LOINC:
            self.quantities.add(rule.of)
            return "(" + " AND ".join(_compare(f"m_{rule.of}", n, v) for n, v in rule.limits) + ")"
        raise _Untranslatable(f"quantity {rule.of!r} has no warehouse source")

    def procedure(self, rule: rules.Procedure) -> str:
        if not self.schedule:
            return "CAST(NULL AS BOOLEAN)"
        alias = self.procedures.setdefault(rule, f"p{len(self.procedures)}")
        return f"CASE {alias} WHEN 2 THEN TRUE WHEN 0 THEN FALSE END"

    # --- CTEs ---------------------------------------------------------------------------

    def codelists(self, source: str | None = None) -> list[CodeList]:
        """Code lists the query matches, for one fact table or all of them."""
        found = [k.codes for k in self.histories if source in (None, k.source)]
        if source in (None, "medications"):
            found += [k.codes for k in self.exposures]
        return found

    def query(self, expressions: Sequence[str], ids: Sequence[str], kinds: Sequence[str]) -> str:
        person = require(self.catalog, "person")
        pid = r.as_integer(person, "person_id")
        ctes: list[tuple[str, str]] = []
        if self.schedule:
            ctes.append(("pop", f"SELECT DISTINCT person_id FROM {SCHEDULE_TABLE} WHERE person_id IS NOT NULL"))
        else:
            ctes.append(("pop", f"SELECT {pid} AS person_id FROM {person.ref} WHERE {pid} IS NOT NULL"))
        ctes.append(("per", self.person_cte(person)))
        joins = ["per"]
        if self.quantities:
            ctes += self.measurement_ctes()
            joins.append("mp")
        for source in ("conditions", "medications"):
            wanted = {k: a for k, a in self.histories.items() if k.source == source}
            if wanted or (source == "medications" and self.exposures):
                ctes.append((f"{source}_facts", self.facts_cte(source)))
            if wanted:
                ctes.append((f"{source}_flags", self.history_cte(source, wanted)))
                joins.append(f"{source}_flags")
        for key, alias in self.exposures.items():
            ctes += self.exposure_ctes(key, alias)
            joins.append(alias)
        if self.procedures:
            ctes.append(("sched", self.schedule_cte()))
            joins.append("sched")
        if any(self.concept_sets.get(c.name) for c in self.codelists()):
            ctes.insert(0, ("concept_sets", self.concept_set_cte()))
        columns = ", ".join(f"{e} AS c{i}" for i, e in enumerate(expressions))
        joined = " ".join(f"LEFT JOIN {j} ON {j}.person_id = pop.person_id" for j in joins)
        ctes.append(("decided", f"SELECT pop.person_id AS person_id, {columns} FROM pop {joined}"))
        failed = [
            f"CASE WHEN {'NOT ' if kind == 'inclusion' else ''}c{i} THEN {r.literal(cid)} END"
            for i, (cid, kind) in enumerate(zip(ids, kinds, strict=True))
        ]
        unknown = [f"CASE WHEN c{i} IS NULL THEN {r.literal(cid)} END" for i, cid in enumerate(ids)]
        masks = []
        for m in range(_mask_count(len(ids))):
            bits = [
                f"CASE WHEN {'NOT ' if kinds[i] == 'inclusion' else ''}c{i} THEN {1 << (i - m * MASK_BITS)} ELSE 0 END"
                for i in range(m * MASK_BITS, min(len(ids), (m + 1) * MASK_BITS))
            ]
            masks.append(f"CAST({' + '.join(bits)} AS BIGINT) AS mask{m}")
        with_ = ",\n".join(f"{name} AS ({body})" for name, body in ctes)
        return (
            f"WITH {with_}\nSELECT person_id, CONCAT_WS(';', {', '.join(failed)}) AS failed, "
            f"CONCAT_WS(';', {', '.join(unknown)}) AS unknown, {', '.join(masks)} "
            f"FROM decided ORDER BY person_id"
        )

    def person_cte(self, person: Table) -> str:
        pid = r.as_integer(person, "person_id")
        sex = f"CASE {person.column('gender_concept_id')} WHEN {FEMALE} THEN 'female' WHEN {MALE} THEN 'male' END"
        if not self.age:
            return f"SELECT {pid} AS person_id, {sex} AS sex FROM {person.ref}"
        y, m, d = (r.as_integer(person, c) for c in ("year_of_birth", "month_of_birth", "day_of_birth"))
        if person.has("birth_datetime"):
            bd = r.as_date(person, "birth_datetime")
        else:
            bd = "CAST(NULL AS DATE)"
        raw = (
            f"SELECT {pid} AS person_id, {sex} AS sex, {y} AS y, "
            f"CASE WHEN {m} BETWEEN 1 AND 12 THEN {m} END AS m, {d} AS d, {bd} AS bd FROM {person.ref}"
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
        today = self.as_of.year * 10000 + self.as_of.month * 100 + self.as_of.day
        earliest, latest = "(ey * 10000 + em * 100 + ed)", "(ey * 10000 + lm * 100 + ld)"
        return (
            "SELECT person_id, sex, "
            f"CASE WHEN {earliest} > {today} THEN NULL WHEN {latest} > {today} THEN 0 "
            f"ELSE {self._age('ey', 'lm', 'ld')} END AS age_lo, "
            f"CASE WHEN {earliest} > {today} THEN NULL ELSE {self._age('ey', 'em', 'ed')} END AS age_hi "
            f"FROM ({bounds}) birth_bounds"
        )

    def _age(self, y: str, m: str, d: str) -> str:
        """Completed years at as_of; a 29 February birthday falls on 1 March in other years."""
        on = self.as_of.month * 100 + self.as_of.day
        birthday = f"{m} * 100 + {d}"
        if not calendar.isleap(self.as_of.year):
            birthday = f"CASE WHEN {m} = 2 AND {d} = 29 THEN 301 ELSE {birthday} END"
        return f"({self.as_of.year} - {y} - CASE WHEN {on} < {birthday} THEN 1 ELSE 0 END)"

    def measurement_ctes(self) -> list[tuple[str, str]]:
        table = require(self.catalog, "measurement")
        pid = r.as_integer(table, "person_id")
        code = f"TRIM(CAST({table.column('measurement_source_value')} AS VARCHAR))"
        when = r.as_date(table, "measurement_date")
        first = self.as_of - timedelta(days=MEASUREMENT_DAYS)
        wanted = sorted(self.quantities)
        value = "CASE " + " ".join(
            f"WHEN {code} = {r.literal(LOINC[q])} THEN {r.as_decimal(table, 'value_as_number', UPPER[q])}"
            for q in wanted
        ) + " END"
        rows = (
            f"SELECT {pid} AS person_id, {code} AS code, {table.column('measurement_id')} AS mid, "
            f"{when} AS dt, {value} AS v FROM {table.ref} "
            f"WHERE {code} IN ({', '.join(r.literal(LOINC[q]) for q in wanted)})"
        )
        ranked = (
            "SELECT person_id, code, v, ROW_NUMBER() OVER (PARTITION BY person_id, code "
            f"ORDER BY dt DESC, mid DESC) AS rn FROM ({rows}) measured "
            f"WHERE dt BETWEEN {r.date_literal(first)} AND {r.date_literal(self.as_of)} "
            "AND v IS NOT NULL AND person_id IS NOT NULL"
        )
        pivot = ", ".join(
            f"MAX(CASE WHEN code = {r.literal(LOINC[q])} THEN v END) AS m_{q}" for q in wanted
        )
        return [
            ("latest", f"SELECT person_id, code, v FROM ({ranked}) ranked WHERE rn = 1"),
            ("mp", f"SELECT person_id, {pivot} FROM latest GROUP BY person_id"),
        ]

    def facts_cte(self, source: str) -> str:
        name, start, end, code, concept = _FACTS[source]
        table = require(self.catalog, name)
        uses_concepts = any(self.concept_sets.get(c.name) for c in self.codelists(source))
        columns = (
            f"{r.as_integer(table, 'person_id')} AS person_id, {r.as_date(table, start)} AS s, "
            f"{r.as_date(table, end)} AS e, {r.as_code(table, code)} AS code"
        )
        rows = f"SELECT {columns} FROM {table.ref}"
        if uses_concepts:
            rows = (
                f"SELECT {columns}, concept_sets.codelist AS codelist FROM {table.ref} "
                f"LEFT JOIN concept_sets ON concept_sets.concept_id = {r.as_integer(table, concept)}"
            )
        else:
            rows = f"SELECT {columns}, CAST(NULL AS VARCHAR) AS codelist FROM {table.ref}"
        return f"SELECT * FROM ({rows}) facts WHERE s <= {r.date_literal(self.as_of)} AND person_id IS NOT NULL"

    def _match(self, codes: CodeList) -> str:
        test = r.code_matches(codes, "code")
        if self.concept_sets.get(codes.name):
            test = f"({test} OR codelist = {r.literal(codes.name)})"
        return test

    def history_cte(self, source: str, wanted: dict[_History, str]) -> str:
        tests = {}
        for key, alias in wanted.items():
            test = self._match(key.codes)
            if key.active:
                test = f"({test} AND (e IS NULL OR e >= {r.date_literal(self.as_of)}))"
            tests[alias] = test
        flags = ", ".join(f"MAX(CASE WHEN {t} THEN 1 ELSE 0 END) AS {a}" for a, t in tests.items())
        return (
            f"SELECT person_id, {flags} FROM {source}_facts "
            f"WHERE {' OR '.join(tests.values())} GROUP BY person_id"
        )

    def exposure_ctes(self, key: _Exposure, alias: str) -> list[tuple[str, str]]:
        first, last = r.date_literal(key.first), r.date_literal(self.as_of)
        spans = (
            f"SELECT person_id, DATE_DIFF('day', {first}, GREATEST(s, {first})) AS ds, "
            f"DATE_DIFF('day', {first}, LEAST(COALESCE(e, {last}), {last})) AS de "
            f"FROM medications_facts WHERE {self._match(key.codes)}"
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
        days = (
            "SELECT person_id, MAX(de) - MIN(ds) + 1 AS days "
            f"FROM ({islands}) islands GROUP BY person_id, island"
        )
        return [(alias, f"SELECT person_id, SUM(days) AS {alias} FROM ({days}) merged GROUP BY person_id")]

    def schedule_cte(self) -> str:
        tests = []
        for rule, alias in self.procedures.items():
            proc = f"LOWER(TRIM(procedure)) IN ({', '.join(r.literal(p) for p in sorted(rule.procedures))})"
            site = " OR ".join(f"STRPOS(LOWER(site), {r.literal(part)}) > 0" for part in rule.site_contains)
            anesthesia = f"LOWER(TRIM(anesthesia)) IN ({', '.join(r.literal(a) for a in sorted(rule.anesthesia))})"
            when = f"date >= {r.date_literal(self.as_of)}" if rule.not_before_as_of else "date IS NOT NULL"
            row = f"(({proc}) AND ({site}) AND ({anesthesia}) AND ({when}))"
            tests.append(f"MAX(CASE WHEN {row} THEN 2 WHEN NOT {row} THEN 0 ELSE 1 END) AS {alias}")
        return f"SELECT person_id, {', '.join(tests)} FROM {SCHEDULE_TABLE} GROUP BY person_id"

    def concept_set_cte(self) -> str:
        names = sorted({c.name for c in self.codelists()} & set(self.concept_sets))
        direct = " UNION ALL ".join(
            f"SELECT CAST({cid} AS BIGINT) AS concept_id, {r.literal(name)} AS codelist"
            for name in names
            for cid in self.concept_sets[name]
        )
        ancestor = self.catalog.table("concept_ancestor")
        if ancestor is None:
            return f"SELECT DISTINCT concept_id, codelist FROM ({direct}) direct_concepts"
        anc, desc = r.as_integer(ancestor, "ancestor_concept_id"), r.as_integer(ancestor, "descendant_concept_id")
        below = " UNION ALL ".join(
            f"SELECT {desc} AS concept_id, {r.literal(name)} AS codelist FROM {ancestor.ref} "
            f"WHERE {anc} IN ({', '.join(str(c) for c in self.concept_sets[name])})"
            for name in names
        )
        return f"SELECT DISTINCT concept_id, codelist FROM ({direct} UNION ALL {below}) all_concepts"


def _compare(column: str, comparator: str, limit: Decimal) -> str:
    return f"{column} {_OPS[comparator]} {_number(limit)}"


def _number(value: Decimal) -> str:
    text = format(value, "f")
    if not text.lstrip("-").replace(".", "", 1).isdigit():  # pragma: no cover - limits are finite
        raise WarehouseError(f"limit {value} is not a plain number")
    return text


def _days_in_month(y: str, m: str) -> str:
    leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
    return f"CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 END"


__all__ = ["SCHEDULE_COLUMNS", "SCHEDULE_TABLE", "CompiledQuery", "compile_protocol", "quote", "to_dialect"]
