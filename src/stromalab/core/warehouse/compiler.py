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

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from stromalab.core.eligibility import rules
from stromalab.core.eligibility.codes import CodeList
from stromalab.core.eligibility.dates import minus_months
from stromalab.core.protocol import Protocol
from stromalab.core.warehouse import readers as r
from stromalab.core.warehouse import tables as t
from stromalab.core.warehouse.catalog import Catalog, quote, require
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.errors import NotCompilable, WarehouseError
from stromalab.core.warehouse.tables import (
    FEMALE,
    LOINC,
    MALE,
    MEASUREMENT_DAYS,
    SCHEDULE_TABLE,
    UPPER,
)

#: criteria per failure bit mask column (BIGINT, sign bit kept clear)
MASK_BITS = 62

SCHEDULE_COLUMNS = ("person_id", "date", "procedure", "site", "anesthesia")

_UNKNOWN = "CAST(NULL AS BOOLEAN)"
_OPS = {"at_least": ">=", "at_most": "<=", "below": "<", "above": ">"}


@dataclass(frozen=True)
class Leaf:
    """What a criterion is decided on, for its explanation (:mod:`.explain`): ``kind`` is
    ``age``, ``quantity`` (``name`` = weight_kg …), ``bmi``, ``history`` / ``exposure`` /
    ``procedure`` (``name`` = the query's column), ``sex``, ``review`` (``name`` = the reviewer's note)
    or ``none`` (no warehouse source)."""

    kind: str
    name: str = ""
    rule: object = None


@dataclass(frozen=True)
class CompiledQuery:
    """One SELECT returning ``person_id, failed, unknown, mask0[, mask1 …][, details …]`` sorted by person.

    ``failed``/``unknown`` are criterion ids joined by ``;`` in protocol order; bit ``i`` of
    ``mask{i // 62}`` is set when criterion ``i`` fails (for attrition without a second scan).
    With ``explain``, ``details`` names the columns that follow the masks (the values each
    criterion was decided on) and ``leaves`` says, per criterion, which of them it read.
    """

    sql: str  # DuckDB dialect
    criteria: tuple[str, ...]
    masks: int
    details: tuple[str, ...] = ()
    leaves: tuple[tuple[Leaf, ...], ...] = ()


def to_dialect(sql: str, dialect: str) -> str:
    """The query in another engine's dialect (``duckdb``, ``postgres``, ``spark``)."""
    if dialect == "duckdb":
        return sql
    import sqlglot  # imported only when needed: it takes a tenth of a second

    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])


