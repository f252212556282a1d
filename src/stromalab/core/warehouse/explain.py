"""Why each criterion passed, failed or stayed unknown for one person of a pre-screening.

The compiled query, asked to explain, returns after the failure masks the values the
criteria were decided on (:attr:`CompiledQuery.details`). This module turns one person's
values into, per criterion, its status, a reason in the words of bedside screening
(:mod:`stromalab.core.eligibility.rules`: "31 years old on 2022-05-31 (≥ 18 and ≤ 55)",
"BMI 30.00 kg/m² (76.8 kg, 160 cm) (not < 30)", "C50.9 (Malignant and in situ neoplasms),
since 2010-01-01") and the values themselves as JSON (decimals and dates as text). Values
are read the same way whatever the engine returned them as (int, Decimal, float, date), so
DuckDB, PostgreSQL and Spark give the same explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from typing import Any

from stromalab.core.eligibility import rules
from stromalab.core.eligibility.dates import minus_months
from stromalab.core.warehouse.compiler import CompiledQuery, Leaf
from stromalab.core.warehouse.tables import OPEN_END

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
_NAMES = {"weight_kg": ("weight", "kg"), "height_cm": ("height", "cm")}
_NOT_IN_WAREHOUSE = "not in the warehouse"
_EXACT = Context(prec=200)  # products of recorded values are never rounded (as at the bedside)


@dataclass(frozen=True)
class Explainer:
    """Explains the rows of one compiled query (its ``details`` columns and ``leaves``)."""

    compiled: CompiledQuery
    kinds: tuple[str, ...]  # inclusion / exclusion, per criterion
    as_of: date

    def criteria(self, details: Sequence[Any], failed: str, unknown: str) -> list[dict[str, Any]]:
        """Per criterion in protocol order: ``{"id", "status", "reason", "values"}``."""
        row = dict(zip(self.compiled.details, details, strict=True))
        failing, unknowns = set(failed.split(";")), set(unknown.split(";"))
        result = []
        for cid, leaves in zip(self.compiled.criteria, self.compiled.leaves, strict=True):
            status = FAIL if cid in failing else UNKNOWN if cid in unknowns else PASS
            reasons: list[str] = []
            values: dict[str, Any] = {}
            for leaf in leaves:
                if leaf.kind == "none" and status != UNKNOWN and len(leaves) > 1:
                    continue  # decided by the data the warehouse has: the missing item did not matter
                said = self.leaf(leaf, row, values)
                if said not in reasons:
                    reasons.append(said)
            result.append({"id": cid, "status": status, "reason": "; ".join(reasons), "values": values})
        return result

    def leaf(self, leaf: Leaf, row: dict[str, Any], values: dict[str, Any]) -> str:
        """The reason one leaf gives, adding the values it read to ``values``."""
        if leaf.kind == "age":
            return self.age(leaf.rule, row, values)  # type: ignore[arg-type]
        if leaf.kind == "bmi":
            return _bmi(leaf.rule, row, values)  # type: ignore[arg-type]
        if leaf.kind == "quantity":
            return _quantity(leaf.rule, row, values)  # type: ignore[arg-type]
        if leaf.kind == "history":
            return _history(leaf.rule, leaf.name, row, values)  # type: ignore[arg-type]
        if leaf.kind == "exposure":
            return self.exposure(leaf.rule, row[leaf.name], values)  # type: ignore[arg-type]
        if leaf.kind == "procedure":
            return _procedure(row[leaf.name], values)
        if leaf.kind == "review":
            return f"awaiting review: {leaf.name}"
        if leaf.kind == "sex":
            values["sex"] = row.get("sex")
            return "sex not recorded" if row.get("sex") is None else f"sex: {row['sex']}"
        return f"{leaf.name}: {_NOT_IN_WAREHOUSE}"

    def age(self, rule: rules.Value, row: dict[str, Any], values: dict[str, Any]) -> str:
        low, high = row["age_lo"], row["age_hi"]
        values["as_of"] = self.as_of.isoformat()
        if low is None or high is None:
            values["age_years"] = None
            return "birth date not recorded"
        low, high = int(low), int(high)
        if low != high:  # a partial birth date: the youngest and oldest possible ages
            values["age_years"] = None
            values["age_years_between"] = [low, high]
            return f"{low} to {high} years old on {self.as_of.isoformat()} (partial birth date)"
        values["age_years"] = low
        return _limits(rule, Decimal(low), f"{low} years old on {self.as_of.isoformat()}")

    def exposure(self, rule: rules.Exposure, days: Any, values: dict[str, Any]) -> str:
        count = int(days or 0)
        first = minus_months(self.as_of, rule.window_months)
        values.update({"days": count, "from": first.isoformat(), "to": self.as_of.isoformat()})
        said = (
            f"{count} distinct day{'s' if count != 1 else ''} of {rule.codes.label} between "
            f"{first.isoformat()} and {self.as_of.isoformat()}"
        )
        more = "more than" if count > rule.more_than_days else "not more than"
        return f"{said} ({more} {rule.more_than_days})"


def plain(value: Any) -> Decimal:
    """A measured value as the decimal it stands for: a double by its shortest text (76.8)."""
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


def _limits(rule: rules.Value, value: Decimal | rules.Ratio, said: str) -> str:
    """Bedside wording: the value, then its limits when all hold, else the first broken one."""
    for name, limit in rule.limits:
        sign = value.compare(limit) if isinstance(value, rules.Ratio) else (value > limit) - (value < limit)
        holds = {"at_least": sign >= 0, "at_most": sign <= 0, "below": sign < 0, "above": sign > 0}[name]
        if not holds:
            return f"{said} (not {rules.COMPARATORS[name]} {limit})"
    return said + rule.met


def _measured(quantity: str, row: dict[str, Any], values: dict[str, Any]) -> Decimal | None:
    value, day = row.get(f"m_{quantity}"), row.get(f"d_{quantity}")
    number = None if value is None else plain(value)
    values[quantity] = None if number is None else str(number)
    values[f"{quantity}_date"] = None if day is None else day.isoformat()
    return number


def _bmi(rule: rules.Value, row: dict[str, Any], values: dict[str, Any]) -> str:
    weight, height = _measured("weight_kg", row, values), _measured("height_cm", row, values)
    if weight is None or height is None:
        values["bmi"] = None
        missing = " and ".join(n for n, v in (("weight", weight), ("height", height)) if v is None)
        return f"BMI unknown: {missing} not recorded"
    bmi = rules.Ratio(_EXACT.multiply(weight, Decimal(10000)), _EXACT.multiply(height, height))
    values["bmi"] = bmi.shown()
    return _limits(rule, bmi, f"BMI {bmi.shown()} kg/m² ({weight} kg, {height} cm)")


def _quantity(rule: rules.Value, row: dict[str, Any], values: dict[str, Any]) -> str:
    value = _measured(rule.of, row, values)
    if rule.of in _NAMES:
        name, unit = _NAMES[rule.of]
        if value is None:
            return f"{name} not recorded"
        return _limits(rule, value, f"{name} {value} {unit}")
    if value is None:
        return f"{rule.of} blood pressure not recorded"
    return _limits(rule, value, f"{rule.of} blood pressure {value} mmHg")


def _history(rule: rules.History, alias: str, row: dict[str, Any], values: dict[str, Any]) -> str:
    if row.get(alias) != 1:
        return rule.absent
    code, concept = row[f"{alias}_code"], int(row[f"{alias}_concept"] or 0)
    start, end = row[f"{alias}_start"], row[f"{alias}_end"]
    end = None if end == OPEN_END else end
    found = {"code": code.strip() or None, "concept_id": concept or None, "start": start.isoformat(),
             "end": None if end is None else end.isoformat()}
    values[rule.codes.name] = found
    what = found["code"] or f"concept {concept}"
    span = f"since {start.isoformat()}" if end is None else f"{start.isoformat()} to {end.isoformat()}"
    return f"{what} ({rule.codes.label}), {span}"


def _procedure(decided: Any, values: dict[str, Any]) -> str:
    values["schedule"] = {2: PASS, 0: FAIL}.get(decided, UNKNOWN)
    if decided == 2:
        return "a scheduled operation qualifies"
    if decided == 0:
        return "no scheduled operation qualifies"
    return "scheduled operation not fully recorded"
