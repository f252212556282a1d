"""Turn the ``rule`` trees of a protocol file into predicate objects, checking every key.

Errors name the file, the line and the key path, because the file is reviewed and edited by
people who are not programmers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stromalab.core.eligibility import record as record_format
from stromalab.core.eligibility import rules
from stromalab.core.eligibility.codes import CodeList
from stromalab.core.yamlsource import Located, SourceError


@dataclass(frozen=True)
class BuildContext:
    source: Located
    codelists: Mapping[str, CodeList]
    answer_ids: frozenset[str]

    def error(self, key: str, message: str) -> SourceError:
        return self.source.error(key, message)


def build_rule(node: Any, key: str, ctx: BuildContext) -> rules.Rule:
    """Build the predicate written at ``key`` (a mapping with exactly one rule kind)."""
    if not isinstance(node, Mapping) or len(node) != 1:
        raise ctx.error(key, f"a rule is a mapping with exactly one of: {', '.join(sorted(_KINDS))}")
    ((kind, body),) = node.items()
    builder = _KINDS.get(kind)
    if builder is None:
        raise ctx.error(f"{key}.{kind}", f"unknown rule kind (expected one of: {', '.join(sorted(_KINDS))})")
    return builder(body, f"{key}.{kind}", ctx)


def _fields(
    node: Any, key: str, ctx: BuildContext, required: set[str], optional: Set[str] = frozenset()
) -> Mapping[str, Any]:
    if not isinstance(node, Mapping):
        raise ctx.error(key, "must be a mapping")
    for name in node:
        if name not in required and name not in optional:
            raise ctx.error(f"{key}.{name}", f"unknown key (allowed: {', '.join(sorted(required | optional))})")
    for name in sorted(required):
        if name not in node:
            raise ctx.error(key, f"missing key '{name}'")
    return node


def _text_list(node: Any, key: str, ctx: BuildContext) -> tuple[str, ...]:
    if not isinstance(node, list) or not node or not all(isinstance(v, str) and v for v in node):
        raise ctx.error(key, "must be a non-empty list of text")
    return tuple(node)


def _positive_int(node: Any, key: str, ctx: BuildContext) -> int:
    if isinstance(node, bool) or not isinstance(node, int) or node < 0:
        raise ctx.error(key, f"must be a whole number ≥ 0, got {node!r}")
    return node


def _codelist(name: Any, key: str, ctx: BuildContext) -> CodeList:
    if not isinstance(name, str) or name not in ctx.codelists:
        raise ctx.error(key, f"unknown code list {name!r} (defined: {', '.join(sorted(ctx.codelists))})")
    return ctx.codelists[name]


def _value(node: Any, key: str, ctx: BuildContext) -> rules.Value:
    body = _fields(node, key, ctx, {"of"}, set(rules.COMPARATORS))
    if body["of"] not in rules.QUANTITIES:
        raise ctx.error(f"{key}.of", f"unknown quantity {body['of']!r} (expected one of: {', '.join(rules.QUANTITIES)})")
    limits: list[tuple[str, Decimal]] = []
    for name in rules.COMPARATORS:
        if name in body:
            limit = body[name]
            if isinstance(limit, bool) or not isinstance(limit, int | Decimal):
                raise ctx.error(f"{key}.{name}", f"must be a number, got {limit!r}")
            limits.append((name, Decimal(limit)))
    if not limits:
        raise ctx.error(key, f"needs at least one limit: {', '.join(rules.COMPARATORS)}")
    return rules.Value(body["of"], tuple(limits))


_CHOICE_FIELDS: dict[str, tuple[object, ...]] = {
    "smoking": tuple(sorted(record_format.SMOKING)),
    "consent": tuple(sorted(record_format.CONSENT_STATUSES)),
    "social_security": (True, False),
    "sex": tuple(sorted(record_format.SEXES)),
}


def _choice(node: Any, key: str, ctx: BuildContext) -> rules.Choice:
    body = _fields(node, key, ctx, {"field"}, {"true", "false"})
    field = body["field"]
    if field not in _CHOICE_FIELDS:
        raise ctx.error(f"{key}.field", f"must be one of: {', '.join(_CHOICE_FIELDS)}")
    allowed = _CHOICE_FIELDS[field]
    sets: dict[str, frozenset[object]] = {}
    for side in ("true", "false"):
        values = body.get(side, [])
        if not isinstance(values, list):
            raise ctx.error(f"{key}.{side}", "must be a list")
        for i, value in enumerate(values):
            if not any(value == a and type(value) is type(a) for a in allowed):
                raise ctx.error(f"{key}.{side}[{i}]", f"{value!r} is not a value of {field} (expected one of: {', '.join(map(str, allowed))})")
        sets[side] = frozenset(values)
    if sets["true"] & sets["false"]:
        raise ctx.error(key, "a value cannot be both true and false")
    return rules.Choice(field, sets["true"], sets["false"])


def _answer(node: Any, key: str, ctx: BuildContext) -> rules.Answer:
    if node not in ctx.answer_ids:
        raise ctx.error(key, f"{node!r} is not an exclusion criterion id of this protocol")
    return rules.Answer(node)


def _procedure(node: Any, key: str, ctx: BuildContext) -> rules.Procedure:
    body = _fields(node, key, ctx, {"field", "procedures", "site_contains", "anesthesia"}, {"not_before_as_of"})
    if body["field"] != "surgery":
        raise ctx.error(f"{key}.field", "only 'surgery' holds a planned procedure in record format 1")
    not_before = body.get("not_before_as_of", False)
    if not isinstance(not_before, bool):
        raise ctx.error(f"{key}.not_before_as_of", "must be true or false")
    return rules.Procedure(
        procedures=frozenset(v.lower() for v in _text_list(body["procedures"], f"{key}.procedures", ctx)),
        site_contains=tuple(v.lower() for v in _text_list(body["site_contains"], f"{key}.site_contains", ctx)),
        anesthesia=frozenset(v.lower() for v in _text_list(body["anesthesia"], f"{key}.anesthesia", ctx)),
        not_before_as_of=not_before,
    )


def _panel(node: Any, key: str, ctx: BuildContext) -> rules.Panel:
    body = _fields(node, key, ctx, {"field", "tests"})
    if body["field"] != "serology":
        raise ctx.error(f"{key}.field", "only 'serology' holds a test panel in record format 1")
    tests = _text_list(body["tests"], f"{key}.tests", ctx)
    for i, test in enumerate(tests):
        if test not in record_format.SEROLOGY_TESTS:
            raise ctx.error(f"{key}.tests[{i}]", f"{test!r} is not a serology test of record format 1")
    return rules.Panel(tests)


def _test(node: Any, key: str, ctx: BuildContext) -> rules.Test:
    body = _fields(node, key, ctx, {"field", "within_days"})
    if body["field"] != "pregnancy_test":
        raise ctx.error(f"{key}.field", "only 'pregnancy_test' is a dated test in record format 1")
    return rules.Test(body["field"], _positive_int(body["within_days"], f"{key}.within_days", ctx))


def _history(node: Any, key: str, ctx: BuildContext) -> rules.History:
    body = _fields(node, key, ctx, {"in", "codelist", "when"})
    if body["in"] not in ("conditions", "medications"):
        raise ctx.error(f"{key}.in", "must be conditions or medications")
    if body["when"] not in ("ever", "active"):
        raise ctx.error(f"{key}.when", "must be ever or active")
    return rules.History(body["in"], _codelist(body["codelist"], f"{key}.codelist", ctx), body["when"])


def _exposure(node: Any, key: str, ctx: BuildContext) -> rules.Exposure:
    body = _fields(node, key, ctx, {"codelist", "window_months", "more_than_days"})
    return rules.Exposure(
        _codelist(body["codelist"], f"{key}.codelist", ctx),
        _positive_int(body["window_months"], f"{key}.window_months", ctx),
        _positive_int(body["more_than_days"], f"{key}.more_than_days", ctx),
    )


def _rule_list(node: Any, key: str, ctx: BuildContext) -> tuple[rules.Rule, ...]:
    if not isinstance(node, list) or not node:
        raise ctx.error(key, "must be a non-empty list of rules")
    return tuple(build_rule(item, f"{key}[{i}]", ctx) for i, item in enumerate(node))


def _reported(node: Any, key: str, ctx: BuildContext) -> rules.Reported:
    body = _fields(node, key, ctx, {"answer", "shown_by"}, {"cleared_by"})
    return rules.Reported(
        _answer(body["answer"], f"{key}.answer", ctx),
        _rule_list(body["shown_by"], f"{key}.shown_by", ctx),
        _rule_list(body["cleared_by"], f"{key}.cleared_by", ctx) if "cleared_by" in body else (),
    )


def _branch(node: Any, key: str, ctx: BuildContext, sex: str) -> rules.Rule:
    if isinstance(node, bool):
        return rules.Constant(node, f"{sex}: {'applies' if node else 'not applicable'}")
    return build_rule(node, key, ctx)


def _by_sex(node: Any, key: str, ctx: BuildContext) -> rules.BySex:
    body = _fields(node, key, ctx, {"female", "male"})
    return rules.BySex(
        female=_branch(body["female"], f"{key}.female", ctx, "female"),
        male=_branch(body["male"], f"{key}.male", ctx, "male"),
    )


def _review(node: Any, key: str, ctx: BuildContext) -> rules.Review:
    if not isinstance(node, str) or not node.strip():
        raise ctx.error(key, "must say what the reviewer has to decide (non-empty text)")
    return rules.Review(node.strip())


def _all(node: Any, key: str, ctx: BuildContext) -> rules.All:
    return rules.All(_rule_list(node, key, ctx))


def _any(node: Any, key: str, ctx: BuildContext) -> rules.Any_:
    return rules.Any_(_rule_list(node, key, ctx))


def _not(node: Any, key: str, ctx: BuildContext) -> rules.Not:
    return rules.Not(build_rule(node, key, ctx))


_KINDS: dict[str, Callable[[Any, str, BuildContext], rules.Rule]] = {
    "value": _value,
    "choice": _choice,
    "answer": _answer,
    "procedure": _procedure,
    "panel": _panel,
    "test": _test,
    "history": _history,
    "exposure": _exposure,
    "reported": _reported,
    "sex": _by_sex,
    "review": _review,
    "all": _all,
    "any": _any,
    "not": _not,
}