def compile_protocol(
    protocol: Protocol,
    catalog: Catalog,
    as_of: date,
    concept_sets: ConceptSets,
    schedule: bool,
    dialect: str = "duckdb",
    explain: bool = False,
    persons: Sequence[int] | None = None,
) -> CompiledQuery:
    """Translate every criterion; raises NotCompilable listing all that cannot be, or
    WarehouseError naming the first missing table or column.

    ``dialect`` is the engine the query will be transpiled for (the arg-max aggregate is spelt
    differently on PostgreSQL); ``explain`` adds the values each criterion was decided on;
    ``persons`` keeps only those persons of the population.
    """
    only = None if persons is None else tuple(persons)
    state = _State(t.Scope(catalog, as_of, schedule, dialect, explain, only), concept_sets)
    expressions: list[str] = []
    leaves: list[tuple[Leaf, ...]] = []
    problems: list[tuple[str, str]] = []
    for criterion in protocol.criteria:
        state.leaves = []
        try:
            expressions.append(state.rule(criterion.rule))
        except _Untranslatable as exc:
            problems.append((criterion.id, str(exc)))
        leaves.append(tuple(dict.fromkeys(state.leaves)))
    if problems:
        raise NotCompilable(tuple(problems))
    kinds = [c.kind for c in protocol.criteria]
    ids = tuple(c.id for c in protocol.criteria)
    sql, details = state.query(expressions, ids, kinds)
    return CompiledQuery(sql, ids, _mask_count(len(ids)), details, tuple(leaves) if explain else ())


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

    scope: t.Scope
    concept_sets: ConceptSets
    quantities: set[str] = field(default_factory=set)
    exact: set[str] = field(default_factory=set)  # quantities read as exact decimals
    age: bool = False
    histories: dict[_History, str] = field(default_factory=dict)
    exposures: dict[_Exposure, str] = field(default_factory=dict)
    procedures: dict[rules.Procedure, str] = field(default_factory=dict)
    leaves: list[Leaf] = field(default_factory=list)

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
            name = "answer" if isinstance(rule, rules.Answer) else "serology" if isinstance(rule, rules.Panel) else rule.field
            self.leaves.append(Leaf("none", name.replace("_", " ")))
            return _UNKNOWN  # a warehouse holds no answers, serologies or tests
        if isinstance(rule, rules.Review):
            self.leaves.append(Leaf("review", rule.note))
            return _UNKNOWN  # nobody has made it computable yet: unknown, as on the screening page
        if isinstance(rule, rules.Procedure):
            return self.procedure(rule)
        if isinstance(rule, rules.History):
            alias = self.histories.setdefault(
                _History(rule.source, rule.codes, rule.when == "active"), f"h{len(self.histories)}"
            )
            self.leaves.append(Leaf("history", alias, rule))
            return f"CASE WHEN {alias} = 1 THEN TRUE END"
        if isinstance(rule, rules.Exposure):
            key = _Exposure(rule.codes, minus_months(self.scope.as_of, rule.window_months))
            alias = self.exposures.setdefault(key, f"x{len(self.exposures)}")
            self.leaves.append(Leaf("exposure", alias, rule))
            return f"CASE WHEN {alias} > {rule.more_than_days} THEN TRUE END"
        if isinstance(rule, rules.Reported):
            return self.reported(rule)
        if isinstance(rule, rules.BySex):
            self.leaves.append(Leaf("sex"))
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
            self.leaves.append(Leaf("none", rule.field.replace("_", " ")))
            return _UNKNOWN  # smoking, consent, social security: not in OMOP
        self.leaves.append(Leaf("sex"))
        cases = [f"WHEN sex = {r.literal(str(v))} THEN TRUE" for v in sorted(map(str, rule.true))]
        cases += [f"WHEN sex = {r.literal(str(v))} THEN FALSE" for v in sorted(map(str, rule.false))]
        return f"CASE {' '.join(cases)} END" if cases else _UNKNOWN

    def value(self, rule: rules.Value) -> str:
        if rule.of == "age_years":
            self.age = True
            self.leaves.append(Leaf("age", rule.of, rule))
            # Decided only when the youngest and oldest possible ages agree (partial dates).
            parts = []
            for name, limit in rule.limits:
                lo, hi = _compare("age_lo", name, limit), _compare("age_hi", name, limit)
                parts.append(f"CASE WHEN {lo} AND {hi} THEN TRUE WHEN NOT {lo} AND NOT {hi} THEN FALSE END")
            return "(" + " AND ".join(parts) + ")"
        if rule.of == "bmi":
            self.quantities.update(("weight_kg", "height_cm"))
            self.exact.update(("weight_kg", "height_cm"))  # a product must be exact
            self.leaves.append(Leaf("bmi", rule.of, rule))
            # weight / (height/100)² op L  <=>  weight * 10000 op L * height²  (height > 0)
            return "(" + " AND ".join(
                f"m_weight_kg * 10000 {_OPS[name]} {_number(limit)} * (m_height_cm * m_height_cm)"
                for name, limit in rule.limits
            ) + ")"
        if rule.of in LOINC:
            self.quantities.add(rule.of)
            # A stored double compares with a limit that a double holds exactly (160, 49.5) as
            # its shortest decimal would; any other limit (49.9) needs the decimal.
            if any(Decimal(float(limit)) != limit for _, limit in rule.limits):
                self.exact.add(rule.of)
            self.leaves.append(Leaf("quantity", rule.of, rule))
            return "(" + " AND ".join(_compare(f"m_{rule.of}", n, v) for n, v in rule.limits) + ")"
        raise _Untranslatable(f"quantity {rule.of!r} has no warehouse source")

    def procedure(self, rule: rules.Procedure) -> str:
        if not self.scope.schedule:
            self.leaves.append(Leaf("none", "operating-room schedule"))
            return _UNKNOWN
        alias = self.procedures.setdefault(rule, f"p{len(self.procedures)}")
        self.leaves.append(Leaf("procedure", alias, rule))
        return f"CASE {alias} WHEN 2 THEN TRUE WHEN 0 THEN FALSE END"

    # --- CTEs ---------------------------------------------------------------------------

    def codelists(self, source: str | None = None) -> list[CodeList]:
        """Code lists the query matches (each once, in order of use), for one fact table or all."""
        found = [k.codes for k in self.histories if source in (None, k.source)]
        if source in (None, "medications"):
            found += [k.codes for k in self.exposures]
        return list({c.name: c for c in found}.values())

    def query(self, expressions: Sequence[str], ids: Sequence[str], kinds: Sequence[str]) -> tuple[str, tuple[str, ...]]:
        scope = self.scope
        person = require(scope.catalog, "person")
        ctes: list[tuple[str, str]] = [("pop", t.population(scope, person)), ("per", t.persons(scope, person, self.age))]
        joins = ["per"]
        details: list[str] = ["age_lo", "age_hi"] if scope.explain and self.age else []
        if scope.explain:
            details.append("sex")
        if self.quantities:
            ctes += t.measurements(scope, self.quantities, self.exact)
            joins.append("mp")
            for q in sorted(self.quantities):
                details += [f"m_{q}", f"d_{q}"] if scope.explain else []
        by_concept = {c.name for c in self.codelists() if self.concept_sets.get(c.name)}
        if by_concept:
            ctes += t.concept_sets(scope.catalog, self.concept_sets, sorted(by_concept))
        for source in ("conditions", "medications"):
            codelists = self.codelists(source)
            if codelists:
                ctes += t.facts(scope, source, codelists, by_concept)
            wanted = {a: (k.codes, k.active) for k, a in self.histories.items() if k.source == source}
            if wanted:
                ctes.append((f"{source}_flags", t.histories(scope, source, wanted)))
                joins.append(f"{source}_flags")
                for alias in wanted:
                    details += [alias] + [f"{alias}_{p}" for p in ("code", "concept", "start", "end")] if scope.explain else []
        for key, alias in self.exposures.items():
            ctes.append((alias, t.exposure(scope, key.codes, key.first, alias)))
            joins.append(alias)
            details += [alias] if scope.explain else []
        if self.procedures:
            ctes.append(("sched", self.schedule_cte()))
            joins.append("sched")
            details += list(self.procedures.values()) if scope.explain else []
        # A criterion without a warehouse source is unknown for everyone: said once, not computed per row.
        decided = [i for i, e in enumerate(expressions) if e != _UNKNOWN]
        columns = ", ".join([f"{expressions[i]} AS c{i}" for i in decided] + details)
        joined = " ".join(f"LEFT JOIN {j} ON {j}.person_id = pop.person_id" for j in joins)
        ctes.append(("decided", f"SELECT pop.person_id AS person_id, {columns} FROM pop {joined}"))
        failed = [f"CASE WHEN {'NOT ' if kinds[i] == 'inclusion' else ''}c{i} THEN {r.literal(ids[i])} END" for i in decided]
        unknown = [
            f"CASE WHEN c{i} IS NULL THEN {r.literal(cid)} END" if i in decided else r.literal(cid)
            for i, cid in enumerate(ids)
        ]
        masks = []
        for m in range(_mask_count(len(ids))):
            bits = [
                f"CASE WHEN {'NOT ' if kinds[i] == 'inclusion' else ''}c{i} THEN {1 << (i - m * MASK_BITS)} ELSE 0 END"
                for i in range(m * MASK_BITS, min(len(ids), (m + 1) * MASK_BITS)) if i in decided
            ]
            masks.append(f"CAST({' + '.join(bits) or '0'} AS BIGINT) AS mask{m}")
        with_ = ",\n".join(f"{name} AS ({body})" for name, body in ctes)
        sql = (
            f"WITH {with_}\nSELECT person_id, CONCAT_WS(';', {', '.join(failed)}) AS failed, "
            f"CONCAT_WS(';', {', '.join(unknown)}) AS unknown, {', '.join(masks + details)} "
            f"FROM decided ORDER BY person_id"
        )
        return sql, tuple(details)

    def schedule_cte(self) -> str:
        tests = []
        for rule, alias in self.procedures.items():
            proc = f"LOWER(TRIM(procedure)) IN ({', '.join(r.literal(p) for p in sorted(rule.procedures))})"
            site = " OR ".join(f"STRPOS(LOWER(site), {r.literal(part)}) > 0" for part in rule.site_contains)
            anesthesia = f"LOWER(TRIM(anesthesia)) IN ({', '.join(r.literal(a) for a in sorted(rule.anesthesia))})"
            when = f"date >= {r.date_literal(self.scope.as_of)}" if rule.not_before_as_of else "date IS NOT NULL"
            row = f"(({proc}) AND ({site}) AND ({anesthesia}) AND ({when}))"
            tests.append(f"MAX(CASE WHEN {row} THEN 2 WHEN NOT {row} THEN 0 ELSE 1 END) AS {alias}")
        return f"SELECT person_id, {', '.join(tests)} FROM {SCHEDULE_TABLE} GROUP BY person_id"


def _compare(column: str, comparator: str, limit: Decimal) -> str:
    return f"{column} {_OPS[comparator]} {_number(limit)}"


def _number(value: Decimal) -> str:
    text = format(value, "f")
    if not text.lstrip("-").replace(".", "", 1).isdigit():  # pragma: no cover - limits are finite
        raise WarehouseError(f"limit {value} is not a plain number")
    return text



__all__ = [
    "FEMALE", "LOINC", "MALE", "MEASUREMENT_DAYS", "SCHEDULE_COLUMNS", "SCHEDULE_TABLE", "UPPER",
    "CompiledQuery", "Leaf", "compile_protocol", "quote", "to_dialect",
]
